"""`xpath-tui findings`: risky trusts and grants (SPEC section 6), as a table, JSON or SARIF 2.1.0.

The table lists findings worst first, then a one-line summary of the external-access report
(`--external` lists every role and resource reachable from outside the organization, with the
outsider whose path in ranks first, and that path; a list grouped by account past 300 entries).
`--json` always carries the full external-access report. `--fail-on S` exits 1 when a finding of severity S or worse exists (a CI gate); `--min-severity` only hides rows.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from graph.errors import ExitCode
from graph.findings.model import Severity
from tui.options import edges_option, json_option, load_snapshot_or_demo, parse_edge_kinds, snapshot_option

if TYPE_CHECKING:
    from rich.console import Console

    from graph.external import ExternalAccess, ExternalAccessReport
    from graph.findings import FindingsReport

_SEVERITIES = [severity.value for severity in Severity]
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_STYLES = {Severity.CRITICAL: "bold red", Severity.HIGH: "red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan",
           Severity.INFO: "dim"}


def parse_accounts(text: str | None) -> frozenset[str]:
    """`--trusted-accounts 111111111111,222222222222` as a set; raises click.BadParameter on a bad id."""
    if not text:
        return frozenset()
    accounts = [part.strip() for part in text.split(",") if part.strip()]
    for account in accounts:
        if not _ACCOUNT_ID.match(account):
            raise click.BadParameter(f"{account!r} is not a 12-digit account id", param_hint="'--trusted-accounts'")
    return frozenset(accounts)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xpath-tui")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+source"


@contextmanager
def _steps_shown(show: bool) -> Iterator[Callable[[str], object] | None]:
    """A one-line spinner on stderr naming the step findings is at (None when not shown: not a terminal)."""
    if not show:
        yield None
        return
    from rich.console import Console

    with Console(stderr=True).status("findings: starting") as status:
        yield lambda text: status.update(f"findings: {text}")


def _console() -> Console:
    from rich.console import Console

    return Console(file=sys.stdout, soft_wrap=False, width=None if sys.stdout.isatty() else 200)


def _print_findings(report: FindingsReport, console: Console) -> None:
    from rich.table import Table

    from tui.literal import literal as Text  # snapshot text, shown literally (no markup, no escape sequences)

    if not report.findings:
        console.print("No findings.")
    else:
        table = Table(title=f"{len(report.findings)} finding(s)", show_lines=True, expand=False)
        for column in ("severity", "check", "finding", "proof", "fix"):
            table.add_column(column, overflow="fold")
        for finding in report.findings:
            table.add_row(Text(finding.severity.value, style=_STYLES[finding.severity]), Text(finding.check_id),
                          Text(f"{finding.title}\n{finding.arn}"), Text(finding.proof()), Text(finding.remediation))
        console.print(table)
    for note in report.notes:
        console.print(Text(f"note: {note}", style="dim"))


_TABLE_ROWS = 300
"""Above this many entries, `--external` prints a list grouped by account instead of a boxed table:
rich lays a table out in seconds per thousand rows (28,000 entries at 500 accounts)."""


def _print_external(external: ExternalAccessReport, console: Console, listed: bool) -> None:
    from rich.table import Table

    from tui.literal import literal as Text  # snapshot text, shown literally (no markup, no escape sequences)

    targets = external.targets()
    console.print(Text(f"External access: {len(targets)} role(s) and resource(s) reachable from outside the "
                       f"organization by {len({e.outsider for e in external.entries})} outsider(s)"
                       + ("" if listed or not targets else " (--external lists them)")))
    if not listed or not external.entries:
        return
    if len(external.entries) > _TABLE_ROWS:
        _list_external(external, console)
        return
    table = Table(show_lines=True)
    for column in ("target", "outsider", "status", "path in"):
        table.add_column(column, overflow="fold")
    for entry in external.entries:
        table.add_row(Text(entry.target), Text(f"{entry.outsider}\n({entry.outsider_kind.value})"),
                      Text(_status_text(entry)), Text(_path_in(entry)))
    console.print(table)


def _path_in(entry: ExternalAccess) -> str:
    return " → ".join([entry.path.hops[0].source, *(f"[{hop.kind}] {hop.target}" for hop in entry.path.hops)])


def _status_text(entry: ExternalAccess, separator: str = "\n") -> str:
    conditions = "; ".join(c.describe() for c in entry.path.conditions)
    return f"{entry.path.status}" + (f"{separator}needs {conditions}" if conditions else "")


def _list_external(external: ExternalAccessReport, console: Console) -> None:
    """The table's rows as a list under one heading per account (one literal block each: inert snapshot text)."""
    from tui.literal import literal

    by_account: dict[str, list[ExternalAccess]] = {}
    for entry in external.entries:
        by_account.setdefault(entry.account or "-", []).append(entry)
    for account in sorted(by_account):
        lines = ["", f"account {account}"]
        for entry in by_account[account]:
            lines.append(f"  {entry.target} · from {entry.outsider} ({entry.outsider_kind.value}) · "
                         f"{_status_text(entry, ' · ')}")
            lines.append(f"    {_path_in(entry)}")
        console.print(literal("\n".join(lines)), soft_wrap=True)


