"""The external-access report: every role and resource of the organization reachable from outside it.

"Outside" is, per source node of the access graph:

- the public node `"*"` (anyone, anonymous included);
- an account that is not in the organization (without organization data: not collected), and not
  listed in `trusted_accounts`; opaque accounts stand for every principal in them, and the
  principals of a collected account outside the organization are reached through its `member` edges;
- an identity provider (SAML, OIDC, web identity): its users and workloads are identities that
  AWS does not hold, the same view IAM Access Analyzer takes of federated trusts.

Identity Center's own SAML providers (`saml-provider/AWSSSO_...`) are the organization's workforce
directory, not outsiders. A path whose residual conditions pin the caller to the organization
(`aws:PrincipalOrgID` / `aws:PrincipalOrgPaths` equal to or under our organization, or
`aws:PrincipalAccount` naming only home accounts) is usable only from inside, so it is left out.

Service principals are not outsiders here: a service acting for another customer is the
confused-deputy finding (XPT-SVC-001/002). For each outsider the report keeps the shortest path to
each role and resource of a home account (`graph.query.reach`), and its status: `conditional`
when a hop needs request context the snapshot cannot know (an external ID, a source IP, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.build import AccessGraph
from graph.edges.common import EdgeKind, NodeKind, Status
from graph.edges.resources import Plan
from graph.edges.shared import Repeats, catalogue_masks
from graph.edges.statements import (
    StatementShape, statement_covers_action, statement_may_cover_service, statement_may_match_resource,
    statement_shapes,
)
from graph.findings.context import home_accounts
from graph.query import AccessPath, Hop


class OutsiderKind(StrEnum):
    """Why a source counts as outside."""

    PUBLIC = "public"
    """`"*"`: anyone."""
    EXTERNAL_ACCOUNT = "external-account"
    """An account outside the organization (collected or not)."""
    IDENTITY_PROVIDER = "identity-provider"
    """A SAML/OIDC/web-identity provider's users."""


@dataclass(frozen=True, slots=True)
class ExternalAccess:
    """One role or resource reachable by one outsider, with the shortest path in."""

    target: str
    target_type: str
    """`AWS::IAM::Role` for roles, else the resource's CloudFormation type."""
    account: str | None
    outsider: str
    outsider_kind: OutsiderKind
    path: AccessPath

    @property
    def key(self) -> tuple[str, str]:
        """(target, outsider): the identity of an entry across snapshots."""
        return (self.target, self.outsider)

    def to_json(self) -> dict[str, Any]:
        """`{"target", "target_type", "account", "outsider", "outsider_kind", "status", "conditions", "path"}`."""
        return {"target": self.target, "target_type": self.target_type, "account": self.account,
                "outsider": self.outsider, "outsider_kind": self.outsider_kind.value,
                "status": str(self.path.status), "conditions": [c.to_json() for c in self.path.conditions],
                "hops": len(self.path.hops), "path": [hop.to_json() for hop in self.path.hops]}


@dataclass(frozen=True, slots=True)
class ExternalAccessReport:
    """Every (target, outsider) pair, sorted by target then outsider."""

    entries: tuple[ExternalAccess, ...]
    outsiders: tuple[tuple[str, OutsiderKind], ...]
    """Every outsider found in the graph, reaching something or not."""
    trusted_accounts: frozenset[str] = frozenset()

    def targets(self) -> tuple[str, ...]:
        """Each reachable role or resource once, in order."""
        return tuple(dict.fromkeys(entry.target for entry in self.entries))

    def to_json(self) -> dict[str, Any]:
        """The `external_access` section of `findings --json`."""
        return {"trusted_accounts": sorted(self.trusted_accounts),
                "outsiders": [{"id": node, "kind": kind.value} for node, kind in self.outsiders],
                "entries": [entry.to_json() for entry in self.entries]}


