"""`privilege-escalation` edges through `iam:SetDefaultPolicyVersion` (design in docs/escalation.md).

A customer managed policy keeps up to five versions; only the default one is in force. A principal
allowed `iam:SetDefaultPolicyVersion` on a policy attached to it (directly, through one of its
groups, or as its permissions boundary) can make any existing version the default: it then holds
exactly that version's permissions, in place of the current default's, and nothing else (unlike
`iam:CreatePolicyVersion`, it cannot write a new document). So the caller is evaluated as a
**switched caller**: the same principal with that one policy's document replaced by the older
version's, its other policies, boundary and SCPs unchanged. Each role or resource where the
switched caller may do something the caller cannot do today gets one edge, listing
`iam:SetDefaultPolicyVersion` and only the actions gained; the older version's statements are cited
as `<policy ARN> version <id> (made default with iam:SetDefaultPolicyVersion)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from graph.edges.assume_role import role_target
from graph.edges.catalog import service_of
from graph.edges.common import (
    ALLOW_ALL,
    ActionGroup,
    Caller,
    EdgeKind,
    EdgeSpec,
    LoadedPolicy,
    Status,
    Target,
    evaluate_pair,
    load_policy,
)
from graph.edges.iam_actions import Check, Outcome, best, combine, decide, unbounded
from graph.edges.principals import PrincipalIndex
from graph.edges.resources import resource_target
from graph.edges.shared import action_groups
from graph.edges.statements import (
    StatementShape,
    statement_may_cover_service,
    statement_may_match_resource,
    statement_shapes,
)
from graph.edges.version_label import SET_DEFAULT, version_label
from graph.model import Account, ManagedPolicy, PolicyVersion, Resource, Role, Snapshot, User

_USER_POLICY = ("iam:PutUserPolicy", "iam:AttachUserPolicy")
_ROLE_POLICY = ("iam:PutRolePolicy", "iam:AttachRolePolicy")
_GROUP_POLICY = ("iam:PutGroupPolicy", "iam:AttachGroupPolicy")


class Place(StrEnum):
    """Where the switched policy sits in the caller's identity side."""

    IDENTITY = "identity"
    BOUNDARY = "boundary"


@dataclass(frozen=True, slots=True)
class Switch:
    """One older version a caller can make the default, and the caller it then becomes."""

    permission: Outcome
    """The decision on `iam:SetDefaultPolicyVersion` for the policy."""
    switched: Caller
    changed: tuple[StatementShape, ...]
    """The statements whose coming or going can change a decision: the version's Allows, the replaced Denies."""


def _attached(principal: User | Role, groups: dict[str, tuple[str, ...]]) -> list[str]:
    arns = list(principal.managed_policy_arns)
    if isinstance(principal, User):
        for name in principal.group_names:
            arns += groups.get(name, ())
    return list(dict.fromkeys(arns))


def _switch(caller: Caller, policy: ManagedPolicy, version: PolicyVersion, places: frozenset[Place],
            permission: Outcome) -> Switch | None:
    """The caller with `policy` at `version` wherever it uses it (None: no statement changes)."""
    if version.document.text == policy.document.text:
        return None
    loaded = load_policy(version.document, version_label(policy, version))
    identity = caller.identity
    boundary = caller.boundary
    current: list[LoadedPolicy] = []
    if Place.IDENTITY in places:
        current += [p for p in identity if p.policy_id == policy.arn]
        identity = tuple(loaded if p.policy_id == policy.arn else p for p in identity)
    if Place.BOUNDARY in places and boundary is not None:
        current.append(boundary)
        boundary = loaded
    if not current:
        return None
    removed_denies = [shape for p in current for shape in statement_shapes(p.text) if not shape.allows]
    if unbounded(caller) and not removed_denies:
        return None  # an administrator gains only what a Deny of the current version took away
    changed = tuple(shape for shape in statement_shapes(version.document.text) if shape.allows) + tuple(removed_denies)
    switched = Caller(caller.node, caller.kind, caller.principal, caller.account, identity, boundary, caller.scps,
                      caller.context)
    return Switch(permission, switched, changed)


