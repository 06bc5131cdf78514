"""The access graph's answers on the demo organization (demo_data/demo.json, its story in demo_data/README.md).

Every expectation below was worked out by hand from the demo's policies and AWS's rules (the
section of /work/shared/SEMANTICS.md, or the AWS page, is cited beside it) before being compared
with what the graph says. The two disagreements found that way (a "*" trust leaving out uncollected
accounts; an AWS managed key reported unusable by its own account) were fixed in the graph.

Facts used throughout (SEMANTICS §2.1, §2.3, §2.4, §3.1):
- every member account's `OrganizationAccountAccessRole` (OAAR) trusts the management account's root
  and has AdministratorAccess, so the management account's admins (`break-glass-admin`, `BreakGlass`,
  the SSO AdministratorAccess role, and the SAML provider behind it) reach everything an admin of a
  member account can reach, two hops away; SCPs do not restrict the management account (§2.4);
- each S3 bucket but the CloudTrail one has `DenyInsecureTransport` (Deny unless aws:SecureTransport),
  a fact the snapshot cannot know, so every path into those buckets is `conditional` on that deny;
- `TemporaryDebugRole` (dev) trusts `{"AWS": "*"}`: same account, a grant to "*" needs no identity
  Allow (§2.2, the "*" row); other accounts' principals need an identity Allow of sts:AssumeRole (§2.3);
- dev's `admins` group denies everything without MFA (BoolIfExists): `bob` is conditional everywhere;
- SSO (SAML) and GitHub OIDC paths are conditional on their trust conditions (§3.1 "Federated trust"),
  service principals on the `aws:SourceAccount` of the trust they use (unknown for a service, CONTRACTS).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

import pytest

from graph.build import AccessGraph, build_graph
from graph.demo import demo_snapshot_path, load_demo
from graph.query import AccessPath, Hop, PrincipalAccess, WhoCanResult, find_paths, reach, who_can
from graph.snapshot import parse_snapshot
from tui.cli import main

MGMT, DEV, DATA, CP = "100000000000", "111111111111", "222222222222", "333333333333"
CUST_A, CUST_B, CUST_C, SEC = "444444444444", "555555555555", "666666666666", "777777777777"
AUDIT_VENDOR, MONITORING_SAAS = "999999999999", "888888888888"
ORG_ID = "o-demo123456"
EXTERNAL_ID = "my-secret-external-id-12345"


def role(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def user(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def saml(account: str) -> str:
    return f"arn:aws:iam::{account}:saml-provider/AWSSSO_4f0a1c2b3d4e5f60_DO_NOT_DELETE"


def oaar(account: str) -> str:
    return role(account, "OrganizationAccountAccessRole")


SSO_ADMIN = role(MGMT, "aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_a86159a85c657d63")
POWER_USER = role(DEV, "aws-reserved/sso.amazonaws.com/AWSReservedSSO_PowerUserAccess_6173912406e542fd")
DATA_ANALYST = role(DATA, "aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataAnalyst_2be0cc2e2dd6ddc5")
GITHUB_OIDC = f"arn:aws:iam::{DEV}:oidc-provider/token.actions.githubusercontent.com"
BREAK_GLASS_ADMIN, BREAK_GLASS = user(MGMT, "break-glass-admin"), role(MGMT, "BreakGlass")
APP_INSTANCE, CI_RUNNER, DEBUG_ROLE = role(DEV, "AppInstanceRole"), role(DEV, "CiRunner"), role(DEV, "TemporaryDebugRole")
ALICE, BOB, JANE, CI_LEGACY = (user(DEV, "alice"), user(DEV, "bob"), user(DEV, "contractor-jane"),
                               user(DEV, "ci-legacy-deployer"))
CROSS_S3, VENDOR_AUDIT, PIPELINE = role(DATA, "CrossAccountS3Access"), role(DATA, "VendorAudit"), role(DATA, "DataPipeline")
QUEUE_ADMIN, DATA_READER = role(DATA, "QueueAdmin"), role(DATA, "CrossAccountDataReader")
DANA, ERIK = user(DATA, "dana"), user(DATA, "erik")
CP_BACKUP, ANALYTICS, DEPLOY_HUB = role(CP, "BackupRole"), role(CP, "AnalyticsRole"), role(CP, "DeployHub")
PROVISIONER_ROLE, OPS_ONCALL = role(CP, "TenantProvisionerRole"), user(CP, "ops-oncall")
DEPLOY_TARGET, LEGACY_REPLICATION = role(CUST_A, "DeployTarget"), role(CUST_B, "LegacyReplication")
CUSTOMER_BACKUP = {CUST_A: role(CUST_A, "BackupRole"), CUST_B: role(CUST_B, "CustomerBackup"),
                   CUST_C: role(CUST_C, "BackupRole")}
CUSTOMER_ADMIN = {CUST_A: user(CUST_A, "customer-a-admin"), CUST_B: user(CUST_B, "customer-b-admin"),
                  CUST_C: user(CUST_C, "customer-c-admin")}
SECURITY_TOOLING, SECURITY_AUDITOR = role(SEC, "SecurityTooling"), user(SEC, "security-auditor")
MONITORING_VENDOR = role(SEC, "MonitoringVendor")
EC2, LAMBDA, ECS, EVENTS = "ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "events.amazonaws.com"

DEV_ARTIFACTS = "arn:aws:s3:::dev-artifacts-111111111111"
SHARED_BUCKET = "arn:aws:s3:::shared-data-bucket"
DATA_KEY = "arn:aws:kms:us-east-1:222222222222:key/4c1d7e2a-8b3f-4e6a-9d0c-5f2b1a7e3c90"
DATA_EVENTS = "arn:aws:sns:us-east-1:222222222222:data-events"
INGEST_QUEUE = "arn:aws:sqs:us-east-1:222222222222:ingest-queue"
WAREHOUSE_SECRET = "arn:aws:secretsmanager:us-east-1:222222222222:secret:warehouse/readonly-credentials-Ab12Cd"
PROVISIONER = "arn:aws:lambda:us-east-1:333333333333:function:tenant-provisioner"
BASE_IMAGES = "arn:aws:ecr:us-east-1:333333333333:repository/platform/base-images"
BACKUP_JOBS = "arn:aws:sqs:us-east-1:333333333333:backup-jobs"
CUSTOMER_BUCKET = {CUST_A: "arn:aws:s3:::customer-a-analytics", CUST_B: "arn:aws:s3:::customer-b-analytics",
                   CUST_C: "arn:aws:s3:::customer-c-analytics"}
CLOUDTRAIL_BUCKET = "arn:aws:s3:::org-cloudtrail-777777777777"
TRAIL_KEY = "arn:aws:kms:us-east-1:777777777777:key/9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4"
SECURITY_ALERTS = "arn:aws:sns:us-east-1:777777777777:security-alerts"

ALLOWED, CONDITIONAL = "allowed", "conditional"


@pytest.fixture(scope="module")
def demo() -> AccessGraph:
    """The demo organization's graph, built once for the module."""
    return build_graph(load_demo())


