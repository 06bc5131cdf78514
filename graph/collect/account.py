"""What has been read from one account so far, in the snapshot's account shape (SPEC section 3)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from graph.collect.calls import ErrorLog, Reader
from graph.collect.sessions import Clients
from graph.collect.work import Service


class AccountData:
    """One account's data, filled in by several worker threads."""

    def __init__(self, account_id: str, partition: str, name: str | None = None) -> None:
        self.id = account_id
        self.partition = partition
        self.name = name
        self.errors = ErrorLog()
        self.reached = False
        """True once credentials for the account worked (its role was assumed, or it is a profile's)."""
        self._lock = threading.Lock()
        self._resources: list[dict[str, Any]] = []
        self._authorization_details: dict[str, Any] | None = None
        self._identity_providers: list[dict[str, Any]] = []

    def add_resource(self, resource: dict[str, Any]) -> None:
        with self._lock:
            self._resources.append(resource)

    def set_authorization_details(self, details: dict[str, Any]) -> None:
        with self._lock:
            self._authorization_details = details

    def add_identity_provider(self, provider: dict[str, Any]) -> None:
        with self._lock:
            self._identity_providers.append(provider)

    @property
    def principals(self) -> int:
        """Users and roles read so far."""
        with self._lock:
            details = self._authorization_details or {}
            return len(details.get("UserDetailList", ())) + len(details.get("RoleDetailList", ()))

    @property
    def read_anything(self) -> bool:
        """True when at least IAM or one resource could be read."""
        with self._lock:
            return self._authorization_details is not None or bool(self._resources or self._identity_providers)

    @property
    def resource_count(self) -> int:
        with self._lock:
            return len(self._resources)

    def to_json(self) -> dict[str, Any]:
        """The account entry of the snapshot; an account never reached has only id, name and errors."""
        with self._lock:
            entry: dict[str, Any] = {"id": self.id, "name": self.name}
            if self.reached:
                entry["authorization_details"] = self._authorization_details or {}
                entry["identity_providers"] = sorted(self._identity_providers, key=lambda p: p["arn"])
                entry["resources"] = sorted(self._resources, key=lambda r: (r["type"], r["arn"]))
        entry["errors"] = [error.to_json() for error in self.errors.snapshot()]
        return entry


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a service collector works: one account, its clients, one region."""

    account: AccountData
    clients: Clients
    region: str

    def reader(self, service: Service, client_service: str | None = None, region: str | None = None) -> Reader:
        """A reader of `service` (boto3 name `client_service` when it differs) in `region` (else the scope's)."""
        client = self.clients.client(client_service or service.value, region or self.region)
        return Reader(client, service.value, self.account.errors, self.clients.renewal)

    def arn(self, service: str, resource: str, *, region: str | None = None, global_: bool = False) -> str:
        """An ARN of this account and partition (`global_` leaves region and account empty, as S3 does)."""
        if global_:
            return f"arn:{self.account.partition}:{service}:::{resource}"
        return f"arn:{self.account.partition}:{service}:{region or self.region}:{self.account.id}:{resource}"
