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


def _as_strings(value: object) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(_as_string(item) for item in value)
    return (_as_string(value),)


def _as_string(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_NOTHING = object()

_last_keys: list[tuple[frozenset[str], dict[str, str]]] = []
"""The last key map built: the graph asks many actions with one context, so the next request
usually has the same keys (values are always read from the request itself)."""


def _key_map(raw: Mapping[str, object]) -> dict[str, str]:
    """Lower-cased key -> key as written (the last one wins, as in a dict built in order)."""
    if _last_keys:
        keys, mapping = _last_keys[0]
        if raw.keys() == keys:
            return mapping
    mapping = {key.lower(): key for key in raw}
    if len(mapping) == len(raw):  # no two keys differ only in case, so their order does not matter
        _last_keys[:] = [(frozenset(raw), mapping)]
    return mapping


class RequestContext:
    """Condition-key values of one request, with the unknown/absent distinction.

    A context built by `lazy` keeps the request's raw mapping and normalizes a key only when a
    condition or a memo reads it (most requests read a few of their keys).
    """

    __slots__ = ("_values", "_raw", "_lowered", "_derived", "_derived_absent", "_known_absent", "three_valued")

    def __init__(self, values: Mapping[str, object], *, unknown: bool = False,
                 known_absent: frozenset[str] = frozenset()) -> None:
        self._values: dict[str, Lookup] = {key.lower(): _as_strings(value) for key, value in values.items()}
        self._raw: Mapping[str, object] | None = None
        self._lowered: dict[str, str] | None = None
        self._derived: Mapping[str, tuple[str, ...]] = {}
        self._derived_absent: frozenset[str] = frozenset()
        self._known_absent = known_absent
        self.three_valued = unknown
        """Whether absent keys are unknown (three-valued mode)."""

    @classmethod
    def lazy(cls, raw: Mapping[str, object], derived: Mapping[str, tuple[str, ...]], derived_absent: frozenset[str],
             *, unknown: bool, known_absent: frozenset[str]) -> RequestContext:
        """A context over the request's own keys `raw` (any case, values not yet normalized), which
        win over `derived` (lower-cased keys AWS derives from the request). In three-valued mode a
        key of `derived_absent` or `known_absent` is absent, any other missing key unknown.
        """
        context = cls.__new__(cls)
        context._values = {}
        context._raw = raw or None
        context._lowered = None
        context._derived = derived
        context._derived_absent = derived_absent
        context._known_absent = known_absent
        context.three_valued = unknown
        return context

    def get(self, key_lower: str) -> Lookup:
        """The key's values, or ABSENT / UNKNOWN."""
        found = self._values.get(key_lower)
        if found is not None:
            return found
        return self._miss(key_lower)

    def values(self, keys_lower: tuple[str, ...]) -> tuple[Lookup, ...]:
        """`get` of each key, in order (one call for a memo key)."""
        values = self._values
        found: list[Lookup] = []
        for key in keys_lower:
            value = values.get(key)
            found.append(self._miss(key) if value is None else value)
        return tuple(found)

    def _miss(self, key_lower: str) -> Lookup:
        raw = self._raw
        if raw is not None:
            lowered = self._lowered
            if lowered is None:
                lowered = self._lowered = _key_map(raw)
            original = lowered.get(key_lower)
            value = _NOTHING if original is None else raw.get(original, _NOTHING)
            if value is not _NOTHING:
                normalized = (value,) if type(value) is str else _as_strings(value)
                self._values[key_lower] = normalized
                return normalized
        derived = self._derived.get(key_lower)
        if derived is not None:
            self._values[key_lower] = derived
            return derived
        missing = (UNKNOWN if self.three_valued and key_lower not in self._known_absent
                   and key_lower not in self._derived_absent else ABSENT)
        self._values[key_lower] = missing
        return missing

    def single(self, key_lower: str) -> str | Missing:
        """The value of a single-valued key, for policy-variable substitution.

        A variable can only stand for a single-valued key (policy-variables reference); a key
        with several values gives no substitution.
        """
        found = self.get(key_lower)
        if isinstance(found, Missing):
            return found
        return found[0] if len(found) == 1 else ABSENT