def raw_demo() -> dict[str, Any]:
    """A fresh, editable copy of the demo document (for the counterfactual checks)."""
    with demo_snapshot_path().open(encoding="utf-8") as handle:
        return copy.deepcopy(json.load(handle))


def build_raw(raw: dict[str, Any]) -> AccessGraph:
    return build_graph(parse_snapshot(raw, origin="demo (edited)"))


def answer(result: WhoCanResult) -> dict[str, str]:
    return {entry.principal: entry.path.status.value for entry in result.principals}


def entry_of(result: WhoCanResult, principal: str) -> PrincipalAccess:
    found = [entry for entry in result.principals if entry.principal == principal]
    assert found, f"{principal} is missing from who-can {result.resource}"
    return found[0]


def condition_keys(entry: PrincipalAccess) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(c.key, c.operator, tuple(c.values)) for c in entry.path.conditions}


def deny_keys(entry: PrincipalAccess) -> set[str]:
    return {c.key for hop in entry.path.hops for c in hop.deny_conditions}


def every(status: str, principals: Iterable[str]) -> dict[str, str]:
    return dict.fromkeys(principals, status)


def management(status: str = ALLOWED) -> dict[str, str]:
    """The management account and its admins, through the member account's OAAR (SEMANTICS §2.4, §3.1)."""
    return {**every(status, [MGMT, BREAK_GLASS_ADMIN, BREAK_GLASS, SSO_ADMIN]),
            saml(MGMT): CONDITIONAL}  # SAML:aud on the SSO role's trust


SIGNING_KEY = "arn:aws:secretsmanager:us-east-1:111111111111:secret:release/signing-key-Rk7Qp2"
RELEASE_PUBLISHER = role(DEV, "ReleasePublisher")
RELEASE_SIGNER = role(DEV, "ReleaseSigner")
# The 16 resources of the demo; `test_every_resource_of_the_demo_is_answered_below` keeps this list whole.
ALL_RESOURCES = {DEV_ARTIFACTS, SHARED_BUCKET, DATA_KEY, DATA_EVENTS, INGEST_QUEUE, WAREHOUSE_SECRET, PROVISIONER,
                 BASE_IMAGES, BACKUP_JOBS, *CUSTOMER_BUCKET.values(), CLOUDTRAIL_BUCKET, TRAIL_KEY, SECURITY_ALERTS,
                 SIGNING_KEY}
# Every member account reaches TemporaryDebugRole through its admin OAAR (cross account: the "*" trust
# plus the identity Allow of AdministratorAccess, SEMANTICS §2.3); the customers' admin users too.
OTHER_ADMINS = [oaar(account) for account in (DATA, CP, CUST_A, CUST_B, CUST_C, SEC)] + list(CUSTOMER_ADMIN.values())


# ---------------------------------------------------------------------------------------------
# who-can, default action (any action): the full answer for every resource
# ---------------------------------------------------------------------------------------------


def test_every_resource_of_the_demo_is_answered_below(demo: AccessGraph) -> None:
    # the demo has 16 resources (security-findings-archive's policy could not be read: it is no resource node)
    resources = {node for node, data in demo.graph.nodes(data=True) if data.get("kind") == "resource"}
    assert resources == ALL_RESOURCES


def test_dev_artifacts(demo: AccessGraph) -> None:
    # The bucket policy only denies insecure transport: access comes from dev's identity policies
    # (same account), directly or through TemporaryDebugRole ("*" trust, S3 read-only on "*").
    expected = every(CONDITIONAL, [
        "*",                                   # anyone whose own policies allow sts:AssumeRole on TemporaryDebugRole
        DEV, ALICE, BOB, JANE, CI_LEGACY,      # S3ReadOnly (alice, bob, jane within her boundary), inline (ci-legacy)
        oaar(DEV), POWER_USER, DEBUG_ROLE,     # AdministratorAccess x2, AmazonS3ReadOnlyAccess
        APP_INSTANCE, CI_RUNNER,               # no S3 of their own: through TemporaryDebugRole ("*" trust, same account)
        GITHUB_OIDC, saml(DEV), EC2,           # into CiRunner / PowerUser / AppInstanceRole
        DATA, CP, CUST_A, CUST_B, CUST_C, SEC, *OTHER_ADMINS,  # through TemporaryDebugRole, cross account
        AUDIT_VENDOR, MONITORING_SAAS,         # opaque outsiders through the "*" trust of TemporaryDebugRole
        *management(CONDITIONAL)])
    result = who_can(demo, DEV_ARTIFACTS)
    assert answer(result) == expected
    # jane's boundary explicitly denies sts:AssumeRole: she reads directly, one hop
    assert len(entry_of(result, JANE).path.hops) == 1
    assert condition_keys(entry_of(result, EC2)) == {("aws:SourceAccount", "StringEquals", (DEV,))}


def test_dev_artifacts_outsiders_through_the_star_trust(demo: AccessGraph) -> None:
    # SPEC §2: an uncollected account is an opaque node standing for every principal in it. TemporaryDebugRole
    # trusts {"AWS": "*"}: any principal of 999999999999 or 888888888888 whose own policy allows sts:AssumeRole
    # can assume it (SEMANTICS §2.3, §3.1) and then read the bucket (S3ReadOnly, same account).
    result = who_can(demo, DEV_ARTIFACTS)
    assert {AUDIT_VENDOR, MONITORING_SAAS} <= set(answer(result))
    assert [hop.target for hop in entry_of(result, MONITORING_SAAS).path.hops] == [DEBUG_ROLE, DEV_ARTIFACTS]


