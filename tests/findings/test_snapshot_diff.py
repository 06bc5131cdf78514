"""Snapshot diff: access edges, findings, external access and reach, added and removed."""

from __future__ import annotations

from planted import DATA, DEV, VENDOR, assume, policy, resource, role

from graph.diff import DiffGate, diff_snapshots
from graph.model import InlinePolicy, PolicyDocument, User

BUCKET = "arn:aws:s3:::shared"
GRANT = {"Sid": "DevRead", "Effect": "Allow", "Principal": {"AWS": DEV}, "Action": "s3:GetObject",
         "Resource": BUCKET + "/*"}
KEEP = {"Sid": "Keep", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DATA}:root"},
        "Action": "s3:ListBucket", "Resource": BUCKET}
VENDOR_ROLE = role(DATA, "VendorNoExternalId", policy(assume({"AWS": VENDOR})))
READ_ANY = InlinePolicy("read", PolicyDocument.from_dict(policy({"Effect": "Allow", "Action": "s3:GetObject",
                                                                 "Resource": "*"})))
READER = User(f"arn:aws:iam::{DEV}:user/reader", "reader", DEV, inline_policies=(READ_ANY,))
"""A principal of DEV whose identity policy allows s3:GetObject: across accounts both sides must allow."""


def test_added_vendor_trust_and_removed_bucket_grant_are_exactly_the_changes(build):
    old = build(users=[READER], resources=[resource(DATA, BUCKET, "AWS::S3::Bucket", policy(GRANT, KEEP))])
    new = build(users=[READER], roles=[VENDOR_ROLE],
                resources=[resource(DATA, BUCKET, "AWS::S3::Bucket", policy(KEEP))])
    diff = diff_snapshots(old, new)
    # The vendor account gains an assume-role edge (no identity side is needed for an opaque account).
    assert [(e.source, e.target, e.kind) for e in diff.added_edges] == [(VENDOR, VENDOR_ROLE.arn, "assume-role")]
    # The bucket policy no longer names DEV: the reader's resource-policy edge goes, with the statement that granted it.
    assert [(e.source, e.target, e.kind) for e in diff.removed_edges] == [(READER.arn, BUCKET, "resource-policy")]
    # Across accounts both sides granted it: the reader's identity statement and the bucket's DevRead statement.
    assert diff.removed_edges[0].granted_by == (f"{READER.arn}/inline/read#0", f"{BUCKET}#0 (DevRead)")
    # The new trust has no external ID: one new finding, none removed.
    assert [(f.check_id, f.arn) for f in diff.added_findings] == [("XPT-TRUST-002", VENDOR_ROLE.arn)]
    assert diff.removed_findings == ()
    assert [(e.target, e.outsider) for e in diff.added_external] == [(VENDOR_ROLE.arn, VENDOR)]
    assert diff.removed_external == ()
    assert [(r.target, r.gained, r.lost) for r in diff.reach] == [
        (VENDOR_ROLE.arn, (VENDOR,), ()), (BUCKET, (), (DEV, READER.arn))]
    assert diff.tripped(frozenset(DiffGate)) == (DiffGate.NEW_EXTERNAL, DiffGate.NEW_FINDING, DiffGate.NEW_PATH)


def test_identical_snapshots_have_no_differences(build):
    snapshot = build(roles=[VENDOR_ROLE], resources=[resource(DATA, BUCKET, "AWS::S3::Bucket", policy(GRANT))])
    diff = diff_snapshots(snapshot, snapshot)
    assert diff.empty and diff.tripped(frozenset(DiffGate)) == ()


def test_removing_access_trips_no_gate(build):
    # Only additions are risky: a removed grant does not fail a pipeline.
    old = build(users=[READER], resources=[resource(DATA, BUCKET, "AWS::S3::Bucket", policy(GRANT, KEEP))])
    new = build(users=[READER], resources=[resource(DATA, BUCKET, "AWS::S3::Bucket", policy(KEEP))])
    diff = diff_snapshots(old, new)
    assert not diff.empty and diff.tripped(frozenset(DiffGate)) == ()


def test_changed_condition_shows_as_removed_and_added_edge(build):
    with_id = role(DATA, "V", policy(assume({"AWS": VENDOR}, {"StringEquals": {"sts:ExternalId": "old"}})))
    rotated = role(DATA, "V", policy(assume({"AWS": VENDOR}, {"StringEquals": {"sts:ExternalId": "new"}})))
    diff = diff_snapshots(build(roles=[with_id]), build(roles=[rotated]))
    assert [e.conditions for e in diff.added_edges] == [("sts:ExternalId StringEquals [new]",)]
    assert [e.conditions for e in diff.removed_edges] == [("sts:ExternalId StringEquals [old]",)]
    # Same outsider, same target: the external-access entry is unchanged, and nobody gained reach.
    assert diff.added_external == () and diff.reach == ()


OTHER = "888888888888"
"""A second account outside the organization."""


def test_an_outsider_that_already_reached_the_role_is_not_new_external_access(build):
    # The report names one outsider per role: the best path in. Old: VENDOR (unconditional trust)
    # ranks before OTHER (external ID required). New: VENDOR's trust is gone, so OTHER is named:
    # OTHER reached the role before too, so nothing external was added; VENDOR's access went.
    with_id = assume({"AWS": OTHER}, {"StringEquals": {"sts:ExternalId": "x-1"}})
    old = build(roles=[role(DATA, "Shared", policy(assume({"AWS": VENDOR}), with_id))])
    new = build(roles=[role(DATA, "Shared", policy(with_id))])
    diff = diff_snapshots(old, new)
    shared = f"arn:aws:iam::{DATA}:role/Shared"
    assert diff.added_external == ()
    assert [(e.target, e.outsider) for e in diff.removed_external] == [(shared, VENDOR)]
    assert diff.tripped(frozenset(DiffGate)) == ()


def test_a_new_outsider_named_by_the_report_is_new_external_access(build):
    # The reverse: OTHER gains an unconditional trust and now ranks first; it did not reach before.
    with_id = assume({"AWS": VENDOR}, {"StringEquals": {"sts:ExternalId": "x-1"}})
    old = build(roles=[role(DATA, "Shared", policy(with_id))])
    new = build(roles=[role(DATA, "Shared", policy(with_id, assume({"AWS": OTHER})))])
    diff = diff_snapshots(old, new)
    shared = f"arn:aws:iam::{DATA}:role/Shared"
    assert [(e.target, e.outsider) for e in diff.added_external] == [(shared, OTHER)]
    # VENDOR still reaches the role (with its external ID): not reported as removed
    assert diff.removed_external == ()
    assert DiffGate.NEW_EXTERNAL in diff.tripped(frozenset(DiffGate))
