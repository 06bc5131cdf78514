"""Audit of whole-snapshot answers (who-can, paths) against AWS's documented rules.

Each row is a small hand-built snapshot whose right answer comes hop by hop from the AWS docs:

- Cross-account evaluation (both sides must allow; a resource policy naming an account delegates):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
- Role trust, same account naming the role/user ARN needs no identity Allow, naming the account does:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
- KMS cross-account use ("Cross-account permission is effective only for the following operations
  ... kms:ScheduleKeyDeletion permission on a KMS key in a key policy ... still fail"):
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
  and the "Cross-account use" column of https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
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
