"""`xpath-tui collect`: read live AWS accounts into a snapshot (SPEC sections 3, 4 and 8).

boto3 and rich are imported inside the command, so other subcommands never load them. Progress
and the summary go to stderr; the snapshot is written atomically only once everything is read,
so Ctrl-C (exit 130) or a failed write (exit 3) never leaves a half-written file, and a previous
file of the same name stays as it was.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from graph.errors import CollectError, ExitCode

if TYPE_CHECKING:
    from graph.collect import Collection, ProgressEvent

_SUFFIXES = (".json", ".json.gz")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _account_ids(values: tuple[str, ...]) -> frozenset[str] | None:
    ids = _split(values)
    bad = [value for value in ids if not _ACCOUNT_ID.match(value)]
    if bad:
        raise click.BadParameter(f"not a 12-digit account id: {', '.join(bad)}", param_hint="'--accounts'")
    return frozenset(ids) if ids else None


def _regions(values: tuple[str, ...]) -> tuple[str, ...] | None:
    regions = _split(values)
    bad = [value for value in regions if not _REGION.match(value)]
    if bad:
        raise click.BadParameter(f"not a region name: {', '.join(bad)}", param_hint="'--regions'")
    return tuple(dict.fromkeys(regions)) if regions else None


def _output_path(output: str) -> Path:
    path = Path(output)
    if not path.name.endswith(_SUFFIXES):
        raise click.BadParameter(f"{output}: the file name must end in .json or .json.gz", param_hint="'-o'")
    if not path.parent.is_dir():
        raise click.BadParameter(f"{output}: the directory {path.parent} does not exist", param_hint="'-o'")
    return path


@dataclass(slots=True)
class _Row:
    """The counts of one service's progress row."""

    task: int
    queued: int = 0
    done: int = 0
    resources: int = 0
    errors: int = 0


@contextmanager
def _progress_display(show: bool) -> Iterator[Callable[[ProgressEvent], None] | None]:
    """A rich progress display on stderr with one row per service (None when not shown)."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from graph.collect import Phase

    progress = Progress(TextColumn("{task.description:<15}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[resources]:>6} resources"),
                        TextColumn("{task.fields[errors]:>4} errors"), TimeElapsedColumn(),
                        console=Console(stderr=True))
    rows: dict[str, _Row] = {}

    def report(event: ProgressEvent) -> None:
        name = event.service.value
        row = rows.get(name)
        if row is None:
            row = rows[name] = _Row(progress.add_task(name, total=0, resources=0, errors=0))
        if event.phase is Phase.QUEUED:
            row.queued += 1
        else:
            row.done += 1
            row.resources += event.resources
            row.errors += event.errors
        progress.update(TaskID(row.task), total=row.queued, completed=row.done, resources=row.resources,
                        errors=row.errors)

    with progress:
        yield report


def _summary(collection: Collection, path: Path) -> str:
    summary = collection.summary
    unreached = f" ({summary.unreached_accounts} not reached)" if summary.unreached_accounts else ""
    return (f"wrote {path}: {summary.accounts} account(s){unreached}, {summary.principals} principals, "
            f"{summary.resources} resources, {summary.errors} errors in {summary.seconds:.1f} s")


def _partial_warning(collection: Collection) -> str:
    accounts = [account for account in collection.snapshot.accounts if account.errors]
    parts = []
    if accounts:
        first = accounts[0].errors[0]
        parts.append(f"{collection.summary.errors} read error(s) in {len(accounts)} account(s), recorded in the "
                     f"snapshot's errors (first: {accounts[0].id} {first.service}:{first.operation} {first.code})")
    parts.extend(collection.warnings)
    lines = ["xpath-tui: warning: the snapshot is partial: " + "; ".join(parts)]
    by_account: dict[str, list[str]] = {}
    for loss in collection.summary.lost:
        by_account.setdefault(loss.account_id, []).append(f"{loss.service} {loss.errors} ({', '.join(loss.codes)})")
    lines.extend(f"  not read in {account_id}: {', '.join(services)}" for account_id, services in by_account.items())
    return "\n".join(lines)


@click.command(name="collect")
@click.option("--profile", "profiles", multiple=True, metavar="NAME",
              help="AWS profile to read (repeatable, one account each; SSO profiles work). Default: the default "
                   "credential chain.")
@click.option("--org", "organization", is_flag=True,
              help="Read every account of the organization (from the management or a delegated administrator "
                   "account), assuming --role-name in each.")
@click.option("--role-name", metavar="ROLE", default=None, help="Role to assume in each account with --org.")
@click.option("--external-id", metavar="ID", default=None, help="External ID to pass when assuming --role-name.")
@click.option("--role-session-name", metavar="NAME", default="xpath-tui-collect", show_default=True,
              help="Session name of the assumed roles (shows in CloudTrail).")
@click.option("--accounts", "account_values", multiple=True, metavar="IDS",
              help="Only these account ids (comma list, repeatable).")
@click.option("--regions", "region_values", multiple=True, metavar="REGIONS",
              help="Only these regions (comma list, repeatable). Default: every region enabled in each account.")
@click.option("--endpoint-url", default=None, hidden=True, help="One endpoint for every AWS client (emulators).")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Snapshot file to write (.json, or .json.gz for gzip).")
@click.option("--workers", type=click.IntRange(1, 128), default=16, show_default=True,
              help="AWS calls in flight at once.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display (it is also off when stderr is not a terminal).")
@click.pass_context
def collect(ctx: click.Context, profiles: tuple[str, ...], organization: bool, role_name: str | None,
            external_id: str | None, role_session_name: str, account_values: tuple[str, ...],
            region_values: tuple[str, ...], endpoint_url: str | None, output: str, workers: int, quiet: bool) -> None:
    """Read live AWS accounts (read-only) into a snapshot file."""
    path = _output_path(output)
    if organization and not role_name:
        raise click.UsageError("--org needs --role-name (the role to assume in each account)")
    if role_name and not organization:
        raise click.UsageError("--role-name is used with --org only")
    if organization and len(profiles) > 1:
        raise click.UsageError("--org reads from one account: give at most one --profile")
    if not 2 <= len(role_session_name) <= 64:
        raise click.BadParameter("must be 2 to 64 characters", param_hint="'--role-session-name'")

    from graph.collect import CollectOptions, RoleRequest, collect as run_collection
    from graph.snapshot import save_snapshot

    options = CollectOptions(
        profiles=profiles,
        organization=RoleRequest(role_name, external_id, role_session_name) if organization and role_name else None,
        accounts=_account_ids(account_values), regions=_regions(region_values), endpoint_url=endpoint_url,
        workers=workers,
    )
    with _progress_display(not quiet and sys.stderr.isatty()) as report:
        collection = run_collection(options, report)
    existed = path.exists()
    try:
        save_snapshot(collection.snapshot, path)
    except OSError as error:
        kept = "the previous file is unchanged" if existed else "no file was written"
        raise CollectError(f"the snapshot could not be written ({error.strerror or error}); {kept}",
                           location=output) from error
    click.echo(_summary(collection, path), err=True)
    if collection.partial:
        click.echo(_partial_warning(collection), err=True)
    ctx.exit(ExitCode.OK)
