"""What the trace and who-can screens share: a query answer in a worker, hops that open their
statement, escape to cancel or go back, and export of the answer."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker

from graph.build import AccessGraph
from graph.query import PathsResult, WhoCanResult
from tui.catalog import Catalog
from tui.screens.export import ExportChoice, ExportScreen, write_answer
from tui.widgets.details import DetailsPane
from tui.widgets.path_list import PathList


class AnswerScreen(Screen[None]):
    """Base of a screen showing one query's answer; subclasses compose it and run the query."""

    BINDINGS = [
        Binding("escape", "back", "Back / cancel"),
        Binding("e", "export", "Export"),
        Binding("question_mark", "app.help", "Help"),
    ]

    ID_PREFIX: ClassVar[str]
    """Prefix of the screen's widget ids (`#<prefix>-summary`, `#<prefix>-loading`)."""
    EXPORT_NAME: ClassVar[str]
    """Default file name (without extension) offered by export."""

    def __init__(self, access_graph: AccessGraph, catalog: Catalog) -> None:
        super().__init__()
        self.access_graph = access_graph
        self.catalog = catalog
        self.result: PathsResult | WhoCanResult | None = None
        self._worker: Worker[None] | None = None

    def _set_summary(self, text: Text) -> None:
        self.query_one(f"#{self.ID_PREFIX}-summary", Static).update(text)

    def _hide_loading(self) -> None:
        self.query_one(f"#{self.ID_PREFIX}-loading").display = False

    @on(PathList.HopChosen)
    def _hop_chosen(self, message: PathList.HopChosen) -> None:
        pane = self.query_one(DetailsPane)
        pane.border_title = f"Path {message.item.path} · hop {message.item.number}"
        pane.show_hop(self.catalog, message.item.hop, number=message.item.number)

    def action_back(self) -> None:
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()
            self._hide_loading()
            self._set_summary(Text("cancelled", style="italic"))
            return
        self.dismiss(None)

    def action_export(self) -> None:
        if self.result is None:
            self.notify("nothing to export yet", severity="warning")
            return
        self.app.push_screen(ExportScreen(self.EXPORT_NAME), callback=self._export)

    def _export(self, choice: ExportChoice | None) -> None:
        if choice is None or self.result is None:
            return
        try:
            size = write_answer(self.access_graph, self.result, choice)
        except OSError as error:
            self.notify(f"could not write {choice.path}: {error.strerror}", severity="error")
            return
        self.notify(f"wrote {size} characters to {choice.path}")
