"""`xpath-tui diff OLD NEW`: access paths, findings and external access added and removed between two snapshots.

`--fail-on new-external|new-finding|new-path` (repeatable) exits 1 when the change adds what the
gate names, so the command can guard a CI pipeline. Removals never trip a gate.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from graph.errors import ExitCode
from tui.options import edges_option, json_option, parse_edge_kinds

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from graph.diff import SnapshotDiff

_GATES = ("new-external", "new-finding", "new-path")


def _row(table: Table, *cells: str) -> None:
    """A row of literal text: ARNs, conditions and paths hold `[...]`, which rich would read as markup."""
    from tui.literal import literal

    table.add_row(*(literal(cell) for cell in cells))


def _print(diff: SnapshotDiff, console: Console) -> None:
    from rich.table import Table

    if diff.empty:
        console.print("No changes in access.")
        return
    if diff.added_edges or diff.removed_edges:
        table = Table(title="Access edges", show_lines=True)
        for column in ("change", "from", "edge", "to", "actions", "conditions", "granted by"):
            table.add_column(column, overflow="fold")
        for sign, edges in (("+ added", diff.added_edges), ("- removed", diff.removed_edges)):
            for edge in edges:
                _row(table, sign, edge.source, edge.kind, edge.target, ", ".join(edge.actions),
                              "; ".join(edge.conditions), "\n".join(edge.granted_by))
        console.print(table)
    if diff.added_findings or diff.removed_findings:
        table = Table(title="Findings", show_lines=True)
        for column in ("change", "severity", "check", "finding", "proof"):
            table.add_column(column, overflow="fold")
        for sign, items in (("+ new", diff.added_findings), ("- resolved", diff.removed_findings)):
            for finding in items:
                _row(table, sign, finding.severity.value, finding.check_id, f"{finding.title}\n{finding.arn}",
                              finding.proof())
        console.print(table)
    if diff.added_external or diff.removed_external:
        table = Table(title="Reachable from outside the organization", show_lines=True)
        for column in ("change", "target", "outsider", "status"):
            table.add_column(column, overflow="fold")
        for sign, entries in (("+ new", diff.added_external), ("- gone", diff.removed_external)):
            for entry in entries:
                _row(table, sign, entry.target, f"{entry.outsider} ({entry.outsider_kind.value})",
                              str(entry.path.status))
        console.print(table)
    if diff.reach:
        table = Table(title="Who reaches what", show_lines=True)
        for column in ("role or resource", "gained reach", "lost reach"):
            table.add_column(column, overflow="fold")
        for change in diff.reach:
            _row(table, change.target, "\n".join(change.gained), "\n".join(change.lost))
        console.print(table)


@click.command(name="diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@json_option
@click.option("--fail-on", "fail_on", type=click.Choice(_GATES), multiple=True,
              help="Exit 1 when the change adds this (repeatable): new-external, new-finding, new-path.")
@click.option("--trusted-accounts", metavar="ID,...", default=None,
              help="Accounts outside the organization to treat as inside.")
@edges_option
@click.pass_context
def diff(ctx: click.Context, old: str, new: str, as_json: bool, fail_on: tuple[str, ...],
         trusted_accounts: str | None, edge_kinds: str | None = None) -> None:
    """Access paths and findings added and removed between two snapshots OLD and NEW."""
    from graph.diff import DiffGate, diff_snapshots
    from graph.findings import FindingsSettings
    from graph.snapshot import load_snapshot
    from tui.commands.findings import parse_accounts

    settings = FindingsSettings(trusted_accounts=parse_accounts(trusted_accounts))
    kinds = parse_edge_kinds(edge_kinds)
    if kinds is None:
        changes = diff_snapshots(load_snapshot(old), load_snapshot(new), settings)
    else:
        from graph.build import build_graph
        from graph.diff import diff_graphs

        changes = diff_graphs(build_graph(load_snapshot(old), edge_kinds=kinds),
                              build_graph(load_snapshot(new), edge_kinds=kinds), settings)
    if as_json:
        sys.stdout.write(json.dumps({"old": old, "new": new, **changes.to_json()}, indent=2) + "\n")
    else:
        from rich.console import Console

        _print(changes, Console(file=sys.stdout, soft_wrap=False, width=None if sys.stdout.isatty() else 200))
    tripped = changes.tripped(frozenset(DiffGate(gate) for gate in fail_on))
    if tripped:
        click.echo(f"xpath-tui: diff adds {', '.join(gate.value for gate in tripped)}: failing (--fail-on)", err=True)
        ctx.exit(ExitCode.GATE)
