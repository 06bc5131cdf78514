"""Edges to resources: resource-policy grants and same-account identity-policy access.

Each resource is evaluated against the union of two candidate sets (callers its policy names,
and same-account callers whose identity policies could cover it), each caller once; the
evaluator's matched statements say whether the edge is a resource-policy or an identity-policy one.
A bucket answers for its objects: object-level actions are evaluated on `bucket/*` and, when a
policy limits a grant to key prefixes, on each `bucket/prefix*`.

The graph build evaluates here only what decides which outsider nodes exist; every other edge is
evaluated on demand by `graph.edges.lazy` from each resource's `Plan`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from graph import context
from graph.edges import public_access
from graph.edges.catalog import modelled, service_of
from graph.edges.common import Caller, EdgeSpec, NodeKind, PolicyKind, Target, load_policy
from graph.edges.identity_policy import identity_callers, needs_own_policy
from graph.edges.principals import PrincipalIndex
from graph.edges.resource_policy import Scope, admits_everyone, named_callers
from graph.edges.shared import SharedOutcomes
from graph.model import Resource, ResourceType, Snapshot

if TYPE_CHECKING:
    from graph.edges.lazy import LazyEdges

PRINCIPAL_KINDS = frozenset({NodeKind.USER, NodeKind.ROLE})
"""Collected callers (every other caller is an outsider: the public node, an uncollected account, a service
or a provider, whose node exists only when one of its edges survives evaluation)."""


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


class Restriction(Enum):
    """Whether Block Public Access RestrictPublicBuckets limits who keeps a public bucket policy's grants."""

    NONE = "none"
    RESTRICTED = "restricted"


@dataclass(frozen=True, slots=True)
class Plan:
    """What the build knows of one modelled resource before it evaluates any caller against it."""

    resource: Resource
    target: Target
    scope: Scope
    named: tuple[Caller, ...]
    """The callers the resource policy names, in policy order (for `"*"`: the public node, the
    resource's own account, uncollected accounts; the other accounts' principals when `star` is False)."""
    restricted: Restriction
    star: bool
    """A `"*"` grant (or NotPrincipal) whose other accounts' principals `graph.edges.lazy` expands."""
    named_nodes: frozenset[str] = frozenset()


def plan(resource: Resource, principals: PrincipalIndex, collected: frozenset[str], warnings: list[str],
         *, defer_everyone: bool) -> Plan:
    """The target and named callers of a modelled resource (the policy's warnings go to `warnings`)."""
    target = resource_target(resource, principals)
    scope = Scope(service_of(resource.type) or "", resource.arn, resource.account_id,
                  with_children=resource.type == ResourceType.S3_BUCKET)
    named: list[Caller] = []
    everyone = False
    if target.policy is not None:
        everyone = defer_everyone and admits_everyone(target.policy.text)
        named = named_callers(target.policy.text, principals, collected, scope, warnings,
                              where=f"policy of {resource.arn}", other_accounts=not everyone)
    # Block Public Access RestrictPublicBuckets on a public bucket policy (graph.edges.public_access,
    # issue #9): only the owner account's principals and AWS services keep what the policy grants.
    restricted = Restriction.RESTRICTED if public_access.policy_restricted(resource) else Restriction.NONE
    return Plan(resource, target, scope, tuple(named), restricted, everyone and restricted is Restriction.NONE,
                frozenset(caller.node for caller in named))


class Candidates(Enum):
    """Which callers `callers` lists."""

    ALL = "all"
    """The same-account principals whose identity policies could cover the resource, then the named ones."""
    NAMED = "named"
    """Only the callers the resource policy names."""


def callers(plan: Plan, principals: PrincipalIndex, which: Candidates = Candidates.ALL) -> list[Caller]:
    """The callers evaluated against the resource, each (node, principal) once, in evaluation order."""
    found = identity_callers(plan.resource, principals, plan.scope) if which is Candidates.ALL else []
    found += plan.named
    if plan.restricted is Restriction.RESTRICTED:
        found = [c for c in found if public_access.admitted_when_restricted(c, plan.resource)]
    seen: set[tuple[str, str]] = set()
    unique = []
    for caller in found:
        if (caller.node, caller.principal) not in seen:
            seen.add((caller.node, caller.principal))
            unique.append(caller)
    return unique


def edges(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str],
          lazy: LazyEdges | None = None) -> Iterator[EdgeSpec]:
    """The resource-policy and identity-policy edges to the snapshot's modelled resources.

    Without `lazy`, every edge (a full evaluation: the reference the on-demand edges must equal).
    With `lazy`, each resource's plan goes to `lazy`, which evaluates its callers when a question
    needs them (`graph.edges.lazy`); only an outsider (the public node, an uncollected account,
    a service, a provider) that has no edge into a resource yet is evaluated here, so that its node
    exists exactly when a full build would add it.
    """
    collected = frozenset(account.id for account in snapshot.accounts)
    outcomes = lazy.outcomes if lazy is not None else SharedOutcomes()
    known: set[str] = set()  # outsiders that already have an edge into a resource: their node exists
    for account in snapshot.accounts:
        for resource in account.resources:
            if not modelled(resource.type):
                continue
            found = plan(resource, principals, collected, warnings, defer_everyone=lazy is not None)
            if lazy is None:
                for caller in callers(found, principals):
                    yield from outcomes.edges(caller, found.target, resource)
                continue
            outsiders = {c.node for c in callers(found, principals, Candidates.NAMED) if c.kind not in PRINCIPAL_KINDS}
            first = frozenset(outsiders - known)
            lazy.add(found, first)
            for caller in callers(found, principals, Candidates.NAMED):
                if caller.node in first:
                    produced = outcomes.edges(caller, found.target, resource)
                    if any(lazy.wanted is None or edge.kind in lazy.wanted for edge in produced):
                        known.add(caller.node)
                    yield from produced
