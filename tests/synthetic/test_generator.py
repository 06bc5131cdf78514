"""The synthetic organization generator: deterministic, linear in size, internally consistent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from graph.synthetic import MIN_ACCOUNTS, VENDORS, generate_organization

_ACCOUNT_IN_ARN = re.compile(r"^arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):")
_BARE_ACCOUNT = re.compile(r"^\d{12}$")


@pytest.fixture(scope="module")
def small() -> dict[str, Any]:
    return generate_organization(5, seed=7)


@pytest.fixture(scope="module")
def medium() -> dict[str, Any]:
    return generate_organization(60, seed=11)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _policy_documents(doc: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every policy document in the snapshot, with where it lives."""
    for policy in doc["organization"]["policies"]:
        yield f"org policy {policy['name']}", policy["document"]
    for account in doc["accounts"]:
        details = account["authorization_details"]
        for role in details["RoleDetailList"]:
            yield role["Arn"], role["AssumeRolePolicyDocument"]
            for inline in role["RolePolicyList"]:
                yield role["Arn"], inline["PolicyDocument"]
        for user in details["UserDetailList"]:
            for inline in user["UserPolicyList"]:
                yield user["Arn"], inline["PolicyDocument"]
        for group in details["GroupDetailList"]:
            for inline in group["GroupPolicyList"]:
                yield group["Arn"], inline["PolicyDocument"]
        for policy in details["Policies"]:
            for version in policy["PolicyVersionList"]:
                yield policy["Arn"], version["Document"]
        for resource in account["resources"]:
            if resource["policy"] is not None:
                yield resource["arn"], resource["policy"]


def _principal_values(document: Any) -> Iterator[str]:
    for statement in document["Statement"]:
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            for values in principal.values():
                yield from [values] if isinstance(values, str) else values


def test_same_seed_gives_byte_identical_snapshot() -> None:
    # Benchmarks and bug reports must be reproducible from (accounts, seed) alone.
    first = json.dumps(generate_organization(12, seed=3)).encode()
    second = json.dumps(generate_organization(12, seed=3)).encode()
    assert first == second


def test_different_seed_gives_different_snapshot() -> None:
    # The seed must actually drive the generator (ids, names, neighbours), not be ignored.
    one = generate_organization(12, seed=3)
    other = generate_organization(12, seed=4)
    assert json.dumps(one) != json.dumps(other)
    assert {a["id"] for a in one["accounts"]} != {a["id"] for a in other["accounts"]}


def test_document_header_is_a_synthetic_v1_snapshot(small: dict[str, Any]) -> None:
    # SPEC section 3: format marker, version 1, source "synthetic", a fixed collection time.
    assert (small["format"], small["version"], small["source"]) == ("xpath-snapshot", 1, "synthetic")
    assert small["collected_at"] == "2026-11-27T10:00:00Z"
    assert len(small["accounts"]) == 5 == len(small["organization"]["accounts"])


@pytest.mark.parametrize("accounts", [0, MIN_ACCOUNTS - 1, 10_001])
def test_out_of_range_sizes_are_refused(accounts: int) -> None:
    # Fewer than five accounts cannot hold management, security, log-archive, tooling and a workload.
    with pytest.raises(ValueError, match="accounts must be between"):
        generate_organization(accounts, seed=1)


def test_about_fifty_roles_and_forty_resources_per_account(medium: dict[str, Any]) -> None:
    # SPEC section 7: benchmark organizations have about 50 roles and 40 resources per account.
    count = len(medium["accounts"])
    roles = sum(len(a["authorization_details"]["RoleDetailList"]) for a in medium["accounts"])
    resources = sum(len(a["resources"]) for a in medium["accounts"])
    assert 45 <= roles / count <= 55
    assert 36 <= resources / count <= 45
    types = {r["type"] for a in medium["accounts"] for r in a["resources"]}
    assert types == {"AWS::S3::Bucket", "AWS::KMS::Key", "AWS::SQS::Queue", "AWS::SNS::Topic",
                     "AWS::Lambda::Function", "AWS::SecretsManager::Secret", "AWS::ECR::Repository"}


