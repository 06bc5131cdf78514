"""Grants to everyone (`"*"`), expanded to other accounts' principals only when a question needs them.

A resource policy that admits `"*"` (usually narrowed by `aws:PrincipalOrgID`) reaches every
principal of every collected account whose own policies allow the action: in an organization of
N accounts that is O(N) principals per resource and O(N²) edges in all, too many to build. The
builder evaluates the public node and the resource's own account at once (and every principal the
policy names), and leaves the principals of the other accounts here. `edges_to` (who-can, paths)
and `edges_from` (reach) evaluate them on demand, through the same `evaluate_pair` and candidate
index as the eager edges, so the answers are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.edges.catalog import service_of
from graph.edges.common import Caller, EdgeKind, EdgeSpec, Target
from graph.edges.principals import PrincipalIndex
from graph.edges.shared import SharedOutcomes
from graph.edges.statements import statement_may_cover_service, statement_may_match_resource
from graph.model import Resource, ResourceType


@dataclass(frozen=True, slots=True)
class Deferred:
    """One resource whose `"*"` grant still has other accounts' principals to evaluate."""

    resource: Resource
    target: Target
    service: str
    evaluated: frozenset[str]
    """Caller nodes already evaluated eagerly against this resource (named ones, own account)."""


@dataclass(slots=True)
class LazyGrants:
    """The deferred part of the graph: resource -> other accounts' principals via a `"*"` grant."""

    principals: PrincipalIndex
    outcomes: SharedOutcomes
    wanted: frozenset[EdgeKind] | None = None
    deferred: dict[str, Deferred] = field(default_factory=dict)
    _to: dict[tuple[str, str | None], tuple[EdgeSpec, ...]] = field(default_factory=dict)
    _from: dict[str, tuple[EdgeSpec, ...]] = field(default_factory=dict)
    _into_by_source: dict[tuple[str, str | None], dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    _out_by_target: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def defer(self, resource: Resource, target: Target, evaluated: frozenset[str]) -> None:
        """Record that `resource`'s `"*"` grant was not expanded to the other accounts."""
        self.deferred[resource.arn] = Deferred(resource, target, service_of(resource.type) or "", evaluated)

    @property
    def targets(self) -> Mapping[str, Deferred]:
        """The resources with deferred principals, by ARN."""
        return self.deferred

    def edges_to(self, target: str, action: str | None = None) -> tuple[EdgeSpec, ...]:
        """Every deferred edge into `target` (empty when it has none); with `action`, only its actions."""
        found = self._to.get((target, action))
        if found is None:
            entry = self.deferred.get(target)
            found = () if entry is None else tuple(
                edge for caller in self._candidates(entry) for edge in self._evaluate(caller, entry, action))
            self._to[(target, action)] = found
        return found

    def edges_from(self, source: str) -> tuple[EdgeSpec, ...]:
        """Every deferred edge out of the principal `source` (empty for other nodes)."""
        found = self._from.get(source)
        if found is None:
            caller = self.principals.callers.get(source)
            found = () if caller is None else tuple(
                edge for entry in self.deferred.values() if self._admits(caller, entry)
                for edge in self._evaluate(caller, entry))
            self._from[source] = found
        return found

    def into(self, target: str, action: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """`edges_to` as source -> edge attributes (the networkx attribute dicts)."""
        key = (target, action)
        found = self._into_by_source.get(key)
        if found is None:
            found = self._into_by_source[key] = _by(self.edges_to(target, action), lambda edge: edge.source)
        return found

    def out_of(self, source: str) -> dict[str, list[dict[str, Any]]]:
        """`edges_from` as target -> edge attributes."""
        found = self._out_by_target.get(source)
        if found is None:
            found = self._out_by_target[source] = _by(self.edges_from(source), lambda edge: edge.target)
        return found

    def between(self, source: str, target: str) -> list[dict[str, Any]]:
        """Attributes of the deferred edges from `source` to `target` (evaluating only that pair)."""
        if target not in self.deferred:
            return []
        if (target, None) in self._into_by_source:
            return self._into_by_source[(target, None)].get(source, [])
        if source in self._out_by_target:
            return self._out_by_target[source].get(target, [])
        caller = self.principals.callers.get(source)
        entry = self.deferred[target]
        if caller is None or not self._admits(caller, entry):
            return []
        return [edge.attributes() for edge in self._evaluate(caller, entry)]

    def all_edges(self) -> Iterator[EdgeSpec]:
        """Every deferred edge (expensive on a large organization: for exports only)."""
        for arn in self.deferred:
            yield from self.edges_to(arn)

    def _candidates(self, entry: Deferred) -> list[Caller]:
        with_children = entry.resource.type == ResourceType.S3_BUCKET
        return [caller for account in sorted(self.principals.by_account) if account != entry.resource.account_id
                for caller in self.principals.candidates(account, entry.service, entry.resource.arn,
                                                         with_children=with_children)
                if caller.node not in entry.evaluated]

    def _admits(self, caller: Caller, entry: Deferred) -> bool:
        """The `_candidates` test for one caller (same answer, without walking every account)."""
        if caller.account == entry.resource.account_id or caller.node in entry.evaluated:
            return False
        with_children = entry.resource.type == ResourceType.S3_BUCKET
        return any(statement_may_cover_service(shape, entry.service)
                   and statement_may_match_resource(shape, entry.resource.arn, with_children=with_children)
                   for shape in self.principals.allows_of(caller.node))

    def _evaluate(self, caller: Caller, entry: Deferred, action: str | None = None) -> list[EdgeSpec]:
        edges = self.outcomes.edges(caller, entry.target, entry.resource, only=action)
        return [edge for edge in edges if self.wanted is None or edge.kind in self.wanted]


def _by(edges: tuple[EdgeSpec, ...], node: Callable[[EdgeSpec], str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for edge in edges:
        found.setdefault(node(edge), []).append(edge.attributes())
    return found
