"""SNS topics: the topic policy and the KMS key of server-side encryption (GetTopicAttributes)."""

from __future__ import annotations

from functools import partial

from graph.collect.account import Scope
from graph.collect.calls import Outcome
from graph.collect.entries import policy_document, resource_entry
from graph.collect.work import Done, Service, Work
from graph.model import ResourceType


def list_topics(scope: Scope) -> Done:
    """Lists the region's topics and schedules the read of each one."""
    listing = scope.reader(Service.SNS).pages("ListTopics", scope.region)
    if not listing.ok:
        return Done()
    return Done(more=tuple(Work(Service.SNS, scope.account.id, scope.region,
                                partial(read_topic, scope, topic["TopicArn"]), resource=topic["TopicArn"])
                           for topic in listing.data.get("Topics", ())))


def read_topic(scope: Scope, arn: str) -> Done:
    """Reads one topic's attributes and adds it."""
    reply = scope.reader(Service.SNS).call("GetTopicAttributes", arn, gone=("NotFound", "NotFoundException"),
                                           TopicArn=arn)
    if reply.outcome is Outcome.GONE:
        return Done()
    attributes = reply.data.get("Attributes", {})
    scope.account.add_resource(resource_entry(
        arn, ResourceType.SNS_TOPIC.value, scope.region, arn.rsplit(":", 1)[-1],
        policy_document(attributes.get("Policy")),
        {"KmsMasterKeyId": attributes.get("KmsMasterKeyId"), "DisplayName": attributes.get("DisplayName") or None,
         "Owner": attributes.get("Owner"), "FifoTopic": attributes.get("FifoTopic") == "true" or None},
        (reply,),
    ))
    return Done(resources=1)
