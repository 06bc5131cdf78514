"""The identity side of every principal, and an index to find the ones worth evaluating.

A user's identity side is its inline and managed policies plus its groups' policies, its
permissions boundary, and the SCP levels of its account (none for the management account and for
service-linked roles). The index answers "which principals of account A have an Allow statement
that could cover service S on this ARN", so a resource is only evaluated against those
(SEMANTICS ER-3: no all-pairs evaluation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from graph import context
from graph.edges.common import ALLOW_ALL, PUBLIC_NODE, Caller, Levels, LoadedPolicy, NodeKind, Target, load_policy
from graph.edges.statements import (
    StatementShape,
    account_of_principal,
    action_services,
    open_statement_accounts,
    statement_may_cover_service,
    statement_may_match_resource,
    statement_shapes,
)
from graph.model import Account, InlinePolicy, ManagedPolicy, PolicyDocument, Role, Snapshot, User
from graph.org import OrgIndex, PolicyLevels

from graph.policy.actions import rcp_supported_services


_DIGIT_RUNS = re.compile(r"\d{12,}")
"""Runs of 12 digits or more: those of exactly 12 are the account ids a text can name."""


_Coverage = tuple[tuple[StatementShape, ...], tuple[StatementShape, ...], bool]
"""A principal's Allow statements (held: the memo key is their id), those that could cover a service, and
whether one of those may match every ARN."""


@dataclass(slots=True)
class _Loader:
    """The pre-filters' view of each distinct policy text, worked out once."""

    allows: dict[str, tuple[StatementShape, ...]] = field(default_factory=dict)
    services: dict[str, frozenset[str]] = field(default_factory=dict)
    profiles: dict[tuple[str, ...], tuple[tuple[StatementShape, ...], frozenset[str]]] = field(default_factory=dict)

    def load(self, document: PolicyDocument, policy_id: str) -> LoadedPolicy:
        """The document under `policy_id`, parsed when first evaluated (equal texts share their statements)."""
        return load_policy(document, policy_id)

    def inline(self, owner_arn: str, policies: tuple[InlinePolicy, ...]) -> list[LoadedPolicy]:
        """A principal's or group's inline policies."""
        return [self.load(p.document, f"{owner_arn}/inline/{p.name}") for p in policies]

    def allows_of(self, text: str) -> tuple[StatementShape, ...]:
        """The Allow statements of a policy."""
        found = self.allows.get(text)
        if found is None:
            found = self.allows[text] = tuple(shape for shape in statement_shapes(text) if shape.allows)
        return found

    def profile(self, texts: tuple[str, ...]) -> tuple[tuple[StatementShape, ...], frozenset[str]]:
        """The Allow statements of an identity (its policy texts, in order) and the services they name."""
        found = self.profiles.get(texts)
        if found is None:
            found = self.profiles[texts] = (tuple(shape for text in texts for shape in self.allows_of(text)),
                                            frozenset().union(*(self.services_of(text) for text in texts)))
        return found

    def services_of(self, text: str) -> frozenset[str]:
        """The service prefixes the policy's Allow statements name (`action_services`)."""
        found = self.services.get(text)
        if found is None:
            found = self.services[text] = frozenset().union(*(action_services(s) for s in self.allows_of(text)))
        return found


