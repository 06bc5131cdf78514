"""Command-palette provider: jump to any account, principal or resource by name or ARN (fuzzy)."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.fuzzy import Matcher
from textual.markup import escape

from tui.catalog import Entry
from tui.literal import visible
from tui.messages import JumpRequested

DISCOVERY_LIMIT = 30


class JumpProvider(Provider):
    """Offers every item of the loaded snapshot (`app.catalog`); choosing one reveals it in the tree."""

    _cache: list[Entry] | None = None

    def _entries(self) -> list[Entry]:
        if self._cache is None:
            catalog = getattr(self.app, "catalog", None)
            if catalog is None:
                return []
            self._cache = list(catalog.entries())
        return self._cache

    def _jump(self, entry: Entry) -> None:
        self.app.post_message(JumpRequested(entry.ref))

    @staticmethod
    def _help(entry: Entry) -> str:
        where = f"{entry.ref.kind.value}" + (f" in {entry.account_id}" if entry.account_id and entry.account_id != entry.ref.id else "")
        return escape(visible(f"{where} · {entry.ref.id}" if entry.ref.id.startswith("arn:") else where))

    @staticmethod
    def _highlight(matcher: Matcher, label: str) -> Text:
        """The label with matched letters styled, as literal text (Matcher.highlight would read markup)."""
        text = Text(label)
        _, offsets = matcher.fuzzy_search.match(matcher.query, label)
        for offset in offsets:
            text.stylize("bold reverse", offset, offset + 1)
        return text

    async def discover(self) -> Hits:
        for entry in self._entries()[:DISCOVERY_LIMIT]:
            yield DiscoveryHit(Text(visible(entry.label)), partial(self._jump, entry), help=self._help(entry))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            score = max(matcher.match(entry.label), matcher.match(entry.ref.id))
            if score > 0:
                yield Hit(score, self._highlight(matcher, visible(entry.label)), partial(self._jump, entry),
                          text=visible(entry.label), help=self._help(entry))
