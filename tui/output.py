"""Printing query answers on the command line: rich tables for people, JSON for scripts.

stdout carries the answer (table or JSON); warnings that belong to the answer are printed under
the table (and are in the JSON's `warnings`).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

from graph.build import AccessGraph
from graph.edges.common import Grant
from graph.query import AccessPath, Hop, PathsResult, ReachResult, WhoCanResult
from tui.literal import literal
from tui.words import contested_in_words, hop_arrow

_ARROWS = {
    "member": "─member→",
    "assume-role": "─assume-role (STS)→",
    "assume-role-saml": "─assume-role SAML (STS)→",
    "assume-role-web-identity": "─assume-role web identity (STS)→",
    "resource-policy": "─resource-policy→",
    "identity-policy": "─identity-policy→",
}


def _console() -> Console:
    return Console(file=sys.stdout, soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def print_json(data: Any) -> None:
    """The answer as indented JSON on stdout (orjson: 25x faster on who-can answers of 10,000 principals)."""
    try:
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS).decode()
    except TypeError:  # what orjson refuses (integers past 64 bits, ...): json writes it or says why
        text = json.dumps(data, indent=2, ensure_ascii=False)
    sys.stdout.write(text + "\n")


def short(node: str) -> str:
    """A readable name for a node id (`role/App (111111111111)` for an ARN)."""
    if node.startswith("arn:"):
        parts = node.split(":", 5)
        if len(parts) == 6:
            account = f" ({parts[4]})" if parts[4] else ""
            return f"{parts[5]}{account}" if parts[2] in ("iam", "sts") else node
    return node


def hop_text(hop: Hop) -> str:
    """`─assume-role (STS)→ role/X (222222222222) [needs sts:ExternalId ...]`."""
    arrow = _ARROWS.get(str(hop.kind)) or f"─{hop_arrow(str(hop.kind), hop.actions)}→"
    text = f"{arrow} {short(hop.target)}"
    if hop.scope:
        text += f" (keys {hop.scope}*)"
    if hop.chained:
        text += " (chained)"
    if hop.contested:
        text += f" [contested: {contested_in_words(str(hop.kind))}]"
    if hop.conditions:
        text += " [needs " + "; ".join(c.describe() for c in hop.conditions) + "]"
    if hop.deny_conditions:
        # why an otherwise granted hop is only conditional: a Deny that applies when these hold
        text += " [denied if " + "; ".join(c.describe() for c in hop.deny_conditions) + "]"
    if hop.granted_by:
        text += "\n      granted by " + ", ".join(_grant_text(g) for g in hop.granted_by)
    return text


def _grant_text(grant: Grant) -> str:
    """`trust-policy of role/X statement 0 (TrustDevAccount)`."""
    where = f"{grant.policy} of {short(grant.resource)}" if grant.resource else short(grant.policy)
    sid = f" ({grant.sid})" if grant.sid else ""
    return f"{where} statement {grant.statement}{sid}"


def path_text(path: AccessPath) -> str:
    """A path on one line per hop, starting at its origin."""
    if not path.hops:
        return ""
    return short(path.hops[0].source) + "\n  " + "\n  ".join(hop_text(h) for h in path.hops)


def _status(status: str) -> Text:
    return Text(status, style="green" if status == "allowed" else "yellow" if status == "conditional" else "red")


def print_warnings(warnings: tuple[str, ...], notes: tuple[str, ...] = ()) -> None:
    """Warning and note lines under a table."""
    console = _console()
    for note in notes:
        console.print(literal(f"note: {note}", style="dim"))
    for warning in warnings:
        console.print(literal(f"warning: {warning}", style="yellow"))


_TABLE_ROWS = 300
"""Above this many principals, who-can prints a list instead of a boxed table: laying out a table of
8,500 principals took rich ~20 s, and nobody reads boxes that long."""


def print_who_can(result: WhoCanResult) -> None:
    """Every principal with a path to the resource, grouped by account."""
    if len(result.principals) > _TABLE_ROWS:
        _print_who_can_list(result)
        return
    console = _console()
    title = f"Who can reach {result.resource}" + (f" with {result.action}" if result.action else "")
    table = Table(title=literal(title), show_lines=True)
    for column in ("account", "principal", "kind", "status", "hops", "path"):
        table.add_column(column, overflow="fold")
    if result.key is not None:
        table.add_column("KMS key", overflow="fold")
    for entry in result.principals:
        row: list[Any] = [literal(entry.account or "-"), literal(short(entry.principal)), literal(entry.kind),
                          _status(str(entry.path.status)), str(len(entry.path.hops)), literal(path_text(entry.path))]
        if result.key is not None:
            row.append(literal(entry.key_status or "-"))
        table.add_row(*row)
    console.print(table)
    if not result.principals:
        console.print("no principal in the snapshot has a path to this resource")
    if result.key is not None:
        console.print(literal(f"data is encrypted: {result.key.action} on {result.key.key_arn} is also needed "
                              "(column 'KMS key')"))
    print_warnings(result.warnings, result.notes)


def _print_who_can_list(result: WhoCanResult) -> None:
    """The same rows as the table, as an indented list under one heading per account."""
    console = _console()
    allowed = sum(1 for entry in result.principals if str(entry.path.status) == "allowed")
    accounts = list(dict.fromkeys(entry.account or "-" for entry in result.principals))
    title = f"Who can reach {result.resource}" + (f" with {result.action}" if result.action else "")
    console.print(literal(title, style="bold"))
    console.print(literal(f"{len(result.principals):,} principals in {len(accounts):,} accounts: "
                          f"{allowed:,} allowed, {len(result.principals) - allowed:,} conditional "
                          "(--json for the machine-readable answer)"))
    if result.key is not None:
        console.print(literal(f"data is encrypted: {result.key.action} on {result.key.key_arn} is also needed "
                              "(see 'KMS key' on each principal)"))
    by_account: dict[str, list[Any]] = {}
    for entry in result.principals:
        by_account.setdefault(entry.account or "-", []).append(entry)
    for account in accounts:
        lines = ["", f"account {account}"]
        for entry in by_account[account]:
            hops = len(entry.path.hops)
            line = (f"  {short(entry.principal)} · {entry.kind} · {entry.path.status} · "
                    f"{hops} hop{'' if hops == 1 else 's'}")
            if result.key is not None:
                line += f" · KMS key: {entry.key_status or '-'}"
            lines.append(line)
            lines.extend("    " + part for part in path_text(entry.path).splitlines())
        # one literal block per account: markup and control characters from the snapshot stay inert
        console.print(literal("\n".join(lines)), soft_wrap=True)
    print_warnings(result.warnings, result.notes)


def print_paths(result: PathsResult) -> None:
    """The paths, shortest first, one hop per line."""
    console = _console()
    title = f"Paths {short(result.source)} → {short(result.target)}" + (f" · {result.action}" if result.action else "")
    table = Table(title=literal(title), show_lines=True)
    for column in ("#", "status", "hops", "path"):
        table.add_column(column, overflow="fold")
    for number, path in enumerate(result.paths, start=1):
        table.add_row(str(number), _status(str(path.status)), str(len(path.hops)), literal(path_text(path)))
    console.print(table)
    if not result.paths:
        console.print("no path")
    if result.truncated:
        console.print(Text("truncated: a bound (--limit or --max-hops) cut the search short", style="yellow"))
    print_warnings(result.warnings)


def print_reach(result: ReachResult) -> None:
    """Every resource the source reaches, with its shortest path."""
    console = _console()
    title = f"Reachable from {short(result.source)}" + (f" with {result.action}" if result.action else "")
    table = Table(title=literal(title), show_lines=True)
    for column in ("account", "resource", "type", "status", "hops", "path"):
        table.add_column(column, overflow="fold")
    for entry in result.resources:
        table.add_row(literal(entry.account or "-"), literal(entry.resource), literal(entry.resource_type),
                      _status(str(entry.path.status)), str(len(entry.path.hops)), literal(path_text(entry.path)))
    console.print(table)
    if not result.resources:
        console.print("nothing reachable")
    print_warnings(result.warnings)


def load_access_graph(snapshot_path: str | None, group_snapshot: str | None,
                      edge_kinds: set[str] | None = None) -> AccessGraph:
    """The access graph of the snapshot a command was given (its own --snapshot, the group's, or the demo).

    `edge_kinds` keeps only those kinds (the command's `--edges`, see `tui.options.parse_edge_kinds`).
    """
    from graph.build import build_graph
    from graph.gc_pause import settle
    from tui.options import load_snapshot_or_demo

    access_graph = build_graph(load_snapshot_or_demo(snapshot_path or group_snapshot), edge_kinds=edge_kinds)
    settle()  # one graph for the life of the command: keep the collector off its objects
    return access_graph
