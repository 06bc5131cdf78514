"""Credentials and clients: the default boto3 chain, named profiles, and roles assumed per account.

A profile (including an IAM Identity Center / SSO profile) is one account, resolved by boto3 itself.
With `--org`, the collector assumes a role in each member account; those credentials refresh
themselves by assuming the role again when they near expiry, so a long run never stalls on expired
tokens; when AWS rejects one as expired before its time, its `Renewal` assumes the role again at
once (`renewal`). Every session shares one data loader (service models are read from disk once per process), and every
session gets the caller's event hooks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, RefreshableCredentials
from botocore.loaders import Loader, create_loader

from graph.collect import retries
from graph.collect.renewal import Renewal
from graph.collect.retries import RetryPolicy

DEFAULT_REGION = "us-east-1"

Hook = tuple[str, Callable[..., Any]]
"""A botocore event name (`before-call`, `before-send.s3`, ...) and its handler."""


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """How every client is built."""

    config: Config
    endpoint_url: str | None = None
    hooks: tuple[Hook, ...] = ()
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    stop: threading.Event = field(default_factory=threading.Event)
    """Set when the run is abandoned (Ctrl-C): every client refuses to send anything more."""


class RunStopped(Exception):
    """Raised in a worker thread by its next AWS request once the run is abandoned (ends the work quickly)."""


def _refuse_when_stopped(stop: threading.Event) -> Callable[..., None]:
    def before_send(**_: Any) -> None:
        if stop.is_set():
            raise RunStopped("the collection was interrupted")
    return before_send


def client_config(workers: int, *, connect_timeout: float = 10, read_timeout: float = 30,
                  retry: RetryPolicy | None = None) -> Config:
    """The botocore configuration of every client: retries (adaptive by default) and timeouts."""
    retry = retry or RetryPolicy()
    return Config(retries={"mode": retry.mode.value, "total_max_attempts": retry.attempts},
                  connect_timeout=connect_timeout, read_timeout=read_timeout, max_pool_connections=max(10, workers))


class Clients:
    """The clients of one session, made once per (service, region) and shared by worker threads.

    boto3 sessions are not thread-safe, clients are; so clients are created under a lock.
    """

    def __init__(self, core: botocore.session.Session, settings: ClientSettings, renewal: Renewal) -> None:
        self.core = core
        self.renewal = renewal
        self.session = boto3.Session(botocore_session=core)
        self._settings = settings
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], Any] = {}

    @property
    def home_region(self) -> str:
        """The session's own region, else us-east-1."""
        return self.session.region_name or DEFAULT_REGION

    def client(self, service: str, region: str | None = None) -> Any:
        """The client of `service` in `region` (the home region when None)."""
        key = (service, region or self.home_region)
        with self._lock:
            found = self._cache.get(key)
            if found is None:
                found = self.session.client(service, region_name=key[1], config=self._settings.config,
                                            endpoint_url=self._settings.endpoint_url)
                if self._settings.endpoint_url and service == "s3control":
                    found.meta.events.register("before-sign.s3-control", _without_account_host)
                retries.install(found, self._settings.retry)
                # Before each attempt, retries included: an abandoned run's workers stop at their next request.
                found.meta.events.register_first("before-send", _refuse_when_stopped(self._settings.stop))
                self._cache[key] = found
            return found


_loader_lock = threading.Lock()
_shared_loader: Loader | None = None


def _loader() -> Loader:
    """One botocore data loader for the process: service models are parsed once, not per session."""
    global _shared_loader
    with _loader_lock:
        if _shared_loader is None:
            _shared_loader = create_loader()
        return _shared_loader


def _new_core(profile: str | None = None) -> botocore.session.Session:
    core = botocore.session.Session(profile=profile)
    core.register_component("data_loader", _loader())
    return core


