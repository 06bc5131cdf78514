"""What the statements of a request read of its resource, for memo keys that stand for the resource.

For one action, the evaluator looks at the statements whose Action covers it. Without policy
variables in their Resource element, such a statement sees the resource only through whether its
compiled Resource/NotResource element matches the ARN (the evaluator's own memo relies on this),
and the request's context only through the keys its conditions (and their policy variables) read.
Two requests that differ only in the resource and agree on all of that get the same decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.edges.common import Levels
from graph.policy import Policy
from graph.policy.wildcard import ResourceSet


@dataclass(frozen=True, slots=True)
class Reads:
    """What some policies' statements covering one action read: resource sets and context keys."""

    sets: tuple[ResourceSet, ...]
    """The compiled Resource/NotResource elements that do not match everything."""
    keys: frozenset[str]
    """Lower-cased context keys read by conditions and their policy variables."""
    templated: bool
    """A statement has a policy variable in its Resource element: the ARN itself matters."""

    def covered(self, arn: str) -> tuple[bool, ...]:
        """Which of the resource sets match `arn`."""
        return tuple([resource_set.matches(arn) for resource_set in self.sets])


def reads_of(policies: Iterable[Policy], action: str) -> Reads:
    """What the statements of `policies` covering `action` read of a request."""
    sets: dict[int, ResourceSet] = {}
    keys: set[str] = set()
    templated = False
    for policy in policies:
        for statement in policy.statements_for_action(action):
            if statement.resource_templates is not None:
                templated = True
            elif statement.resource_set is not None and not statement.resource_set.everything:
                sets.setdefault(id(statement.resource_set), statement.resource_set)
            for clause in statement.conditions:
                keys.add(clause.key_lower)
                for template in clause.templates or ():
                    keys.update(variable.key.lower() for variable in template.variables)
    return Reads(tuple(sets.values()), frozenset(keys), templated)


def flat(levels: Levels | None) -> list[Policy]:
    """The parsed policies of organization levels, in order."""
    return [loaded.policy for level in levels or () for loaded in level]


@dataclass(slots=True)
class LevelNumbers:
    """A number for each content of SCP or RCP levels: equal documents under equal ids, equal numbers."""

    _by_id: dict[int, tuple[Levels, int]] = field(default_factory=dict)
    _numbers: dict[object, int] = field(default_factory=dict)

    def of(self, levels: Levels | None) -> int:
        """The number of `levels` (0 for None)."""
        if levels is None:
            return 0
        found = self._by_id.get(id(levels))
        if found is None or found[0] is not levels:
            content = tuple(tuple((p.policy_id, p.text) for p in level) for level in levels)
            number = self._numbers.setdefault(content, len(self._numbers) + 1)
            found = self._by_id[id(levels)] = (levels, number)  # holds the levels: their id is not reused
        return found[1]
