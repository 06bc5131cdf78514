"""Same-account access from identity policies: candidates that need no resource policy.

Within one account, an identity policy alone can grant access to most resources (SEMANTICS §2.1
step 6); across accounts it never can (§2.3), and KMS keys and roles always need their own
policy (§3.1, §4.1). The candidates here are the account's principals whose identity Allow
statements could cover the resource's service and ARN; the evaluator decides each.
"""

from __future__ import annotations

from graph.edges.common import Caller
from graph.edges.principals import PrincipalIndex
from graph.edges.resource_policy import Scope
from graph.model import Resource, ResourceType


def needs_own_policy(resource: Resource) -> bool:
    """Whether the resource's own policy is required even in its account (KMS key policies)."""
    return resource.type == ResourceType.KMS_KEY


def identity_callers(resource: Resource, principals: PrincipalIndex, scope: Scope) -> list[Caller]:
    """Same-account principals whose identity policies could reach `resource`."""
    if needs_own_policy(resource):
        return []
    return principals.candidates(resource.account_id, scope.service, scope.arn, with_children=scope.with_children)
