"""What changed between two snapshots: access edges, findings, external access, and who reaches what.

An access edge is identified by (from, to, kind, actions, status, conditions, scope): a grant whose
actions or conditions changed shows as one removed and one added edge, so nothing is hidden.
`member` edges are not access grants (they say which account a principal lives in) and are left
out. Reach changes are computed with `who_can` for every role and resource downstream of a changed
edge, in both graphs, so the cost follows the size of the change, not of the organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import networkx as nx

from graph.build import AccessGraph, build_graph
from graph.external import ExternalAccess
from graph.findings import Finding, FindingsSettings, run_findings
from graph.model import Snapshot
from graph.query import who_can


class DiffGate(StrEnum):
    """What `xpath-tui diff --fail-on` can fail a pipeline on."""

    NEW_EXTERNAL = "new-external"
    """A role or resource became reachable from outside the organization, or the outsider the
    external-access report names for it (the best path in) did not reach it before. A further
    outsider reaching an already exposed target is a reach change: it trips `new-path`."""
    NEW_FINDING = "new-finding"
    """A finding appeared."""
    NEW_PATH = "new-path"
    """An access edge appeared, or a principal gained reach to a role or resource."""


@dataclass(frozen=True, slots=True, order=True)
class EdgeChange:
    """One access edge present in only one of the two snapshots."""

    source: str
    target: str
    kind: str
    actions: tuple[str, ...]
    status: str
    conditions: tuple[str, ...]
    scope: str | None
    granted_by: tuple[str, ...]
    """`policy#statement (Sid)` of each granting statement, for reading (not part of the identity)."""

    @property
    def key(self) -> tuple[Any, ...]:
        """The edge's identity (everything but `granted_by`)."""
        return (self.source, self.target, self.kind, self.actions, self.status, self.conditions, self.scope)

    def to_json(self) -> dict[str, Any]:
        """`{"from", "to", "edge", "actions", "status", "conditions", "scope", "granted_by"}`."""
        return {"from": self.source, "to": self.target, "edge": self.kind, "actions": list(self.actions),
                "status": self.status, "conditions": list(self.conditions), "scope": self.scope,
                "granted_by": list(self.granted_by)}


@dataclass(frozen=True, slots=True)
class ReachChange:
    """Principals that gained or lost a path to one role or resource."""

    target: str
    gained: tuple[str, ...]
    lost: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """`{"target", "gained", "lost"}`."""
        return {"target": self.target, "gained": list(self.gained), "lost": list(self.lost)}


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    """Everything added and removed from OLD to NEW."""

    added_edges: tuple[EdgeChange, ...]
    removed_edges: tuple[EdgeChange, ...]
    added_findings: tuple[Finding, ...]
    removed_findings: tuple[Finding, ...]
    added_external: tuple[ExternalAccess, ...]
    removed_external: tuple[ExternalAccess, ...]
    reach: tuple[ReachChange, ...]

    @property
    def empty(self) -> bool:
        """Whether nothing changed."""
        return not (self.added_edges or self.removed_edges or self.added_findings or self.removed_findings
                    or self.added_external or self.removed_external or self.reach)

    def tripped(self, gates: frozenset[DiffGate]) -> tuple[DiffGate, ...]:
        """The gates among `gates` that this diff trips, in declaration order."""
        hits = {
            DiffGate.NEW_EXTERNAL: bool(self.added_external),
            DiffGate.NEW_FINDING: bool(self.added_findings),
            DiffGate.NEW_PATH: bool(self.added_edges) or any(change.gained for change in self.reach),
        }
        return tuple(gate for gate in DiffGate if gate in gates and hits[gate])

    def to_json(self) -> dict[str, Any]:
        """The `diff --json` document."""
        return {
            "schema_version": 1,
            "edges": {"added": [e.to_json() for e in self.added_edges],
                      "removed": [e.to_json() for e in self.removed_edges]},
            "findings": {"added": [f.to_json() for f in self.added_findings],
                         "removed": [f.to_json() for f in self.removed_findings]},
            "external_access": {"added": [e.to_json() for e in self.added_external],
                                "removed": [e.to_json() for e in self.removed_external]},
            "reach": [change.to_json() for change in self.reach],
        }


def _grant_text(grant: Any) -> str:
    where = getattr(grant, "resource", None) or getattr(grant, "policy", "?")
    sid = getattr(grant, "sid", None)
    return f"{where}#{getattr(grant, 'statement', '?')}" + (f" ({sid})" if sid else "")


