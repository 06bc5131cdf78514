"""`privilege-escalation` edges: a caller rewrites IAM (access keys, login profiles, policies,
groups, trust policies) to act as another principal."""

from __future__ import annotations

from collections.abc import Iterator

from graph.edges.common import EdgeSpec
from graph.edges.principals import PrincipalIndex
from graph.model import Snapshot


def edges(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str]) -> Iterator[EdgeSpec]:
    """Not built yet (issue #9)."""
    return iter(())
