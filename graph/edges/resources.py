"""Edges to resources: resource-policy grants and same-account identity-policy access.

Each resource is evaluated against the union of two candidate sets (callers its policy names,
and same-account callers whose identity policies could cover it), each caller once; the
evaluator's matched statements say whether the edge is a resource-policy or an identity-policy one.
A bucket answers for its objects: object-level actions are evaluated on `bucket/*` and, when a
policy limits a grant to key prefixes, on each `bucket/prefix*`.
"""

from __future__ import annotations

from collections.abc import Iterator

from graph import context
from graph.edges import public_access
from graph.edges.catalog import modelled, service_of
from graph.edges.common import EdgeSpec, PolicyKind, Target, load_policy
from graph.edges.identity_policy import identity_callers, needs_own_policy
from graph.edges.lazy import LazyGrants
from graph.edges.principals import PrincipalIndex
from graph.edges.resource_policy import Scope, admits_everyone, named_callers
from graph.edges.shared import SharedOutcomes
from graph.model import Resource, ResourceType, Snapshot


def resource_target(resource: Resource, principals: PrincipalIndex) -> Target:
    """The resource side of a request on `resource`."""
    service = service_of(resource.type) or ""
    policy = load_policy(resource.policy, f"{resource.arn} resource policy") if resource.policy else None
    aws_managed_key = resource.type == ResourceType.KMS_KEY and resource.properties.get("KeyManager") == "AWS"
    return Target(
        resource.arn, resource.arn, resource.account_id, policy,
        PolicyKind.KMS if needs_own_policy(resource) else PolicyKind.GENERIC,
        principals.rcps(resource.account_id, service, exempt=aws_managed_key),
        context.for_resource(resource.account_id, principals.org, context.resource_tags(resource)),
    )


def edges(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str],
          lazy: LazyGrants | None = None) -> Iterator[EdgeSpec]:
    """Every resource-policy and identity-policy edge to the snapshot's modelled resources.

    With `lazy`, a `"*"` grant is evaluated here for the public node, the resource's own account
    and the principals the policy names; the other accounts' principals are left to `lazy`.
    """
    collected = frozenset(account.id for account in snapshot.accounts)
    outcomes = lazy.outcomes if lazy is not None else SharedOutcomes()
    for account in snapshot.accounts:
        for resource in account.resources:
            if not modelled(resource.type):
                continue
            target = resource_target(resource, principals)
            scope = Scope(service_of(resource.type) or "", resource.arn, resource.account_id,
                          with_children=resource.type == ResourceType.S3_BUCKET)
            callers = identity_callers(resource, principals, scope)
            defer = False
            if target.policy is not None:
                defer = lazy is not None and admits_everyone(target.policy.text)
                callers += named_callers(target.policy.text, principals, collected, scope, warnings,
                                         where=f"policy of {resource.arn}", other_accounts=not defer)
            # Block Public Access RestrictPublicBuckets on a public bucket policy (graph.edges.public_access,
            # issue #9): only the owner account's principals and AWS services keep what the policy grants.
            restricted = public_access.policy_restricted(resource)
            if restricted:
                callers = [c for c in callers if public_access.admitted_when_restricted(c, resource)]
                defer = False
            seen: set[tuple[str, str]] = set()
            for caller in callers:
                if (caller.node, caller.principal) in seen:
                    continue
                seen.add((caller.node, caller.principal))
                yield from outcomes.edges(caller, target, resource)
            if defer and lazy is not None:
                lazy.defer(resource, target, frozenset(node for node, _ in seen))
