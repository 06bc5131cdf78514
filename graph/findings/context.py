"""What every check needs to know about a snapshot: who is inside, what exists, which policies to read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from graph.findings.model import FindingsSettings, PolicyKind
from graph.model import PolicyDocument, Resource, Role, Snapshot
from graph.org import OrgIndex
from graph.policy import Statement, policy_from_text

if TYPE_CHECKING:
    from graph.build import AccessGraph


def home_accounts(snapshot: Snapshot) -> frozenset[str]:
    """The accounts that count as "ours": the organization's, or without org data the collected ones."""
    if snapshot.organization is not None:
        org = snapshot.organization
        return frozenset({org.management_account_id, *(account.id for account in org.accounts)})
    return frozenset(account.id for account in snapshot.accounts)


@dataclass(frozen=True, slots=True)
class PolicySite:
    """One trust or resource policy and what it protects."""

    owner: str
    """The role or resource ARN (the policy has no ARN of its own)."""
    account_id: str
    kind: PolicyKind
    document: PolicyDocument
    resource_type: str | None
    """CloudFormation type of the resource; None for a role's trust policy."""
    role: Role | None = None
    resource: Resource | None = None

    @property
    def short_name(self) -> str:
        """The role or resource name as people say it (`role/VendorAudit`, `shared-data-bucket`)."""
        if self.role is not None:
            return f"role/{self.role.name}"
        if self.resource is not None and self.resource.name:
            return self.resource.name
        return self.owner.rsplit(":", 1)[-1]


class CheckContext:
    """A snapshot seen by the checks, with the answers they share computed once."""

    def __init__(self, snapshot: Snapshot, settings: FindingsSettings, access_graph: AccessGraph | None = None,
                 *, use_graph: bool = True):
        self.snapshot = snapshot
        self.settings = settings
        self.org = OrgIndex.build(snapshot.organization)
        self._access_graph = access_graph
        self._parsed: dict[str, tuple[Statement, ...]] = {}
        self.use_graph = use_graph
        """Whether checks may consult the access graph (built on first use)."""

    @cached_property
    def collected_accounts(self) -> frozenset[str]:
        """Accounts whose IAM data is in the snapshot."""
        return frozenset(account.id for account in self.snapshot.accounts)

    @cached_property
    def home_accounts(self) -> frozenset[str]:
        """The accounts that count as "ours" (see `home_accounts`)."""
        return home_accounts(self.snapshot)

    def is_outside(self, account_id: str) -> bool:
        """Whether an account is outside the organization and not vouched for with `--trusted-accounts`."""
        return account_id not in self.home_accounts and account_id not in self.settings.trusted_accounts

    @cached_property
    def principal_arns(self) -> frozenset[str]:
        """ARNs of every collected user and role."""
        arns: set[str] = set()
        for account in self.snapshot.accounts:
            arns.update(user.arn for user in account.users)
            arns.update(role.arn for role in account.roles)
        return frozenset(arns)

    @cached_property
    def principal_names(self) -> frozenset[tuple[str, str, str]]:
        """(account, "role" or "user", name) of every collected principal; IAM matches ARNs without the path."""
        names: set[tuple[str, str, str]] = set()
        for account in self.snapshot.accounts:
            names.update((account.id, "user", user.name) for user in account.users)
            names.update((account.id, "role", role.name) for role in account.roles)
        return frozenset(names)

    @cached_property
    def unique_ids(self) -> frozenset[str]:
        """Unique ids (`AROA...`, `AIDA...`) of every collected role and user."""
        ids: set[str] = set()
        for account in self.snapshot.accounts:
            ids.update(user.user_id for user in account.users if user.user_id)
            ids.update(role.role_id for role in account.roles if role.role_id)
        return frozenset(ids)

    def statements_of(self, document: PolicyDocument) -> tuple[Statement, ...]:
        """The parsed statements of a document, parsed once per run whatever the evaluator's cache holds."""
        found = self._parsed.get(document.text)
        if found is None:
            found = self._parsed[document.text] = policy_from_text(document.text).statements
        return found

    def policy_sites(self) -> Iterator[PolicySite]:
        """Every role trust policy and resource policy of the snapshot, in snapshot order."""
        for account in self.snapshot.accounts:
            for role in account.roles:
                yield PolicySite(role.arn, account.id, PolicyKind.TRUST, role.trust_policy, None, role=role)
            for resource in account.resources:
                if resource.policy is not None:
                    yield PolicySite(resource.arn, account.id, PolicyKind.RESOURCE, resource.policy,
                                     resource.type, resource=resource)

    def resources(self) -> Iterator[Resource]:
        """Every collected resource."""
        for account in self.snapshot.accounts:
            yield from account.resources

    def account_reaches(self, account_id: str, target: str) -> bool | None:
        """Whether the account (or one of its principals) has a direct edge to `target`; None without the graph."""
        if not self.use_graph:
            return None
        graph = self.access_graph.graph
        if target not in graph:
            return None
        if account_id not in graph:
            return False  # the builder adds an outside account only when one of its edges survives evaluation
        members = [node for _, node, kind in graph.out_edges(account_id, data="kind") if kind == "member"]
        # edges_between: the edges into resources from users and roles are evaluated on demand (graph.edges.lazy)
        return any(self.access_graph.edges_between(source, target) for source in (account_id, *members))

    @property
    def access_graph(self) -> AccessGraph:
        """The access graph of the snapshot, built on first use."""
        if self._access_graph is None:
            from graph.build import build_graph

            self._access_graph = build_graph(self.snapshot)
        return self._access_graph
