"""Checks of role trust policies: who from outside may assume a role, and on what terms.

Sources: Principal element (`"*"` and account principals delegate to everyone / the account's
admins), "Access to AWS accounts owned by third parties" (the external ID is how a vendor that
serves many customers avoids being a confused deputy; it is not a secret), and "Create a role
for OpenID Connect federation" (restrict `sub`, or any workload of the IdP can assume the role).
"""

from __future__ import annotations

from collections.abc import Iterator

from graph.findings.context import CheckContext
from graph.findings.model import CheckInfo, Finding, PolicyKind, Severity, StatementLocation
from graph.findings.registry import Check
from graph.policy.principals import PrincipalSet
from graph.findings.statements import (
    SiteStatement, account_of_principal, deny_fences, positive_clauses, site_statements,
)

EXTERNAL_ID_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html"
PRINCIPAL_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
OIDC_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html"

EXTERNAL_ID = frozenset({"sts:externalid"})
ORG_KEYS = frozenset({"aws:principalorgid", "aws:principalorgpaths"})
CALLER_PINS = frozenset({
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:userid",
    "aws:sourceip", "aws:sourcevpce", "aws:sourcevpc", "aws:vpcsourceip", "aws:sourceaccount", "aws:sourcearn",
    "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths",
})
"""Keys that tie an Allow to `*` to known callers or networks (not `sts:ExternalId`: it is not a secret)."""

TRUST_ANYONE = CheckInfo(
    "XPT-TRUST-001", "RoleTrustsAnyone", "Role trust policy allows anyone (\"*\") to assume the role",
    Severity.CRITICAL,
    "A trust policy whose Principal is \"*\" lets every AWS principal in every account assume the role unless a "
    "condition pins the caller (organization, account, principal ARN, network). An external ID does not pin "
    "it: AWS documents that the external ID is not a secret.", PRINCIPAL_DOC)
TRUST_EXTERNAL_ACCOUNT = CheckInfo(
    "XPT-TRUST-002", "RoleTrustsExternalAccountWithoutExternalId",
    "Role trusts a whole account outside the organization without sts:ExternalId", Severity.HIGH,
    "Naming an account delegates the role to every principal its administrators allow. When that account is a "
    "third party serving many customers, without an sts:ExternalId condition any of its customers can make it "
    "assume your role (confused deputy).", EXTERNAL_ID_DOC)
TRUST_THIRD_PARTY = CheckInfo(
    "XPT-TRUST-003", "RoleTrustsThirdPartyPrincipalWithoutExternalId",
    "Role trusts a principal of a third-party account without sts:ExternalId", Severity.MEDIUM,
    "The trusted user or role belongs to an account outside the organization. Third parties that act for many "
    "customers should be asked for an external ID, so that another customer cannot point them at your role.",
    EXTERNAL_ID_DOC)
TRUST_OIDC_SUB = CheckInfo(
    "XPT-TRUST-004", "OidcTrustWithoutSubject",
    "OIDC trust without a condition on the token's subject (sub)", Severity.HIGH,
    "A role trusted by an OpenID Connect provider (GitHub Actions, GitLab, EKS, ...) without a `<issuer>:sub` "
    "condition, or with a wildcard-only one, can be assumed by any workload that provider issues tokens for, "
    "including other organizations' repositories.", OIDC_DOC)


def _location(item: SiteStatement) -> StatementLocation:
    return StatementLocation(item.site.owner, PolicyKind.TRUST, item.statement.index, item.statement.sid)


def _trust_statements(ctx: CheckContext) -> Iterator[tuple[SiteStatement, tuple[SiteStatement, ...]]]:
    """Each Allow statement of each trust policy, with all statements of its policy."""
    sites = [site for site in ctx.policy_sites() if site.kind is PolicyKind.TRUST]
    for site in sites:
        statements = tuple(site_statements(ctx, [site]))
        for item in statements:
            if item.allow and item.statement.principals is not None:
                yield item, statements


