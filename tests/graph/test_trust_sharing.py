"""One assume-role evaluation stands for many roles only when nothing it reads differs (graph/edges/trust_sharing.py).

The builder evaluates a (caller, role) question once and reuses the answer for the caller's other
roles with the same trust policy text, RCPs and everything else the evaluation reads. These worlds
put a difference in exactly the places such sharing could miss: the role's tag, its ARN in the
caller's Resource element, an SCP reading the role's account, whether the role is in the caller's
own account, an RCP on one account only. Each answer is also compared with a build that evaluates
every pair alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.build import AccessGraph, build_graph
from graph.edges import trust_sharing
from graph.model import Snapshot
from graph.snapshot import parse_snapshot
from graph.synthetic import generate_organization
from tests.graph.scenarios import A, B, C, account, allow, deny, doc, grant, organization, role, role_arn, root, snapshot, trusts

_ASSUME_KINDS = {"assume-role", "assume-role-saml", "assume-role-web-identity"}


def _edges(ag: AccessGraph) -> set[tuple[Any, ...]]:
    return {(u, v, d["kind"], d["actions"], d["status"], d["conditions"], d["deny_conditions"], d["granted_by"],
             d["chained"]) for u, v, d in ag.graph.edges(data=True) if d["kind"] in _ASSUME_KINDS}


def _alone(snap: Snapshot, monkeypatch: pytest.MonkeyPatch) -> AccessGraph:
    """The graph with every (caller, role) pair evaluated on its own."""
    with monkeypatch.context() as patched:
        patched.setattr(trust_sharing.TrustOutcomes, "_key", lambda *args, **kwargs: None)
        return build_graph(snap, edge_kinds=_ASSUME_KINDS)


def _assumes(ag: AccessGraph, source: str, target: str) -> list[dict[str, Any]]:
    return [d for d in ag.graph.get_edge_data(source, target, default={}).values() if d["kind"] == "assume-role"]


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[trust_sharing.TrustOutcomes]:
    """Every memo the build makes (to check that sharing did happen where it may)."""
    made: list[trust_sharing.TrustOutcomes] = []
    original = trust_sharing.TrustOutcomes.__init__

    def init(self: trust_sharing.TrustOutcomes, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self)
    monkeypatch.setattr(trust_sharing.TrustOutcomes, "__init__", init)
    return made


OPS = role_arn(A, "ops")


def test_role_tags_read_by_the_callers_policy_are_part_of_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    # A's ops role may assume only roles tagged env=dev (aws:ResourceTag on sts:AssumeRole, IAM User
    # Guide "Controlling access to IAM roles using tags"); B's and C's deploy roles have the very
    # same trust policy (trusting A), but only B's is tagged dev. Cross-account, both sides must
    # allow (SEMANTICS 2.3), so only B's deploy role is reachable.
    ops = role(A, "ops", None, allow("sts:AssumeRole", "*", Condition={"StringEquals": {"aws:ResourceTag/env": "dev"}}))
    world = snapshot(account(A, roles=(ops,)),
                     account(B, roles=(role(B, "deploy", trusts({"AWS": root(A)}), tags=(("env", "dev"),)),)),
                     account(C, roles=(role(C, "deploy", trusts({"AWS": root(A)}), tags=(("env", "prod"),)),)),
                     org=organization())
    ag = build_graph(world, edge_kinds=_ASSUME_KINDS)
    assert _assumes(ag, OPS, role_arn(B, "deploy"))
    assert not _assumes(ag, OPS, role_arn(C, "deploy"))
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_the_role_arn_in_the_callers_resource_element_is_part_of_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    # ops may assume every role but C's deploy role (NotResource, IAM User Guide "IAM JSON policy
    # elements: NotResource"); B's and C's deploy roles trust A with the same text. Cross-account,
    # the identity side must allow too (SEMANTICS 2.3), so only B's is reachable.
    ops = role(A, "ops", None, {"Effect": "Allow", "Action": "sts:AssumeRole", "NotResource": role_arn(C, "deploy")})
    made = _counted(monkeypatch)
    world = snapshot(account(A, roles=(ops,)),
                     *(account(x, roles=(role(x, "deploy", trusts({"AWS": root(A)})),)) for x in (B, C)),
                     org=organization())
    ag = build_graph(world, edge_kinds=_ASSUME_KINDS)
    (edge,) = _assumes(ag, OPS, role_arn(B, "deploy"))
    assert edge["status"] == "allowed"
    assert not _assumes(ag, OPS, role_arn(C, "deploy"))
    assert made and made[0].hits == 0  # the evaluator matches the two roles differently: nothing shared
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_an_scp_reading_the_roles_account_is_part_of_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    # A's SCP denies sts:AssumeRole outside account B (aws:ResourceAccount, SCP data-perimeter
    # examples in the Organizations User Guide): ops reaches B's deploy role, not C's, though both
    # trust A with the same text and ops allows sts:AssumeRole on every role.
    perimeter = doc(deny("sts:AssumeRole", "*", Condition={"StringNotEquals": {"aws:ResourceAccount": B}}))
    world = snapshot(account(A, roles=(role(A, "ops", None, allow("sts:AssumeRole")),)),
                     *(account(x, roles=(role(x, "deploy", trusts({"AWS": root(A)})),)) for x in (B, C)),
                     org=organization(scps=((perimeter, (A,)),)))
    ag = build_graph(world, edge_kinds=_ASSUME_KINDS)
    assert _assumes(ag, OPS, role_arn(B, "deploy"))
    assert not _assumes(ag, OPS, role_arn(C, "deploy"))
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_the_callers_own_account_is_part_of_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    # ops holds no identity policy. A trust policy naming ops's exact ARN is enough in its own
    # account, but across accounts its identity policy must allow too (SEMANTICS 3.1): A's deploy
    # role is reachable, B's (same trust text) is not.
    trust = trusts({"AWS": OPS})
    world = snapshot(account(A, roles=(role(A, "ops"), role(A, "deploy", trust))),
                     account(B, roles=(role(B, "deploy", trust),)), org=organization())
    ag = build_graph(world, edge_kinds=_ASSUME_KINDS)
    assert _assumes(ag, OPS, role_arn(A, "deploy"))
    assert not _assumes(ag, OPS, role_arn(B, "deploy"))
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_an_rcp_on_one_account_is_part_of_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    # An RCP on C denies sts:AssumeRole to every principal (STS supports RCPs, SEMANTICS 3.1): only
    # B's deploy role is reachable, though both trust A with the same text.
    closed = doc(grant("*", "sts:AssumeRole", "*") | {"Effect": "Deny"})
    world = snapshot(account(A, roles=(role(A, "ops", None, allow("sts:AssumeRole")),)),
                     *(account(x, roles=(role(x, "deploy", trusts({"AWS": root(A)})),)) for x in (B, C)),
                     org=organization(rcps=((closed, (C,)),)))
    ag = build_graph(world, edge_kinds=_ASSUME_KINDS)
    assert _assumes(ag, OPS, role_arn(B, "deploy"))
    assert not _assumes(ag, OPS, role_arn(C, "deploy"))
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_grants_name_each_roles_own_trust_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    # Three accounts' deploy roles share one evaluation; each edge's trust grant names its own role
    # (SPEC §4 granted_by: the resource whose policy holds the statement).
    made = _counted(monkeypatch)
    world = snapshot(account(A, roles=(role(A, "ops", None, allow("sts:AssumeRole")),)),
                     *(account(x, roles=(role(x, "deploy", trusts({"AWS": root(A)})),)) for x in (B, C)),
                     org=organization())
    ag = build_graph(world, edge_kinds=_ASSUME_KINDS)
    for x in (B, C):
        (edge,) = _assumes(ag, OPS, role_arn(x, "deploy"))
        assert {grant.resource for grant in edge["granted_by"]} == {None, role_arn(x, "deploy")}
    assert made and made[0].hits >= 1  # C's role reused B's evaluation
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_generated_organization_same_with_and_without_sharing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every assume-role, SAML and web-identity edge of a generated 20-account organization is the
    # same whether pairs share evaluations or each is evaluated alone.
    made = _counted(monkeypatch)
    world = parse_snapshot(generate_organization(20, seed=3))
    ag = build_graph(world, edge_kinds=_ASSUME_KINDS)
    shared = _edges(ag)
    assert len(shared) > 1000
    assert made and made[0].hits > made[0].misses  # most pairs were answered from the memo
    assert shared == _edges(_alone(world, monkeypatch))


def _service_role(acct: str, name: str, *, tags: tuple[tuple[str, str], ...] = (), **condition: Any) -> Any:
    return role(acct, name, doc(grant({"Service": "lambda.amazonaws.com"}, "sts:AssumeRole", Condition=condition)),
                tags=tags)


def _from_lambda(ag: AccessGraph, target: str) -> list[dict[str, Any]]:
    return _assumes(ag, "lambda.amazonaws.com", target)


def test_service_roles_of_two_accounts_share_one_evaluation_renamed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each account's function role trusts Lambda only on behalf of its own account (aws:SourceAccount,
    # IAM User Guide "The confused deputy problem"). The service's own request does not say which
    # account it acts for, so each edge is conditional on aws:SourceAccount = the role's own account,
    # never the other's, though B's answer is A's with the account renamed.
    made = _counted(monkeypatch)
    world = snapshot(*(account(x, roles=(_service_role(x, "fn", StringEquals={"aws:SourceAccount": x}),))
                       for x in (A, B)), org=organization())
    ag = build_graph(world, edge_kinds=_ASSUME_KINDS)
    for x in (A, B):
        (edge,) = _from_lambda(ag, role_arn(x, "fn"))
        assert edge["status"] == "conditional"
        assert [(c.key.lower(), c.values) for c in edge["conditions"]] == [("aws:sourceaccount", (x,))]
        assert {grant.resource for grant in edge["granted_by"]} == {role_arn(x, "fn")}
    assert made and made[0].hits >= 1
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_a_value_naming_an_account_is_not_renamed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each trust admits Lambda only for roles whose owner tag is their own account. Both roles are
    # tagged owner=A: A's role matches, B's does not (StringEquals on aws:ResourceTag/owner, IAM User
    # Guide "Controlling access to IAM roles using tags"), so only A's role gets an edge.
    world = snapshot(*(account(x, roles=(_service_role(x, "fn", tags=(("owner", A),),
                                                       StringEquals={"aws:ResourceTag/owner": x}),))
                       for x in (A, B)), org=organization())
    ag = build_graph(world, edge_kinds=_ASSUME_KINDS)
    assert _from_lambda(ag, role_arn(A, "fn"))
    assert not _from_lambda(ag, role_arn(B, "fn"))
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_an_account_id_compared_as_a_number_is_not_renamed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The trusts compare a tag with their own account id as numbers (NumericGreaterThan, IAM User
    # Guide "Numeric condition operators"): 150000000000 exceeds A (111111111111) but not B
    # (222222222222), so only A's role is reachable although the texts differ only by the account.
    world = snapshot(*(account(x, roles=(_service_role(x, "fn", tags=(("n", "150000000000"),),
                                                       NumericGreaterThan={"aws:ResourceTag/n": x}),))
                       for x in (A, B)), org=organization())
    ag = build_graph(world, edge_kinds=_ASSUME_KINDS)
    assert _from_lambda(ag, role_arn(A, "fn"))
    assert not _from_lambda(ag, role_arn(B, "fn"))
    assert _edges(ag) == _edges(_alone(world, monkeypatch))


def test_each_accounts_identity_provider_reaches_its_own_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each account's SSO role trusts that account's own SAML provider (IAM User Guide "Creating a
    # role for SAML 2.0 federation"): the edge comes from the provider of the role's account.
    def provider(x: str) -> str:
        return f"arn:aws:iam::{x}:saml-provider/corp"
    made = _counted(monkeypatch)
    world = snapshot(*(account(x, roles=(role(x, "sso", doc(grant(
        {"Federated": provider(x)}, "sts:AssumeRoleWithSAML",
        Condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})),),))
        for x in (A, B)), org=organization())
    ag = build_graph(world, edge_kinds=_ASSUME_KINDS)
    for x, other in ((A, B), (B, A)):
        (edge,) = [d for d in ag.graph.get_edge_data(provider(x), role_arn(x, "sso"), default={}).values()]
        assert edge["kind"] == "assume-role-saml"
        assert not ag.graph.get_edge_data(provider(other), role_arn(x, "sso"))
    assert made and made[0].hits >= 1
    assert _edges(ag) == _edges(_alone(world, monkeypatch))
