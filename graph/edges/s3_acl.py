"""`s3-acl` edges: a bucket ACL grants an account, everyone, or every AWS account access to the bucket.

Rules (Amazon S3 User Guide, "Access control list (ACL) overview" and its "Mapping of ACL
permissions and access policy permissions"; "How Amazon S3 authorizes a request"):
- Bucket ACL permissions: READ lists the bucket (s3:ListBucket, s3:ListBucketVersions,
  s3:ListBucketMultipartUploads); WRITE creates objects (s3:PutObject); READ_ACP reads the ACL
  (s3:GetBucketAcl); WRITE_ACP writes it (s3:PutBucketAcl); FULL_CONTROL is all four. A bucket
  ACL never grants reading objects: object ACLs do, and they are not collected (out of scope).
- Grantees: a canonical user id stands for an AWS account (its principals whose own policies allow
  the action, as when a policy names the account); the AllUsers group is anyone, anonymous
  included; AuthenticatedUsers is any principal of ANY AWS account (both go to the public node
  `"*"`; `granted_by` says which group); LogDelivery is S3 server access logging
  (`logging.s3.amazonaws.com`).
- An account's canonical id is learnt from the `Owner` of its buckets' ACLs; an id no collected
  bucket owner has becomes an opaque account node `canonical-user:<id>` (in_dataset false).
- The bucket owner's own grant (the default FULL_CONTROL) is skipped: the owner account's
  principals still need their IAM policies, which already give them identity-policy edges.
- ACLs are ignored when Object Ownership is BucketOwnerEnforced; public grants (AllUsers,
  AuthenticatedUsers) when Block Public Access IgnorePublicAcls is on (`graph.edges.public_access`).
- Each grant is evaluated as a bucket-policy statement (`graph.edges.grant_policy`): across
  accounts the caller's identity side must allow; the bucket policy's Denies, SCPs and RCPs apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graph.context import SERVICE_ACTOR_KEYS, RequestContext
from graph.edges.common import (
    ALLOW_ALL,
    ActionGroup,
    Caller,
    EdgeKind,
    EdgeSpec,
    Grant,
    NodeKind,
    PolicyKind,
    load_policy,
)
from graph.edges.grant_policy import GrantStatement, deny_statements, grant_edges, grant_target
from graph.edges.principals import PrincipalIndex, public_caller, service_caller
from graph.edges.public_access import bucket_access, public_acls_honoured
from graph.edges.resources import resource_target
from graph.model import Resource, ResourceType, Snapshot
from graph.policy import actions as catalogue

_CANONICAL_ID = re.compile(r"[0-9a-f]{64}")

ACL = "bucket-acl"
"""`granted_by` policy label of an ACL entry (`statement` is its index in `Grants`, `sid` grantee and permission)."""
CANONICAL_PREFIX = "canonical-user:"
"""Node id prefix of an account known only by its canonical user id."""
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
LOG_DELIVERY_SERVICE = "logging.s3.amazonaws.com"
PUBLIC_GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS})

_READ = ("s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions")
_WRITE = ("s3:PutObject",)
_READ_ACP = ("s3:GetBucketAcl",)
_WRITE_ACP = ("s3:PutBucketAcl",)
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "READ": _READ, "WRITE": _WRITE, "READ_ACP": _READ_ACP, "WRITE_ACP": _WRITE_ACP,
    "FULL_CONTROL": _READ + _WRITE + _READ_ACP + _WRITE_ACP,
}
_NAMES = tuple(sorted(set(PERMISSIONS["FULL_CONTROL"])))
_OBJECT_MASK = sum(1 << bit for bit, name in enumerate(_NAMES) if catalogue.object_level(name))
_BUCKET_MASK = ((1 << len(_NAMES)) - 1) & ~_OBJECT_MASK


def canonical_accounts(snapshot: Snapshot) -> dict[str, str]:
    """Canonical user id -> account id, from the owners of the collected buckets' ACLs."""
    found: dict[str, str] = {}
    for account in snapshot.accounts:
        for resource in account.resources:
            owner = _owner_id(resource)
            if owner is not None:
                found.setdefault(owner, account.id)
    return found


def _acl(resource: Resource) -> dict[str, Any] | None:
    if resource.type != ResourceType.S3_BUCKET:
        return None
    acl = resource.properties.get("acl")
    return acl if isinstance(acl, dict) else None


def _owner_id(resource: Resource) -> str | None:
    acl = _acl(resource)
    owner = acl.get("Owner") if acl else None
    value = owner.get("ID") if isinstance(owner, dict) else None
    return value if isinstance(value, str) and value else None


