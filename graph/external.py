"""The external-access report: every role and resource of the organization reachable from outside it.

"Outside" is, per source node of the access graph:

- the public node `"*"` (anyone, anonymous included);
- an account that is not in the organization (without organization data: not collected), and not
  listed in `trusted_accounts`; opaque accounts stand for every principal in them, and the
  principals of a collected account outside the organization are reached through its `member` edges;
- an identity provider (SAML, OIDC, web identity): its users and workloads are identities that
  AWS does not hold, the same view IAM Access Analyzer takes of federated trusts.

Identity Center's own SAML providers (`saml-provider/AWSSSO_...`) are the organization's workforce
directory, not outsiders. A path whose residual conditions pin the caller to the organization
(`aws:PrincipalOrgID` / `aws:PrincipalOrgPaths` equal to or under our organization, or
`aws:PrincipalAccount` naming only home accounts) is usable only from inside, so it is left out.

Service principals are not outsiders here: a service acting for another customer is the
confused-deputy finding (XPT-SVC-001/002). For each outsider the report keeps the shortest path to
each role and resource of a home account (`graph.query.reach`), and its status: `conditional`
when a hop needs request context the snapshot cannot know (an external ID, a source IP, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.build import AccessGraph
from graph.findings.context import home_accounts
from graph.query import AccessPath, reach


class OutsiderKind(StrEnum):
    """Why a source counts as outside."""

    PUBLIC = "public"
    """`"*"`: anyone."""
    EXTERNAL_ACCOUNT = "external-account"
    """An account outside the organization (collected or not)."""
    IDENTITY_PROVIDER = "identity-provider"
    """A SAML/OIDC/web-identity provider's users."""


@dataclass(frozen=True, slots=True)
class ExternalAccess:
    """One role or resource reachable by one outsider, with the shortest path in."""

    target: str
    target_type: str
    """`AWS::IAM::Role` for roles, else the resource's CloudFormation type."""
    account: str | None
    outsider: str
    outsider_kind: OutsiderKind
    path: AccessPath

    @property
    def key(self) -> tuple[str, str]:
        """(target, outsider): the identity of an entry across snapshots."""
        return (self.target, self.outsider)

    def to_json(self) -> dict[str, Any]:
        """`{"target", "target_type", "account", "outsider", "outsider_kind", "status", "conditions", "path"}`."""
        return {"target": self.target, "target_type": self.target_type, "account": self.account,
                "outsider": self.outsider, "outsider_kind": self.outsider_kind.value,
                "status": str(self.path.status), "conditions": [c.to_json() for c in self.path.conditions],
                "hops": len(self.path.hops), "path": [hop.to_json() for hop in self.path.hops]}


@dataclass(frozen=True, slots=True)
class ExternalAccessReport:
    """Every (target, outsider) pair, sorted by target then outsider."""

    entries: tuple[ExternalAccess, ...]
    outsiders: tuple[tuple[str, OutsiderKind], ...]
    """Every outsider found in the graph, reaching something or not."""
    trusted_accounts: frozenset[str] = frozenset()

    def targets(self) -> tuple[str, ...]:
        """Each reachable role or resource once, in order."""
        return tuple(dict.fromkeys(entry.target for entry in self.entries))

    def to_json(self) -> dict[str, Any]:
        """The `external_access` section of `findings --json`."""
        return {"trusted_accounts": sorted(self.trusted_accounts),
                "outsiders": [{"id": node, "kind": kind.value} for node, kind in self.outsiders],
                "entries": [entry.to_json() for entry in self.entries]}


def outsiders(ag: AccessGraph, trusted_accounts: frozenset[str] = frozenset()) -> list[tuple[str, OutsiderKind]]:
    """The graph's source nodes that stand for someone outside the organization."""
    home = home_accounts(ag.snapshot) | trusted_accounts
    found: list[tuple[str, OutsiderKind]] = []
    for node, data in sorted(ag.graph.nodes(data=True)):
        kind = data.get("kind")
        if kind == "public":
            found.append((node, OutsiderKind.PUBLIC))
        elif kind == "account" and node not in home:
            found.append((node, OutsiderKind.EXTERNAL_ACCOUNT))
        elif kind == "federated" and ":saml-provider/AWSSSO_" not in node:
            found.append((node, OutsiderKind.IDENTITY_PROVIDER))
    return found


_POSITIVE = ("stringequals", "stringlike", "stringequalsignorecase", "foranyvalue:stringequals",
             "foranyvalue:stringlike", "forallvalues:stringlike")


def inside_only(path: AccessPath, organization_id: str | None, home: frozenset[str]) -> bool:
    """Whether a residual condition of the path admits only callers of the organization (or home accounts)."""
    for condition in path.conditions:
        key, operator, values = condition.key.lower(), condition.operator.lower(), condition.values
        if operator not in _POSITIVE or not values:
            continue
        if key == "aws:principalorgid" and organization_id and all(v == organization_id for v in values):
            return True
        if key == "aws:principalorgpaths" and organization_id and operator.startswith("forany") \
                and all(v.startswith(f"{organization_id}/") for v in values):
            return True
        if key == "aws:principalaccount" and all(v in home for v in values):
            return True
    return False


def external_access(ag: AccessGraph, *, trusted_accounts: frozenset[str] = frozenset(),
                    max_hops: int = 6) -> ExternalAccessReport:
    """Every role and resource of a home account that an outsider reaches, with the shortest path.

    Args:
        ag: The access graph of the snapshot.
        trusted_accounts: Accounts outside the organization to treat as inside (vouched-for).
        max_hops: The longest path followed.

    Returns:
        The report, one entry per (target, outsider).
    """
    home = home_accounts(ag.snapshot) | trusted_accounts
    organization_id = ag.snapshot.organization.id if ag.snapshot.organization else None
    sources = outsiders(ag, trusted_accounts)
    entries: list[ExternalAccess] = []
    for source, kind in sources:
        for reached in reach(ag, source, max_hops=max_hops).resources:
            if reached.account not in home or not reached.path.hops:
                continue
            if inside_only(reached.path, organization_id, home):
                continue
            entries.append(ExternalAccess(reached.resource, reached.resource_type, reached.account, source, kind,
                                          reached.path))
    entries.sort(key=lambda entry: (entry.target, entry.outsider))
    return ExternalAccessReport(tuple(entries), tuple(sources), trusted_accounts)
