"""App-level messages: what the background workers found, and where the user wants to go."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from graph.build import AccessGraph
    from graph.findings import FindingsReport
    from tui.catalog import Catalog, Ref


class Verification(StrEnum):
    """Whether a loaded snapshot has passed every check yet."""

    DONE = "done"
    PENDING = "pending"
    """Opened early (`graph.snapshot.OpenedSnapshot`): checked in the background before any answer."""


@dataclass
class SnapshotLoaded(Message):
    """The snapshot is read and indexed: the overview can be shown."""

    catalog: Catalog
    verification: Verification = Verification.DONE


class SnapshotChecked(Message):
    """The background check found the snapshot valid: the graph is being built from it."""


@dataclass
class GraphBuilt(Message):
    """The access graph is built: queries can run."""

    access_graph: AccessGraph


@dataclass
class FindingsComputed(Message):
    """The findings of the snapshot are known."""

    report: FindingsReport


@dataclass
class LoadFailed(Message):
    """Reading the snapshot or building the graph failed; `text` is one line for the user."""

    text: str
    stage: str


@dataclass
class JumpRequested(Message):
    """The user picked an item (command palette): reveal it in the tree and show its details."""

    ref: Ref
