"""Edges into resources, evaluated the first time a question needs them (issue 8, SPEC §7).

Resources are sinks: an edge into a resource is only ever the last hop of a path, so a question
needs the edges of the resources it is about and of no other. On a 500-account organization those
edges are 90% of the graph and 70% of the build, so the builder does not evaluate them.

What is eager (in `AccessGraph.graph`, built by `graph.build`): every node (accounts, users,
roles, services, federated providers, the public node, and ALL resources); member, assume-role,
pass-role, privilege-escalation, KMS-grant and S3-ACL edges; and the edges into resources from
callers that are not users or roles (the public node, uncollected accounts, services, federated
providers). Those are few (about 5% of the evaluations), and evaluating them keeps the node set
exactly what a full build gives (a source node exists only when one of its edges survives
evaluation), so `paths --from` an outsider, the external-access report and the findings see them
in the graph. For each modelled resource the builder also records a `Plan` (its request `Target`,
the callers its policy names, the Block Public Access restriction): the policy is parsed and its
warnings recorded at build time, so every answer carries the same warnings as a full build.

What is on demand (here): the edges into a resource from users and roles. `head` evaluates the
resource's candidates (`graph.edges.resources.callers`: its account's principals whose identity
policies could cover it, and the principals its policy names, de-duplicated as the build did);
for a `"*"` grant (or NotPrincipal), `tail` evaluates the other accounts' principals whose
identity policies could allow it (O(accounts) per resource; with an action, only that action).
Both go through the same `SharedOutcomes` as the build, so the edges are those a full build gives.
`out_of(principal)` (reach) evaluates only that principal's pairs, found through indexes made at
build time: the resources of its own account, the resources whose policy names it, and the
`"*"`-grant resources (tested with its identity statements); a superset is fine, evaluation decides.

Order: `head` edges come before the graph's own edges into the resource (grants), and `tail`
edges after them, as in a full build; the queries' tie-breaks between equally good paths depend
on that order.

Memo: every evaluated answer is kept on this object (one per `AccessGraph`), for the life of the
graph. The explorer asks questions from worker threads: one re-entrant lock guards the memo, the
evaluator's caches and the principal index's caches, so two workers never fill them at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.edges.common import Caller, EdgeKind, EdgeSpec
from graph.edges.principals import PrincipalIndex
from graph.edges.resources import ON_DEMAND, Plan, callers
from graph.edges.shared import SharedOutcomes
from graph.edges.statements import statement_may_cover_service, statement_may_match_resource

Attributes = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Split:
    """The on-demand edges of one (source, resource) pair, as networkx attribute dicts.

    `head` goes before the graph's own edges of the pair, `tail` after them (see the module docstring).
    """

    head: tuple[Attributes, ...] = ()
    tail: tuple[Attributes, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.head or self.tail)

    def all(self) -> list[Attributes]:
        """Head then tail."""
        return [*self.head, *self.tail]


_EMPTY = Split()


@dataclass(slots=True)
class LazyEdges:
    """The edges into resources from users and roles, evaluated per resource or per principal on demand."""

    principals: PrincipalIndex
    outcomes: SharedOutcomes
    wanted: frozenset[EdgeKind] | None = None
    plans: dict[str, Plan] = field(default_factory=dict)
    _by_account: dict[str, list[str]] = field(default_factory=dict)
    _naming: dict[str, list[str]] = field(default_factory=dict)
    _star: list[str] = field(default_factory=list)
    _callers: dict[str, tuple[Caller, ...]] = field(default_factory=dict)
    _head: dict[str, dict[str, tuple[Attributes, ...]]] = field(default_factory=dict)
    _tail: dict[tuple[str, str | None], dict[str, tuple[Attributes, ...]]] = field(default_factory=dict)
    _from: dict[str, dict[str, Split]] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def __getstate__(self) -> dict[str, Any]:
        """Everything but the lock (the explorer builds the graph in a child process and pickles it)."""
        return {name: getattr(self, name) for name in self.__slots__ if name != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._lock = threading.RLock()

    def add(self, plan: Plan) -> None:
        """Record a modelled resource whose user and role edges are left for later (build time)."""
        arn = plan.resource.arn
        self.plans[arn] = plan
        self._by_account.setdefault(plan.resource.account_id, []).append(arn)
        for node in dict.fromkeys(c.node for c in plan.named
                                  if c.kind in ON_DEMAND and c.account != plan.resource.account_id):
            self._naming.setdefault(node, []).append(arn)
        if plan.star:
            self._star.append(arn)

    @property
    def targets(self) -> Mapping[str, Plan]:
        """Every resource with on-demand edges, by ARN."""
        return self.plans

    @property
    def star_targets(self) -> list[str]:
        """The resources whose `"*"` grant (or NotPrincipal) reaches other accounts' principals."""
        return self._star

    def into(self, target: str, action: str | None = None) -> dict[str, Split]:
        """Source -> the on-demand edges into `target` (empty for nodes that are not modelled resources).

        `head` is evaluated for every action (as the build did); `tail`, the other accounts'
        principals of a `"*"` grant, only for the actions `action` matches (all without one).
        """
        plan = self.plans.get(target)
        if plan is None:
            return {}
        head = self._head_of(plan)
        tail = self._tail_of(plan, action) if plan.star else {}
        if not tail:
            return {source: Split(edges) for source, edges in head.items()}
        found = {source: Split(edges) for source, edges in head.items()}
        for source, edges in tail.items():
            found[source] = Split(found[source].head if source in found else (), edges)
        return found

    def out_of(self, source: str) -> dict[str, Split]:
        """Resource -> the on-demand edges out of the principal `source` (empty for other nodes)."""
        found = self._from.get(source)
        if found is not None:
            return found
        with self._lock:
            found = self._from.get(source)
            if found is None:
                found = self._from[source] = self._out_of(source)
        return found

    def between(self, source: str, target: str) -> Split:
        """The on-demand edges from `source` to `target` (evaluating only that pair when nothing is memoized)."""
        plan = self.plans.get(target)
        if plan is None:
            return _EMPTY
        head = self._head.get(target)
        tail = self._tail.get((target, None))
        if head is not None and (tail is not None or not plan.star):
            return Split(head.get(source, ()), tail.get(source, ()) if tail is not None else ())
        out = self._from.get(source)
        if out is not None:
            return out.get(target, _EMPTY)
        caller = self.principals.callers.get(source)
        if caller is None or caller.kind not in ON_DEMAND:
            return _EMPTY
        with self._lock:
            return self._pair(caller, plan)

    def all_edges(self) -> Iterator[EdgeSpec]:
        """Every on-demand edge, resource by resource (the whole build's cost: for exports and diffs)."""
        for arn, plan in self.plans.items():
            with self._lock:
                head = [edge for caller in self._callers_of(plan) for edge in self._evaluate(caller, plan)]
                tail = [edge for caller in self._star_callers(plan) for edge in self._evaluate(caller, plan)] \
                    if plan.star else []
            self._remember_head(arn, head)
            yield from head
            yield from tail

    def _head_of(self, plan: Plan) -> dict[str, tuple[Attributes, ...]]:
        arn = plan.resource.arn
        found = self._head.get(arn)
        if found is not None:
            return found
        with self._lock:
            found = self._head.get(arn)
            if found is None:
                edges = [edge for caller in self._callers_of(plan) for edge in self._evaluate(caller, plan)]
                found = self._remember_head(arn, edges)
        return found

    def _remember_head(self, arn: str, edges: list[EdgeSpec]) -> dict[str, tuple[Attributes, ...]]:
        with self._lock:
            found = self._head.get(arn)
            if found is None:
                found = self._head[arn] = _by_source(edges)
        return found

    def _tail_of(self, plan: Plan, action: str | None) -> dict[str, tuple[Attributes, ...]]:
        key = (plan.resource.arn, action)
        found = self._tail.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._tail.get(key)
            if found is None:
                edges = [edge for caller in self._star_callers(plan) for edge in self._evaluate(caller, plan, action)]
                found = self._tail[key] = _by_source(edges)
        return found

    def _callers_of(self, plan: Plan) -> tuple[Caller, ...]:
        """The users and roles the build evaluated against the resource, in its order (under the lock)."""
        found = self._callers.get(plan.resource.arn)
        if found is None:
            found = self._callers[plan.resource.arn] = tuple(
                caller for caller in callers(plan, self.principals) if caller.kind in ON_DEMAND)
        return found

    def _star_callers(self, plan: Plan) -> list[Caller]:
        """The other accounts' principals a `"*"` grant leaves to be evaluated (under the lock)."""
        resource = plan.resource
        evaluated = plan.named_nodes  # the build evaluates no other account's principal it does not name
        return [caller for account in sorted(self.principals.by_account) if account != resource.account_id
                for caller in self.principals.candidates(account, plan.scope.service, resource.arn,
                                                         with_children=plan.scope.with_children)
                if caller.node not in evaluated]

    def _admits(self, caller: Caller, plan: Plan) -> bool:
        """The `_star_callers` test for one caller (same answer, without walking every account)."""
        if caller.account == plan.resource.account_id or caller.node in plan.named_nodes:
            return False
        return any(statement_may_cover_service(shape, plan.scope.service)
                   and statement_may_match_resource(shape, plan.resource.arn, with_children=plan.scope.with_children)
                   for shape in self.principals.allows_of(caller.node))

    def _pair(self, caller: Caller, plan: Plan) -> Split:
        """The edges of one (principal, resource) pair, evaluated alone (under the lock)."""
        head: tuple[Attributes, ...] = ()
        if caller.account == plan.resource.account_id or caller.node in plan.named_nodes:
            memo = self._head.get(plan.resource.arn)
            if memo is not None:
                head = memo.get(caller.node, ())
            else:
                head = tuple(edge.attributes() for same in self._callers_of(plan) if same.node == caller.node
                             for edge in self._evaluate(same, plan))
        tail: tuple[Attributes, ...] = ()
        if plan.star and self._admits(caller, plan):
            tail = tuple(edge.attributes() for edge in self._evaluate(caller, plan))
        return Split(head, tail) if head or tail else _EMPTY

    def _out_of(self, source: str) -> dict[str, Split]:
        caller = self.principals.callers.get(source)
        if caller is None or caller.kind not in ON_DEMAND:
            return {}
        found: dict[str, Split] = {}
        nearby = [*self._by_account.get(caller.account, ()), *self._naming.get(source, ())]
        for arn in dict.fromkeys(nearby):
            split = self._pair(caller, self.plans[arn])
            if split:
                found[arn] = split
        for arn in self._star:
            plan = self.plans[arn]
            if arn not in found and self._admits(caller, plan):
                split = self._pair(caller, plan)
                if split:
                    found[arn] = split
        return found

    def _evaluate(self, caller: Caller, plan: Plan, action: str | None = None) -> list[EdgeSpec]:
        edges = self.outcomes.edges(caller, plan.target, plan.resource, only=action)
        return [edge for edge in edges if self.wanted is None or edge.kind in self.wanted]


def _by_source(edges: list[EdgeSpec]) -> dict[str, tuple[Attributes, ...]]:
    found: dict[str, list[Attributes]] = {}
    for edge in edges:
        found.setdefault(edge.source, []).append(edge.attributes())
    return {source: tuple(attributes) for source, attributes in found.items()}
