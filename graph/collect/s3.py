"""S3 buckets: policy, Block Public Access (bucket and account), Object Ownership, ACL, default encryption.

Buckets are global: listed once per account, each placed in its region by GetBucketLocation and
read through a client of that region. Properties use the names the findings read: `acl` (the
GetBucketAcl response), `object_ownership`, `public_access_block` and
`account_public_access_block` (PublicAccessBlockConfiguration objects), `encryption` (the first
default-encryption rule: SSEAlgorithm, KMSMasterKeyID, BucketKeyEnabled).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import partial
from typing import Any

from graph.collect.account import Scope
from graph.collect.calls import Outcome
from graph.collect.entries import policy_document, resource_entry
from graph.collect.work import Done, Service, Work
from graph.model import ResourceType

_GONE = ("NoSuchBucket",)
_NO_BLOCK = ("NoSuchPublicAccessBlockConfiguration",)


def _region_of(location: dict[str, Any]) -> str:
    # GetBucketLocation answers None for us-east-1 and the legacy "EU" for eu-west-1.
    constraint = location.get("LocationConstraint")
    if not constraint:
        return "us-east-1"
    return "eu-west-1" if constraint == "EU" else str(constraint)


def read_account_block(scope: Scope) -> dict[str, Any] | None:
    """The account-level Block Public Access configuration (None when none is set or it cannot be read)."""
    reader = scope.reader(Service.S3, "s3control")
    reply = reader.call("GetPublicAccessBlock", scope.account.id, absent=_NO_BLOCK, AccountId=scope.account.id)
    return reply.data.get("PublicAccessBlockConfiguration") if reply.ok else None


def list_buckets(scope: Scope, regions: Collection[str] | None) -> Done:
    """Lists the account's buckets and schedules the reads of each one in `regions` (every region when None)."""
    reader = scope.reader(Service.S3)
    listing = reader.pages("ListBuckets", scope.account.id)
    if not listing.ok:
        return Done()
    account_block = read_account_block(scope)
    more = []
    for bucket in listing.data.get("Buckets", ()):
        name = bucket["Name"]
        location = reader.call("GetBucketLocation", name, gone=_GONE, Bucket=name)
        if not location.ok:
            continue
        region = _region_of(location.data)
        if regions is not None and region not in regions:
            continue
        more.append(Work(Service.S3, scope.account.id, region,
                         partial(read_bucket, scope, name, region, account_block)))
    return Done(more=tuple(more))


def read_bucket(scope: Scope, name: str, region: str, account_block: dict[str, Any] | None) -> Done:
    """Reads one bucket's policy and access settings (one call per fact) and adds it to the account."""
    reader = scope.reader(Service.S3, region=region)
    policy = reader.call("GetBucketPolicy", name, absent=("NoSuchBucketPolicy",), gone=_GONE, Bucket=name)
    block = reader.call("GetPublicAccessBlock", name, absent=_NO_BLOCK, gone=_GONE, Bucket=name)
    ownership = reader.call("GetBucketOwnershipControls", name, absent=("OwnershipControlsNotFoundError",),
                            gone=_GONE, Bucket=name)
    acl = reader.call("GetBucketAcl", name, gone=_GONE, Bucket=name)
    encryption = reader.call("GetBucketEncryption", name, absent=("ServerSideEncryptionConfigurationNotFoundError",),
                             gone=_GONE, Bucket=name)
    if Outcome.GONE in {reply.outcome for reply in (policy, block, ownership, acl, encryption)}:
        return Done()
    rules = ownership.data.get("OwnershipControls", {}).get("Rules") or [{}]
    encryption_rules = encryption.data.get("ServerSideEncryptionConfiguration", {}).get("Rules") or [{}]
    default_encryption = encryption_rules[0].get("ApplyServerSideEncryptionByDefault")
    if default_encryption is not None and "BucketKeyEnabled" in encryption_rules[0]:
        default_encryption = default_encryption | {"BucketKeyEnabled": encryption_rules[0]["BucketKeyEnabled"]}
    scope.account.add_resource(resource_entry(
        scope.arn("s3", name, global_=True), ResourceType.S3_BUCKET.value, region, name,
        policy_document(policy.data.get("Policy")),
        {
            "public_access_block": block.data.get("PublicAccessBlockConfiguration"),
            "account_public_access_block": account_block,
            "object_ownership": rules[0].get("ObjectOwnership"),
            "acl": {"Owner": acl.data.get("Owner"), "Grants": acl.data.get("Grants", [])} if acl.ok else None,
            "encryption": default_encryption,
        },
        (policy, block, ownership, acl, encryption),
    ))
    return Done(resources=1)
