"""Pausing Python's cyclic garbage collector around bulk work.

Loading a snapshot, building its graph or answering over the whole graph allocates millions of
objects that all stay alive until the work ends; every automatic collection walks all of them, so
collections grow with the heap and took a large share of the time. Reference counting still frees
everything else at once; the few cycles made meanwhile are collected when the collector is back.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


_settled = False  # set once `settle` has frozen a graph for the life of the process


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disables the cyclic collector for the block (nested uses leave it to the outermost)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if _settled:
            _settle_survivors()
        else:
            _age_survivors()
        gc.enable()


def _age_survivors() -> None:
    """Moves what the paused block left alive straight to the oldest generation.

    Everything allocated while paused sits in the youngest generation, so the first automatic
    collection afterwards would walk all of it at once (1-2 s after a 500-account build). Freezing
    then unfreezing splices those lists onto the oldest one in constant time; a full collection
    still frees any cycle among them later. Skipped once something is frozen on purpose (`settle`),
    since unfreezing would release that too.
    """
    if not _settled:  # not gc.get_freeze_count(): it walks every frozen object
        gc.freeze()
        gc.unfreeze()


_MANY = 20_000
"""Objects left alive by a paused block past which, once settled, they join the frozen graph."""


def _settle_survivors() -> None:
    """After `settle`: what a large paused block left alive joins the frozen graph.

    A question on a `"*"` grant leaves tens of thousands of objects (its memoized edges, its answer),
    and the first collection after it would walk them all (30-70 ms at 500 accounts, 7% of such a
    question). Most are as long-lived as the graph (the memo); the rest are freed by reference
    counting as usual. Only a cycle made during such a block outlives it: a small, bounded cost for
    a long-lived process that settled on one graph.
    """
    if gc.get_count()[0] > _MANY:
        gc.freeze()


def settle() -> None:
    """Moves everything alive now out of the collector's reach, for a long-lived graph.

    Called once a command or the explorer has built the graph it will answer from: later collections
    then walk only what questions allocate, not the millions of graph objects (at 500 accounts, the
    worst who-can went from 1.26 s to 0.62 s CPU). Not for tests or libraries that build many graphs:
    frozen objects are never freed.
    """
    global _settled
    _settled = True
    gc.freeze()
