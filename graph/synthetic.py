"""Synthetic AWS organizations for benchmarks and scale tests (`xpath-tui demo generate`).

`generate_organization(accounts, seed)` returns a raw snapshot document (SPEC section 3, source
"synthetic") shaped like a real landing zone: a management, security, log-archive and tooling
account, an infrastructure account, workload accounts under business-unit OUs, sandboxes; SCPs
and RCPs; per account about 50 roles and 40 resources with policies, and cross-account trusts and
grants of the kinds real organizations have.

Everything is drawn from one `random.Random(seed)` in a fixed order, so the same arguments give
the same document (byte-identical JSON). Cross-account references only reach a bounded
neighbourhood of each account, so the document grows linearly with the number of accounts. The
only accounts outside the organization that it references are the vendors of `VENDORS`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.gc_pause import collector_paused
from graph.synthetic_catalog import (
    APP_SERVICES,
    AWS_MANAGED_DOCS,
    BUSINESS_UNITS,
    PERMISSION_SETS,
    SERVICE_LINKED,
)

Doc = dict[str, Any]

MIN_ACCOUNTS = 5
"""Management, security, log-archive, tooling, and at least one workload account."""
MAX_ACCOUNTS = 10_000
COLLECTED_AT = "2026-11-27T10:00:00Z"
REGIONS = ("us-east-1", "eu-west-1")
_VERSION = "2012-10-17"
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"
_NEIGHBOURHOOD = 8
"""How far (in workload accounts) a cross-account reference can reach: keeps the size linear."""


@dataclass(frozen=True, slots=True)
class Vendor:
    """A third party outside the organization that some accounts trust."""

    name: str
    account_id: str
    uses_external_id: bool


VENDORS: tuple[Vendor, ...] = (
    Vendor("observability", "900000000101", True),
    Vendor("cost-optimizer", "900000000102", True),
    Vendor("cspm-scanner", "900000000103", True),
    Vendor("legacy-backup", "900000000104", False),
    Vendor("consulting-partner", "900000000105", False),
)
"""The only accounts outside the organization that a synthetic organization references.

Their ids lie above every generated organization account id, so they never collide."""


class AccountKind(StrEnum):
    MANAGEMENT = "management"
    SECURITY = "security"
    LOG_ARCHIVE = "log-archive"
    TOOLING = "tooling"
    NETWORK = "network"
    WORKLOAD = "workload"
    SANDBOX = "sandbox"


_SPECIAL_SERVICES: dict[AccountKind, tuple[str, ...]] = {
    AccountKind.MANAGEMENT: ("billing-export", "org-events", "cur-reports", "account-factory", "sso-sync",
                             "budgets", "tag-policy"),
    AccountKind.SECURITY: ("guardduty-export", "securityhub-sync", "findings", "forensics", "scanner",
                           "macie", "inspector"),
    AccountKind.LOG_ARCHIVE: ("cloudtrail", "config-history", "flowlogs", "access-logs", "log-index",
                              "retention", "athena"),
    AccountKind.TOOLING: ("build-cache", "pipelines", "builds", "releases", "images", "sbom", "signing"),
    AccountKind.NETWORK: ("ipam", "dns", "transit", "egress", "vpn", "firewall", "proxy"),
}


@dataclass(frozen=True, slots=True)
class _Plan:
    """What is decided about one account before any document is written."""

    index: int
    id: str
    name: str
    kind: AccountKind
    parent_id: str
    region: str
    services: tuple[str, ...]
    sources: tuple[int, ...]
    """Indexes of the accounts whose data this account's applications read."""
    vendors: tuple[Vendor, ...]


@dataclass(frozen=True, slots=True)
class _Org:
    id: str
    root_id: str
    plans: tuple[_Plan, ...]
    consumers: tuple[tuple[int, ...], ...]
    """For each account, the accounts that read its data (inverse of `_Plan.sources`)."""
    security_id: str
    tooling_id: str
    management_id: str


def generate_organization(accounts: int, seed: int) -> Doc:
    """Generate a synthetic organization as a raw snapshot document (format v1).

    Args:
        accounts: Number of member accounts, management account included
            (`MIN_ACCOUNTS` to `MAX_ACCOUNTS`).
        seed: Seed of the generator; the same seed gives the same document.

    Returns:
        The snapshot document, ready for `graph.snapshot.parse_snapshot` or `json.dumps`.
        Policy documents that are the same everywhere (AWS managed policies) are shared
        objects, so copy before mutating one in place.

    Raises:
        ValueError: `accounts` is out of range.
    """
    if not MIN_ACCOUNTS <= accounts <= MAX_ACCOUNTS:
        raise ValueError(f"accounts must be between {MIN_ACCOUNTS} and {MAX_ACCOUNTS}, not {accounts}")
    with collector_paused():  # the document is a tree: cyclic collections only cost time (2-3x)
        return _generate(accounts, seed)


