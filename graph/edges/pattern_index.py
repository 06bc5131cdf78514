"""Which of many groups of statements may apply to an ARN, without matching every group's patterns.

A `"*"` grant's question asks, for each of thousands of principals, whether one of its Allow
statements could cover the resource (`statement_may_match_resource`). Principals' Resource patterns
are mostly account-specific (`arn:aws:s3:::payments-prod-*`), so nearly all of them are ruled out
by their literal head alone: the index files every pattern under its head (`literal_head`) and,
for an ARN, looks up only the heads that are prefixes of `arn + "/"` (and, for a bucket's objects,
the heads under it). Each pattern found is still matched by `pattern_may_match`, so the answer is
exactly `any(statement_may_match_resource(shape, arn) for shape in group)` for every group.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from graph.edges.statements import StatementShape, literal_head, pattern_may_match


class PatternIndex:
    """Groups of statement shapes (numbered by the caller), indexed by their Resource patterns' heads."""

    __slots__ = ("_always", "_by_head", "_heads")

    def __init__(self, groups: Iterable[tuple[int, tuple[StatementShape, ...]]]) -> None:
        always: set[int] = set()
        by_head: dict[str, list[tuple[int, str]]] = {}
        for number, shapes in groups:
            for shape in shapes:
                if shape.not_resource or not shape.resources or "*" in shape.resources:
                    always.add(number)  # applies to every ARN (statement_may_match_resource)
                    break
                for pattern in shape.resources:
                    by_head.setdefault(literal_head(pattern), []).append((number, pattern))
        self._always = frozenset(always)
        self._by_head = by_head
        self._heads = sorted(by_head)

    def matching(self, arn: str, *, with_children: bool = False) -> set[int]:
        """The numbers of the groups holding a statement whose Resource may match `arn` (or its children)."""
        found = set(self._always)
        space = arn + "/"

        def test(head: str) -> None:
            for number, pattern in self._by_head[head]:
                if number not in found and pattern_may_match(pattern, arn, with_children=with_children):
                    found.add(number)

        for end in range(len(space) + 1):
            if space[:end] in self._by_head:
                test(space[:end])
        if with_children:  # patterns inside the bucket (`bucket/reports/*`)
            heads = self._heads
            at = bisect_left(heads, space)
            while at < len(heads) and heads[at].startswith(space):
                if heads[at] != space:  # looked up above
                    test(heads[at])
                at += 1
        return found
