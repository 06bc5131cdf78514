"""`xpath-tui validate PATH`: check a snapshot and list every problem with its location.

Output: when valid, one summary line on stdout (`valid: 9 accounts, ...`), exit 0. When invalid,
one line per problem on stdout (`LOCATION: MESSAGE`), then one summary line on stderr, exit 2.
With `--json`: `{"valid": bool, "problems": [{"location", "message"}], "summary": {...} | null}`
on stdout, with the same exit codes.
"""

from __future__ import annotations

import json
from typing import Any

import click

from graph.errors import ExitCode
from graph.model import Snapshot
from tui.options import json_option


@click.command(name="validate")
@click.argument("path", type=click.Path(dir_okay=False))
@json_option
@click.pass_context
def validate(ctx: click.Context, path: str, as_json: bool) -> None:
    """Check the snapshot PATH (.json or .json.gz) against format v1; list every problem with its location."""
    from graph.errors import SnapshotError
    from graph.snapshot import Problem, parse_snapshot, read_document, validate_snapshot
    from tui.literal import visible

    raw: Any = None
    try:
        raw = read_document(path)
    except SnapshotError as error:
        problems = [Problem(error.location or path, error.message)]
    else:
        problems = validate_snapshot(raw)
    summary = _summary(parse_snapshot(raw, origin=path)) if not problems else None
    if as_json:
        click.echo(json.dumps({"valid": not problems, "summary": summary,
                               "problems": [{"location": p.location, "message": p.message} for p in problems]},
                              indent=2))
    elif summary is not None:
        counts = ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in summary["counts"].items())
        click.echo(f"valid: {counts} ({summary['source']} snapshot collected {summary['collected_at']})")
    else:
        for problem in problems:
            click.echo(visible(f"{problem.location}: {problem.message}"))
        click.echo(f"xpath-tui: error: {path}: invalid snapshot "
                   f"({len(problems)} problem{'s' if len(problems) != 1 else ''})", err=True)
    if problems:
        ctx.exit(ExitCode.BAD_INPUT)


def _summary(snapshot: Snapshot) -> dict[str, Any]:
    accounts = snapshot.accounts
    return {
        "source": snapshot.source,
        "collected_at": snapshot.collected_at,
        "counts": {
            "accounts": len(accounts),
            "users": sum(len(account.users) for account in accounts),
            "groups": sum(len(account.groups) for account in accounts),
            "roles": sum(len(account.roles) for account in accounts),
            "managed_policies": sum(len(account.managed_policies) for account in accounts),
            "resources": sum(len(account.resources) for account in accounts),
            "collection_errors": sum(len(account.errors) for account in accounts),
        },
    }