def test_shared_data_bucket(demo: AccessGraph) -> None:
    expected = every(CONDITIONAL, [
        "*",
        # bucket policy DevAccountList/DevAccountRead name dev's root: dev principals whose identity allows (§2.3)
        DEV, APP_INSTANCE, oaar(DEV), POWER_USER, DEBUG_ROLE, ALICE, BOB, JANE,
        CI_RUNNER, CI_LEGACY, GITHUB_OIDC, saml(DEV), EC2,   # through TemporaryDebugRole / PowerUser / AppInstanceRole
        # same account: identity policies alone (§2.1 step 6)
        DATA, CROSS_S3, VENDOR_AUDIT, PIPELINE, oaar(DATA), DATA_ANALYST, DANA, ERIK, saml(DATA), LAMBDA,
        AUDIT_VENDOR,                          # through VendorAudit, with the external id
        CP, CUST_A, CUST_B, CUST_C, SEC, *OTHER_ADMINS,  # through TemporaryDebugRole, then dev's grant
        MONITORING_SAAS,                       # through TemporaryDebugRole ("*" trust), then dev's grant
        *management(CONDITIONAL)])
    # 888888888888's direct grant PartnerExports is denied by the RCP EnforceOrgIdentities (test_rcp_*),
    # but the debug role is inside the organization, so the RCP does not stop that path
    assert answer(who_can(demo, SHARED_BUCKET)) == expected


def test_shared_data_key(demo: AccessGraph) -> None:
    # KMS: a key policy is the only way in (SEMANTICS §4.1). Statement 0 delegates to 222's IAM (root),
    # statement 2 shares Decrypt/DescribeKey with dev's root (its principals need an identity Allow, §2.3),
    # statement 3 names DataPipeline. TemporaryDebugRole has no kms: action, so "*" and other accounts do not.
    expected = {
        **every(ALLOWED, [DEV, APP_INSTANCE, oaar(DEV), POWER_USER,     # identity Allow of kms:Decrypt
                          ALICE,                                          # through CrossAccountS3Access (Decrypt)
                          DATA, CROSS_S3, VENDOR_AUDIT, PIPELINE, oaar(DATA)]),
        BOB: CONDITIONAL, saml(DEV): CONDITIONAL, EC2: CONDITIONAL, LAMBDA: CONDITIONAL,
        AUDIT_VENDOR: CONDITIONAL,                                        # VendorAudit's DecryptSamples, external id
        **management()}
    assert answer(who_can(demo, DATA_KEY)) == expected


def test_data_events_topic(demo: AccessGraph) -> None:
    # The AWS default statement grants {"AWS": "*"} only with AWS:SourceOwner = 222222222222, a key absent
    # from IAM principals' requests (CONTRACTS, graph/context.py): it grants nobody. ControlPlaneSubscribes
    # names 333's root (only its OAAR has sns:Subscribe); S3EventNotifications lets s3.amazonaws.com publish
    # with no source condition (a confused-deputy finding, not a condition).
    expected = {**every(ALLOWED, [DATA, oaar(DATA), CP, oaar(CP), "s3.amazonaws.com"]), **management()}
    result = who_can(demo, DATA_EVENTS)
    assert answer(result) == expected
    # encrypted with the AWS managed alias/aws/sns: the answer says only its own account can use it
    assert any("alias/aws/sns" in warning for warning in result.warnings)


def test_ingest_queue(demo: AccessGraph) -> None:
    # DevSends names dev's root (SendMessage); EveryoneButTheAdminReads is an Allow with NotPrincipal
    # QueueAdmin: everyone else may ReceiveMessage/GetQueueAttributes, i.e. every principal of 222 directly
    # (same account, like "*", §2.2) and every other account's principals whose identity allows sqs (§2.3);
    # the RCP EnforceOrgIdentities denies SQS to principals outside the organization.
    expected = {
        "*": CONDITIONAL,                                      # only members of the organization (RCP)
        **every(ALLOWED, [DATA, CROSS_S3, VENDOR_AUDIT, PIPELINE, QUEUE_ADMIN, DATA_READER, oaar(DATA),
                          DATA_ANALYST, DANA, ERIK]),        # QueueAdmin by its own sqs:* Allow
        saml(DATA): CONDITIONAL, LAMBDA: CONDITIONAL,
        **every(ALLOWED, [DEV, APP_INSTANCE, oaar(DEV), POWER_USER,  # sqs:SendMessage or Admin identity
                          ALICE]),                           # through CrossAccountS3Access (same account as the queue)
        BOB: CONDITIONAL, saml(DEV): CONDITIONAL, EC2: CONDITIONAL,
        **every(ALLOWED, [CP, CUST_A, CUST_B, CUST_C, SEC, *OTHER_ADMINS]),  # Admin identity + NotPrincipal grant
        AUDIT_VENDOR: CONDITIONAL,                             # through VendorAudit (directly: the RCP denies)
        "sns.amazonaws.com": ALLOWED,                          # TopicToQueue and the NotPrincipal read grant
        **management()}
    result = who_can(demo, INGEST_QUEUE)
    assert answer(result) == expected
    # the public entry is narrowed by the RCP's deny on aws:PrincipalOrgID
    assert "aws:PrincipalOrgID" in deny_keys(entry_of(result, "*"))


