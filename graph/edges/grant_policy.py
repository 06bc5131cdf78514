"""Grants made outside policy documents (KMS grants, S3 ACLs), evaluated as resource-policy statements.

A KMS grant or an ACL entry says "this principal may do these actions on this resource", which is
what an Allow statement of a resource policy says. Each one is written as such a statement, the
resource policy's own Deny statements are appended (an explicit Deny anywhere still wins), and the
pair is decided by `graph.policy.evaluate` through `common.evaluate_pair`: the identity side, SCPs,
RCPs, boundaries and the cross-account rule apply exactly as for a policy grant. Nothing here
decides access by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from graph.edges.common import (
    ActionGroup,
    Caller,
    EdgeKind,
    EdgeSpec,
    Grant,
    PolicyKind,
    Target,
    evaluate_pair,
    load_policy,
)
from graph.model import PolicyDocument

RESOURCE_POLICY_GRANT = "resource-policy"


@dataclass(frozen=True, slots=True)
class GrantStatement:
    """One grant written as an Allow statement, and how an edge built on it names its source."""

    statement: dict[str, Any]
    """The Allow statement (Principal, Action, Resource, Condition)."""
    grant: Grant
    """What `granted_by` says: the grant (id) or ACL entry this statement stands for."""


def deny_statements(policy: PolicyDocument | None) -> list[dict[str, Any]]:
    """The Deny statements of a resource policy (they override grants made elsewhere)."""
    if policy is None:
        return []
    document = policy.as_dict()
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    return [s for s in statements if isinstance(s, dict) and s.get("Effect") == "Deny"]


def grant_target(base: Target, statements: Sequence[GrantStatement], denies: list[dict[str, Any]],
                 policy_id: str, kind: PolicyKind) -> Target:
    """The resource side of a request whose resource policy is the grants plus the policy's Denies."""
    document = {"Version": "2012-10-17", "Statement": [g.statement for g in statements] + denies}
    return replace(base, policy=load_policy(PolicyDocument.from_dict(document), policy_id), policy_kind=kind)


def grant_edges(caller: Caller, target: Target, groups: Sequence[ActionGroup],
                statements: Sequence[GrantStatement], kind: EdgeKind) -> list[EdgeSpec]:
    """The edges one caller gets from the grants: evaluated like a resource policy, relabelled as `kind`.

    An edge is kept only when one of the grant statements is among the Allows that grant it, so an
    access the caller has without the grants (its own identity policies) is not reported again.
    """
    edges = []
    for edge in evaluate_pair(caller, target, groups):
        from_grants = tuple(statements[g.statement].grant for g in edge.granted_by
                            if g.policy == RESOURCE_POLICY_GRANT and g.statement < len(statements))
        if not from_grants:
            continue
        identity = tuple(g for g in edge.granted_by if g.policy != RESOURCE_POLICY_GRANT)
        edges.append(replace(edge, kind=kind, granted_by=tuple(dict.fromkeys(from_grants)) + identity))
    return edges
