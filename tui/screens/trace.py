"""Trace: every path from a source (account or principal) to a target, shortest first."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, Header, LoadingIndicator, Static
from textual.worker import get_current_worker

from graph.build import AccessGraph
from graph.errors import XPathError
from graph.query import PathsResult, find_paths
from tui.catalog import Catalog
from tui.literal import literal
from tui.screens.answer import AnswerScreen
from tui.widgets.details import DetailsPane
from tui.widgets.path_list import PathList

MAX_HOPS = 6
PATH_LIMIT = 100


class TraceScreen(AnswerScreen):
    """Lists the paths from `source` to `target`; a hop opens its granting statement below."""

    BINDINGS = [Binding("tab", "focus_next", "Next pane", show=False)]
    ID_PREFIX = "trace"
    EXPORT_NAME = "xpath-paths"

    @dataclass
    class PathsFound(Message):
        result: PathsResult

    @dataclass
    class QueryFailed(Message):
        text: str

    def __init__(self, access_graph: AccessGraph, catalog: Catalog, source: str, target: str,
                 *, action: str | None = None) -> None:
        super().__init__(access_graph, catalog)
        self.source = source
        self.target = target
        self.action = action

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
        self._hide_loading()
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
        self._hide_loading()
        self._set_summary(literal(f"the query failed: {message.text}", "bold red"))