def outsiders(ag: AccessGraph, trusted_accounts: frozenset[str] = frozenset()) -> list[tuple[str, OutsiderKind]]:
    """The graph's source nodes that stand for someone outside the organization."""
    home = home_accounts(ag.snapshot) | trusted_accounts
    found: list[tuple[str, OutsiderKind]] = []
    for node, data in sorted(ag.graph.nodes(data=True)):
        kind = data.get("kind")
        if kind == "public":
            found.append((node, OutsiderKind.PUBLIC))
        elif kind == "account" and node not in home:
            found.append((node, OutsiderKind.EXTERNAL_ACCOUNT))
        elif kind == "federated" and ":saml-provider/AWSSSO_" not in node:
            found.append((node, OutsiderKind.IDENTITY_PROVIDER))
    return found


_POSITIVE = ("stringequals", "stringlike", "stringequalsignorecase", "foranyvalue:stringequals",
             "foranyvalue:stringlike", "forallvalues:stringlike")


def inside_only(path: AccessPath, organization_id: str | None, home: frozenset[str]) -> bool:
    """Whether a residual condition of the path admits only callers of the organization (or home accounts)."""
    for condition in path.conditions:
        key, operator, values = condition.key.lower(), condition.operator.lower(), condition.values
        if operator not in _POSITIVE or not values:
            continue
        if key == "aws:principalorgid" and organization_id and all(v == organization_id for v in values):
            return True
        if key == "aws:principalorgpaths" and organization_id and operator.startswith("forany") \
                and all(v.startswith(f"{organization_id}/") for v in values):
            return True
        if key == "aws:principalaccount" and all(v in home for v in values):
            return True
    return False


Rank = tuple[int, int, int]
"""`graph.query`'s order of paths: hops, then allowed before conditional, then fewer conditions."""


def _rank(path: AccessPath) -> Rank:
    return (len(path.hops), 0 if path.status is Status.ALLOWED else 1, len(path.conditions))


def _best_hop(ag: AccessGraph, source: str, target: str) -> Hop | None:
    """The edge `graph.query.reach` would take from `source` to `target`: any action, best status, fewest conditions."""
    return _best_of(source, target, ag.edges_between(source, target))


def _best_of(source: str, target: str, edges: list[dict[str, Any]]) -> Hop | None:
    """`_best_hop` among the given edge attributes, in their order."""
    best: Hop | None = None
    for data in edges:
        if not data["actions"] and data["kind"] != str(EdgeKind.MEMBER):
            continue
        hop = Hop.from_edge(source, target, data)
        if best is None or (hop.status, len(hop.conditions)) < (best.status, len(best.conditions)):
            best = hop
    return best


@dataclass(frozen=True, slots=True)
class _Via:
    """A node an outsider reaches (or the outsider itself), from which it may use resources."""

    order: int
    """Position in the search: outsiders in sorted order, then each one's breadth-first order."""
    outsider: str
    kind: OutsiderKind
    node: str
    path: AccessPath

    @property
    def bound(self) -> tuple[Rank, int]:
        """No path through this node to a resource ranks before this (one more hop; status and conditions only grow)."""
        return (len(self.path.hops) + 1, 0 if self.path.status is Status.ALLOWED else 1,
                len(self.path.conditions)), self.order


@dataclass(frozen=True, slots=True)
class _Best:
    """The best path found so far to one target, and the outsider it starts from."""

    key: tuple[Rank, int]
    outsider: str
    kind: OutsiderKind
    path: AccessPath