def _own_policy_checks(principal: User | Role, account: Account) -> list[tuple[str, str]]:
    """(IAM action, ARN) pairs that let a principal write its own identity policies."""
    if isinstance(principal, Role):
        return [(action, principal.arn) for action in _ROLE_POLICY]
    checks = [(action, principal.arn) for action in _USER_POLICY]
    checks += [(action, group.arn) for group in account.groups if group.name in principal.group_names
               for action in _GROUP_POLICY]
    own = [arn for arn in principal.managed_policy_arns if ":iam::aws:" not in arn]
    own += [arn for group in account.groups if group.name in principal.group_names
            for arn in group.managed_policy_arns if ":iam::aws:" not in arn]
    return checks + [("iam:CreatePolicyVersion", arn) for arn in dict.fromkeys(own)]


def _then_raised(caller: Caller, switch: Switch, principal: User | Role, account: Account) -> Switch | None:
    """The switched caller raised to Allow `*` when the older version lets it write its own policies.

    Only when the caller cannot do so today (then escalation's self-raise already has its edges).
    Its boundary stays: what the raise gains is still capped by it and by the SCPs.
    """
    found = []
    for action, arn in _own_policy_checks(principal, account):
        check = Check(action, arn, account.id, context={"aws:ResourceAccount": account.id})
        outcome = decide(switch.switched, check)
        if outcome is not None and decide(caller, check) is None:
            found.append(outcome)
    used = best(found)
    if used is None:
        return None
    permission = combine((switch.permission, used))
    if permission is None:
        return None
    everything = load_policy(ALLOW_ALL, f"policy {principal.name} would give itself ({used.actions[0]})")
    was = switch.switched
    raised = Caller(was.node, was.kind, was.principal, was.account, (*was.identity, everything), was.boundary,
                    was.scps, was.context)
    return Switch(permission, raised, tuple(statement_shapes(ALLOW_ALL.text)))


def _switches(caller: Caller, principal: User | Role, account: Account,
              versioned: dict[str, ManagedPolicy], groups: dict[str, tuple[str, ...]]) -> Iterator[Switch]:
    places: dict[str, set[Place]] = {}
    for arn in _attached(principal, groups):
        places.setdefault(arn, set()).add(Place.IDENTITY)
    if principal.permissions_boundary_arn:
        places.setdefault(principal.permissions_boundary_arn, set()).add(Place.BOUNDARY)
    for arn, where in places.items():
        policy = versioned.get(arn)
        if policy is None:
            continue
        permission = decide(caller, Check(SET_DEFAULT, arn, account.id, context={"aws:ResourceAccount": account.id}))
        if permission is None:
            continue
        for version in policy.other_versions:
            found = _switch(caller, policy, version, frozenset(where), permission)
            if found is not None:
                yield found
                raised = _then_raised(caller, found, principal, account)
                if raised is not None:
                    yield raised


class Reachable(Protocol):
    """Roles and resources a principal of an account could reach with more identity permissions."""

    def for_account(self, account: str) -> tuple[list[Role], list[Resource]]:
        """Its account's roles and resources, and the others' whose policy names that account or everyone."""
        ...


@dataclass(slots=True)
class _Targets:
    """The request side of roles and resources, built once, and the reachable ones, found once."""

    principals: PrincipalIndex
    reachable: Reachable
    built: dict[str, Target] = field(default_factory=dict)

    def role(self, role: Role) -> Target:
        if role.arn not in self.built:
            self.built[role.arn] = role_target(role, self.principals)
        return self.built[role.arn]

    def resource(self, resource: Resource) -> Target:
        if resource.arn not in self.built:
            self.built[resource.arn] = resource_target(resource, self.principals)
        return self.built[resource.arn]