def _generate(accounts: int, seed: int) -> Doc:
    rng = random.Random(seed)
    org_id = "o-" + "".join(rng.choices(_LOWER[:26], k=10))
    root_id = "r-" + "".join(rng.choices(_LOWER, k=4))
    ous, plans = _plan_accounts(rng, accounts, root_id)
    consumers: list[list[int]] = [[] for _ in plans]
    for plan in plans:
        for source in plan.sources:
            consumers[source].append(plan.index)
    by_kind = {plan.kind: plan.id for plan in plans}
    org = _Org(org_id, root_id, tuple(plans), tuple(tuple(c) for c in consumers), by_kind[AccountKind.SECURITY],
               by_kind[AccountKind.TOOLING], by_kind[AccountKind.MANAGEMENT])
    return {
        "format": "xpath-snapshot",
        "version": 1,
        "collected_at": COLLECTED_AT,
        "source": "synthetic",
        "organization": {
            "id": org_id,
            "management_account_id": org.management_id,
            "roots": [{"id": root_id, "name": "Root"}],
            "organizational_units": ous,
            "accounts": [{"id": p.id, "name": p.name, "parent_id": p.parent_id} for p in plans],
            "policies": _org_policies(rng, org, ous),
        },
        "accounts": [_AccountWriter(rng, org, plan).account() for plan in plans],
    }


