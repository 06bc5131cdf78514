"""The builder's shortcuts never change an edge (issue 8): checked on a generated organization.

The builder skips work four ways: it only evaluates candidate callers (an index of identity
statements by service and ARN), only evaluates action classes that some Allow could grant, shares
one evaluation between callers the evaluator cannot tell apart, and defers a `"*"` grant's
principals of other accounts to query time. Each test compares with a plain computation that has
none of these shortcuts: `graph.policy.evaluate` on every caller, every sampled action, one by one.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.build import AccessGraph, build_graph
from graph.edges import resources as resource_edges
from graph.edges.catalog import ActionTarget, actions_for
from graph.edges.common import Caller, evaluate_pair
from graph.edges.lazy import LazyEdges
from graph.edges.principals import PrincipalIndex, opaque_account_caller, public_caller
from graph.edges.shared import SharedOutcomes, action_groups
from graph.model import Resource, Snapshot
from graph.org import OrgIndex
from graph.policy import Decision, Request, evaluate
from graph.snapshot import parse_snapshot
from graph.synthetic import VENDORS, generate_organization

_SAMPLES = 8
"""Actions sampled per resource type (evenly over its catalogue, plus the type's typical one)."""
_TYPICAL = {
    "AWS::S3::Bucket": "s3:GetObject", "AWS::KMS::Key": "kms:Decrypt", "AWS::SQS::Queue": "sqs:SendMessage",
    "AWS::SNS::Topic": "sns:Publish", "AWS::Lambda::Function": "lambda:InvokeFunction",
    "AWS::SecretsManager::Secret": "secretsmanager:GetSecretValue", "AWS::ECR::Repository": "ecr:BatchGetImage",
}


@pytest.fixture(scope="module")
def world() -> tuple[Snapshot, AccessGraph]:
    snapshot = parse_snapshot(generate_organization(5, seed=3))
    return snapshot, build_graph(snapshot)


def _sample(resource_type: str) -> list[tuple[str, ActionTarget]]:
    catalogue = actions_for(resource_type)
    step = max(1, len(catalogue) // _SAMPLES)
    chosen = {action.name: action.target for action in catalogue[::step]}
    chosen.update({a.name: a.target for a in catalogue if a.name == _TYPICAL[resource_type]})
    return sorted(chosen.items())


def _targets(snapshot: Snapshot) -> list[Resource]:
    """Per type, the first resource with a policy of each of two workload accounts (one with a `"*"` grant)."""
    workloads = [a for a in snapshot.accounts if a.name and a.name.rsplit("-", 1)[-1].isdigit()][:2]
    chosen = []
    for account in workloads:
        for resource_type in sorted(_TYPICAL):
            found = sorted((r for r in account.resources if r.type == resource_type), key=lambda r: (r.policy is None, r.arn))
            chosen += found[:1]
    return chosen


def _every_caller(snapshot: Snapshot, principals: PrincipalIndex, org: OrgIndex) -> list[Caller]:
    """Every collected user and role, every vendor account (not collected) and anyone: no index."""
    return [*principals.callers.values(), *(opaque_account_caller(v.account_id, org) for v in VENDORS), public_caller()]


def _plain(caller: Caller, resource: Resource, principals: PrincipalIndex, action: str, arn: str) -> str | None:
    target = resource_edges.resource_target(resource, principals)
    merged = caller.context.merged(target.context)
    request = Request(
        principal=caller.principal, action=action, resource=arn, resource_account=resource.account_id,
        identity_policies=tuple(p.policy for p in caller.identity),
        permission_boundary=caller.boundary.policy if caller.boundary else None,
        resource_policy=target.policy.policy if target.policy else None,
        scps=None if caller.scps is None else tuple(tuple(p.policy for p in level) for level in caller.scps),
        rcps=None if target.rcps is None else tuple(tuple(p.policy for p in level) for level in target.rcps),
        context=merged.as_request_context(), unknown_context=True, known_absent=merged.known_absent,
        resource_policy_kind=str(target.policy_kind))
    decision = evaluate(request).decision
    return str(decision) if decision in (Decision.ALLOWED, Decision.CONDITIONAL) else None


def _graph_status(ag: AccessGraph, source: str, target: str, action: str) -> str | None:
    """The best status of a whole-resource edge (no key-prefix scope) carrying `action`."""
    edges = ag.edges_between(source, target)
    statuses = {e["status"] for e in edges if action in e["actions"] and e["scope"] is None}
    return "allowed" if "allowed" in statuses else ("conditional" if statuses else None)


def test_every_edge_matches_a_plain_evaluation_of_every_caller(world: tuple[Snapshot, AccessGraph]) -> None:
    # For every caller (no candidate index), each sampled action (no classes) decided alone: the
    # edge exists with the same status exactly when evaluate says allowed or conditional.
    snapshot, ag = world
    org = OrgIndex.build(snapshot.organization)
    principals = PrincipalIndex.build(snapshot, org)
    callers = _every_caller(snapshot, principals, org)
    mismatches, compared, granted = [], 0, 0
    for resource in _targets(snapshot):
        for action, where in _sample(resource.type):
            arn = f"{resource.arn}/*" if where is ActionTarget.OBJECT else resource.arn
            for caller in callers:
                expected = _plain(caller, resource, principals, action, arn)
                got = _graph_status(ag, caller.node, resource.arn, action)
                compared += 1
                granted += expected is not None
                if expected != got:
                    mismatches.append(f"{caller.node} {action} {resource.arn}: plain {expected}, graph {got}")
    assert compared > 5000 and granted > 300  # the comparison covers many callers and many grants
    assert not mismatches, "\n".join(mismatches[:30])


def test_deferred_grants_equal_eager_expansion(world: tuple[Snapshot, AccessGraph]) -> None:
    # The edges into resources evaluated on demand (users' and roles' edges, and a "*" grant's
    # other-account principals) are the very edges an eager full evaluation gives (graph.edges.lazy);
    # and there are such grants (ECR org pulls, org lists).
    snapshot, ag = world
    assert ag.lazy is not None and len(ag.lazy.star_targets) >= 10
    org = OrgIndex.build(snapshot.organization)
    principals = PrincipalIndex.build(snapshot, org)
    eager = set(resource_edges.edges(snapshot, principals, []))
    lazy = LazyEdges(principals, SharedOutcomes())
    deferred_build = set(resource_edges.edges(snapshot, principals, [], lazy))
    expanded = deferred_build | set(lazy.all_edges())
    assert len(deferred_build) < len(eager) / 2  # most edges were left to evaluation on demand
    assert expanded == eager
    full = ag.full_graph()
    assert full.number_of_edges() > ag.graph.number_of_edges()


def test_shared_outcomes_equal_one_evaluation_per_caller(world: tuple[Snapshot, AccessGraph]) -> None:
    # Callers sharing identity policies, SCPs and the context keys read get one evaluation; the
    # edges must be exactly those of evaluating each caller on its own.
    snapshot, _ = world
    org = OrgIndex.build(snapshot.organization)
    principals = PrincipalIndex.build(snapshot, org)
    shared = SharedOutcomes()
    for resource in _targets(snapshot):
        target = resource_edges.resource_target(resource, principals)
        for caller in principals.callers.values():
            alone = evaluate_pair(caller, target, action_groups(resource, caller, target))
            assert set(shared.edges(caller, target, resource)) == set(alone), (caller.node, resource.arn)
    assert shared.hits > 100  # the sharing is exercised


def test_who_can_lists_other_accounts_through_a_star_grant(world: tuple[Snapshot, AccessGraph]) -> None:
    # An ECR repository's OrgPull statement admits "*" within the organization: roles of other
    # accounts whose identity policies allow ecr:BatchGetImage (ReadOnlyAccess, admins) reach it
    # although none of those edges is in ag.graph.
    from graph.query import who_can

    snapshot, ag = world
    repository = next(r for r in _targets(snapshot) if r.type == "AWS::ECR::Repository")
    answer = who_can(ag, repository.arn, action="ecr:BatchGetImage")
    others = {p.principal for p in answer.principals
              if p.account not in (None, repository.account_id) and p.kind in ("user", "role") and len(p.path.hops) == 1}
    in_graph = {source for source in ag.graph.predecessors(repository.arn)}
    assert len(others) >= 10 and not others & in_graph
