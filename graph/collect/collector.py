"""Live collection: reads AWS accounts into a format v1 snapshot (SPEC section 3, issue 5).

Accounts come from named profiles (the default chain when none), or with `--org` from the
organization's account list, each reached by assuming a role. Every account x region x service is
read concurrently; what cannot be read is recorded in the account's `errors` and the run goes on.
Only Get*, List*, Describe*, sts:AssumeRole and sts:GetCallerIdentity are ever called.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from botocore.config import Config

from graph.collect import ec2, ecr, iam, kms, lambda_functions, s3, secrets, sns, sqs
from graph.collect.account import AccountData, Scope
from graph.collect.calls import AwsFailure, ErrorLog, Reader, ReadError, failure_of
from graph.collect.organization import OrgAccountEntry, list_member_accounts, read_organization
from graph.collect.regions import enabled_regions
from graph.collect.repair import repair
from graph.collect.scheduler import Scheduler
from graph.collect.retries import RetryPolicy
from graph.collect.renewal import Renewal
from graph.collect.sessions import ClientSettings, Clients, Hook, RoleRequest, assumed_session, client_config, \
    profile_session
from graph.collect.work import Done, ProgressCallback, Service, Work
from graph.errors import CollectError, SnapshotError
from graph.model import Snapshot
from graph.snapshot import FORMAT, VERSION, parse_snapshot

_REGIONAL_LISTERS: dict[Service, Callable[[Scope], Done]] = {
    Service.KMS: kms.list_keys,
    Service.LAMBDA: lambda_functions.list_functions,
    Service.SNS: sns.list_topics,
    Service.SQS: sqs.list_queues,
    Service.SECRETS_MANAGER: secrets.list_secrets,
    Service.ECR: ecr.list_repositories,
    Service.EC2: ec2.list_instances,
}


@dataclass(frozen=True, slots=True)
class CollectOptions:
    """What to collect, and how."""

    profiles: tuple[str, ...] = ()
    """Named profiles, one account each; empty: the default credential chain."""
    organization: RoleRequest | None = None
    """With `--org`: the role to assume in every account of the organization."""
    accounts: frozenset[str] | None = None
    """Only these account ids (None: all)."""
    regions: tuple[str, ...] | None = None
    """Only these regions (None: every region enabled in each account)."""
    endpoint_url: str | None = None
    """One endpoint for every client (a local AWS emulator)."""
    workers: int = 16
    hooks: tuple[Hook, ...] = ()
    """botocore event handlers registered on every session (auditing what is called)."""
    config: Config | None = None
    """botocore client configuration; adaptive retries and timeouts by default (`client_config`)."""
    retry: RetryPolicy = RetryPolicy()
    """How throttled and timed-out calls are retried (attempts, back-off delays, mode)."""


@dataclass(frozen=True, slots=True)
class Loss:
    """What one service of one account could not read: how many reads failed, and with which codes."""

    account_id: str
    service: str
    errors: int
    codes: tuple[str, ...]
    """The distinct error codes, most frequent first."""


@dataclass(frozen=True, slots=True)
class CollectSummary:
    """The figures of a finished run."""

    accounts: int
    unreached_accounts: int
    principals: int
    resources: int
    errors: int
    seconds: float
    lost: tuple[Loss, ...] = ()
    """The failed reads per account and service (the snapshot's `errors`, counted), by account then service."""


def _losses(snapshot: Snapshot) -> tuple[Loss, ...]:
    found: list[Loss] = []
    for account in sorted(snapshot.accounts, key=lambda a: a.id):
        by_service: dict[str, Counter[str]] = {}
        for error in account.errors:
            by_service.setdefault(error.service, Counter())[error.code] += 1
        found.extend(Loss(account.id, service, sum(codes.values()), tuple(code for code, _ in codes.most_common()))
                     for service, codes in sorted(by_service.items()))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Collection:
    """A finished run: the snapshot, its figures, and warnings that are not tied to an account."""

    snapshot: Snapshot
    summary: CollectSummary
    warnings: tuple[str, ...]

    @property
    def partial(self) -> bool:
        """True when something could not be read (the snapshot's `errors` say what)."""
        return bool(self.summary.errors or self.summary.unreached_accounts or self.warnings)


@dataclass(frozen=True, slots=True)
class _Base:
    """A profile's (or the default chain's) session, and whose it is."""

    clients: Clients
    account_id: str
    partition: str


def _identify(profile: str | None, settings: ClientSettings) -> _Base | str:
    """The session of a profile with its account, or a one-line reason it cannot be used."""
    label = f"profile {profile}" if profile else "the default credentials"
    try:
        clients = Clients(profile_session(profile, settings.hooks), settings, Renewal(label, None))
        identity = clients.client("sts").get_caller_identity()
    except AwsFailure as error:
        code, message = failure_of(error)
        return f"{label}: {code}: {message}"
    return _Base(clients, identity["Account"], identity["Arn"].split(":")[1])


class _Run:
    """One collection run: its accounts and the work that reads them."""

    def __init__(self, options: CollectOptions, settings: ClientSettings) -> None:
        self.options = options
        self.settings = settings
        self.accounts: dict[str, AccountData] = {}
        self.organization: dict[str, Any] | None = None
        self.organization_errors = ErrorLog()
        self.organization_reader_account: str | None = None
        self.renewals: dict[str, Renewal] = {}

    def wanted(self, account_id: str) -> bool:
        return self.options.accounts is None or account_id in self.options.accounts

    def add_reached(self, base: _Base, name: str | None = None) -> Work:
        data = self.accounts.setdefault(base.account_id, AccountData(base.account_id, base.partition, name))
        data.reached = True
        return Work(Service.EC2, base.account_id, None, partial(self._plan_account, data, base.clients))

    def add_assumed(self, base: _Base, account_id: str, name: str | None, role: RoleRequest) -> Work:
        data = self.accounts.setdefault(account_id, AccountData(account_id, base.partition, name))
        return Work(Service.STS, account_id, None, partial(self._assume, data, base, role))

    def _assume(self, data: AccountData, base: _Base, role: RoleRequest) -> Done:
        role_arn = role.arn(base.partition, data.id)
        try:
            core, renewal = assumed_session(base.clients, role_arn, role, self.settings.hooks)
        except AwsFailure as error:
            code, message = failure_of(error)
            data.errors.add(ReadError(Service.STS.value, "AssumeRole", role_arn, code, message))
            return Done()
        data.reached = True
        return self._plan_account(data, Clients(core, self.settings, renewal))

    def _plan_account(self, data: AccountData, clients: Clients) -> Done:
        """Schedules every listing of one reachable account."""
        self.renewals[data.id] = clients.renewal
        home = Scope(data, clients, clients.home_region)
        regions = self.options.regions or enabled_regions(home.reader(Service.EC2), clients.home_region)
        work = [
            Work(Service.IAM, data.id, None, partial(iam.read_authorization_details, home)),
            Work(Service.IAM, data.id, None, partial(iam.read_identity_providers, home)),
            Work(Service.S3, data.id, None, partial(s3.list_buckets, home, self.options.regions)),
        ]
        for region in regions:
            scope = Scope(data, clients, region)
            work.extend(Work(service, data.id, region, partial(lister, scope))
                        for service, lister in _REGIONAL_LISTERS.items())
        return Done(more=tuple(work))

    def read_organization_work(self, base: _Base, members: list[OrgAccountEntry] | None = None) -> Work:
        self.organization_reader_account = base.account_id

        def read() -> Done:
            reader = Reader(base.clients.client("organizations"), Service.ORGANIZATIONS.value,
                            self.organization_errors, base.clients.renewal)
            self.organization = read_organization(reader, members)
            return Done()

        return Work(Service.ORGANIZATIONS, base.account_id, None, read)

    def error_count(self, account_id: str) -> int:
        data = self.accounts.get(account_id)
        return len(data.errors) if data is not None else len(self.organization_errors)

    def record_crash(self, work: Work, error: Exception) -> None:
        log = self.accounts[work.account_id].errors if work.account_id in self.accounts else self.organization_errors
        log.add(ReadError(work.service.value, "(unexpected response)", work.resource or work.region,
                          f"Unexpected{type(error).__name__}",
                          f"a response of an unexpected shape ({type(error).__name__}: {error}); "
                          f"{'this resource was' if work.resource else 'what it lists was'} not read"[:500]))

    def record_lost_credentials(self) -> None:
        """Records, once per account, credentials that expired mid-run and could not be renewed."""
        for account_id, renewal in self.renewals.items():
            lost = renewal.lost
            if lost is not None:
                self.accounts[account_id].errors.add(
                    ReadError(Service.STS.value, lost.operation, lost.resource, lost.code, lost.message))

    def account_entries(self) -> list[dict[str, Any]]:
        entries = {account_id: data.to_json() for account_id, data in sorted(self.accounts.items())}
        org_errors = [error.to_json() for error in self.organization_errors.snapshot()]
        if org_errors and entries:
            owner = self.organization_reader_account
            entries[owner if owner in entries else next(iter(entries))]["errors"].extend(org_errors)
        return list(entries.values())


def _targets(run: _Run, bases: Sequence[_Base], warnings: list[str]) -> list[Work]:
    """The first work of every account to read (and of the organization)."""
    options = run.options
    first = bases[0]
    if options.organization is None:
        work = []
        for base in bases:
            if base.account_id in run.accounts:
                warnings.append(f"account {base.account_id} is given by two profiles; read once")
            elif run.wanted(base.account_id):
                work.append(run.add_reached(base))
        return [run.read_organization_work(first), *work]
    members = list_member_accounts(Reader(first.clients.client("organizations"), Service.ORGANIZATIONS.value,
                                          run.organization_errors, first.clients.renewal))
    if members is None:
        failure = run.organization_errors.snapshot()[-1]
        hint = ("; --org needs the management account or a delegated administrator"
                if "Denied" in failure.code or "NotInUse" in failure.code else "")
        raise CollectError(f"cannot list the organization's accounts from account {first.account_id} "
                           f"({failure.code}: {failure.message}){hint}", location="organizations:ListAccounts")
    work = []
    for member in members:
        if not member.active or not run.wanted(member.id):
            continue
        if member.id == first.account_id:
            work.append(run.add_reached(first, member.name))
        else:
            work.append(run.add_assumed(first, member.id, member.name, options.organization))
    return [run.read_organization_work(first, members), *work]


_REPAIR_ROUNDS = 3
"""Setting an entry aside can only reveal problems deeper in it; three rounds reach every depth we repair."""


def _parse(document: dict[str, Any], organization_owner: str | None) -> Snapshot:
    """The snapshot of a collected document, with what AWS returned malformed set aside and recorded."""
    owners = [index for index, account in enumerate(document["accounts"]) if account["id"] == organization_owner]
    for _ in range(_REPAIR_ROUNDS):
        try:
            return parse_snapshot(document, origin="live collection")
        except SnapshotError:
            if not repair(document, owners[0] if owners else (0 if document["accounts"] else None)):
                raise
    return parse_snapshot(document, origin="live collection")


def collect(options: CollectOptions, progress: ProgressCallback | None = None) -> Collection:
    """Reads the accounts `options` name into a snapshot.

    Args:
        options: Credentials, accounts, regions and concurrency.
        progress: Told of every piece of work queued and finished (from the calling thread).

    Returns:
        The snapshot (validated), its figures, and warnings. Errors of single reads are in the
        snapshot's `errors`; an account whose role could not be assumed has only id and errors.

    Raises:
        CollectError: Nothing could be read: no usable credentials, the organization's accounts
            cannot be listed, or every account failed.
    """
    started = time.monotonic()
    config = options.config or client_config(options.workers, retry=options.retry)
    if options.endpoint_url:
        # One endpoint for everything: no "<account-id>." host prefix (s3control), which it cannot resolve.
        config = config.merge(Config(inject_host_prefix=False))
    settings = ClientSettings(config, options.endpoint_url, options.hooks, options.retry)
    identified = [_identify(profile, settings) for profile in options.profiles or (None,)]
    warnings = [f"skipped {found}" for found in identified if isinstance(found, str)]
    bases = [found for found in identified if isinstance(found, _Base)]
    if not bases:
        raise CollectError("no usable AWS credentials: " + "; ".join(str(found) for found in identified),
                           location="sts:GetCallerIdentity")
    run = _Run(options, settings)
    initial = _targets(run, bases, warnings)
    if not run.accounts:
        raise CollectError("no account to read: --accounts matches none of the accounts found", location="--accounts")
    Scheduler(options.workers, progress, run.error_count, run.record_crash, settings.stop).run(initial)
    run.record_lost_credentials()
    read = [data for data in run.accounts.values() if data.read_anything]
    if not read:
        first = next((e for data in run.accounts.values() for e in data.errors.snapshot()), None)
        reason = f" (first error: {first.service}:{first.operation} {first.code}: {first.message})" if first else ""
        raise CollectError(f"nothing could be read from {len(run.accounts)} account(s){reason}",
                           location="collect")
    document = {
        "format": FORMAT, "version": VERSION,
        "collected_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "source": "live",
        "organization": run.organization, "accounts": run.account_entries(),
    }
    snapshot = _parse(document, run.organization_reader_account)
    summary = CollectSummary(
        accounts=len(run.accounts),
        unreached_accounts=sum(1 for data in run.accounts.values() if not data.reached),
        principals=sum(data.principals for data in run.accounts.values()),
        resources=sum(data.resource_count for data in run.accounts.values()),
        errors=sum(len(account.errors) for account in snapshot.accounts),
        seconds=time.monotonic() - started,
        lost=_losses(snapshot),
    )
    return Collection(snapshot, summary, tuple(warnings))

