"""diff sees every access path, including a "*" grant's edges to other accounts' principals.

The builder defers those edges (graph.edges.lazy) so that `AccessGraph.graph` stays linear in
accounts; a diff that read only `.graph` would miss an org-wide grant appearing or disappearing.
"""

from __future__ import annotations

import copy

from graph.build import build_graph
from graph.diff import diff_graphs
from graph.snapshot import parse_snapshot
from graph.synthetic import generate_organization


def test_an_org_wide_star_grant_added_shows_other_accounts_principals() -> None:
    new_raw = generate_organization(5, seed=3)
    old_raw = copy.deepcopy(new_raw)
    # the first ECR repository whose policy admits "*" (the synthetic org-wide pull statement)
    account, index, repository = next(
        (a, i, r) for a in old_raw["accounts"] for i, r in enumerate(a["resources"])
        if r["type"] == "AWS::ECR::Repository" and r.get("policy") and '"*"' in str(r["policy"]).replace("'", '"'))
    account["resources"][index] = {**repository, "policy": None}  # OLD: the repository had no policy yet
    old, new = build_graph(parse_snapshot(old_raw)), build_graph(parse_snapshot(new_raw))
    assert new.lazy is not None and repository["arn"] in new.lazy.targets  # the grant's edges are deferred

    result = diff_graphs(old, new)

    # NEW's policy admits, within the organization, principals of other accounts whose identity policies
    # allow the pull (SEMANTICS §2.3): those edges are added, though none of them is in `new.graph`
    added_from_elsewhere = {e.source for e in result.added_edges
                            if e.target == repository["arn"] and e.source.startswith("arn:aws:iam::")
                            and e.source.split(":")[4] != account["id"]}
    assert added_from_elsewhere
    assert not added_from_elsewhere & set(new.graph.predecessors(repository["arn"]))
