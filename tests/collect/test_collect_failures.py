"""Partial failure and the read-only rule, with failures injected through botocore event hooks.

One collection of the moto organization runs with every kind of failure issue 5 lists at once
(harder failures, issue 10, are in `test_collect_storms.py` and `test_collect_malformed.py`, built
on the same hooks through `tests.collect.faults`):
AccessDenied on one service, a read timeout, a resource deleted between list and get, throttling
that the adaptive retries outlast, and one account whose collector role cannot be assumed. A
second, clean collection records every operation called to prove the read-only rule.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, ReadTimeoutError

from graph.build import build_graph
from graph.collect import Collection, CollectOptions, collect
from graph.model import ResourceType
from graph.query import who_can
from tests.collect import faults
from tests.collect.test_collect_org import account, org_options, resource
from tests.collect.world import COLLECTOR_ROLE, MANAGEMENT, World

THROTTLES = 2


def _denied(operation: str, code: str = "AccessDeniedException") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"injected: not authorized to perform {operation}"}},
                       operation)


@dataclass
class Injector:
    """botocore handlers that make chosen calls fail, and count what they did."""

    broken_account: str
    throttled: int = 0
    kms_policy_attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deny_secrets(self, **_: Any) -> None:
        raise _denied("secretsmanager:ListSecrets")

    def time_out_topics(self, **_: Any) -> None:
        raise ReadTimeoutError(endpoint_url="https://sns.us-east-1.amazonaws.com/")

    def delete_logs_bucket(self, params: dict[str, Any], **_: Any) -> None:
        if params.get("Bucket") == "data-logs-xp":
            raise _denied("s3:GetBucketPolicy", "NoSuchBucket")

    def deny_broken_role(self, params: dict[str, Any], **_: Any) -> None:
        if f":{self.broken_account}:" in params.get("RoleArn", ""):
            raise _denied("sts:AssumeRole", "AccessDenied")

    def throttle_key_policy(self, request: Any, **_: Any) -> AWSResponse | None:
        with self.lock:
            self.kms_policy_attempts += 1
            if self.throttled >= THROTTLES:
                return None  # let moto answer
            self.throttled += 1
        return faults.throttled(request, "kms")

    def hooks(self) -> tuple[tuple[str, Any], ...]:
        return (
            ("provide-client-params.secrets-manager.ListSecrets", self.deny_secrets),
            ("provide-client-params.sns.GetTopicAttributes", self.time_out_topics),
            ("provide-client-params.s3.GetBucketPolicy", self.delete_logs_bucket),
            ("provide-client-params.sts.AssumeRole", self.deny_broken_role),
            ("before-send.kms.GetKeyPolicy", self.throttle_key_policy),
        )


@pytest.fixture(scope="module")
def injected(world: World) -> Iterator[tuple[Injector, Collection]]:
    injector = Injector(world.broken)
    yield injector, collect(org_options(hooks=injector.hooks()))


def test_an_account_whose_role_cannot_be_assumed_is_recorded_and_the_run_goes_on(
        world: World, injected: tuple[Injector, Collection]) -> None:
    _, collection = injected
    broken = account(collection.snapshot, world.broken)
    # Only id, name and the reason: nothing of it was read.
    assert (broken.users, broken.roles, broken.resources) == ((), (), ())
    assert [(e.service, e.operation, e.resource, e.code) for e in broken.errors] == [
        ("sts", "AssumeRole", f"arn:aws:iam::{world.broken}:role/{COLLECTOR_ROLE}", "AccessDenied")]
    assert collection.summary.unreached_accounts == 1
    # The other accounts were read in full.
    assert {r.name for r in account(collection.snapshot, world.dev).roles} >= {"AppRole"}
    assert collection.partial


def test_access_denied_on_one_service_is_recorded_per_account_and_region(
        world: World, injected: tuple[Injector, Collection]) -> None:
    _, collection = injected
    data = account(collection.snapshot, world.data)
    denied = sorted((e.operation, e.resource, e.code) for e in data.errors if e.service == "secretsmanager")
    # ListSecrets is regional: one record per region read (the resource is the region).
    assert denied == [("ListSecrets", "eu-west-1", "AccessDeniedException"),
                      ("ListSecrets", "us-east-1", "AccessDeniedException")]
    assert not [r for r in data.resources if r.type == ResourceType.SECRET]
    # Every other service of the account was still read.
    assert {r.type for r in data.resources} >= {ResourceType.KMS_KEY, ResourceType.LAMBDA_FUNCTION,
                                                 ResourceType.SQS_QUEUE, ResourceType.ECR_REPOSITORY}


def test_a_timeout_keeps_the_resource_and_marks_what_was_not_read(
        world: World, injected: tuple[Injector, Collection]) -> None:
    _, collection = injected
    topic = resource(collection.snapshot, world.topic_arn)
    # The topic is known from ListTopics; its policy could not be read, which is not "no policy".
    assert topic.policy is None
    assert topic.properties.get("unread") == ["GetTopicAttributes"]
    errors = [e for e in account(collection.snapshot, world.data).errors if e.service == "sns"]
    assert [(e.operation, e.resource, e.code) for e in errors] == [
        ("GetTopicAttributes", world.topic_arn, "ReadTimeoutError")]


def test_a_resource_deleted_between_list_and_get_is_left_out_quietly(
        world: World, injected: tuple[Injector, Collection]) -> None:
    _, collection = injected
    data = account(collection.snapshot, world.data)
    assert "arn:aws:s3:::data-logs-xp" not in {r.arn for r in data.resources}
    assert not [e for e in data.errors if e.service == "s3"]
    assert resource(collection.snapshot, world.bucket_arn).policy is not None


def test_throttling_is_retried_until_it_succeeds(world: World, injected: tuple[Injector, Collection]) -> None:
    injector, collection = injected
    # Two ThrottlingException answers, then moto's: botocore's adaptive retries made the same call
    # again, and the key policy arrived with nothing recorded.
    assert injector.throttled == THROTTLES
    assert injector.kms_policy_attempts == THROTTLES + 1
    assert resource(collection.snapshot, world.key_arn).policy is not None
    assert not [e for a in collection.snapshot.accounts for e in a.errors if e.service == "kms"]


def test_answers_on_the_partial_snapshot_say_what_is_missing(
        world: World, injected: tuple[Injector, Collection]) -> None:
    _, collection = injected
    answer = who_can(build_graph(collection.snapshot), world.topic_arn)
    warnings = " | ".join(answer.warnings)
    assert f"account {world.data}: sns GetTopicAttributes on {world.topic_arn} failed (ReadTimeoutError)" in warnings


@dataclass
class Recorder:
    calls: list[tuple[str, str]] = field(default_factory=list)

    def record(self, model: Any, **_: Any) -> None:
        self.calls.append((model.service_model.service_name, model.name))


_READ_ONLY = re.compile(r"^(Get|List|Describe)[A-Z]")
_ALSO_ALLOWED = {("sts", "AssumeRole"), ("sts", "GetCallerIdentity")}


@pytest.fixture(scope="module")
def recorded(world: World) -> tuple[Recorder, Collection]:
    recorder = Recorder()
    return recorder, collect(org_options(hooks=(("before-call", recorder.record),)))


def test_only_read_operations_are_called(recorded: tuple[Recorder, Collection]) -> None:
    recorder, _ = recorded
    called = set(recorder.calls)
    # SPEC section 8: only Get*, List*, Describe*, sts:AssumeRole and sts:GetCallerIdentity.
    assert {call for call in called if not (_READ_ONLY.match(call[1]) or call in _ALSO_ALLOWED)} == set()
    # ...and never the Get* calls that read contents: secret values, objects.
    assert not called & {("secretsmanager", "GetSecretValue"), ("s3", "GetObject"), ("s3", "HeadBucket")}
    # The recorder saw the collection (so the assertions above are about real calls).
    assert {("iam", "GetAccountAuthorizationDetails"), ("sts", "AssumeRole"), ("s3", "GetBucketAcl"),
            ("kms", "ListGrants"), ("lambda", "GetFunctionUrlConfig"), ("organizations", "ListTargetsForPolicy"),
            ("secretsmanager", "GetResourcePolicy"), ("ecr", "GetRepositoryPolicy")} <= called


def test_each_fact_is_read_once_per_resource(world: World, recorded: tuple[Recorder, Collection]) -> None:
    recorder, collection = recorded
    counts = Counter(recorder.calls)
    resources = Counter(r.type for a in collection.snapshot.accounts for r in a.resources)
    # SPEC section 7: one call per resource per fact.
    assert counts[("s3", "GetBucketPolicy")] == resources[ResourceType.S3_BUCKET] == 2
    assert counts[("kms", "GetKeyPolicy")] == resources[ResourceType.KMS_KEY] == 1
    assert counts[("lambda", "GetPolicy")] == resources[ResourceType.LAMBDA_FUNCTION] == 1
    assert counts[("secretsmanager", "GetResourcePolicy")] == resources[ResourceType.SECRET] == 1
    # Three member accounts assumed once each (the management account is the caller's own).
    assert counts[("sts", "AssumeRole")] == 3
    # IAM is global: one GetAccountAuthorizationDetails page per account, not per region.
    assert counts[("iam", "GetAccountAuthorizationDetails")] == 4


# API operations whose IAM action has another name (Service Authorization Reference).
_IAM_ACTION = {("s3", "ListBuckets"): "s3:ListAllMyBuckets",
               ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
               ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
               ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock"}


def test_the_documented_collector_policy_allows_exactly_what_is_called(recorded: tuple[Recorder, Collection]) -> None:
    recorder, _ = recorded
    text = (Path(__file__).resolve().parents[2] / "docs" / "collect.md").read_text()
    policy = json.loads(re.search(r"Permissions policy.*?```json\n(.*?)```", text, re.S)[1])  # type: ignore[index]
    documented = set(policy["Statement"][0]["Action"])
    called = {_IAM_ACTION.get(call, f"{call[0]}:{call[1]}") for call in set(recorder.calls)} - {"sts:AssumeRole"}
    # sts:AssumeRole belongs to the caller's policy (documented separately), not the collector role's.
    # With --regions given and names from the organization, only the region list and the alias are not needed.
    assert documented - called == {"ec2:DescribeRegions", "iam:ListAccountAliases"}
    assert called <= documented


def _three_enabled_regions(parsed: dict[str, Any], **_: Any) -> None:
    """An account with us-east-1, eu-west-1 and eu-central-1 enabled, and ap-east-1 (opt-in) not."""
    parsed["Regions"] = [{"RegionName": name, "OptInStatus": status} for name, status in (
        ("us-east-1", "opt-in-not-required"), ("eu-west-1", "opt-in-not-required"),
        ("eu-central-1", "opt-in-not-required"), ("ap-east-1", "not-opted-in"))]


def test_without_regions_every_enabled_region_is_read(world: World, aws_keys: None) -> None:
    recorder = RegionRecorder()
    collection = collect(CollectOptions(hooks=(("before-call", recorder.record),
                                               ("after-call.ec2.DescribeRegions", _three_enabled_regions))))
    # One account (the default credentials' own); its enabled regions come from ec2:DescribeRegions,
    # and each regional service is listed once in each of them, never in a region not opted in.
    assert [a.id for a in collection.snapshot.accounts] == [MANAGEMENT]
    assert recorder.regions("ec2", "DescribeRegions") == ["us-east-1"]
    assert recorder.regions("sqs", "ListQueues") == ["eu-central-1", "eu-west-1", "us-east-1"]
    assert recorder.regions("kms", "ListKeys") == ["eu-central-1", "eu-west-1", "us-east-1"]
    # Outside --org the account is named by its alias, when it has one.
    assert len(recorder.regions("iam", "ListAccountAliases")) == 1


@dataclass
class RegionRecorder:
    calls: list[tuple[str, str, str]] = field(default_factory=list)

    def record(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        self.calls.append((model.service_model.service_name, model.name, context["client_region"]))

    def regions(self, service: str, operation: str) -> list[str]:
        return sorted(region for s, o, region in self.calls if (s, o) == (service, operation))
