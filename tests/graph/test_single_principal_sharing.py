"""Callers of an account the resource side names one principal at a time (graph/edges/shared.py, issue 8).

A bucket policy naming `arn:aws:iam::B:role/deploy` names that role only: the evaluator matches
user and role ARNs in a Principal element exactly (IAM User Guide, "AWS JSON policy elements:
Principal", role and user principals). Other roles of B with the same identity policy are named
by no entry, so they share one evaluation; the named role (or any role whose name is one of the
entry's path segments) is evaluated alone. Each answer is compared with a build that evaluates
every pair alone.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest

from graph.build import AccessGraph, build_graph
from graph.edges import shared
from graph.edges.principals import PrincipalIndex
from graph.edges.resources import resource_target
from graph.model import Snapshot
from graph.org import OrgIndex
from tests.graph.scenarios import A, B, account, bucket, grant, managed, organization, role, role_arn, root, snapshot

READ = managed(B, "read-all", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
READ_ARN = READ.arn
BUCKET = "arn:aws:s3:::shared-data"


def _edges(ag: AccessGraph | nx.MultiDiGraph) -> set[tuple[Any, ...]]:
    """Every edge, those into resources evaluated on demand included (`full_graph` evaluates them all)."""
    graph = ag.full_graph() if isinstance(ag, AccessGraph) else ag
    return {(u, v, d["kind"], d["actions"], d["status"], d["conditions"], d["deny_conditions"], d["granted_by"],
             d["scope"], d["contested"]) for u, v, d in graph.edges(data=True)}


def _alone(snap: Snapshot, monkeypatch: pytest.MonkeyPatch) -> nx.MultiDiGraph:
    """The full graph with every pair evaluated on its own (no shared outcomes), on-demand edges included."""
    with monkeypatch.context() as patched:
        patched.setattr(shared.SharedOutcomes, "_signature", lambda *args, **kwargs: None)
        return build_graph(snap).full_graph()


def _readers(ag: AccessGraph) -> set[str]:
    return {u for u, edges in ag.edges_into(BUCKET).items() if any("s3:GetObject" in d["actions"] for d in edges)}


def _world(*statements: dict[str, Any], names: tuple[str, ...] = ("a-builder", "deploy", "z-auditor")) -> Snapshot:
    # Every role of B holds the same managed policy (same id, same text), so only naming tells them apart.
    roles = tuple(role(B, name, None, managed=(READ_ARN,)) for name in names)
    return snapshot(account(A, resources=(bucket(A, "shared-data", *statements),)),
                    account(B, roles=roles, policies=(READ,)), org=organization())


def test_only_the_named_role_reads_across_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    # Cross-account access needs both the caller's identity policy and the bucket policy (SEMANTICS 2.2):
    # only `deploy` is named, so roles evaluated before and after it must not borrow its answer.
    world = _world(grant({"AWS": role_arn(B, "deploy")}, "s3:GetObject", f"{BUCKET}/*"))
    ag = build_graph(world)
    assert _readers(ag) == {role_arn(B, "deploy")}
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_account_and_single_entries_together(monkeypatch: pytest.MonkeyPatch) -> None:
    # One statement names B's root (delegating to B's identity policies: every role of B that holds
    # s3:GetObject reads), another names `deploy` alone for s3:PutObject, which no identity policy
    # of B grants: still no PutObject edge for anyone, GetObject for all three.
    world = _world(grant({"AWS": root(B)}, "s3:GetObject", f"{BUCKET}/*"),
                   grant({"AWS": role_arn(B, "deploy")}, "s3:PutObject", f"{BUCKET}/*"))
    ag = build_graph(world)
    assert _readers(ag) == {role_arn(B, name) for name in ("a-builder", "deploy", "z-auditor")}
    assert not any("s3:PutObject" in d["actions"] for _, _, d in ag.full_graph().edges(data=True))
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_named_role_with_another_account_named_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # The policy names `deploy` of B and the whole of A: A's roles are same-account (identity Allow
    # suffices), B's unnamed roles get nothing; a role of B whose name differs from the entry only
    # by case is evaluated alone and, as ARNs match exactly, not named either.
    world = _world(grant({"AWS": [role_arn(B, "deploy"), root(A)]}, "s3:GetObject", f"{BUCKET}/*"),
                   names=("Deploy", "deploy", "other"))
    ag = build_graph(world)
    assert _readers(ag) == {role_arn(B, "deploy")}
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_a_policy_naming_the_account_one_role_at_a_time_shares_the_unnamed_roles() -> None:
    # The point of the change: unnamed roles of B are shared (one evaluation, then reused), the
    # named one is not. Counted on the memo of a fresh build.
    world = _world(grant({"AWS": role_arn(B, "deploy")}, "s3:GetObject", f"{BUCKET}/*"),
                   names=("deploy", "r1", "r2", "r3", "r4"))
    outcomes = shared.SharedOutcomes()
    principals = PrincipalIndex.build(world, OrgIndex.build(world.organization))
    resource = world.accounts[0].resources[0]
    target = resource_target(resource, principals)
    for name in ("deploy", "r1", "r2", "r3", "r4"):
        caller = principals.find(role_arn(B, name))
        assert caller is not None
        found = outcomes.edges(caller, target, resource)
        assert (found != []) == (name == "deploy")
    assert (outcomes.misses, outcomes.hits) == (1, 3)
