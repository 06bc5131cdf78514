"""The request context: condition keys, case-insensitive names, and the three-valued view.

Keys are looked up case-insensitively (IAM condition-key names are case-insensitive); values
keep their case. In two-valued mode an absent key is absent, as in AWS. In three-valued mode
(`unknown_context`) an absent key is *unknown* unless it is listed as known to be absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum


class Missing(Enum):
    """Why a key has no value."""

    ABSENT = "absent"
    UNKNOWN = "unknown"


ABSENT = Missing.ABSENT
UNKNOWN = Missing.UNKNOWN

Lookup = tuple[str, ...] | Missing


def normalize_values(value: object) -> tuple[str, ...]:
    """A context value as a tuple of strings (booleans as "true"/"false")."""
    return _as_strings(value)


def _as_strings(value: object) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(_as_string(item) for item in value)
    return (_as_string(value),)


def _as_string(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class RequestContext:
    """Condition-key values of one request, with the unknown/absent distinction."""

    __slots__ = ("_values", "_unknown", "_known_absent")

    def __init__(self, values: Mapping[str, object], *, unknown: bool = False,
                 known_absent: frozenset[str] = frozenset()) -> None:
        self._values: dict[str, tuple[str, ...]] = {key.lower(): _as_strings(value) for key, value in values.items()}
        self._unknown = unknown
        self._known_absent = known_absent

    @classmethod
    def normalized(cls, values: dict[str, tuple[str, ...]], *, unknown: bool,
                   known_absent: frozenset[str]) -> RequestContext:
        """Wrap values whose keys are already lower-cased and values already tuples of strings."""
        context = cls.__new__(cls)
        context._values = values
        context._unknown = unknown
        context._known_absent = known_absent
        return context

    @property
    def three_valued(self) -> bool:
        return self._unknown

    def get(self, key_lower: str) -> Lookup:
        """The key's values, or ABSENT / UNKNOWN."""
        found = self._values.get(key_lower)
        if found is not None:
            return found
        if self._unknown and key_lower not in self._known_absent:
            return UNKNOWN
        return ABSENT

    def single(self, key_lower: str) -> str | Missing:
        """The value of a single-valued key, for policy-variable substitution.

        A variable can only stand for a single-valued key (policy-variables reference); a key
        with several values gives no substitution.
        """
        found = self.get(key_lower)
        if isinstance(found, Missing):
            return found
        return found[0] if len(found) == 1 else ABSENT
