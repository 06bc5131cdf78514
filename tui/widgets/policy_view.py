"""A policy document, pretty-printed as highlighted JSON, with one statement marked in place."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from tui.literal import literal

_SENTINEL = "@@xpath-tui-statement-{}@@"


@dataclass(frozen=True, slots=True)
class FormattedPolicy:
    """A policy as indented JSON text, with the (first, last) line numbers of each statement (1-based)."""

    text: str
    statement_lines: tuple[tuple[int, int], ...]


def format_policy(document: Any) -> FormattedPolicy:
    """Pretty-prints a policy document and finds where each statement sits.

    Args:
        document: The decoded policy (an object with `Statement` as a list or a single object;
            anything else is printed as is).

    Returns:
        The JSON text (two-space indent, keys in their original order) and the line range of
        each statement, in statement order.
    """
    statements = document.get("Statement") if isinstance(document, dict) else None
    if not isinstance(statements, (list, dict)):
        return FormattedPolicy(json.dumps(document, indent=2, ensure_ascii=True), ())
    items = statements if isinstance(statements, list) else [statements]
    sentinels = [_SENTINEL.format(index) for index in range(len(items))]
    placeholder = dict(document)
    placeholder["Statement"] = sentinels if isinstance(statements, list) else sentinels[0]
    skeleton = json.dumps(placeholder, indent=2, ensure_ascii=True).splitlines()
    quoted = {json.dumps(sentinel): index for index, sentinel in enumerate(sentinels)}
    out: list[str] = []
    ranges: dict[int, tuple[int, int]] = {}
    for line in skeleton:
        stripped = line.strip()
        bare = stripped.rstrip(",")
        key, _, value = bare.partition(": ")
        token = bare if bare in quoted else (value if value in quoted and key == '"Statement"' else None)
        if token is None:
            out.append(line)
            continue
        index = quoted[token]
        indent = line[: len(line) - len(line.lstrip())]
        trailing = "," if stripped.endswith(",") else ""
        block = json.dumps(items[index], indent=2, ensure_ascii=True).splitlines()
        head = line[: len(line) - len(trailing)].replace(token, block[0], 1)
        lines = [head] + [indent + rest for rest in block[1:]]
        lines[-1] += trailing
        first = len(out) + 1
        out.extend(lines)
        ranges[index] = (first, len(out))
    return FormattedPolicy("\n".join(out), tuple(ranges[index] for index in range(len(items))))


class PolicyView(Static):
    """Shows one policy document; `show` marks the statement that grants a hop."""

    policy_title: str = ""
    """The heading of the policy shown."""
    formatted: FormattedPolicy | None = None
    """The document as shown."""
    highlighted: tuple[int, int] | None = None
    """The (first, last) lines of the marked statement, if any."""

    def show(self, title: str, document: Any, *, statement: int | None = None, note: str = "") -> None:
        """Displays a policy.

        Args:
            title: A heading (policy name or ARN); shown literally.
            document: The decoded policy document.
            statement: Index of the statement to highlight, if any.
            note: A line shown under the heading (why this statement matters).
        """
        formatted = format_policy(document)
        self.policy_title = title
        self.formatted = formatted
        self.highlighted = None
        highlight: set[int] = set()
        heading = Text.assemble(literal(title, "bold"))
        if statement is not None and 0 <= statement < len(formatted.statement_lines):
            first, last = formatted.statement_lines[statement]
            highlight = set(range(first, last + 1))
            self.highlighted = (first, last)
            heading.append(f"  ◀ statement {statement} (lines {first}-{last})", style="bold yellow")
        from rich.syntax import Syntax  # pygments is a tenth of a second to load: not before a policy is shown

        syntax = Syntax(formatted.text, "json", theme="ansi_dark", line_numbers=True, word_wrap=True,
                        highlight_lines=highlight)
        if highlight:
            syntax.stylize_range(Style(bgcolor="#3a3000"), (min(highlight), 0), (max(highlight) + 1, 0))
        parts: list[Any] = [heading]
        if note:
            parts.append(literal(note, "italic"))
        parts.append(syntax)
        self.update(Group(*parts))
