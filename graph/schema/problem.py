"""A problem found in a snapshot, with the JSON path of where it is."""

from __future__ import annotations

import re
from dataclasses import dataclass

PathPart = str | int
"""One step of a JSON path: an object key or a list index."""

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_:/-]*$")


def format_location(path: tuple[PathPart, ...]) -> str:
    """The JSON path as users read it, e.g. `accounts[2].authorization_details.RoleDetailList[5]`.

    Args:
        path: Keys and indexes from the top of the document.

    Returns:
        The location text; `<document>` for the top itself.
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text or "<document>"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a snapshot."""

    location: str
    """Where: a JSON path such as `accounts[0].resources[3].policy.Statement[1]`."""
    message: str
    """What, in one line."""

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


def problem_at(path: tuple[PathPart, ...], message: str) -> Problem:
    """A `Problem` at a JSON path.

    Args:
        path: Keys and indexes from the top of the document.
        message: What is wrong, in one line.

    Returns:
        The problem with its formatted location.
    """
    return Problem(format_location(path), message)