def trusts_anyone(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-TRUST-001: a trust to `*` with no condition that pins the caller."""
    for item, policy in _trust_statements(ctx):
        principals = item.statement.principals
        assert principals is not None
        if not principals.everyone or positive_clauses(item.statement, CALLER_PINS):
            continue
        if deny_fences(policy, item.statement, CALLER_PINS):
            continue
        site = item.site
        external_id = positive_clauses(item.statement, EXTERNAL_ID)
        note = " (its sts:ExternalId condition does not help: the external ID is not a secret)" if external_id else ""
        yield Finding(
            TRUST_ANYONE.id, TRUST_ANYONE.severity, f"Role {site.short_name} can be assumed by anyone{note}",
            site.owner, site.account_id,
            f"Replace Principal \"*\" in statement {item.statement.index} of the trust policy of {site.short_name} "
            "with the exact role or account ARNs that need it, or add a condition such as "
            "`StringEquals aws:PrincipalOrgID = <your org id>`.",
            _location(item))


def _without_external_id(item: SiteStatement) -> bool:
    return not positive_clauses(item.statement, EXTERNAL_ID) and not positive_clauses(item.statement, ORG_KEYS)


def _unprotected_trusts(ctx: CheckContext) -> Iterator[tuple[SiteStatement, PrincipalSet]]:
    """Trust statements with neither an external ID nor an organization condition, with their principals."""
    for item, _ in _trust_statements(ctx):
        principals = item.statement.principals
        assert principals is not None
        if _without_external_id(item):
            yield item, principals


def trusts_external_account(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-TRUST-002: a trust to a whole account outside the organization without an external ID."""
    for item, principals in _unprotected_trusts(ctx):
        site = item.site
        for account in sorted(principals.accounts):
            if account == site.account_id or not ctx.is_outside(account):
                continue
            yield Finding(
                TRUST_EXTERNAL_ACCOUNT.id, TRUST_EXTERNAL_ACCOUNT.severity,
                f"Role {site.short_name} trusts account {account} (outside the organization) without sts:ExternalId",
                site.owner, site.account_id,
                f"Add `\"Condition\": {{\"StringEquals\": {{\"sts:ExternalId\": \"<value>\"}}}}` to statement "
                f"{item.statement.index} of the trust policy of {site.short_name}; the third party owning account "
                f"{account} gives you the value. If {account} is yours, list it with --trusted-accounts.",
                _location(item), details=(("external_account", account),))


def trusts_third_party_principal(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-TRUST-003: a trust to a user or role of an account outside the organization without an external ID."""
    for item, principals in _unprotected_trusts(ctx):
        site = item.site
        for arn in sorted(principals.arns):
            account = account_of_principal(arn)
            if account is None or account == site.account_id or not ctx.is_outside(account):
                continue
            yield Finding(
                TRUST_THIRD_PARTY.id, TRUST_THIRD_PARTY.severity,
                f"Role {site.short_name} trusts {arn} (account {account}, outside the organization) "
                "without sts:ExternalId", site.owner, site.account_id,
                f"Add an `sts:ExternalId` condition to statement {item.statement.index} of the trust policy of "
                f"{site.short_name}; the third party gives you the value.",
                _location(item), details=(("external_account", account), ("principal", arn)))


def _oidc_issuer(provider: str) -> str | None:
    """The issuer host/path of an OIDC provider ARN (`arn:aws:iam::1:oidc-provider/ISSUER`)."""
    marker = ":oidc-provider/"
    return provider.split(marker, 1)[1] if marker in provider else None


def _wildcard_only(value: str) -> bool:
    """A subject that names no one: only wildcards, or a claim type followed by wildcards (`repo:*`)."""
    parts = value.split(":")
    rest = parts[1:] if len(parts) > 1 else parts
    return all(part.strip("*?") == "" for part in rest)


def oidc_without_subject(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-TRUST-004: an OIDC-provider trust without a concrete `<issuer>:sub` condition."""
    for item, _ in _trust_statements(ctx):
        principals = item.statement.principals
        assert principals is not None
        for provider in sorted(principals.federated):
            issuer = _oidc_issuer(provider)
            if issuer is None:
                continue
            sub_key = frozenset({f"{issuer.lower()}:sub"})
            subjects = [value for clause in positive_clauses(item.statement, sub_key) for value in clause.values]
            if subjects and not all(_wildcard_only(value) for value in subjects):
                continue
            site = item.site
            problem = f"a wildcard-only subject ({', '.join(subjects)})" if subjects else "no condition on sub"
            yield Finding(
                TRUST_OIDC_SUB.id, TRUST_OIDC_SUB.severity,
                f"Role {site.short_name} trusts OIDC provider {issuer} with {problem}",
                site.owner, site.account_id,
                f"Add `\"StringEquals\": {{\"{issuer}:sub\": \"<exact subject>\"}}` (for GitHub Actions e.g. "
                f"`repo:<org>/<repo>:ref:refs/heads/main`) to statement {item.statement.index} of the trust policy "
                f"of {site.short_name}.",
                _location(item), details=(("provider", provider),))


CHECKS: tuple[Check, ...] = (
    Check(TRUST_ANYONE, trusts_anyone),
    Check(TRUST_EXTERNAL_ACCOUNT, trusts_external_account),
    Check(TRUST_THIRD_PARTY, trusts_third_party_principal),
    Check(TRUST_OIDC_SUB, oidc_without_subject),
)
