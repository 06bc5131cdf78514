"""Role assumption edges: who can get temporary credentials of each role (SEMANTICS §3).

The trust policy is the role's resource policy and is always required. The evaluator applies the
rest: the caller's identity policies (needed across accounts and when the trust names the
account), boundary and SCPs, and the RCPs of the role's account (STS supports RCPs). SAML
providers use `sts:AssumeRoleWithSAML`, other federated providers `AssumeRoleWithWebIdentity`,
everyone else `sts:AssumeRole`. A role assuming a role is a chained hop.
"""

from __future__ import annotations

from collections.abc import Iterator

from graph import context
from graph.edges.common import ActionGroup, Caller, EdgeSpec, NodeKind, PolicyKind, Target, evaluate_pair, load_policy
from graph.edges.principals import PrincipalIndex
from graph.edges.resource_policy import Scope, named_callers
from graph.model import Role, Snapshot


def _action(caller: Caller) -> str:
    if caller.kind is NodeKind.FEDERATED:
        return "sts:AssumeRoleWithSAML" if ":saml-provider/" in caller.node else "sts:AssumeRoleWithWebIdentity"
    return "sts:AssumeRole"


def role_target(role: Role, principals: PrincipalIndex) -> Target:
    """The resource side of assuming `role`: its trust policy and its account's RCPs."""
    trust = load_policy(role.trust_policy, f"{role.arn} trust policy")
    rcps = principals.rcps(role.account_id, "sts", exempt=role.service_linked)
    return Target(role.arn, role.arn, role.account_id, trust, PolicyKind.TRUST, rcps,
                  context.for_role_as_resource(role, principals.org))


def edges(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str]) -> Iterator[EdgeSpec]:
    """Every assume-role edge of the snapshot (including SAML, web-identity and service ones)."""
    collected = frozenset(account.id for account in snapshot.accounts)
    for account in snapshot.accounts:
        for role in account.roles:
            target = role_target(role, principals)
            callers = named_callers(target.policy.text if target.policy else "{}", principals, collected,
                                    Scope("sts", role.arn, role.account_id), warnings, where=f"trust policy of {role.arn}")
            seen: set[tuple[str, str]] = set()
            for caller in callers:
                if (caller.node, caller.principal) in seen:
                    continue
                seen.add((caller.node, caller.principal))
                yield from evaluate_pair(caller, target, (ActionGroup.single(_action(caller), role.arn),))
