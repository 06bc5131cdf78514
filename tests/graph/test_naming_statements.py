"""A resource policy's statements that cannot name a caller are left out of its pair (issue 10).

From 8 statements, `graph.edges.common.naming_statements` gives each caller only the resource-side
statements whose Principal or NotPrincipal may name it (the evaluator's principal index), so that a
policy naming 10,000 accounts costs each caller its own statements. Leaving the others out must not
change one edge: the evaluator ignores a statement whose Principal does not name the caller.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest

from graph.build import build_graph
from graph.edges import common
from graph.model import Snapshot, User
from tests.graph.scenarios import (
    A, B, C, account, bucket, grant, managed, organization, role, role_arn, root, snapshot, user_arn,
)

BUCKET = "arn:aws:s3:::crowded-data"
ALICE_ID = "AIDAEXAMPLEALICE00001"
S3_ALL = managed(B, "s3-all", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})


def _statements() -> list[dict[str, Any]]:
    return [
        grant({"AWS": root(B)}, "s3:GetObject", f"{BUCKET}/*"),                                # 0: B, through identity
        grant({"AWS": role_arn(B, "reader")}, "s3:ListBucket", BUCKET),                        # 1: one role of B
        grant("*", "s3:PutObject", f"{BUCKET}/uploads/*",
              Condition={"StringEquals": {"aws:PrincipalAccount": B}}),                        # 2: anyone in B
        {"Effect": "Deny", "NotPrincipal": {"AWS": [root(B), role_arn(B, "reader")]},
         "Action": "s3:DeleteObject", "Resource": f"{BUCKET}/*"},                             # 3: all but reader
        grant({"AWS": ALICE_ID}, "s3:PutObject", f"{BUCKET}/alice/*"),                        # 4: alice's unique id
        grant({"Service": "cloudtrail.amazonaws.com"}, "s3:PutObject", f"{BUCKET}/trail/*"),  # 5: a service
        grant({"AWS": role_arn(A, "own")}, "s3:GetObject", f"{BUCKET}/own/*"),                 # 6: own account role
        grant({"AWS": f"arn:aws:sts::{C}:assumed-role/ci/build"}, "s3:GetObject", f"{BUCKET}/*"),  # 7: a session of C
        {"Effect": "Deny", "Principal": {"AWS": role_arn(B, "writer")}, "Action": "s3:*",
         "Resource": f"{BUCKET}/secret/*"},                                                    # 8: writer kept out
        grant({"AWS": role_arn(A, "other")}, "s3:PutObject", f"{BUCKET}/p9/*"),                # 9: own role, prefix
    ]


def _world() -> Snapshot:
    alice = User(user_arn(B, "alice"), "alice", B, managed_policy_arns=(S3_ALL.arn,), user_id=ALICE_ID)
    roles_b = tuple(role(B, name, None, managed=(S3_ALL.arn,)) for name in ("reader", "writer", "auditor"))
    roles_a = tuple(role(A, name) for name in ("own", "other", "bystander"))
    return snapshot(account(A, roles=roles_a, resources=(bucket(A, "crowded-data", *_statements()),)),
                    account(B, users=(alice,), roles=roles_b, policies=(S3_ALL,)), org=organization())


def _edges(graph: nx.MultiDiGraph) -> set[tuple[Any, ...]]:
    return {(u, v, d["kind"], d["actions"], d["status"], d["conditions"], d["deny_conditions"], d["granted_by"],
             d["scope"]) for u, v, d in graph.in_edges(BUCKET, data=True)}


def _into_bucket(monkeypatch: pytest.MonkeyPatch, index_from: int) -> set[tuple[Any, ...]]:
    with monkeypatch.context() as patched:
        patched.setattr(common, "_INDEX_FROM", index_from)
        return _edges(build_graph(_world()).full_graph())


def test_leaving_out_statements_that_cannot_name_the_caller_changes_no_edge(monkeypatch: pytest.MonkeyPatch) -> None:
    indexed = _into_bucket(monkeypatch, 8)
    every_statement = _into_bucket(monkeypatch, 10**9)  # each caller sees all 10 statements, as before the index
    assert indexed == every_statement


def test_each_caller_gets_what_its_own_statements_grant(monkeypatch: pytest.MonkeyPatch) -> None:
    edges = _into_bucket(monkeypatch, 8)

    def actions(node: str, scope: str | None = None) -> set[str]:
        return {action for edge in edges if edge[0] == node and edge[8] == scope for action in edge[3]}

    reader, writer, auditor = (role_arn(B, name) for name in ("reader", "writer", "auditor"))
    alice = user_arn(B, "alice")
    # statement 0 names B (its identity policies must allow too: s3:* does); statement 1 only reader;
    # no statement lets another account delete, and statement 3 denies it to all but reader anyway
    assert {"s3:GetObject", "s3:ListBucket"} <= actions(reader)
    assert "s3:GetObject" in actions(auditor) and "s3:ListBucket" not in actions(auditor)
    # statement 2 admits B's principals to uploads/ (by condition on their account, known here)
    assert "s3:PutObject" in actions(writer, "uploads/")
    # statement 4 names alice by her unique id (IAM principal unique ids: AIDA... is a user)
    assert "s3:PutObject" in actions(alice, "alice/") and "s3:PutObject" not in actions(auditor, "alice/")
    # statement 5 admits CloudTrail; statement 7 one session of the uncollected account C
    assert "s3:PutObject" in actions("cloudtrail.amazonaws.com", "trail/")
    assert "s3:GetObject" in actions(C)
    # same account: a resource policy naming the role grants on its own (SEMANTICS 2.2)
    assert "s3:GetObject" in actions(role_arn(A, "own"), "own/")
    assert "s3:PutObject" in actions(role_arn(A, "other"), "p9/")
    # statement 3 denies deleting to every principal it does not list: reader alone may (statement 1
    # does not grant it, so nobody has an edge for it)
    assert not any("s3:DeleteObject" in edge[3] for edge in edges)
    assert not actions(role_arn(A, "bystander")) and not any(edge[0] == role_arn(A, "bystander") for edge in edges)


def test_two_accounts_named_by_different_statements_get_each_its_own_grant() -> None:
    # found by this work: roles of B and C holding the same policy text were given one shared outcome,
    # since "named through its account" was all the key said; C's role then showed B's GetObject and
    # lost its own PutObject (a wrong answer both ways)
    two = "arn:aws:s3:::two-accounts"
    policies = {member: managed(member, "s3-all", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
                for member in (B, C)}
    world = snapshot(
        account(A, resources=(bucket(A, "two-accounts", grant({"AWS": root(B)}, "s3:GetObject", f"{two}/*"),
                                     grant({"AWS": root(C)}, "s3:PutObject", f"{two}/*")),)),
        *(account(member, roles=(role(member, "app", None, managed=(policy.arn,)),), policies=(policy,))
          for member, policy in policies.items()),
        org=organization())
    graph = build_graph(world).full_graph()
    granted = {(u, d["actions"], tuple(g.statement for g in d["granted_by"] if g.resource == two))
               for u, _, d in graph.in_edges(two, data=True)}
    # cross-account: each role's identity policy allows s3:*, and the bucket policy names its account
    # in one statement only (SEMANTICS 2.2: both sides must allow)
    assert granted == {(role_arn(B, "app"), ("s3:GetObject",), (0,)), (role_arn(C, "app"), ("s3:PutObject",), (1,))}