def test_warehouse_secret(demo: AccessGraph) -> None:
    # AnalyticsReadsCredentials names control-plane's AnalyticsRole (whose identity allows GetSecretValue);
    # in 222 only OAAR has secretsmanager in its identity: erik's Allow is overridden by the analysts'
    # explicit Deny (test_explicit_deny_*).
    # issue 9: 333's OAAR (admin) may rewrite AnalyticsRole's trust (iam:UpdateAssumeRolePolicy), a
    # privilege-escalation hop, and the secret's policy names AnalyticsRole by ARN.
    expected = {**every(ALLOWED, [DATA, oaar(DATA), CP, ANALYTICS, oaar(CP)]), EC2: CONDITIONAL, **management()}
    result = who_can(demo, WAREHOUSE_SECRET)
    assert answer(result) == expected
    # the secret is encrypted with 222's key, whose policy does not share it with 333: AnalyticsRole gets the
    # secret's ciphertext but cannot decrypt it (KMS key policy, SEMANTICS §4.1)
    assert result.key is not None and result.key.key_arn == DATA_KEY
    assert entry_of(result, ANALYTICS).key_status == "no"


def test_tenant_provisioner(demo: AccessGraph) -> None:
    # dev-ci-invoke names CiRunner's role ARN (its identity allows InvokeFunction); nightly-schedule lets
    # events.amazonaws.com invoke with no condition. CiRunner trusts dev's root (an identity Allow needed:
    # alice and bob through developers, admins) and GitHub OIDC.
    expected = {**every(ALLOWED, [DEV, CI_RUNNER, ALICE, oaar(DEV), POWER_USER, CP, oaar(CP), EVENTS]),
                **every(CONDITIONAL, [BOB, GITHUB_OIDC, saml(DEV)]), **management()}
    result = who_can(demo, PROVISIONER)
    assert answer(result) == expected
    assert condition_keys(entry_of(result, GITHUB_OIDC)) == {
        ("token.actions.githubusercontent.com:aud", "StringEquals", ("sts.amazonaws.com",)),
        ("token.actions.githubusercontent.com:sub", "StringLike", ("repo:example-corp/platform:ref:refs/heads/main",))}


def test_base_images_repository(demo: AccessGraph) -> None:
    # OrganizationPulls grants "*" with aws:PrincipalOrgID = the organization (decided per principal, SPEC §2):
    # every principal of 333 directly (same account), elsewhere those whose identity allows ecr (admins).
    expected = {
        "*": CONDITIONAL,
        **every(ALLOWED, [CP, oaar(CP), ANALYTICS, CP_BACKUP, DEPLOY_HUB, PROVISIONER_ROLE, OPS_ONCALL]),
        EC2: CONDITIONAL, LAMBDA: CONDITIONAL,
        **every(ALLOWED, [DEV, oaar(DEV), POWER_USER,
                          CI_RUNNER, ALICE]),                  # through DeployHub (same account as the repository)
        **every(CONDITIONAL, [BOB, GITHUB_OIDC, saml(DEV)]),
        **every(ALLOWED, [DATA, CUST_A, CUST_B, CUST_C, SEC, *OTHER_ADMINS]),
        **management()}
    result = who_can(demo, BASE_IMAGES)
    assert answer(result) == expected
    # "*" stands for anyone: the organization condition stays on it
    assert condition_keys(entry_of(result, "*")) == {("aws:PrincipalOrgID", "StringEquals", (ORG_ID,))}


def test_backup_jobs_queue(demo: AccessGraph) -> None:
    # CustomersQueueBackupJobs names the three customers' roots: their principals with sqs:SendMessage
    # (admins only; the backup roles have no sqs Allow).
    expected = {**every(ALLOWED, [CP, oaar(CP)]),
                **every(ALLOWED, [account for account in (CUST_A, CUST_B, CUST_C)]),
                **every(ALLOWED, [oaar(account) for account in (CUST_A, CUST_B, CUST_C)]),
                **every(ALLOWED, CUSTOMER_ADMIN.values()), **management()}
    assert answer(who_can(demo, BACKUP_JOBS)) == expected


def test_customer_a_bucket(demo: AccessGraph) -> None:
    expected = every(CONDITIONAL, [
        CUST_A, oaar(CUST_A), CUSTOMER_ADMIN[CUST_A], CUSTOMER_BACKUP[CUST_A],  # same account, identity
        role(CUST_A, "AppRole"), ECS,          # app/* prefix
        DEPLOY_TARGET,                         # s3:PutObject on "*"
        CP, ANALYTICS, EC2,                    # the bucket policy names AnalyticsRole (hybrid pattern)
        CP_BACKUP, LAMBDA,                     # BackupRole assumes customer-a's BackupRole
        DEPLOY_HUB, CI_RUNNER, DEV, ALICE, BOB, oaar(DEV), POWER_USER, GITHUB_OIDC, saml(DEV),  # the deploy chain
        oaar(CP),  # issue 9: 333's admin takes over BackupRole (trust rewrite, or passing it to Lambda), which
                   # customer-a's BackupRole trusts by ARN
        *management(CONDITIONAL)])
    assert answer(who_can(demo, CUSTOMER_BUCKET[CUST_A])) == expected


def test_customer_b_bucket(demo: AccessGraph) -> None:
    expected = every(CONDITIONAL, [
        CUST_B, oaar(CUST_B), CUSTOMER_ADMIN[CUST_B], CUSTOMER_BACKUP[CUST_B], role(CUST_B, "AppRole"), ECS,
        LEGACY_REPLICATION,                    # its own identity policy
        CUST_A, DEPLOY_TARGET,                 # DeployTarget assumes LegacyReplication
        CP, ANALYTICS, EC2, CP_BACKUP, LAMBDA,
        DEPLOY_HUB, CI_RUNNER, DEV, ALICE, BOB, oaar(DEV), POWER_USER, GITHUB_OIDC,  # the three-hop chain
        saml(DEV),                             # 6 hops: SSO -> PowerUser -> CiRunner -> DeployHub -> DeployTarget -> ...
        # issue 9, privilege-escalation hops of admins: 333's OAAR takes over BackupRole (named by CustomerBackup's
        # trust) or DeployHub; customer-a's admins take over DeployTarget, which LegacyReplication trusts by ARN
        oaar(CP), oaar(CUST_A), CUSTOMER_ADMIN[CUST_A],
        *management(CONDITIONAL)])
    result = who_can(demo, CUSTOMER_BUCKET[CUST_B])
    assert answer(result) == expected
    assert len(entry_of(result, saml(DEV)).path.hops) == 6


