"""Which statements of a policy can cover an action, found without testing every pattern.

Action patterns are lower-cased at parse time (action names are case-insensitive, IAM Action
element reference). A pattern without a wildcard is an exact key; one whose service prefix is
literal (`s3:Get*`) can only cover actions of that service, since its text before the first `:`
must then equal the action's; the rest (`*`, `s*:Get*`) and NotAction statements are tested one
by one. The answer is the same as testing `Statement.matches_action` on every statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from graph.policy.wildcard import Glob, compile_glob


class _Selectable(Protocol):
    @property
    def actions(self) -> tuple[str, ...] | None: ...

    def matches_action(self, action: str) -> bool: ...


class ActionIndex:
    """The Action entries of a policy's statements, indexed by exact action and by service."""

    __slots__ = ("exact", "by_service", "anywhere", "one_by_one")

    def __init__(self, statements: Sequence[_Selectable]) -> None:
        exact: dict[str, list[int]] = {}
        by_service: dict[str, list[tuple[Glob, int]]] = {}
        anywhere: list[tuple[Glob, int]] = []
        one_by_one: list[int] = []
        for position, statement in enumerate(statements):
            if statement.actions is None:
                one_by_one.append(position)  # NotAction: covers what its entries do not
                continue
            for pattern in statement.actions:
                glob = compile_glob(pattern)
                if glob.exact is not None:
                    exact.setdefault(glob.exact, []).append(position)
                    continue
                service, colon, _ = pattern.partition(":")
                if colon and "*" not in service and "?" not in service:
                    by_service.setdefault(service, []).append((glob, position))
                else:
                    anywhere.append((glob, position))
        self.exact = {action: tuple(positions) for action, positions in exact.items()}
        self.by_service = {service: tuple(entries) for service, entries in by_service.items()}
        self.anywhere = tuple(anywhere)
        self.one_by_one = tuple(one_by_one)

    def select(self, action_lower: str, statements: Sequence[_Selectable]) -> list[int]:
        """Positions (ascending) of the statements whose Action/NotAction covers `action_lower`."""
        found = set(self.exact.get(action_lower, ()))
        for glob, position in self.by_service.get(action_lower.partition(":")[0], ()):
            if position not in found and glob.matches(action_lower):
                found.add(position)
        for glob, position in self.anywhere:
            if position not in found and glob.matches(action_lower):
                found.add(position)
        for position in self.one_by_one:
            if statements[position].matches_action(action_lower):
                found.add(position)
        return sorted(found)
