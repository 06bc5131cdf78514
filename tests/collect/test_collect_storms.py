"""The collector when AWS fails hard (issue 10, item 3): throttling storms, timeouts, expiring sessions.

Each collection reads the `data` account of the moto organization (one region) with retries made
fast (`FAST`: 4 attempts, 4 ms base delay, no adaptive rate limit), failures injected in each
service's own wire protocol by `tests.collect.faults`. What the data account holds in that region
is known from `tests.collect.world`, so "everything was read" is checked against the ARNs built there.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

from graph.build import build_graph
from graph.collect import Collection, RetryMode, RetryPolicy, collect
from graph.collect.retries import _Backoff
from graph.errors import CollectError
from graph.query import who_can
from graph.snapshot import snapshot_to_dict
from tests.collect.faults import Expiry, Storm
from tests.collect.test_collect_org import account, org_options, resource
from tests.collect.world import COLLECTOR_ROLE, MANAGEMENT, REGION, World

FAST = RetryPolicy(attempts=4, base_delay=0.004, mode=RetryMode.STANDARD)


def read_data(world: World, *hooks: tuple[str, Any], workers: int = 8) -> Collection:
    """`collect --org` limited to the data account and one region, with fast retries and `hooks`."""
    return collect(org_options(accounts=frozenset({world.data}), regions=(REGION,), retry=FAST, hooks=hooks,
                               workers=workers))


def expected_resources(world: World) -> set[str]:
    """What the data account holds in us-east-1 (the shared bucket is in eu-west-1, not read here)."""
    return {"arn:aws:s3:::data-logs-xp", world.key_arn, world.function_arn, world.topic_arn, world.queue_arn,
            world.secret_arn, world.repository_arn}


_WORLD_SERVICES = {"s3", "kms", "lambda", "sns", "sqs", "secretsmanager", "ecr"}


def arns(collection: Collection, account_id: str) -> set[str]:
    """The account's resources of the services `tests.collect.world` fills (others, EC2 say, are not compared)."""
    return {r.arn for r in account(collection.snapshot, account_id).resources if r.arn.split(":")[2] in _WORLD_SERVICES}


def lost(collection: Collection, account_id: str) -> list[tuple[str, str, str | None, str]]:
    return sorted((e.service, e.operation, e.resource, e.code) for e in account(collection.snapshot, account_id).errors)


# --- a storm shorter than the retries -------------------------------------------------------------

@pytest.fixture(scope="module")
def short_storm(world: World) -> Iterator[tuple[Storm, Collection]]:
    # Every call of every service (STS and Organizations included) is throttled twice, then answered.
    storm = Storm(throttles=2)
    yield storm, read_data(world, ("before-send", storm.before_send))


def test_a_storm_shorter_than_the_retries_loses_nothing(world: World,
                                                        short_storm: tuple[Storm, Collection]) -> None:
    storm, collection = short_storm
    # 2 throttles < 4 attempts: botocore retried each call until it was answered, nothing is recorded.
    assert arns(collection, world.data) == expected_resources(world)
    assert lost(collection, world.data) == []
    assert collection.snapshot.organization is not None and not collection.partial
    # Every call of the run was throttled twice and answered on its third attempt.
    attempts = [len(times) for times in storm.attempts.values()]
    assert len(attempts) > 30 and set(attempts) == {3}


def test_back_off_waits_at_least_half_its_nominal_delay_and_doubles(short_storm: tuple[Storm, Collection]) -> None:
    storm, _ = short_storm
    first = FAST.nominal_delay(1, throttled=True)
    second = FAST.nominal_delay(2, throttled=True)
    assert (first, second) == (0.004, 0.008)
    gaps = [(times[1] - times[0], times[2] - times[1]) for times in storm.attempts.values()]
    # Equal jitter: each retry waits between half and all of its nominal delay (4 ms, then 8 ms) ...
    assert min(gap for gap, _ in gaps) >= first / 2
    assert min(gap for _, gap in gaps) >= second / 2
    # ... and not botocore's own back-off (uniform in 0-1 s, then 0-2 s, for throttling): the base is ours.
    # A median, not a maximum: on a loaded 2-core machine one gap can take a second; with botocore's
    # delays the median of the second gaps would be about 1 s.
    assert statistics.median(gap for pair in gaps for gap in pair) < 0.25


