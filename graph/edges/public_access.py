"""S3 Object Ownership and Block Public Access: which bucket ACL grants and policy grants S3 honours.

Rules (AWS S3 User Guide, "Controlling ownership of objects and disabling ACLs" and "Blocking
public access to your Amazon S3 storage"; API reference `PublicAccessBlockConfiguration`):
- Object Ownership `BucketOwnerEnforced` disables ACLs: no ACL grant has any effect.
- `IgnorePublicAcls` (bucket or account level) makes S3 ignore ACL grants to the AllUsers and
  AuthenticatedUsers groups. `BlockPublicAcls` and `BlockPublicPolicy` only refuse NEW public ACLs
  and policies; existing ones keep working, so they change no edge.
- `RestrictPublicBuckets` (bucket or account level): when the bucket policy is public, only AWS
  service principals and principals of the bucket owner's account keep the access the policy
  gives; public AND cross-account grants of that policy (even to a named account) are ignored.
- A policy is public unless every Allow statement that names `"*"` (or uses NotPrincipal) is
  pinned by a fixed value of one of the keys AWS lists, or grants none of the "bad actions".
  When unsure we call a policy NOT public, so `RestrictPublicBuckets` never removes an edge that
  AWS would keep (a wrong "nobody can reach it" is the worst answer).

Properties read (docs/snapshot.md): `object_ownership` (or `ObjectOwnership`, or
`ownership_controls` as GetBucketOwnershipControls returns it), and the PublicAccessBlockConfiguration
objects `public_access_block` (or `PublicAccessBlock`, `BlockPublicAccess`) and
`account_public_access_block`. A setting that could not be read counts as off. The `s3-acl` edges and
the XPT-S3-001 finding both decide through `public_acls_honoured`, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import json
from functools import lru_cache
from typing import Any

from graph.edges.common import Caller, NodeKind
from graph.edges.statements import statement_shapes
from graph.model import Resource, ResourceType
from graph.policy import action_matches

BUCKET_OWNER_ENFORCED = "BucketOwnerEnforced"

_PINNING_KEYS = frozenset({
    "aws:sourceip", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner", "aws:sourceaccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id", "aws:userid",
    # Later additions (Understanding Amazon S3 Block Public Access, AWS Storage Blog): counting them as
    # pinning can only keep edges, never drop one AWS keeps.
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
    "aws:sourceorgid", "aws:sourceorgpaths", "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
})
"""Condition keys whose fixed value makes a `"*"` statement non-public."""

_BAD_ACTIONS = ("s3:GetObject", "s3:GetBucketAcl", "s3:ListBucket", "s3:AbortMultipartUpload", "s3:DeleteObject",
                "s3:DeleteBucketPolicy", "s3:PutObject", "s3:PutBucketPolicy", "s3:RestoreObject")
"""Representatives of the "bad actions" (s3:Get*, s3:List*, s3:AbortMultipartUpload, s3:Delete*,
s3:Put*, s3:RestoreObject): a statement covering none of them is not public."""


class Level(StrEnum):
    """Where a Block Public Access setting is switched on."""

    BUCKET = "bucket"
    ACCOUNT = "account"


@dataclass(frozen=True, slots=True)
class BucketAccess:
    """What S3 does with a bucket's ACL and policy grants."""

    acls_disabled: bool
    """Object Ownership is BucketOwnerEnforced: ACLs have no effect."""
    ignore_public_acls: tuple[Level, ...]
    """Levels with IgnorePublicAcls on (empty: public ACL grants apply)."""
    restrict_public_buckets: tuple[Level, ...]
    """Levels with RestrictPublicBuckets on (empty: a public policy works for everyone it names)."""


