"""One IAM permission check stands for a caller's other targets only when nothing it reads differs.

Pass-role and privilege-escalation edges ask the evaluator the same question of one caller for
many roles and users of its account (graph/edges/iam_actions.py `Decisions`). These worlds put a
difference where sharing could miss it: the target's ARN in a NotResource element, the
`iam:PassedToService` value of the request. Each answer is also compared with a build that
decides every check alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.build import AccessGraph, build_graph
from graph.edges import iam_actions
from graph.model import Snapshot
from graph.snapshot import parse_snapshot
from graph.synthetic import generate_organization
from tests.escalation.helpers import edges_of, service_trust
from tests.graph.scenarios import A, account, allow, organization, role, role_arn, snapshot, user, user_arn

_KINDS = {"pass-role", "privilege-escalation"}
DEV = user_arn(A, "dev")


def _edges(ag: AccessGraph) -> set[tuple[Any, ...]]:
    return {(u, v, d["kind"], d["actions"], d["status"], d["conditions"], d["deny_conditions"], d["granted_by"])
            for u, v, d in ag.graph.edges(data=True) if d["kind"] in _KINDS}


def _alone(snap: Snapshot, monkeypatch: pytest.MonkeyPatch) -> AccessGraph:
    """The graph with every permission check decided on its own."""
    with monkeypatch.context() as patched:
        patched.setattr(iam_actions.Decisions, "_key", lambda *args, **kwargs: None)
        return build_graph(snap, edge_kinds=_KINDS)


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[iam_actions.Decisions]:
    made: list[iam_actions.Decisions] = []
    original = iam_actions.Decisions.__init__

    def init(self: iam_actions.Decisions, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self)
    monkeypatch.setattr(iam_actions.Decisions, "__init__", init)
    return made


LAMBDA = ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")


def test_a_role_left_out_by_notresource_is_not_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    # dev may pass every role but `keep` (NotResource, IAM User Guide "IAM JSON policy elements:
    # NotResource"); `app` and `keep` both trust Lambda with the same text. Passing needs
    # iam:PassRole on the role (SEMANTICS 3.4), so only app gets a pass-role edge.
    dev = user(A, "dev", {"Effect": "Allow", "Action": "iam:PassRole", "NotResource": role_arn(A, "keep")},
               allow(["lambda:CreateFunction", "lambda:InvokeFunction"]))
    world = snapshot(account(A, users=(dev,), roles=tuple(role(A, name, service_trust("lambda.amazonaws.com"))
                                                          for name in ("app", "keep"))), org=organization())
    ag = build_graph(world, edge_kinds=_KINDS)
    assert edges_of(ag, DEV, role_arn(A, "app"), "pass-role")
    assert not edges_of(ag, DEV, role_arn(A, "keep"), "pass-role")
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_the_service_a_role_is_passed_to_is_part_of_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    # dev may pass roles to Lambda only (iam:PassedToService, IAM User Guide "Granting a user
    # permissions to pass a role"), and may create both functions and stacks. The Lambda role is
    # passable; the CloudFormation role (same account, same policies on dev's side) is not.
    to_lambda = {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    dev = user(A, "dev", allow("iam:PassRole", Condition=to_lambda),
               allow(["lambda:CreateFunction", "lambda:InvokeFunction", "cloudformation:CreateStack"]))
    world = snapshot(account(A, users=(dev,), roles=(
        role(A, "fn", service_trust("lambda.amazonaws.com")),
        role(A, "stack", service_trust("cloudformation.amazonaws.com")))), org=organization())
    ag = build_graph(world, edge_kinds=_KINDS)
    (edge,) = edges_of(ag, DEV, role_arn(A, "fn"), "pass-role")
    assert set(LAMBDA) <= set(edge["actions"])
    assert not edges_of(ag, DEV, role_arn(A, "stack"), "pass-role")
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_take_over_shares_one_check_but_not_across_notresource(monkeypatch: pytest.MonkeyPatch) -> None:
    # helpdesk may create access keys for every user but boss (NotResource); an access key is the
    # user's credentials (docs/escalation.md), so helpdesk takes over ann and bob, not boss. Ann's
    # and bob's checks read the same statements the same way: one evaluation stands for both.
    helpdesk = user(A, "helpdesk", {"Effect": "Allow", "Action": "iam:CreateAccessKey",
                                    "NotResource": user_arn(A, "boss")})
    made = _counted(monkeypatch)
    world = snapshot(account(A, users=(helpdesk, user(A, "ann"), user(A, "bob"), user(A, "boss"))),
                     org=organization())
    ag = build_graph(world, edge_kinds=_KINDS)
    helper = user_arn(A, "helpdesk")
    for name in ("ann", "bob"):
        (edge,) = edges_of(ag, helper, user_arn(A, name), "privilege-escalation")
        assert edge["actions"] == ("iam:CreateAccessKey",)
    assert not edges_of(ag, helper, user_arn(A, "boss"), "privilege-escalation")
    assert any(decisions.hits for decisions in made)
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_generated_organization_same_with_and_without_sharing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every pass-role and privilege-escalation edge of a generated 20-account organization is the
    # same whether permission checks share evaluations or each is decided alone.
    made = _counted(monkeypatch)
    world = parse_snapshot(generate_organization(20, seed=5))
    ag = build_graph(world, edge_kinds=_KINDS)
    shared = _edges(ag)
    assert len(shared) > 200
    assert sum(d.hits for d in made) > sum(d.misses for d in made)
    assert shared == _edges(_alone(world, monkeypatch))