def test_size_grows_linearly_with_accounts() -> None:
    # Cross-account references stay in a bounded neighbourhood, so doubling accounts about doubles size.
    size_40 = len(json.dumps(generate_organization(40, seed=5)))
    size_80 = len(json.dumps(generate_organization(80, seed=5)))
    assert 1.8 <= size_80 / size_40 <= 2.2


def test_every_referenced_account_is_in_the_org_or_a_known_vendor(medium: dict[str, Any]) -> None:
    # The only outside accounts are the intentional third parties of VENDORS; anything else is a bug.
    org_accounts = {a["id"] for a in medium["organization"]["accounts"]}
    vendors = {v.account_id for v in VENDORS}
    assert not org_accounts & vendors
    referenced: set[str] = set()
    for _, document in _policy_documents(medium):
        for text in _strings(document):
            match = _ACCOUNT_IN_ARN.match(text)
            if match:
                referenced.add(match.group(1))
            elif _BARE_ACCOUNT.match(text):
                referenced.add(text)
    assert referenced - org_accounts <= vendors
    assert referenced & vendors, "some accounts trust vendors"
    assert len(referenced & org_accounts) == len(org_accounts)


def test_principals_naming_org_roles_name_roles_that_exist(medium: dict[str, Any]) -> None:
    # A trust or grant naming a role ARN of the organization must point at a real role, or the
    # benchmark would measure dangling edges instead of paths.
    roles = {r["Arn"] for a in medium["accounts"] for r in a["authorization_details"]["RoleDetailList"]}
    org_accounts = {a["id"] for a in medium["organization"]["accounts"]}
    named = {p for _, doc in _policy_documents(medium) for p in _principal_values(doc)
             if ":role/" in p and p.split(":")[4] in org_accounts}
    assert named, "cross-account role grants exist"
    assert named <= roles


def test_cross_account_grants_exist_between_workload_accounts(medium: dict[str, Any]) -> None:
    # Issue 8 asks for realistic cross-account trusts: resource policies of one workload account
    # granting roles of other workload accounts.
    cross = 0
    for account in medium["accounts"]:
        for resource in account["resources"]:
            if resource["policy"]:
                accounts = {p.split(":")[4] for p in _principal_values(resource["policy"]) if p.startswith("arn:")}
                cross += bool(accounts - {account["id"], "aws"})
    assert cross >= len(medium["accounts"])


def test_landing_zone_trusts(small: dict[str, Any]) -> None:
    # OrganizationAccountAccessRole trusts the management account (what Organizations creates);
    # security-audit trusts the security account's auditor; SSO roles use AssumeRoleWithSAML on the
    # account's own SAML provider.
    org = small["organization"]
    names = {a["id"]: a["name"] for a in small["accounts"]}
    security = next(i for i, n in names.items() if n == "security")
    for account in small["accounts"]:
        roles = {r["RoleName"]: r for r in account["authorization_details"]["RoleDetailList"]}
        audit = roles["security-audit"]["AssumeRolePolicyDocument"]["Statement"][0]
        assert audit["Principal"]["AWS"] == f"arn:aws:iam::{security}:role/security-auditor"
        if account["id"] != org["management_account_id"]:
            oaar = roles["OrganizationAccountAccessRole"]["AssumeRolePolicyDocument"]["Statement"][0]
            assert oaar["Principal"]["AWS"] == f"arn:aws:iam::{org['management_account_id']}:root"
        saml = {p["arn"] for p in account["identity_providers"] if p["type"] == "SAML"}
        sso = [r for n, r in roles.items() if n.startswith("AWSReservedSSO_")]
        assert len(sso) >= 5
        for role in sso:
            statement = role["AssumeRolePolicyDocument"]["Statement"][0]
            assert statement["Principal"]["Federated"] in saml
            assert "sts:AssumeRoleWithSAML" in statement["Action"]