@click.command(name="findings")
@snapshot_option
@json_option
@click.option("--sarif", "sarif_target", metavar="FILE|-", default=None,
              help="Write the findings as SARIF 2.1.0 to FILE, or to stdout with '-'.")
@click.option("--min-severity", type=click.Choice(_SEVERITIES, case_sensitive=False), default="info",
              show_default=True, help="Hide findings below this severity.")
@click.option("--trusted-accounts", metavar="ID,...", default=None,
              help="Accounts outside the organization to treat as inside (your own or vouched-for vendors).")
@click.option("--max-chain", type=click.IntRange(1, 20), default=2, show_default=True,
              help="Longest role chain (assume-role hops) not reported.")
@click.option("--external", "list_external", is_flag=True,
              help="List every role and resource reachable from outside the organization (table output).")
@click.option("--fail-on", type=click.Choice(_SEVERITIES, case_sensitive=False), default=None,
              help="Exit 1 when a finding of this severity or worse exists.")
@edges_option
@click.pass_context
def findings(ctx: click.Context, snapshot_path: str | None, as_json: bool, sarif_target: str | None,
             min_severity: str, trusted_accounts: str | None, max_chain: int, list_external: bool,
             fail_on: str | None, edge_kinds: str | None = None) -> None:
    """Risky trusts and grants: trusts to "*" or outside accounts without an external ID, public resource
    policies, confused-deputy service grants, NotPrincipal, OIDC without sub, dangling principals, long
    role chains; and everything reachable from outside the organization."""
    if as_json and sarif_target == "-":
        raise click.UsageError("--json and --sarif - both write to stdout; choose one")
    trusted = parse_accounts(trusted_accounts)
    from graph.findings import FindingsSettings, run_findings
    from tui.options import group_snapshot_path

    path = snapshot_path or group_snapshot_path()
    kinds = parse_edge_kinds(edge_kinds)
    snapshot = load_snapshot_or_demo(path)
    settings = FindingsSettings(trusted_accounts=trusted, max_chain=max_chain)
    with _steps_shown(sys.stderr.isatty()) as on_step:
        if kinds is None:
            report = run_findings(snapshot, settings, on_step=on_step)
        else:
            from graph.build import build_graph

            if on_step is not None:
                on_step("building the access graph")
            report = run_findings(build_graph(snapshot, edge_kinds=kinds), settings, snapshot=snapshot,
                                  on_step=on_step)
    shown = report.at_least(Severity.parse(min_severity))
    if sarif_target is not None:
        from graph.sarif import to_sarif

        log = json.dumps(to_sarif(shown, tool_version=_version(), artifact_uri=Path(path).as_posix() if path else None),
                         indent=2) + "\n"
        if sarif_target == "-":
            sys.stdout.write(log)
        else:
            try:
                Path(sarif_target).write_text(log, encoding="utf-8")
            except OSError as error:
                raise click.BadParameter(f"{sarif_target}: cannot write ({error.strerror})",
                                         param_hint="'--sarif'") from None
    if as_json:
        from tui.output import print_json  # orjson: the 500-account report is ~80 MB of JSON

        print_json(shown.to_json())
    elif sarif_target != "-":
        console = _console()
        _print_findings(shown, console)
        if shown.external is not None:
            _print_external(shown.external, console, list_external)
    if fail_on is not None:
        gate = Severity.parse(fail_on)
        if any(finding.severity.at_least(gate) for finding in report.findings):
            click.echo(f"xpath-tui: findings of severity {gate.value} or worse: failing (--fail-on)", err=True)
            ctx.exit(ExitCode.GATE)
