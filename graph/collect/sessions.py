"""Credentials and clients: the default boto3 chain, named profiles, and roles assumed per account.

A profile (including an IAM Identity Center / SSO profile) is one account, resolved by boto3 itself.
With `--org`, the collector assumes a role in each member account; those credentials refresh
themselves by assuming the role again when they near expiry, so a long run never stalls on expired
tokens. Every session shares one data loader (service models are read from disk once per
process), and every session gets the caller's event hooks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, RefreshableCredentials
from botocore.loaders import Loader, create_loader

DEFAULT_REGION = "us-east-1"

Hook = tuple[str, Callable[..., Any]]
"""A botocore event name (`before-call`, `before-send.s3`, ...) and its handler."""


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """How every client is built."""

    config: Config
    endpoint_url: str | None = None
    hooks: tuple[Hook, ...] = ()


def client_config(workers: int, *, connect_timeout: float = 10, read_timeout: float = 30,
                  max_attempts: int = 10) -> Config:
    """The botocore configuration of every client: adaptive retries (throttling back-off) and timeouts."""
    return Config(retries={"mode": "adaptive", "max_attempts": max_attempts}, connect_timeout=connect_timeout,
                  read_timeout=read_timeout, max_pool_connections=max(10, workers))


class Clients:
    """The clients of one session, made once per (service, region) and shared by worker threads.

    boto3 sessions are not thread-safe, clients are; so clients are created under a lock.
    """

    def __init__(self, core: botocore.session.Session, settings: ClientSettings) -> None:
        self.core = core
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
                    hooks: Sequence[Hook]) -> botocore.session.Session:
    """A session with the credentials of `role_arn`, assumed from `base`, refreshed before they expire.

    Raises:
        botocore.exceptions.ClientError: The role cannot be assumed (AccessDenied, no such role, ...).
        botocore.exceptions.BotoCoreError: STS could not be reached.
    """
    sts = base.client("sts")
    params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": request.session_name}
    if request.external_id:
        params["ExternalId"] = request.external_id

    def fetch() -> dict[str, str]:
        credentials = sts.assume_role(**params)["Credentials"]
        return {"access_key": credentials["AccessKeyId"], "secret_key": credentials["SecretAccessKey"],
                "token": credentials["SessionToken"], "expiry_time": credentials["Expiration"].isoformat()}

    refreshable = RefreshableCredentials.create_from_metadata(fetch(), refresh_using=fetch,
                                                              method=_FixedProvider.METHOD)
    core = _new_core()
    core.get_component("credential_provider").insert_before("env", _FixedProvider(refreshable))
    core.set_config_variable("region", base.home_region)
    _with_hooks(core, hooks)
    return core
