"""The organization tree builds an item's children only when it is expanded (large organizations open fast)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from graph.model import Account, Organization, OrgAccount, OrganizationalUnit, OrgRoot, Snapshot
from tui.catalog import Catalog, RefKind
from tui.widgets.org_tree import SMALL_ORGANIZATION, OrgTree

ACCOUNTS = SMALL_ORGANIZATION + 5


def _large_snapshot() -> Snapshot:
    ids = [f"{100000000000 + number:012d}" for number in range(ACCOUNTS)]
    org = Organization("o-lazy000001", ids[0], roots=(OrgRoot("r-root", "Root"),),
                       organizational_units=(OrganizationalUnit("ou-big-0001", "Workloads", "r-root"),),
                       accounts=tuple(OrgAccount(account_id, f"app-{n:02d}", "ou-big-0001")
                                      for n, account_id in enumerate(ids)))
    return Snapshot("2026-11-27T10:00:00Z", "synthetic", org, tuple(Account(account_id) for account_id in ids))


class _Harness(App[None]):
    def compose(self) -> ComposeResult:
        yield OrgTree()


async def test_units_of_a_large_organization_fill_in_on_expand() -> None:
    app = _Harness()
    async with app.run_test() as pilot:
        tree = app.query_one(OrgTree)
        tree.load(Catalog(_large_snapshot()))
        await pilot.pause()
        root = tree.root.children[0]
        unit = root.children[0]
        # Above SMALL_ORGANIZATION accounts only the roots open; the OU has no children built yet.
        assert unit.data is not None and unit.data.kind is RefKind.OU
        assert not unit.is_expanded and len(unit.children) == 0 and unit.allow_expand
        unit.expand()
        await pilot.pause()
        assert len(unit.children) == ACCOUNTS
        assert unit.children[0].label.plain.endswith("app-00")