def _touched(arn: str, service: str, changed: tuple[StatementShape, ...]) -> bool:
    """Whether a changed statement could cover an action of `service` on `arn` (or its objects)."""
    return any(statement_may_cover_service(shape, service)
               and statement_may_match_resource(shape, arn, with_children=True) for shape in changed)


def _gains(before: list[EdgeSpec], after: list[EdgeSpec], permission: Outcome) -> Iterator[EdgeSpec]:
    """The edges of `after` reduced to actions `before` did not allow unconditionally, with the permission."""
    had = {action for edge in before if edge.status is Status.ALLOWED for action in edge.actions}
    for edge in after:
        new = tuple(action for action in edge.actions if action not in had)
        if not new:
            continue
        outcome = combine((permission, Outcome(edge.status, new, edge.conditions, edge.deny_conditions,
                                               edge.granted_by)))
        if outcome is not None:
            yield EdgeSpec(edge.source, edge.target, EdgeKind.PRIVILEGE_ESCALATION, outcome.actions, outcome.status,
                           outcome.conditions, outcome.deny_conditions, outcome.granted_by, edge.chained, edge.scope)


def _reach(caller: Caller, switch: Switch, targets: _Targets, today: dict[str, list[EdgeSpec]]) -> Iterator[EdgeSpec]:
    """What the switched caller gains; `today` keeps the caller's own edges per target across its switches."""
    roles, resources = targets.reachable.for_account(caller.account or "")
    for role in roles:
        if role.arn == caller.node or not _touched(role.arn, "sts", switch.changed):
            continue
        target = targets.role(role)
        groups = [ActionGroup.single("sts:AssumeRole", role.arn)]
        if role.arn not in today:
            today[role.arn] = evaluate_pair(caller, target, groups)
        yield from _gains(today[role.arn], evaluate_pair(switch.switched, target, groups), switch.permission)
    for resource in resources:
        if not _touched(resource.arn, service_of(resource.type) or "*", switch.changed):
            continue
        target = targets.resource(resource)
        if resource.arn not in today:
            today[resource.arn] = evaluate_pair(caller, target, action_groups(resource, caller, target))
        yield from _gains(today[resource.arn], evaluate_pair(
            switch.switched, target, action_groups(resource, switch.switched, target)), switch.permission)


def _rank(edge: EdgeSpec) -> tuple[bool, int]:
    return edge.status is Status.CONDITIONAL, len(edge.conditions) + len(edge.deny_conditions)


def edges(snapshot: Snapshot, principals: PrincipalIndex, reachable: Callable[[], Reachable]) -> Iterator[EdgeSpec]:
    """Every `iam:SetDefaultPolicyVersion` escalation edge: what a caller reaches after switching a version.

    Args:
        snapshot: the snapshot (managed policies with their non-default versions).
        principals: the identity side of every principal.
        reachable: builds the index of reachable roles and resources (only called when some caller may switch).

    Returns:
        One edge per (caller, target, scope, gained actions), the best when several versions give the same.
    """
    targets: _Targets | None = None
    for account in snapshot.accounts:
        versioned = {p.arn: p for p in account.managed_policies if p.other_versions and not p.aws_managed}
        if not versioned:
            continue  # AWS managed policies' versions are AWS's to choose
        groups = {group.name: group.managed_policy_arns for group in account.groups}
        for principal in account.users + tuple(role for role in account.roles if not role.service_linked):
            caller = principals.callers.get(principal.arn)
            if caller is None:
                continue
            found: dict[tuple[str, str | None, tuple[str, ...]], EdgeSpec] = {}
            today: dict[str, list[EdgeSpec]] = {}
            for switch in _switches(caller, principal, account, versioned, groups):
                targets = targets or _Targets(principals, reachable())
                for edge in _reach(caller, switch, targets, today):
                    key = (edge.target, edge.scope, edge.actions)
                    if key not in found or _rank(edge) < _rank(found[key]):
                        found[key] = edge
            yield from found.values()
