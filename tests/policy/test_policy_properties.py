"""Property tests of the decision flow and condition operators (hypothesis).

EVAL (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
an explicit Deny in any policy overrides every Allow, whatever the order of statements and policies.
CO (..._condition_operators.html): a negated operator is the complement of its positive form on a
present single-valued key; ForAllValues and ForAnyValue follow set semantics.
"""

from __future__ import annotations

from typing import Any

from evaluator_cases import B, ROOT_A, SESSION, USER, allow, deny, pol, req
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.policy import Decision, evaluate

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:RunInstances", "iam:PassRole"]
PATTERNS = ["*", "s3:*", "s3:Get*", "s3:GetObject", "s3:PutObject", "ec2:*", "iam:*", "s3:*Object", "s3:List?ucket"]
_statement = st.builds(lambda effect, actions: {"Effect": effect, "Action": actions, "Resource": "*"},
                       st.sampled_from(["Allow", "Deny"]), st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=3))
_policy = st.lists(_statement, min_size=1, max_size=4)


def _matches(statement: dict[str, Any], action: str) -> bool:
    from graph.policy import action_matches
    return any(action_matches(pattern, action) for pattern in statement["Action"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_policy, min_size=1, max_size=3), st.sampled_from(ACTIONS), st.randoms())
def test_identity_decision_is_deny_over_allow_and_order_independent(policies: list[list[dict[str, Any]]],
                                                                     action: str, random: Any) -> None:
    statements = [s for policy in policies for s in policy]
    expected = (Decision.EXPLICIT_DENY if any(s["Effect"] == "Deny" and _matches(s, action) for s in statements)
                else Decision.ALLOWED if any(s["Effect"] == "Allow" and _matches(s, action) for s in statements)
                else Decision.IMPLICIT_DENY)
    shuffled = [list(policy) for policy in policies]
    for policy in shuffled:
        random.shuffle(policy)
    random.shuffle(shuffled)
    for variant in (policies, shuffled):
        request = req(action=action, identity=tuple(pol(*policy) for policy in variant))
        assert evaluate(request).decision is expected


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(ACTIONS), st.booleans(), st.booleans(), st.booleans())
def test_a_deny_anywhere_wins_cross_account(action: str, deny_in_identity: bool, deny_in_resource: bool,
                                            deny_in_scp: bool) -> None:
    # XACCT + EVAL: both sides allow everything; any matching Deny on either side decides.
    identity = pol(allow("*"), *([deny(action)] if deny_in_identity else []))
    resource = pol({"Effect": "Allow", "Principal": {"AWS": ROOT_A}, "Action": "*", "Resource": "*"},
                   *([{"Effect": "Deny", "Principal": "*", "Action": action, "Resource": "*"}] if deny_in_resource else []))
    scp = pol(allow("*"), *([deny(action)] if deny_in_scp else []))
    result = evaluate(req(SESSION, action, "arn:aws:s3:::b/k", account=B, identity=(identity,),
                          resource_policy=resource, scps=((scp,),)))
    denied = deny_in_identity or deny_in_resource or deny_in_scp
    assert result.decision is (Decision.EXPLICIT_DENY if denied else Decision.ALLOWED)
    assert all(ref.effect == ("Deny" if denied else "Allow") for ref in result.matched)


def _holds(block: dict[str, Any], context: dict[str, Any]) -> bool:
    return evaluate(req(identity=(pol(allow(Condition=block)),), context=context)).decision is Decision.ALLOWED


_VALUE = st.text(alphabet="abAB*", min_size=0, max_size=4)
_PAIRS = [("StringEquals", "StringNotEquals"), ("StringLike", "StringNotLike"),
          ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"), ("ArnLike", "ArnNotLike")]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_PAIRS), st.lists(_VALUE, min_size=1, max_size=3), _VALUE)
def test_negated_string_operators_complement_the_positive_ones(pair: tuple[str, str], values: list[str],
                                                               context_value: str) -> None:
    positive, negated = pair
    if positive.startswith("Arn"):
        values = [f"arn:aws:s3:::{value}" for value in values]
        context_value = f"arn:aws:s3:::{context_value}"
    context = {"aws:PrincipalTag/k": context_value}
    assert _holds({positive: {"aws:PrincipalTag/k": values}}, context) is not \
        _holds({negated: {"aws:PrincipalTag/k": values}}, context)


@settings(max_examples=200, deadline=None)
@given(st.integers(-5, 5), st.integers(-5, 5))
def test_numeric_operators_agree_with_python_comparisons(policy_value: int, context_value: int) -> None:
    context = {"s3:max-keys": str(context_value)}
    block = {"NumericLessThan": {"s3:max-keys": str(policy_value)}}
    assert _holds(block, context) is (context_value < policy_value)
    assert _holds({"NumericGreaterThanEquals": {"s3:max-keys": str(policy_value)}}, context) is \
        (context_value >= policy_value)
    assert _holds({"NumericNotEquals": {"s3:max-keys": str(policy_value)}}, context) is (context_value != policy_value)


_TAGS = st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=4)


@settings(max_examples=200, deadline=None)
@given(_TAGS, _TAGS)
def test_set_operators_follow_set_semantics(allowed: list[str], requested: list[str]) -> None:
    # MV: ForAllValues = subset (true when empty); ForAnyValue = non-empty intersection.
    if not allowed:
        return
    context = {"aws:TagKeys": requested}
    assert _holds({"ForAllValues:StringEquals": {"aws:TagKeys": allowed}}, context) is (set(requested) <= set(allowed))
    assert _holds({"ForAnyValue:StringEquals": {"aws:TagKeys": allowed}}, context) is bool(set(requested) & set(allowed))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 255), st.integers(0, 32))
def test_ip_address_and_not_ip_address_are_complements(last_octet: int, prefix: int) -> None:
    context = {"aws:SourceIp": f"203.0.113.{last_octet}"}
    cidr = f"203.0.113.0/{prefix}"
    assert _holds({"IpAddress": {"aws:SourceIp": cidr}}, context) is not \
        _holds({"NotIpAddress": {"aws:SourceIp": cidr}}, context)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ACTIONS), st.booleans())
def test_three_valued_mode_never_turns_a_decided_answer_into_another_decided_answer(action: str, mfa: bool) -> None:
    # With the key given, both modes agree; unknown only ever adds "conditional".
    policy = pol(allow("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}), deny("iam:*"))
    given_context = {"aws:MultiFactorAuthPresent": "true" if mfa else "false"}
    two = evaluate(req(USER, action, "*", identity=(policy,), context=given_context)).decision
    three = evaluate(req(USER, action, "*", identity=(policy,), context=given_context, unknown_context=True)).decision
    unknown = evaluate(req(USER, action, "*", identity=(policy,), unknown_context=True)).decision
    assert two is three
    assert unknown in (two, Decision.CONDITIONAL)
