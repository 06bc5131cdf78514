"""The Principal element and the caller of a request.

Per the IAM Principal element reference: `"*"` and `{"AWS": "*"}` mean everyone (anonymous
included); an account id means the same as its `:root` ARN and delegates to the account; a role
ARN matches every session of that role; an assumed-role or federated-user session ARN matches that
one session; `Service`, `Federated` and `CanonicalUser` name other principal kinds; partial
wildcards are not allowed. IAM stores user and role principals as unique ids (`AIDA...`,
`AROA...`), so a policy may name a unique id directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import lru_cache
from typing import Any

from graph.errors import PolicyError

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_UNIQUE_ID = re.compile(r"^A[A-Z0-9]{3}[A-Z0-9]{12,}$")
_CANONICAL_ID = re.compile(r"^[0-9a-f]{64}$")
_IAM_ARN = re.compile(r"^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$")
_WEB_IDENTITY_HOSTS = frozenset({"cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com.cn"})
"""Web identity providers named like service principals: `{"Federated": "cognito-identity.amazonaws.com"}`
(Principal element reference) federates a Cognito identity pool; it is no AWS service calling."""


class CallerKind(StrEnum):
    """What kind of principal makes the request."""

    USER = "user"
    ROLE = "role"
    """A role given by its ARN: treated as a session of that role with an unknown session name."""
    ROLE_SESSION = "assumed-role"
    FEDERATED_USER = "federated-user"
    ROOT = "root"
    SERVICE = "service"
    FEDERATED = "federated"
    """An identity provider (SAML/OIDC provider ARN or a web-identity host)."""
    CANONICAL_USER = "canonical-user"
    ANONYMOUS = "anonymous"


class Match(IntEnum):
    """How a Principal element admits the caller; the order is the strength (§2.2 table)."""

    NONE = 0
    ACCOUNT = 1
    """Names the caller's account (id or `:root`): delegates to the account's IAM policies."""
    ROLE_ARN = 2
    """Names the role whose session calls: boundary and session policy still limit the grant."""
    DIRECT = 3
    """Names the exact user, session, service, IdP, canonical user, or `*`."""


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal of a request, parsed once."""

    text: str
    kind: CallerKind
    account: str | None
    arn: str | None
    """The caller's own ARN (user, role, session, root)."""
    principal_arn: str | None
    """The value of `aws:PrincipalArn`: for a role session, the role's ARN."""
    role_name: str | None = None
    session_name: str | None = None
    user_name: str | None = None
    partition: str = "aws"

    @property
    def is_service_linked_role(self) -> bool:
        """Service-linked roles live under `/aws-service-role/` and are named `AWSServiceRoleFor...`."""
        if self.kind not in (CallerKind.ROLE, CallerKind.ROLE_SESSION):
            return False
        return "/aws-service-role/" in (self.arn or "") or (self.role_name or "").startswith("AWSServiceRoleFor")

    @property
    def has_account(self) -> bool:
        return self.account is not None


