"""The access graph (or one answer's subgraph) as text: DOT, GraphML, JSON, Mermaid.

Pure functions: a networkx graph in, a string out. Edge attributes that are objects
(conditions, grants) are flattened to strings, since every one of these formats wants scalars.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import networkx as nx


class ExportFormat(StrEnum):
    """Formats `export` can write."""

    DOT = "dot"
    GRAPHML = "graphml"
    JSON = "json"
    MERMAID = "mermaid"


def _conditions_text(conditions: Any) -> str:
    return "; ".join(c.describe() for c in conditions)


def _grants_text(grants: Any) -> str:
    return "; ".join(f"{g.policy}#{g.statement}" + (f" ({g.sid})" if g.sid else "")
                     + (f" on {g.resource}" if g.resource else "") for g in grants)


def _flat_edge(data: dict[str, Any]) -> dict[str, str | bool]:
    return {
        "kind": str(data["kind"]), "status": str(data["status"]), "actions": " ".join(data["actions"]),
        "conditions": _conditions_text(data["conditions"]), "deny_conditions": _conditions_text(data["deny_conditions"]),
        "granted_by": _grants_text(data["granted_by"]), "chained": bool(data.get("chained")),
        "scope": data.get("scope") or "",
    } | ({"contested": True} if data.get("contested") else {})


def _flat_node(data: dict[str, Any]) -> dict[str, str | bool]:
    return {key: value if isinstance(value, bool) else "" if value is None else str(value)
            for key, value in data.items()}


def _json_edge(source: str, target: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "from": source, "to": target, "edge": str(data["kind"]), "status": str(data["status"]),
        "actions": list(data["actions"]), "conditions": [c.to_json() for c in data["conditions"]],
        "deny_conditions": [c.to_json() for c in data["deny_conditions"]],
        "granted_by": [g.to_json() for g in data["granted_by"]], "chained": bool(data.get("chained")),
        "scope": data.get("scope"),
    } | ({"contested": True} if data.get("contested") else {})


def to_json(graph: nx.MultiDiGraph) -> str:
    """`{"nodes": [{"id", ...attributes}], "edges": [HOP-like objects]}`, sorted, indented."""
    nodes = [{"id": node, **_flat_node(data)} for node, data in sorted(graph.nodes(data=True))]
    edges = sorted((_json_edge(u, v, d) for u, v, d in graph.edges(data=True)),
                   key=lambda e: (e["from"], e["to"], e["edge"], e["actions"]))
    return json.dumps({"nodes": nodes, "edges": edges}, indent=2, sort_keys=False) + "\n"


def to_graphml(graph: nx.MultiDiGraph) -> str:
    """GraphML with scalar attributes (lists and objects joined into strings)."""
    flat = nx.MultiDiGraph()
    for node, data in sorted(graph.nodes(data=True)):
        flat.add_node(node, **_flat_node(data))
    # sorted like the other formats: the order edges were added in depends on which were evaluated on demand first
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], str(e[2]["kind"]))):
        flat.add_edge(source, target, **_flat_edge(data))
    buffer = io.BytesIO()
    nx.write_graphml(flat, buffer, encoding="utf-8", prettyprint=True, named_key_ids=False)
    return buffer.getvalue().decode("utf-8")


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_DOT_SHAPES = {"account": "folder", "user": "ellipse", "role": "box", "service": "component",
               "federated": "cds", "public": "doubleoctagon", "resource": "cylinder"}


def to_dot(graph: nx.MultiDiGraph) -> str:
    """Graphviz DOT: role assumptions dashed, conditional edges orange, labels with the mechanism."""
    lines = ["digraph access {", "  rankdir=LR;", "  node [fontname=Helvetica];"]
    for node, data in sorted(graph.nodes(data=True)):
        label = f"{data.get('name') or node}\n{data.get('kind')}"
        lines.append(f"  {_dot_quote(node)} [label={_dot_quote(label)}, "
                     f"shape={_DOT_SHAPES.get(str(data.get('kind')), 'ellipse')}];")
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], str(e[2]["kind"]))):
        flat = _flat_edge(data)
        style = "dashed" if str(flat["kind"]).startswith("assume-role") else "solid"
        color = "orange" if flat["status"] == "conditional" else "black"
        label = str(flat["kind"]) + (f" [{flat['conditions']}]" if flat["conditions"] else "")
        lines.append(f"  {_dot_quote(source)} -> {_dot_quote(target)} "
                     f"[label={_dot_quote(label)}, style={style}, color={color}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(graph: nx.MultiDiGraph) -> str:
    """A Mermaid flowchart: `-.->` for role assumptions, `-->` for grants and membership."""
    ids = {node: f"n{index}" for index, node in enumerate(sorted(graph.nodes))}
    lines = ["flowchart LR"]
    for node, data in sorted(graph.nodes(data=True)):
        lines.append(f'  {ids[node]}["{_mermaid_text(str(data.get("name") or node))}<br/>{data.get("kind")}"]')
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], str(e[2]["kind"]))):
        flat = _flat_edge(data)
        arrow = "-.->" if str(flat["kind"]).startswith("assume-role") else "-->"
        label = str(flat["kind"]) + (" (conditional)" if flat["status"] == "conditional" else "")
        lines.append(f'  {ids[source]} {arrow}|"{_mermaid_text(label)}"| {ids[target]}')
    return "\n".join(lines) + "\n"


_WRITERS: dict[ExportFormat, Callable[[nx.MultiDiGraph], str]] = {
    ExportFormat.DOT: to_dot, ExportFormat.GRAPHML: to_graphml,
    ExportFormat.JSON: to_json, ExportFormat.MERMAID: to_mermaid,
}


def export(graph: nx.MultiDiGraph, fmt: ExportFormat | str) -> str:
    """The graph in the given format."""
    return _WRITERS[ExportFormat(fmt)](graph)
