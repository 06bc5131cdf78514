"""A modal that picks one item (a source or a target) by typing part of its name or ARN."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui.catalog import Entry
from tui.literal import literal

PICK_LIMIT = 200
"""At most this many candidates are listed at once (typing narrows them)."""


def rank(entries: Sequence[Entry], query: str) -> list[Entry]:
    """Entries matching every word of `query`, names that start with it first.

    Args:
        entries: The candidates.
        query: What the user typed (case-insensitive; words may come in any order).

    Returns:
        The matching entries, best first.
    """
    words = query.lower().split()
    matching = [entry for entry in entries if all(word in entry.search_text for word in words)]
    if not words:
        return matching
    first = words[0]
    return sorted(matching, key=lambda entry: (not entry.label.lower().startswith(first),
                                               first not in entry.label.lower(), entry.label.lower()))


class PickScreen(ModalScreen[str | None]):
    """Lists candidates, narrowed as the user types; returns the chosen id (or None on escape)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("down", "focus_list", "List", show=False)]

    def __init__(self, title: str, entries: Sequence[Entry]) -> None:
        super().__init__()
        self._title = title
        self._entries = list(entries)

    def compose(self) -> ComposeResult:
        with Vertical(id="pick"):
            yield Label(literal(self._title, "bold"))
            yield Input(placeholder="type part of a name, account id or ARN", id="pick-input")
            yield OptionList(id="pick-options")

    def on_mount(self) -> None:
        self._refill("")
        self.query_one(Input).focus()

    def _refill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        found = rank(self._entries, query)
        for entry in found[:PICK_LIMIT]:
            label = literal(entry.label)
            if entry.account_id and entry.account_id != entry.ref.id:
                label.append(f"  {entry.account_id}", style="dim")
            if entry.ref.id != entry.label and entry.ref.id.startswith("arn:"):
                label.append("  ")
                label.append_text(literal(entry.ref.id, "dim italic"))
            options.add_option(Option(label, id=entry.ref.id))
        if len(found) > PICK_LIMIT:
            options.add_option(Option(Text(f"… {len(found) - PICK_LIMIT} more: type to narrow", style="italic"),
                                      disabled=True))
        if found:
            options.highlighted = 0

    @on(Input.Changed, "#pick-input")
    def _changed(self, event: Input.Changed) -> None:
        self._refill(event.value)

    @on(Input.Submitted, "#pick-input")
    def _submitted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            if option.id is not None:
                self.dismiss(option.id)

    @on(OptionList.OptionSelected, "#pick-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
