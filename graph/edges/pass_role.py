"""`pass-role` edges: a caller passes a role to a service, or uses an existing resource that
runs as a role, and so runs code with the role's permissions."""

from __future__ import annotations

from collections.abc import Iterator

from graph.edges.common import EdgeSpec
from graph.edges.principals import PrincipalIndex
from graph.model import Snapshot


def edges(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str]) -> Iterator[EdgeSpec]:
    """Not built yet (issue #9)."""
    return iter(())
