"""Findings: risky trusts, grants and paths, worst first; each opens the statement or path that proves it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from graph.findings import Finding, FindingsReport, PolicyKind, Severity
from tui.catalog import Catalog
from tui.literal import literal
from tui.widgets.details import DetailsPane

_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def findings_summary(report: FindingsReport) -> Text:
    """One line for the status bar: how many findings of each severity."""
    counts = {severity: 0 for severity in Severity}
    for finding in report.findings:
        counts[finding.severity] += 1
    if not report.findings:
        return Text("findings: none", style="green")
    line = Text("findings: ")
    shown = [(severity, count) for severity, count in counts.items() if count]
    for position, (severity, count) in enumerate(shown):
        if position:
            line.append(" · ")
        line.append(f"{count} {severity.value}", style=_SEVERITY_STYLE[severity])
    line.append("  (f lists them)", style="dim")
    return line


@dataclass(frozen=True, slots=True)
class _Grant:
    """A finding's statement location, in the shape the catalog resolves (policy kind + resource)."""

    policy: str
    resource: str | None


class FindingsScreen(Screen[None]):
    """Lists findings; the highlighted one shows its proof below."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("question_mark", "app.help", "Help"),
    ]

    def __init__(self, catalog: Catalog, report: FindingsReport) -> None:
        super().__init__()
        self.catalog = catalog
        self.report = report

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="findings-top", classes="panel"):
            yield Static(findings_summary(self.report), id="findings-summary")
            yield DataTable(id="findings-table", cursor_type="row", zebra_stripes=True)
        yield DetailsPane(id="finding-details", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#findings-top").border_title = "Findings"
        table = self.query_one(DataTable)
        table.add_columns("severity", "check", "account", "finding")
        for index, finding in enumerate(self.report.findings):
            table.add_row(Text(finding.severity.value, style=_SEVERITY_STYLE[finding.severity]),
                          literal(finding.check_id), literal(finding.account_id or "-"), literal(finding.title),
                          key=str(index))
        if not self.report.findings:
            self.query_one(DetailsPane).show_message("no findings", "no check found anything risky in this snapshot")
        table.focus()

    @on(DataTable.RowHighlighted, "#findings-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is None:
            return
        self.show_finding(self.report.findings[int(event.row_key.value)])

    def show_finding(self, finding: Finding) -> None:
        """Shows one finding with the statement (marked in place) or the path that proves it."""
        rows = [("severity", finding.severity.value), ("check", finding.check_id), ("at risk", finding.arn),
                ("proof", finding.proof()), ("fix", finding.remediation)]
        rows += [(name, value) for name, value in finding.details]
        pane = self.query_one(DetailsPane)
        statement = finding.statement
        grant = None
        if statement is not None and statement.policy_kind is not PolicyKind.ACL:
            kind = "trust-policy" if statement.policy_kind is PolicyKind.TRUST else "resource-policy"
            grant = _Grant(kind, statement.policy)
        pane.show_finding(self.catalog, finding.title, rows, grant,
                          statement.statement if statement is not None else None)

    def action_back(self) -> None:
        self.dismiss(None)
