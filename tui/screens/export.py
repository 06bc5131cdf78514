"""Export the answer on screen (paths or who-can) to a file: DOT, Mermaid or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from graph.build import AccessGraph
from graph.export import to_dot, to_mermaid
from graph.query import PathsResult, WhoCanResult, subgraph


class AnswerFormat(StrEnum):
    """What the explorer can write: the answer's subgraph (DOT, Mermaid) or the answer itself (JSON)."""

    DOT = "dot"
    MERMAID = "mermaid"
    JSON = "json"

    @property
    def extension(self) -> str:
        return {AnswerFormat.DOT: ".dot", AnswerFormat.MERMAID: ".mmd", AnswerFormat.JSON: ".json"}[self]


@dataclass(frozen=True, slots=True)
class ExportChoice:
    """The format and file the user chose."""

    format: AnswerFormat
    path: Path


def answer_nodes(result: PathsResult | WhoCanResult) -> set[str]:
    """Every node on the answer's paths."""
    paths = result.paths if isinstance(result, PathsResult) else tuple(entry.path for entry in result.principals)
    nodes: set[str] = set()
    for path in paths:
        for hop in path.hops:
            nodes.update((hop.source, hop.target))
    if isinstance(result, WhoCanResult):
        nodes.add(result.resource)
    return nodes


def render_answer(access_graph: AccessGraph, result: PathsResult | WhoCanResult, fmt: AnswerFormat) -> str:
    """The answer as text: its JSON (SPEC §4 shape), or the subgraph of its paths as DOT or Mermaid."""
    if fmt is AnswerFormat.JSON:
        return json.dumps(result.to_json(), indent=2) + "\n"
    part = subgraph(access_graph, answer_nodes(result))
    return to_dot(part) if fmt is AnswerFormat.DOT else to_mermaid(part)


def write_answer(access_graph: AccessGraph, result: PathsResult | WhoCanResult, choice: ExportChoice) -> int:
    """Writes the answer to the chosen file.

    Returns:
        The number of characters written.

    Raises:
        OSError: the file cannot be written.
    """
    text = render_answer(access_graph, result, choice.format)
    choice.path.write_text(text, encoding="utf-8")
    return len(text)


class ExportScreen(ModalScreen[ExportChoice | None]):
    """Asks for a format and a path (default: a file in the current directory)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, stem: str, directory: Path | None = None) -> None:
        super().__init__()
        self._stem = stem
        self._directory = directory if directory is not None else Path.cwd()
        self._format = AnswerFormat.DOT

    def _default(self, fmt: AnswerFormat) -> str:
        return str(self._directory / f"{self._stem}{fmt.extension}")

    def compose(self) -> ComposeResult:
        with Vertical(id="export"):
            yield Label("Export this answer", classes="modal-title")
            with RadioSet(id="export-format"):
                yield RadioButton("DOT (Graphviz)", value=True, id="fmt-dot")
                yield RadioButton("Mermaid", id="fmt-mermaid")
                yield RadioButton("JSON (as --json prints it)", id="fmt-json")
            yield Input(self._default(self._format), id="export-path")
            with Horizontal(id="export-buttons"):
                yield Button("Write", variant="primary", id="export-write")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        chosen = AnswerFormat(str(event.pressed.id).removeprefix("fmt-"))
        path_input = self.query_one("#export-path", Input)
        if path_input.value == self._default(self._format):
            path_input.value = self._default(chosen)
        self._format = chosen

    @on(Button.Pressed, "#export-write")
    @on(Input.Submitted, "#export-path")
    def _write(self) -> None:
        value = self.query_one("#export-path", Input).value.strip()
        if not value:
            self.notify("give a file path", severity="error")
            return
        self.dismiss(ExportChoice(self._format, Path(value).expanduser()))

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
