"""One evaluation stands for many pairs only when nothing it reads differs (graph/edges/shared.py, issue 8).

The builder evaluates a (caller, resource) question once and reuses the answer for other callers
whose identity statements bearing on the resource are the same text, and for other resources whose
policies are the same text but for their own ARN and account. These worlds put a difference in
exactly the places such sharing could miss: a condition value, a tag, a policy variable, an S3
prefix naming the account. Each answer is also compared with a build that evaluates every pair alone.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest

from graph.build import AccessGraph, build_graph
from graph.edges import shared
from graph.model import Snapshot
from graph.snapshot import parse_snapshot
from graph.synthetic import generate_organization
from tests.graph.scenarios import A, B, C, account, allow, bucket, doc, organization, role, role_arn, snapshot

ACCOUNTS = (A, B, C)


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


def _between(ag: AccessGraph, source: str, target: str, action: str) -> list[dict[str, Any]]:
    return [d for d in ag.edges_between(source, target) if action in d["actions"]]


def _world(make_role: Any, make_bucket: Any) -> Snapshot:
    return snapshot(*(account(acct, roles=(make_role(acct),), resources=(make_bucket(acct),)) for acct in ACCOUNTS),
                    org=organization())


def test_deny_condition_naming_the_account_stays_with_its_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each bucket denies GetObject outside its own VPC endpoint, named after its account. The
    # endpoint is unknown statically, so each same-account reader's edge is allowed with a deny
    # condition (SEMANTICS 2.1: an explicit Deny whose condition may hold) that must name its own
    # bucket's endpoint, never the first bucket's.
    world = _world(
        lambda acct: role(acct, "reader", None, allow("s3:GetObject", f"arn:aws:s3:::data-{acct}/*")),
        lambda acct: bucket(acct, f"data-{acct}", {
            "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::data-{acct}/*",
            "Condition": {"StringNotEquals": {"aws:SourceVpce": f"vpce-{acct}"}}}))
    ag = build_graph(world)
    for acct in ACCOUNTS:
        (edge,) = _between(ag, role_arn(acct, "reader"), f"arn:aws:s3:::data-{acct}", "s3:GetObject")
        assert {value for condition in edge["deny_conditions"] for value in condition.values} == {f"vpce-{acct}"}
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_resource_tags_are_part_of_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    # Same policies everywhere but the bucket's tag: the identity Allow requires aws:ResourceTag/team
    # = red (IAM User Guide, "Controlling access to AWS resources using tags"), so only A's bucket,
    # tagged red, is readable by A's reader; B's and C's (blue) are not.
    world = _world(
        lambda acct: role(acct, "reader", None, allow("s3:ListBucket", f"arn:aws:s3:::data-{acct}",
                                                      Condition={"StringEquals": {"aws:ResourceTag/team": "red"}})),
        lambda acct: bucket(acct, f"data-{acct}", properties={"Tags": {"team": "red" if acct == A else "blue"}}))
    ag = build_graph(world)
    assert _between(ag, role_arn(A, "reader"), f"arn:aws:s3:::data-{A}", "s3:ListBucket")
    for acct in (B, C):
        assert not _between(ag, role_arn(acct, "reader"), f"arn:aws:s3:::data-{acct}", "s3:ListBucket")
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_principal_tags_and_policy_variables_are_part_of_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    # The Resource element is `data-${aws:PrincipalTag/home}/*` (IAM User Guide, "IAM policy
    # elements: Variables and tags"): A's and C's readers are tagged with their own account and read
    # their bucket; B's reader is tagged with A's account, so it reads nothing of B's bucket.
    world = _world(
        lambda acct: role(acct, "reader", None, allow("s3:GetObject", "arn:aws:s3:::data-${aws:PrincipalTag/home}/*"),
                          tags=(("home", A if acct == B else acct),)),
        lambda acct: bucket(acct, f"data-{acct}"))
    ag = build_graph(world)
    for acct in (A, C):
        assert _between(ag, role_arn(acct, "reader"), f"arn:aws:s3:::data-{acct}", "s3:GetObject")
    assert not _between(ag, role_arn(B, "reader"), f"arn:aws:s3:::data-{B}", "s3:GetObject")
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_prefix_scope_naming_the_account_stays_with_its_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each reader may read `AWSLogs/<its account>/` of its bucket only: its edge is scoped to that
    # prefix (a key-prefix grant, graph/edges/resources.py), never to another account's.
    world = _world(
        lambda acct: role(acct, "reader", None, allow("s3:GetObject", f"arn:aws:s3:::logs-{acct}/AWSLogs/{acct}/*")),
        lambda acct: bucket(acct, f"logs-{acct}"))
    ag = build_graph(world)
    for acct in ACCOUNTS:
        (edge,) = _between(ag, role_arn(acct, "reader"), f"arn:aws:s3:::logs-{acct}", "s3:GetObject")
        assert edge["scope"] == f"AWSLogs/{acct}/"
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_grants_name_each_callers_own_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    # Readers of three accounts share one evaluation (their statements differ only by the bucket's
    # own ARN); each edge's granted_by names the reader's own inline policy (SPEC §4 granted_by).
    world = _world(lambda acct: role(acct, "reader", None, allow("s3:GetObject", f"arn:aws:s3:::data-{acct}/*")),
                   lambda acct: bucket(acct, f"data-{acct}", {
                       "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": [f"arn:aws:s3:::data-{acct}", f"arn:aws:s3:::data-{acct}/*"],
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
    ag = build_graph(world)
    for acct in ACCOUNTS:
        (edge,) = _between(ag, role_arn(acct, "reader"), f"arn:aws:s3:::data-{acct}", "s3:GetObject")
        assert [grant.policy for grant in edge["granted_by"]] == [f"{role_arn(acct, 'reader')}/inline/inline"]
    assert ag.lazy is not None and ag.lazy.outcomes.hits >= 2  # B and C reused A's evaluation
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_generated_organization_same_with_and_without_sharing(monkeypatch: pytest.MonkeyPatch) -> None:
    # The whole graph of a generated organization (every mechanism, every account) is the same
    # whether pairs share evaluations or each is evaluated alone.
    world = parse_snapshot(generate_organization(5, seed=7))
    ag = build_graph(world)
    every = _edges(ag)  # evaluates every resource's on-demand edges
    assert ag.lazy is not None and ag.lazy.outcomes.hits > 1000
    assert every == _edges(_alone(world, monkeypatch))


def test_a_principal_named_alone_is_not_shared_with_its_colleagues(monkeypatch: pytest.MonkeyPatch) -> None:
    # A's bucket policy names B's reader role itself; B's other role holds the very same identity
    # policy. Across accounts both sides must allow (SEMANTICS 2.3), so only the named reader gets
    # the edge: sharing by "same identity statements" must not hand it to its colleague.
    same = allow("s3:GetObject", "*")
    world = snapshot(
        account(A, resources=(bucket(A, "data-a", {"Effect": "Allow", "Principal": {"AWS": role_arn(B, "reader")},
                                                   "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-a/*"}),)),
        account(B, roles=(role(B, "reader", None, same), role(B, "other", None, same))),
        org=organization())
    ag = build_graph(world)
    assert _between(ag, role_arn(B, "reader"), "arn:aws:s3:::data-a", "s3:GetObject")
    assert not _between(ag, role_arn(B, "other"), "arn:aws:s3:::data-a", "s3:GetObject")
    assert _edges(ag) == _edges(_alone(world, monkeypatch))
