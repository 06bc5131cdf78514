"""Checks of how policies name principals: NotPrincipal, unique ids of deleted principals, ARN allow-lists.

Sources: NotPrincipal reference (an Allow with NotPrincipal grants everyone not listed, anonymous
callers included; AWS supports NotPrincipal only with Deny), and the Principal element reference
("If your Principal element contains the ARN of a specific IAM role or user and that role or user
is deleted and recreated, the principal is shown as its unique id and the new one does not
match"), while `aws:PrincipalArn` conditions keep the ARN text, so a role re-created with the same
name gets the access back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graph.findings.context import CheckContext
from graph.findings.model import CheckInfo, Finding, Severity, StatementLocation
from graph.findings.registry import Check
from graph.findings.statements import SiteStatement, positive_clauses, site_statements

NOT_PRINCIPAL_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
PRINCIPAL_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"

_NAMED_PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):(role|user)/(?:.*/)?([^/]+)$")
PRINCIPAL_ARN = frozenset({"aws:principalarn"})

NOT_PRINCIPAL_ALLOW = CheckInfo(
    "XPT-PRIN-001", "NotPrincipalWithAllow", "Allow statement uses NotPrincipal", Severity.HIGH,
    "Allow with NotPrincipal grants the actions to every principal except those listed, anonymous callers "
    "included. AWS supports NotPrincipal only with Deny.", NOT_PRINCIPAL_DOC)
DANGLING_UNIQUE_ID = CheckInfo(
    "XPT-PRIN-002", "DanglingUniqueIdPrincipal", "Policy names the unique id of a deleted user or role", Severity.LOW,
    "IAM shows a principal as its unique id (AROA.../AIDA...) once the user or role is deleted. The statement "
    "no longer matches anyone, not even a re-created principal of the same name: stale access to clean up, and "
    "a sign that a trust relationship silently broke.", PRINCIPAL_DOC)
PRINCIPAL_ARN_TAKEOVER = CheckInfo(
    "XPT-PRIN-003", "PrincipalArnNamesMissingPrincipal",
    "aws:PrincipalArn allow-list names a role or user that does not exist", Severity.HIGH,
    "Conditions on aws:PrincipalArn are not converted to unique ids, so whoever can create a role or user of "
    "that name in that account gets the access (takeover by re-creation).", PRINCIPAL_DOC)


def _location(item: SiteStatement) -> StatementLocation:
    return StatementLocation(item.site.owner, item.site.kind, item.statement.index, item.statement.sid)


def not_principal_allow(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-PRIN-001: an Allow statement with NotPrincipal."""
    for item in site_statements(ctx, ctx.policy_sites()):
        if not item.allow or item.statement.not_principals is None:
            continue
        site = item.site
        yield Finding(
            NOT_PRINCIPAL_ALLOW.id, NOT_PRINCIPAL_ALLOW.severity,
            f"{site.resource_type or 'Role'} {site.short_name} allows everyone except the NotPrincipal list",
            site.owner, site.account_id,
            f"Rewrite statement {item.statement.index} of the policy of {site.short_name} as an Allow with an "
            "explicit Principal list (or Principal \"*\" with a pinning condition such as aws:PrincipalOrgID); "
            "use NotPrincipal only in Deny statements.", _location(item))


def dangling_unique_ids(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-PRIN-002: a Principal or NotPrincipal naming a unique id that no collected principal has."""
    for item in site_statements(ctx, ctx.policy_sites()):
        named: set[str] = set()
        for element in (item.statement.principals, item.statement.not_principals):
            if element is not None:
                named.update(element.unique_ids)
        site = item.site
        for unique_id in sorted(named - ctx.unique_ids):
            kind = {"AROA": "role", "AIDA": "user"}.get(unique_id[:4], "principal")
            yield Finding(
                DANGLING_UNIQUE_ID.id, DANGLING_UNIQUE_ID.severity,
                f"{site.resource_type or 'Role'} {site.short_name} names {unique_id}, a deleted {kind}",
                site.owner, site.account_id,
                f"Remove {unique_id} from statement {item.statement.index} of the policy of {site.short_name}; if the "
                f"{kind} was re-created, name its ARN again (the old id never matches it).",
                _location(item), details=(("unique_id", unique_id),))


def principal_arn_takeover(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-PRIN-003: an Allow conditioned on aws:PrincipalArn naming a missing role or user of a collected account."""
    for item in site_statements(ctx, ctx.policy_sites()):
        if not item.allow:
            continue
        site = item.site
        values = {value for clause in positive_clauses(item.statement, PRINCIPAL_ARN) for value in clause.values}
        for value in sorted(values):
            found = _NAMED_PRINCIPAL.match(value)
            if found is None or "*" in value or "?" in value:
                continue
            account, kind, name = found.groups()
            if account not in ctx.collected_accounts or (account, kind, name) in ctx.principal_names:
                continue
            yield Finding(
                PRINCIPAL_ARN_TAKEOVER.id, PRINCIPAL_ARN_TAKEOVER.severity,
                f"{site.resource_type or 'Role'} {site.short_name} allows aws:PrincipalArn {value}, which does not "
                f"exist in account {account}", site.owner, site.account_id,
                f"Remove {value} from the aws:PrincipalArn condition of statement {item.statement.index} of the "
                f"policy of {site.short_name}, or re-create the {kind} deliberately and name it in Principal (which "
                "IAM pins to its unique id).", _location(item), details=(("principal_arn", value),))


CHECKS: tuple[Check, ...] = (
    Check(NOT_PRINCIPAL_ALLOW, not_principal_allow),
    Check(DANGLING_UNIQUE_ID, dangling_unique_ids),
    Check(PRINCIPAL_ARN_TAKEOVER, principal_arn_takeover),
)
