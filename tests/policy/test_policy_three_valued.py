"""Three-valued mode (SEMANTICS ER-1, ER-9): unknown context keys give conditional answers.

A key absent from the context is unknown (not absent) unless listed in `known_absent`; keys AWS
derives from the request (aws:PrincipalArn, aws:username, ...) stay known. Allow statements with
unknown conditions make the answer CONDITIONAL with the exact residual conditions; Deny
statements that might apply are reported as `deny_conditions`, never dropped.
"""

from __future__ import annotations

import pytest
from evaluator_cases import A, B, ROLE, ROOT_A, SESSION, USER, allow, deny, pol, req

from graph.policy import Condition, Decision, evaluate

EXTERNAL_ID = {"StringEquals": {"sts:ExternalId": "ext-1"}}
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
VPCE = {"StringEquals": {"aws:SourceVpce": "vpce-1"}}


def test_allow_on_an_unknown_key_is_conditional_with_the_exact_condition() -> None:
    result = evaluate(req(identity=(pol(allow(Condition=EXTERNAL_ID)),), unknown_context=True))
    assert result.decision is Decision.CONDITIONAL
    assert result.conditions == (Condition("sts:ExternalId", "StringEquals", ("ext-1",)),)
    assert result.to_json()["conditions"] == [{"key": "sts:ExternalId", "operator": "StringEquals",
                                               "values": ["ext-1"]}]


def test_the_same_request_in_two_valued_mode_is_an_implicit_deny() -> None:
    # SPEC 5: without --unknown-context, absent keys are absent, as in AWS.
    assert evaluate(req(identity=(pol(allow(Condition=EXTERNAL_ID)),))).decision is Decision.IMPLICIT_DENY


def test_known_absent_key_is_decided_not_reported() -> None:
    # MFA page: long-term keys carry no aws:MultiFactorAuthPresent; Bool on it is then false.
    request = req(identity=(pol(allow(Condition=MFA)),), unknown_context=True,
                  known_absent=frozenset({"aws:multifactorauthpresent"}))
    assert evaluate(request).decision is Decision.IMPLICIT_DENY


def test_given_key_is_decided() -> None:
    request = req(identity=(pol(allow(Condition=MFA)),), unknown_context=True,
                  context={"aws:MultiFactorAuthPresent": "true"})
    assert evaluate(request).decision is Decision.ALLOWED


def test_possible_deny_on_a_certain_allow_is_conditional_with_deny_conditions() -> None:
    # Documented choice (docs/evaluator.md): never report ALLOWED while a Deny might apply.
    request = req(identity=(pol(allow("s3:*"), deny(Condition={"Bool": {"aws:SecureTransport": "false"}})),),
                  unknown_context=True)
    result = evaluate(request)
    assert result.decision is Decision.CONDITIONAL
    assert result.conditions == ()
    assert result.deny_conditions == (Condition("aws:SecureTransport", "Bool", ("false",)),)
    assert result.to_json()["deny_conditions"] == [{"key": "aws:SecureTransport", "operator": "Bool",
                                                    "values": ["false"]}]


def test_certain_deny_wins_over_unknowns() -> None:
    request = req(identity=(pol(allow(Condition=EXTERNAL_ID), deny()),), unknown_context=True)
    assert evaluate(request).decision is Decision.EXPLICIT_DENY


def test_possible_deny_without_any_allow_is_an_implicit_deny_that_keeps_the_deny_conditions() -> None:
    request = req(identity=(pol(deny(Condition=VPCE)),), unknown_context=True)
    result = evaluate(request)
    assert result.decision is Decision.IMPLICIT_DENY
    assert result.deny_conditions == (Condition("aws:SourceVpce", "StringEquals", ("vpce-1",)),)


def test_conditional_allow_and_possible_deny_are_both_reported() -> None:
    request = req(identity=(pol(allow(Condition=MFA), deny(Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),),
                  unknown_context=True)
    result = evaluate(request)
    assert result.decision is Decision.CONDITIONAL
    assert result.conditions == (Condition("aws:MultiFactorAuthPresent", "Bool", ("true",)),)
    assert result.deny_conditions == (Condition("aws:SourceIp", "NotIpAddress", ("10.0.0.0/8",)),)


def test_alternatives_pick_the_one_with_fewest_conditions() -> None:
    request = req(identity=(pol(allow(Condition={**MFA, **VPCE}), allow(Condition=EXTERNAL_ID)),), unknown_context=True)
    result = evaluate(request)
    assert result.conditions == (Condition("sts:ExternalId", "StringEquals", ("ext-1",)),)
    assert len(result.alternatives) == 2
    assert result.to_json()["alternatives"][1] == [c.to_json() for c in sorted(
        (Condition("aws:MultiFactorAuthPresent", "Bool", ("true",)), Condition("aws:SourceVpce", "StringEquals", ("vpce-1",))))]


def test_a_certain_allow_makes_conditional_alternatives_irrelevant() -> None:
    request = req(identity=(pol(allow(Condition=MFA), allow()),), unknown_context=True)
    result = evaluate(request)
    assert result.decision is Decision.ALLOWED and result.conditions == ()


def test_cross_account_conditions_of_both_sides_are_conjoined() -> None:
    # XACCT: both sides must allow, so both sides' conditions are needed.
    request = req(account=B, identity=(pol(allow(Condition=MFA)),),
                  resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": ROOT_A}, "Action": "s3:GetObject",
                                       "Resource": "*", "Condition": VPCE}), unknown_context=True)
    result = evaluate(request)
    assert result.decision is Decision.CONDITIONAL
    assert set(result.conditions) == {Condition("aws:MultiFactorAuthPresent", "Bool", ("true",)),
                                      Condition("aws:SourceVpce", "StringEquals", ("vpce-1",))}


