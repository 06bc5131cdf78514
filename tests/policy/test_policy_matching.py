"""Wildcard, action and ARN matching, including property tests against reference matchers.

RES: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
ACT: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
CO (ArnLike): https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.policy import action_matches, resource_matches
from graph.policy.wildcard import arn_like_matches, glob_matches


@pytest.mark.parametrize(("pattern", "action", "expected"), [
    ("*", "s3:GetObject", True),                       # ACT: "*" is every action
    ("s3:*", "s3:GetObject", True),
    ("s3:*", "S3:GETOBJECT", True),                   # ACT: case-insensitive
    ("S3:Get*", "s3:getobject", True),
    ("s3:Get*", "s3:PutObject", False),
    ("s3:*Object", "s3:GetObject", True),
    ("s3:*Object", "s3:GetObjectAcl", False),
    ("s3:Get?bject", "s3:GetObject", True),
    ("s3:Get?bject", "s3:GetObbject", False),
    ("s3:GetObject", "s3:GetObjectAcl", False),       # no implicit prefix match
    ("sqs:*", "sns:Publish", False),                   # PMapper bug: upper-case SQS:/SNS: matched everything
    ("SQS:*", "sns:Publish", False),
    ("s*:Get*", "s3:GetObject", True),                 # SEMANTICS 6: legal but rare
    ("iam:*", "iam:PassRole", True),
])
def test_action_matching(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize(("pattern", "arn", "expected"), [
    ("*", "arn:aws:s3:::b/k", True),
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b/dir/sub/key", True),          # RES: * spans '/'
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b", False),                     # bucket vs objects
    ("arn:aws:s3:::b*", "arn:aws:s3:::b/k", True),
    ("arn:aws:s3:::b", "arn:aws:s3:::B", False),                       # RES: case-sensitive
    ("arn:aws:iam::*:role/x", "arn:aws:iam::111111111111:role/x", True),
    ("arn:aws:iam::*:role/x", "arn:aws:iam::111111111111:role/y", False),
    ("arn:aws:iam::111111111111:*", "arn:aws:iam::111111111111:role/a/b", True),
    ("arn:aws:sqs:*:111111111111:q", "arn:aws:sqs:us-east-1:111111111111:q", True),
    # IAM Resource element reference: a `*` that ends a segment "can expand to match beyond the colon
    # boundaries" (reference_policies_elements_resource.html, "Using wildcards in resource ARNs")
    ("arn:aws:sqs:*:q", "arn:aws:sqs:us-east-1:111111111111:q", True),
    ("arn:aws:sqs:*:q", "arn:aws:sqs:us-east-1:111111111111:p", False),
    ("arn:aws:ec2:*:instance/*", "arn:aws:ec2:us-east-1:111111111111:instance/i-1", True),
    ("arn:aws:logs:*:*:log-stream:s", "arn:aws:logs:us-east-1:111111111111:log-group:g:log-stream:s", True),
    ("arn:aws:sqs:*:222222222222:q", "arn:aws:sqs:us-east-1:111111111111:q", False),
    ("arn:aws:sqs:us-east-1:q", "arn:aws:sqs:us-east-1:111111111111:q", False),  # no star to span with
    ("arn:aws:sqs:us-east-?:111111111111:q", "arn:aws:sqs:us-east-1:111111111111:q", True),
    ("arn:aws:lambda:us-east-1:111111111111:function:f:*", "arn:aws:lambda:us-east-1:111111111111:function:f:1", True),
    ("arn:aws:lambda:us-east-1:111111111111:function:*", "arn:aws:lambda:us-east-1:111111111111:function:f:prod", True),
    ("arn:aws:s3:::b/*", "not-an-arn", False),
    ("arn:aws:s3:::b/a?c", "arn:aws:s3:::b/abc", True),
    ("arn:aws:s3:::b/a?c", "arn:aws:s3:::b/ac", False),
])
def test_resource_matching(pattern: str, arn: str, expected: bool) -> None:
    assert resource_matches(pattern, arn) is expected


def _reference(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    """fnmatch-style reference: `*` -> `.*`, `?` -> `.`, everything else literal."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(body, text, re.DOTALL | (re.IGNORECASE if ignore_case else 0)) is not None