def _without_account_host(request: Any, **_: Any) -> None:
    """Drops the `<account-id>.` that S3 Control's endpoint rules put before any host, custom ones included.

    Only with `--endpoint-url`: a local emulator has one host name, not one per account.
    """
    parts = urlsplit(request.url)
    first, _, rest = parts.netloc.partition(".")
    if len(first) == 12 and first.isdigit() and rest:
        request.url = urlunsplit(parts._replace(netloc=rest))


def _with_hooks(botocore_session: botocore.session.Session, hooks: Sequence[Hook]) -> None:
    events = botocore_session.get_component("event_emitter")
    for event, handler in hooks:
        # First, so that a hook that answers a request itself runs before any other responder.
        events.register_first(event, handler)


def profile_session(profile: str | None, hooks: Sequence[Hook] = ()) -> botocore.session.Session:
    """A session of a named profile, or of the default credential chain when `profile` is None.

    Raises:
        botocore.exceptions.ProfileNotFound: The profile does not exist.
    """
    core = _new_core(profile)
    _with_hooks(core, hooks)
    return core


class _RenewableCredentials(RefreshableCredentials):
    """Assumed-role credentials that botocore refreshes before they expire, and that can be renewed at once.

    botocore refreshes only when the expiry time nears; `renew` also refreshes when AWS has already
    rejected the session (`refresh_needed` is botocore's hook for both).
    """

    _rejected = False

    def refresh_needed(self, refresh_in: int | None = None) -> bool:
        return self._rejected or super().refresh_needed(refresh_in)

    def accepted(self) -> None:
        """Called with each fresh set of credentials."""
        self._rejected = False

    def renew(self) -> None:
        """Assumes the role again now (under botocore's refresh lock).

        Raises:
            botocore.exceptions.ClientError: The role cannot be assumed any more.
            botocore.exceptions.BotoCoreError: STS could not be reached.
        """
        self._rejected = True
        self.get_frozen_credentials()


class _FixedProvider(CredentialProvider):
    """Gives the credentials of an assumed role, ahead of every other provider of the chain."""

    METHOD = "xpath-assume-role"
    CANONICAL_NAME = "xpath-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


@dataclass(frozen=True, slots=True)
class RoleRequest:
    """The role to assume in each account (`--org --role-name`)."""

    role_name: str
    external_id: str | None = None
    session_name: str = "xpath-tui-collect"

    def arn(self, partition: str, account_id: str) -> str:
        return f"arn:{partition}:iam::{account_id}:role/{self.role_name}"


def assumed_session(base: Clients, role_arn: str, request: RoleRequest,
                    hooks: Sequence[Hook]) -> tuple[botocore.session.Session, Renewal]:
    """A session with the credentials of `role_arn`, assumed from `base`, refreshed before they expire.

    Returns:
        The session, and its `Renewal` (assumes the role again when AWS says the session expired).

    Raises:
        botocore.exceptions.ClientError: The role cannot be assumed (AccessDenied, no such role, ...).
        botocore.exceptions.BotoCoreError: STS could not be reached.
    """
    sts = base.client("sts")
    params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": request.session_name}
    if request.external_id:
        params["ExternalId"] = request.external_id
    holder: list[_RenewableCredentials] = []

    def fetch() -> dict[str, str]:
        credentials = sts.assume_role(**params)["Credentials"]
        for renewable in holder:
            renewable.accepted()
        return {"access_key": credentials["AccessKeyId"], "secret_key": credentials["SecretAccessKey"],
                "token": credentials["SessionToken"], "expiry_time": credentials["Expiration"].isoformat()}

    renewable = _RenewableCredentials.create_from_metadata(fetch(), refresh_using=fetch,
                                                           method=_FixedProvider.METHOD)
    holder.append(renewable)
    core = _new_core()
    core.get_component("credential_provider").insert_before("env", _FixedProvider(renewable))
    core.set_config_variable("region", base.home_region)
    _with_hooks(core, hooks)
    return core, Renewal(role_arn, renewable.renew)
