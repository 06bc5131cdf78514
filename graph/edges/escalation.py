"""`privilege-escalation` edges: a caller rewrites IAM (access keys, login profiles, policies,
groups, trust policies) to act as another principal, or to give itself more permissions.

IAM has no resource policies, so every escalation stays in the caller's account. Two forms
(design and limits in docs/escalation.md):

- **Taking over a principal** (edge caller → principal): `iam:CreateAccessKey`,
  `iam:CreateLoginProfile` or `iam:UpdateLoginProfile` on another user; `iam:UpdateAssumeRolePolicy`
  on a role, together with `sts:AssumeRole` on it under the trust the caller would write (its own
  ARN as principal), so the caller's boundary and SCPs still decide.
- **Raising itself** (edges caller → what it then reaches): Put/Attach a policy on itself or on
  one of its groups, `iam:CreatePolicyVersion` on a customer managed policy attached to it (the new
  version can be made the default in the same call), or `iam:AddUserToGroup` on itself. The caller
  is then evaluated with an extra identity policy (Allow `*` on `*`, or the joined groups'
  policies), its own Denies, permissions boundary and SCPs unchanged (the boundary goes when it
  can also delete or replace it). Each role or resource where this allows actions it did not
  have before gets one edge listing the IAM permission used and the actions gained.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from graph.edges import policy_versions
from graph.edges.assume_role import role_target
from graph.edges.common import (
    ALLOW_ALL,
    ActionGroup,
    Caller,
    EdgeKind,
    EdgeSpec,
    LoadedPolicy,
    NodeKind,
    PolicyKind,
    Status,
    evaluate_pair,
    load_policy,
)
from graph.edges.catalog import modelled
from graph.edges.iam_actions import (
    Check,
    Decisions,
    Holders,
    Outcome,
    best,
    combine,
    decide,
    named_principals,
    short_arn,
    unbounded,
)
from graph.edges.principals import PrincipalIndex
from graph.edges.resources import resource_target
from graph.edges.shared import action_groups
from graph.edges.statements import account_of_principal, statement_may_cover_service, statement_shapes
from graph.model import Account, Group, PolicyDocument, Resource, Role, Snapshot, User

TAKE_OVER_USER = ("iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile")
"""Each gives the caller credentials of another user."""
_BOUNDARY_REMOVAL = {NodeKind.USER: ("iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"),
                     NodeKind.ROLE: ("iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary")}
_SELF_POLICY = {NodeKind.USER: ("iam:PutUserPolicy", "iam:AttachUserPolicy"),
                NodeKind.ROLE: ("iam:PutRolePolicy", "iam:AttachRolePolicy")}
_GROUP_POLICY = ("iam:PutGroupPolicy", "iam:AttachGroupPolicy")


def _iam_check(action: str, arn: str, account: str) -> Check:
    return Check(action, arn, account, context={"aws:ResourceAccount": account})


def _trust_naming(caller: Caller) -> LoadedPolicy:
    """The trust policy a caller that may rewrite a role's trust would write: itself as principal."""
    document = PolicyDocument.from_dict({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": caller.principal}, "Action": "sts:AssumeRole"}]})
    return load_policy(document, f"trust policy written by {caller.principal}")


def _take_over(snapshot: Snapshot, principals: PrincipalIndex) -> Iterator[EdgeSpec]:
    """Edges to users whose credentials the caller can create, and roles whose trust it can rewrite.

    An unbounded caller (`iam_actions.unbounded`) only gets edges to principals some policy names by ARN.
    """
    named = named_principals(snapshot)
    holders = Holders(principals)
    decisions = Decisions()
    written: dict[str, LoadedPolicy] = {}
    plain: dict[str, bool] = {}

    def worth(caller: Caller, target: str, target_named: bool) -> bool:
        if caller.node == target:
            return False
        if caller.node not in plain:
            plain[caller.node] = not unbounded(caller)
        return target_named or plain[caller.node]

    for account in snapshot.accounts:
        for user in account.users:
            user_named = short_arn(user.arn) in named
            found: dict[str, list[Outcome | None]] = {}
            for action in TAKE_OVER_USER:
                for caller in holders.on(account.id, action, user.arn):
                    if worth(caller, user.arn, user_named):
                        found.setdefault(caller.node, []).append(
                            decisions.decide(caller, _iam_check(action, user.arn, account.id)))
            for node, outcomes in found.items():
                outcome = best(outcomes)
                if outcome is not None:
                    yield outcome.edge(node, user.arn, EdgeKind.PRIVILEGE_ESCALATION)
        for role in account.roles:
            if role.service_linked:
                continue  # IAM refuses to change a service-linked role's trust
            role_named = short_arn(role.arn) in named
            target = None
            for caller in holders.on(account.id, "iam:UpdateAssumeRolePolicy", role.arn):
                if not worth(caller, role.arn, role_named):
                    continue
                rewrite = decisions.decide(caller, _iam_check("iam:UpdateAssumeRolePolicy", role.arn, account.id))
                if rewrite is None:
                    continue
                target = target or role_target(role, principals)
                trust = written.get(caller.principal) or written.setdefault(caller.principal, _trust_naming(caller))
                assume = decisions.decide(caller, Check(
                    "sts:AssumeRole", role.arn, account.id, trust, PolicyKind.TRUST, target.rcps,
                    target.request_context, target.context.known_absent))
                if assume is None:
                    continue
                # the written trust is not a statement of the snapshot: only the identity statements are cited
                assume = Outcome(assume.status, assume.actions, assume.conditions, assume.deny_conditions,
                                 tuple(g for g in assume.granted_by if g.policy != "trust-policy"))
                outcome = combine((rewrite, assume))
                if outcome is not None:
                    yield outcome.edge(caller.node, role.arn, EdgeKind.PRIVILEGE_ESCALATION)


@dataclass(frozen=True, slots=True)
class Raise:
    """How a caller can raise its own permissions: the IAM permission used and what it gains."""

    permission: Outcome
    gained: tuple[LoadedPolicy, ...]
    keeps_boundary: bool


@dataclass(slots=True)
class _Groups:
    """The loaded policies of every group of an account, for `iam:AddUserToGroup` and group policies."""

    account: Account
    loaded: dict[str, tuple[LoadedPolicy, ...]] = field(default_factory=dict)

    def policies(self, group: Group) -> tuple[LoadedPolicy, ...]:
        if group.name not in self.loaded:
            managed = {p.arn: p for p in self.account.managed_policies}
            found = [load_policy(p.document, f"{group.arn}/inline/{p.name}") for p in group.inline_policies]
            found += [load_policy(managed[arn].document, arn) for arn in group.managed_policy_arns if arn in managed]
            self.loaded[group.name] = tuple(found)
        return self.loaded[group.name]


def _own_policy_arns(principal: User | Role, groups: dict[str, Group]) -> list[str]:
    arns = list(principal.managed_policy_arns)
    if isinstance(principal, User):
        for name in principal.group_names:
            if name in groups:
                arns += groups[name].managed_policy_arns
    return [arn for arn in dict.fromkeys(arns) if ":iam::aws:" not in arn]  # AWS managed policies cannot be edited


def _raise(caller: Caller, principal: User | Role, account: Account, group_index: _Groups) -> Raise | None:
    """The best way for `caller` (the principal itself) to raise its own permissions, if any."""
    kind = NodeKind.USER if isinstance(principal, User) else NodeKind.ROLE
    groups = {g.name: g for g in account.groups}
    checks = [(action, principal.arn) for action in _SELF_POLICY[kind]]
    if isinstance(principal, User):
        checks += [(action, groups[name].arn) for name in principal.group_names if name in groups
                   for action in _GROUP_POLICY]
    checks += [("iam:CreatePolicyVersion", arn) for arn in _own_policy_arns(principal, groups)]
    admin = best(decide(caller, _iam_check(action, arn, account.id)) for action, arn in checks)
    boundary_gone = caller.boundary is not None and best(
        decide(caller, _iam_check(action, principal.arn, account.id)) for action in _BOUNDARY_REMOVAL[kind])
    if admin is not None:
        used = admin.actions[0]
        gained: tuple[LoadedPolicy, ...] = (load_policy(ALLOW_ALL, f"policy {principal.name} would give itself ({used})"),)
        permission = admin
    elif isinstance(principal, User):
        joined = [(group, outcome) for group in account.groups if group.name not in principal.group_names
                  if (outcome := decide(caller, _iam_check("iam:AddUserToGroup", group.arn, account.id))) is not None]
        if not joined:
            return None
        permission = combine(outcome for _, outcome in joined) or joined[0][1]
        gained = tuple(policy for group, _ in joined for policy in group_index.policies(group))
        if not gained:
            return None
    else:
        return None
    if boundary_gone:
        permission = combine((permission, boundary_gone)) or permission
    return Raise(permission, gained, keeps_boundary=not boundary_gone)


def _raised(caller: Caller, how: Raise) -> Caller:
    return Caller(caller.node, caller.kind, caller.principal, caller.account, caller.identity + how.gained,
                  caller.boundary if how.keeps_boundary else None, caller.scps, caller.context)


@dataclass(slots=True)
class _Reachable:
    """Roles and resources a principal of an account could reach with more identity permissions."""

    roles: dict[str, list[Role]]
    resources: dict[str, list[Resource]]
    everyone_roles: list[Role]
    everyone_resources: list[Resource]

    @classmethod
    def build(cls, snapshot: Snapshot) -> _Reachable:
        index = cls({}, {}, [], [])
        for account in snapshot.accounts:
            for role in account.roles:
                index._add(role.trust_policy.text, account.id, role, index.roles, index.everyone_roles)
            for resource in account.resources:
                if not modelled(resource.type):
                    continue
                if resource.policy is None:
                    index.resources.setdefault(account.id, []).append(resource)
                else:
                    index._add(resource.policy.text, account.id, resource, index.resources, index.everyone_resources)
        return index

    @staticmethod
    def _add(text: str, own: str, item: Role | Resource, by_account: dict[str, list[Role]] | dict[str, list[Resource]],
             everyone: list[Role] | list[Resource]) -> None:
        accounts = {own} if not isinstance(item, Role) else set()
        for shape in statement_shapes(text):
            if not shape.allows:
                continue
            if shape.not_principal:
                everyone.append(item)  # type: ignore[arg-type]
                return
            for ref in shape.principals:
                if ref.kind == "public":
                    everyone.append(item)  # type: ignore[arg-type]
                    return
                if ref.kind == "aws" and (account := account_of_principal(ref.value)) is not None:
                    accounts.add(account)
        for account in accounts:
            by_account.setdefault(account, []).append(item)  # type: ignore[arg-type]

    def for_account(self, account: str) -> tuple[list[Role], list[Resource]]:
        return (self.roles.get(account, []) + self.everyone_roles,
                self.resources.get(account, []) + self.everyone_resources)


def _gained(before: list[EdgeSpec], after: list[EdgeSpec]) -> EdgeSpec | None:
    """The best edge of `after` reduced to the actions `before` did not allow unconditionally."""
    had = {action for edge in before if edge.status is Status.ALLOWED for action in edge.actions}
    candidates = []
    for edge in after:
        new = tuple(action for action in edge.actions if action not in had)
        if new:
            candidates.append((edge.status is Status.CONDITIONAL, len(edge.conditions), edge, new))
    if not candidates:
        return None
    _, _, edge, new = min(candidates, key=lambda c: (c[0], c[1]))
    return EdgeSpec(edge.source, edge.target, edge.kind, new, edge.status, edge.conditions, edge.deny_conditions,
                    edge.granted_by, edge.chained, edge.scope, edge.contested)


def _escalation_edge(edge: EdgeSpec, how: Raise) -> EdgeSpec:
    outcome = combine((how.permission, Outcome(edge.status, edge.actions, edge.conditions, edge.deny_conditions,
                                               edge.granted_by)))
    assert outcome is not None
    return EdgeSpec(edge.source, edge.target, EdgeKind.PRIVILEGE_ESCALATION, outcome.actions, outcome.status,
                    outcome.conditions, outcome.deny_conditions, outcome.granted_by, edge.chained, edge.scope)


def _self_raise(snapshot: Snapshot, principals: PrincipalIndex) -> Iterator[EdgeSpec]:
    reachable: _Reachable | None = None  # built when a first principal can raise itself
    for account in snapshot.accounts:
        group_index = _Groups(account)
        owners: list[User | Role] = [*account.users, *(r for r in account.roles if not r.service_linked)]
        iam_holders = principals.service_nodes(account.id, "iam")
        for principal in owners:
            caller = principals.callers.get(principal.arn) if principal.arn in iam_holders else None
            if caller is None or unbounded(caller):
                continue
            if not any(statement_may_cover_service(shape, "iam") for shape in principals.allows_of(caller.node)):
                continue
            how = _raise(caller, principal, account, group_index)
            if how is None:
                continue
            reachable = reachable or _Reachable.build(snapshot)
            raised = _raised(caller, how)
            roles, resources = reachable.for_account(account.id)
            for role in roles:
                if role.arn == principal.arn:
                    continue
                target = role_target(role, principals)
                groups = [ActionGroup.single("sts:AssumeRole", role.arn)]
                gained = _gained(evaluate_pair(caller, target, groups), evaluate_pair(raised, target, groups))
                if gained is not None:
                    yield _escalation_edge(gained, how)
            for resource in resources:
                target = resource_target(resource, principals)
                gained = _gained(evaluate_pair(caller, target, action_groups(resource, caller, target)),
                                 evaluate_pair(raised, target, action_groups(resource, raised, target)))
                if gained is not None:
                    yield _escalation_edge(gained, how)


def edges(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str]) -> Iterator[EdgeSpec]:
    """Every privilege-escalation edge: principals taken over, and what self-raised principals reach."""
    yield from _take_over(snapshot, principals)
    yield from _self_raise(snapshot, principals)
    yield from policy_versions.edges(snapshot, principals, lambda: _Reachable.build(snapshot))  # older versions
