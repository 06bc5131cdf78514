"""The overview: the organization tree on the left, details of the highlighted item on the right."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static, Tree

from tui.catalog import Catalog, Ref, RefKind
from tui.literal import literal
from tui.widgets.details import DetailsPane
from tui.widgets.org_tree import OrgTree, OutsideNode

if TYPE_CHECKING:
    from graph.build import AccessGraph

FILTER_DELAY = 0.25
"""Seconds of no typing before the tree is filtered."""


def outside_nodes(access_graph: AccessGraph, catalog: Catalog) -> tuple[OutsideNode, ...]:
    """The graph's nodes outside the organization: accounts it does not list, providers, and anyone (`*`)."""
    found = []
    for node, data in sorted(access_graph.graph.nodes(data=True)):
        kind = data.get("kind")
        if kind == "account" and node not in catalog.org_account_ids and node not in catalog.unplaced:
            name = data.get("name")
            label = f"{node} {name}" if name and name != node else node
            found.append(OutsideNode(node, label, "" if data.get("in_dataset") else "not collected"))
        elif kind == "public":
            found.append(OutsideNode(node, str(data.get("name") or node), "every principal whose policies allow it"))
        elif kind == "federated":
            # several accounts often hold a provider of the same name (Identity Center's): say whose it is
            owner = data.get("account")
            found.append(OutsideNode(node, str(data.get("name") or node),
                                     f"identity provider of {owner}" if owner else "identity provider"))
    return tuple(found)


class OverviewScreen(Screen[None]):
    """The first screen. Data comes in through `show_catalog` and `show_graph`."""

    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("t", "trace", "Trace"),
        Binding("w", "who_can", "Who can reach"),
        Binding("f", "app.findings", "Findings"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("ctrl+p", "app.command_palette", "Jump"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, on_trace: Callable[[Ref], None], on_who_can: Callable[[Ref], None]) -> None:
        super().__init__()
        self._on_trace = on_trace
        self._on_who_can = on_who_can
        self.catalog: Catalog | None = None
        self._graph_line = Text("graph: building …", style="italic")
        self._findings_line = Text("findings: computing …", style="dim italic")
        self._warnings: tuple[str, ...] = ()
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="overview"):
            with Vertical(id="left", classes="panel"):
                yield Input(placeholder="filter: part of a name, account id or ARN", id="filter")
                yield Static(Text("reading the snapshot …", style="italic"), id="tree-loading")
                yield OrgTree(id="tree")
            yield DetailsPane(id="details", classes="panel")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#left").border_title = "Organization"
        self.query_one("#details").border_title = "Details"
        self.query_one("#filter").display = False
        self.query_one(DetailsPane).show_message("loading", "reading the snapshot …")

    def show_catalog(self, catalog: Catalog) -> None:
        """Shows a loaded snapshot; a second call (the model after the outline) completes the tree in place."""
        if self.catalog is not None:
            self.catalog = catalog
            self.query_one(OrgTree).complete(catalog)
            self._update_status()
            return
        self.catalog = catalog
        self.query_one("#tree-loading").display = False
        tree = self.query_one(OrgTree)
        tree.load(catalog)
        tree.focus()
        self._update_status()
        counts = catalog.counts()
        self.query_one(DetailsPane).show_message(
            "overview",
            f"{counts.accounts} accounts · {counts.users} users · {counts.roles} roles · {counts.resources} resources\n\n"
            "move in the tree to see an item's policies; t traces paths, w asks who can reach a resource, "
            "ctrl+p jumps anywhere, ? shows every key",
        )

    def show_graph(self, access_graph: AccessGraph) -> None:
        """The graph is ready: adds the outside-the-organization group and its figures."""
        assert self.catalog is not None
        outside = outside_nodes(access_graph, self.catalog)
        self.query_one(OrgTree).set_outside(outside)
        self._graph_line = Text("access graph ready")
        self._warnings = access_graph.warnings
        self._update_status()

    def show_progress(self, text: str) -> None:
        """Says what the background work is doing (until the graph is ready or a problem is found)."""
        self._graph_line = Text(text, style="italic")
        self._update_status()

    def show_problem(self, text: str) -> None:
        """Shows why the snapshot or the graph is not available."""
        self.query_one("#tree-loading").display = False
        self._graph_line = literal(text, "bold red")
        self._update_status()

    def show_findings(self, line: Text) -> None:
        self._findings_line = line
        self._update_status()

    def _update_status(self) -> None:
        status = Text()
        if self.catalog is not None:
            counts = self.catalog.counts()
            status.append(f"{counts.accounts} accounts · {counts.users} users · {counts.roles} roles · "
                          f"{counts.resources} resources   ")
            if counts.errors:
                status.append(f"⚠ {counts.errors} collection errors (partial data)   ", style="bold yellow")
        status.append_text(self._graph_line)
        status.append("   ")
        status.append_text(self._findings_line)
        for warning in self._warnings:
            status.append("\n⚠ ", style="bold yellow")
            status.append_text(literal(warning, "yellow"))
        self.query_one("#status", Static).update(status)

    @on(Tree.NodeHighlighted, "#tree")
    def _highlighted(self, event: Tree.NodeHighlighted[Ref]) -> None:
        if self.catalog is None or event.node.data is None:
            return
        self.query_one(DetailsPane).show_ref(self.catalog, event.node.data)

    def selected(self) -> Ref | None:
        """The item under the tree's cursor."""
        node = self.query_one(OrgTree).cursor_node
        return node.data if node is not None else None

    def reveal(self, ref: Ref) -> None:
        """Shows `ref` in the tree (expanding its way) and its details."""
        if self.catalog is None:
            return
        self.query_one("#filter", Input).display = False
        tree = self.query_one(OrgTree)
        if tree.reveal(ref):
            tree.focus()
        self.query_one(DetailsPane).show_ref(self.catalog, ref)

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        field.focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        if field.display:
            if self._filter_timer is not None:
                self._filter_timer.stop()
            field.value = ""
            field.display = False
            self.query_one(OrgTree).apply_filter("")
            self.query_one(OrgTree).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        # Wait for a pause in typing: each filter pass scans every item of a large snapshot.
        if self._filter_timer is not None:
            self._filter_timer.stop()
        value = event.value
        self._filter_timer = self.set_timer(FILTER_DELAY, lambda: self.query_one(OrgTree).apply_filter(value))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        tree = self.query_one(OrgTree)
        tree.apply_filter(self.query_one("#filter", Input).value)
        tree.focus()

    def action_trace(self) -> None:
        ref = self.selected()
        if ref is not None:
            self._on_trace(ref)

    def action_who_can(self) -> None:
        ref = self.selected()
        if ref is None or ref.kind not in (RefKind.RESOURCE, RefKind.ROLE):
            self.notify("select a resource or a role first", severity="warning")
            return
        self._on_who_can(ref)
