"""The principal index leaves out only statements whose Principal cannot name the caller (issue 10).

`NamingIndex.candidates` must hold every statement for which `PrincipalSet.match` (or a
NotPrincipal, `"*"`, or no Principal at all) could name the caller: the evaluator tests only those,
so one left out would be a grant or a Deny silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.policy import parse_caller, parse_policy
from graph.policy.principal_index import NamingIndex, policy_index, statements_listing_arn
from graph.policy.principals import Match, PrincipalSet, parse_principal_element

A, B = "111111111111", "222222222222"
ALICE_ID = "AIDAEXAMPLEALICE00001"
ENTRIES = {
    "AWS": [A, B, f"arn:aws:iam::{A}:root", f"arn:aws:iam::{B}:root", f"arn:aws:iam::{A}:role/app",
            f"arn:aws:iam::{A}:role/team/app", f"arn:aws:iam::{B}:user/alice", f"arn:aws:sts::{A}:assumed-role/app/s1",
            f"arn:aws:sts::{B}:federated-user/bob", ALICE_ID, "AROAEXAMPLEROLE000001", "*"],
    "Service": ["lambda.amazonaws.com", "Lambda.AmazonAWS.com", "cloudtrail.amazonaws.com"],
    "Federated": ["accounts.google.com", f"arn:aws:iam::{A}:saml-provider/okta"],
    "CanonicalUser": ["a" * 64],
}
CALLERS = [f"arn:aws:iam::{A}:role/app", f"arn:aws:iam::{A}:role/team/app", f"arn:aws:sts::{A}:assumed-role/app/s1",
           f"arn:aws:sts::{A}:assumed-role/app/s2", f"arn:aws:iam::{B}:user/alice", f"arn:aws:iam::{B}:root", A,
           f"arn:aws:sts::{B}:federated-user/bob", "lambda.amazonaws.com", "accounts.google.com",
           f"arn:aws:iam::{A}:saml-provider/okta", "a" * 64, "*"]


@dataclass(frozen=True, slots=True)
class _Statement:
    principals: PrincipalSet | None


_element = st.one_of(
    st.just("*"),
    st.dictionaries(st.sampled_from(sorted(ENTRIES)), st.just(0), min_size=1).flatmap(
        lambda kinds: st.fixed_dictionaries({kind: st.lists(st.sampled_from(ENTRIES[kind]), min_size=1, max_size=3)
                                             for kind in kinds})),
)
_statement = st.one_of(st.none(), _element.map(lambda element: parse_principal_element(element, "Principal")))


@settings(max_examples=80, deadline=None)
@given(st.lists(_statement, min_size=1, max_size=12), st.sampled_from(CALLERS),
       st.sampled_from([None, ALICE_ID, "AROAEXAMPLEROLE000001"]))
def test_every_statement_that_names_the_caller_is_a_candidate(principals: list[PrincipalSet | None], caller_text: str,
                                                              unique_id: str | None) -> None:
    statements = [_Statement(element) for element in principals]
    caller = parse_caller(caller_text)
    candidates = set(NamingIndex(statements).candidates(caller, (unique_id,)))
    for position, element in enumerate(principals):
        # no Principal (NotPrincipal, RCPs) is left to the evaluator for every caller
        names = element is None or element.match(caller, unique_id) is not Match.NONE
        if names:
            assert position in candidates, (position, element, caller_text, unique_id)


def test_a_policy_naming_many_accounts_gives_each_caller_its_own_statement() -> None:
    statements = [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{300000000000 + i}:root"},
                   "Action": "s3:GetObject", "Resource": "*"} for i in range(500)]
    statements.append({"Effect": "Deny", "NotPrincipal": {"AWS": A}, "Action": "s3:*", "Resource": "*"})
    statements.append({"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "*"})
    index = policy_index(parse_policy({"Version": "2012-10-17", "Statement": statements}))
    # account 300000000007's role is named through its account by statement 7 only; the NotPrincipal
    # and "*" statements may name every caller
    assert index.candidates(parse_caller("arn:aws:iam::300000000007:role/any")) == [7, 500, 501]
    # an account no statement lists sees only those two
    assert index.candidates(parse_caller(f"arn:aws:iam::{B}:user/alice")) == [500, 501]


def test_the_statements_listing_a_session_arn_are_found_by_it() -> None:
    session = f"arn:aws:sts::{A}:assumed-role/app/s1"
    policy = parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": session}, "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:role/app"}, "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "NotPrincipal": {"AWS": session}, "Action": "s3:PutObject", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": [B, session]}, "Action": "s3:ListBucket", "Resource": "*"},
    ]})
    # only a Principal (not NotPrincipal) listing the exact session ARN counts (SEMANTICS 2.2, session row)
    assert statements_listing_arn(policy, session) == frozenset({0, 3})
    assert statements_listing_arn(policy, f"arn:aws:sts::{A}:assumed-role/app/s2") == frozenset()