def test_customer_c_bucket(demo: AccessGraph) -> None:
    # no deploy chain reaches customer-c (DeployTarget only assumes LegacyReplication)
    expected = every(CONDITIONAL, [
        CUST_C, oaar(CUST_C), CUSTOMER_ADMIN[CUST_C], CUSTOMER_BACKUP[CUST_C], role(CUST_C, "AppRole"), ECS,
        CP, ANALYTICS, EC2, CP_BACKUP, LAMBDA,
        oaar(CP),  # issue 9: 333's admin takes over BackupRole, which customer-c's BackupRole trusts by ARN
        *management(CONDITIONAL)])
    assert answer(who_can(demo, CUSTOMER_BUCKET[CUST_C])) == expected


def test_cloudtrail_bucket(demo: AccessGraph) -> None:
    # No DenyInsecureTransport here. The policy grants only cloudtrail.amazonaws.com, pinned by aws:SourceArn
    # (unknown for a service: conditional). 777's S3 readers by identity; CrossAccountDataReader (222)
    # assumes SecurityTooling, which trusts it by ARN.
    # issue 9: 222's OAAR (admin) takes over CrossAccountDataReader (trust rewrite), which SecurityTooling
    # trusts by ARN: a privilege-escalation hop.
    expected = {**every(ALLOWED, [SEC, oaar(SEC), SECURITY_AUDITOR, SECURITY_TOOLING, DATA, DATA_READER, oaar(DATA)]),
                "cloudtrail.amazonaws.com": CONDITIONAL, **management()}
    result = who_can(demo, CLOUDTRAIL_BUCKET)
    assert answer(result) == expected
    assert ("aws:SourceArn", "StringEquals", ("arn:aws:cloudtrail:us-east-1:100000000000:trail/org-trail",)) in \
        condition_keys(entry_of(result, "cloudtrail.amazonaws.com"))


def test_cloudtrail_key(demo: AccessGraph) -> None:
    # root delegation: only 777's OAAR has a kms Allow; CloudTrail pinned by SourceArn and encryption context
    expected = {**every(ALLOWED, [SEC, oaar(SEC)]), "cloudtrail.amazonaws.com": CONDITIONAL, **management()}
    assert answer(who_can(demo, TRAIL_KEY)) == expected


def test_security_alerts_topic(demo: AccessGraph) -> None:
    # the AWS default policy only (SourceOwner: nobody); 777's OAAR by identity. The monitoring vendor's
    # role has no sns Allow: 888888888888 reaches nothing here.
    expected = {**every(ALLOWED, [SEC, oaar(SEC)]), **management()}
    assert answer(who_can(demo, SECURITY_ALERTS)) == expected


# ---------------------------------------------------------------------------------------------
# paths: Account A (dev) to shared-data-bucket, s3:GetObject
# ---------------------------------------------------------------------------------------------

MEMBER, ASSUME, RESOURCE_POLICY, IDENTITY_POLICY = "member", "assume-role", "resource-policy", "identity-policy"
# The bucket policy's DevAccountRead names dev's root: a dev principal reads directly when its own identity
# allows s3:GetObject on the objects (SEMANTICS §2.3). CiRunner and ci-legacy-deployer have no such Allow.
DIRECT_READERS = [APP_INSTANCE, oaar(DEV), DEBUG_ROLE, POWER_USER, ALICE, BOB, JANE]
# CrossAccountS3Access trusts dev's root: callers need an identity Allow of sts:AssumeRole on it (§3.1):
# AppInstanceRole (AssumeDataReader), alice and bob (developers' ReachDataAccount), the two admins.
# contractor-jane's boundary denies sts:AssumeRole.
CROSS_S3_CALLERS = [APP_INSTANCE, oaar(DEV), POWER_USER, ALICE, BOB]
# TemporaryDebugRole trusts "*": in its own account no identity Allow is needed (§2.2), so every dev
# principal but jane (boundary Deny) may assume it; it then reads through DevAccountRead (S3ReadOnly).
DEBUG_CALLERS = [APP_INSTANCE, CI_RUNNER, oaar(DEV), POWER_USER, ALICE, BOB, CI_LEGACY]
# CiRunner trusts dev's root: those with sts:AssumeRole on it (developers, admins) chain CiRunner -> debug role.
CI_CALLERS = [oaar(DEV), POWER_USER, ALICE, BOB]

EXPECTED_PATHS = {
    *[((DEV, x, SHARED_BUCKET), (MEMBER, RESOURCE_POLICY)) for x in DIRECT_READERS],
    *[((DEV, x, CROSS_S3, SHARED_BUCKET), (MEMBER, ASSUME, IDENTITY_POLICY)) for x in CROSS_S3_CALLERS],
    *[((DEV, x, DEBUG_ROLE, SHARED_BUCKET), (MEMBER, ASSUME, RESOURCE_POLICY)) for x in DEBUG_CALLERS],
    *[((DEV, x, CI_RUNNER, DEBUG_ROLE, SHARED_BUCKET), (MEMBER, ASSUME, ASSUME, RESOURCE_POLICY)) for x in CI_CALLERS],
}


def nodes_and_kinds(path: AccessPath) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (path.hops[0].source, *[hop.target for hop in path.hops]), tuple(hop.kind.value for hop in path.hops)


def grants(hop: Hop) -> set[tuple[str, int, str | None]]:
    return {(grant.policy, grant.statement, grant.sid) for grant in hop.granted_by}


def test_paths_from_dev_to_the_shared_bucket_are_exactly_these(demo: AccessGraph) -> None:
    result = find_paths(demo, DEV, SHARED_BUCKET, action="s3:GetObject")
    assert not result.truncated  # 23 paths, all within the default 6 hops and 100-path limit
    assert {nodes_and_kinds(path) for path in result.paths} == EXPECTED_PATHS
    assert len(result.paths) == len(EXPECTED_PATHS) == 23
    lengths = [len(path.hops) for path in result.paths]
    assert lengths == sorted(lengths)  # shortest first


