"""What runs in the background never blocks or misleads: long queries cancel with escape, and a
snapshot shown before its last checks answers nothing once they fail."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import LoadingIndicator, Static
from textual.worker import WorkerState

import tui.screens.who_can as who_can_screen
from graph.query import WhoCanResult
from graph.snapshot import open_snapshot, snapshot_to_dict, validate_snapshot
from tui.app import XPathApp
from tui.screens.who_can import WhoCanScreen
from tui.widgets.path_list import PathList
from tui_story import BUCKET, CROSS_ROLE, story_snapshot
from tui_helpers import SIZE, settle, static_text


async def _who_can_bucket(app: XPathApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Jumps to the shared bucket through the palette and asks who can reach it (key w)."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"shared-data")
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("w")
    await pilot.pause()


async def test_escape_cancels_a_long_who_can_and_a_new_query_then_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    # A query that does not finish until the test says so stands for a who-can on a huge graph.
    release = threading.Event()
    started = threading.Event()
    real_who_can = who_can_screen.who_can
    slow_calls: list[str] = []

    def slow_who_can(*args: Any, **kwargs: Any) -> WhoCanResult:
        slow_calls.append(args[1])
        started.set()
        release.wait(timeout=30)
        return real_who_can(*args, **kwargs)

    monkeypatch.setattr(who_can_screen, "who_can", slow_who_can)
    app = XPathApp(story_snapshot)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await _who_can_bucket(app, pilot)
            screen = app.screen
            assert isinstance(screen, WhoCanScreen)
            assert started.wait(timeout=10)
            worker = screen._worker
            assert worker is not None and worker.state is WorkerState.RUNNING
            assert screen.query_one("#who-loading", LoadingIndicator).display  # the query is visibly running

            await pilot.press("escape")
            await pilot.pause()
            # Cancelled: the spinner goes, the screen says so, the worker is marked cancelled at once
            # (the thread cannot be interrupted; whatever it returns later is dropped).
            assert app.screen is screen
            assert not screen.query_one("#who-loading", LoadingIndicator).display
            assert static_text(screen.query_one("#who-summary", Static)).strip() == "cancelled"
            assert worker.is_cancelled and worker.state is WorkerState.CANCELLED

            release.set()  # the abandoned query now finishes: its answer must not appear
            await pilot.pause(0.3)
            assert static_text(screen.query_one("#who-summary", Static)).strip() == "cancelled"
            assert screen.result is None

            # Still responsive: escape goes back, and the same question asked again is answered.
            monkeypatch.setattr(who_can_screen, "who_can", real_who_can)
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is app.overview
            await pilot.press("w")
            await settle(app, pilot)
            answered = app.screen
            assert isinstance(answered, WhoCanScreen) and answered is not screen
            assert answered.result is not None
            # The story's answer: the cross-account role reaches the bucket (resource policy grant).
            assert CROSS_ROLE in {entry.principal for entry in answered.result.principals}
            assert not answered.query_one("#who-loading", LoadingIndicator).display
            assert len(answered.query_one(PathList).root.children) > 0
    finally:
        release.set()
    assert slow_calls == [BUCKET]


def _story_file(path: Path, *, break_a_statement: bool = False) -> Path:
    """The story as a snapshot file that passes `validate` (its OU ids get the length AWS gives them)."""
    text = json.dumps(snapshot_to_dict(story_snapshot()))
    text = text.replace('"ou-work-1111"', '"ou-work-11111111"').replace('"ou-data-2222"', '"ou-data-22222222"')
    document = json.loads(text)
    path.write_text(json.dumps(_with_bad_statement(document) if break_a_statement else document), encoding="utf-8")
    assert bool(validate_snapshot(path)) is break_a_statement
    return path


def _with_bad_statement(document: dict[str, Any]) -> dict[str, Any]:
    # Deep inside the last account: a bucket policy statement with Effect "Permit" (IAM knows only
    # Allow and Deny: IAM JSON policy elements reference, "Effect").
    for account in reversed(document["accounts"]):
        for resource in account["resources"]:
            if resource.get("policy"):
                policy = resource["policy"]
                statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
                statements[0]["Effect"] = "Permit"
                return document
    raise AssertionError("the story has a resource policy")


async def test_a_snapshot_invalid_deep_inside_shows_its_tree_then_the_error_and_no_answer(tmp_path: Path) -> None:
    path = _story_file(tmp_path / "deep.json", break_a_statement=True)
    opened = open_snapshot(path)  # the structure is sound: the explorer may show the tree at once
    app = XPathApp(lambda: open_snapshot(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.catalog is not None and len(app.catalog.accounts) == len(opened.snapshot.accounts)
        # The background check found the problem: same one-line error as load_snapshot, located.
        assert app.load_error is not None
        assert "invalid snapshot, nothing can be answered" in app.load_error
        assert "Effect must be Allow or Deny (got 'Permit')" in app.load_error and str(path) in app.load_error
        status = static_text(app.overview.query_one("#status", Static))
        assert "Effect must be Allow or Deny" in status
        # Nothing was built from it, and asking a question answers with the error, not with paths.
        assert app.access_graph is None and app.findings is None
        await _who_can_bucket(app, pilot)
        assert app.screen is app.overview
        await pilot.press("f")
        await pilot.pause()
        assert app.screen is app.overview
    # After quitting, the command line prints the reason and exits 2 (tui/commands/explore.py).
    assert app.load_error is not None


async def test_a_valid_opened_snapshot_is_checked_then_answers(tmp_path: Path) -> None:
    # The early path must not change answers: once checked, who-can works as on a loaded snapshot.
    path = _story_file(tmp_path / "story.json")
    app = XPathApp(lambda: open_snapshot(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.load_error is None and app.access_graph is not None
        assert "access graph ready" in static_text(app.overview.query_one("#status", Static))
        await _who_can_bucket(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, WhoCanScreen) and app.screen.result is not None
        assert CROSS_ROLE in {entry.principal for entry in app.screen.result.principals}
