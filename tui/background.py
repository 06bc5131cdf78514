"""Checking the snapshot, then building the access graph and its findings, in a child process, so
the explorer never freezes.

A thread is not enough: the build is pure Python and holds the interpreter lock for long stretches,
which starved the event loop (ten key presses took 23 s on a 150-account organization). Where the
platform can fork, the child inherits the loaded snapshot (nothing is copied in), runs the checks
the explorer left for later (`OpenedSnapshot.verify`), then sends back the pickled graph, then the
findings; elsewhere the work runs in the calling thread. The findings are the checks only: the
explorer does not show the external-access report, whose search is the costliest part of
`findings` at scale (most of the ~3.5 min of CPU at 500 accounts), so "ready" does not wait for it.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from graph.errors import SnapshotError, XPathError
from graph.model import Snapshot

if TYPE_CHECKING:
    from graph.build import AccessGraph
    from graph.findings import FindingsReport

Verify = Callable[[], object]
"""Runs the snapshot's remaining checks; raises `SnapshotError` on the first problem."""


@dataclass(frozen=True, slots=True)
class _Work:
    """What a forked child works on (set just before the fork, dropped by the parent just after)."""

    snapshot: Snapshot
    verify: Verify | None
    edge_kinds: set[str] | None = None


_pending: _Work | None = None


class Stage(Enum):
    """Which part of the background work failed."""

    CHECK = "check"
    """The snapshot is invalid: nothing may be answered from it."""
    BUILD = "build"
    """The graph or the findings could not be built."""


@dataclass(frozen=True, slots=True)
class Failure:
    """An `XPathError` raised in the child, as its one-line text."""

    text: str
    stage: Stage = Stage.BUILD


@dataclass(frozen=True, slots=True)
class Verified:
    """The child found the snapshot valid; the graph comes next."""


def _child(connection: Connection) -> None:
    from graph.build import build_graph
    from graph.findings import ExternalReport, run_findings

    assert _pending is not None
    work = _pending
    try:
        if work.verify is not None:
            try:
                work.verify()
            except SnapshotError as error:
                connection.send_bytes(pickle.dumps(Failure(str(error), Stage.CHECK)))
                return
            connection.send_bytes(pickle.dumps(Verified()))
        access_graph = build_graph(work.snapshot, edge_kinds=work.edge_kinds)
        connection.send_bytes(pickle.dumps(access_graph, protocol=pickle.HIGHEST_PROTOCOL))
        report = run_findings(access_graph, external=ExternalReport.LEFT_OUT)
        connection.send_bytes(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL))
    except XPathError as error:
        connection.send_bytes(pickle.dumps(Failure(str(error))))
    finally:
        connection.close()


def _raise_failure(result: object) -> None:
    if isinstance(result, Failure):
        raise (SnapshotError if result.stage is Stage.CHECK else XPathError)(result.text)


def build_in_background(snapshot: Snapshot, on_graph: Callable[[AccessGraph], object],
                        on_findings: Callable[[FindingsReport], object], *, verify: Verify | None = None,
                        on_verified: Callable[[], object] | None = None, edge_kinds: set[str] | None = None) -> None:
    """Checks the snapshot (when asked), builds the graph, then the findings, calling back with each.

    Blocks the calling (worker) thread, not the event loop. Nothing is built from a snapshot whose
    check fails.

    Args:
        snapshot: The model to build from.
        on_graph: Called with the access graph.
        on_findings: Called with the findings report.
        verify: The snapshot's remaining checks (`OpenedSnapshot.verify`), run before anything is built.
        on_verified: Called once `verify` passed.
        edge_kinds: Keep only these edge kinds (`--edges`); all by default.

    Raises:
        SnapshotError: `verify` found a problem (its one-line text).
        XPathError: the snapshot cannot be turned into a graph.
    """
    from graph.build import build_graph  # imported before forking, never inside the child
    from graph.findings import ExternalReport, run_findings
    from graph.gc_pause import collector_paused, settle

    if "fork" not in multiprocessing.get_all_start_methods():
        if verify is not None:
            verify()
            if on_verified is not None:
                on_verified()
        access_graph = build_graph(snapshot, edge_kinds=edge_kinds)
        on_graph(access_graph)
        on_findings(run_findings(access_graph, external=ExternalReport.LEFT_OUT))
        return
    global _pending
    _pending = _Work(snapshot, verify, edge_kinds)
    verify = None  # the child holds the document to check; the parent lets it go
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_child, args=(sender,), daemon=True)
    process.start()
    sender.close()
    _pending = None
    try:
        result = pickle.loads(receiver.recv_bytes())
        _raise_failure(result)
        if isinstance(result, Verified):
            if on_verified is not None:
                on_verified()
            with collector_paused():
                result = pickle.loads(receiver.recv_bytes())
            _raise_failure(result)
            settle()  # the explorer answers from this graph until it closes
        on_graph(result)
        findings_result = pickle.loads(receiver.recv_bytes())
        _raise_failure(findings_result)
        on_findings(findings_result)
    except EOFError as error:
        raise XPathError(f"the graph builder stopped unexpectedly (exit code {process.exitcode})") from error
    finally:
        receiver.close()
        process.join(timeout=5)