@dataclass(slots=True)
class PrincipalIndex:
    """Callers for every collected user and role, indexed by account and by service."""

    org: OrgIndex
    callers: dict[str, Caller] = field(default_factory=dict)
    by_account: dict[str, list[Caller]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _allows: dict[str, tuple[StatementShape, ...]] = field(default_factory=dict)
    _by_service: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _scp_cache: dict[str, Levels | None] = field(default_factory=dict)
    _rcp_cache: dict[str, Levels | None] = field(default_factory=dict)
    _by_name: dict[tuple[str, str, str], Caller] = field(default_factory=dict)
    _nodes_cache: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _covering_cache: dict[tuple[int, str], _Coverage] = field(default_factory=dict)
    _node_sets: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    _opaque: dict[tuple[str, str | None], Caller] = field(default_factory=dict)
    role_targets: dict[str, Target] = field(default_factory=dict)
    """The resource side of assuming each role (`assume_role.role_target`), built once per role."""
    external_accounts: tuple[str, ...] = ()
    """Accounts the snapshot knows of (organization members, accounts named in trust or resource
    policies) whose principals were not collected: each stands for all its principals."""

    @classmethod
    def build(cls, snapshot: Snapshot, org: OrgIndex) -> PrincipalIndex:
        """Load every principal's identity side from the snapshot."""
        index = cls(org)
        loader = _Loader()
        managed_anywhere: dict[str, ManagedPolicy] = {}
        for account in snapshot.accounts:
            for policy in account.managed_policies:
                managed_anywhere.setdefault(policy.arn, policy)
        for account in snapshot.accounts:
            index._add_account(account, managed_anywhere, loader)
        index.external_accounts = _external_accounts(snapshot)
        return index

    def _add_account(self, account: Account, managed_anywhere: dict[str, ManagedPolicy], loader: _Loader) -> None:
        managed = {p.arn: p for p in account.managed_policies}
        groups = {g.name: g for g in account.groups}
        loaded: dict[str, LoadedPolicy] = {}

        def managed_policy(arn: str, owner: str) -> LoadedPolicy | None:
            if arn not in loaded:
                policy = managed.get(arn) or managed_anywhere.get(arn)
                if policy is None:
                    self.warnings.append(f"{owner}: managed policy {arn} is not in the snapshot; "
                                         "its permissions are not counted")
                    return None
                loaded[arn] = loader.load(policy.document, arn)
            return loaded[arn]

        def attached(arns: tuple[str, ...], owner: str) -> list[LoadedPolicy]:
            return [p for p in (managed_policy(arn, owner) for arn in arns) if p is not None]

        for user in account.users:
            identity = loader.inline(user.arn, user.inline_policies) + attached(user.managed_policy_arns, user.arn)
            for group_name in user.group_names:
                group = groups.get(group_name)
                if group is None:
                    self.warnings.append(f"{user.arn}: group {group_name} is not in the snapshot")
                    continue
                identity += loader.inline(group.arn, group.inline_policies)
                identity += attached(group.managed_policy_arns, group.arn)
            boundary = managed_policy(user.permissions_boundary_arn, user.arn) if user.permissions_boundary_arn else None
            self._add(self._caller(user, NodeKind.USER, identity, boundary, context.for_user(user, self.org)), loader)
        for role in account.roles:
            identity = loader.inline(role.arn, role.inline_policies) + attached(role.managed_policy_arns, role.arn)
            boundary = managed_policy(role.permissions_boundary_arn, role.arn) if role.permissions_boundary_arn else None
            self._add(self._caller(role, NodeKind.ROLE, identity, boundary, context.for_role(role, self.org)), loader)

    def _caller(self, principal: User | Role, kind: NodeKind, identity: list[LoadedPolicy],
                boundary: LoadedPolicy | None, ctx: context.RequestContext) -> Caller:
        exempt = isinstance(principal, Role) and principal.service_linked  # SCPs skip service-linked roles
        scps = None if exempt else self.scps(principal.account_id)
        unique = tuple({p.policy_id: p for p in identity}.values())
        return Caller(principal.arn, kind, principal.arn, principal.account_id, unique, boundary, scps, ctx)

    def _add(self, caller: Caller, loader: _Loader) -> None:
        self.callers[caller.node] = caller
        assert caller.account is not None
        kind, _, name = caller.node.split(":", 5)[5].partition("/")
        self._by_name[(caller.account, kind, name.rsplit("/", 1)[-1])] = caller
        self.by_account.setdefault(caller.account, []).append(caller)
        allows, services = loader.profile(tuple(loaded.text for loaded in caller.identity))
        self._allows[caller.node] = allows
        for service in services:
            self._by_service.setdefault((caller.account, service), []).append(caller.node)
        self._nodes_cache.clear()
        self._node_sets.clear()

    def scps(self, account_id: str) -> Levels | None:
        """SCP levels (loaded) for principals of an account."""
        if account_id not in self._scp_cache:
            self._scp_cache[account_id] = load_levels(self.org.scp_levels(account_id))
        return self._scp_cache[account_id]

    def rcps(self, account_id: str, service: str, *, exempt: bool = False) -> Levels | None:
        """RCP levels protecting a resource of `service` in an account (None if they do not apply).

        RCPs only apply to the services AWS lists as supporting them (data from the service
        reference, not code), never to the management account, and not when `exempt` (AWS
        managed KMS keys, a service assuming its service-linked role).
        """
        if exempt or service.lower() not in rcp_supported_services():
            return None
        if account_id not in self._rcp_cache:
            self._rcp_cache[account_id] = load_levels(self.org.rcp_levels(account_id))
        return self._rcp_cache[account_id]

    def find(self, arn: str) -> Caller | None:
        """The caller for a user or role ARN (path-insensitive, as IAM stores principals by id)."""
        if arn in self.callers:
            return self.callers[arn]
        parts = arn.split(":", 5)
        if len(parts) != 6:
            return None
        kind, _, name = parts[5].partition("/")
        return self._by_name.get((parts[4], kind, name.rsplit("/", 1)[-1]))

    def allows_of(self, node: str) -> tuple[StatementShape, ...]:
        """The Allow statements of a principal's identity policies."""
        return self._allows.get(node, ())

    def candidates(self, account_id: str, service: str, arn: str, *, with_children: bool = False) -> list[Caller]:
        """Principals of an account with an identity Allow that could cover `service` on `arn`."""
        found = []
        for node in self._service_nodes(account_id, service):
            if self._covers_everything(node, service) or any(
                    statement_may_match_resource(shape, arn, with_children=with_children)
                    for shape in self._covering(node, service)):
                found.append(self.callers[node])
        return found

    def _covers_everything(self, node: str, service: str) -> bool:
        """Whether a covering statement may match any ARN (`statement_may_match_resource` holds for every ARN)."""
        return self._coverage(node, service)[2]

    def opaque(self, account_id: str, principal: str | None = None) -> Caller:
        """`opaque_account_caller` of this index's organization, built once per (account, principal)."""
        key = (account_id, principal)
        found = self._opaque.get(key)
        if found is None:
            found = self._opaque[key] = opaque_account_caller(account_id, self.org, principal)
        return found

    def service_nodes(self, account_id: str, service: str) -> frozenset[str]:
        """Principals of an account with an identity Allow whose Action could name `service` (or any service)."""
        key = (account_id, service)
        found = self._node_sets.get(key)
        if found is None:
            found = self._node_sets[key] = frozenset(self._service_nodes(account_id, service))
        return found

    def _service_nodes(self, account_id: str, service: str) -> list[str]:
        key = (account_id, service)
        found = self._nodes_cache.get(key)
        if found is None:
            found = self._nodes_cache[key] = sorted(set(self._by_service.get(key, ()))
                                                    | set(self._by_service.get((account_id, "*"), ())))
        return found

    def _covering(self, node: str, service: str) -> tuple[StatementShape, ...]:
        """The principal's Allow statements that could cover some action of `service`."""
        return self._coverage(node, service)[1]

    def _coverage(self, node: str, service: str) -> _Coverage:
        allows = self._allows[node]
        key = (id(allows), service)  # principals with equal policies share one `allows` tuple (`_Loader.profile`)
        found = self._covering_cache.get(key)
        if found is None or found[0] is not allows:
            covering = tuple(shape for shape in allows if statement_may_cover_service(shape, service))
            found = self._covering_cache[key] = (allows, covering, any(
                shape.not_resource or not shape.resources or "*" in shape.resources for shape in covering))
        return found

    def everywhere(self, service: str, arn: str, *, with_children: bool = False) -> list[Caller]:
        """Principals of every collected account that could be allowed `service` on `arn`."""
        return [caller for account in sorted(self.by_account)
                for caller in self.candidates(account, service, arn, with_children=with_children)]


def _external_accounts(snapshot: Snapshot) -> tuple[str, ...]:
    """Uncollected accounts known from the organization tree or named by an Allow in a trust or resource policy
    (in its Principal, or in the Condition of a statement open to `"*"`: `open_statement_accounts`)."""
    collected = {account.id for account in snapshot.accounts}
    known = {member.id for member in snapshot.organization.accounts} if snapshot.organization else set()
    seen = known | collected
    documents: dict[str, None] = {}
    for account in snapshot.accounts:
        documents.update((role.trust_policy.text, None) for role in account.roles)
        documents.update((resource.policy.text, None) for resource in account.resources if resource.policy is not None)
    for text in documents:
        if seen.issuperset(run for run in _DIGIT_RUNS.findall(text) if len(run) == 12):
            continue  # every account it could name (an id appears as 12 digits in the text) is known
        for shape in statement_shapes(text):
            for ref in shape.principals if shape.allows else ():
                named = account_of_principal(ref.value) if ref.kind == "aws" else None
                if named is not None:
                    known.add(named)
                    seen.add(named)
        # "*" narrowed to an account by a condition (aws:PrincipalAccount, aws:PrincipalArn, kms:CallerAccount)
        known.update(open_statement_accounts(text))
        seen.update(known)
    return tuple(sorted(known - collected))


def load_levels(levels: PolicyLevels | None) -> Levels | None:
    """Organization policy levels, parsed by the evaluator."""
    if levels is None:
        return None
    return tuple(tuple(load_policy(policy.document, policy.id) for policy in level) for level in levels)


def opaque_account_caller(account_id: str, org: OrgIndex, principal: str | None = None) -> Caller:
    """An account whose principals were not collected: it stands for all of them.

    Its own side is unknown, so it is taken as allowing (any of its principals whose policies
    allow the action); only the resource side decides. It calls as the bare account id, which the
    evaluator reads as the account (its root ARN would be the root user, whom STS refuses AssumeRole).
    """
    return Caller(account_id, NodeKind.ACCOUNT, principal or account_id, account_id,
                  (load_policy(ALLOW_ALL, "any identity policy of the account"),), None, None,
                  context.for_account(account_id, org), in_dataset=False)


@lru_cache(maxsize=1)
def public_caller() -> Caller:
    """Anyone: every principal, in or out of the organization, whose own policies allow it."""
    return Caller(PUBLIC_NODE, NodeKind.PUBLIC, PUBLIC_NODE, None,
                  (load_policy(ALLOW_ALL, "any identity policy"),), None, None, context.for_public(), in_dataset=False)


@lru_cache(maxsize=4096)
def service_caller(service: str) -> Caller:
    """An AWS service principal (`lambda.amazonaws.com`): no identity policies of its own."""
    return Caller(service, NodeKind.SERVICE, service, None, (), None, None, context.for_service(service),
                  in_dataset=False)


@lru_cache(maxsize=4096)
def federated_caller(provider: str) -> Caller:
    """A SAML or OIDC provider: the trust policy's conditions are the only gate."""
    return Caller(provider, NodeKind.FEDERATED, provider, None, (), None, None, context.for_federated(),
                  in_dataset=False)

