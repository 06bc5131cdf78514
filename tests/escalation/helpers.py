"""Small worlds for the pass-role and privilege-escalation tests (built on tests/graph/scenarios)."""

from __future__ import annotations

from typing import Any

from graph.build import AccessGraph, build_graph
from graph.model import Properties, Resource, Snapshot
from tests.graph.scenarios import doc


def function(account: str, name: str, role: str, *statements: dict[str, Any]) -> Resource:
    """A Lambda function running as `role`, with a function policy made of `statements` (none: no policy)."""
    return Resource(f"arn:aws:lambda:us-east-1:{account}:function:{name}", "AWS::Lambda::Function", account,
                    "us-east-1", name, doc(*statements) if statements else None, Properties.from_dict({"Role": role}))


def service_trust(service: str, **extra: Any) -> Any:
    """A trust policy letting an AWS service assume the role."""
    return doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole", **extra})


def edges_of(graph: AccessGraph, source: str, target: str, kind: str) -> list[dict[str, Any]]:
    """Attributes of the edges of one kind from `source` to `target`."""
    return [data for data in graph.graph.get_edge_data(source, target, default={}).values() if data["kind"] == kind]


def built(snapshot: Snapshot) -> AccessGraph:
    return build_graph(snapshot)
