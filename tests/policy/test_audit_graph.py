"""Audit of whole-snapshot answers (who-can, paths) against AWS's documented rules.

Each row is a small hand-built snapshot whose right answer comes hop by hop from the AWS docs:

- Cross-account evaluation (both sides must allow; a resource policy naming an account delegates):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
- Role trust, same account naming the role/user ARN needs no identity Allow, naming the account does:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
- Principal element (`"*"` with `aws:PrincipalArn` / `aws:PrincipalAccount` instead of partial
  wildcards; role-session principals):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- Global condition keys (`aws:PrincipalAccount`, `aws:PrincipalArn` are the caller's account and ARN):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
- KMS cross-account use ("Cross-account permission is effective only for the following operations
  ... kms:ScheduleKeyDeletion permission on a KMS key in a key policy ... still fail"):
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
  and the "Cross-account use" column of https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
- `kms:CallerAccount` ("the AWS account of the caller"):
  https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.build import build_graph
from graph.query import find_paths, who_can
from tests.graph.scenarios import (
    OUTSIDER,
    A,
    B,
    C,
    ORG_ID,
    account,
    allow,
    bucket,
    doc,
    grant,
    key,
    organization,
    role,
    role_arn,
    root,
    snapshot,
    trusts,
    user,
    user_arn,
)

BUCKET = "arn:aws:s3:::audit-bucket"
KEY = f"arn:aws:kms:us-east-1:{B}:key/k1"
APP = role_arn(A, "App")


def _reachers(ag: Any, arn: str, action: str | None) -> dict[str, str]:
    """principal -> status of its best path, for who-can."""
    return {p.principal: str(p.path.status) for p in who_can(ag, arn, action=action).principals}


# ---------------------------------------------------------------------------------------------
# KMS: cross-account grants of key-management operations have no effect (KMS developer guide).


def _kms_world(*key_statements: dict[str, Any], app_actions: str | list[str] = "kms:*") -> Any:
    app = role(A, "App", trusts({"Service": "ec2.amazonaws.com"}), allow(app_actions, "*"))
    local = role(B, "KeyAdmin", trusts({"Service": "ec2.amazonaws.com"}), allow("kms:*", "*"))
    return build_graph(snapshot(account(A, roles=(app,)), account(B, roles=(local,), resources=(key(B, "k1", *key_statements),)),
                                org=organization()))


ADMIN = role_arn(B, "KeyAdmin")
KMS_ALL_TO_A = grant({"AWS": [root(A), root(B)]}, "kms:*", "*")


@pytest.mark.parametrize(("action", "a_reaches"), [
    pytest.param("kms:Decrypt", True, id="decrypt-works-across-accounts"),
    pytest.param("kms:GenerateDataKey", True, id="generate-data-key-works-across-accounts"),
    pytest.param("kms:DescribeKey", True, id="describe-key-works-across-accounts"),
    pytest.param("kms:CreateGrant", True, id="create-grant-works-across-accounts"),
    pytest.param("kms:ScheduleKeyDeletion", False, id="schedule-key-deletion-no-effect-across-accounts-(doc-example)"),
    pytest.param("kms:PutKeyPolicy", False, id="put-key-policy-no-effect-across-accounts"),
    pytest.param("kms:DisableKey", False, id="disable-key-no-effect-across-accounts"),
    pytest.param("kms:TagResource", False, id="tag-resource-no-effect-across-accounts"),
    pytest.param("kms:GetKeyPolicy", False, id="get-key-policy-no-effect-across-accounts"),
])
def test_kms_key_policy_grants_only_cross_account_operations_to_another_account(action: str, a_reaches: bool) -> None:
    ag = _kms_world(KMS_ALL_TO_A)
    found = _reachers(ag, KEY, action)
    assert (APP in found) is a_reaches
    assert (A in found) is a_reaches
    # the key's own account keeps every operation (same account: the key policy delegates to IAM)
    assert found.get(ADMIN) == "allowed"


def test_kms_who_can_without_action_lists_only_cross_account_operations_for_the_other_account() -> None:
    ag = _kms_world(KMS_ALL_TO_A)
    entry = {p.principal: p for p in who_can(ag, KEY).principals}[APP]
    actions = {a for hop in entry.path.hops for a in hop.actions}
    assert "kms:Decrypt" in actions
    assert not actions & {"kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey", "kms:CancelKeyDeletion"}


def test_kms_public_grant_of_management_operations_reaches_no_outsider() -> None:
    # "*" on kms:* : only the key's own account can manage it; outsiders get the cryptographic operations
    ag = _kms_world(grant({"AWS": root(B)}, "kms:*", "*"), grant("*", "kms:*", "*"))
    assert APP in _reachers(ag, KEY, "kms:Decrypt")
    managers = _reachers(ag, KEY, "kms:ScheduleKeyDeletion")
    assert APP not in managers and "*" not in managers and A not in managers
    assert managers.get(ADMIN) == "allowed"


# ---------------------------------------------------------------------------------------------
# "*" narrowed by a condition that names the caller (Principal element reference: use "*" with
# aws:PrincipalArn instead of a partial wildcard). The account (or principal) so named can reach.

X_ROLE = f"arn:aws:iam::{OUTSIDER}:role/X"
TARGET = role_arn(B, "T")


def _trust_world(*trust_statements: dict[str, Any], make_outsider_known: bool = False) -> Any:
    target = role(B, "T", doc(*trust_statements), allow("s3:GetObject", f"{BUCKET}/*"))
    extra = (role(B, "Other", trusts({"AWS": OUTSIDER})),) if make_outsider_known else ()
    return build_graph(snapshot(account(B, roles=(target, *extra), resources=(bucket(B, "audit-bucket"),)),
                                org=organization()))


@pytest.mark.parametrize("known", [False, True], ids=["outsider-named-only-here", "outsider-known-elsewhere"])
@pytest.mark.parametrize(("condition", "reaches"), [
    pytest.param({"StringEquals": {"aws:PrincipalAccount": OUTSIDER}}, "allowed", id="principal-account"),
    pytest.param({"ArnEquals": {"aws:PrincipalArn": X_ROLE}}, "allowed", id="principal-arn-equals-role"),
    pytest.param({"StringEquals": {"aws:PrincipalArn": X_ROLE}}, "allowed", id="principal-arn-string-equals-role"),
    pytest.param({"StringEquals": {"aws:PrincipalAccount": "888888888888"}}, None, id="other-account-named"),
])
def test_star_trust_narrowed_to_an_outside_account_by_condition_admits_that_account(
        condition: dict[str, Any], reaches: str | None, known: bool) -> None:
    ag = _trust_world(grant("*", "sts:AssumeRole", Condition=condition), make_outsider_known=known)
    found = _reachers(ag, BUCKET, "s3:GetObject")
    assert found.get(OUTSIDER) == reaches
    if reaches:
        path = find_paths(ag, OUTSIDER, BUCKET, action="s3:GetObject").paths
        assert path and [str(h.kind) for h in path[0].hops] == ["assume-role", "identity-policy"]
        assert path[0].hops[0].target == TARGET


def test_star_bucket_policy_narrowed_to_an_outside_account_admits_that_account() -> None:
    policy = grant("*", "s3:GetObject", f"{BUCKET}/*", Condition={"StringEquals": {"aws:PrincipalAccount": OUTSIDER}})
    ag = build_graph(snapshot(account(B, resources=(bucket(B, "audit-bucket", policy),)), org=organization()))
    assert _reachers(ag, BUCKET, "s3:GetObject") == {OUTSIDER: "allowed"}


def test_star_key_policy_narrowed_by_kms_caller_account() -> None:
    # kms:CallerAccount is the caller's own account: known for every principal of the snapshot
    policy = (grant({"AWS": root(B)}, "kms:*", "*"),
              grant({"AWS": "*"}, "kms:Decrypt", "*", Condition={"StringEquals": {"kms:CallerAccount": OUTSIDER}}))
    app = role(A, "App", trusts({"Service": "ec2.amazonaws.com"}), allow("kms:Decrypt", "*"))
    ag = build_graph(snapshot(account(A, roles=(app,)), account(B, resources=(key(B, "k1", *policy),)), org=organization()))
    found = _reachers(ag, KEY, "kms:Decrypt")
    assert found.get(OUTSIDER) == "allowed"
    assert APP not in found and A not in found  # A's principals are not in account 999999999999


# ---------------------------------------------------------------------------------------------
# A policy naming one role session (`arn:aws:sts::A:assumed-role/R/S`, Principal element reference:
# "Role session principals"): a session of R with that name has the grant, so R reaches the target
# conditionally on the session name (SEMANTICS ER-2); before, nobody did.

R1, R2 = role_arn(B, "R1"), role_arn(C, "R2")
SESSION = f"arn:aws:sts::{B}:assumed-role/R1/deploy"
U = user_arn(A, "u")


def _chain(r2_trust: Any, r1_allows: bool = True) -> Any:
    u = user(A, "u", allow("sts:AssumeRole", R1))
    r1 = role(B, "R1", trusts({"AWS": root(A)}), *([allow("sts:AssumeRole", R2)] if r1_allows else [allow("ec2:Describe*")]))
    r2 = role(C, "R2", r2_trust, allow("s3:GetObject", f"{BUCKET}/*"))
    return build_graph(snapshot(account(A, users=(u,)), account(B, roles=(r1,)),
                                account(C, roles=(r2,), resources=(bucket(C, "audit-bucket"),)), org=organization()))


@pytest.mark.parametrize(("trust", "r1_allows", "expected"), [
    pytest.param(trusts({"AWS": R1}), True, "allowed", id="trust-names-role-arn"),
    pytest.param(trusts({"AWS": SESSION}), True, "conditional", id="trust-names-session-of-R1:conditional-on-name"),
    pytest.param(trusts({"AWS": SESSION}), False, None, id="session-named-but-R1-identity-lacks-sts:cross-account"),
    pytest.param(trusts({"AWS": f"arn:aws:sts::{B}:assumed-role/Other/deploy"}), True, None,
                 id="session-of-another-role"),
])
def test_three_hop_chain_through_a_trust_naming_a_session(trust: Any, r1_allows: bool, expected: str | None) -> None:
    ag = _chain(trust, r1_allows)
    found = _reachers(ag, BUCKET, "s3:GetObject")
    assert found.get(U) == expected and found.get(R1) == expected and found.get(A) == expected
    if expected:
        path = find_paths(ag, U, BUCKET, action="s3:GetObject").paths[0]
        assert [(h.source, h.target, str(h.kind)) for h in path.hops] == [
            (U, R1, "assume-role"), (R1, R2, "assume-role"), (R2, BUCKET, "identity-policy")]
        assert path.hops[1].chained
        if expected == "conditional":
            assert [(c.key, c.values) for c in path.conditions] == [("sts:RoleSessionName", ("deploy",))]
            assert [h.status for h in path.hops] == ["allowed", "conditional", "allowed"]


def test_bucket_policy_naming_a_session_of_a_same_account_role_needs_no_identity_policy() -> None:
    reader = role(B, "R1", trusts({"Service": "ec2.amazonaws.com"}))  # no identity policy at all
    policy = grant({"AWS": SESSION}, "s3:GetObject", f"{BUCKET}/*")
    ag = build_graph(snapshot(account(B, roles=(reader,), resources=(bucket(B, "audit-bucket", policy),)),
                              org=organization()))
    entry = {p.principal: p for p in who_can(ag, BUCKET, action="s3:GetObject").principals}[R1]
    assert str(entry.path.status) == "conditional"
    assert [(c.key, c.values) for c in entry.path.conditions] == [("sts:RoleSessionName", ("deploy",))]


@pytest.mark.parametrize("condition", [
    pytest.param({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{OUTSIDER}:role/deploy-*"}}, id="arn-like-role-pattern"),
    pytest.param({"StringEquals": {"aws:PrincipalType": "AssumedRole"}}, id="principal-type"),
    pytest.param({"StringLike": {"aws:userid": "AROA*"}}, id="userid-pattern"),
])
def test_an_uncollected_account_narrowed_to_some_of_its_principals_stays_a_conditional_path(
        condition: dict[str, Any]) -> None:
    # A vendor trust naming the vendor's account and narrowing it by aws:PrincipalArn (the Principal
    # element reference's advice instead of partial wildcards): which vendor principal calls is not in
    # the snapshot, so the path is conditional on it. It used to be "nobody": the account's node
    # presented its root ARN, which the pattern does not match.
    trust = doc({"Effect": "Allow", "Principal": {"AWS": root(OUTSIDER)}, "Action": "sts:AssumeRole",
                 "Condition": condition})
    deployable = role(A, "Deployable", trust, allow("s3:*", "*"))
    ag = build_graph(snapshot(account(A, roles=(deployable,)), org=organization()))
    reached = who_can(ag, role_arn(A, "Deployable")).principals
    assert [(p.principal, str(p.path.status)) for p in reached] == [(OUTSIDER, "conditional")]
    assert [c.key for c in reached[0].path.conditions] == list(next(iter(condition.values())))


def test_a_grant_to_everyone_narrowed_to_own_roles_does_not_admit_an_uncollected_account() -> None:
    # "*" + aws:PrincipalArn ArnLike [own reader roles]: every principal of the outside account has an
    # ARN under arn:aws:iam::999999999999:, which no value names, so the outsider is decided out, not
    # left conditional (that would flag every such bucket as reachable from outside).
    private = bucket(A, "private", {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                    "Resource": "arn:aws:s3:::private/*",
                                    "Condition": {"ArnLike": {"aws:PrincipalArn": [f"arn:aws:iam::{A}:role/reader-*"]}}},
                     {"Effect": "Allow", "Principal": {"AWS": root(OUTSIDER)}, "Action": "s3:ListBucket",
                      "Resource": "arn:aws:s3:::private"})
    ag = build_graph(snapshot(account(A, resources=(private,)), org=organization()))
    assert _reachers(ag, "arn:aws:s3:::private", "s3:ListBucket") == {OUTSIDER: "allowed"}
    assert OUTSIDER not in _reachers(ag, "arn:aws:s3:::private", "s3:GetObject")
