"""Edges into resources evaluated on demand give the answers a full build gives (issue 8, graph.edges.lazy).

The build evaluates no user or role against a resource; who-can, paths and reach evaluate those
pairs the first time they need them. The reference here is a plain eager graph: the same nodes
and eager edges plus every resource edge of a full evaluation (`graph.edges.resources.edges`
without laziness), queried with no on-demand part at all.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import networkx as nx
import pytest

from graph.build import AccessGraph, build_graph
from graph.edges import resources as resource_edges
from graph.edges.common import PUBLIC_NODE
from graph.edges.principals import PrincipalIndex
from graph.model import Snapshot
from graph.external import outsiders
from graph.org import OrgIndex
from graph.query import PrincipalAccess, Reached, find_paths, reach, who_can
from graph.snapshot import parse_snapshot
from graph.synthetic import generate_organization
from tests.graph.scenarios import A, B, account, allow, bucket, grant, organization, role, role_arn, snapshot

_ON_DEMAND_KINDS = ("user", "role")
_RESOURCE_EDGES = ("resource-policy", "identity-policy")


@pytest.fixture(scope="module")
def world() -> tuple[Snapshot, AccessGraph, AccessGraph]:
    world = parse_snapshot(generate_organization(8, seed=5))
    return world, build_graph(world), _eager(world)


def _eager(world: Snapshot) -> AccessGraph:
    """The reference: every resource edge evaluated up front (before the other edges, as a full build
    adds them), no on-demand part."""
    ag = build_graph(world)
    principals = PrincipalIndex.build(world, OrgIndex.build(world.organization))
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(ag.graph.nodes(data=True))
    warnings: list[str] = []
    graph.add_edges_from((edge.source, edge.target, edge.attributes())
                         for edge in resource_edges.edges(world, principals, warnings))
    graph.add_edges_from((u, v, d) for u, v, d in ag.graph.edges(data=True)
                         if not (d["kind"] in _RESOURCE_EDGES and v in ag.resources))
    assert set(warnings) <= set(ag.warnings)
    assert set(graph.nodes) == set(ag.graph.nodes)  # the lazy build has exactly a full build's nodes
    return AccessGraph(graph, ag.snapshot, ag.org, ag.warnings, ag.resources, ag.accounts, None)


def _summary(entry: PrincipalAccess | Reached) -> tuple[Any, ...]:
    """What must not change; of a longer path, not which of several equally good ones is shown.

    Between equally good paths (same length, status and number of conditions) the query keeps the
    first found, and the order differs from the reference's (a full build, like the lazy graph,
    puts a `"*"` grant's other accounts last, the reference puts them where the policy names them).
    """
    path = entry.path
    head = (getattr(entry, "principal", None) or getattr(entry, "resource", None), str(path.status), len(path.hops),
            len(path.conditions), getattr(entry, "key_status", None))
    if len(path.hops) != 1:
        return head
    final = path.hops[0]
    return (*head, path.conditions, str(final.kind), final.actions, final.conditions, final.granted_by, final.scope)


def test_the_build_evaluates_no_user_or_role_against_a_resource(world: tuple[Snapshot, AccessGraph, AccessGraph]) -> None:
    # The point of the laziness (SPEC §7 build bar): no edge from a user or role into a resource
    # policy or identity grant is in the built graph, and nothing has been evaluated on demand yet.
    _, ag, eager = world
    fresh = build_graph(world[0])
    kinds = fresh.graph.nodes
    assert fresh.lazy is not None and not fresh.lazy._head and not fresh.lazy._from
    assert not [(u, v) for u, v, d in fresh.graph.edges(data=True)
                if d["kind"] in _RESOURCE_EDGES and kinds[u]["kind"] in _ON_DEMAND_KINDS]
    # ... while the reference holds many (so the comparisons below compare something)
    assert sum(1 for _, _, d in eager.graph.edges(data=True) if d["kind"] in _RESOURCE_EDGES) > 5000


def test_who_can_equals_the_full_evaluation_for_every_resource(world: tuple[Snapshot, AccessGraph, AccessGraph]) -> None:
    # Every resource of the organization, asked cold: the same principals, statuses, hop counts,
    # conditions and final hop (its mechanism, actions, proving statements) as the eager graph.
    snapshot, ag, eager = world
    compared = 0
    for arn in ag.resources:
        lazy_answer, eager_answer = who_can(ag, arn), who_can(eager, arn)
        assert [_summary(e) for e in lazy_answer.principals] == [_summary(e) for e in eager_answer.principals], arn
        assert lazy_answer.warnings == eager_answer.warnings and lazy_answer.notes == eager_answer.notes
        compared += len(lazy_answer.principals)
    assert compared > 5000


def test_who_can_with_an_action_equals_the_full_evaluation(world: tuple[Snapshot, AccessGraph, AccessGraph]) -> None:
    # With --action, a "*" grant's other accounts are evaluated for that action only; the
    # principals, statuses and hop counts are still those of the full evaluation.
    snapshot, ag, eager = world
    typical = {"AWS::S3::Bucket": "s3:GetObject", "AWS::ECR::Repository": "ecr:BatchGetImage",
               "AWS::KMS::Key": "kms:Decrypt", "AWS::SQS::Queue": "sqs:SendMessage"}
    asked = 0
    for arn, resource in ag.resources.items():
        action = typical.get(resource.type)
        if action is None:
            continue
        got = [(e.principal, str(e.path.status), len(e.path.hops)) for e in who_can(ag, arn, action=action).principals]
        want = [(e.principal, str(e.path.status), len(e.path.hops))
                for e in who_can(eager, arn, action=action).principals]
        assert got == want, arn
        asked += 1
    assert asked > 50


def test_reach_and_paths_equal_the_full_evaluation(world: tuple[Snapshot, AccessGraph, AccessGraph]) -> None:
    # reach evaluates only one principal's pairs (through the build's indexes); it must find every
    # resource the full evaluation gives it, with the same path; paths to a resource likewise.
    snapshot, _, eager = world
    ag = build_graph(snapshot)  # cold: nothing asked of it yet, so reach fills the memo itself
    outside = [node for node, _ in outsiders(ag)]  # the public node, vendors' accounts, ...: reach walks from them
    assert PUBLIC_NODE in outside and len(outside) >= 3
    sources = [caller for caller in list(ag.lazy.principals.callers)[::25]] + [snapshot.accounts[1].id, *outside]
    reached = 0
    for source in sources:
        got, want = reach(ag, source), reach(eager, source)
        assert [_summary(r) for r in got.resources] == [_summary(r) for r in want.resources], source
        reached += len(got.resources)
    assert reached > 100
    resource = next(r for r in snapshot.accounts[2].resources if r.type == "AWS::S3::Bucket")
    for source in [*sources[:6], *outside]:
        got_paths, want_paths = find_paths(ag, source, resource.arn), find_paths(eager, source, resource.arn)
        assert {json.dumps(p.to_json(), sort_keys=True) for p in got_paths.paths} == \
            {json.dumps(p.to_json(), sort_keys=True) for p in want_paths.paths}


def test_full_graph_holds_exactly_the_full_evaluation(world: tuple[Snapshot, AccessGraph, AccessGraph]) -> None:
    # Exports and diffs read full_graph(): every edge of the full evaluation, nothing more.
    _, ag, eager = world

    def edges(graph: Any) -> set[tuple[Any, ...]]:
        return {(u, v, d["kind"], d["actions"], d["status"], d["conditions"], d["granted_by"], d["scope"])
                for u, v, d in graph.edges(data=True)}

    assert edges(ag.full_graph()) == edges(eager.graph)


MISSING = role_arn(B, "deleted-reader")


def _warned() -> Snapshot:
    # A's bucket names a role B no longer has and a unique id left by a deleted principal: both are
    # warnings a full build gives, found while computing the bucket's candidates.
    shared = bucket(A, "shared", grant({"AWS": [MISSING, "AROAEXAMPLEUNIQUEID1"]}, "s3:GetObject",
                                       "arn:aws:s3:::shared/*"))
    other = bucket(A, "other")
    reader = role(A, "reader", None, allow("s3:GetObject", "*"))
    return snapshot(account(A, roles=(reader,), resources=(shared, other)),
                    account(B, roles=(role(B, "auditor", None, allow("s3:*", "*")),)), org=organization())


def test_candidate_warnings_reach_every_answer_before_any_evaluation() -> None:
    # The warnings come from the build (the policy is read there), so an answer about another
    # resource, asked before the bucket's edges are evaluated, carries them as a full build's would.
    world = _warned()
    ag = build_graph(world)
    answer = who_can(ag, "arn:aws:s3:::other")
    assert any(MISSING in line for line in answer.warnings)
    assert any("AROAEXAMPLEUNIQUEID1" in line for line in answer.warnings)
    assert answer.warnings == who_can(_eager(world), "arn:aws:s3:::other").warnings
    ag.full_graph()  # evaluating every edge adds no warning either
    assert who_can(ag, "arn:aws:s3:::other").warnings == answer.warnings


def test_two_threads_asking_at_once_get_the_same_answer(world: tuple[Snapshot, AccessGraph, AccessGraph]) -> None:
    # The explorer answers in worker threads: two who-can questions on the same resources at once
    # (the memo filled concurrently) give the answer a single thread gives.
    snapshot, _, eager = world
    ag = build_graph(snapshot)
    targets = [r.arn for a in snapshot.accounts[:3] for r in a.resources][:40]
    start = threading.Barrier(2)
    answers: dict[int, list[Any]] = {}
    failures: list[BaseException] = []

    def ask(slot: int) -> None:
        try:
            start.wait()
            answers[slot] = [who_can(ag, arn).to_json() for arn in targets]
        except BaseException as error:  # reported below: a worker's failure must fail the test
            failures.append(error)

    workers = [threading.Thread(target=ask, args=(slot,)) for slot in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not failures, failures
    assert answers[0] == answers[1]
    assert [[_summary(e) for e in who_can(eager, arn).principals] for arn in targets] == \
        [[_summary(e) for e in who_can(ag, arn).principals] for arn in targets]
