"""Linear-time wildcard matching for actions, ARNs and `StringLike` values.

IAM patterns use `*` (any run of characters, including none) and `?` (exactly one character).
A pattern is split at its stars into fixed-length pieces; the first piece must be a prefix, the
last a suffix, and each middle piece is found left-most with `str.find` (or a star-free regex
when it holds `?`). Left-most placement is always optimal for `*`-only gaps, so the matcher never
backtracks and runs in O(len(text) * pieces) at C speed, even on `*a*a*a...b` patterns.

Values that come from policy variables must match literally, so the variable module escapes a
literal `*` or `?` as `LITERAL_STAR` / `LITERAL_QUESTION` (private-use characters) before the
pattern reaches this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

LITERAL_STAR = "\ue000"
"""Stands for a literal `*` inside a pattern (from `${*}` or a substituted variable value)."""
LITERAL_QUESTION = "\ue001"
"""Stands for a literal `?` inside a pattern."""

_UNESCAPE = str.maketrans({LITERAL_STAR: "*", LITERAL_QUESTION: "?"})


def unescape(text: str) -> str:
    """The literal text of a pattern piece (private-use escapes back to `*` and `?`)."""
    return text.translate(_UNESCAPE)


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    regex: re.Pattern[str] | None  # set when the piece holds `?`

    def match_at(self, subject: str, position: int) -> bool:
        if self.regex is None:
            return subject.startswith(self.text, position)
        return self.regex.match(subject, position) is not None

    def find(self, subject: str, start: int, end: int) -> int:
        if self.regex is None:
            return subject.find(self.text, start, end)
        found = self.regex.search(subject, start, end)
        return -1 if found is None else found.start()


def _piece(text: str) -> _Piece:
    if "?" not in text:
        return _Piece(unescape(text), None)
    body = "".join("." if char == "?" else re.escape(unescape(char)) for char in text)
    return _Piece(text, re.compile(body, re.DOTALL))


@dataclass(frozen=True, slots=True)
class Glob:
    """A compiled wildcard pattern."""

    exact: str | None
    """The literal text when the pattern has no wildcard (fast equality)."""
    pieces: tuple[_Piece, ...]
    """Pieces between stars (only when `exact` is None)."""
    star_count: int
    length: int
    """Number of characters the fixed pieces need (a lower bound on the subject length)."""

    def matches(self, subject: str) -> bool:
        """Whether the whole `subject` matches this pattern."""
        if self.exact is not None:
            return subject == self.exact
        if self.star_count == 0:
            piece = self.pieces[0]
            return len(subject) == len(piece.text) and piece.match_at(subject, 0)
        if len(subject) < self.length:
            return False
        first, *middle, last = self.pieces
        if not first.match_at(subject, 0):
            return False
        end = len(subject) - len(last.text)
        if end < len(first.text) or not last.match_at(subject, end):
            return False
        position = len(first.text)
        for piece in middle:
            found = piece.find(subject, position, end)
            if found < 0:
                return False
            position = found + len(piece.text)
        return True


@lru_cache(maxsize=65536)
def compile_glob(pattern: str) -> Glob:
    """Compile an IAM wildcard pattern (`*`, `?`; escaped literals allowed)."""
    if "*" not in pattern and "?" not in pattern:
        return Glob(unescape(pattern), (), 0, len(pattern))
    parts = pattern.split("*")
    pieces = tuple(_piece(part) for part in parts)
    return Glob(None, pieces, len(parts) - 1, sum(len(part) for part in parts))


def glob_matches(pattern: str, subject: str) -> bool:
    """Case-sensitive wildcard match of the whole `subject` (the compiled pattern is cached)."""
    return compile_glob(pattern).matches(subject)


@lru_cache(maxsize=262144)
def action_matches(pattern: str, action: str) -> bool:
    """Whether an Action/NotAction entry covers `action` (case-insensitive, `*` and `?`).

    Per the IAM Action element reference, action names and service prefixes are
    case-insensitive; `"*"` covers every action.
    """
    return compile_glob(pattern.lower()).matches(action.lower())


@lru_cache(maxsize=65536)
def _compile_arn(pattern: str) -> tuple[Glob, ...]:
    return tuple(compile_glob(part) for part in pattern.split(":", 5))


@lru_cache(maxsize=65536)
def _spanning(pattern: str) -> Glob | None:
    """The whole pattern as one glob when a segment before its last ends with `*`, else None."""
    parts = pattern.split(":", 5)
    if any(part.endswith("*") for part in parts[:-1]):
        return compile_glob(pattern)
    return None


def arn_like_matches(pattern: str, arn: str) -> bool:
    """Whether an `ArnLike`/`ArnEquals` value covers `arn`: each of the six colon-separated parts
    is matched on its own (condition operators reference), `*` and `?` inside a part.

    A pattern with no colon (e.g. `"*"`) is matched against the whole text; one with fewer than
    six segments matches its last segment against the rest of the ARN.
    """
    if pattern == "*":
        return True
    globs = _compile_arn(pattern)
    if len(globs) == 1:
        return globs[0].matches(arn)
    # A pattern with fewer segments matches its last segment against the rest of the ARN.
    arn_parts = arn.split(":", len(globs) - 1)
    if len(arn_parts) != len(globs):
        return False
    for glob, part in zip(globs, arn_parts):
        if not glob.matches(part):
            return False
    return True


def resource_matches(pattern: str, arn: str) -> bool:
    """Whether a Resource/NotResource pattern covers `arn`.

    ARNs are matched segment by segment (partition, service, region, account, resource),
    case-sensitively; `*` and `?` work inside each segment and `*` in the resource segment also
    spans `/` and `:`. Per the IAM Resource element reference, a `*` that is the last character of
    a segment "can expand to match beyond the colon boundaries": `arn:aws:sqs:*:queue1` covers
    `arn:aws:sqs:us-east-1:111122223333:queue1`. Such a pattern that misses segment by segment is
    matched once more as one glob over the whole ARN (only possible when the ARN has more colons).
    Compiled patterns are cached; ARNs are not (they are mostly distinct, and matching is linear).
    """
    if arn_like_matches(pattern, arn):
        return True
    spanning = _spanning(pattern)
    return spanning is not None and arn.count(":") > pattern.count(":") and spanning.matches(arn)


_ESCAPES = (LITERAL_STAR, LITERAL_QUESTION)


class ResourceSet:
    """The Resource/NotResource patterns of one statement, compiled for repeated matching.

    Literal patterns become a set (one hash lookup); patterns whose only wildcard is a trailing
    `*` become one `str.startswith` over a tuple of prefixes (a trailing star is in the last
    segment, and the literal segments before it fix the ARN's first segments exactly); the rest
    go through `resource_matches`. The answer is the same as `any(resource_matches(p, arn))`.
    """

    __slots__ = ("everything", "exact", "prefixes", "general")

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.everything = "*" in patterns
        exact: set[str] = set()
        prefixes: list[str] = []
        general: list[str] = []
        for pattern in patterns:
            star = pattern.find("*")
            if "?" in pattern or any(escape in pattern for escape in _ESCAPES):
                general.append(pattern)
            elif star < 0:
                exact.add(pattern)
            elif star == len(pattern) - 1:
                prefixes.append(pattern[:-1])
            else:
                general.append(pattern)
        self.exact = frozenset(exact)
        self.prefixes = tuple(prefixes)
        self.general = tuple(general)

    def matches(self, arn: str) -> bool:
        """Whether some pattern covers `arn`."""
        if self.everything or arn in self.exact or arn.startswith(self.prefixes):
            return True
        for pattern in self.general:
            if resource_matches(pattern, arn):
                return True
        return False


@lru_cache(maxsize=65536)
def compile_resources(patterns: tuple[str, ...]) -> ResourceSet:
    """The compiled form of a statement's plain (variable-free) resource patterns (cached)."""
    return ResourceSet(patterns)