def _block(properties: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        value = properties.get(key)
        if isinstance(value, dict):
            inner = value.get("PublicAccessBlockConfiguration", value)
            return inner if isinstance(inner, dict) else {}
    return {}


def object_ownership(properties: dict[str, Any]) -> str | None:
    """The bucket's Object Ownership setting as the snapshot records it (None when unknown)."""
    for key in ("object_ownership", "ObjectOwnership"):
        value = properties.get(key)
        if isinstance(value, str):
            return value
    controls = properties.get("ownership_controls")
    if isinstance(controls, dict):
        inner = controls.get("OwnershipControls", controls)
        rules = inner.get("Rules") if isinstance(inner, dict) else None
        if isinstance(rules, list) and rules and isinstance(rules[0], dict):
            found = rules[0].get("ObjectOwnership")
            return found if isinstance(found, str) else None
    return None


def bucket_access(resource: Resource) -> BucketAccess:
    """The Object Ownership and Block Public Access settings that apply to a bucket."""
    properties = resource.properties.as_dict()
    levels = ((Level.BUCKET, _block(properties, "public_access_block", "PublicAccessBlock", "BlockPublicAccess")),
              (Level.ACCOUNT, _block(properties, "account_public_access_block")))
    return BucketAccess(
        object_ownership(properties) == BUCKET_OWNER_ENFORCED,
        tuple(level for level, block in levels if block.get("IgnorePublicAcls") is True),
        tuple(level for level, block in levels if block.get("RestrictPublicBuckets") is True),
    )


def public_acls_honoured(access: BucketAccess) -> bool:
    """Whether S3 honours the bucket's ACL grants to AllUsers and AuthenticatedUsers.

    Not when ACLs are disabled (Object Ownership BucketOwnerEnforced), nor when IgnorePublicAcls is
    on at the bucket or the account level.
    """
    return not access.acls_disabled and not access.ignore_public_acls


@lru_cache(maxsize=65536)
def is_public_policy(policy_text: str) -> bool:
    """Whether S3 would call this bucket policy public (see the module docstring).

    Reads the JSON directly (the builder's parsed policies carry ids this does not know, and a
    second parse per bucket doubled the cost); the shapes were checked when the snapshot was read.
    """
    document = json.loads(policy_text)
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow" or not _to_everyone(statement):
            continue
        if not _grants_bad_action(statement):
            continue
        condition = statement.get("Condition")
        blocks = condition.items() if isinstance(condition, dict) else ()
        if any(_pins(key.lower(), _values(value), str(operator))
               for operator, keys in blocks if isinstance(keys, dict) for key, value in keys.items()):
            continue
        return True
    return False


def _values(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def _to_everyone(statement: dict[str, Any]) -> bool:
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal")
    if principal == "*":
        return True
    entries = principal.get("AWS") if isinstance(principal, dict) else None
    return "*" in (entries if isinstance(entries, list) else [entries])


def _grants_bad_action(statement: dict[str, Any]) -> bool:
    if "NotAction" in statement:
        return True
    actions = statement.get("Action")
    patterns = [str(a).lower() for a in (actions if isinstance(actions, list) else [actions])]
    return any(action_matches(pattern, bad.lower()) for pattern in patterns for bad in _BAD_ACTIONS)


def _pins(key: str, values: tuple[str, ...], operator: str) -> bool:
    if key not in _PINNING_KEYS or not values:
        return False
    if operator.lower().startswith(("stringnot", "arnnot", "notipaddress", "null")):
        return False
    if key == "aws:sourceip":
        return all(value not in ("0.0.0.0/0", "::/0") for value in values)
    if key == "aws:userid":
        return all(not value.endswith(":*") and value != "*" for value in values)
    return all("*" not in value and "?" not in value for value in values)


def policy_restricted(resource: Resource) -> bool:
    """Whether RestrictPublicBuckets limits what the bucket's policy grants to its own account and services."""
    if resource.type != ResourceType.S3_BUCKET or resource.policy is None:
        return False
    if not _names_everyone(resource.policy.text):  # the common case, answered from the builder's cached shapes
        return False
    return bool(bucket_access(resource).restrict_public_buckets) and is_public_policy(resource.policy.text)


def _names_everyone(policy_text: str) -> bool:
    return any(shape.allows and (shape.not_principal or any(ref.kind == "public" for ref in shape.principals))
               for shape in statement_shapes(policy_text))


def admitted_when_restricted(caller: Caller, resource: Resource) -> bool:
    """Under RestrictPublicBuckets, whether a caller keeps access: a service, or a principal of the owner account."""
    if caller.kind is NodeKind.SERVICE:
        return True
    return caller.kind in (NodeKind.USER, NodeKind.ROLE) and caller.account == resource.account_id
