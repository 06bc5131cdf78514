"""Edges into resources, evaluated the first time a question needs them (issue 8, SPEC §7).

Resources are sinks: an edge into a resource is only ever the last hop of a path, so a question
needs the edges of the resources it is about and of no other. On a 500-account organization those
edges are 90% of the graph and 70% of the build, so the builder does not evaluate them.

What is eager (in `AccessGraph.graph`, built by `graph.build`): every node (accounts, users,
roles, services, federated providers, the public node, and ALL resources); member, assume-role,
pass-role, privilege-escalation, KMS-grant and S3-ACL edges. Into resources, the build evaluates
only what decides which outsider nodes exist: an outsider (the public node, an uncollected account,
a service, a provider) named by a resource policy is evaluated against it until it has one edge
into some resource, since a full build adds its node only then (a handful of evaluations per
outsider; `paths --from` it, the external-access report and `outsiders` depend on that node).
Those edges stay in the graph. For each modelled resource the builder also records a `Plan` (its
request `Target`, the callers its policy names, the Block Public Access restriction): the policy is
parsed and its warnings recorded at build time, so every answer carries the warnings of a full build.

What is on demand (here): every other edge into a resource. `head` evaluates the resource's
candidates in the build's order (`graph.edges.resources.callers`: its account's principals whose
identity policies could cover it, then the callers its policy names, de-duplicated), but the
outsiders the build did; for a `"*"` grant (or NotPrincipal), `tail` evaluates the other accounts'
principals whose identity policies could allow it (O(accounts) per resource; with an action, only
that action). Both go through the same `SharedOutcomes` as the build, so the edges are those a full
build gives. `out_of(source)` (reach) evaluates only that source's pairs, found through indexes
made at build time: the resources of a principal's own account, the resources whose policy names
the source, and the `"*"`-grant resources (tested with the principal's identity statements); a
superset is fine, evaluation decides.

Order: `head` edges come before the graph's own edges into the resource (grants), and `tail`
edges after them, as in a full build; the queries' tie-breaks between equally good paths depend
on that order.

Memo: every evaluated answer is kept on this object (one per `AccessGraph`), for the life of the
graph. The explorer asks questions from worker threads: one re-entrant lock guards the memo, the
evaluator's caches and the principal index's caches, so two workers never fill them at once.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.edges.common import Caller, EdgeKind, EdgeSpec
from graph.edges.pattern_index import PatternIndex
from graph.edges.principals import PrincipalIndex
from graph.edges.resources import PRINCIPAL_KINDS, Plan, callers
from graph.edges.shared import Repeats, Shared, SharedOutcomes
from graph.edges.statements import StatementShape, statement_may_cover_service, statement_may_match_resource

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
    """The edges into resources the build left out, evaluated per resource or per source on demand."""

    principals: PrincipalIndex
    outcomes: SharedOutcomes
    wanted: frozenset[EdgeKind] | None = None
    plans: dict[str, Plan] = field(default_factory=dict)
    _eager: dict[str, frozenset[str]] = field(default_factory=dict)
    _by_account: dict[str, list[str]] = field(default_factory=dict)
    _naming: dict[str, list[str]] = field(default_factory=dict)
    _star: list[str] = field(default_factory=list)
    _callers: dict[str, tuple[Caller, ...]] = field(default_factory=dict)
    _head: dict[str, dict[str, tuple[Attributes, ...]]] = field(default_factory=dict)
    _tail: dict[tuple[str, str | None], dict[str, tuple[Attributes, ...]]] = field(default_factory=dict)
    _from: dict[str, dict[str, Split]] = field(default_factory=dict)
    _covering: dict[tuple[str, str], tuple[StatementShape, ...]] = field(default_factory=dict)
    _by_service: dict[str, list[tuple[str, list[tuple[str, int]]]]] = field(default_factory=dict)
    _shape_classes: list[tuple[StatementShape, ...]] = field(default_factory=list)
    _indexes: dict[str, PatternIndex] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def __getstate__(self) -> dict[str, Any]:
        """Everything but the lock (the explorer builds the graph in a child process and pickles it)."""
        return {name: getattr(self, name) for name in self.__slots__ if name != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._lock = threading.RLock()

    def add(self, plan: Plan, eager: frozenset[str] = frozenset()) -> None:
        """Record a modelled resource whose edges are left for later (build time).

        Args:
            plan: the resource's plan.
            eager: outsider nodes whose edges into this resource the build evaluated (they are in the graph).
        """
        arn = plan.resource.arn
        self.plans[arn] = plan
        if eager:
            self._eager[arn] = eager
        self._by_account.setdefault(plan.resource.account_id, []).append(arn)
        for node in dict.fromkeys(c.node for c in plan.named if c.node not in eager and (
                c.kind not in PRINCIPAL_KINDS or c.account != plan.resource.account_id)):
            self._naming.setdefault(node, []).append(arn)
        if plan.star:
            self._star.append(arn)

    def prepare(self) -> None:
        """Work out at build time what every question on a `"*"` grant reads of its callers.

        For each service with such a grant: its principals and their `PatternIndex`
        (`_service_lists`), and each of those callers' profile numbers for the grants' resource
        types (`SharedOutcomes.prepare`). Without it the first such question of each service paid
        this (0.3-0.4 s of a 0.75 s answer at 500 accounts).
        """
        types: dict[str, set[str]] = {}
        for arn in self._star:
            plan = self.plans[arn]
            types.setdefault(plan.scope.service, set()).add(plan.resource.type)
        callers = self.principals.callers
        for service, of_service in sorted(types.items()):
            ordered = sorted(of_service)
            for _, nodes in self._service_lists(service):
                for node, _ in nodes:
                    self.outcomes.prepare(callers[node], ordered)

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
        head, tail = self.into_parts(target, action)
        found = {source: Split(edges) for source, edges in head.items()}
        for source, edges in tail.items():
            found[source] = Split(found[source].head if source in found else (), edges)
        return found

    def into_parts(self, target: str, action: str | None = None) -> tuple[
            Mapping[str, tuple[Attributes, ...]], Mapping[str, tuple[Attributes, ...]]]:
        """`into` as its head and tail maps (source -> attribute dicts), without a `Split` per source."""
        plan = self.plans.get(target)
        if plan is None:
            return {}, {}
        return self._head_of(plan), self._tail_of(plan, action) if plan.star else {}

    def out_of(self, source: str) -> dict[str, Split]:
        """Resource -> the on-demand edges out of `source` (a user, a role or an outsider a policy names)."""
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
        with self._lock:
            return self._pair(source, plan)

    def all_edges(self) -> Iterator[EdgeSpec]:
        """Every on-demand edge, resource by resource (the whole build's cost: for exports and diffs)."""
        for arn, plan in self.plans.items():
            with self._lock:
                head = self._evaluate_all(self._callers_of(plan), plan)
                tail = self._evaluate_all(self._star_callers(plan), plan) if plan.star else []
            self._remember_head(arn, head)
            yield from head
            yield from tail

    def evaluate_heads(self) -> int:
        """Evaluate (and memoize) every resource's edges but a `"*"` grant's other accounts; the number of edges.

        That is what a full build evaluated before these edges were left to the questions: the
        benchmark's "full evaluation" figure. `all_edges` adds the `"*"` grants' other accounts,
        O(accounts²) edges in all.
        """
        return sum(len(edges) for plan in self.plans.values() for edges in self._head_of(plan).values())

    def _head_of(self, plan: Plan) -> dict[str, tuple[Attributes, ...]]:
        arn = plan.resource.arn
        found = self._head.get(arn)
        if found is not None:
            return found
        with self._lock:
            found = self._head.get(arn)
            if found is None:
                found = self._head[arn] = self._attributes_by_source(self._callers_of(plan), plan, None)
        return found

    def _remember_head(self, arn: str, edges: list[EdgeSpec]) -> dict[str, tuple[Attributes, ...]]:
        with self._lock:
            found = self._head.get(arn)
            if found is None:
                found = self._head[arn] = _by_source(edges)
        return found

    def _attributes_by_source(self, callers: Iterable[Caller], plan: Plan,
                              action: str | None) -> dict[str, tuple[Attributes, ...]]:
        """Source -> its edges' attributes, in the callers' order (under the lock).

        Callers whose edges are the same but for their source (an equal `Shared` token) share one
        tuple of attribute dicts: a `"*"` grant gives thousands of principals the same few answers,
        and nothing mutates edge attributes.
        """
        found: dict[str, list[Attributes]] = {}
        made: dict[Shared, tuple[Attributes, ...]] = {}
        for caller, edges, token in self.outcomes.edges_of(callers, plan.target, plan.resource, only=action,
                                                           repeats=Repeats.ELIDED):
            if edges is None:  # an earlier caller's edges, from this caller's node
                attributes = made[token] if token is not None else ()
            else:
                if self.wanted is not None:
                    edges = [edge for edge in edges if edge.kind in self.wanted]
                attributes = tuple(edge.attributes() for edge in edges)
                if token is not None:
                    made[token] = attributes
            if attributes:
                if caller.node in found:
                    found[caller.node].extend(attributes)
                else:
                    found[caller.node] = list(attributes)
        return {source: tuple(attributes) for source, attributes in found.items()}

    def _evaluate_all(self, callers: Iterable[Caller], plan: Plan, action: str | None = None) -> list[EdgeSpec]:
        """The edges of every caller, in order (under the lock)."""
        return [edge for _, edges, _ in self.outcomes.edges_of(callers, plan.target, plan.resource, only=action)
                for edge in edges or () if self.wanted is None or edge.kind in self.wanted]

    def _tail_of(self, plan: Plan, action: str | None) -> dict[str, tuple[Attributes, ...]]:
        key = (plan.resource.arn, action)
        found = self._tail.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._tail.get(key)
            if found is None:
                found = self._tail[key] = self._attributes_by_source(self._star_callers(plan), plan, action)
        return found

    def _callers_of(self, plan: Plan) -> tuple[Caller, ...]:
        """The callers a full build evaluates against the resource, in its order, but those the build did (under the lock)."""
        found = self._callers.get(plan.resource.arn)
        if found is None:
            eager = self._eager.get(plan.resource.arn, frozenset())
            found = self._callers[plan.resource.arn] = tuple(
                caller for caller in callers(plan, self.principals) if caller.node not in eager)
        return found

    def _star_callers(self, plan: Plan) -> list[Caller]:
        """The other accounts' principals a `"*"` grant leaves to be evaluated (under the lock).

        `PrincipalIndex.candidates` of every other account, in its order: those with a covering
        statement whose Resource may match the ARN, found once per distinct set of covering
        statements through the service's `PatternIndex` (not by matching every principal's patterns).
        """
        resource = plan.resource
        lists = self._service_lists(plan.scope.service)
        admitted = self._indexes[plan.scope.service].matching(resource.arn, with_children=plan.scope.with_children)
        evaluated = plan.named_nodes  # the build evaluates no other account's principal it does not name
        callers = self.principals.callers
        own = resource.account_id
        return [callers[node] for account, nodes in lists if account != own
                for node, number in nodes if number in admitted and node not in evaluated]

    def _service_lists(self, service: str) -> list[tuple[str, list[tuple[str, int]]]]:
        """Every account's principals that may be allowed `service`, in `candidates` order, with the
        number of their covering statements' class (made once per service with the classes'
        `PatternIndex`, under the lock)."""
        found = self._by_service.get(service)
        if found is None:
            numbers: dict[tuple[StatementShape, ...], int] = {
                shapes: number for number, shapes in enumerate(self._shape_classes)}
            used: set[int] = set()
            found = []
            for account in sorted(self.principals.by_account):
                nodes = []
                for node in sorted(self.principals.service_nodes(account, service)):
                    covering = self._covering_of(node, service)
                    number = numbers.get(covering)
                    if number is None:
                        number = numbers[covering] = len(self._shape_classes)
                        self._shape_classes.append(covering)
                    nodes.append((node, number))
                    used.add(number)
                found.append((account, nodes))
            self._indexes[service] = PatternIndex((number, self._shape_classes[number]) for number in sorted(used))
            self._by_service[service] = found
        return found

    def _covering_of(self, node: str, service: str) -> tuple[StatementShape, ...]:
        """The principal's Allow statements that could cover some action of `service`."""
        key = (node, service)
        covering = self._covering.get(key)
        if covering is None:  # reach asks this of every "*" grant, most of them of one service
            covering = self._covering[key] = tuple(shape for shape in self.principals.allows_of(node)
                                                   if _may_cover_service(shape.actions, shape.not_action, service))
        return covering

    def _admits(self, caller: Caller, plan: Plan) -> bool:
        """The `_star_callers` test for one caller (same answer, without walking every account)."""
        if caller.account == plan.resource.account_id or caller.node in plan.named_nodes:
            return False
        covering = self._covering_of(caller.node, plan.scope.service)
        return any(statement_may_match_resource(shape, plan.resource.arn, with_children=plan.scope.with_children)
                   for shape in covering)

    def _pair(self, source: str, plan: Plan) -> Split:
        """The on-demand edges of one (source, resource) pair, evaluated alone (under the lock)."""
        caller = self.principals.callers.get(source)
        head: tuple[Attributes, ...] = ()
        if source in plan.named_nodes or (caller is not None and caller.account == plan.resource.account_id):
            memo = self._head.get(plan.resource.arn)
            if memo is not None:
                head = memo.get(source, ())
            else:
                head = tuple(edge.attributes() for same in self._callers_of(plan) if same.node == source
                             for edge in self._evaluate(same, plan))
        tail: tuple[Attributes, ...] = ()
        if plan.star and caller is not None and self._admits(caller, plan):
            tail = tuple(edge.attributes() for edge in self._evaluate(caller, plan))
        return Split(head, tail) if head or tail else _EMPTY

    def _out_of(self, source: str) -> dict[str, Split]:
        caller = self.principals.callers.get(source)
        found: dict[str, Split] = {}
        nearby = self._naming.get(source, [])
        if caller is not None and caller.account is not None:
            nearby = [*self._by_account.get(caller.account, ()), *nearby]
        for arn in dict.fromkeys(nearby):
            split = self._pair(source, self.plans[arn])
            if split:
                found[arn] = split
        if caller is None:
            return found
        for arn in self._star:
            plan = self.plans[arn]
            if arn not in found and self._admits(caller, plan):
                split = self._pair(source, plan)
                if split:
                    found[arn] = split
        return found

    def _evaluate(self, caller: Caller, plan: Plan, action: str | None = None) -> list[EdgeSpec]:
        edges = self.outcomes.edges(caller, plan.target, plan.resource, only=action)
        return [edge for edge in edges if self.wanted is None or edge.kind in self.wanted]


@lru_cache(maxsize=65536)
def _may_cover_service(actions: tuple[str, ...], not_action: bool, service: str) -> bool:
    """`statement_may_cover_service` by Action element (it reads nothing else; principals repeat a few elements)."""
    return statement_may_cover_service(StatementShape(0, "Allow", actions, not_action, (), False, (), False), service)


def _by_source(edges: list[EdgeSpec]) -> dict[str, tuple[Attributes, ...]]:
    found: dict[str, list[Attributes]] = {}
    for edge in edges:
        found.setdefault(edge.source, []).append(edge.attributes())
    return {source: tuple(attributes) for source, attributes in found.items()}
