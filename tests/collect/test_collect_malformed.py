"""Malformed AWS responses (issue 10, item 3): set aside, recorded, never guessed; the snapshot stays valid.

One collection of the data account (one region) in which botocore hooks corrupt five responses
the way a broken endpoint or a compromised account could: a queue policy that is not JSON, a role
trust policy URL-encoded with a bad escape, a repository listed without its name, a secret policy
of the wrong type (all four in the parsed response), and a topic listing whose body is not XML at
all (on the wire). Everything else must still be read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse

from graph.build import build_graph
from graph.collect import Collection
from graph.query import who_can
from graph.snapshot import snapshot_to_dict, validate_snapshot
from tests.collect.test_collect_org import account, resource
from tests.collect.test_collect_storms import arns, expected_resources, read_data
from tests.collect.world import REGION, World

_NOT_JSON = '{"Version": "2012-10-17", "Statement": ['
_BAD_ESCAPES = "%7B%22Version%22%3A%222012-10-17%22%2C%ZZ%22Statement%22%3A%5B%5D%7D"


def _queue_policy_not_json(parsed: dict[str, Any], **_: Any) -> None:
    parsed.get("Attributes", {})["Policy"] = _NOT_JSON


def _trust_with_bad_escapes(parsed: dict[str, Any], **_: Any) -> None:
    for role in parsed.get("RoleDetailList", ()):
        if role["RoleName"] == "DataReader":
            role["AssumeRolePolicyDocument"] = _BAD_ESCAPES


def _repository_without_name(parsed: dict[str, Any], **_: Any) -> None:
    for repository in parsed.get("repositories", ()):
        del repository["repositoryName"]


def _secret_policy_of_wrong_type(parsed: dict[str, Any], **_: Any) -> None:
    parsed["ResourcePolicy"] = 42


def _topic_listing_not_xml(request: Any, **_: Any) -> AWSResponse:
    return AWSResponse(request.url, 200, {"Content-Type": "text/xml"}, MockRawResponse(b"<ListTopicsResponse><Top"))


@pytest.fixture(scope="module")
def corrupted(world: World) -> Iterator[Collection]:
    yield read_data(world, ("after-call.sqs.GetQueueAttributes", _queue_policy_not_json),
                    ("after-call.iam.GetAccountAuthorizationDetails", _trust_with_bad_escapes),
                    ("after-call.ecr.DescribeRepositories", _repository_without_name),
                    ("after-call.secrets-manager.GetResourcePolicy", _secret_policy_of_wrong_type),
                    ("before-send.sns.ListTopics", _topic_listing_not_xml))


def _errors(collection: Collection, world: World) -> dict[tuple[str, str, str | None], tuple[str, str]]:
    return {(e.service, e.operation, e.resource): (e.code, e.message)
            for e in account(collection.snapshot, world.data).errors}


def test_a_policy_that_is_not_json_is_set_aside_and_marked_unread(world: World, corrupted: Collection) -> None:
    queue = resource(corrupted.snapshot, world.queue_arn)
    # Not "no policy": the policy is unknown, and the resource says so.
    assert queue.policy is None and queue.properties.get("unread") == ["policy"]
    code, message = _errors(corrupted, world)[("sqs", "(policy document)", world.queue_arn)]
    assert code == "InvalidPolicyDocument" and "not JSON" in message
    # Its other facts were kept.
    assert queue.properties.get("QueueUrl", "").endswith("/data-jobs")


def test_an_iam_policy_with_bad_url_escapes_grants_nothing_and_says_so(world: World, corrupted: Collection) -> None:
    role_arn = f"arn:aws:iam::{world.data}:role/DataReader"
    role = next(r for r in account(corrupted.snapshot, world.data).roles if r.arn == role_arn)
    # The role is kept; its unreadable trust policy is read as granting nothing, never guessed ...
    assert role.trust_policy.as_dict()["Statement"] == []
    code, message = _errors(corrupted, world)[("iam", "(policy document)", role_arn)]
    assert code == "InvalidPolicyDocument" and message.startswith("trust policy unreadable")
    # ... and an answer about the role says that its account's data is incomplete there.
    answer = who_can(build_graph(corrupted.snapshot), role_arn)
    assert any(f"iam (policy document) on {role_arn} failed (InvalidPolicyDocument)" in w for w in answer.warnings)


def test_a_listing_missing_an_expected_field_records_the_resource(world: World, corrupted: Collection) -> None:
    code, message = _errors(corrupted, world)[("ecr", "(unexpected response)", world.repository_arn)]
    # The repository's reads failed on the missing name: recorded with its ARN, nothing invented for it.
    assert code == "UnexpectedKeyError" and "repositoryName" in message
    assert world.repository_arn not in arns(corrupted, world.data)


def test_a_policy_of_the_wrong_type_is_set_aside(world: World, corrupted: Collection) -> None:
    secret = resource(corrupted.snapshot, world.secret_arn)
    assert secret.policy is None and secret.properties.get("unread") == ["policy"]
    assert _errors(corrupted, world)[("secretsmanager", "(policy document)", world.secret_arn)][0] == \
        "InvalidPolicyDocument"


def test_a_body_that_does_not_parse_loses_that_listing_only(world: World, corrupted: Collection) -> None:
    code, message = _errors(corrupted, world)[("sns", "ListTopics", REGION)]
    # botocore could not parse the answer: the region's topics are unknown, and recorded as such.
    assert code == "ResponseParserError" and "Unable to parse response" in message
    assert world.topic_arn not in arns(corrupted, world.data)


def test_the_partial_snapshot_is_valid_and_everything_else_was_read(world: World, corrupted: Collection) -> None:
    assert validate_snapshot(snapshot_to_dict(corrupted.snapshot)) == []
    assert arns(corrupted, world.data) == expected_resources(world) - {world.repository_arn, world.topic_arn}
    # Exactly the five corruptions are recorded, nothing else was lost.
    assert len(_errors(corrupted, world)) == 5
    answer = who_can(build_graph(corrupted.snapshot), world.queue_arn)
    assert any(f"sqs (policy document) on {world.queue_arn} failed" in w for w in answer.warnings)
