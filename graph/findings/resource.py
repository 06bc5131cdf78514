"""Checks of resource policies (bucket, key, topic, queue, secret, function, repository): who outside may use them.

A statement that allows `*` is public unless a positive condition pins the caller to known
principals, accounts, an organization or a network: the keys S3 Block Public Access accepts as
making a policy non-public (`aws:SourceArn`, `aws:SourceVpc(e)`, `aws:SourceOwner`,
`aws:SourceAccount`, `aws:userid`, `aws:SourceIp` with a CIDR, `aws:PrincipalOrgID`, ...; "The
meaning of public" in the S3 user guide). That is why the SNS default topic policy, `AWS:*` with
`StringEquals AWS:SourceOwner = <owner>`, is not public.
"""

from __future__ import annotations

from collections.abc import Iterator

from graph.findings.context import CheckContext
from graph.findings.model import CheckInfo, Finding, PolicyKind, Severity, StatementLocation
from graph.findings.registry import Check
from graph.findings.statements import (
    SiteStatement, account_of_principal, clause_values, deny_fences, is_org_id, positive_clauses, site_statements,
)
from graph.findings.trust import CALLER_PINS

PUBLIC_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"
CROSS_ACCOUNT_DOC = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                     "reference_policies_evaluation-logic-cross-account.html")

RESOURCE_PINS = CALLER_PINS | frozenset({"kms:calleraccount", "s3:dataaccesspointaccount",
                                         "s3:x-amz-server-side-encryption-aws-kms-key-id"})
ACCOUNT_KEYS = frozenset({"aws:principalaccount", "aws:sourceaccount", "aws:sourceowner", "kms:calleraccount"})
ORG_ID_KEYS = frozenset({"aws:principalorgid"})

RESOURCE_PUBLIC = CheckInfo(
    "XPT-RES-001", "ResourcePolicyPublic", "Resource policy allows anyone (\"*\")", Severity.CRITICAL,
    "An Allow statement for Principal \"*\" without a condition that pins the caller to an organization, "
    "account, principal or network grants the action to every AWS principal, and for S3 to anonymous callers.",
    PUBLIC_DOC)
RESOURCE_EXTERNAL = CheckInfo(
    "XPT-RES-002", "ResourcePolicyGrantsOutsideOrganization",
    "Resource policy grants access to an account outside the organization", Severity.MEDIUM,
    "The resource policy names an account (or a principal of one), or pins `*` to an account or organization, "
    "that is not part of your organization. Every principal that account allows can use the resource.",
    CROSS_ACCOUNT_DOC)


def _location(item: SiteStatement) -> StatementLocation:
    return StatementLocation(item.site.owner, PolicyKind.RESOURCE, item.statement.index, item.statement.sid)


def _resource_allows(ctx: CheckContext) -> Iterator[tuple[SiteStatement, tuple[SiteStatement, ...]]]:
    for site in ctx.policy_sites():
        if site.kind is not PolicyKind.RESOURCE:
            continue
        statements = tuple(site_statements(ctx, [site]))
        for item in statements:
            if item.allow and item.statement.principals is not None:
                yield item, statements


def _actions(item: SiteStatement) -> str:
    statement = item.statement
    if statement.actions is None:
        return "every action except " + ", ".join(statement.not_actions or ())
    return ", ".join(statement.actions)


def public_resource(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-RES-001: an Allow to `*` without a pinning condition or a Deny that fences outsiders."""
    for item, policy in _resource_allows(ctx):
        principals = item.statement.principals
        assert principals is not None
        if not principals.everyone or positive_clauses(item.statement, RESOURCE_PINS):
            continue
        if deny_fences(policy, item.statement, RESOURCE_PINS):
            continue
        site = item.site
        yield Finding(
            RESOURCE_PUBLIC.id, RESOURCE_PUBLIC.severity,
            f"{site.resource_type or 'Resource'} {site.short_name} allows anyone: {_actions(item)}",
            site.owner, site.account_id,
            f"In statement {item.statement.index} of the policy of {site.short_name}, replace Principal \"*\" with "
            "the account or role ARNs that need access, or add `StringEquals aws:PrincipalOrgID = <your org id>` "
            "(or aws:SourceVpce / aws:SourceAccount for service integrations).",
            _location(item), details=(("actions", _actions(item)),))


def _outside_grantees(ctx: CheckContext, item: SiteStatement) -> list[tuple[str, str]]:
    """(account or org id, how it is named) for every outsider the statement admits."""
    principals = item.statement.principals
    assert principals is not None
    found: dict[str, str] = {}
    for account in sorted(principals.accounts):
        found.setdefault(account, "account principal")
    for arn in sorted(principals.arns):
        named = account_of_principal(arn)
        if named is not None:
            found.setdefault(named, f"principal {arn}")
    if principals.everyone:
        for value in clause_values(positive_clauses(item.statement, ACCOUNT_KEYS)):
            pinned = account_of_principal(value)
            if pinned is not None:
                found.setdefault(pinned, "\"*\" pinned to the account by condition")
        own_org = ctx.org.organization_id
        for value in clause_values(positive_clauses(item.statement, ORG_ID_KEYS)):
            if is_org_id(value) and value != own_org:
                found.setdefault(value, "\"*\" pinned to another organization by aws:PrincipalOrgID")
    own = item.site.account_id
    return [(grantee, how) for grantee, how in found.items()
            if grantee != own and (is_org_id(grantee) or ctx.is_outside(grantee))]


def resource_grants_outside(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-RES-002: a resource policy Allow naming an account or organization outside ours.

    When the access graph shows that the outside account has no edge to the resource (an RCP or a
    Deny stops the grant), the finding stays, lowered to low: the statement takes effect as soon as
    the control that blocks it changes.
    """
    for item, _ in _resource_allows(ctx):
        site = item.site
        for grantee, how in _outside_grantees(ctx, item):
            noun = "organization" if is_org_id(grantee) else "account"
            blocked = not is_org_id(grantee) and ctx.account_reaches(grantee, site.owner) is False
            note = " (no access path today: a Deny or RCP stops it)" if blocked else ""
            yield Finding(
                RESOURCE_EXTERNAL.id, Severity.LOW if blocked else RESOURCE_EXTERNAL.severity,
                f"{site.resource_type or 'Resource'} {site.short_name} grants {noun} {grantee} "
                f"(outside the organization): {_actions(item)}{note}",
                site.owner, site.account_id,
                f"If {grantee} should not have access, remove it from statement {item.statement.index} of the "
                f"policy of {site.short_name}; if it should, name only the roles that need it (not the whole "
                f"{noun}) and list a vouched-for account with --trusted-accounts.",
                _location(item), details=(("grantee", grantee), ("named_as", how)))


CHECKS: tuple[Check, ...] = (
    Check(RESOURCE_PUBLIC, public_resource),
    Check(RESOURCE_EXTERNAL, resource_grants_outside),
)
