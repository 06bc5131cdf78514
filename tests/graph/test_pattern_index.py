"""The index a `"*"` grant's question uses to find the principals whose statements may cover its ARN.

`PatternIndex.matching` must name exactly the groups for which some statement passes
`statement_may_match_resource`: one group too few would drop a principal from who-can (a wrong
"nobody can reach it"), one too many only costs an evaluation.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.edges.pattern_index import PatternIndex
from graph.edges.statements import StatementShape, statement_may_match_resource

_PIECES = ["arn:aws:s3:::", "pay", "ments", "-", "prod", "/", "reports", "*", "?", "${aws:username}", "$", "a", "b"]
_BUCKETS = ["arn:aws:s3:::payments", "arn:aws:s3:::payments-prod", "arn:aws:s3:::pay", "arn:aws:s3:::a",
            "arn:aws:s3:::ab", "arn:aws:sqs:us-east-1:111111111111:payments"]

patterns = st.one_of(
    st.just("*"),
    st.sampled_from(_BUCKETS),
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6).map("".join),
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=5).map(lambda parts: "arn:aws:s3:::" + "".join(parts)),
)


def _shape(resources: tuple[str, ...], not_resource: bool) -> StatementShape:
    return StatementShape(0, "Allow", ("s3:*",), False, resources, not_resource, (), False)


shapes = st.builds(_shape, st.lists(patterns, max_size=3).map(tuple), st.booleans())
groups = st.lists(st.lists(shapes, min_size=1, max_size=3).map(tuple), min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(groups, st.sampled_from(_BUCKETS), st.booleans())
def test_matching_names_exactly_the_groups_a_statement_may_cover(found_groups, arn, with_children):
    index = PatternIndex(enumerate(found_groups))
    expected = {number for number, group in enumerate(found_groups)
                if any(statement_may_match_resource(shape, arn, with_children=with_children) for shape in group)}
    assert index.matching(arn, with_children=with_children) == expected


def test_account_specific_patterns_of_other_buckets_are_ruled_out_and_children_count():
    index = PatternIndex(enumerate([
        (_shape(("arn:aws:s3:::payments-prod-*",), False),),   # 0: another account's buckets
        (_shape(("arn:aws:s3:::payments/reports/*",), False),),  # 1: objects of the bucket only
        (_shape(("arn:aws:s3:::pay*",), False),),               # 2: a wildcard over the bucket's name
        (_shape((), True),),                                      # 3: NotResource: anything
        (_shape(("arn:aws:s3:::${aws:username}",), False),),    # 4: a variable: may be any bucket
        (_shape(("arn:aws:s3:::payments/*",), False),),         # 5: every object of the bucket
    ]))
    assert index.matching("arn:aws:s3:::payments") == {2, 3, 4}
    # with the bucket's objects, the object grants count: s3:GetObject on payments/reports/x
    assert index.matching("arn:aws:s3:::payments", with_children=True) == {1, 2, 3, 4, 5}
    assert index.matching("arn:aws:s3:::payments-prod-eu") == {0, 2, 3, 4}
