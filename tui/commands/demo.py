"""`xpath-tui demo generate`: write a synthetic organization as a snapshot (SPEC sections 4 and 7)."""

from __future__ import annotations

from pathlib import Path

import click

from graph.synthetic import MAX_ACCOUNTS, MIN_ACCOUNTS

_SUFFIXES = (".json", ".json.gz")


@click.group(name="demo")
def demo() -> None:
    """Demo and synthetic organizations."""


@demo.command(name="generate")
@click.option("--accounts", "-n", type=click.IntRange(MIN_ACCOUNTS, MAX_ACCOUNTS), required=True,
              help=f"Number of accounts in the organization ({MIN_ACCOUNTS} to {MAX_ACCOUNTS}).")
@click.option("--seed", "-s", type=int, default=0, show_default=True,
              help="Seed of the generator: the same seed writes the same snapshot.")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Snapshot file to write (.json, or .json.gz for gzip).")
def generate(accounts: int, seed: int, output: str) -> None:
    """Generate a realistic synthetic organization (about 50 roles and 40 resources per account)."""
    path = Path(output)
    if not path.name.endswith(_SUFFIXES):
        raise click.BadParameter(f"{output}: the file name must end in .json or .json.gz", param_hint="'-o'")
    if not path.parent.is_dir():
        raise click.BadParameter(f"{output}: the directory {path.parent} does not exist", param_hint="'-o'")

    from graph.snapshot import parse_snapshot, save_snapshot
    from graph.synthetic import generate_organization

    document = generate_organization(accounts, seed)
    snapshot = parse_snapshot(document, origin=f"synthetic(accounts={accounts}, seed={seed})")
    try:
        save_snapshot(snapshot, path)
    except OSError as error:
        raise click.FileError(output, hint=error.strerror or str(error)) from error
    roles = sum(len(account.roles) for account in snapshot.accounts)
    resources = sum(len(account.resources) for account in snapshot.accounts)
    click.echo(f"wrote {path}: {accounts} accounts, {roles} roles, {resources} resources (seed {seed})", err=True)
