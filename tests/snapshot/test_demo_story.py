"""The demo organization tells the story of issue 2 item 5: each element a user should discover is there."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graph.demo import demo_snapshot_path, load_demo
from graph.model import Account, OrgPolicyType, Role, Snapshot

DEV, DATA, CONTROL, SECURITY = "111111111111", "222222222222", "333333333333", "777777777777"
CUSTOMERS = ("444444444444", "555555555555", "666666666666")


@pytest.fixture(scope="module")
def demo() -> Snapshot:
    return load_demo()


def _account(demo: Snapshot, account_id: str) -> Account:
    return next(account for account in demo.accounts if account.id == account_id)


def _role(demo: Snapshot, account_id: str, name: str) -> Role:
    return next(role for role in _account(demo, account_id).roles if role.name == name)


def _statements(document: Any) -> list[dict[str, Any]]:
    statements = document["Statement"]
    return statements if isinstance(statements, list) else [statements]


def test_organization_has_the_documented_shape(demo: Snapshot) -> None:
    assert demo.source == "demo"
    organization = demo.organization
    assert organization is not None and organization.management_account_id == "100000000000"
    assert {unit.name for unit in organization.organizational_units} >= {"Workloads", "Data", "Security", "Shared",
                                                                           "ControlPlane"}
    assert 7 <= len(demo.accounts) <= 9
    # Vendors are trusted but never collected: they must stay outside the snapshot.
    assert not {"999999999999", "888888888888"} & {account.id for account in demo.accounts}
    # AWS attaches FullAWSAccess / RCPFullAWSAccess at every level; without them nothing would be allowed.
    every_level = {root.id for root in organization.roots} | {unit.id for unit in organization.organizational_units} | {
        account.id for account in organization.accounts}
    full = {policy.name: set(policy.targets) for policy in organization.policies}
    assert full["FullAWSAccess"] == every_level and full["RCPFullAWSAccess"] == every_level
    denying = [policy for policy in organization.policies
               if any(s["Effect"] == "Deny" for s in _statements(policy.document.as_dict()))]
    assert {policy.type for policy in denying} == {OrgPolicyType.SCP, OrgPolicyType.RCP}


def test_dev_instance_role_reaches_data_two_ways(demo: Snapshot) -> None:
    app = _role(demo, DEV, "AppInstanceRole")
    trust = _statements(app.trust_policy.as_dict())[0]
    assert trust["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": DEV}}  # not a confused deputy
    assert app.instance_profile_arns == (f"arn:aws:iam::{DEV}:instance-profile/AppInstanceRole",)
    cross = _role(demo, DATA, "CrossAccountS3Access")
    assert _statements(cross.trust_policy.as_dict())[0]["Principal"] == {"AWS": f"arn:aws:iam::{DEV}:root"}
    bucket = next(r for r in _account(demo, DATA).resources if r.name == "shared-data-bucket")
    assert bucket.policy is not None
    grants = {s.get("Sid"): s for s in _statements(bucket.policy.as_dict())}
    # The bucket policy also grants account A directly: both mechanisms reach the bucket side by side.
    assert grants["DevAccountRead"]["Action"] == "s3:GetObject"
    assert grants["DevAccountRead"]["Resource"] == "arn:aws:s3:::shared-data-bucket/*"
    assert grants["DevAccountList"]["Action"] == "s3:ListBucket"
    assert bucket.properties.get("ObjectOwnership") == "BucketOwnerEnforced"


def test_vendors_one_with_external_id_one_without(demo: Snapshot) -> None:
    audit = _statements(_role(demo, DATA, "VendorAudit").trust_policy.as_dict())[0]
    assert audit["Principal"] == {"AWS": "arn:aws:iam::999999999999:root"}
    assert audit["Condition"] == {"StringEquals": {"sts:ExternalId": "my-secret-external-id-12345"}}
    monitoring = _statements(_role(demo, SECURITY, "MonitoringVendor").trust_policy.as_dict())[0]
    assert monitoring["Principal"] == {"AWS": "arn:aws:iam::888888888888:root"} and "Condition" not in monitoring


def test_control_plane_hybrid_pattern(demo: Snapshot) -> None:
    backup = _role(demo, CONTROL, "BackupRole")
    targets = _statements(backup.inline_policies[0].document.as_dict())[0]["Resource"]
    assert sorted(target.split(":")[4] for target in targets) == list(CUSTOMERS)
    for customer in CUSTOMERS:
        bucket = _account(demo, customer).resources[0]
        assert bucket.policy is not None
        principals = [s.get("Principal") for s in _statements(bucket.policy.as_dict())]
        assert {"AWS": f"arn:aws:iam::{CONTROL}:role/AnalyticsRole"} in principals


def test_findings_bait_is_present(demo: Snapshot) -> None:
    trusts = [_statements(role.trust_policy.as_dict()) for account in demo.accounts for role in account.roles]
    assert any(s.get("Principal") in ("*", {"AWS": "*"}) and "Condition" not in s for t in trusts for s in t)
    resource_statements = [s for account in demo.accounts for r in account.resources if r.policy
                           for s in _statements(r.policy.as_dict())]
    assert any("NotPrincipal" in s and s["Effect"] == "Allow" for s in resource_statements)
    service_grants = [s for s in resource_statements if isinstance(s.get("Principal"), dict)
                      and "Service" in s["Principal"]]
    assert any("Condition" not in s for s in service_grants)  # no aws:SourceAccount / aws:SourceArn
    assert any(user.permissions_boundary_arn for account in demo.accounts for user in account.users)
    # The three-hop chain: dev CiRunner -> control-plane DeployHub -> customer-a DeployTarget -> customer-b.
    hops = [("333333333333", "DeployHub", f"arn:aws:iam::{DEV}:role/CiRunner"),
            ("444444444444", "DeployTarget", "arn:aws:iam::333333333333:role/DeployHub"),
            ("555555555555", "LegacyReplication", "arn:aws:iam::444444444444:role/DeployTarget")]
    for account_id, name, trusted in hops:
        assert _statements(_role(demo, account_id, name).trust_policy.as_dict())[0]["Principal"] == {"AWS": trusted}


def test_snapshot_is_partial_and_exercises_every_document_encoding(demo: Snapshot) -> None:
    assert sum(len(account.errors) for account in demo.accounts) >= 1
    raw = json.loads(demo_snapshot_path().read_text(encoding="utf-8"))
    text = json.dumps(raw)
    assert '"PolicyDocument": "%7B' in text  # a URL-encoded document, as the IAM API returns them
    assert '"PolicyDocument": "{' in text or '"document": "{' in text  # a plain JSON string
