"""S3 ACL grants to the AllUsers and AuthenticatedUsers groups.

AuthenticatedUsers means any principal of ANY AWS account, AllUsers means anyone (S3 ACL
overview, "Amazon S3 predefined groups"). The grant has no effect when Object Ownership is
`BucketOwnerEnforced` (ACLs disabled) or when Block Public Access `IgnorePublicAcls` is on at the
bucket or the account level (S3 Object Ownership and Block Public Access pages).

Whether S3 honours such a grant is decided by `graph.edges.public_access.public_acls_honoured`, the
same function the `s3-acl` edges use, so the finding and the edges cannot disagree; the properties
it reads are listed there (and in docs/snapshot.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graph.edges.public_access import bucket_access, public_acls_honoured
from graph.edges.s3_acl import ALL_USERS, AUTHENTICATED_USERS
from graph.findings.context import CheckContext
from graph.findings.model import CheckInfo, Finding, PolicyKind, Severity, StatementLocation
from graph.findings.registry import Check
from graph.model import Resource, ResourceType

ACL_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html"

_GROUPS = {
    ALL_USERS: ("AllUsers", "anyone on the internet"),
    AUTHENTICATED_USERS: ("AuthenticatedUsers", "any principal of any AWS account"),
}

PUBLIC_ACL = CheckInfo(
    "XPT-S3-001", "S3AclGrantsPublicGroup", "S3 bucket ACL grants AllUsers or AuthenticatedUsers", Severity.HIGH,
    "An ACL grant to AllUsers makes the bucket public; a grant to AuthenticatedUsers opens it to every AWS "
    "account in the world. Such grants apply unless ACLs are disabled (Object Ownership BucketOwnerEnforced) "
    "or Block Public Access IgnorePublicAcls is on.", ACL_DOC)


def _grants(properties: dict[str, Any]) -> list[Any]:
    acl = properties.get("acl")
    if isinstance(acl, dict) and isinstance(acl.get("Grants"), list):
        return list(acl["Grants"])
    return []


def _public_grants(bucket: Resource) -> Iterator[tuple[int, str, str, str]]:
    """(grant index, group, who that is, permission) of each grant to a public group."""
    if not public_acls_honoured(bucket_access(bucket)):
        return
    for index, grant in enumerate(_grants(bucket.properties.as_dict())):
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
