"""Untrusted text (names, tags, ARNs, policy strings) as literal terminal text.

Everything the explorer shows that came from a snapshot goes through `literal`: Rich markup such
as `[bold]` stays as typed, and terminal control characters (escape sequences, bells,
backspaces) are shown as visible escapes instead of reaching the terminal.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(value: str) -> str:
    """Replaces control characters by visible `\\xNN` escapes (newlines and tabs kept)."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", value)


def literal(value: str, style: str | Style = "") -> Text:
    """A Rich `Text` showing `value` exactly, never interpreted as markup.

    Args:
        value: Text from the snapshot (may contain `[markup]` or escape sequences).
        style: Style of the whole text.

    Returns:
        The text, with control characters made visible.
    """
    return Text(visible(value), style=style)
