"""Findings: risky trusts, grants and paths, each pointing at the statement or path that proves it.

`run_findings(snapshot_or_graph)` runs every check (catalogue in `registry.all_checks`) and returns
a `FindingsReport`; the explorer and the command line render it. Statement-level checks read the
parsed policies of the snapshot; graph-level checks (role chains) read the access graph, built on
demand or taken from the `AccessGraph` passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from graph.findings.context import CheckContext
from graph.findings.model import (
    CheckInfo, ExternalReport, Finding, FindingsReport, FindingsSettings, PathHop, PolicyKind, Severity,
    StatementLocation,
)
from graph.findings.registry import all_checks, check_infos
from graph.model import Snapshot

if TYPE_CHECKING:
    from graph.build import AccessGraph

__all__ = [
    "CheckInfo", "ExternalReport", "Finding", "FindingsReport", "FindingsSettings", "PathHop", "PolicyKind",
    "Severity", "StatementLocation", "all_checks", "check_infos", "run_findings",
]


def _sort_key(finding: Finding) -> tuple[int, str, str, tuple[str, ...]]:
    return (-finding.severity.rank, finding.check_id, finding.arn, finding.key)


def run_findings(source: Snapshot | AccessGraph, settings: FindingsSettings | None = None, *,
                 snapshot: Snapshot | None = None, with_graph: bool = True,
                 external: ExternalReport = ExternalReport.BUILT,
                 on_step: Callable[[str], object] | None = None) -> FindingsReport:
    """Run every check over a snapshot.

    Args:
        source: The snapshot, or an access graph already built from it (then `snapshot` must be
            given too, or the graph must carry it as `.snapshot`).
        settings: Trusted accounts and the role-chain limit; defaults when None.
        snapshot: The snapshot behind `source` when `source` is a graph.
        with_graph: Run the checks that need the access graph (building it if not given) and the
            external-access report.
        external: Whether to build the external-access report (when `with_graph`); left out, the
            report's `external` is None.
        on_step: Called with a few words before each step (a check, building the graph, the
            external-access search): at 500 accounts the whole run takes a minute or more.

    Returns:
        Every finding, worst first, then by check id and ARN.
    """
    settings = settings or FindingsSettings()
    if isinstance(source, Snapshot):
        ctx = CheckContext(source, settings, use_graph=with_graph)
    else:
        owner = snapshot or getattr(source, "snapshot", None)
        if not isinstance(owner, Snapshot):
            raise TypeError("run_findings(graph) needs the snapshot the graph was built from (snapshot=...)")
        ctx = CheckContext(owner, settings, access_graph=source, use_graph=with_graph)
    step = on_step or (lambda _: None)
    findings: list[Finding] = []
    checks = all_checks()
    built = not isinstance(source, Snapshot)
    for number, check in enumerate(checks, 1):
        if check.needs_graph and not with_graph:
            continue
        if check.needs_graph and not built:
            step("building the access graph")
            ctx.access_graph  # noqa: B018 (built here, on first need, so that the step names it)
            built = True
        step(f"check {number}/{len(checks)}: {check.info.id} {check.info.name}")
        findings.extend(check.run(ctx))
    unique = {finding.key: finding for finding in findings}
    notes = tuple(f"account {account.id}: could not read {error.service} {error.operation}"
                  f"{' of ' + error.resource if error.resource else ''} ({error.code})"
                  for account in ctx.snapshot.accounts for error in account.errors)
    reachable = None
    if with_graph and external is ExternalReport.BUILT:
        from graph.external import external_access

        step("external access: searching every outsider's paths")
        reachable = external_access(ctx.access_graph, trusted_accounts=settings.trusted_accounts)
    return FindingsReport(tuple(sorted(unique.values(), key=_sort_key)), tuple(check.info for check in checks),
                          settings, notes + tuple(ctx.access_graph.warnings if with_graph else ()), reachable)

