"""The questions users ask of an access graph: who can reach X, the paths from A to X, what A reaches.

Paths only pass through principals (users and roles); the first hop from an account is `member`,
role assumptions chain roles, and a path ends with a resource-policy, identity-policy or
assume-role hop into its target. An `action` filter applies to that final hop. Path
enumeration is lazy (a generator, shortest first) and pruned by the distance to the target, so a
dense trust mesh yields its first paths at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.build import AccessGraph
from graph.edges.common import PUBLIC_NODE, EdgeKind, Grant, NodeKind, Status
from graph.edges.statements import action_pattern_matches
from graph.edges.encryption import KeyRequirement, key_requirement
from graph.errors import QueryError
from graph.gc_pause import collector_paused
from graph.policy import Condition

_PRINCIPALS = frozenset({str(NodeKind.USER), str(NodeKind.ROLE)})
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ACTION = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$")
_EDGE_KINDS: dict[str, EdgeKind] = {str(kind): kind for kind in EdgeKind}
_STATUSES: dict[str, Status] = {str(status): status for status in Status}
"""Enum members by value: `EdgeKind(value)` costs microseconds, and who-can reads ~100,000 edges at scale."""
_KIND_ORDER = {"account": 0, "user": 1, "role": 2, "federated": 3, "service": 4, "public": 5}

PUBLIC_NOTE = ("'*' (public) stands for every principal, in or out of the organization, whose own policies "
               "allow the action, and for anonymous callers where the service allows them")

_MECHANISM = {
    EdgeKind.MEMBER: "membership",
    EdgeKind.ASSUME_ROLE: "role assumption (temporary STS credentials)",
    EdgeKind.ASSUME_ROLE_SAML: "role assumption with SAML (temporary STS credentials)",
    EdgeKind.ASSUME_ROLE_WEB_IDENTITY: "role assumption with web identity (temporary STS credentials)",
    EdgeKind.RESOURCE_POLICY: "resource-policy grant (direct)",
    EdgeKind.IDENTITY_POLICY: "identity-policy grant (same account)",
    EdgeKind.PASS_ROLE: "pass-role (runs code as the role through a service)",
    EdgeKind.PRIVILEGE_ESCALATION: "privilege escalation (rewrites IAM to act as the principal)",
    EdgeKind.KMS_GRANT: "KMS grant (direct)",
    EdgeKind.S3_ACL: "S3 ACL grant (direct)",
}


# Hop, AccessPath and PrincipalAccess are values: never changed once made, hashable, compared by
# fields. Not `frozen`: a frozen dataclass's __init__ sets each field through object.__setattr__
# (2.5 us for a Hop against 0.5 us), and a who-can at 500 accounts makes ~30,000 of them.


@dataclass(slots=True, unsafe_hash=True)
class Hop:
    """One edge of a path."""

    source: str
    target: str
    kind: EdgeKind
    actions: tuple[str, ...]
    status: Status
    conditions: tuple[Condition, ...] = ()
    deny_conditions: tuple[Condition, ...] = ()
    granted_by: tuple[Grant, ...] = ()
    chained: bool = False
    scope: str | None = None
    contested: bool = False
    """The hop rests on a reading AWS does not document either way (the edge's `contested`)."""

    @classmethod
    def from_edge(cls, source: str, target: str, data: dict[str, Any]) -> Hop:
        return cls(source, target, _EDGE_KINDS[data["kind"]], tuple(data["actions"]), _STATUSES[data["status"]],
                   tuple(data["conditions"]), tuple(data["deny_conditions"]), tuple(data["granted_by"]),
                   bool(data.get("chained")), data.get("scope"), bool(data.get("contested")))

    @property
    def mechanism(self) -> str:
        """How the hop works, in words (role assumption versus direct grant)."""
        return _MECHANISM[self.kind]

    def to_json(self) -> dict[str, Any]:
        """The SPEC §4 HOP shape, plus status, mechanism, chained, scope and deny_conditions."""
        hop: dict[str, Any] = {
            "from": self.source, "to": self.target, "edge": str(self.kind), "actions": list(self.actions),
            "conditions": [c.to_json() for c in self.conditions],
            "granted_by": [g.to_json() for g in self.granted_by],
            "status": str(self.status), "mechanism": self.mechanism, "chained": self.chained,
        }
        if self.scope is not None:
            hop["scope"] = self.scope
        if self.deny_conditions:
            hop["deny_conditions"] = [c.to_json() for c in self.deny_conditions]
        if self.contested:
            hop["contested"] = True
        return hop


@dataclass(slots=True, unsafe_hash=True)
class AccessPath:
    """A sequence of hops from an origin to a target."""

    hops: tuple[Hop, ...]

    @property
    def status(self) -> Status:
        """Conditional as soon as one hop is."""
        return Status.CONDITIONAL if any(h.status is Status.CONDITIONAL for h in self.hops) else Status.ALLOWED

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """Every condition of every hop, once each, in hop order."""
        return tuple(dict.fromkeys(c for h in self.hops for c in h.conditions))

    @property
    def chained(self) -> bool:
        """Whether the path chains roles (a role assuming a role)."""
        return any(h.chained for h in self.hops)

    def to_json(self) -> dict[str, Any]:
        """`{"status", "hops": [HOP...]}` plus `length`, `chained` and the union of `conditions`."""
        return {"status": str(self.status), "length": len(self.hops), "chained": self.chained,
                "conditions": [c.to_json() for c in self.conditions], "hops": [h.to_json() for h in self.hops]}


def _rank(path: AccessPath) -> tuple[int, int, int]:
    return (len(path.hops), 0 if path.status is Status.ALLOWED else 1, len(path.conditions))


@dataclass(slots=True, unsafe_hash=True)
class PrincipalAccess:
    """One origin that can reach the resource of a who-can question."""

    principal: str
    kind: str
    account: str | None
    in_dataset: bool
    path: AccessPath
    key_status: str | None = None
    """For encrypted resources: whether this principal also reaches the KMS key
    ("allowed", "conditional" or "no")."""

    def to_json(self) -> dict[str, Any]:
        """The SPEC §4 who-can principal entry."""
        entry: dict[str, Any] = {
            "principal": self.principal, "kind": self.kind, "account": self.account,
            "status": str(self.path.status), "conditions": [c.to_json() for c in self.path.conditions],
            "hops": len(self.path.hops), "path": [h.to_json() for h in self.path.hops],
            "in_dataset": self.in_dataset, "chained": self.path.chained,
        }
        if self.key_status is not None:
            entry["kms_key_reachable"] = self.key_status
        return entry


@dataclass(frozen=True, slots=True)
class WhoCanResult:
    """Every origin with a path to a resource."""

    resource: str
    action: str | None
    principals: tuple[PrincipalAccess, ...]
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    key: KeyRequirement | None = None

    def to_json(self) -> dict[str, Any]:
        """The SPEC §4 who-can shape, plus warnings, notes and `requires_kms_key`."""
        with collector_paused():  # thousands of entries: see the helper
            principals = [p.to_json() for p in self.principals]
        return {
            "resource": self.resource, "action": self.action,
            "principals": principals,
            "requires_kms_key": self.key.to_json() if self.key else None,
            "warnings": list(self.warnings), "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class PathsResult:
    """The paths from a source to a target, shortest first."""

    source: str
    target: str
    action: str | None
    paths: tuple[AccessPath, ...]
    truncated: bool
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The SPEC §4 paths shape, plus `action` and `warnings`."""
        return {"source": self.source, "target": self.target, "action": self.action,
                "paths": [p.to_json() for p in self.paths], "truncated": self.truncated,
                "warnings": list(self.warnings)}


@dataclass(frozen=True, slots=True)
class Reached:
    """One resource (or role) a source reaches, with its shortest path."""

    resource: str
    resource_type: str
    account: str | None
    path: AccessPath

    def to_json(self) -> dict[str, Any]:
        return {"resource": self.resource, "resource_type": self.resource_type, "account": self.account,
                "status": str(self.path.status), "conditions": [c.to_json() for c in self.path.conditions],
                "hops": len(self.path.hops), "path": [h.to_json() for h in self.path.hops]}


@dataclass(frozen=True, slots=True)
class ReachResult:
    """Everything a source can reach."""

    source: str
    action: str | None
    resources: tuple[Reached, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "action": self.action, "resources": [r.to_json() for r in self.resources],
                "warnings": list(self.warnings)}


def check_action(action: str | None) -> str | None:
    """Validate an `--action` value (`service:Action`, wildcards allowed)."""
    if action is not None and not _ACTION.match(action):
        raise QueryError(f"not an IAM action: {action!r} (expected service:Action, e.g. s3:GetObject)", "--action")
    return action


def _allows(data: dict[str, Any], action: str | None) -> bool:
    if action is None:
        return bool(data["actions"]) or data["kind"] == str(EdgeKind.MEMBER)
    return any(action_pattern_matches(action, granted) for granted in data["actions"])


def _edge_data(ag: AccessGraph, source: str, target: str) -> list[dict[str, Any]]:
    """Attributes of every edge from `source` to `target`, on-demand ones included."""
    return ag.edges_between(source, target)


def _into(ag: AccessGraph, target: str, action: str | None) -> dict[str, list[dict[str, Any]]]:
    """Source -> attributes of every edge into `target` (see `AccessGraph.edges_into` for `action`)."""
    return ag.edges_into(target, action)


def _best_hop(ag: AccessGraph, source: str, target: str, action: str | None,
              edges: list[dict[str, Any]] | None = None) -> Hop | None:
    best: Hop | None = None
    for data in _edge_data(ag, source, target) if edges is None else edges:
        if not _allows(data, action):
            continue
        hop = Hop.from_edge(source, target, data)
        if best is None or (hop.status, len(hop.conditions)) < (best.status, len(best.conditions)):
            best = hop
    return best


def _hops_by_kind(ag: AccessGraph, source: str, target: str, action: str | None) -> list[Hop]:
    """The best parallel edge of each kind (a bucket grant and an identity grant are distinct paths)."""
    best: dict[EdgeKind, Hop] = {}
    for data in _edge_data(ag, source, target):
        if not _allows(data, action):
            continue
        hop = Hop.from_edge(source, target, data)
        current = best.get(hop.kind)
        if current is None or (hop.status, len(hop.conditions)) < (current.status, len(current.conditions)):
            best[hop.kind] = hop
    return [best[kind] for kind in sorted(best)]


def _require(ag: AccessGraph, node: str, what: str) -> str:
    if node not in ag.graph:
        raise QueryError(f"{what} {node} is not in the snapshot", what)
    return node


def _is_final_target(ag: AccessGraph, node: str) -> bool:
    return ag.graph.nodes[node]["kind"] in (str(NodeKind.RESOURCE), str(NodeKind.ROLE))


class _HopMaker:
    """`_best_hop` for one question, where many sources have edges with the very same attribute dicts.

    The on-demand edges of a `"*"` grant give thousands of principals the same few attribute dicts
    (`LazyEdges`): the best of a list of dicts, and each dict's hop fields, are worked out once.
    Dicts are told apart by identity, so the maker lives no longer than the question (every dict it
    saw stays alive meanwhile, held by the graph or the on-demand memo).
    """

    __slots__ = ("_action", "_best", "_fields")

    def __init__(self, action: str | None) -> None:
        self._action = action
        self._best: dict[tuple[int, ...], dict[str, Any] | None] = {}
        self._fields: dict[int, tuple[tuple[Any, ...], tuple[int, int, int]]] = {}

    def best(self, source: str, target: str, edges: list[dict[str, Any]]) -> tuple[Hop, tuple[int, int, int]] | None:
        """The same hop as `_best_hop(ag, source, target, action, edges)`, with the `_rank` of its one-hop path."""
        key = tuple(map(id, edges))
        if key in self._best:
            data = self._best[key]
        else:
            data = self._best[key] = self._choose(source, target, edges)
        if data is None:
            return None
        made = self._fields.get(id(data))
        if made is None:
            hop = Hop.from_edge(source, target, data)
            rank = _rank(AccessPath((hop,)))
            self._fields[id(data)] = ((hop.kind, hop.actions, hop.status, hop.conditions, hop.deny_conditions,
                                       hop.granted_by, hop.chained, hop.scope, hop.contested), rank)
            return hop, rank
        fields, rank = made
        return Hop(source, target, *fields), rank

    def _choose(self, source: str, target: str, edges: list[dict[str, Any]]) -> dict[str, Any] | None:
        best: dict[str, Any] | None = None
        rank: tuple[Status, int] | None = None
        for data in edges:
            if not _allows(data, self._action):
                continue
            hop = Hop.from_edge(source, target, data)
            if rank is None or (hop.status, len(hop.conditions)) < rank:
                best, rank = data, (hop.status, len(hop.conditions))
        return best


def _reverse_best(ag: AccessGraph, target: str, action: str | None, max_hops: int) -> dict[str, AccessPath]:
    """The best (shortest, then allowed, then fewest conditions) path from every origin to `target`."""
    graph = ag.graph
    nodes = ag.node_data
    best: dict[str, AccessPath] = {}
    frontier: dict[str, AccessPath] = {}
    frontier_ranks: dict[str, tuple[int, int, int]] = {}  # `_rank` of each frontier path
    last = _HopMaker(action)
    for source, edges in _into(ag, target, action).items():
        made = last.best(source, target, edges)
        if made is not None and made[0].kind is not EdgeKind.MEMBER:
            frontier[source] = AccessPath((made[0],))
            frontier_ranks[source] = made[1]
    for _ in range(max_hops):
        best.update(frontier)
        following: dict[str, AccessPath] = {}
        ranks: dict[str, tuple[int, int, int]] = {}  # of `following`'s paths (thousands of comparisons per account)
        for node, path in frontier.items():
            if nodes[node]["kind"] not in _PRINCIPALS:
                continue  # only users and roles are passed through
            length, status, conditions = frontier_ranks[node]
            floor = (length + 1, status, conditions)  # no hop in front of `path` makes a better rank
            for source in graph.predecessors(node):
                if source in best or source == target:
                    continue
                if source in following and not floor < ranks[source]:
                    continue  # cannot beat the path already found (ties keep the first, as below)
                hop = _best_hop(ag, source, node, None)
                if hop is None:
                    continue
                candidate = AccessPath((hop, *path.hops))
                # an allowed hop without conditions (membership, most trusts) leaves status and conditions as they are
                plain = hop.status is Status.ALLOWED and not hop.conditions
                rank = (length + 1, status, conditions) if plain else _rank(candidate)
                if source not in following or rank < ranks[source]:
                    following[source] = candidate
                    ranks[source] = rank
        if not following or len(next(iter(following.values())).hops) > max_hops:
            break
        frontier, frontier_ranks = following, ranks
    best.pop(target, None)
    return {node: path for node, path in best.items() if len(path.hops) <= max_hops}


def _key_status(key: KeyRequirement, key_paths: dict[str, AccessPath] | None, node: str, account: str | None,
                resource_account: str) -> str:
    """Whether `node` can also use the KMS key the resource's data needs: a path status, "no" or "unknown"."""
    if key_paths is not None:
        key_path = key_paths.get(node)
        return str(key_path.status) if key_path is not None else "no"
    if "alias/aws/" in key.key:
        # an AWS managed key's policy (written by AWS) admits every principal of its own account calling
        # through the service (kms:CallerAccount + kms:ViaService), and nobody else (SEMANTICS §4.1)
        return "allowed" if account == resource_account else "no"
    return "unknown"  # a customer key the snapshot does not hold: never a silent "no"


def who_can(ag: AccessGraph, resource_arn: str, *, action: str | None = None, max_hops: int = 6) -> WhoCanResult:
    """Every principal (and account, service, provider, public) with a path to a resource.

    Args:
        ag: the access graph.
        resource_arn: the resource (or role) asked about.
        action: only paths whose final hop allows this action (wildcards allowed).
        max_hops: the longest path considered.

    Raises:
        QueryError: the resource is not in the snapshot, or the action is malformed.
    """
    check_action(action)
    _require(ag, resource_arn, "resource")
    with collector_paused():
        return _who_can(ag, resource_arn, action, max_hops)


def _who_can(ag: AccessGraph, resource_arn: str, action: str | None, max_hops: int) -> WhoCanResult:
    best = _reverse_best(ag, resource_arn, action, max_hops)
    key = key_requirement(ag, resource_arn, action)
    key_paths = _reverse_best(ag, key.key_arn, key.action, max_hops) if key and key.key_arn in ag.graph else None
    entries = []
    nodes = ag.node_data
    for node, path in best.items():
        data = nodes[node]
        key_status = None
        if key is not None:
            key_status = _key_status(key, key_paths, node, data.get("account"), ag.resources[resource_arn].account_id)
        entries.append(PrincipalAccess(node, data["kind"], data.get("account"), bool(data.get("in_dataset")),
                                       path, key_status))
    entries.sort(key=lambda e: (e.account or "~", _KIND_ORDER.get(e.kind, 9), e.principal))
    notes = [PUBLIC_NOTE] if PUBLIC_NODE in best else []
    accounts = {e.account for e in entries if e.account} | {ag.graph.nodes[resource_arn].get("account")}
    warnings = list(ag.warnings) + ag.account_warnings(a for a in accounts if a)
    resource = ag.resources.get(resource_arn)
    if resource is not None and not ag.graph.nodes[resource_arn].get("modelled", True):
        warnings.append(f"{resource_arn}: resources of type {resource.type} are not modelled yet; "
                        "the answer cannot show who reaches it")
    if key is not None:
        warnings.extend(key.warnings)
    return WhoCanResult(resource_arn, action, tuple(entries), tuple(dict.fromkeys(warnings)), tuple(notes), key)


def resolve_source(ag: AccessGraph, source: str) -> str:
    """A path source: a 12-digit account id or a principal ARN (or a service / provider / `*`)."""
    if source in ag.graph:
        return source
    if _ACCOUNT_ID.match(source):
        raise QueryError(f"account {source} is not in the snapshot", "--from")
    raise QueryError(f"source {source} is not in the snapshot (expected an account id or a principal ARN)", "--from")


def _reverse_distances(ag: AccessGraph, target: str, action: str | None) -> dict[str, int]:
    """Hops from each node to `target`, through principals only."""
    graph = ag.graph
    distance = {target: 0}
    frontier = [s for s, edges in _into(ag, target, action).items() if _best_hop(ag, s, target, action, edges) is not None]
    for node in frontier:
        distance.setdefault(node, 1)
    while frontier:
        following = []
        for node in frontier:
            if graph.nodes[node]["kind"] not in _PRINCIPALS:
                continue
            for source in graph.predecessors(node):
                if source not in distance:
                    distance[source] = distance[node] + 1
                    following.append(source)
        frontier = following
    return distance


@dataclass(slots=True)
class _Bounds:
    cut: bool = False


def iter_paths(ag: AccessGraph, source: str, target: str, *, action: str | None = None, max_hops: int = 6,
               bounds: _Bounds | None = None) -> Iterator[AccessPath]:
    """Every simple path from `source` to `target`, shortest first, lazily (iterative deepening).

    Each length is explored depth-first, pruned by the distance to the target, so the first
    paths come at once even in a dense trust mesh. `bounds.cut` is set when `max_hops` stopped
    the search while longer paths might exist.
    """
    graph = ag.graph
    distance = _reverse_distances(ag, target, action)
    if source not in distance:
        return
    bounds = bounds if bounds is not None else _Bounds()
    if distance[source] > max_hops:
        bounds.cut = True
        return
    for length in range(distance[source], max_hops + 1):
        on_path = {source}

        def walk(node: str, hops: tuple[Hop, ...]) -> Iterator[AccessPath]:
            remaining = length - len(hops)
            if remaining == 1:
                for hop in _hops_by_kind(ag, node, target, action):
                    if hop.kind is not EdgeKind.MEMBER:
                        yield AccessPath((*hops, hop))
            if node != source and graph.nodes[node]["kind"] not in _PRINCIPALS:
                return
            for following in sorted(set(graph.successors(node))):
                if following in on_path or following == target:
                    continue
                if distance.get(following, max_hops + 1) > remaining - 1:
                    if length == max_hops and following in distance:
                        bounds.cut = True
                    continue
                if remaining - 1 < 1:
                    continue
                step = _best_hop(ag, node, following, None)
                if step is None or graph.nodes[following]["kind"] not in _PRINCIPALS:
                    continue
                on_path.add(following)
                yield from walk(following, (*hops, step))
                on_path.discard(following)

        yield from walk(source, ())


def find_paths(ag: AccessGraph, source: str, target: str, *, action: str | None = None, max_hops: int = 6,
               limit: int = 100) -> PathsResult:
    """The paths from a source (account id or principal ARN) to a target, shortest first.

    Raises:
        QueryError: unknown source or target, malformed action, or a non-positive bound.
    """
    check_action(action)
    if max_hops < 1 or limit < 1:
        raise QueryError("--max-hops and --limit must be at least 1", "--max-hops" if max_hops < 1 else "--limit")
    if max_hops > 100:  # the depth-first walk recurses once per hop: a 1,000-role chain overflowed the stack
        raise QueryError("--max-hops must be at most 100", "--max-hops")
    resolve_source(ag, source)
    _require(ag, target, "target")
    bounds = _Bounds()
    found: list[AccessPath] = []
    truncated = False
    for path in iter_paths(ag, source, target, action=action, max_hops=max_hops, bounds=bounds):
        if len(found) == limit:
            truncated = True
            break
        found.append(path)
    accounts = {ag.graph.nodes[n].get("account") for n in (source, target)}
    warnings = list(ag.warnings) + ag.account_warnings(a for a in accounts if a)
    return PathsResult(source, target, action, tuple(found), truncated or bounds.cut, tuple(dict.fromkeys(warnings)))


def reach(ag: AccessGraph, source: str, *, action: str | None = None, max_hops: int = 6) -> ReachResult:
    """Every resource (and, without an action, every role) a source reaches, with its shortest path."""
    check_action(action)
    resolve_source(ag, source)
    graph = ag.graph
    paths: dict[str, AccessPath] = {source: AccessPath(())}
    reached: dict[str, AccessPath] = {}
    frontier = [source]
    for _ in range(max_hops):
        following: list[str] = []
        for node in frontier:
            if node != source and graph.nodes[node]["kind"] not in _PRINCIPALS:
                continue
            for target in sorted(ag.successors(node)):
                kind = graph.nodes[target]["kind"]
                if kind == str(NodeKind.RESOURCE) or (kind == str(NodeKind.ROLE) and action is not None):
                    hop = _best_hop(ag, node, target, action)
                    if hop is not None and kind == str(NodeKind.RESOURCE):
                        candidate = AccessPath((*paths[node].hops, hop))
                        if target not in reached or _rank(candidate) < _rank(reached[target]):
                            reached[target] = candidate
                    if kind == str(NodeKind.RESOURCE):
                        continue
                if target in paths:
                    continue
                hop = _best_hop(ag, node, target, None)
                if hop is None:
                    continue
                paths[target] = AccessPath((*paths[node].hops, hop))
                following.append(target)
                if kind == str(NodeKind.ROLE) and action is None:
                    reached[target] = paths[target]
        frontier = following
    entries = []
    for node, path in reached.items():
        data = graph.nodes[node]
        entries.append(Reached(node, data.get("resource_type") or "AWS::IAM::Role", data.get("account"), path))
    entries.sort(key=lambda r: (r.account or "", r.resource))
    accounts = {r.account for r in entries if r.account} | {graph.nodes[source].get("account")}
    warnings = list(ag.warnings) + ag.account_warnings(a for a in accounts if a)
    return ReachResult(source, action, tuple(entries), tuple(dict.fromkeys(warnings)))


def subgraph(ag: AccessGraph, nodes: set[str]) -> nx.MultiDiGraph:
    """The part of the graph induced by some nodes (for exporting one answer), on-demand edges included."""
    found = ag.graph.subgraph(nodes).copy()
    for target in nodes:
        for source, split in (ag.lazy.into(target) if ag.lazy is not None else {}).items():
            if source in nodes:
                for data in split.all():
                    found.add_edge(source, target, **data)
    return found
