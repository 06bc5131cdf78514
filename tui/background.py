"""Building the access graph (and its findings) in a child process, so the explorer never freezes.

A thread is not enough: the build is pure Python and holds the interpreter lock for long stretches,
which starved the event loop (ten key presses took 23 s on a 150-account organization). Where the
platform can fork, the child inherits the loaded snapshot (nothing is copied in) and sends back
the pickled graph, then the findings; elsewhere the work runs in the calling thread.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from graph.errors import XPathError
from graph.model import Snapshot

if TYPE_CHECKING:
    from graph.build import AccessGraph
    from graph.findings import FindingsReport

_pending: Snapshot | None = None
"""The snapshot a forked child builds from (set just before the fork)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """An `XPathError` raised in the child, as its one-line text."""

    text: str


def _child(connection: Connection) -> None:
    from graph.build import build_graph
    from graph.findings import run_findings

    assert _pending is not None
    try:
        access_graph = build_graph(_pending)
        connection.send_bytes(pickle.dumps(access_graph, protocol=pickle.HIGHEST_PROTOCOL))
        connection.send_bytes(pickle.dumps(run_findings(access_graph), protocol=pickle.HIGHEST_PROTOCOL))
    except XPathError as error:
        connection.send_bytes(pickle.dumps(Failure(str(error))))
    finally:
        connection.close()


def build_in_background(snapshot: Snapshot, on_graph: Callable[[AccessGraph], None],
                        on_findings: Callable[[FindingsReport], None]) -> None:
    """Builds the graph, then the findings, calling back with each as soon as it is known.

    Blocks the calling (worker) thread, not the event loop.

    Raises:
        XPathError: the snapshot cannot be turned into a graph.
    """
    from graph.build import build_graph  # imported before forking, never inside the child
    from graph.findings import run_findings

    if "fork" not in multiprocessing.get_all_start_methods():
        access_graph = build_graph(snapshot)
        on_graph(access_graph)
        on_findings(run_findings(access_graph))
        return
    global _pending
    _pending = snapshot
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_child, args=(sender,), daemon=True)
    process.start()
    sender.close()
    _pending = None
    try:
        graph_result = pickle.loads(receiver.recv_bytes())
        if isinstance(graph_result, Failure):
            raise XPathError(graph_result.text)
        on_graph(graph_result)
        findings_result = pickle.loads(receiver.recv_bytes())
        if isinstance(findings_result, Failure):
            raise XPathError(findings_result.text)
        on_findings(findings_result)
    except EOFError as error:
        raise XPathError(f"the graph builder stopped unexpectedly (exit code {process.exitcode})") from error
    finally:
        receiver.close()
        process.join(timeout=5)