def test_the_two_ways_of_app_instance_role(demo: AccessGraph) -> None:
    result = find_paths(demo, DEV, SHARED_BUCKET, action="s3:GetObject")
    by_nodes = {nodes_and_kinds(path)[0]: path for path in result.paths}
    direct = by_nodes[(DEV, APP_INSTANCE, SHARED_BUCKET)]
    through_role = by_nodes[(DEV, APP_INSTANCE, CROSS_S3, SHARED_BUCKET)]
    assert result.paths.index(direct) < result.paths.index(through_role)  # 2 hops before 3
    # the bucket-policy path: both sides of a cross-account request grant it (SEMANTICS §2.3)
    grant_hop = direct.hops[1]
    assert grant_hop.kind.value == RESOURCE_POLICY and grant_hop.actions == ("s3:GetObject",)
    assert grants(grant_hop) == {(f"arn:aws:iam::{DEV}:policy/SharedDataRead", 2, "ReadSharedData"),
                                 ("resource-policy", 2, "DevAccountRead")}
    # the role-assumption path: SharedDataRead's AssumeDataReader + the trust's TrustDevAccount, then the
    # role's own inline policy (same account as the bucket, identity policy alone, §2.1)
    assume, read = through_role.hops[1], through_role.hops[2]
    assert assume.kind.value == ASSUME and assume.chained  # the instance role's session assumes again (§3.2)
    assert grants(assume) == {(f"arn:aws:iam::{DEV}:policy/SharedDataRead", 0, "AssumeDataReader"),
                              ("trust-policy", 0, "TrustDevAccount")}
    assert read.kind.value == IDENTITY_POLICY
    assert grants(read) == {(f"{CROSS_S3}/inline/read-shared-data", 1, "Read")}
    for path in (direct, through_role):
        # no allow condition; only the bucket's DenyInsecureTransport (unknowable) makes them conditional
        assert path.status.value == CONDITIONAL and path.conditions == ()
        assert [c.key for hop in path.hops for c in hop.deny_conditions] == ["aws:SecureTransport"]


def test_bobs_paths_need_mfa(demo: AccessGraph) -> None:
    # admins' DenyWithoutMFA (BoolIfExists aws:MultiFactorAuthPresent false) covers s3:GetObject and sts:AssumeRole
    result = find_paths(demo, DEV, SHARED_BUCKET, action="s3:GetObject")
    bobs = [path for path in result.paths if path.hops[0].target == BOB]
    assert len(bobs) == 4
    for path in bobs:
        assert "aws:MultiFactorAuthPresent" in {c.key for c in path.hops[1].deny_conditions}


# ---------------------------------------------------------------------------------------------
# the story's cases: external id, hybrid pattern, SCP, boundary, explicit deny, RCP, partial snapshot
# ---------------------------------------------------------------------------------------------


def test_external_id_vendor(demo: AccessGraph) -> None:
    # VendorAudit trusts 999999999999's root only with sts:ExternalId = the secret value: a request-time
    # fact, so the hop is conditional on exactly that condition (SPEC §2, SEMANTICS §7.3)
    result = find_paths(demo, AUDIT_VENDOR, SHARED_BUCKET, action="s3:GetObject")
    vendor_paths = [p for p in result.paths if p.hops[0].target == VENDOR_AUDIT]
    assert len(vendor_paths) == 1
    assume, read = vendor_paths[0].hops
    assert assume.kind.value == ASSUME and assume.status.value == CONDITIONAL
    assert [(c.key, c.operator, tuple(c.values)) for c in assume.conditions] == [
        ("sts:ExternalId", "StringEquals", (EXTERNAL_ID,))]
    assert grants(assume) == {("trust-policy", 0, "AuditVendor")}
    assert grants(read) == {(f"arn:aws:iam::{DATA}:policy/VendorAuditReadOnly", 1, "SampleObjects")}
    # MonitoringVendor trusts 888888888888 with no external id: an unconditional assume-role hop
    monitoring = find_paths(demo, MONITORING_SAAS, MONITORING_VENDOR)
    assert [(len(p.hops), p.hops[0].status.value, p.hops[0].conditions) for p in monitoring.paths] == [(1, ALLOWED, ())]


def test_outsiders_reach_the_shared_bucket_through_the_debug_role(demo: AccessGraph) -> None:
    # TemporaryDebugRole trusts {"AWS": "*"}; an opaque account stands for all its principals (SPEC §2), whose
    # own policies may allow sts:AssumeRole (§2.3). Once in the debug role (a dev principal, inside the
    # organization, so the RCP does not apply) DevAccountRead grants the objects. So both vendors reach the
    # bucket with no external id at all: the audit vendor's answer must not hinge on sts:ExternalId.
    for outsider in (AUDIT_VENDOR, MONITORING_SAAS):
        result = find_paths(demo, outsider, SHARED_BUCKET, action="s3:GetObject")
        assert ((outsider, DEBUG_ROLE, SHARED_BUCKET), (ASSUME, RESOURCE_POLICY)) in \
            {nodes_and_kinds(path) for path in result.paths}
        assert all(path.conditions == () for path in result.paths if path.hops[0].target == DEBUG_ROLE)


@pytest.mark.parametrize("customer", [CUST_A, CUST_B, CUST_C])
def test_hybrid_control_plane(demo: AccessGraph, customer: str) -> None:
    result = who_can(demo, CUSTOMER_BUCKET[customer], action="s3:GetObject")
    # BackupRole assumes the customer's backup role, then reads by that role's identity policy. The trust's
    # aws:PrincipalOrgID is a fact of the snapshot (BackupRole is in o-demo123456): decided, not a condition.
    backup = entry_of(result, CP_BACKUP)
    assert [(hop.kind.value, hop.target) for hop in backup.path.hops] == [
        (ASSUME, CUSTOMER_BACKUP[customer]), (IDENTITY_POLICY, CUSTOMER_BUCKET[customer])]
    assert backup.path.hops[0].conditions == ()
    assert ("trust-policy", 0, "ControlPlaneBackup") in grants(backup.path.hops[0])
    # AnalyticsRole reads directly: the bucket policy names its ARN, its own policy allows (§2.3)
    analytics = entry_of(result, ANALYTICS)
    assert [(hop.kind.value, hop.target) for hop in analytics.path.hops] == [
        (RESOURCE_POLICY, CUSTOMER_BUCKET[customer])]
    assert ("resource-policy", 2, "ControlPlaneAnalyticsRead") in grants(analytics.path.hops[0])


