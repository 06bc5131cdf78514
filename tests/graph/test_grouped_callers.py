"""Callers grouped by profile give who-can the answers of callers evaluated one by one (issue 8, SPEC §7).

`SharedOutcomes.edges_of` works out once, per profile (kind, boundary, SCP levels, the identity
policies that can bear on the resource's type), what every caller of that profile shares, and
`LazyEdges` hands callers with the same outcome the same attribute dicts. What a policy can read
of one caller and not of another (its account, its name, its tags, its user id, its ARN) must
still tell them apart. The reference is the same graph with `SharedOutcomes._signature` replaced
so that every (caller, resource) pair is evaluated on its own; answers must be equal to the byte.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from graph.build import AccessGraph, build_graph
from graph.edges import shared
from graph.model import Snapshot
from graph.query import who_can
from graph.snapshot import parse_snapshot
from graph.synthetic import generate_organization
from tests.graph.scenarios import (
    A,
    B,
    C,
    account,
    bucket,
    grant,
    managed,
    organization,
    role,
    role_arn,
    snapshot,
    user,
    user_arn,
)

BUCKET = "arn:aws:s3:::shared-data"
READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
_TYPICAL = {"AWS::S3::Bucket": "s3:GetObject", "AWS::ECR::Repository": "ecr:BatchGetImage",
            "AWS::KMS::Key": "kms:Decrypt", "AWS::SQS::Queue": "sqs:SendMessage", "AWS::SNS::Topic": "sns:Publish",
            "AWS::Lambda::Function": "lambda:InvokeFunction", "AWS::SecretsManager::Secret": "secretsmanager:GetSecretValue"}


def _alone(world: Snapshot, monkeypatch: pytest.MonkeyPatch) -> AccessGraph:
    """The graph with every pair evaluated on its own: no outcome is shared between callers or resources."""
    monkeypatch.setattr(shared.SharedOutcomes, "_signature", lambda *args, **kwargs: None)
    return build_graph(world)


def _answer(ag: AccessGraph, arn: str, action: str | None = None) -> str:
    return json.dumps(who_can(ag, arn, action=action).to_json(), sort_keys=True)


def _readers(ag: AccessGraph, arn: str = BUCKET) -> list[str]:
    return [entry.principal for entry in who_can(ag, arn, action="s3:GetObject").principals
            if entry.kind in ("user", "role")]


@pytest.fixture(scope="module")
def organization_of_8() -> Snapshot:
    # 8 accounts: every account holds the same SSO, deploy and audit roles with the same managed
    # policies, so profiles repeat across accounts (what grouping exploits), while buckets with org
    # conditions and "*" grants read per-account values.
    return parse_snapshot(generate_organization(8, seed=11))


def test_every_who_can_of_a_generated_organization_equals_one_by_one_evaluation(
        organization_of_8: Snapshot, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every resource, without and with a typical action (a "*" grant's other accounts are then
    # evaluated for that action only): principals, statuses, conditions, paths, proving
    # statements, warnings and notes all identical to the unshared evaluation.
    grouped = build_graph(organization_of_8)
    arns = sorted(grouped.resources)
    questions = [(arn, None) for arn in arns] + [
        (arn, _TYPICAL[grouped.resources[arn].type]) for arn in arns if grouped.resources[arn].type in _TYPICAL]
    got = {question: _answer(grouped, *question) for question in questions}
    assert grouped.lazy is not None and grouped.lazy.outcomes.hits > 5 * grouped.lazy.outcomes.misses  # grouping shared
    alone = _alone(organization_of_8, monkeypatch)
    differing = [question for question in questions if _answer(alone, *question) != got[question]]
    assert not differing
    assert sum(len(json.loads(answer)["principals"]) for answer in got.values()) > 3_000  # compared something


def _two_accounts(*statements: dict[str, Any], tags_b: tuple[tuple[str, str], ...] = (),
                  tags_c: tuple[tuple[str, str], ...] = ()) -> Snapshot:
    # The same managed policy text in B and C (each account's own copy), attached to a role of the same
    # name: one profile, two accounts.
    roles = {acct: role(acct, "reader", None, managed=(f"arn:aws:iam::{acct}:policy/read",),
                        tags=tags_b if acct == B else tags_c) for acct in (B, C)}
    return snapshot(account(A, resources=(bucket(A, "shared-data", *statements),)),
                    *(account(acct, roles=(roles[acct],), policies=(managed(acct, "read", READ),)) for acct in (B, C)),
                    org=organization())


def test_same_profile_in_two_accounts_when_the_policy_names_one_account(monkeypatch: pytest.MonkeyPatch) -> None:
    # Cross-account access needs the bucket policy to name the caller's account (IAM User Guide,
    # "Cross account resource access in IAM"): B is named for GetObject, C is not, though their roles
    # hold the same policy; a "*" ListBucket statement makes both callers of the bucket, evaluated together.
    world = _two_accounts(grant({"AWS": f"arn:aws:iam::{B}:root"}, "s3:GetObject", f"{BUCKET}/*"),
                          grant("*", "s3:ListBucket", BUCKET))
    assert _readers(build_graph(world)) == [role_arn(B, "reader")]
    assert _answer(build_graph(world), BUCKET) == _answer(_alone(world, monkeypatch), BUCKET)


def test_same_profile_told_apart_by_principal_account_condition(monkeypatch: pytest.MonkeyPatch) -> None:
    # "*" with aws:PrincipalAccount = C (IAM User Guide, global condition context keys): one profile,
    # the account read from each caller's own request context.
    world = _two_accounts(grant("*", "s3:GetObject", f"{BUCKET}/*",
                                Condition={"StringEquals": {"aws:PrincipalAccount": C}}))
    assert _readers(build_graph(world)) == [role_arn(C, "reader")]
    assert _answer(build_graph(world), BUCKET) == _answer(_alone(world, monkeypatch), BUCKET)


def test_same_profile_told_apart_by_principal_arn_condition(monkeypatch: pytest.MonkeyPatch) -> None:
    # aws:PrincipalArn is the caller's role ARN (IAM User Guide, aws:PrincipalArn): only B's reader matches.
    world = _two_accounts(grant("*", "s3:GetObject", f"{BUCKET}/*",
                                Condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{B}:role/read*"}}))
    assert _readers(build_graph(world)) == [role_arn(B, "reader")]
    assert _answer(build_graph(world), BUCKET) == _answer(_alone(world, monkeypatch), BUCKET)


def test_same_profile_told_apart_by_principal_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    # aws:PrincipalTag/team is the caller's own tag (IAM User Guide, "Controlling access for IAM
    # principals"): only the role tagged team=data reads; the untagged one has no key (StringEquals fails).
    world = _two_accounts(grant("*", "s3:GetObject", f"{BUCKET}/*",
                                Condition={"StringEquals": {"aws:PrincipalTag/team": "data"}}),
                          tags_b=(("team", "web"),), tags_c=(("team", "data"),))
    assert _readers(build_graph(world)) == [role_arn(C, "reader")]
    assert _answer(build_graph(world), BUCKET) == _answer(_alone(world, monkeypatch), BUCKET)


def test_same_policies_told_apart_by_user_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two users of B with the same inline policy text: aws:username names one of them (IAM User Guide,
    # aws:username is the user's friendly name), so alice alone reads across accounts. In the bucket's
    # own account the identity policy alone grants (SEMANTICS 2.1), so both users of A read whatever the condition.
    statements = (grant("*", "s3:GetObject", f"{BUCKET}/*", Condition={"StringEquals": {"aws:username": "alice"}}),)
    users_b = tuple(user(B, name, READ) for name in ("alice", "bob"))
    users_a = tuple(user(A, name, READ) for name in ("carol", "dave"))
    world = snapshot(account(A, users=users_a, resources=(bucket(A, "shared-data", *statements),)),
                     account(B, users=users_b), org=organization())
    assert _readers(build_graph(world)) == [user_arn(A, "carol"), user_arn(A, "dave"), user_arn(B, "alice")]
    assert _answer(build_graph(world), BUCKET) == _answer(_alone(world, monkeypatch), BUCKET)


def test_groups_repeat_but_each_caller_keeps_its_own_proving_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ten accounts whose readers share one outcome through a "*" grant: each who-can entry names the
    # caller's own managed policy (its account's copy) as the identity statement that grants it.
    members = tuple(f"5{i:011d}" for i in range(10))
    world = snapshot(
        account(A, resources=(bucket(A, "shared-data", grant("*", "s3:GetObject", f"{BUCKET}/*")),)),
        *(account(acct, roles=(role(acct, "reader", None, managed=(f"arn:aws:iam::{acct}:policy/read",)),),
                  policies=(managed(acct, "read", READ),)) for acct in members),
        org=organization(members=(A, *members)))
    ag = build_graph(world)
    entries = [e for e in who_can(ag, BUCKET, action="s3:GetObject").principals if e.kind == "role"]
    assert [e.principal for e in entries] == [role_arn(acct, "reader") for acct in members]
    for entry, acct in zip(entries, members):
        policies = {grant.policy for hop in entry.path.hops for grant in hop.granted_by}
        assert f"arn:aws:iam::{acct}:policy/read" in policies  # its own copy, not the first caller's
    assert _answer(ag, BUCKET, "s3:GetObject") == _answer(_alone(world, monkeypatch), BUCKET, "s3:GetObject")
