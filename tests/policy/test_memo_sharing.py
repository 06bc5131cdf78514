"""The evaluator's memo is shared between requests only when the outcome cannot differ (issue 8).

A group of policies (SCP levels, identity policies, a resource policy) is memoized on the action,
on the resource only when a statement covering the action names a resource other than `"*"`, on
how each such statement's Principal names the caller, and on the context keys those statements
read. Each test warms the memo with one request, then asks one that differs in exactly what the
memo must still see: a wrong key would replay the first answer.

Rules relied on (IAM policy evaluation logic,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html): an
explicit Deny in an SCP or a resource policy wins; a resource-policy Allow naming a principal
grants in its own account without an identity Allow; a statement whose Action does not cover the
action plays no part.
"""

from __future__ import annotations

import json
from typing import Any

from graph.policy import Decision, Request, evaluate, policy_from_text

ACCOUNT = "111111111111"
ALICE = f"arn:aws:iam::{ACCOUNT}:role/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:role/bob"
BUCKET = "arn:aws:s3:::memo-data"
OTHER_BUCKET = "arn:aws:s3:::memo-other"


def _policy(*statements: dict[str, Any], name: str) -> Any:
    return policy_from_text(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}), policy_id=name)


FULL = _policy({"Effect": "Allow", "Action": "*", "Resource": "*"}, name="memo-full")
READ_ALL = _policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, name="memo-read-all")


def _ask(principal: str, resource: str, *, scps: Any = ((FULL,),), resource_policy: Any = None,
         identity: Any = (READ_ALL,), action: str = "s3:GetObject") -> Decision:
    request = Request(principal=principal, action=action, resource=resource, resource_account=ACCOUNT,
                      identity_policies=identity, resource_policy=resource_policy, scps=scps,
                      context={"aws:PrincipalArn": principal})
    return evaluate(request).decision


def test_an_scp_condition_on_the_principal_still_tells_callers_apart() -> None:
    # The Deny reads aws:PrincipalArn for s3:GetObject: Bob is denied, Alice is not, in either order.
    guard = _policy({"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
                     "Condition": {"ArnNotLike": {"aws:PrincipalArn": ALICE}}}, name="memo-guard")
    scps = ((FULL, guard),)
    assert _ask(ALICE, BUCKET, scps=scps) is Decision.ALLOWED
    assert _ask(BOB, BUCKET, scps=scps) is Decision.EXPLICIT_DENY
    assert _ask(ALICE, BUCKET, scps=scps) is Decision.ALLOWED


def test_a_condition_of_a_statement_for_other_actions_does_not_matter() -> None:
    # The guard only covers iam:* actions, so for s3:GetObject both callers get the same answer
    # (and the shared memo entry is right for both).
    guard = _policy({"Effect": "Deny", "Action": "iam:*", "Resource": "*",
                     "Condition": {"ArnNotLike": {"aws:PrincipalArn": ALICE}}}, name="memo-iam-guard")
    scps = ((FULL, guard),)
    assert _ask(ALICE, BUCKET, scps=scps) is Decision.ALLOWED
    assert _ask(BOB, BUCKET, scps=scps) is Decision.ALLOWED
    assert _ask(BOB, BUCKET, scps=scps, action="iam:CreateRole") is Decision.EXPLICIT_DENY


def test_a_resource_specific_deny_is_not_replayed_for_another_resource() -> None:
    # Allow on "*" then Deny on one bucket: the first bucket is allowed, the second denied.
    identity = (_policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": OTHER_BUCKET}, name="memo-not-other"),)
    assert _ask(ALICE, BUCKET, identity=identity) is Decision.ALLOWED
    assert _ask(ALICE, OTHER_BUCKET, identity=identity) is Decision.EXPLICIT_DENY


def test_a_resource_policy_naming_one_caller_is_not_replayed_for_another() -> None:
    # Same account, no identity Allow: only the named caller (Alice) is allowed by the bucket policy.
    grant = _policy({"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:GetObject",
                     "Resource": BUCKET}, name="memo-bucket")
    assert _ask(ALICE, BUCKET, resource_policy=grant, identity=()) is Decision.ALLOWED
    assert _ask(BOB, BUCKET, resource_policy=grant, identity=()) is Decision.IMPLICIT_DENY
    assert _ask(ALICE, BUCKET, resource_policy=grant, identity=()) is Decision.ALLOWED
