"""Trace: every path from a source (account or principal) to a target, shortest first."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, LoadingIndicator, Static
from textual.worker import Worker, get_current_worker

from graph.build import AccessGraph
from graph.errors import XPathError
from graph.query import PathsResult, find_paths
from tui.catalog import Catalog
from tui.literal import literal
from tui.screens.export import ExportChoice, ExportScreen, write_answer
from tui.widgets.details import DetailsPane
from tui.widgets.path_list import PathList

MAX_HOPS = 6
PATH_LIMIT = 100


class TraceScreen(Screen[None]):
    """Lists the paths from `source` to `target`; a hop opens its granting statement below."""

    BINDINGS = [
        Binding("escape", "back", "Back / cancel"),
        Binding("e", "export", "Export"),
        Binding("tab", "focus_next", "Next pane", show=False),
        Binding("question_mark", "app.help", "Help"),
    ]

    @dataclass
    class PathsFound(Message):
        result: PathsResult

    @dataclass
    class QueryFailed(Message):
        text: str

    def __init__(self, access_graph: AccessGraph, catalog: Catalog, source: str, target: str,
                 *, action: str | None = None) -> None:
        super().__init__()
        self.access_graph = access_graph
        self.catalog = catalog
        self.source = source
        self.target = target
        self.action = action
        self.result: PathsResult | None = None
        self._worker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="trace-top", classes="panel"):
            yield Static(id="trace-summary")
            yield LoadingIndicator(id="trace-loading")
            yield PathList(id="paths")
        yield DetailsPane(id="hop-details", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        title = Text("Paths  ", style="bold")
        title.append_text(literal(f"{self.catalog.short_name(self.source)} → {self.catalog.short_name(self.target)}"))
        self.query_one("#trace-top").border_title = title.plain
        self.query_one(DetailsPane).show_message("hop", "select a hop to see the statement that grants it")
        self._set_summary(Text("searching every path, shortest first … (escape cancels)", style="italic"))
        self._worker = self._search()

    def _set_summary(self, text: Text) -> None:
        self.query_one("#trace-summary", Static).update(text)

    @work(thread=True, exclusive=True)
    def _search(self) -> None:
        worker = get_current_worker()
        try:
            result = find_paths(self.access_graph, self.source, self.target, action=self.action,
                                max_hops=MAX_HOPS, limit=PATH_LIMIT)
        except XPathError as error:
            if not worker.is_cancelled:
                self.post_message(self.QueryFailed(str(error)))
            return
        if not worker.is_cancelled:
            self.post_message(self.PathsFound(result))

    @on(PathsFound)
    def _found(self, message: PathsFound) -> None:
        self.result = message.result
        self.query_one("#trace-loading").display = False
        paths = self.query_one(PathList)
        paths.clear()
        paths.show_paths(self.catalog, message.result.paths)
        count = len(message.result.paths)
        summary = Text(f"{count} path{'s' if count != 1 else ''} · shortest first", style="bold")
        if self.action:
            summary.append_text(literal(f" · {self.action}"))
        if message.result.truncated:
            summary.append(f" · more paths exist (limit {PATH_LIMIT}, {MAX_HOPS} hops)", style="yellow")
        if count == 0:
            summary.append(" · no path: the source cannot reach the target in this snapshot", style="italic")
        for warning in message.result.warnings:
            summary.append("\n⚠ ", style="bold yellow")
            summary.append_text(literal(warning, "yellow"))
        self._set_summary(summary)
        paths.focus()

    @on(QueryFailed)
    def _failed(self, message: QueryFailed) -> None:
        self.query_one("#trace-loading").display = False
        self._set_summary(literal(f"the query failed: {message.text}", "bold red"))

    @on(PathList.HopChosen)
    def _hop_chosen(self, message: PathList.HopChosen) -> None:
        pane = self.query_one(DetailsPane)
        pane.border_title = f"Path {message.item.path} · hop {message.item.number}"
        pane.show_hop(self.catalog, message.item.hop, number=message.item.number)

    def action_back(self) -> None:
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()
            self.query_one("#trace-loading").display = False
            self._set_summary(Text("cancelled", style="italic"))
            return
        self.dismiss(None)

    def action_export(self) -> None:
        if self.result is None:
            self.notify("nothing to export yet", severity="warning")
            return
        self.app.push_screen(ExportScreen("xpath-paths"), callback=self._export)

    def _export(self, choice: ExportChoice | None) -> None:
        if choice is None or self.result is None:
            return
        try:
            size = write_answer(self.access_graph, self.result, choice)
        except OSError as error:
            self.notify(f"could not write {choice.path}: {error.strerror}", severity="error")
            return
        self.notify(f"wrote {size} characters to {choice.path}")