@lru_cache(maxsize=65536)
def parse_caller(text: str) -> Caller:
    """Parse the request's principal; raises ValueError with a reason for unrecognised forms."""
    value = text.strip()
    arn_like = value.startswith("arn:")  # neither an account id nor a canonical id: skip those tests
    if not arn_like:
        if value in ("*", "anonymous"):
            return Caller(value, CallerKind.ANONYMOUS, None, None, None)
        if _ACCOUNT_ID.match(value):
            root = f"arn:aws:iam::{value}:root"
            return Caller(value, CallerKind.ROOT, value, root, root)
        if _CANONICAL_ID.match(value):
            return Caller(value, CallerKind.CANONICAL_USER, None, None, None)
    found = _IAM_ARN.match(value) if arn_like else None
    if found:
        partition, service, account, rest = found.groups()
        kind, _, name_path = rest.partition("/")
        if service == "iam" and rest == "root":
            return Caller(value, CallerKind.ROOT, account, value, value, partition=partition)
        if service == "iam" and kind == "user" and name_path:
            return Caller(value, CallerKind.USER, account, value, value, user_name=name_path.rsplit("/", 1)[-1],
                          partition=partition)
        if service == "iam" and kind == "role" and name_path:
            return Caller(value, CallerKind.ROLE, account, value, value, role_name=name_path.rsplit("/", 1)[-1],
                          partition=partition)
        if service == "iam" and kind in ("saml-provider", "oidc-provider") and name_path:
            return Caller(value, CallerKind.FEDERATED, account, value, None, partition=partition)
        if service == "sts" and kind == "assumed-role" and "/" in name_path:
            role, session = name_path.split("/", 1)
            role_arn = f"arn:{partition}:iam::{account}:role/{role}"
            return Caller(value, CallerKind.ROLE_SESSION, account, value, role_arn, role_name=role,
                          session_name=session, partition=partition)
        if service == "sts" and kind == "federated-user" and name_path:
            return Caller(value, CallerKind.FEDERATED_USER, account, value, value, user_name=name_path,
                          partition=partition)
        raise ValueError(f"unsupported principal ARN {value!r}")
    if ":" not in value and "/" not in value and "." in value:
        if value in _WEB_IDENTITY_HOSTS:
            return Caller(value, CallerKind.FEDERATED, None, None, None)
        if value.endswith((".amazonaws.com", ".amazonaws.com.cn")):
            return Caller(value, CallerKind.SERVICE, None, None, None)
        return Caller(value, CallerKind.FEDERATED, None, None, None)  # e.g. accounts.google.com
    raise ValueError(f"not a principal: {value!r} (expected an IAM/STS ARN, an account id, a service "
                     "principal or \"*\")")


def _role_ref(arn: str) -> tuple[str, str, str] | None:
    """(partition, account, role name) of a role ARN, ignoring the path (sessions drop it)."""
    found = _IAM_ARN.match(arn)
    if not found or found.group(2) != "iam":
        return None
    rest = found.group(4)
    if not rest.startswith("role/"):
        return None
    return found.group(1), found.group(3), rest.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class PrincipalSet:
    """A normalized Principal or NotPrincipal element."""

    everyone: bool = False
    accounts: frozenset[str] = frozenset()
    arns: frozenset[str] = frozenset()
    """User, role, assumed-role and federated-user ARNs (case-sensitive)."""
    role_refs: frozenset[tuple[str, str, str]] = frozenset()
    """(partition, account, role name) of every role ARN, to match sessions (which drop the path)."""
    unique_ids: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    federated: frozenset[str] = frozenset()
    canonical_users: frozenset[str] = frozenset()

    def match(self, caller: Caller, unique_id: str | None = None) -> Match:
        """How strongly this element names `caller` (see `Match`)."""
        return _match(self, caller, unique_id)

    def excepts(self, caller: Caller, unique_id: str | None = None) -> bool:
        """Whether a NotPrincipal element with these entries exempts `caller`.

        Per the NotPrincipal reference, AWS checks the account first, then the role, then the
        session (or the user), so every identity in that chain must be listed for the caller to
        be exempt.
        """
        if self.everyone:
            return True
        kind = caller.kind
        if kind is CallerKind.SERVICE:
            return caller.text.lower() in self.services
        if kind is CallerKind.FEDERATED:
            return caller.text in self.federated
        if kind is CallerKind.CANONICAL_USER:
            return caller.text in self.canonical_users
        if kind is CallerKind.ANONYMOUS or caller.account is None:
            return False
        if caller.account not in self.accounts:
            return False
        if kind is CallerKind.ROOT:
            return True
        if kind is CallerKind.ROLE_SESSION:
            role_listed = (caller.partition, caller.account, caller.role_name or "") in self.role_refs
            return role_listed and caller.text in self.arns
        listed = caller.text in self.arns or (unique_id is not None and unique_id in self.unique_ids)
        return listed