def test_vendor_roles_match_their_external_id_practice(medium: dict[str, Any]) -> None:
    # Findings (SPEC section 6) must see both protected and unprotected third-party trusts.
    by_account = {v.account_id: v for v in VENDORS}
    seen = set()
    for account in medium["accounts"]:
        for role in account["authorization_details"]["RoleDetailList"]:
            for statement in role["AssumeRolePolicyDocument"]["Statement"]:
                principal = statement["Principal"].get("AWS", "")
                vendor = by_account.get(principal.split(":")[4]) if principal.startswith("arn:") else None
                if vendor:
                    has_external_id = "sts:ExternalId" in statement.get("Condition", {}).get("StringEquals", {})
                    assert has_external_id == vendor.uses_external_id
                    seen.add(has_external_id)
    assert seen == {True, False}


def test_scps_and_rcps(medium: dict[str, Any]) -> None:
    # FullAWSAccess and RCPFullAWSAccess are attached everywhere (AWS attaches them by default);
    # the deny guardrails are attached at OU level.
    org = medium["organization"]
    everything = {org["roots"][0]["id"]} | {o["id"] for o in org["organizational_units"]} | {
        a["id"] for a in org["accounts"]}
    policies = {p["name"]: p for p in org["policies"]}
    assert set(policies["FullAWSAccess"]["targets"]) == everything
    assert set(policies["RCPFullAWSAccess"]["targets"]) == everything
    ou_ids = {o["id"] for o in org["organizational_units"]}
    denies = [p for p in org["policies"] if p["name"] not in ("FullAWSAccess", "RCPFullAWSAccess")]
    assert {p["type"] for p in denies} == {"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"}
    for policy in denies:
        assert set(policy["targets"]) <= ou_ids
        assert all(s["Effect"] == "Deny" for s in policy["document"]["Statement"])


def test_ou_tree_is_a_few_levels_deep_and_every_parent_exists(medium: dict[str, Any]) -> None:
    # Root -> Workloads -> Prod -> business unit: SCP inheritance needs several levels to be exercised.
    org = medium["organization"]
    parents = {o["id"]: o["parent_id"] for o in org["organizational_units"]}
    known = set(parents) | {org["roots"][0]["id"]}
    assert set(parents.values()) <= known
    assert {a["parent_id"] for a in org["accounts"]} <= known

    def depth(node: str) -> int:
        return 0 if node not in parents else 1 + depth(parents[node])

    assert max(depth(a["parent_id"]) for a in org["accounts"]) >= 3


def test_attached_managed_policies_are_all_present(medium: dict[str, Any]) -> None:
    # GetAccountAuthorizationDetails lists every attached managed policy with its document; a
    # missing one would silently drop permissions.
    for account in medium["accounts"]:
        details = account["authorization_details"]
        available = {p["Arn"] for p in details["Policies"]}
        for principal in details["RoleDetailList"] + details["GroupDetailList"] + details["UserDetailList"]:
            for attached in principal["AttachedManagedPolicies"]:
                assert attached["PolicyArn"] in available, (principal["Arn"], attached["PolicyArn"])
            boundary = principal.get("PermissionsBoundary")
            if boundary:
                assert boundary["PermissionsBoundaryArn"] in available


def test_global_names_are_unique(medium: dict[str, Any]) -> None:
    # ARNs are identities in the graph: two resources or roles sharing one would merge nodes.
    arns = [r["arn"] for a in medium["accounts"] for r in a["resources"]]
    arns += [r["Arn"] for a in medium["accounts"] for r in a["authorization_details"]["RoleDetailList"]]
    assert len(arns) == len(set(arns))


def test_five_account_org_passes_snapshot_validation(small: dict[str, Any]) -> None:
    # The generated document must be a valid format-v1 snapshot (SPEC section 3), as checked by the
    # same validator `xpath-tui validate` uses, and parse into the typed model.
    snapshot = pytest.importorskip("graph.snapshot")
    assert snapshot.validate_snapshot(small) == []
    parsed = snapshot.parse_snapshot(small)
    assert len(parsed.accounts) == 5
    assert sum(len(a.roles) for a in parsed.accounts) == sum(
        len(a["authorization_details"]["RoleDetailList"]) for a in small["accounts"])