def _plan_accounts(rng: random.Random, count: int, root_id: str) -> tuple[list[Doc], list[_Plan]]:
    """Lay out the OU tree and decide each account's id, name, place, services and neighbours."""
    ous: list[Doc] = []

    def add_ou(name: str, parent: str) -> str:
        ou_id = f"ou-{root_id[2:]}-{''.join(rng.choices(_LOWER, k=8))}"
        ous.append({"id": ou_id, "name": name, "parent_id": parent})
        return ou_id

    security_ou = add_ou("Security", root_id)
    infra_ou = add_ou("Infrastructure", root_id)
    workloads_ou = add_ou("Workloads", root_id)
    sandbox_ou = add_ou("Sandbox", root_id)
    add_ou("Suspended", root_id)
    env_ous = {env: add_ou(env.capitalize(), workloads_ou) for env in ("prod", "staging", "dev")}
    units = BUSINESS_UNITS[: max(1, min(len(BUSINESS_UNITS), count // 60))]
    unit_ous = {(env, unit): add_ou(f"{unit}-{env}", env_ous[env]) for env in env_ous for unit in units}

    ids: set[str] = set()
    special = [(AccountKind.MANAGEMENT, root_id), (AccountKind.SECURITY, security_ou),
               (AccountKind.LOG_ARCHIVE, security_ou), (AccountKind.TOOLING, infra_ou)]
    if count >= 8:
        special.append((AccountKind.NETWORK, infra_ou))
    raw: list[tuple[AccountKind, str, str]] = [(kind, kind.value, parent) for kind, parent in special]
    counters: dict[str, int] = {}
    for _ in range(count - len(special)):
        if count >= 10 and rng.random() < 0.08:
            key = "sandbox"
            raw.append((AccountKind.SANDBOX, f"sandbox-{counters.get(key, 0) + 1}", sandbox_ou))
        else:
            env = rng.choices(("prod", "staging", "dev"), weights=(4, 2, 3))[0]
            unit = rng.choice(units)
            key = f"{unit}-{env}"
            raw.append((AccountKind.WORKLOAD, f"{key}-{counters.get(key, 0) + 1}", unit_ous[env, unit]))
        counters[key] = counters.get(key, 0) + 1

    workload_indexes = [i for i, (kind, _, _) in enumerate(raw) if kind is AccountKind.WORKLOAD]
    position = {index: pos for pos, index in enumerate(workload_indexes)}
    plans: list[_Plan] = []
    for index, (kind, name, parent) in enumerate(raw):
        account_id = _account_id(rng, ids)
        if kind in _SPECIAL_SERVICES:
            services = _SPECIAL_SERVICES[kind]
        else:
            services = tuple(rng.sample(APP_SERVICES, rng.randint(6, 8)))
        sources: tuple[int, ...] = ()
        if kind is AccountKind.WORKLOAD and len(workload_indexes) > 1:
            pos = position[index]
            window = [workload_indexes[p] for p in range(max(0, pos - _NEIGHBOURHOOD),
                                                        min(len(workload_indexes), pos + _NEIGHBOURHOOD + 1)) if p != pos]
            sources = tuple(sorted(rng.sample(window, min(len(window), rng.randint(2, 3)))))
        vendors: tuple[Vendor, ...] = ()
        if kind in (AccountKind.WORKLOAD, AccountKind.SECURITY, AccountKind.MANAGEMENT):
            vendors = tuple(rng.sample(VENDORS, rng.randint(1, 3)))
        plans.append(_Plan(index, account_id, name, kind, parent, rng.choices(REGIONS, weights=(3, 1))[0],
                           services, sources, vendors))
    return ous, plans


def _account_id(rng: random.Random, taken: set[str]) -> str:
    while True:
        candidate = str(rng.randrange(100_000_000_000, 899_999_999_999))
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _policy(*statements: Doc) -> Doc:
    return {"Version": _VERSION, "Statement": list(statements)}


def _org_policies(rng: random.Random, org: _Org, ous: list[Doc]) -> list[Doc]:
    """FullAWSAccess and RCPFullAWSAccess everywhere, plus the deny guardrails at OU level."""
    everything = [org.root_id] + [ou["id"] for ou in ous] + [plan.id for plan in org.plans]
    ou_ids = {ou["name"]: ou["id"] for ou in ous}

    def policy_id() -> str:
        return "p-" + "".join(rng.choices(_LOWER, k=8))

    protected = ["arn:aws:iam::*:role/OrganizationAccountAccessRole", "arn:aws:iam::*:role/security-audit",
                 "arn:aws:iam::*:role/aws-reserved/*"]
    return [
        {"id": "p-FullAWSAccess", "name": "FullAWSAccess", "type": "SERVICE_CONTROL_POLICY",
         "document": _policy({"Effect": "Allow", "Action": "*", "Resource": "*"}), "targets": everything},
        {"id": policy_id(), "name": "deny-leave-and-tamper", "type": "SERVICE_CONTROL_POLICY",
         "document": _policy(
             {"Sid": "DenyLeaveOrganization", "Effect": "Deny", "Action": "organizations:LeaveOrganization",
              "Resource": "*"},
             {"Sid": "ProtectSecurityServices", "Effect": "Deny", "Action": [
                 "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:DeleteDetector",
                 "config:DeleteConfigurationRecorder", "config:StopConfigurationRecorder"], "Resource": "*"},
             {"Sid": "ProtectPlatformRoles", "Effect": "Deny", "Action": [
                 "iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
                 "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"],
              "Resource": protected,
              "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}}}),
         "targets": [ou_ids["Workloads"], ou_ids["Sandbox"], ou_ids["Infrastructure"]]},
        {"id": policy_id(), "name": "region-restriction", "type": "SERVICE_CONTROL_POLICY",
         "document": _policy({"Sid": "DenyOutsideApprovedRegions", "Effect": "Deny", "NotAction": [
             "iam:*", "organizations:*", "sts:*", "support:*", "route53:*", "cloudfront:*", "budgets:*", "ce:*",
             "kms:*", "s3:GetBucketLocation", "s3:ListAllMyBuckets"], "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": list(REGIONS)}}}),
         "targets": [ou_ids["Workloads"], ou_ids["Sandbox"]]},
        {"id": policy_id(), "name": "sandbox-guardrails", "type": "SERVICE_CONTROL_POLICY",
         "document": _policy(
             {"Sid": "DenyLargeInstances", "Effect": "Deny", "Action": "ec2:RunInstances",
              "Resource": "arn:aws:ec2:*:*:instance/*",
              "Condition": {"StringNotLike": {"ec2:InstanceType": ["t3.*", "t4g.*"]}}},
             {"Sid": "DenyIamUsers", "Effect": "Deny", "Action": ["iam:CreateUser", "iam:CreateAccessKey"],
              "Resource": "*"}),
         "targets": [ou_ids["Sandbox"]]},
        {"id": "p-RCPFullAWSAccess", "name": "RCPFullAWSAccess", "type": "RESOURCE_CONTROL_POLICY",
         "document": _policy({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
         "targets": everything},
        {"id": policy_id(), "name": "data-perimeter-identity", "type": "RESOURCE_CONTROL_POLICY",
         "document": _policy({"Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*", "Action": [
             "s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole", "sts:GetSessionToken",
             "sts:SetContext"], "Resource": "*", "Condition": {
             "StringNotEqualsIfExists": {"aws:PrincipalOrgID": org.id, "aws:ResourceTag/dp:exclude:identity": "true"},
             "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}),
         "targets": [ou_ids["Workloads"]]},
    ]


class _AccountWriter:
    """Writes one account's authorization details and resources from its plan."""

    def __init__(self, rng: random.Random, org: _Org, plan: _Plan) -> None:
        self.rng = rng
        self.org = org
        self.plan = plan
        self.acct = plan.id
        self.region = plan.region
        self.roles: list[Doc] = []
        self.aws_managed: set[str] = set()
        self.saml = f"arn:aws:iam::{self.acct}:saml-provider/AWSSSO_{self._hex(16)}_DO_NOT_DELETE"
        self.github = f"arn:aws:iam::{self.acct}:oidc-provider/token.actions.githubusercontent.com"

    def account(self) -> Doc:
        local_policies = self._local_policies()
        self._roles()
        users, groups = self._users_and_groups()
        resources = self._resources()
        policies = local_policies + [self._aws_policy(name) for name in sorted(self.aws_managed)]
        return {
            "id": self.acct,
            "name": self.plan.name,
            "authorization_details": {"UserDetailList": users, "GroupDetailList": groups,
                                      "RoleDetailList": self.roles, "Policies": policies},
            "identity_providers": [
                {"arn": self.saml, "type": "SAML", "url": None, "client_ids": []},
                {"arn": self.github, "type": "OIDC", "url": "https://token.actions.githubusercontent.com",
                 "client_ids": ["sts.amazonaws.com"]}],
            "resources": resources,
            "errors": [],
        }

    # ---- identifiers -------------------------------------------------------------------------

    def _hex(self, length: int) -> str:
        return f"{self.rng.getrandbits(4 * length):0{length}x}"

    def _uid(self, prefix: str) -> str:
        return prefix + "".join(self.rng.choices(_ALNUM, k=17))

    def _date(self) -> str:
        return f"20{self.rng.randint(19, 25)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}T09:00:00Z"

    def _iam(self, kind: str, name: str, account: str | None = None) -> str:
        return f"arn:aws:iam::{account or self.acct}:{kind}/{name}"

    def _managed(self, name: str) -> str:
        self.aws_managed.add(name)
        return f"arn:aws:iam::aws:policy/{name}"

    # ---- IAM -----------------------------------------------------------------------------------

    def _role(self, name: str, trust: list[Doc], *, path: str = "/", managed: tuple[str, ...] = (),
              inline: tuple[tuple[str, Doc], ...] = (), boundary: str | None = None,
              tags: dict[str, str] | None = None, profile: bool = False) -> str:
        arn = f"arn:aws:iam::{self.acct}:role{path}{name}"
        role: Doc = {
            "Path": path, "RoleName": name, "RoleId": self._uid("AROA"), "Arn": arn, "CreateDate": self._date(),
            "AssumeRolePolicyDocument": _policy(*trust),
            "InstanceProfileList": [], "RolePolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline],
            "AttachedManagedPolicies": [{"PolicyName": m.rsplit("/", 1)[1], "PolicyArn": m} for m in managed],
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
            "MaxSessionDuration": 3600,
        }
        if profile:
            role["InstanceProfileList"] = [{"InstanceProfileName": name, "Path": "/",
                                            "Arn": f"arn:aws:iam::{self.acct}:instance-profile/{name}"}]
        if boundary:
            role["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
        self.roles.append(role)
        return arn

    def _service_trust(self, service: str, *, source_account: bool = True) -> list[Doc]:
        statement: Doc = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        if source_account:
            statement["Condition"] = {"StringEquals": {"aws:SourceAccount": self.acct}}
        return [statement]

    def _local_policies(self) -> list[Doc]:
        acct, region = self.acct, self.region
        documents = {
            "app-common": _policy({"Effect": "Allow", "Action": [
                "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "cloudwatch:PutMetricData"],
                "Resource": "*"}),
            "read-config": _policy(
                {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParametersByPath"],
                 "Resource": f"arn:aws:ssm:{region}:{acct}:parameter/{self.plan.name}/*"},
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": f"arn:aws:kms:{region}:{acct}:key/*",
                 "Condition": {"StringEquals": {"kms:ViaService": f"ssm.{region}.amazonaws.com"}}}),
            "developer-boundary": _policy(
                {"Sid": "AllowWorkloadServices", "Effect": "Allow", "NotAction": ["iam:*", "organizations:*",
                                                                                   "account:*"], "Resource": "*"},
                {"Sid": "AllowPassAppRoles", "Effect": "Allow", "Action": "iam:PassRole",
                 "Resource": f"arn:aws:iam::{acct}:role/app-*"},
                {"Sid": "DenyBoundaryEdits", "Effect": "Deny", "Action": ["iam:DeleteRolePermissionsBoundary",
                                                                          "iam:PutRolePermissionsBoundary"],
                 "Resource": "*"}),
            "cicd-deploy": _policy(
                {"Effect": "Allow", "Action": ["cloudformation:*", "lambda:UpdateFunctionCode", "ecs:UpdateService",
                                               "ecr:PutImage", "s3:PutObject", "s3:GetObject"], "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": [
                    f"arn:aws:iam::{acct}:role/cdk-cfn-exec-role", f"arn:aws:iam::{acct}:role/app-*"]}),
        }
        return [{
            "PolicyName": name, "PolicyId": self._uid("ANPA"), "Arn": f"arn:aws:iam::{acct}:policy/{name}",
            "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True, "CreateDate": self._date(),
            "PolicyVersionList": [{"Document": doc, "VersionId": "v1", "IsDefaultVersion": True}],
        } for name, doc in documents.items()]

    def _aws_policy(self, name: str) -> Doc:
        path = "/" + name.rsplit("/", 1)[0] + "/" if "/" in name else "/"
        return {
            "PolicyName": name.rsplit("/", 1)[-1], "PolicyId": "ANPA" + name.upper().replace("/", "")[:17].ljust(17, "X"),
            "Arn": f"arn:aws:iam::aws:policy/{name}", "Path": path, "DefaultVersionId": "v1", "AttachmentCount": 1,
            "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "PolicyVersionList": [{"Document": AWS_MANAGED_DOCS[name], "VersionId": "v1", "IsDefaultVersion": True}],
        }

    def _roles(self) -> None:
        acct, org, plan = self.acct, self.org, self.plan
        local = f"arn:aws:iam::{acct}:policy/"
        for set_name, policy in PERMISSION_SETS:
            self._role(f"AWSReservedSSO_{set_name}_{self._hex(16)}", [{
                "Effect": "Allow", "Principal": {"Federated": self.saml},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}],
                path=f"/aws-reserved/sso.amazonaws.com/{self.region}/", managed=(self._managed(policy),))
        if acct != org.management_id:
            self._role("OrganizationAccountAccessRole", [{
                "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{org.management_id}:root"},
                "Action": "sts:AssumeRole"}], managed=(self._managed("AdministratorAccess"),))
        self._role("security-audit", [{
            "Effect": "Allow", "Principal": {"AWS": self._iam("role", "security-auditor", org.security_id)},
            "Action": "sts:AssumeRole"}], managed=(self._managed("SecurityAudit"), self._managed("ReadOnlyAccess")))
        self._role("incident-response", [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{org.security_id}:root"}, "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}],
            managed=(self._managed("AdministratorAccess"),))
        pipeline = self._iam("role", "pipeline-deployer", org.tooling_id)
        self._role("cicd-deploy", [{"Effect": "Allow", "Principal": {"AWS": pipeline}, "Action": "sts:AssumeRole"}],
                   managed=(local + "cicd-deploy",))
        self._role("cicd-plan", [{"Effect": "Allow", "Principal": {"AWS": self._iam("role", "pipeline-planner",
                                                                                   org.tooling_id)},
                                  "Action": "sts:AssumeRole"}], managed=(self._managed("ReadOnlyAccess"),))
        self._role("cdk-cfn-exec-role", self._service_trust("cloudformation.amazonaws.com", source_account=False),
                   managed=(self._managed("AdministratorAccess"),))
        self._role("github-actions-deploy", [{
            "Effect": "Allow", "Principal": {"Federated": self.github}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                          "StringLike": {"token.actions.githubusercontent.com:sub":
                                         f"repo:example-corp/{plan.name}:*" if self.rng.random() < 0.8
                                         else "repo:example-corp/*"}}}], managed=(local + "cicd-deploy",))
        for name, service, policy in SERVICE_LINKED:
            self._role(name, self._service_trust(service, source_account=False),
                       path=f"/aws-service-role/{service}/", managed=(self._managed(policy),))
        self._role("AWSBackupDefaultServiceRole", self._service_trust("backup.amazonaws.com"),
                   path="/service-role/", managed=(self._managed("service-role/AWSBackupServiceRolePolicyForBackup"),))
        self._role("config-recorder", self._service_trust("config.amazonaws.com"),
                   managed=(self._managed("service-role/AWS_ConfigRole"),))
        self._role("vpc-flow-logs", self._service_trust("vpc-flow-logs.amazonaws.com"), managed=(local + "app-common",))
        self._role("rds-monitoring", self._service_trust("monitoring.rds.amazonaws.com"), path="/service-role/",
                   managed=(local + "app-common",))
        self._role("scheduler-invoke", self._service_trust("scheduler.amazonaws.com"), inline=(("invoke", _policy({
            "Effect": "Allow", "Action": "lambda:InvokeFunction",
            "Resource": f"arn:aws:lambda:{self.region}:{acct}:function:*"})),))
        self._special_roles()
        for service in plan.services:
            self._service_roles(service)
        for consumer in org.consumers[plan.index]:
            consumer_plan = org.plans[consumer]
            self._role(f"xacct-{consumer_plan.name}-reader", [{
                "Effect": "Allow", "Principal": {"AWS": self._iam("role", f"app-{consumer_plan.services[0]}",
                                                                  consumer_plan.id)},
                "Action": "sts:AssumeRole"}],
                inline=(("read-exports", _policy({"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                                                  "Resource": [f"arn:aws:s3:::{self._bucket('exports')}",
                                                               f"arn:aws:s3:::{self._bucket('exports')}/*"]})),))
        for vendor in plan.vendors:
            statement: Doc = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{vendor.account_id}:root"},
                              "Action": "sts:AssumeRole"}
            if vendor.uses_external_id:
                statement["Condition"] = {"StringEquals": {"sts:ExternalId": f"{vendor.name}-{self._hex(12)}"}}
            self._role(f"vendor-{vendor.name}", [statement], managed=(self._managed("SecurityAudit"),),
                       tags={"vendor": vendor.name, "dp:exclude:identity": "true"})

    def _special_roles(self) -> None:
        kind, acct = self.plan.kind, self.acct
        if kind is AccountKind.SECURITY:
            self._role("security-auditor", self._service_trust("lambda.amazonaws.com") + [{
                "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "sts:AssumeRole"}],
                inline=(("assume-audit", _policy({"Effect": "Allow", "Action": "sts:AssumeRole",
                                                  "Resource": "arn:aws:iam::*:role/security-audit"})),))
        elif kind is AccountKind.TOOLING:
            org_condition = {"StringEquals": {"aws:ResourceOrgID": self.org.id}}
            for name, target in (("pipeline-deployer", "cicd-deploy"), ("pipeline-planner", "cicd-plan")):
                self._role(name, self._service_trust("codebuild.amazonaws.com")
                           + self._service_trust("codepipeline.amazonaws.com"),
                           inline=(("assume-targets", _policy({
                               "Effect": "Allow", "Action": "sts:AssumeRole",
                               "Resource": f"arn:aws:iam::*:role/{target}", "Condition": org_condition})),),
                           managed=(self._local("app-common"),))

    def _local(self, name: str) -> str:
        return f"arn:aws:iam::{self.acct}:policy/{name}"

    def _service_roles(self, service: str) -> None:
        """A Lambda, an ECS task and an application (EC2) role per service, reading its own data and its sources'."""
        acct, region, org = self.acct, self.region, self.org
        own = _policy(
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
             "Resource": [f"arn:aws:s3:::{self._bucket(service)}", f"arn:aws:s3:::{self._bucket(service)}/*"]},
            {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage"],
             "Resource": f"arn:aws:sqs:{region}:{acct}:{service}-events"},
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
             "Resource": f"arn:aws:secretsmanager:{region}:{acct}:secret:{service}/*"})
        self._role(f"{service}-lambda-role", self._service_trust("lambda.amazonaws.com",
                                                                 source_account=self.rng.random() < 0.85),
                   path="/service-role/", inline=(("data", own),),
                   managed=(self._managed("service-role/AWSLambdaBasicExecutionRole"),))
        self._role(f"{service}-task-role", self._service_trust("ecs-tasks.amazonaws.com"), inline=(("data", own),),
                   managed=(self._managed("service-role/AmazonECSTaskExecutionRolePolicy"),
                            self._local("app-common")))
        statements = list(own["Statement"])
        if service == self.plan.services[0]:
            for source in self.plan.sources:
                peer = org.plans[source]
                exports = f"arn:aws:s3:::{_bucket_name(peer, 'exports')}"
                statements += [
                    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [exports, exports + "/*"]},
                    {"Effect": "Allow", "Action": "sqs:SendMessage",
                     "Resource": f"arn:aws:sqs:{peer.region}:{peer.id}:{peer.services[0]}-events"},
                    {"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Resource": self._iam("role", f"xacct-{self.plan.name}-reader", peer.id)},
                    {"Effect": "Allow", "Action": "kms:Decrypt",
                     "Resource": f"arn:aws:kms:{peer.region}:{peer.id}:key/*"}]
        boundary = self._local("developer-boundary") if self.rng.random() < 0.5 else None
        self._role(f"app-{service}", self._service_trust("ec2.amazonaws.com"),
                   inline=(("data", _policy(*statements)),),
                   managed=(self._managed("AmazonSSMManagedInstanceCore"), self._local("read-config")),
                   boundary=boundary, tags={"service": service, "team": self.plan.name.split("-")[0]}, profile=True)

    def _users_and_groups(self) -> tuple[list[Doc], list[Doc]]:
        acct = self.acct
        groups = [
            {"Path": "/", "GroupName": "admins", "GroupId": self._uid("AGPA"), "Arn": self._iam("group", "admins"),
             "CreateDate": self._date(), "GroupPolicyList": [],
             "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess",
                                          "PolicyArn": self._managed("AdministratorAccess")}]},
            {"Path": "/", "GroupName": "readers", "GroupId": self._uid("AGPA"), "Arn": self._iam("group", "readers"),
             "CreateDate": self._date(), "GroupPolicyList": [{"PolicyName": "deny-secrets", "PolicyDocument": _policy(
                 {"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*"})}],
             "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess", "PolicyArn": self._managed("ReadOnlyAccess")}]},
        ]
        users: list[Doc] = []

        def user(name: str, group_names: list[str], inline: list[Doc]) -> None:
            users.append({"Path": "/", "UserName": name, "UserId": self._uid("AIDA"), "Arn": self._iam("user", name),
                          "CreateDate": self._date(), "UserPolicyList": inline, "GroupList": group_names,
                          "AttachedManagedPolicies": [], "Tags": [{"Key": "owner", "Value": "platform"}]})

        user("break-glass", ["admins"], [])
        user("legacy-ci", [], [{"PolicyName": "deploy", "PolicyDocument": _policy(
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
             "Resource": f"arn:aws:s3:::{self._bucket('artifacts')}/*"},
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{acct}:role/cicd-deploy"})}])
        for n in range(self.rng.randint(1, 3)):
            user(f"auditor-{n + 1}", ["readers"], [])
        return users, groups

    # ---- resources -----------------------------------------------------------------------------

    def _bucket(self, purpose: str) -> str:
        return _bucket_name(self.plan, purpose)

    def _resources(self) -> list[Doc]:
        resources: list[Doc] = []
        for position, service in enumerate(self.plan.services):
            resources += self._service_resources(position, service)
        resources += self._shared_resources()
        return resources

    def _resource(self, arn: str, type_: str, name: str, policy: Doc | None, **properties: Any) -> Doc:
        """A resource entry; `properties` carries `Tags` as a mapping, the form `graph.context` reads."""
        return {"arn": arn, "type": type_, "region": self.region, "name": name, "policy": policy,
                "properties": properties}

    def _root(self, account: str | None = None) -> str:
        return f"arn:aws:iam::{account or self.acct}:root"

    def _consumer_roles(self) -> list[str]:
        return [self._iam("role", f"app-{self.org.plans[c].services[0]}", self.org.plans[c].id)
                for c in self.org.consumers[self.plan.index]]

    def _service_resources(self, position: int, service: str) -> list[Doc]:
        """Bucket, queue, function and secret per service; a KMS key or an alerts topic on alternate services."""
        acct, region, rng = self.acct, self.region, self.rng
        primary = position == 0
        consumers = self._consumer_roles() if primary else []
        tags = {"service": service, "team": self.plan.name.split("-")[0]}
        resources: list[Doc] = []

        bucket = self._bucket(service)
        bucket_arn = f"arn:aws:s3:::{bucket}"
        bucket_statements: list[Doc] = [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [bucket_arn, bucket_arn + "/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
        if rng.random() < 0.3:
            bucket_statements.append({"Sid": "OrgRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                      "Resource": bucket_arn + "/shared/*",
                                      "Condition": {"StringEquals": {"aws:PrincipalOrgID": self.org.id}}})
        resources.append(self._resource(bucket_arn, "AWS::S3::Bucket", bucket, _policy(*bucket_statements), Tags=tags,
                                        public_access_block={"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                                             "BlockPublicPolicy": True, "RestrictPublicBuckets": True}))

        key_arn: str | None = None
        topic_arn = f"arn:aws:sns:{region}:{acct}:account-alarms"
        if position % 2 == 0:
            key_id = self._uuid()
            key_arn = f"arn:aws:kms:{region}:{acct}:key/{key_id}"
            key_statements: list[Doc] = [
                {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": self._root()},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": self._iam("role", f"app-{service}")},
                 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"}]
            if consumers:
                key_statements.append({"Sid": "AllowConsumerAccounts", "Effect": "Allow",
                                       "Principal": {"AWS": sorted({r.split(":")[4] for r in consumers})},
                                       "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"})
            resources.append(self._resource(key_arn, "AWS::KMS::Key", key_id, _policy(*key_statements), Tags=tags,
                                            key_manager="CUSTOMER", key_state="Enabled", alias=f"alias/{service}"))
        else:
            topic_arn = f"arn:aws:sns:{region}:{acct}:{service}-alerts"
            resources.append(self._resource(topic_arn, "AWS::SNS::Topic", f"{service}-alerts", _policy({
                "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
                "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:Subscribe", "SNS:Publish"],
                "Resource": topic_arn, "Condition": {"StringEquals": {"AWS:SourceOwner": acct}}}), Tags=tags))

        queue_arn = f"arn:aws:sqs:{region}:{acct}:{service}-events"
        queue_statements: list[Doc] = [{
            "Sid": "AllowTopic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]
        if consumers:
            queue_statements.append({"Sid": "AllowConsumers", "Effect": "Allow", "Principal": {"AWS": consumers},
                                     "Action": "sqs:SendMessage", "Resource": queue_arn})
        resources.append(self._resource(queue_arn, "AWS::SQS::Queue", f"{service}-events", _policy(*queue_statements),
                                        Tags=tags))

        function_arn = f"arn:aws:lambda:{region}:{acct}:function:{service}-handler"
        function_statements: list[Doc] = [{
            "Sid": "events-invoke", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Resource": function_arn,
            "Condition": {"ArnLike": {"AWS:SourceArn": f"arn:aws:events:{region}:{acct}:rule/{service}-*"}}}]
        if rng.random() < 0.2:
            function_statements.append({"Sid": "apigw-invoke", "Effect": "Allow",
                                        "Principal": {"Service": "apigateway.amazonaws.com"},
                                        "Action": "lambda:InvokeFunction", "Resource": function_arn})
        resources.append(self._resource(function_arn, "AWS::Lambda::Function", f"{service}-handler",
                                        _policy(*function_statements), Tags=tags,
                                        role=self._iam("role", f"service-role/{service}-lambda-role")))

        secret_arn = f"arn:aws:secretsmanager:{region}:{acct}:secret:{service}/db-{self._hex(6)}"
        secret_policy = None
        if consumers and rng.random() < 0.5:
            secret_policy = _policy({"Effect": "Allow", "Principal": {"AWS": consumers[0]},
                                     "Action": "secretsmanager:GetSecretValue", "Resource": "*"})
        resources.append(self._resource(secret_arn, "AWS::SecretsManager::Secret", f"{service}/db", secret_policy,
                                        Tags=tags, kms_key_id=key_arn or "alias/aws/secretsmanager"))
        return resources

    def _shared_resources(self) -> list[Doc]:
        acct, region, org = self.acct, self.region, self.org
        resources: list[Doc] = []
        exports = self._bucket("exports")
        exports_arn = f"arn:aws:s3:::{exports}"
        statements: list[Doc] = [{"Sid": "OrgList", "Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket",
                                  "Resource": exports_arn,
                                  "Condition": {"StringEquals": {"aws:PrincipalOrgID": org.id}}}]
        consumers = self._consumer_roles()
        if consumers:
            statements.append({"Sid": "ConsumerRoles", "Effect": "Allow", "Principal": {"AWS": consumers},
                               "Action": ["s3:GetObject", "s3:ListBucket"],
                               "Resource": [exports_arn, exports_arn + "/*"]})
            statements.append({"Sid": "ConsumerAccounts", "Effect": "Allow",
                               "Principal": {"AWS": sorted({self._root(r.split(":")[4]) for r in consumers})},
                               "Action": "s3:GetObject", "Resource": exports_arn + "/reports/*"})
        resources.append(self._resource(exports_arn, "AWS::S3::Bucket", exports, _policy(*statements)))
        artifacts = self._bucket("artifacts")
        resources.append(self._resource(f"arn:aws:s3:::{artifacts}", "AWS::S3::Bucket", artifacts, _policy({
            "Sid": "PipelineWrite", "Effect": "Allow", "Principal": {"AWS": self._iam("role", "pipeline-deployer",
                                                                                      org.tooling_id)},
            "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{artifacts}/*"})))
        if self.plan.kind is AccountKind.LOG_ARCHIVE:
            trail = self._bucket("org-cloudtrail")
            resources.append(self._resource(f"arn:aws:s3:::{trail}", "AWS::S3::Bucket", trail, _policy(
                {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{trail}",
                 "Condition": {"StringEquals": {"aws:SourceOrgID": org.id}}},
                {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{trail}/AWSLogs/{org.id}/*",
                 "Condition": {"StringEquals": {"aws:SourceOrgID": org.id,
                                                "s3:x-amz-acl": "bucket-owner-full-control"}}},
                {"Sid": "SecurityRead", "Effect": "Allow", "Principal": {"AWS": self._root(org.security_id)},
                 "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": [f"arn:aws:s3:::{trail}", f"arn:aws:s3:::{trail}/*"]})))
        for vendor in self.plan.vendors[:1]:
            drop = self._bucket(f"{vendor.name}-drop")
            condition = {"Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}
            resources.append(self._resource(f"arn:aws:s3:::{drop}", "AWS::S3::Bucket", drop, _policy({
                "Sid": "VendorDrop", "Effect": "Allow", "Principal": {"AWS": self._root(vendor.account_id)},
                "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{drop}/*", **condition})))
        for repo in ("base-images", f"{self.plan.services[0]}-service"):
            resources.append(self._resource(
                f"arn:aws:ecr:{region}:{acct}:repository/{repo}", "AWS::ECR::Repository", repo, _policy({
                    "Sid": "OrgPull", "Effect": "Allow", "Principal": "*", "Action": [
                        "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": org.id}}}, {
                    "Sid": "ToolingPush", "Effect": "Allow",
                    "Principal": {"AWS": self._iam("role", "pipeline-deployer", org.tooling_id)},
                    "Action": ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                               "ecr:CompleteLayerUpload"]})))
        resources.append(self._resource(f"arn:aws:sns:{region}:{acct}:account-alarms", "AWS::SNS::Topic",
                                        "account-alarms", _policy({
                                            "Sid": "AllowCloudWatch", "Effect": "Allow",
                                            "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                            "Action": "sns:Publish",
                                            "Resource": f"arn:aws:sns:{region}:{acct}:account-alarms",
                                            "Condition": {"StringEquals": {"aws:SourceAccount": acct}}}, {
                                            "Sid": "SecurityHubForward", "Effect": "Allow",
                                            "Principal": {"AWS": self._root(org.security_id)},
                                            "Action": "sns:Subscribe",
                                            "Resource": f"arn:aws:sns:{region}:{acct}:account-alarms"})))
        return resources

    def _uuid(self) -> str:
        h = self._hex(32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _bucket_name(plan: _Plan, purpose: str) -> str:
    return f"{plan.name}-{purpose}-{plan.id}"
