"""Click options and snapshot loading shared by every subcommand that reads data.

Usage in a subcommand module::

    @click.command(name="who-can")
    @snapshot_option
    @json_option
    @click.pass_context
    def who_can(ctx: click.Context, snapshot_path: str | None, as_json: bool) -> None:
        snapshot = load_snapshot_or_demo(snapshot_path)

`--snapshot` may also be given before the subcommand (`xpath-tui --snapshot s.json who-can ...`);
`load_snapshot_or_demo` then finds it in the click context. Without either, the embedded demo
organization is used (SPEC section 4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from graph.model import Snapshot

if TYPE_CHECKING:
    from graph.snapshot import DecodedSnapshot

snapshot_option = click.option(
    "--snapshot", "snapshot_path", type=click.Path(dir_okay=False), default=None,
    help="Snapshot to read (.json or .json.gz); the embedded demo organization by default.",
)
"""`--snapshot PATH`, passed to the command as `snapshot_path: str | None`."""

json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout.")
"""`--json`, passed to the command as `as_json: bool`."""


edges_option = click.option(
    "--edges", "edge_kinds", default=None, metavar="KINDS",
    help="Edge kinds to use, comma-separated (e.g. member,assume-role,identity-policy), or kinds to leave "
         "out with a leading '-' (e.g. -pass-role,-privilege-escalation); all by default.",
)
"""`--edges KINDS`, passed to the command as `edge_kinds: str | None` (see `parse_edge_kinds`)."""


def parse_edge_kinds(text: str | None) -> set[str] | None:
    """The edge kinds an `--edges` value keeps, for `build_graph(edge_kinds=...)` (None: all of them).

    Args:
        text: Comma-separated kinds to keep, or kinds to drop each with a leading "-"; both may be mixed
            (the kept ones minus the dropped ones).

    Raises:
        graph.errors.QueryError: An unknown kind, or nothing left (the CLI prints it, exit 2).
    """
    if text is None:  # before the imports: EdgeKind's module loads the evaluator (0.1 s the explorer's start skips)
        return None
    from graph.edges.common import EdgeKind
    from graph.errors import QueryError

    known = [str(kind) for kind in EdgeKind]
    keep: set[str] = set()
    drop: set[str] = set()
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        name = item[1:] if item.startswith("-") else item
        if name not in known:
            raise QueryError(f"unknown edge kind {name!r} (known: {', '.join(known)})", "--edges")
        (drop if item.startswith("-") else keep).add(name)
    kept = (keep or set(known)) - drop
    if not kept:
        raise QueryError("no edge kind left", "--edges")
    return kept


def load_snapshot_or_demo(path: str | None) -> Snapshot:
    """The snapshot at `path`, else the group-level `--snapshot`, else the embedded demo.

    Args:
        path: The subcommand's `--snapshot` value, or None.

    Returns:
        The loaded snapshot.

    Raises:
        graph.errors.SnapshotError: The file is unreadable or invalid (the CLI prints it and exits 2).
    """
    from graph.demo import load_demo
    from graph.snapshot import load_snapshot

    chosen = path if path is not None else group_snapshot_path()
    return load_snapshot(chosen) if chosen is not None else load_demo()


def open_snapshot_or_demo(path: str | None) -> Snapshot | DecodedSnapshot:
    """Like `load_snapshot_or_demo`, for the explorer: a file is only decoded (`graph.snapshot.decode_snapshot`).

    The explorer shows its outline, then opens it (`DecodedSnapshot.open`), and its last checks run
    in the background (`OpenedSnapshot.verify`) before anything is answered; the embedded demo is
    small and loaded whole.

    Args:
        path: The `--snapshot` value, or None.

    Raises:
        graph.errors.SnapshotError: The file is unreadable (a file that is not a snapshot fails when opened).
    """
    from graph.demo import load_demo
    from graph.snapshot import decode_snapshot

    chosen = path if path is not None else group_snapshot_path()
    return decode_snapshot(chosen) if chosen is not None else load_demo()


def group_snapshot_path() -> str | None:
    """The `--snapshot` given to `xpath-tui` itself, before the subcommand, if any."""
    context = click.get_current_context(silent=True)
    while context is not None:
        if isinstance(context.obj, dict) and context.obj.get("snapshot"):
            snapshot: str = context.obj["snapshot"]
            return snapshot
        context = context.parent
    return None
