"""The external-access report at organization scale: the same answer as a plain per-outsider reach,
for work that grows with accounts, not with accounts squared.

The reference is what the report computed before (issue 8): `graph.query.reach` from every
outsider, keeping each home role or resource whose path is not pinned to the organization. The
report now keeps one entry per target: the outsider whose path ranks first (fewest hops, allowed
before conditional, fewest conditions). Each account's CI identity provider reaches the
organization-wide grants of every account, so listing every outsider of every target grows with
accounts squared; the report's work must not.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.build import AccessGraph, build_graph
from graph.external import external_access, inside_only, outsiders, search_external
from graph.findings import ExternalReport, run_findings
from graph.findings.context import home_accounts
from graph.query import AccessPath, reach
from graph.snapshot import parse_snapshot, save_snapshot
from graph.synthetic import generate_organization
from tui.cli import main


def _rank(path: AccessPath) -> tuple[int, int, int]:
    return (len(path.hops), 0 if str(path.status) == "allowed" else 1, len(path.conditions))


def _reference(ag: AccessGraph) -> dict[tuple[str, str], AccessPath]:
    """(target, outsider) -> path, by `reach` from every outsider (the report before issue 8)."""
    home = home_accounts(ag.snapshot)
    organization_id = ag.snapshot.organization.id if ag.snapshot.organization else None
    found: dict[tuple[str, str], AccessPath] = {}
    for source, _ in outsiders(ag):
        for reached in reach(ag, source).resources:
            if reached.account in home and reached.path.hops \
                    and not inside_only(reached.path, organization_id, home):
                found[(reached.resource, source)] = reached.path
    return found


def _hops(path: AccessPath) -> list[dict[str, Any]]:
    return [hop.to_json() for hop in path.hops]


@pytest.fixture(scope="module")
def organization() -> AccessGraph:
    return build_graph(parse_snapshot(generate_organization(8, seed=5)))


def test_every_target_an_outsider_reaches_is_listed_once_with_the_best_path(organization):
    reference = _reference(organization)
    report = external_access(organization)
    targets = {target for target, _ in reference}
    # Same targets: none lost (a lost one would be a wrong "nobody outside can reach it"), none invented.
    assert [entry.target for entry in report.entries] == sorted(targets)
    assert len(targets) > 100  # the generated organization has CI providers, vendors and "*" grants
    for entry in report.entries:
        best = min(_rank(path) for (target, _), path in reference.items() if target == entry.target)
        # The entry's path is the one reach gives from that outsider, and no outsider has a better one.
        assert _hops(entry.path) == _hops(reference[(entry.target, entry.outsider)])
        assert _rank(entry.path) == best


def test_the_work_grows_with_accounts_not_with_accounts_squared():
    # (node, resource) pairs read, for 10 then 20 accounts: 996 -> 2,330 (2.3x). Reach from every outsider
    # read 3.0x more for the same doubling (11,677 -> 35,375 on the seed-1 organizations), and the
    # (target, outsider) pairs it listed grow toward 4x.
    pairs = [search_external(build_graph(parse_snapshot(generate_organization(n, seed=3))))[1] for n in (10, 20)]
    assert 1.5 < pairs[1] / pairs[0] < 2.7


def test_the_explorer_mode_gives_the_same_findings_without_the_report(organization):
    # The explorer's background builder asks for the checks only (ExternalReport.LEFT_OUT): same findings.
    full = run_findings(organization)
    checks_only = run_findings(organization, external=ExternalReport.LEFT_OUT)
    assert checks_only.external is None and full.external is not None
    assert checks_only.findings == full.findings and len(full.findings) > 10


def test_a_long_external_listing_is_a_list_by_account_with_every_target(organization, tmp_path, capsys):
    # Over 300 entries, `--external` prints one block per account (a rich table of thousands of rows takes
    # seconds per thousand), still one line per target with its outsider, then the path in.
    path = tmp_path / "org.json.gz"
    save_snapshot(organization.snapshot, path)
    with pytest.raises(SystemExit) as exited:
        main(["findings", "--snapshot", str(path), "--external"])
    out = capsys.readouterr().out
    assert exited.value.code in (0, None)
    entries = external_access(organization).entries
    assert len(entries) > 300
    assert "┃" not in out.split("External access:")[1]  # no boxed table for the listing
    for entry in entries:
        assert f"  {entry.target} · from {entry.outsider} ({entry.outsider_kind.value})" in out
    accounts = {entry.account for entry in entries}
    assert all(f"\naccount {account}\n" in out for account in accounts)
