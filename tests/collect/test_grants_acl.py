"""KMS grants, bucket ACLs and Block Public Access, from a moto collection to the edges they give.

The organization of `tests.collect.world` holds: a grant on the data account's key to the dev
account's AppRole (Decrypt); a bucket whose ACL grants READ to AuthenticatedUsers, with the data
account's Block Public Access IgnorePublicAcls on; RestrictPublicBuckets on the bucket, whose policy
names the dev account (not public). The collector reads them with ListGrants, GetBucketAcl,
GetBucketOwnershipControls, GetPublicAccessBlock and s3control GetPublicAccessBlock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from graph.build import AccessGraph, build_graph
from graph.collect import Collection, collect
from graph.model import InlinePolicy, PolicyDocument, Properties, Snapshot
from graph.query import who_can
from tests.collect.test_collect_org import account, org_options, resource
from tests.collect.world import BUCKET, World

BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"


@pytest.fixture(scope="module")
def collection(world: World) -> Iterator[Collection]:
    yield collect(org_options())


def kinds_into(ag: AccessGraph, target: str, kind: str) -> dict[str, tuple[str, ...]]:
    return {u: d["actions"] for u, v, d in ag.graph.in_edges(target, data=True) if d["kind"] == kind}


def with_properties(snapshot: Snapshot, arn: str, **changes: object) -> Snapshot:
    """The snapshot with some properties of one resource changed (None removes one)."""
    accounts = []
    for acct in snapshot.accounts:
        resources = []
        for res in acct.resources:
            if res.arn == arn:
                properties = {**res.properties.as_dict(), **changes}
                res = replace(res, properties=Properties.from_dict({k: v for k, v in properties.items()
                                                                    if v is not None}))
            resources.append(res)
        accounts.append(replace(acct, resources=tuple(resources)))
    return replace(snapshot, accounts=tuple(accounts))


def test_the_grant_is_collected_but_the_cross_account_grantee_lacks_its_iam_allow(world: World,
                                                                                  collection: Collection) -> None:
    snapshot = collection.snapshot
    grants = resource(snapshot, world.key_arn).properties.get("Grants")
    app_role = f"arn:aws:iam::{world.dev}:role/AppRole"
    assert [g["GranteePrincipal"] for g in grants] == [app_role]
    # AppRole (dev) holds only sqs:ReceiveMessage. AWS documents the cross-account IAM requirement for key
    # policies, not for grants ("Grants in AWS KMS"): the edge stays, conditional and contested, not dropped.
    (contested,) = [d for u, v, d in build_graph(snapshot).graph.in_edges(world.key_arn, data=True)
                    if u == app_role and d["kind"] == "kms-grant"]
    assert (contested["actions"], contested["status"], contested["contested"]) == (
        ("kms:Decrypt",), "conditional", True)

    dev = account(snapshot, world.dev)
    decrypt = InlinePolicy("decrypt", PolicyDocument.from_dict({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": world.key_arn}]}))
    roles = tuple(replace(r, inline_policies=(*r.inline_policies, decrypt)) if r.arn == app_role else r
                  for r in dev.roles)
    allowed = replace(snapshot, accounts=tuple(replace(a, roles=roles) if a.id == world.dev else a
                                               for a in snapshot.accounts))
    ag = build_graph(allowed)
    (edge,) = [d for u, v, d in ag.graph.in_edges(world.key_arn, data=True)
               if u == app_role and d["kind"] == "kms-grant"]
    assert edge["actions"] == ("kms:Decrypt",)
    # With AppRole's own allow, both sides allow: no longer contested.
    assert (edge["status"], edge["contested"]) == ("allowed", False)
    # granted_by names the collected grant by its GrantId (the key policy's DevDecrypt is another edge).
    assert [(g.policy, g.sid) for g in edge["granted_by"] if g.policy == "kms-grant"] == [
        ("kms-grant", grants[0]["GrantId"])]


def test_the_authenticated_users_grant_is_ignored_under_the_account_ignore_public_acls(
        world: World, collection: Collection) -> None:
    snapshot = collection.snapshot
    # The account-level IgnorePublicAcls is on, so S3 ignores the AuthenticatedUsers grant.
    assert kinds_into(build_graph(snapshot), BUCKET_ARN, "s3-acl") == {}
    # Without it (bucket-level IgnorePublicAcls is off), any AWS account may list the bucket.
    opened = build_graph(with_properties(snapshot, BUCKET_ARN, account_public_access_block=None))
    assert kinds_into(opened, BUCKET_ARN, "s3-acl") == {
        "*": ("s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions")}
    # ...unless ACLs are disabled altogether.
    disabled = with_properties(snapshot, BUCKET_ARN, account_public_access_block=None,
                               object_ownership="BucketOwnerEnforced")
    assert kinds_into(build_graph(disabled), BUCKET_ARN, "s3-acl") == {}


def test_restrict_public_buckets_leaves_a_policy_naming_one_account_alone(world: World,
                                                                          collection: Collection) -> None:
    snapshot = collection.snapshot
    assert resource(snapshot, BUCKET_ARN).properties.get("public_access_block")["RestrictPublicBuckets"] is True
    # The policy names the dev account (not public): alice's ReadSharedData still reaches the objects.
    readers = {p.principal for p in who_can(build_graph(snapshot), BUCKET_ARN, action="s3:GetObject").principals}
    assert f"arn:aws:iam::{world.dev}:user/alice" in readers