class _Search:
    """One external-access search over an access graph: the state shared by its steps.

    For each outsider, a breadth-first walk over principals only (the edges between principals are
    all in `AccessGraph.graph`) gives the path `graph.query.reach` takes to each role and user. A
    resource's best path is then one more hop from one of those nodes. The resources of a node's
    own account, those whose policy names it, and the graph's own edges are looked at from the
    node (a bounded number per node). A `"*"` grant may admit principals of every account, so it is
    looked at from the resource: the reached nodes are tried in order of the best rank a path
    through them could have, and the search stops at the first node that cannot beat the path
    found; the admin roles that usually reach such a resource come first, so the work stays
    proportional to the resources rather than to resources times principals.
    """

    def __init__(self, ag: AccessGraph, home: frozenset[str], organization_id: str | None, max_hops: int):
        self.ag = ag
        self.home = home
        self.organization_id = organization_id
        self.max_hops = max_hops
        self.nodes = ag.graph.nodes
        self.best: dict[str, _Best] = {}
        self.evaluated_pairs = 0
        """(node, resource) pairs whose edges were read: the search's work, for tests and benchmarks."""
        self._steps: dict[str, list[tuple[str, Hop]]] = {}
        self._hops: dict[tuple[str, str], Hop | None] = {}
        self._covering: dict[tuple[str, str], tuple[StatementShape, ...]] = {}
        self._interned: dict[tuple[StatementShape, ...], tuple[StatementShape, ...]] = {}
        self._admitted: dict[tuple[int, str], bool] = {}
        self._granting: dict[str, tuple[str, ...]] = {}
        self._nearby: dict[str, list[str]] = {}
        self._by_account: dict[str, list[str]] = {}
        self._naming: dict[str, list[str]] = {}
        lazy = ag.lazy
        if lazy is not None:
            for arn, plan in lazy.targets.items():
                if plan.resource.account_id not in home:
                    continue
                self._by_account.setdefault(plan.resource.account_id, []).append(arn)
                for node in dict.fromkeys(caller.node for caller in plan.named):
                    self._naming.setdefault(node, []).append(arn)

    def is_home(self, node: str) -> bool:
        """Whether a node belongs to an account of the organization (or a trusted one)."""
        return self.nodes[node].get("account") in self.home

    def offer(self, target: str, key: tuple[Rank, int], outsider: str, kind: OutsiderKind, path: AccessPath) -> None:
        """Keep `path` for `target` if it ranks first and is usable from outside the organization."""
        current = self.best.get(target)
        if current is not None and current.key <= key:
            return
        if inside_only(path, self.organization_id, self.home):
            return
        self.best[target] = _Best(key, outsider, kind, path)

    def hop(self, source: str, target: str) -> Hop | None:
        """`_best_hop`, read once per pair."""
        pair = (source, target)
        if pair not in self._hops:
            self.evaluated_pairs += 1
            self._hops[pair] = _best_hop(self.ag, source, target)
        return self._hops[pair]

    def steps(self, node: str) -> list[tuple[str, Hop]]:
        """The non-resource neighbours of a node with the hop to each, in `reach`'s (sorted) order."""
        found = self._steps.get(node)
        if found is None:
            found = []
            for target in sorted(self.ag.graph.successors(node)):
                if self.nodes[target]["kind"] == str(NodeKind.RESOURCE):
                    continue
                hop = _best_hop(self.ag, node, target)
                if hop is not None:
                    found.append((target, hop))
            self._steps[node] = found
        return found

    def walk(self, source: str, kind: OutsiderKind, order: int) -> list[_Via]:
        """`reach`'s breadth-first walk from one outsider, over principals; offers every role it reaches."""
        paths: dict[str, AccessPath] = {source: AccessPath(())}
        found: list[_Via] = []
        frontier = [source]
        for _ in range(self.max_hops):
            following: list[str] = []
            for node in frontier:
                if node != source and self.nodes[node]["kind"] not in _PRINCIPALS:
                    continue
                found.append(_Via(order + len(found), source, kind, node, paths[node]))
                for target, hop in self.steps(node):
                    if target in paths:
                        continue
                    paths[target] = AccessPath((*paths[node].hops, hop))
                    following.append(target)
                    if self.nodes[target]["kind"] == str(NodeKind.ROLE) and self.is_home(target):
                        self.offer(target, (_rank(paths[target]), order), source, kind, paths[target])
            frontier = following
        return found

    def nearby(self, node: str) -> list[str]:
        """The home resources a node may have edges to, but `"*"` grants of other accounts."""
        found = self._nearby.get(node)
        if found is None:
            candidates = [target for target in self.ag.graph.successors(node)
                          if self.nodes[target]["kind"] == str(NodeKind.RESOURCE) and self.is_home(target)]
            if self.nodes[node]["kind"] in _PRINCIPALS:
                account = self.nodes[node].get("account")
                candidates += self._by_account.get(account, []) if isinstance(account, str) else []
                candidates += self._naming.get(node, [])
            else:  # an outsider node: every edge out of it (few, and its own resources are not home)
                candidates += [target for target in self.ag.successors(node) if self.is_home(target)]
            found = self._nearby[node] = list(dict.fromkeys(candidates))
        return found

    def use_nearby(self, via: _Via) -> None:
        """Offer every nearby resource a reached node has an edge to, but those it cannot reach first."""
        bound = via.bound
        for target in self.nearby(via.node):
            current = self.best.get(target)
            if current is not None and bound > current.key:
                continue  # a path through this node would rank after the one found: not worth evaluating
            hop = self.hop(via.node, target)
            if hop is not None:
                path = AccessPath((*via.path.hops, hop))
                self.offer(target, (_rank(path), via.order), via.outsider, via.kind, path)

    def admits(self, node: str, plan: Plan) -> bool:
        """Whether a `"*"` grant's edges may include a node, a principal of another account.

        `graph.edges.lazy`'s test (an identity Allow could cover the service and the resource), and
        one more that cross-account access needs: some action of the resource's type is allowed by
        both the node's identity policies and the resource policy (IAM "Cross-account policy
        evaluation logic"). Both are asked once per distinct set of identity statements, not per node.
        """
        caller = self.ag.lazy.principals.callers.get(node) if self.ag.lazy is not None else None
        if caller is None or caller.account == plan.resource.account_id or node in plan.named_nodes:
            return False
        key = (node, plan.scope.service)
        covering = self._covering.get(key)
        if covering is None:
            assert self.ag.lazy is not None
            found = tuple(shape for shape in self.ag.lazy.principals.allows_of(node)
                          if statement_may_cover_service(shape, plan.scope.service))
            covering = self._covering[key] = self._interned.setdefault(found, found)
        verdict_key = (id(covering), plan.resource.arn)
        verdict = self._admitted.get(verdict_key)
        if verdict is None:
            verdict = self._admitted[verdict_key] = any(
                statement_may_match_resource(shape, plan.resource.arn, with_children=plan.scope.with_children)
                for shape in covering) and any(
                statement_covers_action(shape, action) for action in self._granted(plan) for shape in covering)
        return verdict

    def _granted(self, plan: Plan) -> tuple[str, ...]:
        """The catalogue actions of the resource's type that an Allow of its policy covers (all without one)."""
        arn = plan.resource.arn
        found = self._granting.get(arn)
        if found is None:
            catalogue = catalogue_masks(plan.resource.type)[0]
            policy = plan.target.policy
            if policy is None:
                found = catalogue
            else:
                allows = [shape for shape in statement_shapes(policy.text) if shape.allows]
                found = tuple(action for action in catalogue
                              if any(statement_covers_action(shape, action) for shape in allows))
            self._granting[arn] = found
        return found

    def use_star(self, plan: Plan, vias: list[_Via]) -> None:
        """Offer the best path into a `"*"`-grant resource through a principal of another account.

        `vias` come in order of `_Via.bound`; those that could still beat the best path found are
        evaluated a batch at a time, so callers of one profile share the evaluation's fixed cost.
        """
        target = plan.resource.arn
        position = 0
        while position < len(vias):
            current = self.best.get(target)
            window: list[_Via] = []
            while position < len(vias) and len(window) < _BATCH:
                via = vias[position]
                if current is not None and via.bound > current.key:
                    position = len(vias)  # every later node is bound to rank after the path found
                    break
                position += 1
                if (via.node, target) in self._hops or self.admits(via.node, plan):
                    window.append(via)
            self._evaluate_star(plan, [via.node for via in window if (via.node, target) not in self._hops])
            for via in window:
                hop = self._hops[(via.node, target)]
                if hop is not None:
                    path = AccessPath((*via.path.hops, hop))
                    self.offer(target, (_rank(path), via.order), via.outsider, via.kind, path)

    def _evaluate_star(self, plan: Plan, nodes: list[str]) -> None:
        """The best hop from each node (another account's principal) into a `"*"`-grant resource.

        What `AccessGraph.edges_between` gives for such a pair: the graph's own edges, then the
        `"*"` grant's evaluated edges (nothing goes before them: the policy does not name the node).
        """
        lazy = self.ag.lazy
        if not nodes or lazy is None:
            return
        target = plan.resource.arn
        callers = [lazy.principals.callers[node] for node in dict.fromkeys(nodes)]
        for caller, edges, _ in lazy.outcomes.edges_of(callers, plan.target, plan.resource, repeats=Repeats.MOVED):
            self.evaluated_pairs += 1
            assert edges is not None, "Repeats.MOVED gives every caller its edges"
            found = [*self.ag.graph.get_edge_data(caller.node, target, default={}).values(),
                     *(edge.attributes() for edge in edges if lazy.wanted is None or edge.kind in lazy.wanted)]
            self._hops[(caller.node, target)] = _best_of(caller.node, target, found)


