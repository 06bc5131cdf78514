"""Membership edges: an account to each of its users and roles (where paths from an account start)."""

from __future__ import annotations

from collections.abc import Iterator

from graph.edges.common import EdgeKind, EdgeSpec, Status
from graph.model import Snapshot


def edges(snapshot: Snapshot) -> Iterator[EdgeSpec]:
    """One `member` edge per collected user and role, from its account."""
    for account in snapshot.accounts:
        for principal in account.users + account.roles:
            yield EdgeSpec(account.id, principal.arn, EdgeKind.MEMBER, (), Status.ALLOWED)
