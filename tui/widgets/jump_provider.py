"""Command-palette provider: jump to any account, principal or resource by name or ARN (fuzzy)."""

from __future__ import annotations

import asyncio
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.fuzzy import Matcher
from textual.markup import escape

from tui.catalog import Entry
from tui.literal import visible
from tui.messages import JumpRequested

DISCOVERY_LIMIT = 30
FUZZY_LIMIT = 3000
"""At most this many plausible items are scored per keystroke (exact substrings come first)."""


class JumpProvider(Provider):
    """Offers every item of the loaded snapshot (`app.catalog`); choosing one reveals it in the tree."""

    def _entries(self) -> tuple[Entry, ...]:
        catalog = getattr(self.app, "catalog", None)
        return catalog.entries() if catalog is not None else ()

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
        needle = query.lower().strip()
        letters = set(needle.replace(" ", ""))
        # Cheap C-level tests first (substring, then "has every letter"), so only plausible
        # items meet the fuzzy matcher: a 500-account snapshot has about 50,000 items.
        plausible = [entry for entry in self._entries() if letters <= set(entry.search_text)]
        plausible.sort(key=lambda entry: needle not in entry.search_text)
        for position, entry in enumerate(plausible[:FUZZY_LIMIT]):
            if position % 500 == 499:
                await asyncio.sleep(0)
            score = max(matcher.match(entry.label), matcher.match(entry.ref.id))
            if needle in entry.search_text:
                score = max(score, 0.5)
            if score > 0:
                yield Hit(score, self._highlight(matcher, visible(entry.label)), partial(self._jump, entry),
                          text=visible(entry.label), help=self._help(entry))