_BATCH = 64
"""`"*"`-grant candidates evaluated together (enough to share the fixed cost, few past the first hit)."""

_PRINCIPALS = frozenset({str(NodeKind.USER), str(NodeKind.ROLE)})


def search_external(ag: AccessGraph, *, trusted_accounts: frozenset[str] = frozenset(),
                    max_hops: int = 6) -> tuple[ExternalAccessReport, int]:
    """`external_access`, with the number of (node, resource) pairs whose edges it read (its work).

    Args:
        ag: The access graph of the snapshot.
        trusted_accounts: Accounts outside the organization to treat as inside (vouched-for).
        max_hops: The longest path followed.

    Returns:
        The report and the number of pairs read.
    """
    home = home_accounts(ag.snapshot) | trusted_accounts
    organization_id = ag.snapshot.organization.id if ag.snapshot.organization else None
    sources = outsiders(ag, trusted_accounts)
    search = _Search(ag, home, organization_id, max_hops)
    vias: list[_Via] = []
    for source, kind in sources:
        vias.extend(search.walk(source, kind, len(vias)))
    ranked = sorted(vias, key=lambda via: via.bound)  # best first: later nodes mostly find their targets taken
    for via in ranked:
        search.use_nearby(via)
    if ag.lazy is not None:
        ranked = [via for via in ranked if search.nodes[via.node]["kind"] in _PRINCIPALS]
        for arn in ag.lazy.star_targets:
            plan = ag.lazy.targets[arn]
            if plan.resource.account_id in home:
                search.use_star(plan, ranked)
    entries = []
    for target, best in search.best.items():
        data = search.nodes[target]
        entries.append(ExternalAccess(target, data.get("resource_type") or "AWS::IAM::Role", data.get("account"),
                                      best.outsider, best.kind, best.path))
    entries.sort(key=lambda entry: (entry.target, entry.outsider))
    return ExternalAccessReport(tuple(entries), tuple(sources), trusted_accounts), search.evaluated_pairs


def external_access(ag: AccessGraph, *, trusted_accounts: frozenset[str] = frozenset(),
                    max_hops: int = 6) -> ExternalAccessReport:
    """Every role and resource of a home account that an outsider reaches, with the best path in.

    One entry per role or resource: the outsider with the best path (fewest hops, then allowed
    before conditional, then fewest conditions; then the first outsider in sorted order). Listing
    every outsider of every target would make the report grow with accounts squared (each
    account's CI identity provider reaches the organization-wide grants of every account).

    Args:
        ag: The access graph of the snapshot.
        trusted_accounts: Accounts outside the organization to treat as inside (vouched-for).
        max_hops: The longest path followed.

    Returns:
        The report, one entry per reachable role or resource.
    """
    return search_external(ag, trusted_accounts=trusted_accounts, max_hops=max_hops)[0]