def _describe(condition: Any) -> str:
    describe = getattr(condition, "describe", None)
    return describe() if callable(describe) else str(condition)


def access_edges(graph: nx.MultiDiGraph) -> dict[tuple[Any, ...], EdgeChange]:
    """Every non-member edge of a graph, by identity."""
    edges: dict[tuple[Any, ...], EdgeChange] = {}
    for source, target, data in graph.edges(data=True):
        if data.get("kind") == "member":
            continue
        change = EdgeChange(source, target, str(data.get("kind")), tuple(data.get("actions", ())),
                            str(data.get("status")), tuple(_describe(c) for c in data.get("conditions", ())),
                            data.get("scope"), tuple(_grant_text(g) for g in data.get("granted_by", ())))
        edges[change.key] = change
    return edges


def _affected_targets(changes: list[EdgeChange], graphs: tuple[nx.MultiDiGraph, ...]) -> list[str]:
    """Roles and resources at or downstream of a changed edge, in either graph."""
    found: set[str] = set()
    for change in changes:
        for graph in graphs:
            if change.target not in graph:
                continue
            for node in {change.target} | nx.descendants(graph, change.target):
                if graph.nodes[node].get("kind") in ("role", "resource"):
                    found.add(node)
    return sorted(found)


class _Reachers(dict[str, set[str]]):
    """Target -> every origin with a path to it in one graph (`who_can`), asked once per target."""

    def __init__(self, ag: AccessGraph) -> None:
        super().__init__()
        self._ag = ag

    def __missing__(self, target: str) -> set[str]:
        found = (set() if target not in self._ag.graph
                 else {entry.principal for entry in who_can(self._ag, target).principals})
        self[target] = found
        return found


def diff_graphs(old: AccessGraph, new: AccessGraph, settings: FindingsSettings | None = None) -> SnapshotDiff:
    """The differences between two access graphs (and the findings of their snapshots).

    Args:
        old: The graph of the earlier snapshot.
        new: The graph of the later snapshot.
        settings: Trusted accounts and chain limit used for findings and external access.

    Returns:
        Added and removed edges, findings and external-access entries, and reach changes.
    """
    settings = settings or FindingsSettings()
    # full graphs: a "*" grant's edges to other accounts' principals are deferred in `.graph`
    old_full, new_full = old.full_graph(), new.full_graph()
    old_edges, new_edges = access_edges(old_full), access_edges(new_full)
    added = sorted(new_edges[key] for key in new_edges.keys() - old_edges.keys())
    removed = sorted(old_edges[key] for key in old_edges.keys() - new_edges.keys())
    reach: list[ReachChange] = []
    old_reachers, new_reachers = _Reachers(old), _Reachers(new)
    for target in _affected_targets([*added, *removed], (old_full, new_full)):
        before, after = old_reachers[target], new_reachers[target]
        if before != after:
            reach.append(ReachChange(target, tuple(sorted(after - before)), tuple(sorted(before - after))))
    old_report = run_findings(old, settings, snapshot=old.snapshot)
    new_report = run_findings(new, settings, snapshot=new.snapshot)
    old_findings = {f.key: f for f in old_report.findings}
    new_findings = {f.key: f for f in new_report.findings}
    old_external = {e.key: e for e in (old_report.external.entries if old_report.external else ())}
    new_external = {e.key: e for e in (new_report.external.entries if new_report.external else ())}
    return SnapshotDiff(
        tuple(added), tuple(removed),
        tuple(f for key, f in new_findings.items() if key not in old_findings),
        tuple(f for key, f in old_findings.items() if key not in new_findings),
        # the report names one outsider per target (the best path in): an entry whose outsider
        # changed is a change only if that outsider did not reach the target before (or no longer does)
        tuple(e for key, e in sorted(new_external.items())
              if key not in old_external and e.outsider not in old_reachers[e.target]),
        tuple(e for key, e in sorted(old_external.items())
              if key not in new_external and e.outsider not in new_reachers[e.target]),
        tuple(reach),
    )


def diff_snapshots(old: Snapshot, new: Snapshot, settings: FindingsSettings | None = None) -> SnapshotDiff:
    """The differences between two snapshots (builds both graphs); see `diff_graphs`."""
    return diff_graphs(build_graph(old), build_graph(new), settings)
