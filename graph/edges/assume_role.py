"""Role assumption edges: who can get temporary credentials of each role (SEMANTICS §3).

The trust policy is the role's resource policy and is always required. The evaluator applies the
rest: the caller's identity policies (needed across accounts and when the trust names the
account), boundary and SCPs, and the RCPs of the role's account (STS supports RCPs). SAML
providers use `sts:AssumeRoleWithSAML`, other federated providers `AssumeRoleWithWebIdentity`,
everyone else `sts:AssumeRole`. A role assuming a role is a chained hop.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from graph import context
from graph.edges.common import ActionGroup, Caller, EdgeSpec, NodeKind, PolicyKind, Target, evaluate_pair, load_policy
from graph.edges.principals import PrincipalIndex
from graph.edges.resource_policy import Scope, named_callers
from graph.edges.statements import is_account_principal, statement_shapes
from graph.edges.trust_sharing import TRUST_POLICY_ID, TrustOutcomes
from graph.model import Role, Snapshot


def _action(caller: Caller) -> str:
    if caller.kind is NodeKind.FEDERATED:
        return "sts:AssumeRoleWithSAML" if ":saml-provider/" in caller.node else "sts:AssumeRoleWithWebIdentity"
    return "sts:AssumeRole"


def role_target(role: Role, principals: PrincipalIndex) -> Target:
    """The resource side of assuming `role`: its trust policy and its account's RCPs (built once per role)."""
    found = principals.role_targets.get(role.arn)
    if found is None:
        trust = load_policy(role.trust_policy, TRUST_POLICY_ID)
        rcps = principals.rcps(role.account_id, "sts", exempt=role.service_linked)
        found = principals.role_targets[role.arn] = Target(
            role.arn, role.arn, role.account_id, trust, PolicyKind.TRUST, rcps,
            context.for_role_as_resource(role, principals.org))
    return found


def edges(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str]) -> Iterator[EdgeSpec]:
    """Every assume-role edge of the snapshot (including SAML, web-identity and service ones)."""
    collected = frozenset(account.id for account in snapshot.accounts)
    outcomes = TrustOutcomes(principals)
    same_for_every_role: dict[str, list[Caller]] = {}
    for account in snapshot.accounts:
        for role in account.roles:
            text = role.trust_policy.text
            rcps = principals.rcps(role.account_id, "sts", exempt=role.service_linked)
            callers = same_for_every_role.get(text)
            if callers is None:
                before = len(warnings)
                callers = named_callers(text, principals, collected, Scope("sts", role.arn, role.account_id),
                                        warnings, where=f"trust policy of {role.arn}")
                if len(warnings) == before and _names_no_account(text):
                    same_for_every_role[text] = callers
            seen: set[tuple[str, str]] = set()
            for caller in callers:
                if (caller.node, caller.principal) in seen:
                    continue
                seen.add((caller.node, caller.principal))
                action = _action(caller)
                yield from outcomes.edges(caller, role, action, rcps,
                                          partial(_evaluate, caller, role, action, principals))


def _names_no_account(text: str) -> bool:
    """Whether the trust's Allow statements name only services, providers and single users or roles.

    Then its candidate callers do not depend on which role holds it (an account or `"*"` stands for
    those of its principals whose policies could reach the role's ARN, `resource_policy.named_callers`).
    """
    return all(not shape.not_principal and all(
        ref.kind in ("service", "federated") or (ref.kind == "aws" and not is_account_principal(ref.value))
        for ref in shape.principals) for shape in statement_shapes(text) if shape.allows)


def _evaluate(caller: Caller, role: Role, action: str, principals: PrincipalIndex) -> list[EdgeSpec]:
    return evaluate_pair(caller, role_target(role, principals), (ActionGroup.single(action, role.arn),))
