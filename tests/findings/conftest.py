"""Fixtures of the findings tests: snapshots of the example organization of `planted`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from planted import DATA, DEV, MGMT, ORG_ID

from graph.findings import FindingsReport, FindingsSettings, run_findings
from graph.model import Account, Organization, OrgAccount, OrgPolicy, OrgRoot, Resource, Role, Snapshot, User

Build = Callable[..., Snapshot]


@pytest.fixture()
def build() -> Build:
    """`build(roles=[...], resources=[...], users=[...])` gives a snapshot of the example organization."""

    def make(roles: Sequence[Role] = (), resources: Sequence[Resource] = (), users: Sequence[User] = (),
             organization: bool = True, org_policies: tuple[OrgPolicy, ...] = ()) -> Snapshot:
        accounts = []
        for account_id in (DEV, DATA):
            accounts.append(Account(
                account_id,
                users=tuple(u for u in users if u.account_id == account_id),
                roles=tuple(r for r in roles if r.account_id == account_id),
                resources=tuple(r for r in resources if r.account_id == account_id)))
        org = Organization(ORG_ID, MGMT, (OrgRoot("r-ab12", "Root"),), (),
                           tuple(OrgAccount(a, None, "r-ab12") for a in (DEV, DATA, MGMT)),
                           org_policies) if organization else None
        return Snapshot("2026-11-27T10:00:00Z", "import", org, tuple(accounts))

    return make


@pytest.fixture()
def findings(build: Build) -> Callable[..., list[tuple[str, str]]]:
    """`findings(check_id, roles=..., resources=...)`: the (check id, ARN) pairs of that check (no graph)."""

    def run(check_id: str, *, trusted: tuple[str, ...] = (), **parts: Any) -> list[tuple[str, str]]:
        report = run_findings(build(**parts), FindingsSettings(trusted_accounts=frozenset(trusted)), with_graph=False)
        return [(f.check_id, f.arn) for f in report.findings if f.check_id == check_id]

    return run


@pytest.fixture()
def report(build: Build) -> Callable[..., FindingsReport]:
    """`report(roles=..., resources=...)`: the whole statement-level report."""

    def run(*, trusted: tuple[str, ...] = (), **parts: Any) -> FindingsReport:
        return run_findings(build(**parts), FindingsSettings(trusted_accounts=frozenset(trusted)), with_graph=False)

    return run
