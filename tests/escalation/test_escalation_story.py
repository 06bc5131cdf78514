"""The demo's escalation story end to end: who-can, paths, --edges, and the explorer's trace.

Control-plane's DeployHub assumes dev's ReleasePublisher (its trust names DeployHub), which cannot
read the release signing key itself but may pass ReleaseSigner to Lambda (iam:PassRole with
iam:PassedToService = lambda.amazonaws.com, lambda:CreateFunction and lambda:InvokeFunction on
release-* functions); ReleaseSigner trusts lambda.amazonaws.com and reads the key (demo_data/README.md,
story 6). AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
"""

from __future__ import annotations

import json

import pytest

from graph.build import build_graph
from graph.demo import load_demo
from graph.query import find_paths, who_can
from tests.tui.tui_helpers import SIZE, settle
from tui.app import XPathApp
from tui.cli import main
from tui.screens.trace import TraceScreen
from tui.widgets.path_list import PathList

SIGNING_KEY = "arn:aws:secretsmanager:us-east-1:111111111111:secret:release/signing-key-Rk7Qp2"
DEPLOY_HUB = "arn:aws:iam::333333333333:role/DeployHub"
PUBLISHER = "arn:aws:iam::111111111111:role/ReleasePublisher"
SIGNER = "arn:aws:iam::111111111111:role/ReleaseSigner"
CONTROL_PLANE = "333333333333"
LAMBDA_PATH = ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), captured.out, captured.err


def test_who_can_lists_deploy_hub_through_pass_role() -> None:
    # DeployHub's only way to the key: assume ReleasePublisher, pass ReleaseSigner to Lambda, read as it
    answer = who_can(build_graph(load_demo()), SIGNING_KEY, action="secretsmanager:GetSecretValue")
    entry = next(p for p in answer.principals if p.principal == DEPLOY_HUB)
    assert [(h.kind.value, h.target) for h in entry.path.hops] == [
        ("assume-role", PUBLISHER), ("pass-role", SIGNER), ("identity-policy", SIGNING_KEY)]
    assert entry.path.hops[1].actions == LAMBDA_PATH
    assert entry.path.status.value == "allowed"  # PassedToService is decided: the service is Lambda


def test_without_pass_role_edges_deploy_hub_cannot_reach_the_key(capsys: pytest.CaptureFixture[str]) -> None:
    # --edges -pass-role: the publisher has no other way to the key (it may not read it, nor chain roles)
    code, out, _ = _run(capsys, "who-can", SIGNING_KEY, "--edges", "-pass-role", "--json")
    assert code == 0
    principals = {p["principal"] for p in json.loads(out)["principals"]}
    assert DEPLOY_HUB not in principals and PUBLISHER not in principals
    assert SIGNER in principals  # its own identity policy, untouched by the switch


def test_cli_paths_show_the_pass_role_hop(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "paths", "--from", DEPLOY_HUB, "--to", SIGNING_KEY, "--json")
    assert code == 0
    paths = json.loads(out)["paths"]
    assert [[h["edge"] for h in p["hops"]] for p in paths] == [["assume-role", "pass-role", "identity-policy"]]
    hop = paths[0]["hops"][1]
    assert hop["actions"] == list(LAMBDA_PATH)
    assert hop["mechanism"].startswith("pass-role")
    # the statements behind the hop: the publisher's PassRole and Lambda statements and the signer's trust
    assert {g.get("sid") for g in hop["granted_by"]} >= {"PassTheSignerToLambdaOnly", "ManageReleaseFunctions"}
    code, out, _ = _run(capsys, "paths", "--from", DEPLOY_HUB, "--to", SIGNING_KEY)
    assert code == 0
    assert "pass-role via lambda (iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction)" in out


def test_unknown_edge_kind_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "paths", "--from", DEPLOY_HUB, "--to", SIGNING_KEY, "--edges", "pass-rol")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown edge kind 'pass-rol'" in err


def test_paths_from_the_control_plane_account() -> None:
    # shortest first: the member hop to DeployHub, then the three hops of the story; the admin's trust
    # rewrite of DeployHub (privilege-escalation) is a longer alternative
    result = find_paths(build_graph(load_demo()), CONTROL_PLANE, SIGNING_KEY)
    kinds = [[h.kind.value for h in p.hops] for p in result.paths]
    assert kinds[0] == ["member", "assume-role", "pass-role", "identity-policy"]
    assert ["member", "privilege-escalation", "assume-role", "pass-role", "identity-policy"] in kinds


async def test_explorer_trace_shows_the_escalation_hops() -> None:
    app = XPathApp(load_demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"signing-key")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("t")  # trace to the selected secret from the control-plane account
        await pilot.pause()
        await pilot.press(*CONTROL_PLANE, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TraceScreen)
        paths = app.screen.query_one(PathList)
        first = paths.root.children[0]
        hops = [child.label.plain for child in first.children]
        assert len(hops) == 4
        assert "─assume-role (STS)→ role/ReleasePublisher" in hops[1]
        assert ("─pass-role via lambda (iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction)→ "
                "role/ReleaseSigner") in hops[2]
        assert "[pass-role · runs code as the role]" in hops[2]
        assert "identity-policy" in hops[3]
        labels = [node.label.plain for node in paths.root.children]
        escalation = [line for node in paths.root.children for line in (c.label.plain for c in node.children)
                      if "privilege-escalation" in line]
        assert escalation, labels
        assert "(iam:UpdateAssumeRolePolicy)" in escalation[0]


async def test_explorer_builds_with_the_chosen_edge_kinds() -> None:
    # `xpath-tui --edges -pass-role` opens the explorer on a graph without pass-role hops
    kept = {"member", "assume-role", "assume-role-saml", "assume-role-web-identity", "resource-policy",
            "identity-policy", "privilege-escalation"}
    app = XPathApp(load_demo, edge_kinds=kept)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for _ in range(50):
            if app.access_graph is not None:
                break
            await pilot.pause(0.1)
        assert app.access_graph is not None
        kinds = {data["kind"] for _, _, data in app.access_graph.graph.edges(data=True)}
        assert "pass-role" not in kinds and "privilege-escalation" in kinds