def test_possible_deny_in_an_scp_is_reported() -> None:
    scp = pol(allow("*"), deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}))
    result = evaluate(req(identity=(pol(allow()),), scps=((scp,),), unknown_context=True))
    assert result.decision is Decision.CONDITIONAL
    assert result.deny_conditions == (Condition("aws:RequestedRegion", "StringNotEquals", ("us-east-1",)),)
    assert any(ref.policy_type == "scp" and ref.effect == "Deny" for ref in result.matched)


@pytest.mark.parametrize("operator", ["ForAllValues:StringEquals", "StringEqualsIfExists", "StringNotEquals", "Null"])
def test_operators_that_are_true_on_a_missing_key_are_still_unknown_on_an_unknown_key(operator: str) -> None:
    # An unknown key may be present or absent, so even absent-true operators stay undecided.
    value = "true" if operator == "Null" else "x"
    result = evaluate(req(identity=(pol(allow(Condition={operator: {"aws:RequestTag/env": value}})),),
                          unknown_context=True))
    assert result.decision is Decision.CONDITIONAL
    assert result.conditions == (Condition("aws:RequestTag/env", operator, (value,)),)


@pytest.mark.parametrize(("key", "value", "principal"), [
    ("aws:PrincipalArn", ROLE, SESSION),
    ("aws:PrincipalAccount", A, USER),
    ("aws:username", "alice", USER),
    ("aws:PrincipalType", "AssumedRole", SESSION),
    ("aws:ResourceAccount", A, USER),
])
def test_derived_keys_stay_known_in_three_valued_mode(key: str, value: str, principal: str) -> None:
    # SPEC 2: conditions on facts the snapshot knows are decided, not reported.
    result = evaluate(req(principal, identity=(pol(allow(Condition={"StringEquals": {key: value}})),),
                          unknown_context=True))
    assert result.decision is Decision.ALLOWED


def test_username_of_a_role_is_known_absent() -> None:
    # KEYS: aws:username exists only for IAM users.
    result = evaluate(req(SESSION, identity=(pol(allow(Condition={"StringEquals": {"aws:username": "x"}})),),
                          unknown_context=True))
    assert result.decision is Decision.IMPLICIT_DENY


def test_unknown_resource_variable_is_a_residual_condition() -> None:
    # ER-10: a variable whose value is unknown leaves the statement conditional.
    policy = pol(allow(resource="arn:aws:s3:::home/${aws:PrincipalTag/team}/*"))
    result = evaluate(req(ROLE, resource="arn:aws:s3:::home/data/x", identity=(policy,), unknown_context=True))
    assert result.decision is Decision.CONDITIONAL
    assert result.conditions == (Condition("aws:PrincipalTag/team", "PolicyVariable",
                                           ("arn:aws:s3:::home/${aws:PrincipalTag/team}/*",)),)


def test_unknown_operator_in_a_deny_is_a_possible_deny() -> None:
    policy = pol(allow("s3:*"), deny(Condition={"StringLikeButNot": {"aws:PrincipalTag/x": "y"}}))
    result = evaluate(req(identity=(policy,), unknown_context=True))
    assert result.decision is Decision.CONDITIONAL
    assert result.deny_conditions == (Condition("aws:PrincipalTag/x", "StringLikeButNot", ("y",)),)


def test_trust_with_external_id_is_conditional_on_it() -> None:
    trust = pol({"Effect": "Allow", "Principal": {"AWS": ROOT_A}, "Action": "sts:AssumeRole", "Condition": EXTERNAL_ID})
    result = evaluate(req(SESSION, "sts:AssumeRole", f"arn:aws:iam::{B}:role/Vendor", account=B,
                          identity=(pol(allow("sts:AssumeRole")),), resource_policy=trust,
                          resource_policy_kind="trust", unknown_context=True))
    assert result.decision is Decision.CONDITIONAL
    assert result.conditions == (Condition("sts:ExternalId", "StringEquals", ("ext-1",)),)


def test_matched_statements_of_a_conditional_allow_are_the_allowing_ones() -> None:
    result = evaluate(req(identity=(pol(allow("ec2:*"), allow(Condition=MFA)),), unknown_context=True))
    assert [(ref.policy_type, ref.statement, ref.effect) for ref in result.matched] == [("identity", 1, "Allow")]
