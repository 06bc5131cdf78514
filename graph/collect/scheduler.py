"""Runs `Work` in a bounded thread pool until no work is left, reporting progress as it goes.

Only this (the calling) thread submits work and calls the progress callback, so callbacks need
no locking. On Ctrl-C the queued work is cancelled, `stop` is set (every client then refuses to
send: work in flight ends at its next request or retry) and the exception propagates at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from graph.collect.work import Done, Phase, ProgressCallback, ProgressEvent, Work

ShapeErrors = (LookupError, TypeError, ValueError, AttributeError)
"""What an AWS response of an unexpected shape raises in a collector; recorded, not fatal."""


class Scheduler:
    """A bounded pool of workers for accounts x regions x services."""

    def __init__(self, workers: int, progress: ProgressCallback | None, error_count: Callable[[str], int],
                 on_crash: Callable[[Work, Exception], None], stop: threading.Event | None = None) -> None:
        """Sets up a scheduler.

        Args:
            workers: Most calls in flight at once.
            progress: Told of every queued and finished piece of work.
            error_count: The number of errors recorded so far in an account (for progress counts).
            on_crash: Records a piece of work that failed on a response of an unexpected shape.
            stop: Set when the run is abandoned, so that work in flight stops at its next request.
        """
        self._workers = workers
        self._progress = progress
        self._error_count = error_count
        self._on_crash = on_crash
        self._stop = stop or threading.Event()

    def _emit(self, event: ProgressEvent) -> None:
        if self._progress is not None:
            self._progress(event)

    def run(self, initial: Iterable[Work]) -> None:
        """Runs `initial` and all the work it leads to; returns when everything has finished."""
        pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="xpath-collect")
        pending: dict[Future[Done], tuple[Work, int]] = {}

        def submit(work: Work) -> None:
            pending[pool.submit(work.run)] = (work, self._error_count(work.account_id))
            self._emit(ProgressEvent(Phase.QUEUED, work.service, work.account_id, work.region))

        try:
            for work in initial:
                submit(work)
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    work, errors_before = pending.pop(future)
                    try:
                        done = future.result()
                    except ShapeErrors as error:
                        self._on_crash(work, error)
                        done = Done()
                    self._emit(ProgressEvent(Phase.DONE, work.service, work.account_id, work.region, done.resources,
                                             max(0, self._error_count(work.account_id) - errors_before)))
                    for more in done.more:
                        submit(more)
        except BaseException:
            self._stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
