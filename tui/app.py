"""The explorer: a Textual app over one snapshot and its access graph.

The snapshot comes in through an injected loader, so the command line passes a file or the demo
and tests pass tiny snapshots. Reading it runs in a thread worker; checking it and building the
graph run in a child process. The organization tree shows as soon as the file is decoded (when the
loader gives a `DecodedSnapshot`: from its outline, before the model exists; the model then fills
the tree in place), and queries open only once the snapshot is known valid and the graph is built.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.binding import Binding

from graph.errors import ExitCode, SnapshotError, XPathError
from graph.gc_pause import collector_paused
from graph.model import Snapshot
from graph.snapshot import DecodedSnapshot, OpenedSnapshot
from tui.background import Verify, build_in_background
from tui.catalog import Catalog, Ref, RefKind
from tui.messages import (
    FindingsComputed, GraphBuilt, JumpRequested, LoadFailed, SnapshotChecked, SnapshotLoaded, Verification,
)
from tui.screens.help import HelpScreen
from tui.screens.overview import OverviewScreen
from tui.screens.pick import PickScreen
from tui.widgets.jump_provider import JumpProvider

if TYPE_CHECKING:
    from graph.build import AccessGraph
    from graph.findings import FindingsReport


FIRST_SCREEN_WAIT = 5.0
"""Seconds the graph build waits for the overview to be painted (it never waits longer)."""


def describe_snapshot(catalog: Catalog) -> str:
    """The header's subtitle: source, accounts, collection time (from the snapshot, never the clock), warnings."""
    snapshot = catalog.outline
    counts = catalog.counts()
    collected = snapshot.collected_at.replace("T", " ").removesuffix("Z")
    parts = [f"{snapshot.source} snapshot", f"{counts.accounts} accounts", f"collected {collected} UTC"]
    if counts.errors:
        parts.append(f"⚠ {counts.errors} collection errors")
    return " · ".join(parts)


