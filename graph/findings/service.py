"""Confused-deputy checks: service principals granted access without saying on whose behalf.

The IAM "confused deputy problem" page recommends `aws:SourceArn`, `aws:SourceAccount`,
`aws:SourceOrgID` or `aws:SourceOrgPaths` in resource-based policies that grant a service
principal: without them, the service acting for ANY customer (e.g. another account's S3 bucket
notifying your queue, another account's trail writing to your bucket) is allowed.

Role trust policies are resource-based policies too, and services that assume a role you
configure for them (Config, CloudTrail, Personalize, IoT, ...) document `aws:SourceArn` /
`aws:SourceAccount` in the trust policy. Execution roles of compute services are different: the
role reaches EC2, Lambda, ECS tasks, ... only through `iam:PassRole`, which cannot pass a role
across accounts, and these services do not send `aws:SourceAccount` when they assume it, so the
condition would break the role without protecting anything (see also prowler issue #2810). Those
services are listed in `PASS_ROLE_ONLY_SERVICES` and not reported in trust policies.
"""

from __future__ import annotations

from collections.abc import Iterator

from graph.findings.context import CheckContext
from graph.findings.model import CheckInfo, Finding, PolicyKind, Severity, StatementLocation
from graph.findings.registry import Check
from graph.findings.statements import positive_clauses, site_statements

CONFUSED_DEPUTY_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"

SOURCE_KEYS = frozenset({"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourceorgid",
                         "aws:sourceorgpaths"})

PASS_ROLE_ONLY_SERVICES = frozenset({
    "ec2.amazonaws.com", "lambda.amazonaws.com", "edgelambda.amazonaws.com", "ecs-tasks.amazonaws.com",
    "eks.amazonaws.com", "eks-fargate-pods.amazonaws.com", "pods.eks.amazonaws.com", "batch.amazonaws.com",
    "glue.amazonaws.com", "apigateway.amazonaws.com", "states.amazonaws.com", "codebuild.amazonaws.com",
    "build.apprunner.amazonaws.com", "tasks.apprunner.amazonaws.com", "elasticbeanstalk.amazonaws.com",
    "cloudformation.amazonaws.com",
})
"""Services whose execution roles are handed over only with iam:PassRole (never across accounts)."""

SERVICE_RESOURCE = CheckInfo(
    "XPT-SVC-001", "ServicePrincipalWithoutSourceCondition",
    "Resource policy grants a service principal without aws:SourceArn / aws:SourceAccount", Severity.MEDIUM,
    "The service acting for any customer, not only for you, may use the resource: another account's bucket, "
    "topic or trail can be pointed at it (confused deputy).", CONFUSED_DEPUTY_DOC)
SERVICE_TRUST = CheckInfo(
    "XPT-SVC-002", "ServiceRoleTrustWithoutSourceCondition",
    "Service role trust policy lacks aws:SourceArn / aws:SourceAccount", Severity.LOW,
    "Services that assume a role you register with them (Config, CloudTrail, Personalize, ...) document a "
    "source condition in the trust policy so that the service cannot be made to use your role for another "
    "customer's resources. Compute execution roles (EC2, Lambda, ECS tasks, ...) are not reported: they are "
    "handed over with iam:PassRole, which never crosses accounts.", CONFUSED_DEPUTY_DOC)


def _remedy(kind: str, name: str, index: int, service: str, account: str) -> str:
    return (f"Add `\"Condition\": {{\"StringEquals\": {{\"aws:SourceAccount\": \"{account}\"}}}}` (or an "
            f"`ArnLike aws:SourceArn` naming the exact source resource) to statement {index} of the {kind} of "
            f"{name}, so that {service} may use it only on behalf of your own resources.")


def service_in_resource_policy(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-SVC-001: a resource policy Allow to a service principal without a source condition."""
    sites = [site for site in ctx.policy_sites() if site.kind is PolicyKind.RESOURCE]
    for item in site_statements(ctx, sites):
        principals = item.statement.principals
        if not item.allow or principals is None or positive_clauses(item.statement, SOURCE_KEYS):
            continue
        site = item.site
        for service in sorted(principals.services):
            yield Finding(
                SERVICE_RESOURCE.id, SERVICE_RESOURCE.severity,
                f"{site.resource_type or 'Resource'} {site.short_name} lets {service} act on it for any account",
                site.owner, site.account_id, _remedy("policy", site.short_name, item.statement.index, service,
                                                     site.account_id),
                StatementLocation(site.owner, PolicyKind.RESOURCE, item.statement.index, item.statement.sid),
                details=(("service", service),))


def service_in_trust_policy(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-SVC-002: a service role trust without a source condition (compute execution roles excepted)."""
    sites = [site for site in ctx.policy_sites()
             if site.kind is PolicyKind.TRUST and site.role is not None and not site.role.service_linked]
    for item in site_statements(ctx, sites):
        principals = item.statement.principals
        if not item.allow or principals is None or positive_clauses(item.statement, SOURCE_KEYS):
            continue
        site = item.site
        for service in sorted(principals.services - PASS_ROLE_ONLY_SERVICES):
            yield Finding(
                SERVICE_TRUST.id, SERVICE_TRUST.severity,
                f"Role {site.short_name} can be assumed by {service} on behalf of any account",
                site.owner, site.account_id, _remedy("trust policy", site.short_name, item.statement.index, service,
                                                     site.account_id),
                StatementLocation(site.owner, PolicyKind.TRUST, item.statement.index, item.statement.sid),
                details=(("service", service),))


CHECKS: tuple[Check, ...] = (
    Check(SERVICE_RESOURCE, service_in_resource_policy),
    Check(SERVICE_TRUST, service_in_trust_policy),
)
