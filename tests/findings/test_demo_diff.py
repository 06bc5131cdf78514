"""Diff of the demo against a second version of it that adds a vendor trust without an external ID and
removes a bucket grant: exactly those changes are reported."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from graph.build import AccessGraph, build_graph
from graph.demo import demo_snapshot_path
from graph.diff import DiffGate, SnapshotDiff, diff_graphs
from graph.snapshot import parse_snapshot

DATA, VENDOR = "222222222222", "999999999999"
NEW_ROLE = f"arn:aws:iam::{DATA}:role/VendorExport"
BUCKET = "arn:aws:s3:::shared-data-bucket"


def _raw_demo() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(demo_snapshot_path().read_text())
    return result


def _second_version(raw: dict[str, Any]) -> dict[str, Any]:
    """The demo plus role VendorExport (trusts the vendor account, no external ID, no permissions), minus the
    DevAccountRead statement of shared-data-bucket."""
    changed = copy.deepcopy(raw)
    data = next(account for account in changed["accounts"] if account["id"] == DATA)
    data["authorization_details"]["RoleDetailList"].append({
        "Path": "/", "RoleName": "VendorExport", "RoleId": "AROA2HPTAA2CVENDOREXP", "Arn": NEW_ROLE,
        "CreateDate": "2026-11-26T09:00:00Z",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "ExportVendor", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{VENDOR}:root"},
             "Action": "sts:AssumeRole"}]},
        "InstanceProfileList": [], "RolePolicyList": [], "AttachedManagedPolicies": [], "Tags": []})
    bucket = next(resource for resource in data["resources"] if resource["arn"] == BUCKET)
    statements = bucket["policy"]["Statement"]
    bucket["policy"]["Statement"] = [s for s in statements if s.get("Sid") != "DevAccountRead"]
    assert len(bucket["policy"]["Statement"]) == len(statements) - 1
    return changed


@pytest.fixture(scope="module")
def graphs() -> tuple[AccessGraph, AccessGraph]:
    raw = _raw_demo()
    return (build_graph(parse_snapshot(raw, origin="demo")),
            build_graph(parse_snapshot(_second_version(raw), origin="demo-v2")))


@pytest.fixture(scope="module")
def diff(graphs: tuple[AccessGraph, AccessGraph]) -> SnapshotDiff:
    return diff_graphs(*graphs)


def _granted_by_dev_account_read(old: AccessGraph) -> set[tuple[str, str, str]]:
    """Edges of the old graph that the removed statement (shared-data-bucket statement 2) grants."""
    found = set()
    for source, edges in old.edges_into(BUCKET).items():  # on-demand edges included (graph.edges.lazy)
        for data in edges:
            if any(g.resource == BUCKET and g.statement == 2 for g in data["granted_by"]):
                found.add((source, BUCKET, data["kind"]))
    return found


def test_added_edges_are_the_vendor_trust_and_what_the_new_role_gets(diff):
    # An opaque outside account stands for all its principals: the trust alone gives it the edge. The new role,
    # a principal of the data account, is also admitted by ingest-queue's NotPrincipal Allow ("everyone but
    # QueueAdmin"), which is exactly why NotPrincipal with Allow is a finding.
    assert [(e.source, e.target, e.kind) for e in diff.added_edges] == [
        (VENDOR, NEW_ROLE, "assume-role"),
        (NEW_ROLE, f"arn:aws:sqs:us-east-1:{DATA}:ingest-queue", "resource-policy")]
    assert "EveryoneButTheAdminReads" in " ".join(diff.added_edges[1].granted_by)


def test_removed_edges_are_exactly_those_the_removed_statement_granted(diff, graphs):
    removed = {(e.source, e.target, e.kind) for e in diff.removed_edges}
    expected = _granted_by_dev_account_read(graphs[0])
    assert expected  # the statement granted something, or this test would prove nothing
    assert removed == expected
    assert all("#2 (DevAccountRead)" in " ".join(e.granted_by) for e in diff.removed_edges)


def test_the_new_trust_is_a_new_finding_and_new_external_access(diff):
    # The partner grant after the removed statement moves from index 3 to 2: findings are matched by Sid, so it
    # is neither new nor resolved.
    assert [(f.check_id, f.arn) for f in diff.added_findings] == [("XPT-TRUST-002", NEW_ROLE)]
    assert diff.removed_findings == ()
    assert [(e.target, e.outsider) for e in diff.added_external] == [(NEW_ROLE, VENDOR)]
    assert diff.removed_external == ()


def test_reach_changes_and_gates(diff):
    # The vendor gains the new role, and the new role the queue. Dev principals lose their direct bucket grant
    # but keep reaching the bucket through CrossAccountS3Access, so nobody loses reach to it.
    assert [(r.target, r.gained, r.lost) for r in diff.reach] == [
        (NEW_ROLE, (VENDOR,), ()), (f"arn:aws:sqs:us-east-1:{DATA}:ingest-queue", (NEW_ROLE,), ())]
    assert diff.tripped(frozenset(DiffGate)) == (DiffGate.NEW_EXTERNAL, DiffGate.NEW_FINDING, DiffGate.NEW_PATH)
