"""The collector's parts on their own: reading a call's outcome, trimming IAM data, progress, bad policies."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from graph.collect import Phase, ProgressEvent, collect
from graph.collect.calls import ErrorLog, Outcome, Reader, jsonable
from graph.collect.iam import keep_used_aws_policies
from graph.model import ResourceType
from tests.collect.test_collect_org import account, org_options, resource
from tests.collect.world import World


def _s3_reader() -> tuple[Reader, Stubber, ErrorLog]:
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    errors = ErrorLog()
    return Reader(client, "s3", errors), Stubber(client), errors


def test_no_policy_is_an_answer_not_an_error() -> None:
    reader, stub, errors = _s3_reader()
    stub.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", http_status_code=404)
    with stub:
        reply = reader.call("GetBucketPolicy", "b", absent=("NoSuchBucketPolicy",), Bucket="b")
    assert reply.outcome is Outcome.ABSENT and len(errors) == 0


def test_a_deleted_resource_is_gone_quietly() -> None:
    reader, stub, errors = _s3_reader()
    stub.add_client_error("get_bucket_acl", "NoSuchBucket", http_status_code=404)
    with stub:
        reply = reader.call("GetBucketAcl", "b", gone=("NoSuchBucket",), Bucket="b")
    assert reply.outcome is Outcome.GONE and len(errors) == 0


def test_access_denied_is_recorded_with_the_resource() -> None:
    reader, stub, errors = _s3_reader()
    stub.add_client_error("get_bucket_policy", "AccessDenied", "no", http_status_code=403)
    with stub:
        reply = reader.call("GetBucketPolicy", "arn:aws:s3:::b", absent=("NoSuchBucketPolicy",), Bucket="b")
    assert reply.outcome is Outcome.FAILED
    assert [e.to_json() for e in errors.snapshot()] == [{"service": "s3", "operation": "GetBucketPolicy",
                                                         "resource": "arn:aws:s3:::b", "code": "AccessDenied",
                                                         "message": "no"}]


def test_pages_are_merged_into_one_response() -> None:
    client = boto3.client("sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    stub.add_response("list_queues", {"QueueUrls": ["https://q/1"], "NextToken": "t"})
    stub.add_response("list_queues", {"QueueUrls": ["https://q/2"]}, {"NextToken": "t"})
    with stub:
        reply = Reader(client, "sqs", ErrorLog()).pages("ListQueues", "us-east-1")
    assert reply.data["QueueUrls"] == ["https://q/1", "https://q/2"]


def test_responses_become_json() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert jsonable({"CreateDate": when, "ResponseMetadata": {"RequestId": "r"}, "List": [{"At": when}]}) == {
        "CreateDate": "2026-01-02T03:04:05+00:00", "List": [{"At": "2026-01-02T03:04:05+00:00"}]}


def _policy(arn: str) -> dict[str, Any]:
    return {"Arn": arn, "PolicyName": arn.rsplit("/", 1)[-1], "DefaultVersionId": "v1",
            "PolicyVersionList": [{"Document": {}, "VersionId": "v1", "IsDefaultVersion": True}]}


def test_only_the_aws_managed_policies_in_use_are_kept() -> None:
    used, boundary, unused = ("arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/PowerUserAccess",
                              "arn:aws:iam::aws:policy/AdministratorAccess")
    mine = "arn:aws:iam::111111111111:policy/NotAttached"
    details = {
        "RoleDetailList": [{"RoleName": "r", "AttachedManagedPolicies": [{"PolicyArn": used}],
                            "PermissionsBoundary": {"PermissionsBoundaryArn": boundary}}],
        "Policies": [_policy(used), _policy(boundary), _policy(unused), {**_policy(mine), "PolicyName": None}],
    }
    kept = keep_used_aws_policies(details)
    # Attached or used as a boundary: kept. Customer managed: always kept (and named from its ARN
    # when the name is missing). AWS managed and unused: dropped.
    assert [p["Arn"] for p in kept["Policies"]] == [used, boundary, mine]
    assert kept["Policies"][-1]["PolicyName"] == "NotAttached"
    assert kept["UserDetailList"] == [] and kept["GroupDetailList"] == []


def _bare_principal(parsed: dict[str, Any], **_: Any) -> None:
    """A function policy whose Principal is a bare account id (some emulators write that)."""
    parsed["Policy"] = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "111111111111", "Action": "lambda:InvokeFunction", "Resource": "*"}]})


@pytest.fixture(scope="module")
def data_only(world: World) -> tuple[list[ProgressEvent], Any]:
    events: list[ProgressEvent] = []
    collection = collect(org_options(accounts=frozenset({world.data}), regions=("us-east-1",),
                                     hooks=(("after-call.lambda.GetPolicy", _bare_principal),)), events.append)
    return events, collection


def test_a_policy_the_reader_rejects_is_set_aside_and_recorded(world: World, data_only: tuple[Any, Any]) -> None:
    _, collection = data_only
    function = resource(collection.snapshot, world.function_arn)
    assert function.policy is None and function.properties.get("unread") == ["policy"]
    (error,) = account(collection.snapshot, world.data).errors
    assert (error.service, error.resource, error.code) == ("lambda", world.function_arn, "InvalidPolicyDocument")
    assert "Principal" in error.message
    # The rest of the account is kept.
    assert resource(collection.snapshot, world.queue_arn).policy is not None


def test_progress_reports_every_piece_of_work_and_every_resource(world: World,
                                                                 data_only: tuple[Any, Any]) -> None:
    events, collection = data_only
    phases = Counter(event.phase for event in events)
    # Each piece of work is queued once and finishes once.
    assert phases[Phase.QUEUED] == phases[Phase.DONE] > 0
    found: Counter[str] = Counter()
    for event in events:
        found[event.service.value] += event.resources
    kinds = Counter(r.type for r in account(collection.snapshot, world.data).resources)
    assert found["kms"] == kinds[ResourceType.KMS_KEY] and found["sqs"] == kinds[ResourceType.SQS_QUEUE] == 1
    # --accounts read only data, in us-east-1 (the eu-west-1 bucket is left out).
    assert [a.id for a in collection.snapshot.accounts] == [world.data]
    assert world.bucket_arn not in {r.arn for r in collection.snapshot.accounts[0].resources}


def test_a_session_rejected_by_several_reads_at_once_is_renewed_once() -> None:
    from graph.collect.renewal import Renewal

    renewals: list[int] = []
    renewal = Renewal("arn:aws:iam::111111111111:role/XPathCollector", lambda: renewals.append(1))
    seen = renewal.generation
    # The first read told ExpiredToken renews; a second one that was in flight with the same old
    # session just reads again with the new one.
    assert renewal.renew(seen, "ExpiredToken") is True
    assert renewal.renew(seen, "ExpiredTokenException") is True
    assert (len(renewals), renewal.generation, renewal.lost) == (1, 1, None)
    # A later expiry (of the new session) renews again.
    assert renewal.renew(renewal.generation, "ExpiredToken") is True and len(renewals) == 2


def test_a_session_that_cannot_be_renewed_is_lost_with_the_reason() -> None:
    from botocore.exceptions import ClientError

    from graph.collect.renewal import Renewal

    def denied() -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "trust changed"}}, "AssumeRole")

    renewal = Renewal("arn:aws:iam::111111111111:role/XPathCollector", denied)
    assert renewal.renew(0, "ExpiredToken") is False
    lost = renewal.lost
    assert lost is not None and (lost.operation, lost.code) == ("AssumeRole", "AccessDenied")
    assert lost.message == "the session expired mid-run and assuming the role again failed: trust changed"
    # Later reads are not retried (the loss is final for this run).
    assert renewal.renew(0, "ExpiredToken") is False
    # A profile's credentials cannot be renewed by the collector at all.
    profile = Renewal("profile dev", None)
    assert profile.renew(0, "ExpiredToken") is False
    assert profile.lost is not None and profile.lost.operation == "(credentials)"


def test_a_read_after_the_credentials_were_lost_is_recorded_without_calling_aws() -> None:
    from graph.collect.renewal import Renewal

    renewal = Renewal("profile dev", None)
    renewal.renew(0, "ExpiredToken")
    reader, stub, errors = _s3_reader()
    reader = Reader(reader.client, "s3", errors, renewal)
    with stub:  # no response queued: a call would fail the stubber
        reply = reader.call("GetBucketPolicy", "arn:aws:s3:::b", Bucket="b")
    assert reply.outcome is Outcome.FAILED
    [error] = errors.snapshot()
    assert (error.operation, error.resource, error.code) == ("GetBucketPolicy", "arn:aws:s3:::b", "ExpiredToken")
    assert error.message.startswith("not read: the credentials expired mid-run")