class XPathApp(App[None]):
    """Explore who can reach what, and by which path."""

    CSS_PATH = "app.tcss"
    TITLE = "xpath-tui"
    COMMANDS = App.COMMANDS | {JumpProvider}
    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit", show=False),
    ]

    def __init__(self, snapshot_loader: Callable[[], Snapshot | OpenedSnapshot | DecodedSnapshot] | None = None, *,
                 snapshot: Snapshot | None = None, edge_kinds: set[str] | None = None) -> None:
        """Creates the explorer.

        Args:
            snapshot_loader: Reads the snapshot (called in a worker thread; may raise `XPathError`). An
                `OpenedSnapshot` (`graph.snapshot.open_snapshot`) is shown at once and verified in the
                background before any answer; a `DecodedSnapshot` (`graph.snapshot.decode_snapshot`) shows
                its outline first, then is opened (an error then closes the app as a failed read does).
            snapshot: An already-loaded snapshot, instead of a loader.
            edge_kinds: Build the graph with only these edge kinds (`--edges`); all by default.
        """
        super().__init__()
        if snapshot_loader is None and snapshot is None:
            raise ValueError("XPathApp needs a snapshot_loader or a snapshot")
        self._loader = snapshot_loader
        self._snapshot = snapshot
        self._edge_kinds = edge_kinds
        self.catalog: Catalog | None = None
        self._first_screen_shown = threading.Event()
        self.load_error: str | None = None
        """Why the snapshot could not be read (the app then closes at once), or why it is invalid (found
        by the background check after the tree was shown: the app stays open, answers nothing)."""
        self.access_graph: AccessGraph | None = None
        self.findings: FindingsReport | None = None
        self.overview = OverviewScreen(on_trace=self.start_trace, on_who_can=self.start_who_can)

    def on_mount(self) -> None:
        self.push_screen(self.overview)
        self._load()

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        try:
            # What is read lives as long as the app (or until the graph builder has checked it): freeze it
            # before the collector is back, or its first pass walks millions of objects during the paint.
            with collector_paused():
                loaded = self._loader() if self._loader is not None else self._snapshot
                gc.freeze()
            if isinstance(loaded, DecodedSnapshot):
                loaded = self._outline_then_open(loaded)
        except XPathError as error:
            self.post_message(LoadFailed(str(error), "snapshot"))
            return
        assert loaded is not None
        # The document an OpenedSnapshot checks is large: only the background build keeps it.
        pending: list[Verify] = []
        if isinstance(loaded, OpenedSnapshot):
            snapshot = loaded.snapshot
            pending.append(loaded.verify)
        else:
            snapshot = loaded
        del loaded
        # The model lives as long as the app: keep the collector from walking its million objects
        # again and again (a full pass took a third of a second, often during the first paint), and
        # keep the forked graph builder's copy of it shared.
        gc.freeze()
        catalog = Catalog(snapshot)
        self.post_message(SnapshotLoaded(catalog, Verification.PENDING if pending else Verification.DONE))
        # Forking and indexing compete with the first paint: let the overview show first.
        self._first_screen_shown.wait(timeout=FIRST_SCREEN_WAIT)
        catalog.entries()  # index for search and filter, built off the event loop
        try:
            build_in_background(
                snapshot,
                on_graph=lambda access_graph: self.post_message(GraphBuilt(access_graph)),
                on_findings=lambda report: self.post_message(FindingsComputed(report)),
                verify=pending.pop() if pending else None,
                on_verified=lambda: self.post_message(SnapshotChecked()),
                edge_kinds=self._edge_kinds,
            )
        except SnapshotError as error:
            self.post_message(LoadFailed(f"invalid snapshot, nothing can be answered: {error}", "check"))
        except XPathError as error:
            self.post_message(LoadFailed(f"cannot build the access graph: {error}", "graph"))

    def _outline_then_open(self, decoded: DecodedSnapshot) -> OpenedSnapshot:
        """Shows the outline (when the document has one), then checks the structure and models the snapshot."""
        if decoded.outline is not None:
            self.post_message(SnapshotLoaded(Catalog(decoded.outline), Verification.PENDING))
            self._first_screen_shown.wait(timeout=FIRST_SCREEN_WAIT)
        with collector_paused():
            opened = decoded.open()
            gc.freeze()
        return opened

    @on(SnapshotLoaded)
    def _snapshot_loaded(self, message: SnapshotLoaded) -> None:
        self.catalog = message.catalog
        self.sub_title = describe_snapshot(message.catalog)
        self.overview.show_catalog(message.catalog)
        if not message.catalog.complete:
            self.overview.show_progress("reading the accounts …")
        elif message.verification is Verification.PENDING:
            self.overview.show_progress("checking the snapshot …")
        self.call_after_refresh(self._first_screen_shown.set)

    @on(SnapshotChecked)
    def _snapshot_checked(self) -> None:
        self.overview.show_progress("graph: building …")

    @on(GraphBuilt)
    def _graph_built(self, message: GraphBuilt) -> None:
        self.access_graph = message.access_graph
        self.overview.show_graph(message.access_graph)

    @on(FindingsComputed)
    def _findings_computed(self, message: FindingsComputed) -> None:
        from tui.screens.findings import findings_summary

        self.findings = message.report
        self.overview.show_findings(findings_summary(message.report))

    def show_findings(self) -> None:
        """Opens the findings list (once they are computed)."""
        if self.load_error is not None:
            self.notify(self.load_error, severity="error", timeout=10)
            return
        if self.findings is None or self.catalog is None:
            self.notify("findings are still being computed; try again in a moment", severity="warning")
            return
        from tui.screens.findings import FindingsScreen

        self.push_screen(FindingsScreen(self.catalog, self.findings))

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        if message.stage == "snapshot":
            self.load_error = message.text
            self.exit(return_code=int(ExitCode.BAD_INPUT))
            return
        if message.stage == "check":
            self.load_error = message.text
        self.overview.show_problem(message.text)
        self.notify(message.text, severity="error", timeout=10)

    @on(JumpRequested)
    def _jump(self, message: JumpRequested) -> None:
        while self.screen is not self.overview and len(self.screen_stack) > 1:
            self.pop_screen()
        self.overview.reveal(message.ref)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def _query_inputs(self) -> tuple[AccessGraph, Catalog] | None:
        if self.load_error is not None:
            self.notify(self.load_error, severity="error", timeout=10)
            return None
        if self.access_graph is None or self.catalog is None:
            self.notify("the access graph is still being built; try again in a moment", severity="warning")
            return None
        return self.access_graph, self.catalog

    def start_trace(self, ref: Ref) -> None:
        """Asks for the other end of a trace (a source for a resource, a target for a principal), then traces."""
        ready = self._query_inputs()
        if ready is None:
            return
        _, catalog = ready
        if ref.kind is RefKind.RESOURCE:
            sources = [entry for entry in catalog.entries() if entry.ref.kind in (RefKind.ACCOUNT, RefKind.USER, RefKind.ROLE)]
            self.push_screen(PickScreen(f"Trace to {catalog.short_name(ref.id)}: from which account or principal?", sources),
                             callback=lambda source: self._trace(source, ref.id))
        elif ref.kind in (RefKind.ACCOUNT, RefKind.USER, RefKind.ROLE, RefKind.EXTERNAL):
            targets = [entry for entry in catalog.entries() if entry.ref.kind in (RefKind.RESOURCE, RefKind.ROLE)]
            self.push_screen(PickScreen(f"Trace from {catalog.short_name(ref.id)}: to which resource or role?", targets),
                             callback=lambda target: self._trace(ref.id, target))
        else:
            self.notify("select an account, a principal or a resource to trace from or to", severity="warning")

    def _trace(self, source: str | None, target: str | None) -> None:
        ready = self._query_inputs()
        if ready is None or source is None or target is None:
            return
        from tui.screens.trace import TraceScreen

        self.push_screen(TraceScreen(*ready, source, target))

    def start_who_can(self, ref: Ref) -> None:
        """Opens the who-can answer for a resource or role."""
        ready = self._query_inputs()
        if ready is None:
            return
        from tui.screens.who_can import WhoCanScreen

        self.push_screen(WhoCanScreen(*ready, ref.id))

    def action_findings(self) -> None:
        self.show_findings()
