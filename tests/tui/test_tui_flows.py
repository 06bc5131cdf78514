"""Pilot-driven flows of the explorer on a tiny organization that tells the demo's story."""

from __future__ import annotations

from pathlib import Path

import pytest

from textual.widgets import DataTable, Input, Static

from graph.errors import SnapshotError
from graph.model import Snapshot

from tui.app import XPathApp
from tui.cli import main
from tui.catalog import RefKind
from tui.screens.findings import FindingsScreen
from tui.screens.help import HelpScreen
from tui.screens.trace import TraceScreen
from tui.screens.who_can import WhoCanScreen
from tui.widgets.details import DetailsPane
from tui.widgets.org_tree import OrgTree
from tui.widgets.path_list import HopItem, PathItem, PathList
from tui.widgets.policy_view import PolicyView
from tui_story import A, BUCKET, EXTERNAL_ID, HOSTILE_NAME, OPEN_ROLE, VENDOR, VENDOR_ROLE, story_snapshot
from tui_helpers import SIZE, pane_text, settle, static_text, tree_lines


async def _jump(app: XPathApp, pilot, query: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(app, pilot)


async def test_overview_shows_the_organization_and_the_outside() -> None:
    app = XPathApp(story_snapshot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        lines = tree_lines(app.overview.query_one(OrgTree))
        # A small organization opens with its OUs expanded down to the accounts.
        assert "Workloads" in lines and "Data" in lines
        assert f"{A} dev" in lines
        # The vendor is referenced by a trust policy but not collected, and LegacyOpenRole trusts
        # anyone: both sit outside the organization.
        assert "outside the organization (2)" in lines
        assert any(line.startswith(VENDOR) and "not collected" in line for line in lines)
        assert any(line.startswith("anyone (*)") for line in lines)
        # The subtitle shows the snapshot's own time, never the clock, and the partial-data warning.
        assert app.sub_title == "synthetic snapshot · 2 accounts · collected 2026-11-27 10:00:00 UTC · ⚠ 1 collection errors"


async def test_palette_jumps_to_the_bucket_and_trace_shows_both_mechanisms() -> None:
    app = XPathApp(story_snapshot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _jump(app, pilot, "shared-data")
        tree = app.overview.query_one(OrgTree)
        assert tree.cursor_node is not None and tree.cursor_node.data is not None
        assert tree.cursor_node.data.id == BUCKET
        assert "resource policy" in pane_text(app.overview.query_one(DetailsPane))

        await pilot.press("t")  # trace to the selected bucket: pick the source
        await pilot.pause()
        await pilot.press(*A, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TraceScreen)
        paths = app.screen.query_one(PathList)
        path_lines = [node for node in paths.root.children]
        assert len(path_lines) == 2  # the direct bucket grant and the role chain through account B
        direct, chained = (node.label.plain for node in path_lines)
        # Shortest first: 2 hops through the bucket policy, then 3 hops through sts:AssumeRole.
        assert "direct · resource-policy grant · 2 hops" in direct
        assert "via role assumption · temporary credentials · 3 hops" in chained
        hops = [child.label.plain for child in path_lines[1].children]
        assert "─assume-role (STS)→ role/CrossAccountS3Access" in hops[1]
        assert "[role assumption · temporary]" in hops[1]
        assert "[resource-policy grant · direct]" in path_lines[0].children[1].label.plain

        # Selecting the bucket-policy hop opens the statement that grants it, marked in place.
        paths.focus()
        hop_node = path_lines[0].children[1]
        paths.move_cursor(hop_node)
        await pilot.pause()
        assert isinstance(hop_node.data, HopItem)
        views = list(app.screen.query_one(DetailsPane).query(PolicyView))
        bucket_view = next(view for view in views if view.policy_title == "resource policy of shared-data-bucket")
        assert bucket_view.highlighted is not None and bucket_view.formatted is not None
        first, last = bucket_view.highlighted
        marked = "\n".join(bucket_view.formatted.text.splitlines()[first - 1:last])
        assert '"Sid": "DevReadsDirectly"' in marked


async def test_who_can_on_the_vendor_role_says_the_external_id() -> None:
    app = XPathApp(story_snapshot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _jump(app, pilot, "VendorAuditRole")
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, WhoCanScreen)
        lines = tree_lines(app.screen.query_one(PathList))
        vendor_line = next(line for line in lines if line.startswith("account") and VENDOR in line)
        # The trust needs sts:ExternalId: a conditional path, with the condition in words.
        assert "conditional" in vendor_line
        assert f"needs external ID `{EXTERNAL_ID}`" in vendor_line
        principal = next(node for node in app.screen.query_one(PathList).root.children[0].children)
        assert isinstance(principal.data, PathItem)
        app.screen.query_one(PathList).move_cursor(principal)
        await pilot.pause()
        assert f"needs external ID `{EXTERNAL_ID}`" in pane_text(app.screen.query_one(DetailsPane))
        assert VENDOR_ROLE == app.screen.resource


async def test_tree_filter_keeps_matches_and_their_ancestors() -> None:
    app = XPathApp(story_snapshot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        await pilot.press(*"crossaccount", "enter")
        await pilot.pause()
        lines = tree_lines(app.overview.query_one(OrgTree))
        assert lines == ["Root", "Data", "222222222222 data  ⚠ 1", "roles (3)", "CrossAccountS3Access"]
        await pilot.press("escape")
        await pilot.pause()
        assert not app.overview.query_one("#filter", Input).display
        assert "Workloads" in tree_lines(app.overview.query_one(OrgTree))


async def test_export_writes_the_paths(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # the default export path is in the current directory
    app = XPathApp(story_snapshot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _jump(app, pilot, "shared-data")
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*A, "enter")
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")  # accept DOT at the default path
        await pilot.pause()
    written = tmp_path / "xpath-paths.dot"
    assert written.exists()
    dot = written.read_text()
    assert dot.startswith("digraph") or "digraph" in dot.splitlines()[0]
    assert "CrossAccountS3Access" in dot and "shared-data-bucket" in dot


async def test_untrusted_text_is_shown_literally() -> None:
    app = XPathApp(story_snapshot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _jump(app, pilot, "Hostile")
        details = pane_text(app.overview.query_one(DetailsPane))
        # The tag value holds Rich markup and an escape sequence: both appear as typed, never applied.
        assert "[bold red]pwned[/]\\x1b[31mred" in details
        assert "\x1b" not in details
        assert HOSTILE_NAME not in details  # the raw escape byte never reaches the screen
        assert app.overview.selected() is not None and app.overview.selected().kind is RefKind.ROLE


async def test_findings_list_opens_the_proving_statement() -> None:
    app = XPathApp(story_snapshot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        status = static_text(app.overview.query_one("#status", Static))
        assert "findings:" in status and "computing" not in status
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FindingsScreen)
        report = app.screen.report
        assert app.screen.query_one(DataTable).row_count == len(report.findings)
        # LegacyOpenRole trusts "*" with no condition: anyone may assume it (SPEC §6, first check).
        open_trust = [i for i, finding in enumerate(report.findings) if finding.arn == OPEN_ROLE
                      and finding.statement is not None]
        assert open_trust
        app.screen.query_one(DataTable).move_cursor(row=open_trust[0])
        await pilot.pause()
        view = app.screen.query_one(DetailsPane).query_one(PolicyView)
        assert view.policy_title.startswith("trust policy of role/LegacyOpenRole")
        assert view.highlighted is not None and view.formatted is not None
        first, last = view.highlighted
        assert '"AWS": "*"' in "\n".join(view.formatted.text.splitlines()[first - 1:last])
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.overview


async def test_unreadable_snapshot_closes_the_explorer_with_one_line() -> None:
    def broken() -> Snapshot:
        raise SnapshotError("Expecting value", "bad.json:1:1")

    app = XPathApp(broken)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
    # run_explorer turns this into one line on stderr and exit code 2 (SPEC §8).
    assert app.load_error == "bad.json:1:1: Expecting value"
    assert app.return_code == 2


async def test_help_screen_lists_the_keys_and_the_marks() -> None:
    app = XPathApp(story_snapshot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = "\n".join(static_text(widget) for widget in app.screen.query(Static))
        assert "ctrl+p" in shown and "trace" in shown and "role assumption" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.overview


def test_bare_command_on_a_missing_snapshot_exits_2_with_one_line(
        tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    original = XPathApp.run
    monkeypatch.setattr(XPathApp, "run", lambda self, **_: original(self, headless=True))
    missing = tmp_path / "nope.json"
    with pytest.raises(SystemExit) as exited:
        main(["--snapshot", str(missing)])
    assert exited.value.code == 2  # SPEC §8: bad input, one line, no traceback
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xpath-tui: error: ") and "nope.json" in lines[0]
