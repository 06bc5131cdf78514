"""SQS queues: the queue policy and the KMS key of server-side encryption (GetQueueAttributes)."""

from __future__ import annotations

from functools import partial

from graph.collect.account import Scope
from graph.collect.calls import Outcome
from graph.collect.entries import policy_document, resource_entry
from graph.collect.work import Done, Service, Work
from graph.model import ResourceType

_GONE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


def list_queues(scope: Scope) -> Done:
    """Lists the region's queues and schedules the read of each one."""
    listing = scope.reader(Service.SQS).pages("ListQueues", scope.region)
    if not listing.ok:
        return Done()
    return Done(more=tuple(Work(Service.SQS, scope.account.id, scope.region,
                                partial(read_queue, scope, url), resource=url)
                           for url in listing.data.get("QueueUrls", ())))


def read_queue(scope: Scope, url: str) -> Done:
    """Reads one queue's attributes and adds it."""
    name = url.rstrip("/").rsplit("/", 1)[-1]
    reply = scope.reader(Service.SQS).call("GetQueueAttributes", url, gone=_GONE, QueueUrl=url,
                                           AttributeNames=["All"])
    if reply.outcome is Outcome.GONE:
        return Done()
    attributes = reply.data.get("Attributes", {})
    arn = attributes.get("QueueArn") or scope.arn("sqs", name)
    scope.account.add_resource(resource_entry(
        arn, ResourceType.SQS_QUEUE.value, scope.region, name, policy_document(attributes.get("Policy")),
        {"QueueUrl": url, "KmsMasterKeyId": attributes.get("KmsMasterKeyId"),
         "SqsManagedSseEnabled": _flag(attributes.get("SqsManagedSseEnabled")),
         "FifoQueue": _flag(attributes.get("FifoQueue"))},
        (reply,),
    ))
    return Done(resources=1)


def _flag(value: str | None) -> bool | None:
    return None if value is None else value.lower() == "true"