def test_the_back_off_formula_is_exponential_with_equal_jitter() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=20.0)

    class Throttled:
        def is_throttling_error_from_context(self, context: Any) -> bool:
            return context.throttled

    @dataclass
    class Context:
        attempt_number: int
        throttled: bool = True

    lowest = _Backoff(policy, Throttled(), jitter=lambda: 0.0)  # type: ignore[arg-type]
    highest = _Backoff(policy, Throttled(), jitter=lambda: 1.0)  # type: ignore[arg-type]
    # Retry n waits between half and all of base * 2**(n-1), capped at max_delay.
    assert [lowest.delay_amount(Context(n)) for n in (1, 2, 3, 6)] == [0.5, 1.0, 2.0, 10.0]  # type: ignore[arg-type]
    assert [highest.delay_amount(Context(n)) for n in (1, 2, 3, 6)] == [1.0, 2.0, 4.0, 20.0]  # type: ignore[arg-type]
    # A timeout or 5xx (not throttling) backs off 20 times less, as botocore does.
    assert highest.delay_amount(Context(1, throttled=False)) == pytest.approx(0.05)  # type: ignore[arg-type]


def test_the_default_policy_is_adaptive_with_eleven_attempts() -> None:
    from graph.collect import client_config

    # SPEC section 7: throttling retried with back-off; adaptive mode also slows the client down.
    assert client_config(16).retries == {"mode": "adaptive", "total_max_attempts": 11}
    assert (RetryPolicy().attempts, RetryPolicy().base_delay, RetryPolicy().mode) == (11, 1.0, RetryMode.ADAPTIVE)


# --- a storm longer than the retries, and timeouts ------------------------------------------------

@dataclass
class Timeouts:
    """Every attempt of two reads fails on the network: a read timeout and a connect timeout."""

    attempts: dict[str, int]

    def read(self, request: Any, **_: Any) -> None:
        self.attempts["GetTopicAttributes"] = self.attempts.get("GetTopicAttributes", 0) + 1
        raise ReadTimeoutError(endpoint_url=request.url)

    def connect(self, request: Any, **_: Any) -> None:
        self.attempts["GetQueueAttributes"] = self.attempts.get("GetQueueAttributes", 0) + 1
        raise ConnectTimeoutError(endpoint_url=request.url)


@pytest.fixture(scope="module")
def hits(world: World) -> Iterator[tuple[Storm, Timeouts, Collection]]:
    # KMS key policies are throttled on every attempt; topic and queue attributes time out every time.
    storm = Storm(throttles=99, operations=frozenset({"GetKeyPolicy"}))
    timeouts = Timeouts({})
    yield storm, timeouts, read_data(world, ("before-send", storm.before_send),
                                     ("before-send.sns.GetTopicAttributes", timeouts.read),
                                     ("before-send.sqs.GetQueueAttributes", timeouts.connect))


def test_a_storm_longer_than_the_retries_records_the_read_as_lost(
        world: World, hits: tuple[Storm, Timeouts, Collection]) -> None:
    storm, _, collection = hits
    # The key policy was asked FAST.attempts times, then given up with the throttling code ...
    assert [len(times) for times in storm.calls("kms.GetKeyPolicy")] == [FAST.attempts]
    assert ("kms", "GetKeyPolicy", world.key_arn, "ThrottlingException") in lost(collection, world.data)
    # ... the key is still listed, its policy marked unread (not "no policy") ...
    key = resource(collection.snapshot, world.key_arn)
    assert key.policy is None and "GetKeyPolicy" in key.properties.get("unread")
    # ... and everything else of the account was read.
    assert arns(collection, world.data) == expected_resources(world)
    assert resource(collection.snapshot, world.secret_arn).policy is not None


def test_timeouts_are_retried_then_recorded_with_operation_and_resource(
        world: World, hits: tuple[Storm, Timeouts, Collection]) -> None:
    _, timeouts, collection = hits
    # Timeouts are transient errors: botocore retried each read up to the attempt limit.
    assert timeouts.attempts == {"GetTopicAttributes": FAST.attempts, "GetQueueAttributes": FAST.attempts}
    errors = lost(collection, world.data)
    assert ("sns", "GetTopicAttributes", world.topic_arn, "ReadTimeoutError") in errors
    queue_url = resource(collection.snapshot, world.queue_arn).properties.get("QueueUrl")
    assert ("sqs", "GetQueueAttributes", queue_url, "ConnectTimeoutError") in errors
    assert resource(collection.snapshot, world.topic_arn).properties.get("unread") == ["GetTopicAttributes"]


def test_the_summary_counts_what_was_lost_per_account_and_service(
        world: World, hits: tuple[Storm, Timeouts, Collection]) -> None:
    _, _, collection = hits
    assert [(loss.account_id, loss.service, loss.errors, loss.codes) for loss in collection.summary.lost] == [
        (world.data, "kms", 1, ("ThrottlingException",)), (world.data, "sns", 1, ("ReadTimeoutError",)),
        (world.data, "sqs", 1, ("ConnectTimeoutError",))]
    # who-can on the key says its policy was not read, rather than answering "nobody".
    answer = who_can(build_graph(collection.snapshot), world.key_arn)
    assert any(f"kms GetKeyPolicy on {world.key_arn} failed (ThrottlingException)" in w for w in answer.warnings)


# --- sessions that expire mid-run -----------------------------------------------------------------

