"""The explorer on a hostile snapshot: names with escape sequences, Rich markup and 100,000 characters.

The tree, the details pane and the who-can screen must show such text as typed (markup visible,
control characters as `\\xNN`), and the app must keep running. Textual renders Rich `Text`, so a
label built from raw markup would apply `[bold red]` and open `[link=...]`, and a raw ESC byte would
reach the terminal.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from graph.snapshot import parse_snapshot
from tests.robustness.hostile import ESCAPES, HUGE, MARKUP, hostile_demo, visible_form
from tui.app import XPathApp
from tui.screens.who_can import WhoCanScreen
from tui.widgets.details import DetailsPane
from tui.widgets.org_tree import OrgTree
from tui.widgets.path_list import PathList

SIZE = (160, 50)


async def _settle(app: XPathApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _labels(tree: Tree[object]) -> list[str]:
    def walk(node: TreeNode[object]) -> Iterator[str]:
        for child in node.children:
            yield child.label.plain if hasattr(child.label, "plain") else str(child.label)
            yield from walk(child)

    return list(walk(tree.root))


def _pane(container: DetailsPane) -> str:
    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    for widget in container.query(Static):
        console.print(widget.content)
    return console.export_text()


def _raw_controls(text: str) -> set[str]:
    return {f"{ord(c):#x}" for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f}


async def _jump(app: XPathApp, pilot: Pilot[None], query: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await _settle(app, pilot)


async def test_the_explorer_shows_hostile_names_literally_and_keeps_running() -> None:
    snapshot = parse_snapshot(hostile_demo(huge=True))
    app = XPathApp(lambda: snapshot)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        labels = _labels(app.overview.query_one(OrgTree))
        assert not _raw_controls("".join(labels))
        # account names carry the hostile suffix: shown with the escapes visible and the markup as typed
        dev = next(label for label in labels if label.startswith("111111111111"))
        assert visible_form(ESCAPES) + MARKUP in dev

        await _jump(app, pilot, "AppInstanceRole")
        details = _pane(app.overview.query_one(DetailsPane))
        assert not _raw_controls(details)
        assert MARKUP in "".join(line.strip(" │") for line in details.splitlines())

        await _jump(app, pilot, "shared-data-bucket")
        await pilot.press("w")
        await _settle(app, pilot)
        assert isinstance(app.screen, WhoCanScreen)
        lines = _labels(app.screen.query_one(PathList))
        assert not _raw_controls("".join(lines))
        # the role chain through CrossAccountS3Access (name + 100,000 characters) is listed, whole
        assert any(HUGE in line for line in lines)
        assert any(MARKUP in line for line in lines)
        assert app.is_running
