"""Request context derived from the snapshot: the condition keys a static analysis can decide.

Keys the snapshot knows (the principal's account, ARN, tags, organization, the resource's account,
organization and tags) are given values; `kms:CallerAccount` (KMS: "the AWS account of the caller",
https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html) is the principal's account. Keys that only exist when a service acts on someone's
behalf (`aws:SourceAccount`, `aws:SourceArn`, `AWS:SourceOwner`, ...) are known to be ABSENT for a
human or role caller. Everything else (`sts:ExternalId`, `aws:SourceIp`, MFA, dates, ...) is left
unknown, so an allow that depends on it becomes a conditional edge.

Principals outside our organization: their `aws:PrincipalOrgID` is either absent or another
organization's id, never ours. We encode it as known ABSENT: a positive test against our org id
(`StringEquals`, `StringLike`, `ForAnyValue:StringLike` on org paths) is then false and a negated
one is true, exactly as for a principal of any other organization.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.model import Resource, Role, Tags, User
from graph.org import OrgIndex

ContextValue = str | tuple[str, ...]

SERVICE_ACTOR_KEYS: frozenset[str] = frozenset(
    {"aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths"}
)
"""Keys present only when an AWS service makes the request on behalf of a resource owner."""

_PRINCIPAL_ORG_KEYS: frozenset[str] = frozenset({"aws:principalorgid", "aws:principalorgpaths"})


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Known values and known-absent keys of one side (principal or resource) of a request."""

    values: Mapping[str, ContextValue] = field(default_factory=dict)
    known_absent: frozenset[str] = frozenset()
    """Lower-case names of keys known to be absent from the request."""

    def merged(self, other: RequestContext) -> RequestContext:
        """Both sides' knowledge together (the principal side and the resource side)."""
        return RequestContext({**self.values, **other.values}, self.known_absent | other.known_absent)

    def as_request_context(self) -> dict[str, Any]:
        """The `context` mapping for an evaluation request (multi-valued keys as lists)."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in self.values.items()}


def _org_values(prefix: str, account_id: str, org: OrgIndex) -> tuple[dict[str, ContextValue], frozenset[str]]:
    if not org.in_org(account_id) or org.organization_id is None:
        return {}, frozenset({f"aws:{prefix.lower()}orgid", f"aws:{prefix.lower()}orgpaths"})
    values: dict[str, ContextValue] = {f"aws:{prefix}OrgID": org.organization_id}
    path = org.org_path(account_id)
    if path is not None:
        values[f"aws:{prefix}OrgPaths"] = (path,)
    return values, frozenset()


def _tag_values(prefix: str, tags: Iterable[tuple[str, str]]) -> dict[str, ContextValue]:
    return {f"aws:{prefix}Tag/{key}": value for key, value in tags}


def for_user(user: User, org: OrgIndex) -> RequestContext:
    """Context of a request signed with an IAM user's long-term credentials."""
    values, absent = _org_values("Principal", user.account_id, org)
    values.update({
        "aws:PrincipalArn": user.arn,
        "aws:PrincipalAccount": user.account_id,
        "kms:CallerAccount": user.account_id,
        "aws:PrincipalType": "User",
        "aws:PrincipalIsAWSService": "false",
        "aws:username": user.name,
        **_tag_values("Principal", user.tags),
    })
    if user.user_id:
        values["aws:userid"] = user.user_id
    return RequestContext(values, absent | SERVICE_ACTOR_KEYS)


def for_role(role: Role, org: OrgIndex) -> RequestContext:
    """Context of a request made with a session of the role (session name unknown)."""
    values, absent = _org_values("Principal", role.account_id, org)
    values.update({
        "aws:PrincipalArn": role.arn,
        "aws:PrincipalAccount": role.account_id,
        "kms:CallerAccount": role.account_id,
        "aws:PrincipalType": "AssumedRole",
        "aws:PrincipalIsAWSService": "false",
        **_tag_values("Principal", role.tags),
    })
    # aws:userid of a session is "ROLEID:session-name": the session name is not in a snapshot.
    return RequestContext(values, absent | SERVICE_ACTOR_KEYS | {"aws:username"})


def for_account(account_id: str, org: OrgIndex) -> RequestContext:
    """Context of an unknown principal of an account that was not collected (an opaque account)."""
    values, absent = _org_values("Principal", account_id, org)
    values.update({"aws:PrincipalAccount": account_id, "kms:CallerAccount": account_id,
                   "aws:PrincipalIsAWSService": "false"})
    return RequestContext(values, absent | SERVICE_ACTOR_KEYS)


def for_public() -> RequestContext:
    """Context of "anyone": nothing about the caller is known, but it calls for itself."""
    return RequestContext({}, SERVICE_ACTOR_KEYS)


def for_service(service: str) -> RequestContext:
    """Context of a service principal: the Source* keys depend on the integration (unknown)."""
    return RequestContext({"aws:PrincipalIsAWSService": "true", "aws:PrincipalServiceName": service},
                          _PRINCIPAL_ORG_KEYS)


def for_federated() -> RequestContext:
    """Context of a federated (SAML / OIDC) caller: only the token's claims, unknown here."""
    return RequestContext({"aws:PrincipalIsAWSService": "false"}, SERVICE_ACTOR_KEYS | _PRINCIPAL_ORG_KEYS)


def resource_tags(resource: Resource) -> Tags:
    """Tags from a resource's properties (`Tags` as a list of Key/Value or as a mapping)."""
    raw = resource.properties.get("Tags")
    if isinstance(raw, dict):
        return tuple(sorted((str(k), str(v)) for k, v in raw.items()))
    if isinstance(raw, list):
        pairs = [(str(t.get("Key", t.get("key"))), str(t.get("Value", t.get("value", ""))))
                 for t in raw if isinstance(t, dict) and ("Key" in t or "key" in t)]
        return tuple(sorted(pairs))
    return ()


def for_resource(resource_account: str, org: OrgIndex, tags: Tags = ()) -> RequestContext:
    """Context keys of the resource side: its account, organization and tags."""
    values, absent = _org_values("Resource", resource_account, org)
    values["aws:ResourceAccount"] = resource_account
    values.update(_tag_values("Resource", tags))
    return RequestContext(values, absent)


def for_role_as_resource(role: Role, org: OrgIndex) -> RequestContext:
    """Resource-side keys of a role being assumed (its tags are `aws:ResourceTag/*`)."""
    return for_resource(role.account_id, org, role.tags)
