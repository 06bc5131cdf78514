"""The questions: who-can, paths, reach, and the export of a graph."""

from __future__ import annotations

import gc
import json
import time
import xml.etree.ElementTree as ElementTree

import pytest

from graph.build import build_graph
from graph.errors import QueryError
from graph.export import export
from graph.query import find_paths, iter_paths, reach, who_can
from tests.graph.scenarios import (
    OUTSIDER,
    A,
    B,
    account,
    allow,
    bucket,
    grant,
    key,
    organization,
    role,
    role_arn,
    root,
    snapshot,
    trusts,
)

BUCKET = "arn:aws:s3:::data"
KEY = f"arn:aws:kms:us-east-1:{B}:key/k1"
APP, SHARED, VENDOR = role_arn(A, "App"), role_arn(B, "Shared"), role_arn(B, "Vendor")


@pytest.fixture(scope="module")
def two_ways() -> object:
    """A's App role reaches B's bucket two ways: directly (bucket policy) and through B's Shared role;
    an outsider reaches it through Vendor only with an external id. The bucket is encrypted with B's key."""
    app = role(A, "App", trusts({"Service": "ec2.amazonaws.com"}),
               allow("sts:AssumeRole", SHARED), allow(["s3:GetObject", "s3:ListBucket"], [BUCKET, f"{BUCKET}/*"]))
    shared = role(B, "Shared", trusts({"AWS": root(A)}), allow("s3:GetObject", f"{BUCKET}/*"))
    vendor = role(B, "Vendor", trusts({"AWS": OUTSIDER}, Condition={"StringEquals": {"sts:ExternalId": "x-1"}}),
                  allow("s3:GetObject", f"{BUCKET}/*"))
    policy = grant({"AWS": root(A)}, ["s3:GetObject", "s3:ListBucket"], [BUCKET, f"{BUCKET}/*"])
    key_policy = grant({"AWS": [root(B), root(A)]}, "kms:*", "*")
    encrypted = {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY}}]}}
    world = snapshot(account(A, roles=(app,)),
                     account(B, roles=(shared, vendor), resources=(bucket(B, "data", policy, properties=encrypted),
                                                                   key(B, "k1", key_policy))),
                     org=organization())
    return build_graph(world)


def test_who_can_lists_every_origin_with_its_shortest_path(two_ways: object) -> None:
    answer = who_can(two_ways, BUCKET, action="s3:GetObject")
    by_principal = {p.principal: p for p in answer.principals}
    # App: 1 hop (bucket policy names A's root, App's identity allows GetObject)
    assert [h.kind for h in by_principal[APP].path.hops] == ["resource-policy"]
    # Shared: same account as the bucket, its identity policy grants
    assert [h.kind for h in by_principal[SHARED].path.hops] == ["identity-policy"]
    # account A: member -> App -> bucket
    assert by_principal[A].kind == "account" and len(by_principal[A].path.hops) == 2
    # EC2 service: it can assume App (trust), then App reads
    assert len(by_principal["ec2.amazonaws.com"].path.hops) == 2
    # the outsider: through Vendor, conditional on the external id
    outsider = by_principal[OUTSIDER]
    assert outsider.path.status == "conditional"
    assert [c.key for c in outsider.path.conditions] == ["sts:ExternalId"]
    data = answer.to_json()
    assert set(data) >= {"resource", "action", "principals"}
    assert set(data["principals"][0]) >= {"principal", "kind", "account", "status", "conditions", "hops", "path"}
    assert set(data["principals"][0]["path"][0]) >= {"from", "to", "edge", "actions", "conditions", "granted_by"}


def test_who_can_says_when_the_kms_key_is_also_needed(two_ways: object) -> None:
    answer = who_can(two_ways, BUCKET, action="s3:GetObject")
    assert answer.key is not None and answer.key.key_arn == KEY and answer.key.action == "kms:Decrypt"
    by_principal = {p.principal: p for p in answer.principals}
    assert by_principal[APP].key_status == "no"  # the key policy admits A's root, but App has no kms:Decrypt
    assert by_principal[SHARED].key_status == "no"  # same: no identity allow for kms (root delegation needs one)


