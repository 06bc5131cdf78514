"""Edges to resources: resource-policy grants and same-account identity-policy access.

Each resource is evaluated against the union of two candidate sets (callers its policy names,
and same-account callers whose identity policies could cover it), each caller once; the
evaluator's matched statements say whether the edge is a resource-policy or an identity-policy one.
A bucket answers for its objects: object-level actions are evaluated on `bucket/*` and, when a
policy limits a grant to key prefixes, on each `bucket/prefix*`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graph import context
from graph.edges.catalog import ActionTarget, actions_for, modelled, service_of
from graph.edges.common import (
    ActionGroup,
    Caller,
    EdgeSpec,
    PolicyKind,
    Target,
    evaluate_pair,
    load_policy,
)
from graph.edges.identity_policy import identity_callers, needs_own_policy
from graph.edges.principals import PrincipalIndex
from graph.edges.resource_policy import Scope, named_callers
from graph.edges.statements import object_prefixes, statement_shapes
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


@lru_cache(maxsize=64)
def _catalogue_masks(resource_type: str) -> tuple[tuple[str, ...], int, int]:
    """The catalogue of a type, and the bit masks of its own-ARN and object-level actions."""
    catalogue = actions_for(resource_type)
    own = sum(1 << bit for bit, action in enumerate(catalogue) if action.target is ActionTarget.RESOURCE)
    objects = sum(1 << bit for bit, action in enumerate(catalogue) if action.target is ActionTarget.OBJECT)
    return tuple(action.name for action in catalogue), own, objects


def action_groups(resource: Resource, caller: Caller, target: Target) -> list[ActionGroup]:
    """The candidate actions on `resource` (objects of a bucket at each scope a policy names)."""
    names, own, objects = _catalogue_masks(resource.type)
    groups = [ActionGroup(names, resource.arn, own)] if own else []
    if objects:
        texts = [p.text for p in caller.identity] + ([target.policy.text] if target.policy else [])
        prefixes = sorted({prefix for text in texts for shape in statement_shapes(text)
                           for prefix in object_prefixes(shape, resource.arn)})
        groups.append(ActionGroup(names, f"{resource.arn}/*", objects))
        groups.extend(ActionGroup(names, f"{resource.arn}/{prefix}*", objects, prefix) for prefix in prefixes)
    return groups


def edges(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str]) -> Iterator[EdgeSpec]:
    """Every resource-policy and identity-policy edge to the snapshot's modelled resources."""
    collected = frozenset(account.id for account in snapshot.accounts)
    for account in snapshot.accounts:
        for resource in account.resources:
            if not modelled(resource.type):
                continue
            target = resource_target(resource, principals)
            scope = Scope(service_of(resource.type) or "", resource.arn, resource.account_id,
                          with_children=resource.type == ResourceType.S3_BUCKET)
            callers = identity_callers(resource, principals, scope)
            if target.policy is not None:
                callers += named_callers(target.policy.text, principals, collected, scope, warnings,
                                         where=f"policy of {resource.arn}")
            seen: set[tuple[str, str]] = set()
            for caller in callers:
                if (caller.node, caller.principal) in seen:
                    continue
                seen.add((caller.node, caller.principal))
                yield from evaluate_pair(caller, target, action_groups(resource, caller, target))