def edges(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str]) -> Iterator[EdgeSpec]:
    """Every `s3-acl` edge of the snapshot's buckets."""
    accounts = canonical_accounts(snapshot)
    for account in snapshot.accounts:
        for bucket in account.resources:
            acl = _acl(bucket)
            if acl is None or not isinstance(acl.get("Grants"), list) or not acl["Grants"]:
                continue
            access = bucket_access(bucket)
            if access.acls_disabled:
                continue
            yield from _bucket_edges(bucket, acl["Grants"], not public_acls_honoured(access), accounts,
                                     principals, warnings)


def _bucket_edges(bucket: Resource, entries: list[Any], ignore_public: bool, accounts: dict[str, str],
                  principals: PrincipalIndex, warnings: list[str]) -> Iterator[EdgeSpec]:
    owner = _owner_id(bucket)
    by_grantee: dict[str, tuple[dict[str, Any], list[Caller], list[GrantStatement]]] = {}
    for index, entry in enumerate(entries):
        where = f"{bucket.arn} ACL grant {index}"
        grantee = entry.get("Grantee") if isinstance(entry, dict) else None
        actions = PERMISSIONS.get(str(entry.get("Permission"))) if isinstance(entry, dict) else None
        if not isinstance(grantee, dict) or actions is None:
            warnings.append(f"{where}: not a GetBucketAcl grant (Grantee and a known Permission needed); skipped")
            continue
        uri = grantee.get("URI")
        if uri in PUBLIC_GROUPS and ignore_public:
            continue
        canonical = grantee.get("ID")
        if canonical is not None and canonical == owner:
            continue
        found = _grantee(grantee, bucket, accounts, principals, warnings, where)
        if found is None:
            continue
        key, element, callers, label = found
        statement = {"Effect": "Allow", "Principal": element, "Action": list(actions),
                     "Resource": [bucket.arn, f"{bucket.arn}/*"]}
        slot = by_grantee.setdefault(key, (element, callers, []))
        slot[2].append(GrantStatement(statement, Grant(ACL, index, f"{label} {entry['Permission']}", bucket.arn)))
    if not by_grantee:
        return
    base = resource_target(bucket, principals)
    denies = deny_statements(bucket.policy)
    groups = [ActionGroup(_NAMES, bucket.arn, _BUCKET_MASK), ActionGroup(_NAMES, f"{bucket.arn}/*", _OBJECT_MASK)]
    for key, (_, callers, statements) in by_grantee.items():
        target = grant_target(base, statements, denies, f"{bucket.arn} ACL ({key})", PolicyKind.GENERIC)
        for caller in callers:
            yield from grant_edges(caller, target, groups, statements, EdgeKind.S3_ACL)


Found = tuple[str, Any, list[Caller], str]
"""(grantee key, Principal element, callers, words for `granted_by`)."""


def _grantee(grantee: dict[str, Any], bucket: Resource, accounts: dict[str, str], principals: PrincipalIndex,
             warnings: list[str], where: str) -> Found | None:
    uri = grantee.get("URI")
    if uri == ALL_USERS:
        return "AllUsers", "*", [public_caller()], "AllUsers (anyone)"
    if uri == AUTHENTICATED_USERS:
        return "AuthenticatedUsers", "*", [public_caller()], "AuthenticatedUsers (any AWS account)"
    if uri == LOG_DELIVERY:
        return ("LogDelivery", {"Service": LOG_DELIVERY_SERVICE}, [service_caller(LOG_DELIVERY_SERVICE)],
                "LogDelivery (S3 server access logging)")
    canonical = grantee.get("ID")
    if isinstance(canonical, str) and _CANONICAL_ID.fullmatch(canonical):
        account = accounts.get(canonical)
        if account is not None:
            callers = principals.candidates(account, "s3", bucket.arn, with_children=True)
            return canonical, {"AWS": f"arn:aws:iam::{account}:root"}, callers, f"account {account}"
        return canonical, {"CanonicalUser": canonical}, [canonical_caller(canonical)], f"canonical user {canonical}"
    warnings.append(f"{where}: grantee {grantee.get('URI') or grantee.get('EmailAddress') or grantee!r} "
                    "is not modelled (email grantees, unknown groups, malformed canonical ids); no edge for it")
    return None


def canonical_caller(canonical_id: str) -> Caller:
    """An account known only by its canonical id: it stands for every principal in it, nothing else known."""
    return Caller(f"{CANONICAL_PREFIX}{canonical_id}", NodeKind.ACCOUNT, canonical_id, None,
                  (load_policy(ALLOW_ALL, "any identity policy of the account"),), None, None,
                  RequestContext({}, SERVICE_ACTOR_KEYS), in_dataset=False)
