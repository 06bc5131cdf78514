"""Who can reach this? Every principal with a path to a resource (or role), grouped by account."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, Header, LoadingIndicator, Static
from textual.worker import get_current_worker

from graph.build import AccessGraph
from graph.errors import XPathError
from graph.query import WhoCanResult, who_can
from tui.catalog import Catalog
from tui.literal import literal
from tui.screens.answer import AnswerScreen
from tui.widgets.details import DetailsPane
from tui.widgets.path_list import PathList

MAX_HOPS = 6


class WhoCanScreen(AnswerScreen):
    """Lists who can reach `resource`; a principal shows its path, a hop its granting statement."""

    ID_PREFIX = "who"
    EXPORT_NAME = "xpath-who-can"

    @dataclass
    class Answered(Message):
        result: WhoCanResult

    @dataclass
    class QueryFailed(Message):
        text: str

    def __init__(self, access_graph: AccessGraph, catalog: Catalog, resource: str, *, action: str | None = None) -> None:
        super().__init__(access_graph, catalog)
        self.resource = resource
        self.action = action

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="who-top", classes="panel"):
            yield Static(id="who-summary")
            yield LoadingIndicator(id="who-loading")
            yield PathList(id="principals")
        yield DetailsPane(id="who-details", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#who-top").border_title = f"Who can reach {self.catalog.short_name(self.resource)}"
        self.query_one(DetailsPane).show_message("path", "select a principal to see its path, a hop for its statement")
        self._set_summary(Text("finding every principal with a path … (escape cancels)", style="italic"))
        self._worker = self._ask()

    @work(thread=True, exclusive=True)
    def _ask(self) -> None:
        worker = get_current_worker()
        try:
            result = who_can(self.access_graph, self.resource, action=self.action, max_hops=MAX_HOPS)
        except XPathError as error:
            if not worker.is_cancelled:
                self.post_message(self.QueryFailed(str(error)))
            return
        if not worker.is_cancelled:
            self.post_message(self.Answered(result))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        result = message.result
        self.result = result
        self._hide_loading()
        tree = self.query_one(PathList)
        tree.clear()
        tree.show_principals(self.catalog, result.principals)
        allowed = sum(1 for entry in result.principals if str(entry.path.status) == "allowed")
        summary = literal(f"{self.resource}", "bold")
        summary.append(f"\n{len(result.principals)} principals · {allowed} allowed · "
                       f"{len(result.principals) - allowed} conditional")
        if self.action:
            summary.append_text(literal(f" · {self.action}"))
        for line in (*result.notes, *result.warnings):
            summary.append("\n⚠ ", style="bold yellow")
            summary.append_text(literal(line, "yellow"))
        self._set_summary(summary)
        tree.focus()

    @on(QueryFailed)
    def _failed(self, message: QueryFailed) -> None:
        self._hide_loading()
        self._set_summary(literal(f"the query failed: {message.text}", "bold red"))

    @on(PathList.PathChosen)
    def _path_chosen(self, message: PathList.PathChosen) -> None:
        pane = self.query_one(DetailsPane)
        pane.border_title = f"Path {message.item.path}"
        pane.show_path(self.catalog, message.item.access_path.hops, number=message.item.path)
