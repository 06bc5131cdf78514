"""Block Public Access RestrictPublicBuckets on bucket-policy edges, and what S3 calls a public policy.

AWS rules cited: S3 API reference `PublicAccessBlockConfiguration` (RestrictPublicBuckets: with a
public policy, only AWS service principals and authorized users of the bucket owner's account keep
access; cross-account access, even to named accounts, is blocked) and "The meaning of public"
(a "*" grant pinned by a fixed aws:SourceIp, aws:SourceArn, aws:SourceVpc(e), aws:SourceAccount,
aws:SourceOwner, aws:userid, ... value, or one granting no "bad action", is not public).
"""

from __future__ import annotations

import json

import pytest

from graph.build import build_graph
from graph.edges.public_access import is_public_policy
from graph.findings import FindingsSettings, run_findings
from graph.query import who_can
from tests.graph.scenarios import A, B, account, allow, bucket, grant, role, role_arn, root, snapshot
from tests.grants.helpers import ALL_USERS, AUTHENTICATED_USERS, acl_bucket, group_grant

NAME = "public-data"
BUCKET = f"arn:aws:s3:::{NAME}"
OBJECTS = f"{BUCKET}/*"
RESTRICT = {"public_access_block": {"RestrictPublicBuckets": True}}


def world(*statements: dict[str, object], properties: dict[str, object] | None = None):
    """A's reader and B's own reader (both allowed by identity), and B's bucket with `statements`."""
    outsider = role(A, "Outsider", None, allow("s3:GetObject"))
    insider = role(B, "Insider")
    target = bucket(B, NAME, *statements, properties=properties)
    return build_graph(snapshot(account(A, roles=(outsider,)), account(B, roles=(insider,), resources=(target,))))


def sources(ag, action: str = "s3:GetObject") -> set[str]:
    return {p.principal for p in who_can(ag, BUCKET, action=action).principals}


PUBLIC_READ = grant("*", "s3:GetObject", OBJECTS)


def test_restrict_public_buckets_cuts_public_and_cross_account_access_of_a_public_policy() -> None:
    open_ = world(PUBLIC_READ, grant({"AWS": root(A)}, "s3:GetObject", OBJECTS))
    # Control: without the setting, anyone, A's role and B's role reach the objects.
    assert {"*", role_arn(A, "Outsider"), role_arn(B, "Insider")} <= sources(open_)
    restricted = world(PUBLIC_READ, grant({"AWS": root(A)}, "s3:GetObject", OBJECTS), properties=RESTRICT)
    found = sources(restricted)
    # Even the grant naming account A is blocked (the policy is public); B's own role keeps access.
    assert "*" not in found and role_arn(A, "Outsider") not in found
    assert role_arn(B, "Insider") in found


def test_the_account_level_setting_restricts_too_and_services_keep_access() -> None:
    ag = world(PUBLIC_READ, grant({"Service": "logging.s3.amazonaws.com"}, "s3:PutObject", OBJECTS),
               properties={"account_public_access_block": {"RestrictPublicBuckets": True}})
    assert "*" not in sources(ag)
    assert "logging.s3.amazonaws.com" in sources(ag, "s3:PutObject")


def test_a_non_public_policy_is_not_restricted() -> None:
    pinned = grant("*", "s3:GetObject", OBJECTS, Condition={"StringEquals": {"aws:PrincipalAccount": A}})
    ag = world(pinned, properties=RESTRICT)
    # The "*" grant is pinned to one account: not public, so RestrictPublicBuckets changes nothing.
    assert role_arn(A, "Outsider") in sources(ag)


def _text(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


def test_what_s3_calls_public() -> None:
    assert is_public_policy(_text(PUBLIC_READ))
    assert is_public_policy(_text(grant({"AWS": "*"}, "s3:*", OBJECTS)))
    # A wildcard value pins nothing; a whole-internet CIDR pins nothing.
    assert is_public_policy(_text(grant("*", "s3:GetObject", OBJECTS,
                                        Condition={"StringLike": {"aws:SourceArn": "arn:aws:*"}})))
    assert is_public_policy(_text(grant("*", "s3:GetObject", OBJECTS,
                                        Condition={"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})))
    assert not is_public_policy(_text(grant("*", "s3:GetObject", OBJECTS,
                                            Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})))
    assert not is_public_policy(_text(grant("*", "s3:GetObject", OBJECTS,
                                            Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})))
    assert not is_public_policy(_text(grant({"AWS": root(A)}, "s3:*", OBJECTS)))
    # No "bad action" (s3:Get*, List*, Put*, Delete*, AbortMultipartUpload, RestoreObject): not public.
    assert not is_public_policy(_text(grant("*", "s3:CreateBucket", BUCKET)))


ENFORCED = {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}
IGNORE = {"IgnorePublicAcls": True}


@pytest.mark.parametrize(("properties", "honoured"), [
    ({}, True),
    ({"object_ownership": "ObjectWriter"}, True),
    ({"public_access_block": {"IgnorePublicAcls": False, "BlockPublicAcls": True}}, True),
    # Object Ownership BucketOwnerEnforced disables ACLs, however the snapshot records it
    # (S3 "Controlling ownership of objects and disabling ACLs"; GetBucketOwnershipControls shape).
    ({"object_ownership": "BucketOwnerEnforced"}, False),
    ({"ObjectOwnership": "BucketOwnerEnforced"}, False),
    ({"ownership_controls": ENFORCED}, False),
    # IgnorePublicAcls at the bucket or the account level (S3 "Blocking public access"; API reference).
    ({"public_access_block": IGNORE}, False),
    ({"PublicAccessBlock": {"PublicAccessBlockConfiguration": IGNORE}}, False),
    ({"BlockPublicAccess": IGNORE}, False),
    ({"account_public_access_block": IGNORE}, False),
])
@pytest.mark.parametrize("group", [ALL_USERS, AUTHENTICATED_USERS])
def test_the_public_acl_finding_and_the_acl_edge_agree(properties: dict[str, object], honoured: bool,
                                                       group: str) -> None:
    snap = snapshot(account(B, resources=(acl_bucket(B, NAME, [group_grant(group, "READ")], **properties),)))
    edge = any(u == "*" and d["kind"] == "s3-acl" for u, v, d in build_graph(snap).graph.in_edges(BUCKET, data=True))
    report = run_findings(snap, FindingsSettings(), with_graph=False)
    finding = any(f.check_id == "XPT-S3-001" and f.arn == BUCKET for f in report.findings)
    # Both read one decision (public_access.public_acls_honoured): public edge <=> public-ACL finding.
    assert (edge, finding) == (honoured, honoured)
