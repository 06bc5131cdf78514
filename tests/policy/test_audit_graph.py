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