_ALPHABET = st.sampled_from("ab*?/:")
_TEXT = st.text(alphabet="ab/:", max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=10), _TEXT)
def test_glob_agrees_with_the_regex_reference(pattern: str, text: str) -> None:
    assert glob_matches(pattern, text) is _reference(pattern, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aB*?:", max_size=10), st.text(alphabet="abAB:", max_size=10))
def test_action_matching_agrees_with_a_case_insensitive_reference(pattern: str, action: str) -> None:
    assert action_matches(pattern, action) is _reference(pattern, action, ignore_case=True)


_SEGMENT = st.text(alphabet="ab1*?", max_size=4)
_ARN_SEGMENT = st.text(alphabet="ab1", max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SEGMENT, min_size=5, max_size=5), st.text(alphabet="ab1/:*?", max_size=8),
       st.lists(_ARN_SEGMENT, min_size=5, max_size=5), st.text(alphabet="ab1/:", max_size=8))
def test_arn_matching_is_segment_by_segment(pattern_parts: list[str], pattern_resource: str,
                                            arn_parts: list[str], arn_resource: str) -> None:
    # ArnLike (condition operators reference): each of the first five segments matches on its own; the
    # resource part may contain ':'. Resource (RES): the same, and a segment ending in `*` may also
    # expand beyond the colon boundaries (then the whole pattern is one glob over the whole ARN).
    pattern = ":".join(["arn", *pattern_parts[1:], pattern_resource])
    arn = ":".join(["arn", *arn_parts[1:], arn_resource])
    by_segment = all(_reference(p, a) for p, a in zip(pattern_parts[1:], arn_parts[1:])) and \
        _reference(pattern_resource, arn_resource)
    assert arn_like_matches(pattern, arn) is by_segment
    spanning = any(part.endswith("*") for part in pattern_parts[1:]) and _reference(pattern, arn)
    assert resource_matches(pattern, arn) is (by_segment or spanning)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_star_matches_everything_and_text_matches_itself(text: str) -> None:
    assert glob_matches("*", text)
    assert glob_matches(text, text)


def test_many_stars_on_a_long_arn_are_fast() -> None:
    # A backtracking matcher takes exponential time on '*a*a*a...b'; ours is linear per piece.
    arn = "arn:aws:s3:::bucket/" + "a" * 20_000
    pattern = "arn:aws:s3:::bucket/" + "*a" * 50 + "*b"
    start = time.perf_counter()
    assert not resource_matches(pattern, arn)
    assert not glob_matches("*a" * 50 + "*b", "a" * 20_000)
    assert resource_matches("arn:aws:s3:::bucket/" + "*a" * 50 + "*", arn)
    assert time.perf_counter() - start < 1.0


def test_question_marks_with_stars_on_a_long_text_are_fast() -> None:
    text = "ab" * 10_000
    start = time.perf_counter()
    assert not glob_matches("*a?" * 25 + "*c", text)
    assert glob_matches("*a?" * 25 + "*", text)
    assert time.perf_counter() - start < 1.0


def test_a_segment_final_star_spans_colons_in_allow_and_deny_but_not_in_arn_like() -> None:
    # Resource element reference: `*` ending a segment can expand beyond the colon boundaries;
    # ArnLike (condition operators reference) checks each of the six components separately.
    from graph.policy import Decision, Request, evaluate, parse_policy

    queue = "arn:aws:sqs:us-east-1:111111111111:q"
    short = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:*:q"}
    deny = {"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:*:q"}
    arn_like = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*",
                "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sqs:*:q"}}}

    def decide(*statements: dict[str, object], context: dict[str, object] | None = None) -> Decision:
        policy = parse_policy({"Version": "2012-10-17", "Statement": list(statements)})
        return evaluate(Request(principal="arn:aws:iam::111111111111:user/u", action="sqs:SendMessage",
                                resource=queue, resource_account="111111111111", identity_policies=(policy,),
                                context=context or {})).decision

    assert decide(short) is Decision.ALLOWED
    assert decide({**short, "Resource": "*"}, deny) is Decision.EXPLICIT_DENY
    assert decide(arn_like, context={"aws:SourceArn": queue}) is Decision.IMPLICIT_DENY
