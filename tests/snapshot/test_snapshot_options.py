"""`tui.options.load_snapshot_or_demo` (and the explorer's `open_snapshot_or_demo`): the subcommand's
--snapshot, else the group's, else the demo."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from graph.errors import SnapshotError
from tests.snapshot.snapshot_builders import minimal_snapshot
from tui.cli import cli
from graph.model import Snapshot
from graph.outline import outline_of
from graph.snapshot import DecodedSnapshot
from tui.options import group_snapshot_path, load_snapshot_or_demo, open_snapshot_or_demo


def _write(path: Path, *, source: str) -> Path:
    document = minimal_snapshot()
    document["source"] = source
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_without_any_snapshot_the_demo_is_used() -> None:
    # SPEC section 4: without --snapshot, the embedded demo organization.
    assert load_snapshot_or_demo(None).source == "demo"


def test_the_subcommand_option_wins_over_the_group_option(tmp_path: Path) -> None:
    group_file = _write(tmp_path / "group.json", source="live")
    own_file = _write(tmp_path / "own.json", source="import")
    with click.Context(cli, obj={"snapshot": str(group_file)}):
        assert group_snapshot_path() == str(group_file)
        assert load_snapshot_or_demo(None).source == "live"  # `xpath-tui --snapshot group.json CMD`
        assert load_snapshot_or_demo(str(own_file)).source == "import"  # `xpath-tui CMD --snapshot own.json`


def test_the_group_option_is_found_from_a_subcommand_context(tmp_path: Path) -> None:
    group_file = _write(tmp_path / "group.json", source="live")
    with click.Context(cli, obj={"snapshot": str(group_file)}) as parent:
        with click.Context(click.Command("child"), parent=parent, obj=None):
            assert load_snapshot_or_demo(None).source == "live"


def test_a_bad_file_raises_snapshot_error_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(SnapshotError) as raised:
        load_snapshot_or_demo(str(path))
    assert str(path) in str(raised.value)


def test_the_explorer_opens_a_file_early_and_the_demo_whole(tmp_path: Path) -> None:
    # The explorer shows a file's outline before its model and its last checks (they run before any
    # answer); the demo is small, so it comes fully checked, as every other command reads it.
    path = _write(tmp_path / "own.json", source="import")
    decoded = open_snapshot_or_demo(str(path))
    assert isinstance(decoded, DecodedSnapshot)
    loaded = load_snapshot_or_demo(str(path))
    assert decoded.outline == outline_of(loaded)  # the first screen shows what the model holds
    assert decoded.open().verify() == loaded
    demo = open_snapshot_or_demo(None)
    assert isinstance(demo, Snapshot) and demo.source == "demo"


def test_the_explorer_refuses_a_file_of_the_wrong_structure_before_any_model(tmp_path: Path) -> None:
    # What the tree cannot be drawn from (a missing required field) has no outline to show, and
    # opening it stops the explorer with the located error.
    document = minimal_snapshot()
    del document["accounts"][0]["id"]
    path = tmp_path / "no-id.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    decoded = open_snapshot_or_demo(str(path))
    assert isinstance(decoded, DecodedSnapshot) and decoded.outline is None
    with pytest.raises(SnapshotError, match=r"no-id\.json: accounts\[0\]: missing required field 'id'"):
        decoded.open()
