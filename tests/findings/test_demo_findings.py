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


def test_external_access_names_the_outsiders_of_the_planted_trusts(demo_report):
    assert demo_report.external is not None
    pairs = {(e.target, e.outsider) for e in demo_report.external.entries}
    # "*" may assume TemporaryDebugRole; the monitoring vendor may assume MonitoringVendor without conditions.
    assert (f"arn:aws:iam::{DEV}:role/TemporaryDebugRole", "*") in pairs
    assert (f"arn:aws:iam::{SECURITY}:role/MonitoringVendor", "888888888888") in pairs
    # GitHub Actions (an OIDC provider) reaches CiRunner.
    assert (f"arn:aws:iam::{DEV}:role/CiRunner",
            f"arn:aws:iam::{DEV}:oidc-provider/token.actions.githubusercontent.com") in pairs
    # The RCP keeps the partner's direct grant (PartnerExports) off shared-data-bucket, but the partner still gets
    # in through TemporaryDebugRole's "*" trust: an uncollected account stands for all its principals (SPEC §2).
    partner = next(e for e in demo_report.external.entries
                   if (e.target, e.outsider) == ("arn:aws:s3:::shared-data-bucket", "888888888888"))
    assert f"arn:aws:iam::{DEV}:role/TemporaryDebugRole" in [hop.target for hop in partner.path.hops]
    # Identity Center's own SAML provider is the organization's workforce, not an outsider.
    assert not [e for e in demo_report.external.entries if "AWSSSO_" in e.outsider]
