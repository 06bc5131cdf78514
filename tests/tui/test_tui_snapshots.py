"""SVG snapshots pinning the layout of the overview, trace and who-can screens (regenerate with --snapshot-update).

Deterministic by construction: fixed terminal size, the snapshot's own collection time (no clock),
workers awaited before the picture is taken.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tui.app import XPathApp
from tui.catalog import Ref, RefKind
from tui_helpers import SIZE, settle
from tui_story import A, BUCKET, VENDOR_ROLE, story_snapshot


async def _opened(pilot: Pilot[Any]) -> None:
    await settle(pilot.app, pilot)  # type: ignore[arg-type]


def test_overview_screen(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _opened(pilot)
        pilot.app.overview.reveal(Ref(RefKind.ROLE, "arn:aws:iam::222222222222:role/CrossAccountS3Access"))
        await pilot.pause()

    assert snap_compare(XPathApp(story_snapshot), terminal_size=SIZE, run_before=run_before)


def test_trace_screen(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _opened(pilot)
        pilot.app.overview.reveal(Ref(RefKind.RESOURCE, BUCKET))
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*A, "enter")
        await _opened(pilot)
        await pilot.press("down", "down", "down", "down", "down", "down")  # hop 2 of path 2: the assume-role hop
        await pilot.pause()

    assert snap_compare(XPathApp(story_snapshot), terminal_size=SIZE, run_before=run_before)


def test_who_can_screen(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _opened(pilot)
        pilot.app.overview.reveal(Ref(RefKind.ROLE, VENDOR_ROLE))
        await pilot.pause()
        await pilot.press("w")
        await _opened(pilot)
        await pilot.press("down", "down", "down")  # the vendor's assume-role hop
        await pilot.pause()

    assert snap_compare(XPathApp(story_snapshot), terminal_size=SIZE, run_before=run_before)
