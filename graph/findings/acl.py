"""S3 ACL grants to the AllUsers and AuthenticatedUsers groups.

AuthenticatedUsers means any principal of ANY AWS account, AllUsers means anyone (S3 ACL
overview, "Amazon S3 predefined groups"). The grant has no effect when Object Ownership is
`BucketOwnerEnforced` (ACLs disabled) or when Block Public Access `IgnorePublicAcls` is on
(S3 Object Ownership and Block Public Access pages).

Bucket properties read (as the collector stores them): `acl` (the GetBucketAcl response,
`{"Owner": ..., "Grants": [...]}`), `object_ownership` (a string; also `ObjectOwnership`, or
`ownership_controls` as GetBucketOwnershipControls returns it), and the bucket's and the account's
PublicAccessBlockConfiguration as `public_access_block` and `account_public_access_block` (also
`BlockPublicAccess`). Either level with IgnorePublicAcls on makes S3 ignore the grant.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graph.findings.context import CheckContext
from graph.findings.model import CheckInfo, Finding, PolicyKind, Severity, StatementLocation
from graph.findings.registry import Check
from graph.model import Resource, ResourceType

ACL_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html"

_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": ("AllUsers", "anyone on the internet"),
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": ("AuthenticatedUsers",
                                                                  "any principal of any AWS account"),
}

PUBLIC_ACL = CheckInfo(
    "XPT-S3-001", "S3AclGrantsPublicGroup", "S3 bucket ACL grants AllUsers or AuthenticatedUsers", Severity.HIGH,
    "An ACL grant to AllUsers makes the bucket public; a grant to AuthenticatedUsers opens it to every AWS "
    "account in the world. Such grants apply unless ACLs are disabled (Object Ownership BucketOwnerEnforced) "
    "or Block Public Access IgnorePublicAcls is on.", ACL_DOC)


def _ownership(properties: dict[str, Any]) -> str | None:
    for key in ("object_ownership", "ObjectOwnership"):
        value = properties.get(key)
        if isinstance(value, str):
            return value
    controls = properties.get("ownership_controls")
    if isinstance(controls, dict):
        rules = controls.get("OwnershipControls", controls).get("Rules")
        if isinstance(rules, list) and rules and isinstance(rules[0], dict):
            found = rules[0].get("ObjectOwnership")
            return found if isinstance(found, str) else None
    return None


def _ignores_public_acls(properties: dict[str, Any]) -> bool:
    for key in ("public_access_block", "account_public_access_block", "BlockPublicAccess"):
        block = properties.get(key)
        if isinstance(block, dict):
            block = block.get("PublicAccessBlockConfiguration", block)
            if isinstance(block, dict) and block.get("IgnorePublicAcls") is True:
                return True
    return False


def _grants(properties: dict[str, Any]) -> list[Any]:
    acl = properties.get("acl")
    if isinstance(acl, dict) and isinstance(acl.get("Grants"), list):
        return list(acl["Grants"])
    return []


def _public_grants(bucket: Resource) -> Iterator[tuple[int, str, str, str]]:
    """(grant index, group, who that is, permission) of each grant to a public group."""
    properties = bucket.properties.as_dict()
    if _ownership(properties) == "BucketOwnerEnforced" or _ignores_public_acls(properties):
        return
    for index, grant in enumerate(_grants(properties)):
        if not isinstance(grant, dict) or not isinstance(grant.get("Grantee"), dict):
            continue
        group = _GROUPS.get(str(grant["Grantee"].get("URI", "")))
        if group is not None:
            yield index, group[0], group[1], str(grant.get("Permission", "?"))


def public_acl_grants(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-S3-001: an effective ACL grant of a bucket to AllUsers or AuthenticatedUsers."""
    for bucket in ctx.resources():
        if bucket.type != ResourceType.S3_BUCKET:
            continue
        name = bucket.name or bucket.arn.rsplit(":", 1)[-1]
        for index, group, who, permission in _public_grants(bucket):
            yield Finding(
                PUBLIC_ACL.id, PUBLIC_ACL.severity,
                f"Bucket {name} ACL grants {permission} to {group} ({who})", bucket.arn, bucket.account_id,
                f"Remove the {group} grant from the ACL of bucket {name} (`aws s3api put-bucket-acl --bucket {name} "
                "--acl private`), then set Object Ownership to BucketOwnerEnforced to disable ACLs, or turn on "
                "Block Public Access IgnorePublicAcls for the bucket or the account.",
                StatementLocation(bucket.arn, PolicyKind.ACL, index, None),
                details=(("grantee", group), ("permission", permission)))


CHECKS: tuple[Check, ...] = (Check(PUBLIC_ACL, public_acl_grants),)