def _match(entries: PrincipalSet, caller: Caller, unique_id: str | None) -> Match:
    if entries.everyone:
        return Match.DIRECT
    kind = caller.kind
    if kind is CallerKind.SERVICE:
        return Match.DIRECT if caller.text.lower() in entries.services else Match.NONE
    if kind is CallerKind.FEDERATED:
        return Match.DIRECT if caller.text in entries.federated else Match.NONE
    if kind is CallerKind.CANONICAL_USER:
        return Match.DIRECT if caller.text in entries.canonical_users else Match.NONE
    if kind is CallerKind.ANONYMOUS:
        return Match.NONE
    if kind in (CallerKind.USER, CallerKind.FEDERATED_USER) and caller.text in entries.arns:
        return Match.DIRECT
    if kind is CallerKind.ROLE_SESSION:
        if caller.text in entries.arns:
            return Match.DIRECT
        if (caller.partition, caller.account, caller.role_name or "") in entries.role_refs:
            return Match.ROLE_ARN
    if kind is CallerKind.ROLE and caller.text in entries.arns:
        return Match.ROLE_ARN
    if unique_id is not None and unique_id in entries.unique_ids:
        return Match.ROLE_ARN if kind in (CallerKind.ROLE, CallerKind.ROLE_SESSION) else Match.DIRECT
    if caller.account is not None and caller.account in entries.accounts:
        return Match.DIRECT if kind is CallerKind.ROOT else Match.ACCOUNT
    return Match.NONE


def _strings(value: Any, location: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise PolicyError("empty principal list", location)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise PolicyError("a principal must be a non-empty string", f"{location}[{index}]"
                              if isinstance(value, list) else location)
    return [item.strip() for item in items]


def parse_principal_element(value: Any, location: str) -> PrincipalSet:
    """Normalize a Principal/NotPrincipal element; raises PolicyError on a bad shape.

    Partial wildcards (`arn:aws:iam::*:role/x`) are rejected, as IAM rejects them when a policy
    is saved (Principal element reference: use `"*"` with `aws:PrincipalArn` instead).
    """
    if value == "*":
        return PrincipalSet(everyone=True)
    if not isinstance(value, dict) or not value:
        raise PolicyError('must be "*" or an object such as {"AWS": ...}', location)
    everyone = False
    accounts: set[str] = set()
    arns: set[str] = set()
    role_refs: set[tuple[str, str, str]] = set()
    unique_ids: set[str] = set()
    services: set[str] = set()
    federated: set[str] = set()
    canonical: set[str] = set()
    for kind, entries in value.items():
        where = f"{location}.{kind}"
        names = _strings(entries, where)
        if kind == "AWS":
            for name in names:
                if name == "*":
                    everyone = True
                elif _ACCOUNT_ID.match(name):
                    accounts.add(name)
                elif _UNIQUE_ID.match(name):
                    unique_ids.add(name)
                elif "*" in name or "?" in name:
                    raise PolicyError(f"partial wildcard in principal {name!r} is not allowed", where)
                else:
                    found = _IAM_ARN.match(name)
                    if not found:
                        raise PolicyError(f"not an AWS principal: {name!r}", where)
                    if found.group(4) == "root":
                        accounts.add(found.group(3))
                        continue
                    arns.add(name)
                    ref = _role_ref(name)
                    if ref is not None:
                        role_refs.add(ref)
        elif kind == "Service":
            services.update(name.lower() for name in names)
        elif kind == "Federated":
            federated.update(names)
        elif kind == "CanonicalUser":
            canonical.update(names)
        else:
            raise PolicyError(f"unknown principal type {kind!r} (expected AWS, Service, Federated or "
                              "CanonicalUser)", where)
    return PrincipalSet(everyone, frozenset(accounts), frozenset(arns), frozenset(role_refs),
                        frozenset(unique_ids), frozenset(services), frozenset(federated), frozenset(canonical))
