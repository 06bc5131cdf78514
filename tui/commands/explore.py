"""`xpath-tui` without a subcommand: the interactive explorer on a snapshot (or the embedded demo)."""

from __future__ import annotations

from graph.errors import SnapshotError
from tui.options import open_snapshot_or_demo


def run_explorer(snapshot_path: str | None, edge_kinds: set[str] | None = None) -> None:
    """Opens the explorer; the snapshot is read in a worker so the first screen comes at once.

    Args:
        snapshot_path: A `.json` / `.json.gz` snapshot, or None for the demo organization.
        edge_kinds: Edge kinds the graph keeps (`--edges`, parsed); all by default.

    Raises:
        SnapshotError: the snapshot cannot be read (the explorer closes at once and the command
            line prints the one-line reason, exit code 2).
    """
    from tui.app import XPathApp  # deferred: Textual loads only for the explorer

    app = XPathApp(lambda: open_snapshot_or_demo(snapshot_path), edge_kinds=edge_kinds)
    app.run()
    if app.load_error is not None:
        raise SnapshotError(app.load_error)
