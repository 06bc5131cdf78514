"""AWS failures injected through botocore event hooks, answered in each service's own wire protocol.

A `before-send` handler that returns an `AWSResponse` replaces the HTTP exchange, so botocore's
parser, retry handler and adaptive rate limiter see exactly what AWS would have sent; raising a
botocore HTTP error (`ReadTimeoutError`) there is seen as the network failing. Each attempt of a
call carries the `amz-sdk-invocation-id` and `amz-sdk-request: attempt=N; max=M` headers botocore
adds, which is how these handlers tell the attempts of one call apart.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from moto.core.botocore_stubber import MockRawResponse

# Wire protocol of each service the collector calls (botocore's service models, `metadata.protocol`).
_PROTOCOL = {"kms": "json", "organizations": "json", "secrets-manager": "json", "ecr": "json", "sqs": "json",
             "lambda": "rest-json", "iam": "query", "sts": "query", "sns": "query", "ec2": "ec2",
             "s3": "rest-xml", "s3-control": "rest-xml"}
_JSON_CODE = {"lambda": "TooManyRequestsException"}
_XML_CODE = {"ec2": "RequestLimitExceeded", "s3": "SlowDown", "s3-control": "SlowDown"}


def service_of(event_name: str) -> str:
    """`before-send.secrets-manager.ListSecrets` -> `secrets-manager`."""
    return event_name.split(".")[1]


def throttling_code(service: str) -> str:
    """The throttling error code `service` answers with (the one botocore retries and we record)."""
    protocol = _PROTOCOL[service]
    if protocol in ("json", "rest-json"):
        return _JSON_CODE.get(service, "ThrottlingException")
    return _XML_CODE.get(service, "Throttling")


def throttled(request: Any, service: str) -> AWSResponse:
    """A throttling answer of `service` to `request`, in its protocol."""
    code = throttling_code(service)
    protocol = _PROTOCOL[service]
    if protocol == "json":
        return _response(request, 400, "application/x-amz-json-1.1",
                         f'{{"__type": "{code}", "message": "Rate exceeded"}}')
    if protocol == "rest-json":
        return _response(request, 429, "application/json", '{"Type": "User", "message": "Rate exceeded"}',
                         {"x-amzn-ErrorType": code})
    if protocol == "ec2":
        return _response(request, 503, "text/xml", f"<Response><Errors><Error><Code>{code}</Code><Message>"
                         "Request limit exceeded.</Message></Error></Errors><RequestID>r</RequestID></Response>")
    if protocol == "rest-xml":
        return _response(request, 503, "application/xml",
                         f"<Error><Code>{code}</Code><Message>Please reduce your request rate.</Message></Error>")
    return _response(request, 400, "text/xml", f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
                     "<Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>")


def _response(request: Any, status: int, content_type: str, body: str,
              headers: dict[str, str] | None = None) -> AWSResponse:
    return AWSResponse(request.url, status, {"Content-Type": content_type, **(headers or {})},
                       MockRawResponse(body.encode()))


_ATTEMPT = re.compile(r"attempt=(\d+)")


def _header(request: Any, name: str) -> str:
    value = request.headers.get(name, "")
    return value.decode() if isinstance(value, bytes) else str(value)


def attempt_of(request: Any) -> tuple[str, int]:
    """(invocation id, attempt number from 1) of one HTTP attempt of a call."""
    invocation, found = _header(request, "amz-sdk-invocation-id"), _ATTEMPT.search(_header(request, "amz-sdk-request"))
    if not invocation or found is None:
        raise AssertionError(f"botocore no longer sends its retry headers: {dict(request.headers)}")
    return invocation, int(found[1])


@dataclass
class Storm:
    """Throttles the first `throttles` attempts of every call of `services` (every service when empty)."""

    throttles: int
    services: frozenset[str] = frozenset()
    operations: frozenset[str] = frozenset()
    """Only these operations (every operation when empty)."""
    attempts: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    """(service.operation, invocation id) -> the monotonic time of each attempt."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def before_send(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        service, operation = service_of(event_name), event_name.split(".")[2]
        if (self.services and service not in self.services) or (self.operations and operation not in self.operations):
            return None
        invocation, attempt = attempt_of(request)
        with self.lock:
            self.attempts[(f"{service}.{operation}", invocation)].append(time.monotonic())
        return throttled(request, service) if attempt <= self.throttles else None

    def calls(self, operation: str) -> list[list[float]]:
        """The attempt times of each call of `service.operation`."""
        with self.lock:
            return [times for (name, _), times in self.attempts.items() if name == operation]


_ACCESS_KEY = re.compile(r"Credential=([A-Z0-9]+)/")
_JSON_PROTOCOLS = ("json", "rest-json")


def expired_code(service: str) -> str:
    """What `service` answers to an expired session token: `ExpiredTokenException` (JSON) or `ExpiredToken`."""
    return "ExpiredTokenException" if _PROTOCOL[service] in _JSON_PROTOCOLS else "ExpiredToken"


@dataclass
class Expiry:
    """The first session of one account expires after `after` of its calls; AWS then rejects it as expired.

    AssumeRole answers are watched to know which access key belongs to which account, and which
    secrets were handed out (none may reach the snapshot). With `deny_renewal`, assuming the role
    of that account again after its session expired is denied.
    """

    account: str
    after: int
    counted: frozenset[str] = frozenset()
    """Only calls of these services (`sqs`, ...) count towards `after` (all when empty)."""
    deny_renewal: bool = False
    keys: dict[str, str] = field(default_factory=dict)
    """Access key id -> account."""
    secrets: set[str] = field(default_factory=set)
    expired: set[str] = field(default_factory=set)
    calls: int = 0
    rejected: int = 0
    assumed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def role_asked(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["xpath_test_role"] = params["RoleArn"]
        with self.lock:
            renewing = bool(self.expired) and f":{self.account}:" in params["RoleArn"]
        if renewing and self.deny_renewal:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "injected: the role's trust changed"}},
                              "AssumeRole")

    def role_assumed(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        credentials = parsed.get("Credentials")
        if not credentials:
            return
        account = context["xpath_test_role"].split(":")[4]
        with self.lock:
            self.keys[credentials["AccessKeyId"]] = account
            self.secrets |= {credentials["SecretAccessKey"], credentials["SessionToken"]}
            self.assumed[account] += 1

    def before_send(self, request: Any, event_name: str, **_: Any) -> None:
        found = _ACCESS_KEY.search(_header(request, "Authorization"))
        if found is None or self.keys.get(found[1]) != self.account:
            return
        key = found[1]
        with self.lock:
            if key not in self.expired:
                if self.expired:
                    return  # a renewed session: only the first one expires
                if self.counted and service_of(event_name) not in self.counted:
                    return
                self.calls += 1
                if self.calls <= self.after:
                    return
                self.expired.add(key)
            self.rejected += 1
        code = expired_code(service_of(event_name))
        raise ClientError({"Error": {"Code": code, "Message": "The security token included in the request is expired"}},
                          event_name.split(".")[2])

    def hooks(self) -> tuple[tuple[str, Any], ...]:
        return (("provide-client-params.sts.AssumeRole", self.role_asked),
                ("after-call.sts.AssumeRole", self.role_assumed),
                ("before-send", self.before_send))
