"""The evaluator's fast paths give the answers of the plain rules (issue 3, speed).

Each compiled form is checked against the straightforward matcher it replaces, and each memo
against a request that differs in exactly what the memo must still see.

RES: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
ACT: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
CO: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
EVAL: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import time

from evaluator_cases import A, B, OBJECT, ROLE, USER, allow, deny, pol, req
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.policy import Decision, evaluate, resource_matches
from graph.policy.wildcard import compile_resources

_PATTERN = st.text(alphabet="ab*?:/", max_size=10).filter(bool)
_ARN = st.text(alphabet="ab:/", max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PATTERN, min_size=1, max_size=4).map(tuple), _ARN)
def test_compiled_resource_patterns_agree_with_matching_each_pattern(patterns: tuple[str, ...], arn: str) -> None:
    # RES: a statement covers the resource when any of its Resource entries matches; the compiled
    # set (exact set + trailing-star prefixes + the rest) must say the same for every pattern shape.
    assert compile_resources(patterns).matches(arn) is any(resource_matches(pattern, arn) for pattern in patterns)


_ACTION_PATTERN = st.sampled_from(["*", "s3:*", "s3:get*", "s3:getobject", "s?:get*", "s*:*object", "iam:pass?ole",
                                   "sts:assumerole", "S3:GetObject", "ec2:describe*"])
_ACTION = st.sampled_from(["s3:GetObject", "s3:PutObject", "sts:AssumeRole", "iam:PassRole", "ec2:DescribeVpcs",
                           "sqs:GetQueueUrl", "S3:GETOBJECT"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.lists(_ACTION_PATTERN, min_size=1, max_size=3)), min_size=1, max_size=5),
       _ACTION)
def test_the_action_index_selects_exactly_the_statements_whose_action_covers_it(
        shapes: list[tuple[bool, list[str]]], action: str) -> None:
    # ACT: Action covers the action when an entry matches (case-insensitive); NotAction when none does.
    statements = [{"Effect": "Allow", ("NotAction" if negated else "Action"): patterns, "Resource": "*"}
                  for negated, patterns in shapes]
    policy = pol(*statements)
    expected = [statement.index for statement in policy.statements if statement.matches_action(action)]
    assert [statement.index for statement in policy.statements_for_action(action)] == expected


def test_a_hostile_resource_pattern_and_condition_on_a_huge_arn_decide_quickly() -> None:
    # RES/CO: `*` matches any run of characters. A backtracking matcher takes exponential time on
    # `*a*a*...*b` against 20,000 `a`s; the evaluator must answer in far less than a second.
    huge = "arn:aws:s3:::bucket/" + "a" * 20_000
    hostile = "arn:aws:s3:::bucket/" + "*a" * 60 + "*b"
    policy = pol(allow(resource=hostile, Condition={"StringLike": {"aws:PrincipalTag/team": "*a" * 60 + "*b"}}))
    start = time.process_time()
    no_b = evaluate(req(resource=huge, identity=(policy,), context={"aws:PrincipalTag/team": "a" * 20_000}))
    with_b = evaluate(req(resource=huge + "b", identity=(policy,), context={"aws:PrincipalTag/team": "a" * 20_000 + "b"}))
    elapsed = time.process_time() - start
    assert no_b.decision is Decision.IMPLICIT_DENY  # no `b` at the end: the pattern cannot match
    assert with_b.decision is Decision.ALLOWED  # both the ARN and the tag end in `b`
    assert elapsed < 1.0


def test_a_context_dict_changed_between_requests_is_read_again() -> None:
    # CO: StringEquals compares the request's value; the evaluator reuses its map of key names
    # while the keys stay the same, so a value changed in place must still be seen.
    policy = pol(allow(Condition={"StringEquals": {"aws:PrincipalTag/team": "data"}}))
    context = {"aws:PrincipalTag/team": "data"}
    assert evaluate(req(identity=(policy,), context=context)).decision is Decision.ALLOWED
    context["aws:PrincipalTag/team"] = "web"
    assert evaluate(req(identity=(policy,), context=context)).decision is Decision.IMPLICIT_DENY
    context["AWS:PRINCIPALTAG/TEAM"] = "data"  # condition keys are case-insensitive: the later key wins
    assert evaluate(req(identity=(policy,), context=context)).decision is Decision.ALLOWED


def test_the_same_policy_outcomes_combine_differently_across_accounts() -> None:
    # EVAL: in its own account an identity-policy Allow suffices; from another account the
    # resource's account must also allow (no resource policy here), so the second is an implicit
    # deny although every policy group gives the very same outcome (and memo entry) both times.
    identity = (pol(allow()),)
    assert evaluate(req(USER, account=A, identity=identity)).decision is Decision.ALLOWED
    assert evaluate(req(USER, account=B, identity=identity)).decision is Decision.IMPLICIT_DENY
    assert evaluate(req(USER, account=A, identity=identity)).decision is Decision.ALLOWED


def test_a_statement_for_another_service_neither_allows_nor_denies() -> None:
    # ACT/EVAL: statements whose Action does not cover the action are skipped (the fast path for a
    # group with no such statement): the s3 Deny does not touch sts:AssumeRole, the sts Allow grants it.
    identity = (pol(deny("s3:*"), allow("sts:AssumeRole")),)
    role_arn = f"arn:aws:iam::{A}:role/Target"
    assert evaluate(req(ROLE, "sts:AssumeRole", role_arn, identity=identity)).decision is Decision.ALLOWED
    assert evaluate(req(ROLE, "s3:GetObject", OBJECT, identity=identity)).decision is Decision.EXPLICIT_DENY
    assert evaluate(req(ROLE, "ec2:RunInstances", "*", identity=identity)).decision is Decision.IMPLICIT_DENY


def test_objects_that_match_the_same_resource_patterns_share_an_answer_and_others_do_not() -> None:
    # RES/EVAL: the memo keys a group on which Resource patterns match, not on the ARN itself; an
    # explicit Deny on `secret/*` must still win there (and only there), and NotResource must
    # exclude what it lists, whatever was asked before.
    identity = (pol(allow(resource="arn:aws:s3:::bucket-a/*"), deny(resource="arn:aws:s3:::bucket-a/secret/*"),
                    allow("s3:PutObject", NotResource="arn:aws:s3:::bucket-a/locked/*", resource=None)),)
    asked = [("s3:GetObject", "arn:aws:s3:::bucket-a/x", Decision.ALLOWED),
             ("s3:GetObject", "arn:aws:s3:::bucket-a/secret/y", Decision.EXPLICIT_DENY),
             ("s3:GetObject", "arn:aws:s3:::bucket-a/z", Decision.ALLOWED),
             ("s3:GetObject", "arn:aws:s3:::bucket-b/w", Decision.IMPLICIT_DENY),
             ("s3:GetObject", "arn:aws:s3:::bucket-a/secret/v", Decision.EXPLICIT_DENY),
             ("s3:PutObject", "arn:aws:s3:::bucket-a/open/1", Decision.ALLOWED),
             ("s3:PutObject", "arn:aws:s3:::bucket-a/locked/1", Decision.IMPLICIT_DENY),
             ("s3:PutObject", "arn:aws:s3:::bucket-b/2", Decision.ALLOWED)]
    for action, resource, expected in asked:
        assert evaluate(req(USER, action, resource, identity=identity)).decision is expected, resource


def test_a_policy_list_changed_between_requests_is_read_again() -> None:
    # EVAL: without an identity-policy Allow the request is an implicit deny. Groups are memoized on
    # the identity of the request's tuple; a list (mutable) must not be, so adding an Allow counts.
    policies = [pol(allow("s3:PutObject"))]
    assert evaluate(req(identity=policies)).decision is Decision.IMPLICIT_DENY  # type: ignore[arg-type]
    policies.append(pol(allow()))
    assert evaluate(req(identity=policies)).decision is Decision.ALLOWED  # type: ignore[arg-type]


def test_a_resource_policy_naming_many_accounts_names_each_caller_by_its_own_statement() -> None:
    # EVAL (cross account): the bucket policy must name the caller's account, and the caller's
    # identity policy must allow. Statement k names account k only, so caller k is allowed by
    # statement k alone, and an account the policy does not list is an implicit deny.
    accounts = [f"{300000000000 + index}" for index in range(1000)]
    bucket = pol(*[allow(Principal={"AWS": account}, resource="arn:aws:s3:::crowded/*") for account in accounts])
    identity = (pol(allow()),)
    start = time.process_time()
    for index in range(0, 1000, 5):
        result = evaluate(req(f"arn:aws:iam::{accounts[index]}:role/reader", resource="arn:aws:s3:::crowded/k",
                              account=B, identity=identity, resource_policy=bucket))
        assert result.decision is Decision.ALLOWED
        assert [ref.statement for ref in result.matched if ref.policy_type == "resource"] == [index]
    stranger = req(f"arn:aws:iam::{A}:role/reader", resource="arn:aws:s3:::crowded/k", account=B, identity=identity,
                   resource_policy=bucket)
    assert evaluate(stranger).decision is Decision.IMPLICIT_DENY
    assert time.process_time() - start < 5.0  # 200 callers x 1,000 statements, each caller tested on one


_NAMED = [{"AWS": B}, {"AWS": f"arn:aws:iam::{B}:root"}, {"AWS": f"arn:aws:iam::{B}:role/path/App"},
          {"AWS": f"arn:aws:iam::{B}:user/alice"}, {"AWS": f"arn:aws:sts::{B}:assumed-role/App/s1"},
          {"AWS": f"arn:aws:sts::{B}:federated-user/bob"}, {"Service": "EC2.amazonaws.com"},
          {"Federated": "accounts.google.com"}, {"CanonicalUser": "a" * 64}, {"AWS": "AROAEXAMPLEUNIQUEID1"},
          {"AWS": f"arn:aws:iam::{A}:role/Other"}, "*"]
_CALLERS = [(f"arn:aws:iam::{B}:role/App", {}), (f"arn:aws:sts::{B}:assumed-role/App/s1", {}),
            (f"arn:aws:sts::{B}:assumed-role/App/s2", {}), (f"arn:aws:iam::{B}:user/alice", {}),
            (f"arn:aws:sts::{B}:federated-user/bob", {}), (f"arn:aws:iam::{B}:root", {}), ("ec2.amazonaws.com", {}),
            ("accounts.google.com", {}), ("a" * 64, {}), ("*", {}),
            (f"arn:aws:iam::{B}:role/Renamed", {"aws:userid": "AROAEXAMPLEUNIQUEID1:s"})]


def test_a_long_resource_policy_names_every_kind_of_caller_as_each_statement_alone_does() -> None:
    # Principal element reference: an account id equals its root; a role ARN names its sessions
    # (path dropped); a session ARN names one session; Service, Federated and CanonicalUser name
    # those principals; a unique id names the role that has it; "*" names everyone. A policy of
    # 12 statements is indexed by principal name; each caller must be named by exactly the
    # statements that name it when asked one statement at a time. (Every identity caller gets a
    # session policy: a federated-user session has no permissions without one.)
    statements = [allow(Principal=principal, resource="arn:aws:s3:::shared/*") for principal in _NAMED]
    whole = pol(*statements)
    for caller, context in _CALLERS:
        named = whole.statements
        expected = []
        for index in range(len(statements)):
            alone = evaluate(req(caller, resource="arn:aws:s3:::shared/k", account=A, resource_policy=pol(statements[index]),
                                 context=context, identity=(pol(allow()),), session_policies=(pol(allow()),)))
            if alone.decision is not Decision.IMPLICIT_DENY:
                expected.append(named[index].index)
        result = evaluate(req(caller, resource="arn:aws:s3:::shared/k", account=A, resource_policy=whole, context=context,
                              identity=(pol(allow()),), session_policies=(pol(allow()),)))
        assert sorted({ref.statement for ref in result.matched if ref.policy_type == "resource"}) == expected, caller
        assert expected, caller  # every caller here is named by at least "*"


def test_scp_levels_are_told_apart_by_their_grouping_when_each_request_builds_new_tuples() -> None:
    # EVAL (SCPs): every level, root to account, must have an Allow for the action; a level without
    # one (an empty level included) is an implicit deny. The same two SCPs in one level
    # allow s3:GetObject (the full-access one allows it there); split over two levels, the level
    # holding only the iam:* one does not. Each request builds new tuples of the same policies, as a
    # builder would, so the evaluator's lookups by policy identity and by equality with the last
    # group must still see the grouping.
    full, iam_only = pol(allow("*")), pol(allow("iam:*"))
    identity = (pol(allow()),)
    asked = [(lambda: ((full, iam_only),), Decision.ALLOWED),
             (lambda: ((full,), (iam_only,)), Decision.IMPLICIT_DENY),
             (lambda: ((full, iam_only),), Decision.ALLOWED),
             (lambda: ((iam_only,), (full,)), Decision.IMPLICIT_DENY),
             (lambda: ((),), Decision.IMPLICIT_DENY),
             (lambda: ((full,), (full,)), Decision.ALLOWED),
             (lambda: ((full,), ()), Decision.IMPLICIT_DENY)]
    for _ in range(2):
        for levels, expected in asked:
            assert evaluate(req(ROLE, identity=identity, scps=levels())).decision is expected, levels()


def test_identity_policy_tuples_rebuilt_per_request_keep_their_own_answers() -> None:
    # EVAL: an identity-policy Allow is needed in the caller's account; an explicit Deny in any of
    # them wins. Tuples are rebuilt for every request (new objects, same policies), alternating.
    grant, block = pol(allow()), pol(deny())
    asked = [((grant,), Decision.ALLOWED), ((grant, block), Decision.EXPLICIT_DENY), ((block, grant), Decision.EXPLICIT_DENY),
             ((), Decision.IMPLICIT_DENY), ((grant,), Decision.ALLOWED)]
    for _ in range(3):
        for policies, expected in asked:
            assert evaluate(req(ROLE, identity=tuple(list(policies)))).decision is expected, policies


def test_a_resource_policy_open_to_everyone_names_every_kind_of_caller_alike() -> None:
    # Principal element reference: "*" names every principal, anonymous included; a resource-policy
    # statement without Principal names no one (only RCPs apply to every caller without one).
    # EVAL: in its own account a direct grant suffices, from another account the caller's identity
    # policy must allow too; an anonymous caller has no identity side. The plan knows the naming
    # does not depend on the caller, so every caller below must still get the decision of its kind.
    bucket = pol(allow(Principal="*", resource="arn:aws:s3:::open/*"),
                 allow("s3:PutObject", resource="arn:aws:s3:::open/*"),
                 deny(Principal="*", resource="arn:aws:s3:::open/secret/*"))
    asked = [(ROLE, A, "s3:GetObject", "k", Decision.ALLOWED),  # same account: "*" grants directly
             (f"arn:aws:iam::{B}:role/Other", A, "s3:GetObject", "k", Decision.IMPLICIT_DENY),  # no identity Allow
             ("*", A, "s3:GetObject", "k", Decision.ALLOWED),  # anonymous: "*" includes it
             ("ec2.amazonaws.com", A, "s3:GetObject", "k", Decision.ALLOWED),
             (ROLE, A, "s3:PutObject", "k", Decision.IMPLICIT_DENY),  # the PutObject statement names no one
             (ROLE, A, "s3:GetObject", "secret/k", Decision.EXPLICIT_DENY),
             ("*", A, "s3:GetObject", "secret/k", Decision.EXPLICIT_DENY)]
    for _ in range(2):
        for principal, account, action, key, expected in asked:
            result = evaluate(req(principal, action, f"arn:aws:s3:::open/{key}", account=account, resource_policy=bucket))
            assert result.decision is expected, (principal, action, key)
