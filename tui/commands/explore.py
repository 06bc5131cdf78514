"""`xpath-tui` without a subcommand: until the interactive explorer lands, a printed overview.

The overview shows the organization tree (accounts by OU with their principal and resource
counts), where the snapshot comes from and how old it is, and what could not be collected.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.tree import Tree

from graph.model import Account, Organization, Snapshot
from tui.options import load_snapshot_or_demo


def run_explorer(snapshot_path: str | None) -> None:
    """Prints the overview of a snapshot (the embedded demo when `snapshot_path` is None).

    Args:
        snapshot_path: A `.json` / `.json.gz` snapshot, or None for the demo organization.

    Raises:
        graph.errors.SnapshotError: The snapshot cannot be read (the CLI prints it, exit 2).
    """
    snapshot = load_snapshot_or_demo(snapshot_path)
    console = Console()
    console.print(f"[bold]xpath-tui[/] · {describe(snapshot)}")
    console.print(organization_tree(snapshot))
    errors = [(account, error) for account in snapshot.accounts for error in account.errors]
    if errors:
        console.print(f"[yellow]partial snapshot: {len(errors)} thing(s) could not be collected[/]")
        for account, error in errors:
            target = f" {error.resource}" if error.resource else ""
            console.print(f"  {account.id} {account.name or ''}: {error.service} {error.operation}{target}: "
                          f"{error.code}", markup=False, highlight=False)


def describe(snapshot: Snapshot, now: datetime | None = None) -> str:
    """One line: source, account count, collection time and age.

    Args:
        snapshot: The snapshot.
        now: The current time (tests pass a fixed one).

    Returns:
        E.g. `demo snapshot · 9 accounts · collected 2026-11-27 10:00 UTC (3 days ago)`.
    """
    collected = datetime.fromisoformat(snapshot.collected_at)
    if collected.tzinfo is None:
        collected = collected.replace(tzinfo=UTC)
    age = ((now or datetime.now(UTC)) - collected).total_seconds()
    return (f"{snapshot.source} snapshot · {len(snapshot.accounts)} accounts · "
            f"collected {collected.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({_age(age)})")


def organization_tree(snapshot: Snapshot) -> Tree:
    """Accounts by root and OU (collected accounts with counts), then accounts outside any organization.

    Args:
        snapshot: The snapshot.

    Returns:
        A rich tree ready to print.
    """
    accounts = {account.id: account for account in snapshot.accounts}
    organization = snapshot.organization
    tree = Tree(f"organization {organization.id}" if organization else "no organization")
    placed: set[str] = set()
    if organization is not None:
        for root in organization.roots:
            _add_children(tree.add(f"{root.name} ({root.id})"), root.id, organization, accounts, placed)
    outside = [account for account in snapshot.accounts if account.id not in placed]
    if outside:
        branch = tree.add("accounts outside the organization tree")
        for account in outside:
            branch.add(_account_label(account))
    return tree


def _add_children(branch: Tree, parent_id: str, organization: Organization, accounts: dict[str, Account],
                  placed: set[str]) -> None:
    for unit in organization.organizational_units:
        if unit.parent_id == parent_id:
            _add_children(branch.add(f"[bold]{unit.name}[/] ({unit.id})"), unit.id, organization, accounts, placed)
    for member in organization.accounts:
        if member.parent_id != parent_id:
            continue
        placed.add(member.id)
        account = accounts.get(member.id)
        if account is None:
            branch.add(f"{member.id} {member.name or ''} [dim](not collected)[/]")
        else:
            branch.add(_account_label(account))


def _account_label(account: Account) -> str:
    label = (f"{account.id} [bold]{account.name or ''}[/] · {len(account.users)} users · "
             f"{len(account.roles)} roles · {len(account.resources)} resources")
    if account.errors:
        label += f" · [yellow]{len(account.errors)} collection error(s)[/]"
    return label


def _age(seconds: float) -> str:
    if seconds < 0:
        return "in the future"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"
