"""The query commands: who-can, paths, reach, export (SPEC §4 shapes and exit codes).

The commands are run through `tui.cli.main` as a user would; the snapshot is a small scenario
(tests/graph/scenarios.py) given to the commands in place of loading a file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import tui.output
from graph.build import AccessGraph, build_graph
from tests.graph.scenarios import (
    OUTSIDER,
    A,
    B,
    account,
    allow,
    bucket,
    grant,
    organization,
    role,
    role_arn,
    root,
    snapshot,
    trusts,
)
from tui.cli import main

BUCKET = "arn:aws:s3:::data"
APP, SHARED, VENDOR = role_arn(A, "App"), role_arn(B, "Shared"), role_arn(B, "Vendor")
HOP_KEYS = {"from", "to", "edge", "actions", "conditions", "granted_by"}


@pytest.fixture()
def world(monkeypatch: pytest.MonkeyPatch) -> AccessGraph:
    """A's App reads B's bucket directly and through B's Shared role; an outsider through Vendor with an external id."""
    app = role(A, "App", None, allow("sts:AssumeRole", SHARED), allow("s3:GetObject", f"{BUCKET}/*"))
    shared = role(B, "Shared", trusts({"AWS": root(A)}), allow("s3:GetObject", f"{BUCKET}/*"))
    vendor = role(B, "Vendor", trusts({"AWS": OUTSIDER}, Condition={"StringEquals": {"sts:ExternalId": "x-1"}}),
                  allow("s3:GetObject", f"{BUCKET}/*"))
    policy = grant({"AWS": root(A)}, "s3:GetObject", f"{BUCKET}/*")
    graph = build_graph(snapshot(account(A, roles=(app,)),
                                 account(B, roles=(shared, vendor), resources=(bucket(B, "data", policy),)),
                                 org=organization()))
    monkeypatch.setattr(tui.output, "load_access_graph", lambda path, group, edge_kinds=None: graph)
    return graph


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def test_who_can_json_has_the_spec_shape(world: AccessGraph, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "who-can", BUCKET, "--action", "s3:GetObject", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert (data["resource"], data["action"]) == (BUCKET, "s3:GetObject")
    by_principal = {p["principal"]: p for p in data["principals"]}
    # accounts A and B (member origins of App and Shared/Vendor), App (bucket policy), Shared and Vendor (same-account
    # identity policies), and the outsider (through Vendor)
    assert set(by_principal) == {A, B, APP, SHARED, VENDOR, OUTSIDER}
    outsider = by_principal[OUTSIDER]
    assert outsider["kind"] == "account" and outsider["status"] == "conditional" and outsider["hops"] == 2
    assert outsider["conditions"] == [{"key": "sts:ExternalId", "operator": "StringEquals", "values": ["x-1"]}]
    for entry in data["principals"]:
        assert set(entry) >= {"principal", "kind", "account", "status", "conditions", "hops", "path"}
        assert all(set(hop) >= HOP_KEYS for hop in entry["path"])
        assert all(set(g) >= {"policy", "statement", "sid"} for hop in entry["path"] for g in hop["granted_by"])


def test_paths_json_lists_both_mechanisms_shortest_first(world: AccessGraph,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "paths", "--from", A, "--to", BUCKET, "--action", "s3:GetObject", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"source", "target", "paths", "truncated"} and data["truncated"] is False
    edges = [[hop["edge"] for hop in path["hops"]] for path in data["paths"]]
    assert edges == [["member", "resource-policy"], ["member", "assume-role", "identity-policy"]]
    assert data["paths"][1]["hops"][1]["granted_by"][-1] == {"policy": "trust-policy", "statement": 0, "sid": None,
                                                             "resource": SHARED}


def test_paths_limit_truncates(world: AccessGraph, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "paths", "--from", A, "--to", BUCKET, "--limit", "1", "--json")
    data = json.loads(out)
    assert code == 0 and len(data["paths"]) == 1 and data["truncated"] is True


def test_reach_json_lists_the_bucket_and_the_role(world: AccessGraph, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reach", APP, "--json")
    assert code == 0
    assert {r["resource"] for r in json.loads(out)["resources"]} == {BUCKET, SHARED}


def test_table_output_shows_the_path_and_the_conditions(world: AccessGraph,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "who-can", BUCKET)
    assert code == 0
    assert "assume-role (STS)" in out and "sts:ExternalId" in out and "role/Vendor" in out


@pytest.mark.parametrize("args", [
    ("who-can", "arn:aws:s3:::missing"),
    ("paths", "--from", "555555555555", "--to", BUCKET),
    ("paths", "--from", A, "--to", "arn:aws:s3:::missing"),
    ("reach", "arn:aws:iam::111111111111:role/Nobody"),
    ("who-can", BUCKET, "--action", "not-an-action"),
    ("export", "--format", "dot", "--from", A),
])
def test_bad_input_exits_2_with_one_line(world: AccessGraph, capsys: pytest.CaptureFixture[str],
                                         args: tuple[str, ...]) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("xpath-tui: error:") and err.count("\n") == 1 and "Traceback" not in err


def test_export_writes_a_subgraph_to_a_file(world: AccessGraph, capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    target = tmp_path / "paths.json"
    code, _, _ = run(capsys, "export", "--format", "json", "--from", A, "--to", BUCKET, "-o", str(target))
    assert code == 0
    data: dict[str, Any] = json.loads(target.read_text())
    assert {n["id"] for n in data["nodes"]} == {A, APP, SHARED, BUCKET}  # only the nodes on A's paths
