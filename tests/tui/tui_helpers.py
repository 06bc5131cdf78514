"""Helpers for the explorer's Pilot tests: open an app, wait for its workers, read what it shows."""

from __future__ import annotations

import io
from collections.abc import Iterator

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from tui.app import XPathApp

SIZE = (160, 50)


async def settle(app: XPathApp, pilot: Pilot[None]) -> None:
    """Waits until every worker is done and the screen has caught up."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def tree_lines(tree: Tree[object]) -> list[str]:
    """The labels of every node in the tree (expanded or not), depth first."""

    def walk(node: TreeNode[object]) -> Iterator[str]:
        for child in node.children:
            yield child.label.plain if hasattr(child.label, "plain") else str(child.label)
            yield from walk(child)

    return list(walk(tree.root))


def static_text(widget: Static) -> str:
    """What a Static shows, as plain text (rendered the way the terminal would)."""
    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def pane_text(container: object) -> str:
    """All the text of the Statics inside a container (the details pane)."""
    return "\n".join(static_text(child) for child in container.query(Static))  # type: ignore[attr-defined]
