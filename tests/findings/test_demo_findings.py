"""The demo organization: every planted danger is found, and nothing else is flagged.

The demo (demo_data/demo.json) plants a trust to "*", a NotPrincipal Allow, a vendor trust without
an external ID, service principals without a source condition, a role chain of three hops and a
bucket grant to a partner outside the organization. Its vendor trust WITH an external ID
(VendorAudit) is not a finding, but it is external access.
"""

from __future__ import annotations

import pytest

from graph.build import build_graph
from graph.demo import load_demo
from graph.findings import FindingsReport, run_findings

DEV, DATA, CONTROL, SECURITY = "111111111111", "222222222222", "333333333333", "777777777777"

EXPECTED = {
    # TemporaryDebugRole trusts {"AWS": "*"} with no condition: anyone can assume it.
    ("XPT-TRUST-001", f"arn:aws:iam::{DEV}:role/TemporaryDebugRole"): "critical",
    # ingest-queue: Allow + NotPrincipal (everyone but QueueAdmin may receive messages).
    ("XPT-PRIN-001", f"arn:aws:sqs:us-east-1:{DATA}:ingest-queue"): "high",
    # MonitoringVendor trusts the whole vendor account 888888888888 without sts:ExternalId.
    ("XPT-TRUST-002", f"arn:aws:iam::{SECURITY}:role/MonitoringVendor"): "high",
    # tenant-provisioner lets events.amazonaws.com invoke it with no aws:SourceArn / aws:SourceAccount.
    ("XPT-SVC-001", f"arn:aws:lambda:us-east-1:{CONTROL}:function:tenant-provisioner"): "medium",
    # data-events lets s3.amazonaws.com publish with no source condition (any account's bucket).
    ("XPT-SVC-001", f"arn:aws:sns:us-east-1:{DATA}:data-events"): "medium",
    # CiRunner -> DeployHub -> DeployTarget -> LegacyReplication: three chained assumptions (limit 2).
    ("XPT-CHAIN-001", "arn:aws:iam::555555555555:role/LegacyReplication"): "low",
    # shared-data-bucket's PartnerExports grants 888888888888; the data OU's RCP blocks it today.
    ("XPT-RES-002", "arn:aws:s3:::shared-data-bucket"): "low",
}


@pytest.fixture(scope="module")
def demo_report() -> FindingsReport:
    snapshot = load_demo()
    return run_findings(build_graph(snapshot), snapshot=snapshot)


def test_demo_findings_are_exactly_the_planted_dangers(demo_report):
    found = {(f.check_id, f.arn): f.severity.value for f in demo_report.findings}
    assert found == EXPECTED


def test_vendor_trust_with_external_id_is_external_access_but_not_a_finding(demo_report):
    vendor_audit = f"arn:aws:iam::{DATA}:role/VendorAudit"
    assert not [f for f in demo_report.findings if f.arn == vendor_audit]
    assert demo_report.external is not None
    entry = next(e for e in demo_report.external.entries if e.target == vendor_audit)
    assert entry.outsider == "999999999999" and str(entry.path.status) == "conditional"
    assert [c.key for c in entry.path.conditions] == ["sts:ExternalId"]


GITHUB = f"arn:aws:iam::{DEV}:oidc-provider/token.actions.githubusercontent.com"

EXTERNAL = {
    # GitHub Actions (an OIDC provider, outside) -> CiRunner, then the deploy chain and what it may use.
    f"arn:aws:iam::{DEV}:role/CiRunner": (GITHUB, 1),
    f"arn:aws:iam::{CONTROL}:role/DeployHub": (GITHUB, 2),
    f"arn:aws:iam::{DEV}:role/ReleasePublisher": (GITHUB, 3),
    f"arn:aws:iam::{DEV}:role/ReleaseSigner": (GITHUB, 4),
    "arn:aws:iam::444444444444:role/DeployTarget": (GITHUB, 3),
    "arn:aws:iam::555555555555:role/LegacyReplication": (GITHUB, 4),
    f"arn:aws:ecr:us-east-1:{CONTROL}:repository/platform/base-images": (GITHUB, 3),
    f"arn:aws:lambda:us-east-1:{CONTROL}:function:tenant-provisioner": (GITHUB, 2),
    "arn:aws:s3:::customer-a-analytics": (GITHUB, 4),
    "arn:aws:s3:::customer-b-analytics": (GITHUB, 5),
    f"arn:aws:secretsmanager:us-east-1:{DEV}:secret:release/signing-key-Rk7Qp2": (GITHUB, 5),
    # "*" may assume TemporaryDebugRole (no condition), and use what the role may use.
    f"arn:aws:iam::{DEV}:role/TemporaryDebugRole": ("*", 1),
    f"arn:aws:s3:::dev-artifacts-{DEV}": ("*", 2),
    # The RCP keeps the partner's direct grant (PartnerExports) off shared-data-bucket, but anyone (the partner
    # included) gets in through TemporaryDebugRole's "*" trust.
    "arn:aws:s3:::shared-data-bucket": ("*", 2),
    # ingest-queue's Allow with NotPrincipal admits everyone but QueueAdmin: one hop from "*".
    f"arn:aws:sqs:us-east-1:{DATA}:ingest-queue": ("*", 1),
    # The vendors' trusts: 999999999999 with an external ID (and VendorAudit's key), 888888888888 without.
    f"arn:aws:iam::{DATA}:role/VendorAudit": ("999999999999", 1),
    f"arn:aws:kms:us-east-1:{DATA}:key/4c1d7e2a-8b3f-4e6a-9d0c-5f2b1a7e3c90": ("999999999999", 2),
    f"arn:aws:iam::{SECURITY}:role/MonitoringVendor": ("888888888888", 1),
}


def test_external_access_lists_each_reachable_target_once_with_its_nearest_outsider(demo_report):
    assert demo_report.external is not None
    found = {e.target: (e.outsider, len(e.path.hops)) for e in demo_report.external.entries}
    assert found == EXTERNAL
    assert len(demo_report.external.entries) == len(EXTERNAL)  # one entry per target
    shared = next(e for e in demo_report.external.entries if e.target == "arn:aws:s3:::shared-data-bucket")
    assert [hop.target for hop in shared.path.hops] == [f"arn:aws:iam::{DEV}:role/TemporaryDebugRole",
                                                        "arn:aws:s3:::shared-data-bucket"]
    # Identity Center's own SAML provider is the organization's workforce, not an outsider.
    assert not [e for e in demo_report.external.entries if "AWSSSO_" in e.outsider]