def test_hybrid_control_plane_reach(demo: AccessGraph) -> None:
    reached = {r.resource: r for r in reach(demo, CP_BACKUP).resources}
    for customer, bucket in CUSTOMER_BUCKET.items():
        assert [hop.kind.value for hop in reached[bucket].path.hops] == [ASSUME, IDENTITY_POLICY], customer
    reached = {r.resource: r for r in reach(demo, ANALYTICS).resources}
    assert all([hop.kind.value for hop in reached[bucket].path.hops] == [RESOURCE_POLICY]
               for bucket in CUSTOMER_BUCKET.values())


def test_scp_protect_data_stores(demo: AccessGraph) -> None:
    # ProtectDataStores (Customers OU) denies s3:PutBucketPolicy unless aws:PrincipalArn is BreakGlass or
    # OrganizationAccountAccessRole. customer-a-admin (AdministratorAccess) is a user: the SCP removes it
    # (SEMANTICS §2.1 step 2-3); customer-a's OAAR, and the management admins through it, keep the action.
    # Nobody else has s3:PutBucketPolicy on the bucket (its policy grants only reads to AnalyticsRole).
    expected = {CUST_A: CONDITIONAL, oaar(CUST_A): CONDITIONAL, **management(CONDITIONAL)}
    assert answer(who_can(demo, CUSTOMER_BUCKET[CUST_A], action="s3:PutBucketPolicy")) == expected
    # counterfactual: without the SCP the admin user has it
    raw = raw_demo()
    raw["organization"]["policies"] = [p for p in raw["organization"]["policies"] if p["name"] != "ProtectDataStores"]
    widened = answer(who_can(build_raw(raw), CUSTOMER_BUCKET[CUST_A], action="s3:PutBucketPolicy"))
    assert widened == {**expected, CUSTOMER_ADMIN[CUST_A]: CONDITIONAL}


def _dev_user(raw: dict[str, Any], name: str) -> dict[str, Any]:
    account = next(a for a in raw["accounts"] if a["id"] == DEV)
    return next(u for u in account["authorization_details"]["UserDetailList"] if u["UserName"] == name)


def test_permissions_boundary_stops_contractor_jane(demo: AccessGraph) -> None:
    # developers allows sts:AssumeRole on CrossAccountS3Access, but ContractorBoundary's NoIdentityChanges
    # denies sts:AssumeRole: the boundary limits the caller (SEMANTICS §3.1, access_policies_boundaries)
    assert find_paths(demo, JANE, CROSS_S3).paths == ()
    assert find_paths(demo, JANE, DEBUG_ROLE).paths == ()
    assert [len(p.hops) for p in find_paths(demo, ALICE, CROSS_S3).paths] == [1]  # alice, same group, no boundary
    # jane still reads the bucket directly: the boundary allows s3:GetObject (ReadOnlyWorkloads)
    jane = entry_of(who_can(demo, SHARED_BUCKET, action="s3:GetObject"), JANE)
    assert [hop.kind.value for hop in jane.path.hops] == [RESOURCE_POLICY]
    # counterfactual: without the boundary, jane assumes the role like alice
    raw = raw_demo()
    del _dev_user(raw, "contractor-jane")["PermissionsBoundary"]
    assert [len(p.hops) for p in find_paths(build_raw(raw), JANE, CROSS_S3).paths] == [1]


def test_explicit_deny_of_the_analysts(demo: AccessGraph) -> None:
    # erik's inline ReadWarehouseSecret allows GetSecretValue on the secret, but the analysts group's
    # AnalystsNeverReadSecrets denies it: an explicit Deny wins (SEMANTICS §2.1 step 2)
    assert ERIK not in answer(who_can(demo, WAREHOUSE_SECRET, action="secretsmanager:GetSecretValue"))
    raw = raw_demo()
    data = next(a for a in raw["accounts"] if a["id"] == DATA)
    for group in data["authorization_details"]["GroupDetailList"]:
        group["GroupPolicyList"] = [p for p in group.get("GroupPolicyList", []) if p["PolicyName"] != "no-secrets"]
    widened = answer(who_can(build_raw(raw), WAREHOUSE_SECRET, action="secretsmanager:GetSecretValue"))
    assert widened.get(ERIK) == ALLOWED  # same account: his identity Allow alone suffices (§2.1 step 6)


def test_explicit_deny_of_app_instance_role_writes(demo: AccessGraph) -> None:
    # NeverWriteSharedData denies s3:PutObject on the bucket; AppInstanceRole reaches it only for reads
    assert APP_INSTANCE not in answer(who_can(demo, SHARED_BUCKET, action="s3:PutObject"))
    assert APP_INSTANCE in answer(who_can(demo, SHARED_BUCKET, action="s3:GetObject"))


def test_rcp_voids_the_partner_grant(demo: AccessGraph) -> None:
    # PartnerExports grants 888888888888's root s3:GetObject on exports/*, but the RCP EnforceOrgIdentities
    # (Data OU) denies S3 to principals outside o-demo123456 that are not AWS services
    # (SEMANTICS §2.1 step 4, orgs_manage_policies_rcps): no direct edge from the partner to the bucket.
    assert not demo.graph.has_edge(MONITORING_SAAS, SHARED_BUCKET)
    raw = raw_demo()
    raw["organization"]["policies"] = [p for p in raw["organization"]["policies"]
                                       if p["name"] != "EnforceOrgIdentities"]
    partner = entry_of(who_can(build_raw(raw), SHARED_BUCKET, action="s3:GetObject"), MONITORING_SAAS)
    assert [hop.kind.value for hop in partner.path.hops] == [RESOURCE_POLICY]
    assert ("resource-policy", 3, "PartnerExports") in grants(partner.path.hops[0])
    assert partner.path.hops[0].scope == "exports/"


