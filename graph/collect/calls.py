"""One AWS read, and what its failure means for the snapshot.

Every call the collector makes goes through `Reader.call` or `Reader.pages`, which turn the ways
a read can go wrong into an `Outcome` instead of an exception, so one denied or deleted resource
never stops a run:

- `ABSENT`: the thing asked about does not exist (no bucket policy, no function URL); that is a
  fact, not an error, and nothing is recorded.
- `GONE`: the resource was deleted between listing it and reading it; it is left out quietly.
- `FAILED`: anything else (AccessDenied, an opt-in region, a timeout, throttling that outlasted
  the retries, an answer botocore cannot parse); recorded in the account's `errors` with service,
  operation, resource and code.

Throttling and timeouts are retried inside botocore (`retries`) before a read fails. An expired
session (`ExpiredToken`) is renewed through the account's `Renewal` and the read made once more;
when it cannot be renewed, this read and every later read of the account fail at once, each
recorded, without calling AWS.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

if TYPE_CHECKING:
    from graph.collect.renewal import Renewal

_MESSAGE_LIMIT = 500
AwsFailure = (ClientError, BotoCoreError, ResponseParserError)
"""What a botocore call raises when AWS refuses, fails or answers garbage (`ResponseParserError` is neither)."""
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException"})
"""What AWS answers to a request signed with an expired session token (query/XML and JSON protocols)."""


class Outcome(Enum):
    """How one read ended."""

    OK = "ok"
    ABSENT = "absent"
    GONE = "gone"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Reply:
    """The result of one read: the response (without `ResponseMetadata`) when `outcome` is OK."""

    outcome: Outcome
    operation: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


@dataclass(frozen=True, slots=True)
class ReadError:
    """Something that could not be read, in the snapshot's `errors` shape (SPEC section 3)."""

    service: str
    operation: str
    resource: str | None
    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service, "operation": self.operation, "resource": self.resource,
                "code": self.code, "message": self.message}


class ErrorLog:
    """The errors of one account, appended to from several worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: list[ReadError] = []

    def add(self, error: ReadError) -> None:
        with self._lock:
            self._errors.append(error)

    def snapshot(self) -> tuple[ReadError, ...]:
        """The errors recorded so far, in the order they happened."""
        with self._lock:
            return tuple(self._errors)

    def __len__(self) -> int:
        with self._lock:
            return len(self._errors)


def jsonable(value: Any) -> Any:
    """A copy of a boto3 response with datetimes as ISO 8601 text and bytes left out."""
    if isinstance(value, dict):
        return {key: jsonable(inner) for key, inner in value.items()
                if key != "ResponseMetadata" and not isinstance(inner, bytes | bytearray)}
    if isinstance(value, list | tuple):
        return [jsonable(inner) for inner in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def failure_of(error: ClientError | BotoCoreError | ResponseParserError) -> tuple[str, str]:
    """The (code, message) of a failed call: AWS's error code, or the botocore error's class name."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = str(details.get("Code") or "ClientError")
        message = str(details.get("Message") or error)
    else:
        code, message = type(error).__name__, str(error)
    return code, message[:_MESSAGE_LIMIT]


@dataclass(frozen=True, slots=True)
class Reader:
    """Reads one service of one account, recording what fails in that account's `ErrorLog`."""

    client: Any
    """A boto3 client."""
    service: str
    """The name recorded in errors (`s3`, `kms`, ...)."""
    errors: ErrorLog
    renewal: Renewal | None = None
    """The account's credential renewal (None: an expired session is recorded like any failure)."""

    def call(self, operation: str, resource: str | None = None, *, absent: Collection[str] = (),
             gone: Collection[str] = (), **params: Any) -> Reply:
        """Calls one operation.

        Args:
            operation: The API operation name, as AWS spells it (`GetBucketPolicy`).
            resource: What the call is about (ARN or name), for the error record.
            absent: Error codes that mean "there is none" (not an error).
            gone: Error codes that mean "the resource no longer exists" (skipped, not an error).
            **params: The operation's parameters.

        Returns:
            The reply; FAILED ones are already recorded.
        """
        method = getattr(self.client, xform_name(operation))
        return self._read(operation, resource, absent, gone, lambda: method(**params))

    def pages(self, operation: str, resource: str | None = None, *, absent: Collection[str] = (),
              gone: Collection[str] = (), **params: Any) -> Reply:
        """Calls a paged operation through its boto3 paginator and merges every page.

        The list fields of the pages are concatenated (`build_full_result`), so the reply has the
        shape of a single, complete response. Arguments are those of `call`.
        """
        paginator = self.client.get_paginator(xform_name(operation))
        return self._read(operation, resource, absent, gone, lambda: paginator.paginate(**params).build_full_result())

    def _read(self, operation: str, resource: str | None, absent: Collection[str], gone: Collection[str],
              request: Callable[[], dict[str, Any]]) -> Reply:
        renewal = self.renewal
        if renewal is not None and (lost := renewal.lost) is not None:
            self.errors.add(ReadError(self.service, operation, resource, lost.code,
                                      f"not read: {lost.message}"[:_MESSAGE_LIMIT]))
            return Reply(Outcome.FAILED, operation)
        seen = renewal.generation if renewal is not None else 0
        try:
            return Reply(Outcome.OK, operation, jsonable(request()))
        except AwsFailure as error:
            if not self._renewed(error, operation, seen):
                return self._failed(error, operation, resource, absent, gone)
        try:  # once more, with the renewed credentials
            return Reply(Outcome.OK, operation, jsonable(request()))
        except AwsFailure as error:
            self._renewed(error, operation, None)
            return self._failed(error, operation, resource, absent, gone)

    def _renewed(self, error: ClientError | BotoCoreError | ResponseParserError, operation: str,
                 seen: int | None) -> bool:
        """True when `error` said the session expired and it was renewed (`seen` None: do not renew again)."""
        renewal = self.renewal
        if renewal is None:
            return False
        if isinstance(error, ClientError) and operation != "AssumeRole" and error.operation_name == "AssumeRole":
            renewal.give_up(error)  # botocore's own refresh of the role's credentials failed while signing
            return False
        code, _ = failure_of(error)
        return seen is not None and code in EXPIRED_CODES and renewal.renew(seen, code)

    def _failed(self, error: ClientError | BotoCoreError | ResponseParserError, operation: str,
                resource: str | None, absent: Collection[str], gone: Collection[str]) -> Reply:
        code, message = failure_of(error)
        if code in absent:
            return Reply(Outcome.ABSENT, operation)
        if code in gone:
            return Reply(Outcome.GONE, operation)
        self.errors.add(ReadError(self.service, operation, resource, code, message))
        return Reply(Outcome.FAILED, operation)
