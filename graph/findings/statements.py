"""Questions the checks ask of parsed policy statements (never of raw JSON).

Statements come from `graph.policy.policy_from_text`, so every spelling a snapshot may hold
(objects, JSON strings, URL-encoded strings, single values or lists) is already normalized.
A condition "pins" a statement only when it is a positive test (not negated, not `...IfExists`,
not `ForAllValues`) on the key with a concrete value: a negated operator, an `IfExists` suffix or
`ForAllValues` are all true when the key is absent, so they restrict nobody who omits the key
(condition operators reference, "...IfExists" and "ForAllValues" sections).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from graph.findings.context import CheckContext, PolicySite
from graph.policy.conditions import Clause, Family, SetQualifier
from graph.policy import Statement

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):(.+)$")
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")


@dataclass(frozen=True, slots=True)
class SiteStatement:
    """One statement of one trust or resource policy."""

    site: PolicySite
    statement: Statement
    allow: bool


def site_statements(ctx: CheckContext, sites: Iterable[PolicySite]) -> Iterator[SiteStatement]:
    """Every statement of every policy site, in order."""
    for site in sites:
        for statement in ctx.statements_of(site.document):
            yield SiteStatement(site, statement, statement.is_allow)


def positive_clauses(statement: Statement, keys: frozenset[str]) -> tuple[Clause, ...]:
    """Clauses that require one of `keys` to be present with a listed value (see module doc)."""
    found = []
    for clause in statement.conditions:
        if clause.key_lower not in keys or clause.negated or clause.if_exists:
            continue
        if clause.qualifier is SetQualifier.FOR_ALL_VALUES or clause.family in (Family.NULL, Family.UNKNOWN):
            continue
        if not clause.values or not all(_concrete(clause, value) for value in clause.values):
            continue  # the values are ORed: one catch-all value ("*", 0.0.0.0/0) lets everyone through
        found.append(clause)
    return tuple(found)


def negated_clauses(statement: Statement, keys: frozenset[str]) -> tuple[Clause, ...]:
    """Negated clauses on `keys` (used in Deny statements to fence everyone else out)."""
    return tuple(clause for clause in statement.conditions if clause.key_lower in keys and clause.negated
                 and any(_concrete(clause, value) for value in clause.values))


def _concrete(clause: Clause, value: str) -> bool:
    """A value that narrows something: not only wildcards, and not a CIDR covering the whole internet."""
    if value.strip("*?") == "":
        return False
    if clause.key_lower in ("aws:sourceip", "aws:vpcsourceip"):
        try:
            return ipaddress.ip_network(value, strict=False).prefixlen > 0
        except ValueError:
            return True
    return True


def clause_values(clauses: Iterable[Clause]) -> tuple[str, ...]:
    """Every value of the clauses, in order, without repeats."""
    return tuple(dict.fromkeys(value for clause in clauses for value in clause.values))


def account_of_principal(text: str) -> str | None:
    """The account of an account id, a root ARN or an IAM/STS principal ARN."""
    if _ACCOUNT_ID.match(text):
        return text
    found = _IAM_ARN.match(text)
    return found.group(1) if found else None


def is_org_id(text: str) -> bool:
    """Whether `text` looks like an organization id (`o-` and 10 to 32 lower-case letters or digits)."""
    return bool(_ORG_ID.match(text))


def describe_clauses(clauses: Iterable[Clause]) -> str:
    """`key operator [values]` for each clause, joined with `; `."""
    return "; ".join(f"{clause.key} {clause.operator} [{', '.join(clause.values)}]" for clause in clauses)


def _covers(deny: Statement, allow: Statement) -> bool:
    """Whether every action the Allow could grant is also named by the Deny.

    An Allow pattern is tested as text against the Deny's patterns: `s3:*` covers `s3:get*`, while
    `s3:get*` does not cover `s3:*`; a NotAction Allow is covered only by a Deny of `*`.
    """
    if allow.actions is None:
        return deny.actions is not None and "*" in deny.actions
    return all(deny.matches_action(pattern) for pattern in allow.actions)


def deny_fences(statements: Iterable[SiteStatement], allow: Statement, keys: frozenset[str]) -> bool:
    """Whether a Deny for everyone fences the Allow's callers with a negated test on one of `keys`.

    The usual data-perimeter form is `Deny` + `Principal: "*"` + `StringNotEquals aws:PrincipalOrgID`
    over the same actions: it denies every caller outside the organization, so an Allow to `*` is
    no longer public.
    """
    for item in statements:
        principals = item.statement.principals
        if item.allow or principals is None or not principals.everyone:
            continue
        fence = item.statement.conditions
        if fence and all(clause.negated and clause.key_lower in keys for clause in fence) \
                and negated_clauses(item.statement, keys) and _covers(item.statement, allow):
            return True
    return False