@pytest.fixture(scope="module")
def renewed(world: World) -> Iterator[tuple[Expiry, Collection]]:
    expiry = Expiry(world.data, after=6)
    yield expiry, read_data(world, *expiry.hooks())


def test_an_expired_session_is_renewed_and_the_run_goes_on(world: World, renewed: tuple[Expiry, Collection]) -> None:
    expiry, collection = renewed
    # After 6 calls AWS rejected the session; the collector assumed the role once more (2 in all,
    # however many reads were in flight) and read them again with the new session: nothing lost.
    assert expiry.rejected >= 1
    assert expiry.assumed[world.data] == 2
    assert arns(collection, world.data) == expected_resources(world)
    assert lost(collection, world.data) == []


@pytest.fixture(scope="module")
def unrenewable(world: World) -> Iterator[tuple[Expiry, Collection]]:
    # One worker: the work runs in the order it is queued (IAM, then S3, then the regional listings
    # KMS, Lambda, SNS, SQS, ...), so the session expires at the first SQS call after IAM was read.
    expiry = Expiry(world.data, after=0, counted=frozenset({"sqs"}), deny_renewal=True)
    yield expiry, read_data(world, *expiry.hooks(), workers=1)


def test_a_session_that_cannot_be_renewed_loses_the_rest_of_its_account(
        world: World, unrenewable: tuple[Expiry, Collection]) -> None:
    expiry, collection = unrenewable
    data = account(collection.snapshot, world.data)
    role = f"arn:aws:iam::{world.data}:role/{COLLECTOR_ROLE}"
    # One clear record of why ...
    why = [e for e in data.errors if (e.service, e.operation, e.resource) == ("sts", "AssumeRole", role)]
    assert [(e.code, e.message.split(":")[0]) for e in why] == [
        ("AccessDenied", "the session expired mid-run and assuming the role again failed")]
    # ... the read that met the expiry, and every later read, each recorded with what it was (never
    # silently absent): SQS (JSON protocol) said ExpiredTokenException; the rest were not even called.
    rest = [(e.service, e.operation, e.code, e.message.startswith("not read: ")) for e in data.errors if e not in why]
    assert ("sqs", "ListQueues", "ExpiredTokenException", False) in rest
    assert ("secretsmanager", "ListSecrets", "AccessDenied", True) in rest
    assert expiry.assumed[world.data] == 1
    # What was read before the expiry is kept (IAM, S3, KMS, Lambda, SNS), the rest is missing.
    assert {r.name for r in data.roles} >= {"DataReader", "FunctionRole"}
    assert world.key_arn in arns(collection, world.data)
    assert world.secret_arn not in arns(collection, world.data)
    assert collection.partial


def test_no_credentials_are_ever_written(renewed: tuple[Expiry, Collection],
                                         unrenewable: tuple[Expiry, Collection]) -> None:
    for expiry, collection in (renewed, unrenewable):
        text = json.dumps(snapshot_to_dict(collection.snapshot))
        issued = expiry.secrets | set(expiry.keys)
        assert len(issued) >= 3  # the injector saw the credentials it checks for
        assert not [secret for secret in issued if secret in text]


@pytest.mark.usefixtures("world", "aws_keys")
def test_a_profiles_expired_credentials_lose_the_rest_of_the_account() -> None:
    # The default credentials (fake static keys of the management account) cannot be renewed by us.
    # One worker (work in queued order): the credentials expire at the first SQS call, after IAM was read.
    expiry = Expiry(MANAGEMENT, after=0, counted=frozenset({"sqs"}), keys={"AKIAFAKEFAKEFAKEFAKE": MANAGEMENT})
    collection = collect(org_options(organization=None, regions=(REGION,), retry=FAST, hooks=expiry.hooks(),
                                     workers=1))
    errors = account(collection.snapshot, MANAGEMENT).errors
    why = [e for e in errors if e.operation == "(credentials)"]
    assert len(why) == 1 and why[0].code in {"ExpiredToken", "ExpiredTokenException"}
    assert "cannot renew them" in why[0].message
    assert [e for e in errors if e.message.startswith("not read: ")]
    assert collection.partial


@pytest.mark.usefixtures("world", "aws_keys")
def test_a_throttled_organization_listing_is_not_blamed_on_the_account() -> None:
    storm = Storm(throttles=99, operations=frozenset({"ListAccounts"}))
    with pytest.raises(CollectError) as raised:
        collect(org_options(regions=(REGION,), retry=FAST, hooks=(("before-send", storm.before_send),)))
    # Retried up to the limit, then a message that names the throttling, not a wrong account type.
    assert [len(times) for times in storm.calls("organizations.ListAccounts")] == [FAST.attempts]
    assert "(ThrottlingException: Rate exceeded)" in str(raised.value)
    assert "delegated administrator" not in str(raised.value)
