"""Checks that read the access graph: role chains, and the external-access report."""

from __future__ import annotations

from dataclasses import replace

from planted import DATA, DEV, ORG_ID, VENDOR, assume, policy, resource, role

from graph.external import OutsiderKind
from graph.findings import FindingsSettings, run_findings
from graph.model import InlinePolicy, PolicyDocument, User

MAY_ASSUME = InlinePolicy("assume", PolicyDocument.from_dict(policy(
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})))
ALICE = f"arn:aws:iam::{DEV}:user/alice"


def chain(length: int, *, also_direct: str | None = None):
    """alice -> Hop1 -> Hop2 -> ... -> Hop<length>, each role trusting the previous one by ARN.

    `also_direct` names a role that alice may also assume directly (a shortcut).
    """
    roles, previous = [], ALICE
    for number in range(1, length + 1):
        account = DEV if number == 1 else DATA
        name = f"Hop{number}"
        trusted = [previous, ALICE] if name == also_direct else previous
        made = replace(role(account, name, policy(assume({"AWS": trusted}))), inline_policies=(MAY_ASSUME,))
        roles.append(made)
        previous = made.arn
    return {"roles": roles, "users": [User(ALICE, "alice", DEV, inline_policies=(MAY_ASSUME,))]}


def chain_findings(build, length: int, limit: int = 2, also_direct: str | None = None):
    report = run_findings(build(**chain(length, also_direct=also_direct)), FindingsSettings(max_chain=limit))
    return [f for f in report.findings if f.check_id == "XPT-CHAIN-001"]


def test_three_chained_assumptions_are_reported_at_the_last_role(build):
    # Role chaining is a role session assuming another role (IAM roles terms and concepts): alice -> Hop1
    # is not chaining, Hop1 -> Hop2 -> Hop3 -> Hop4 is three chained hops; the default limit is two.
    found = chain_findings(build, 4)
    assert [f.arn for f in found] == [f"arn:aws:iam::{DATA}:role/Hop4"]
    hops = [ALICE, f"arn:aws:iam::{DEV}:role/Hop1", f"arn:aws:iam::{DATA}:role/Hop2", f"arn:aws:iam::{DATA}:role/Hop3"]
    assert [hop.source for hop in found[0].path] == hops
    assert all(hop.edge == "assume-role" for hop in found[0].path)
    assert dict(found[0].details)["chained_hops"] == "3"


def test_two_chained_assumptions_are_within_the_limit(build):
    assert chain_findings(build, 3) == []


def test_a_role_also_assumable_directly_is_not_reported(build):
    # Hop4 is at the end of a long chain, but alice may also assume it directly: its shortest chain is 0 hops.
    assert chain_findings(build, 4, also_direct="Hop4") == []


def test_limit_is_configurable(build):
    # With --max-chain 3, three chained hops are fine, and four are reported at Hop5 only.
    assert chain_findings(build, 4, limit=3) == []
    assert [f.arn for f in chain_findings(build, 5, limit=3)] == [f"arn:aws:iam::{DATA}:role/Hop5"]


def test_external_report_lists_vendor_role_with_its_external_id(build):
    # The vendor account is outside the organization; its path needs the external ID, so it is conditional.
    vendor = role(DATA, "VendorRead", policy(assume({"AWS": VENDOR}, {"StringEquals": {"sts:ExternalId": "v-1"}})))
    report = run_findings(build(roles=[vendor]))
    assert report.external is not None
    entries = [(e.target, e.outsider, e.outsider_kind, str(e.path.status)) for e in report.external.entries]
    assert entries == [(vendor.arn, VENDOR, OutsiderKind.EXTERNAL_ACCOUNT, "conditional")]
    assert report.external.entries[0].path.conditions[0].key == "sts:ExternalId"


def test_trusted_vendor_is_not_external(build):
    vendor = role(DATA, "VendorRead", policy(assume({"AWS": VENDOR}, {"StringEquals": {"sts:ExternalId": "v-1"}})))
    report = run_findings(build(roles=[vendor]), FindingsSettings(trusted_accounts=frozenset({VENDOR})))
    assert report.external is not None and report.external.entries == ()


def test_public_bucket_is_external_and_member_grant_is_not(build):
    # "*" reaches the public bucket; the bucket granting only DEV (a member account) is not external.
    public = resource(DATA, "arn:aws:s3:::open", "AWS::S3::Bucket", policy(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::open/*"}))
    internal = resource(DATA, "arn:aws:s3:::inner", "AWS::S3::Bucket", policy(
        {"Effect": "Allow", "Principal": {"AWS": DEV}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::inner/*"}))
    report = run_findings(build(resources=[public, internal]))
    assert report.external is not None
    found = [(e.target, e.outsider_kind) for e in report.external.entries]
    assert found == [("arn:aws:s3:::open", OutsiderKind.PUBLIC)]


def test_bucket_open_to_the_organization_is_not_external(build):
    # "*" with aws:PrincipalOrgID = our organization admits only our own principals.
    pinned = resource(DATA, "arn:aws:s3:::org-only", "AWS::S3::Bucket", policy(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::org-only/*",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}}))
    report = run_findings(build(resources=[pinned]))
    assert report.external is not None and report.external.entries == ()


def test_oidc_provider_is_an_outsider_and_identity_center_is_not(build):
    # GitHub workloads are identities AWS does not hold; Identity Center's AWSSSO_ provider is the org's workforce.
    github = f"arn:aws:iam::{DATA}:oidc-provider/token.actions.githubusercontent.com"
    sso = f"arn:aws:iam::{DATA}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
    deploy = role(DATA, "Deploy", policy(assume(
        {"Federated": github},
        {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:example/app:ref:main"}},
        action="sts:AssumeRoleWithWebIdentity")))
    admin = role(DATA, "AWSReservedSSO_Admin_0123", policy(assume({"Federated": sso}, action="sts:AssumeRoleWithSAML")))
    report = run_findings(build(roles=[deploy, admin]))
    assert report.external is not None
    found = [(e.target, e.outsider, e.outsider_kind) for e in report.external.entries]
    assert found == [(deploy.arn, github, OutsiderKind.IDENTITY_PROVIDER)]