def test_partial_snapshot_warnings(demo: AccessGraph) -> None:
    # customer-c's SNS topics could not be listed; security's bucket policy could not be read (SPEC §8)
    customer_c = who_can(demo, CUSTOMER_BUCKET[CUST_C]).warnings
    assert any(CUST_C in w and "ListTopics" in w for w in customer_c)
    security = who_can(demo, SECURITY_ALERTS).warnings
    assert any(SEC in w and "security-findings-archive" in w for w in security)
    # an answer that touches neither account carries only the snapshot-wide note, not their details
    key = who_can(demo, DATA_KEY).warnings
    assert any("collection error" in w for w in key)
    assert not any("ListTopics" in w or "security-findings-archive" in w for w in key)


# ---------------------------------------------------------------------------------------------
# through the command line (SPEC §4 JSON shapes and exit codes)
# ---------------------------------------------------------------------------------------------

HOP_KEYS = {"from", "to", "edge", "actions", "conditions", "granted_by"}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def test_cli_who_can_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "who-can", SHARED_BUCKET, "--action", "s3:GetObject", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["resource"], data["action"]) == (SHARED_BUCKET, "s3:GetObject")
    for entry in data["principals"]:
        assert set(entry) >= {"principal", "kind", "account", "status", "conditions", "hops", "path"}
        assert entry["hops"] == len(entry["path"])
        assert all(set(hop) >= HOP_KEYS for hop in entry["path"])
        assert all(set(g) >= {"policy", "statement", "sid"} for hop in entry["path"] for g in hop["granted_by"])
    # the audit vendor's best path needs no external id: TemporaryDebugRole trusts "*" (an opaque account stands
    # for all its principals, SPEC §2), then dev's grant in the bucket policy; conditional only through the
    # bucket's insecure-transport deny
    vendor = next(e for e in data["principals"] if e["principal"] == AUDIT_VENDOR)
    assert (vendor["kind"], vendor["account"], vendor["status"], vendor["hops"]) == (
        "account", AUDIT_VENDOR, CONDITIONAL, 2)
    assert vendor["conditions"] == []
    assert [hop["to"] for hop in vendor["path"]] == [DEBUG_ROLE, SHARED_BUCKET]
    # into VendorAudit itself, the external id is the condition, in SPEC §4's shape
    code, out, _ = run(capsys, "who-can", VENDOR_AUDIT, "--json")
    assert code == 0
    vendor = next(e for e in json.loads(out)["principals"] if e["principal"] == AUDIT_VENDOR)
    assert vendor["conditions"] == [{"key": "sts:ExternalId", "operator": "StringEquals", "values": [EXTERNAL_ID]}]
    assert [hop["edge"] for hop in vendor["path"]] == [ASSUME]


def test_cli_paths_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "paths", "--from", DEV, "--to", SHARED_BUCKET, "--action", "s3:GetObject", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["source"], data["target"], data["truncated"]) == (DEV, SHARED_BUCKET, False)
    assert len(data["paths"]) == 23
    first = data["paths"][0]
    assert set(first) >= {"status", "hops"} and [hop["edge"] for hop in first["hops"]] == [MEMBER, RESOURCE_POLICY]
    # --limit cuts the list and says so
    code, out, _ = run(capsys, "paths", "--from", DEV, "--to", SHARED_BUCKET, "--action", "s3:GetObject",
                       "--limit", "5", "--json")
    limited = json.loads(out)
    assert code == 0 and len(limited["paths"]) == 5 and limited["truncated"] is True


def test_cli_unknown_resource_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "who-can", "arn:aws:s3:::no-such-bucket", "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no-such-bucket" in err and "Traceback" not in err


def test_data_events_own_account_can_use_the_aws_managed_key(demo: AccessGraph) -> None:
    # data-events is encrypted with alias/aws/sns. An AWS managed key's policy (written by AWS, not collected)
    # lets every principal of its own account use it through SNS (kms:CallerAccount + kms:ViaService), and
    # nobody else (SEMANTICS §4.1 last point). The answer's own warning says so.
    result = who_can(demo, DATA_EVENTS, action="sns:Publish")
    assert entry_of(result, oaar(DATA)).key_status == "allowed"
    assert all(e.key_status == "no" for e in result.principals if e.account not in (DATA, None))


def expected_condition_keys(principal: str, resource: str) -> set[str]:
    """The request-time keys an answer may leave open (SPEC §2); everything else in the demo is decided."""
    if principal.startswith("arn:aws:iam::") and ":saml-provider/" in principal:
        return {"SAML:aud"}                                     # the SSO roles' trust
    if principal == GITHUB_OIDC:
        return {"token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub"}
    if principal in (EC2, LAMBDA, ECS):
        return {"aws:SourceAccount"}                            # the service roles' trusts pin the source account
    if principal == "cloudtrail.amazonaws.com":
        # the trail's grants pin aws:SourceArn; the key's also the encryption context
        return {"aws:SourceArn"} | ({"kms:EncryptionContext:aws:cloudtrail:arn"} if resource == TRAIL_KEY else set())
    if principal == AUDIT_VENDOR:
        # VendorAudit's trust needs the external id; the buckets are reached without it through the "*" trust
        # of TemporaryDebugRole (shortest, fewest conditions)
        return set() if resource in (DEV_ARTIFACTS, SHARED_BUCKET) else {"sts:ExternalId"}
    if principal == "*" and resource == BASE_IMAGES:
        return {"aws:PrincipalOrgID"}                           # unknown only for "anyone"
    # users and roles of the organization: aws:PrincipalOrgID, PrincipalArn, ... are facts of the snapshot;
    # bob's MFA and the buckets' SecureTransport are deny conditions, not allow conditions
    return set()


@pytest.mark.parametrize("resource", sorted(ALL_RESOURCES))
def test_conditions_left_open_are_only_request_time_facts(demo: AccessGraph, resource: str) -> None:
    result = who_can(demo, resource)
    for entry in result.principals:
        assert {c.key for c in entry.path.conditions} == expected_condition_keys(entry.principal, resource), \
            entry.principal
        # an entry is conditional exactly when something is left open: an allow condition or a deny condition
        left_open = bool(entry.path.conditions) or any(hop.deny_conditions for hop in entry.path.hops)
        assert (entry.path.status.value == CONDITIONAL) == left_open, entry.principal
