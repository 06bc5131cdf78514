"""The explorer's first screen comes from the snapshot's outline, before its model exists.

A large snapshot takes seconds to model; the organization tree, the header's counts and the
partial-data warning must show before that, and fill in (not reset) once the model arrives. A
snapshot that fails its checks after its outline was shown still ends as a failed read does.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets.tree import TreeNode

import graph.snapshot
from graph.errors import SnapshotError
from graph.snapshot import OpenedSnapshot, decode_snapshot, load_snapshot, snapshot_to_dict
from tui.app import XPathApp
from tui.catalog import Ref
from tui.widgets.org_tree import OrgTree
from tui_helpers import SIZE, settle, tree_lines
from tui_story import B, story_snapshot


def _story_document() -> dict[str, Any]:
    """The story as a valid snapshot document (its OU ids get the length AWS gives them)."""
    text = json.dumps(snapshot_to_dict(story_snapshot()))
    document: dict[str, Any] = json.loads(
        text.replace('"ou-work-1111"', '"ou-work-11111111"').replace('"ou-data-2222"', '"ou-data-22222222"'))
    return document


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _node(tree: OrgTree, label: str) -> TreeNode[Ref]:
    """The tree node whose label starts with `label`."""
    waiting = list(tree.root.children)
    while waiting:
        node = waiting.pop()
        if node.label.plain.startswith(label):
            return node
        waiting.extend(node.children)
    raise AssertionError(f"no node labelled {label!r} in {tree_lines(tree)}")


async def test_the_tree_shows_from_the_outline_and_fills_in_once_modelled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "story.json", _story_document())
    # Modelling does not finish until the test says so: it stands for the seconds a large snapshot takes.
    release = threading.Event()
    model = graph.snapshot._open

    def held(*args: Any) -> OpenedSnapshot:
        assert release.wait(timeout=30)
        return model(*args)

    monkeypatch.setattr(graph.snapshot, "_open", held)
    app = XPathApp(lambda: decode_snapshot(path))
    async with app.run_test(size=SIZE) as pilot:
        while app.catalog is None:
            await pilot.pause(0.01)
        await pilot.pause()
        assert not app.catalog.complete
        # The first screen: header counts and the partial-data warning (account B could not list
        # its KMS keys), and the organization down to its accounts, all before any model.
        assert "2 accounts" in app.sub_title and "⚠ 1 collection errors" in app.sub_title
        tree = app.overview.query_one(OrgTree)
        assert _node(tree, f"{B} data").label.plain.endswith("⚠ 1")
        account = _node(tree, f"{B} data")
        account.expand()
        await pilot.pause()
        roles = _node(tree, "roles (3)")  # sizes come from the outline
        roles.expand()
        await pilot.pause()
        assert len(roles.children) == 0  # the role names come with the model
        release.set()
        await settle(app, pilot)
        assert app.catalog.complete and app.access_graph is not None
        # The opened group filled in where it was, still open: the user's place in the tree is kept.
        assert roles.is_expanded
        assert [child.label.plain for child in roles.children] == [
            "CrossAccountS3Access", "LegacyOpenRole", "VendorAuditRole"]


async def test_a_snapshot_failing_its_schema_after_the_outline_closes_with_load_snapshots_error(
        tmp_path: Path) -> None:
    # A role without its name: the outline (which only counts roles) is readable, the snapshot is not.
    document = _story_document()
    del document["accounts"][1]["authorization_details"]["RoleDetailList"][0]["RoleName"]
    path = _write(tmp_path / "no-name.json", document)
    with pytest.raises(SnapshotError) as loaded:
        load_snapshot(path)
    app = XPathApp(lambda: decode_snapshot(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
    assert app.catalog is not None and not app.catalog.complete  # the outline had been shown
    # Then the same one line as every other command, and exit code 2 (SPEC §8).
    assert app.load_error == str(loaded.value)
    assert "RoleDetailList[0]: missing required field 'RoleName'" in app.load_error
    assert app.return_code == 2


async def test_a_filter_typed_before_the_model_finds_accounts_then_everything(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "story.json", _story_document())
    release = threading.Event()
    model = graph.snapshot._open

    def held(*args: Any) -> OpenedSnapshot:
        assert release.wait(timeout=30)
        return model(*args)

    monkeypatch.setattr(graph.snapshot, "_open", held)
    app = XPathApp(lambda: decode_snapshot(path))
    async with app.run_test(size=SIZE) as pilot:
        while app.catalog is None:
            await pilot.pause(0.01)
        await pilot.pause()
        await pilot.press("slash")
        await pilot.press(*"data", "enter")
        await pilot.pause()
        tree = app.overview.query_one(OrgTree)
        # Only the outline is known: the account named data matches, the bucket not yet.
        assert tree_lines(tree) == ["Root", "Data", f"{B} data  ⚠ 1"]
        release.set()
        await settle(app, pilot)
        # The same filter, applied again to the model: the shared-data bucket now matches too.
        assert "shared-data-bucket" in tree_lines(tree)
        assert tree.filter_text == "data"
