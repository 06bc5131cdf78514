"""Build the access graph of a snapshot (SPEC §2, docs/CONTRACTS.md).

Nodes are accounts, users, roles, service principals, federated providers, the public `"*"`,
and resources; edges come from the modules of `graph.edges`, one per access mechanism. The
result keeps indexes (resources, accounts) and the warnings every answer must carry.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.edges import assume_role, escalation, grants, member, pass_role, resources
from graph.edges.catalog import modelled
from graph.edges.common import PUBLIC_NODE, EdgeKind, EdgeSpec, NodeKind
from graph.edges.lazy import LazyEdges, Split
from graph.edges.principals import PrincipalIndex
from graph.edges.shared import SharedOutcomes
from graph.gc_pause import collector_paused
from graph.model import Account, Resource, Snapshot
from graph.org import OrgIndex

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_NONE = Split()

SCP_UNKNOWN = ("SCP layer unknown: the snapshot has no organization data, so SCPs and RCPs are not applied "
               "(access may be narrower than shown)")


@dataclass(frozen=True, slots=True)
class AccessGraph:
    """The access graph of one snapshot, with its indexes and warnings.

    `graph` holds every node and every edge except most resource-policy and identity-policy edges
    into resources: `lazy` evaluates those the first time a question needs them (graph.edges.lazy
    says what is eager and why). Ask for edges with `edges_into`, `edges_between` and `successors`, which merge
    both in the order a full build gives; `full_graph()` has them all.
    """

    graph: nx.MultiDiGraph
    snapshot: Snapshot
    org: OrgIndex
    warnings: tuple[str, ...]
    resources: Mapping[str, Resource] = field(default_factory=dict)
    accounts: Mapping[str, Account] = field(default_factory=dict)
    lazy: LazyEdges | None = None
    """Edges into resources, evaluated when a question needs them."""

    @property
    def node_data(self) -> Mapping[str, dict[str, Any]]:
        """Node -> its attributes: `graph.nodes[node]` without NodeView's per-call cost (who-can reads
        tens of thousands); networkx's own dict, so read-only."""
        return self.graph._node  # type: ignore[no-any-return]

    def edges_into(self, target: str, action: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Source -> attributes of every edge into `target`, on-demand ones included.

        With `action` (wildcards allowed), the edges of a `"*"` grant to other accounts' principals
        carry only the actions it matches (the others are not evaluated); every other edge is whole.
        """
        head, tail = self.lazy.into_parts(target, action) if self.lazy is not None else ({}, {})
        found: dict[str, list[dict[str, Any]]] = {source: list(edges) for source, edges in head.items() if edges}
        for source, _, data in self.graph.in_edges(target, data=True):
            found.setdefault(source, []).append(data)
        for source, edges in tail.items():  # thousands of principals of a "*" grant
            if source in found:
                found[source].extend(edges)
            elif edges:
                found[source] = list(edges)
        return found

    def edges_between(self, source: str, target: str) -> list[dict[str, Any]]:
        """Attributes of every edge from `source` to `target`, on-demand ones included."""
        split = self.lazy.between(source, target) if self.lazy is not None else _NONE
        found = list(self.graph.get_edge_data(source, target, default={}).values())
        return [*split.head, *found, *split.tail] if split else found

    def successors(self, source: str) -> set[str]:
        """Every node `source` has an edge to, on-demand edges included."""
        found = set(self.graph.successors(source))
        if self.lazy is not None:
            found.update(self.lazy.out_of(source))
        return found

    def deferred_into(self, target: str, action: str | None = None) -> Mapping[str, list[dict[str, Any]]]:
        """Source -> attributes of the on-demand edges into `target` (edges not in `graph`)."""
        if self.lazy is None:
            return {}
        return {source: split.all() for source, split in self.lazy.into(target, action).items()}

    def deferred_from(self, source: str) -> Mapping[str, list[dict[str, Any]]]:
        """Target -> attributes of the on-demand edges out of `source` (edges not in `graph`)."""
        if self.lazy is None:
            return {}
        return {target: split.all() for target, split in self.lazy.out_of(source).items()}

    def deferred_between(self, source: str, target: str) -> list[dict[str, Any]]:
        """Attributes of the on-demand edges from `source` to `target`."""
        return self.lazy.between(source, target).all() if self.lazy is not None else []

    def full_graph(self) -> nx.MultiDiGraph:
        """`graph` plus every on-demand edge: evaluates every resource (the whole cost the build saved)."""
        if self.lazy is None or not self.lazy.targets:
            return self.graph
        full = self.graph.copy()
        full.add_edges_from((edge.source, edge.target, edge.attributes()) for edge in self.lazy.all_edges())
        return full

    def account_warnings(self, account_ids: Iterable[str]) -> list[str]:
        """Collection errors recorded for these accounts, one line each."""
        lines = []
        for account_id in sorted(set(account_ids)):
            account = self.accounts.get(account_id)
            for error in account.errors if account else ():
                what = f" on {error.resource}" if error.resource else ""
                lines.append(f"account {account_id}: {error.service} {error.operation}{what} failed "
                             f"({error.code}): the answer may miss access through it")
        return lines


def _add_principal_nodes(graph: nx.MultiDiGraph, snapshot: Snapshot, org: OrgIndex) -> None:
    """Every collected account, user, role and resource, and the organization's other accounts (one bulk insert)."""
    collected = {account.id for account in snapshot.accounts}
    org_accounts = {a.id: a.name for a in snapshot.organization.accounts} if snapshot.organization else {}
    account_kind, user_kind, role_kind = str(NodeKind.ACCOUNT), str(NodeKind.USER), str(NodeKind.ROLE)
    resource_kind = str(NodeKind.RESOURCE)
    nodes: list[tuple[str, dict[str, Any]]] = []
    for account in snapshot.accounts:
        nodes.append((account.id, {"kind": account_kind, "account": account.id,
                                   "name": account.name or org_accounts.get(account.id) or account.id,
                                   "in_dataset": True, "in_org": org.in_org(account.id)}))
        nodes += [(user.arn, {"kind": user_kind, "account": account.id, "name": user.name, "in_dataset": True})
                  for user in account.users]
        nodes += [(role.arn, {"kind": role_kind, "account": account.id, "name": role.name, "in_dataset": True,
                              "service_linked": role.service_linked}) for role in account.roles]
        nodes += [(resource.arn, {"kind": resource_kind, "account": account.id, "name": resource.name or resource.arn,
                                  "resource_type": resource.type, "in_dataset": True,
                                  "modelled": modelled(resource.type)}) for resource in account.resources]
    nodes += [(account_id, {"kind": account_kind, "account": account_id, "name": name or account_id,
                            "in_dataset": False, "in_org": True})
              for account_id, name in org_accounts.items() if account_id not in collected]
    graph.add_nodes_from(nodes)


def _ensure_source(graph: nx.MultiDiGraph, node: str, org: OrgIndex) -> None:
    if node in graph:
        return
    if node == PUBLIC_NODE:
        graph.add_node(node, kind=str(NodeKind.PUBLIC), account=None, name="anyone (*)", in_dataset=False)
    elif _ACCOUNT_ID.match(node):
        graph.add_node(node, kind=str(NodeKind.ACCOUNT), account=node, name=node, in_dataset=False,
                       in_org=org.in_org(node))
    elif node.startswith("canonical-user:"):  # an S3 ACL grantee known only by its canonical id (issue #9)
        graph.add_node(node, kind=str(NodeKind.ACCOUNT), account=None, in_dataset=False, in_org=False,
                       name=f"account with canonical id {node.split(':', 1)[1][:12]}…")
    elif node.startswith("arn:") or "amazonaws.com" not in node:
        graph.add_node(node, kind=str(NodeKind.FEDERATED), account=node.split(":")[4] if node.startswith("arn:") else None,
                       name=node.rsplit("/", 1)[-1], in_dataset=False)
    else:
        graph.add_node(node, kind=str(NodeKind.SERVICE), account=None, name=node, in_dataset=False)


_READ_FOR_PASS_ROLE = frozenset({"AWS::EC2::Instance"})
"""Types collected only for the pass-role paths through them (their instance profile's role), not as
targets: no "not modelled" warning for them."""


def _snapshot_warnings(snapshot: Snapshot) -> list[str]:
    warnings = []
    if snapshot.organization is None:
        warnings.append(SCP_UNKNOWN)
    unmodelled = Counter(r.type for a in snapshot.accounts for r in a.resources
                         if not modelled(r.type) and r.type not in _READ_FOR_PASS_ROLE)
    for resource_type, count in sorted(unmodelled.items()):
        warnings.append(f"{count} resource(s) of type {resource_type} are not modelled yet: no access edges to them")
    errors = sum(len(a.errors) for a in snapshot.accounts)
    if errors:
        accounts = sorted(a.id for a in snapshot.accounts if a.errors)
        warnings.append(f"the snapshot records {errors} collection error(s) in account(s) {', '.join(accounts)}: "
                        "answers about them may be incomplete")
    return warnings


def build_graph(snapshot: Snapshot, *, edge_kinds: set[str] | None = None) -> AccessGraph:
    """Turn a snapshot into its access graph.

    Args:
        snapshot: the snapshot to analyse.
        edge_kinds: keep only these edge kinds (e.g. {"member", "assume-role"}); all by default.

    Returns:
        The graph, its indexes, and the warnings every answer built on it must carry.
    """
    with collector_paused():
        return _build(snapshot, edge_kinds)


def _build(snapshot: Snapshot, edge_kinds: set[str] | None) -> AccessGraph:
    org = OrgIndex.build(snapshot.organization)
    graph = nx.MultiDiGraph()
    _add_principal_nodes(graph, snapshot, org)
    principals = PrincipalIndex.build(snapshot, org)
    warnings = _snapshot_warnings(snapshot)
    warnings += principals.warnings
    found: list[EdgeSpec] = list(member.edges(snapshot))
    found += assume_role.edges(snapshot, principals, warnings)
    wanted = None if edge_kinds is None else frozenset(EdgeKind(kind) for kind in edge_kinds)
    lazy = LazyEdges(principals, SharedOutcomes(), wanted)
    found += resources.edges(snapshot, principals, warnings, lazy)
    lazy.prepare()
    # Paths through services and IAM itself, and grants outside policies (issue #9).
    found += pass_role.edges(snapshot, principals, warnings)
    found += escalation.edges(snapshot, principals, warnings)
    found += grants.edges(snapshot, principals, warnings)
    kept = [edge for edge in found if wanted is None or edge.kind in wanted]
    for source in dict.fromkeys(edge.source for edge in kept):
        _ensure_source(graph, source, org)
    # one bulk insert: networkx picks each parallel edge's key as add_edge would, in the same order
    graph.add_edges_from((edge.source, edge.target, edge.attributes()) for edge in kept)
    return AccessGraph(
        graph, snapshot, org, tuple(dict.fromkeys(warnings)),
        {r.arn: r for a in snapshot.accounts for r in a.resources},
        {a.id: a for a in snapshot.accounts},
        lazy,
    )
