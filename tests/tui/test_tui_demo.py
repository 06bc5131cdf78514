"""The explorer's flows on the embedded demo organization (demo_data/README.md tells its story)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import RadioSet

from graph.demo import load_demo
from tui.app import XPathApp
from tui.screens.trace import TraceScreen
from tui.screens.who_can import WhoCanScreen
from tui.widgets.details import DetailsPane
from tui.widgets.org_tree import OrgTree
from tui.widgets.path_list import PathList
from tui.widgets.policy_view import PolicyView
from tui_helpers import SIZE, pane_text, settle, tree_lines

DEV = "111111111111"
BUCKET = "arn:aws:s3:::shared-data-bucket"
VENDOR_ROLE = "arn:aws:iam::222222222222:role/VendorAudit"
EXTERNAL_ID = "my-secret-external-id-12345"
DIRECT = f"dev {DEV} → role/AppInstanceRole → shared-data-bucket"
VIA_STS = f"dev {DEV} → role/AppInstanceRole → role/CrossAccountS3Access → shared-data-bucket"


async def _jump(app: XPathApp, pilot, query: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(app, pilot)


async def _trace_from_dev(app: XPathApp, pilot) -> PathList:  # type: ignore[no-untyped-def]
    await _jump(app, pilot, "shared-data-bucket")
    await pilot.press("t")
    await pilot.pause()
    await pilot.press(*DEV, "enter")
    await settle(app, pilot)
    assert isinstance(app.screen, TraceScreen)
    return app.screen.query_one(PathList)


async def test_demo_trace_shows_account_a_both_ways_to_the_bucket() -> None:
    app = XPathApp(load_demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        paths = await _trace_from_dev(app, pilot)
        by_route = {node.label.plain.split("   ")[0].strip().split("  ", 1)[1]: node for node in paths.root.children}
        # The demo's story (issue 2): AppInstanceRole reads the bucket directly through its bucket
        # policy, and also by assuming CrossAccountS3Access in account B (temporary credentials).
        direct, via_sts = by_route[DIRECT], by_route[VIA_STS]
        assert "direct · resource-policy grant · 2 hops" in direct.label.plain
        assert "via role assumption · temporary credentials · 3 hops" in via_sts.label.plain
        assume_hop = via_sts.children[1].label.plain
        assert assume_hop.startswith("─assume-role (STS)→ role/CrossAccountS3Access")
        assert "[role assumption · temporary]" in assume_hop
        grant_hop = direct.children[1]
        assert "[resource-policy grant · direct]" in grant_hop.label.plain
        # The bucket denies plain HTTP: the hop is conditional on it, said in words.
        assert "denied if aws:SecureTransport is `false`" in grant_hop.label.plain

        paths.move_cursor(grant_hop)
        await pilot.pause()
        views = list(app.screen.query_one(DetailsPane).query(PolicyView))
        bucket = next(view for view in views if view.policy_title == "resource policy of shared-data-bucket")
        assert bucket.highlighted is not None and bucket.formatted is not None
        first, last = bucket.highlighted
        assert '"Sid": "DevAccountList"' in "\n".join(bucket.formatted.text.splitlines()[first - 1:last])


async def test_demo_who_can_on_the_vendor_role_shows_the_external_id() -> None:
    app = XPathApp(load_demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _jump(app, pilot, "VendorAudit")
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, WhoCanScreen) and app.screen.resource == VENDOR_ROLE
        lines = tree_lines(app.screen.query_one(PathList))
        # The vendor (999999999999, not collected) may assume the role only with its external ID.
        vendor = next(line for line in lines if line.startswith("account") and "999999999999" in line)
        assert "conditional" in vendor and f"needs external ID `{EXTERNAL_ID}`" in vendor
        hop = next(line for line in lines if line.startswith("─assume-role (STS)→ role/VendorAudit"))
        assert f"needs external ID `{EXTERNAL_ID}`" in hop


async def test_demo_tree_filter() -> None:
    app = XPathApp(load_demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"vendoraudit", "enter")
        await pilot.pause()
        lines = tree_lines(app.overview.query_one(OrgTree))
        assert lines[-1] == "VendorAudit"  # the match, under its account and OU chain
        assert any(line.startswith("222222222222 data") for line in lines)
        assert not any(line.startswith(DEV) for line in lines)  # dev has nothing that matches


async def test_demo_export_json_of_the_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = XPathApp(load_demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _trace_from_dev(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        radio = app.screen.query_one(RadioSet)
        radio.focus()
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # DOT → Mermaid → JSON
        await pilot.pause()
        app.screen.query_one("#export-path").focus()
        await pilot.press("enter")
        await pilot.pause()
    written = tmp_path / "xpath-paths.json"
    answer = json.loads(written.read_text())
    # The SPEC §4 `paths --json` shape, for the trace on screen.
    assert answer["source"] == DEV and answer["target"] == BUCKET
    assert {hop["edge"] for path in answer["paths"] for hop in path["hops"]} >= {"member", "assume-role", "resource-policy"}


async def test_demo_overview_header_and_findings() -> None:
    app = XPathApp(load_demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.sub_title.startswith("demo snapshot · ")
        assert "collected 2026-11-27 10:00:00 UTC" in app.sub_title
        assert app.findings is not None and app.findings.findings  # the demo plants findings on purpose
        assert "outside the organization" in " ".join(tree_lines(app.overview.query_one(OrgTree)))
        assert "accounts" in pane_text(app.overview.query_one(DetailsPane))