def test_paths_from_an_account_are_listed_shortest_first_with_both_mechanisms(two_ways: object) -> None:
    answer = find_paths(two_ways, A, BUCKET, action="s3:GetObject")
    shapes = [[(h.kind, h.target) for h in p.hops] for p in answer.paths]
    assert shapes == [
        [("member", APP), ("resource-policy", BUCKET)],  # direct grant, 2 hops
        [("member", APP), ("assume-role", SHARED), ("identity-policy", BUCKET)],  # STS, then identity, 3 hops
    ]
    assert answer.truncated is False
    assert answer.paths[1].hops[1].mechanism.startswith("role assumption")


def test_reach_lists_resources_and_assumable_roles(two_ways: object) -> None:
    answer = reach(two_ways, APP)
    assert {r.resource for r in answer.resources} == {BUCKET, SHARED}
    assert {r.resource for r in reach(two_ways, APP, action="s3:GetObject").resources} == {BUCKET}


def test_unknown_arns_and_bad_actions_are_query_errors(two_ways: object) -> None:
    with pytest.raises(QueryError):
        who_can(two_ways, "arn:aws:s3:::nope")
    with pytest.raises(QueryError):
        find_paths(two_ways, "555555555555", BUCKET)
    with pytest.raises(QueryError):
        who_can(two_ways, BUCKET, action="not an action")


def test_dense_trust_mesh_yields_first_paths_promptly_and_truncates() -> None:
    # 50 roles that all trust each other (account root) and may all assume any role, all reading one bucket:
    # simple paths number in the billions; the first 100 must come at once.
    names = [f"R{i:02d}" for i in range(50)]
    roles = tuple(role(A, n, trusts({"AWS": root(A)}), allow("sts:AssumeRole"), allow("s3:GetObject")) for n in names)
    world = snapshot(account(A, roles=roles, resources=(bucket(A, "data"),)), org=organization())
    ag = build_graph(world)
    started = time.perf_counter()
    answer = find_paths(ag, A, BUCKET, action="s3:GetObject", max_hops=6, limit=100)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0
    assert len(answer.paths) == 100 and answer.truncated is True
    lengths = [len(p.hops) for p in answer.paths]
    assert lengths == sorted(lengths) and lengths[0] == 2  # shortest first: member + identity-policy
    first = next(iter_paths(ag, role_arn(A, "R00"), BUCKET, max_hops=6))  # the generator is lazy
    assert len(first.hops) == 1


def test_max_hops_bound_sets_truncated() -> None:
    chain = (role(A, "One", None, allow("sts:AssumeRole")), role(A, "Two", trusts({"AWS": role_arn(A, "One")}),
             allow("sts:AssumeRole")), role(A, "Three", trusts({"AWS": role_arn(A, "Two")}), allow("s3:GetObject")))
    ag = build_graph(snapshot(account(A, roles=chain, resources=(bucket(A, "data"),)), org=organization()))
    one = role_arn(A, "One")
    assert [len(p.hops) for p in find_paths(ag, one, BUCKET).paths] == [3]  # One -> Two -> Three -> bucket
    short = find_paths(ag, one, BUCKET, max_hops=2)
    assert short.paths == () and short.truncated is True


@pytest.mark.parametrize("fmt", ["dot", "graphml", "json", "mermaid"])
def test_export_formats_carry_every_edge(two_ways: object, fmt: str) -> None:
    text = export(two_ways.graph, fmt)
    edge_count = two_ways.graph.number_of_edges()
    if fmt == "json":
        assert len(json.loads(text)["edges"]) == edge_count
    elif fmt == "graphml":
        root_element = ElementTree.fromstring(text)
        assert len(root_element.findall(".//{http://graphml.graphdrawing.org/xmlns}edge")) == edge_count
    elif fmt == "dot":
        assert text.startswith("digraph") and text.count(" -> ") == edge_count
    else:
        assert text.startswith("flowchart LR") and text.count("-->") + text.count("-.->") == edge_count


def test_who_can_leaves_the_garbage_collector_as_it_found_it(two_ways: object) -> None:
    """who-can pauses the cyclic collector while it answers (a large answer's allocations made
    collections walk the whole graph: 90% of its time at 100 accounts); the pause must not leak
    to the caller, whether the collector was on or off, and the answer must be the same either way."""
    assert gc.isenabled()
    with_collector = who_can(two_ways, BUCKET).to_json()
    assert gc.isenabled()
    gc.disable()
    try:
        without_collector = who_can(two_ways, BUCKET).to_json()
        assert not gc.isenabled()  # a caller that disabled it keeps it disabled
    finally:
        gc.enable()
    assert with_collector == without_collector
    assert with_collector["principals"]  # App, Shared and the outsider's route reach the bucket
