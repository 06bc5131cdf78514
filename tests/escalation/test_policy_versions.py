"""`iam:SetDefaultPolicyVersion`: a principal makes an older version of its own managed policy the default.

AWS references: SetDefaultPolicyVersion "sets the specified version of the specified policy as the
policy's default (operative) version" and "affects all users, groups, and roles that the policy is
attached to" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetDefaultPolicyVersion.html);
a customer managed policy keeps up to five versions and only the default one is in effect
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html); AWS
managed policies are changed by AWS only. The switch gives the caller exactly the older version's
permissions in place of the current ones, still capped by its boundary and SCPs
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from graph.build import build_graph
from graph.edges.version_label import labelled_version
from graph.model import Group, ManagedPolicy, PolicyVersion, Snapshot, User
from graph.query import find_paths, who_can
from graph.snapshot import load_snapshot, save_snapshot
from tests.escalation.helpers import edges_of
from tui.catalog import Catalog
from tui.cli import main
from tests.graph.scenarios import (
    A,
    B,
    account,
    allow,
    bucket,
    deny,
    doc,
    grant,
    organization,
    role,
    role_arn,
    root,
    snapshot,
    trusts,
    user,
    user_arn,
)

DEV = user_arn(A, "dev")
POLICY = f"arn:aws:iam::{A}:policy/DevPolicy"
SECRETS = bucket(A, "secrets")
SET_DEFAULT = "iam:SetDefaultPolicyVersion"
READ_SECRETS = allow("s3:GetObject", f"{SECRETS.arn}/*")


def _policy(current: list[dict[str, Any]], *older: list[dict[str, Any]], arn: str = POLICY) -> ManagedPolicy:
    """A customer managed policy whose default is v<n+1> (`current`) and whose older versions are v1..vn."""
    versions = tuple(PolicyVersion(f"v{i}", doc(*statements), f"2026-01-0{i}T00:00:00Z")
                     for i, statements in enumerate(older, 1))
    return ManagedPolicy(arn, arn.rsplit("/", 1)[-1], "/", doc(*current), default_version_id=f"v{len(older) + 1}",
                         other_versions=versions)


def _dev(*statements: dict[str, Any], managed: tuple[str, ...] = (POLICY,), **extra: Any) -> User:
    return replace(user(A, "dev", *statements, **extra), managed_policy_arns=managed)


def _world(dev: User, *policies: ManagedPolicy, roles: tuple[Any, ...] = (), org: Any = None,
           groups: tuple[Group, ...] = ()) -> Snapshot:
    acct = account(A, users=(dev,), roles=roles, resources=(SECRETS,), policies=policies)
    return snapshot(replace(acct, groups=groups), org=org)


def _esc(snap: Snapshot, target: str) -> list[dict[str, Any]]:
    return edges_of(build_graph(snap), DEV, target, "privilege-escalation")


def test_older_version_gives_exactly_its_permissions() -> None:
    # v1 could read the secrets; the default v2 only lists buckets; dev may switch DevPolicy's default version
    snap = _world(_dev(allow(SET_DEFAULT, POLICY)), _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS]))
    found = _esc(snap, SECRETS.arn)
    assert [e["actions"] for e in found] == [(SET_DEFAULT, "s3:GetObject")], "only what v1 grants, nothing more"
    assert found[0]["status"] == "allowed"
    cited = {g.policy for g in found[0]["granted_by"]}
    assert f"{POLICY} version v1 (made default with {SET_DEFAULT})" in cited, "the older version is named"
    assert f"{DEV}/inline/inline" in cited, "and the statement allowing the switch"


def test_who_can_lists_the_principal_with_the_switch_hop() -> None:
    # nobody reads the secrets today; after the switch dev does, and who-can says how
    snap = _world(_dev(allow(SET_DEFAULT, POLICY)), _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS]))
    answer = who_can(build_graph(snap), SECRETS.arn, action="s3:GetObject")
    hops = {p.principal: p.path.hops for p in answer.principals}
    assert [(h.kind.value, h.actions[0]) for h in hops[DEV]] == [("privilege-escalation", SET_DEFAULT)]


def test_through_a_group_policy() -> None:
    # the policy is attached to dev's group: switching its version changes dev's permissions as well
    group = Group(f"arn:aws:iam::{A}:group/devs", "devs", A, managed_policy_arns=(POLICY,))
    dev = replace(_dev(allow(SET_DEFAULT, POLICY), managed=()), group_names=("devs",))
    snap = _world(dev, _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS]), groups=(group,))
    assert [e["actions"] for e in _esc(snap, SECRETS.arn)] == [(SET_DEFAULT, "s3:GetObject")]


def test_older_version_lets_it_assume_a_role_then_paths_go_on() -> None:
    # v1 allowed sts:AssumeRole on Ops, whose trust names the account: the path continues through Ops
    ops = role(A, "Ops", trusts({"AWS": root(A)}), allow("s3:*"))
    snap = _world(_dev(allow(SET_DEFAULT, POLICY)),
                  _policy([allow("s3:ListAllMyBuckets")], [allow("sts:AssumeRole", ops.arn)]), roles=(ops,))
    assert [e["actions"] for e in _esc(snap, ops.arn)] == [(SET_DEFAULT, "sts:AssumeRole")]
    paths = find_paths(build_graph(snap), DEV, SECRETS.arn).paths
    assert any([h.target for h in p.hops] == [ops.arn, SECRETS.arn] for p in paths)


def test_bucket_of_another_account_needs_its_policy_too() -> None:
    # v1 reads two buckets of account B: the one whose policy grants account A is gained, the other
    # (no bucket policy) stays out of reach, as access across accounts needs both sides
    shared = bucket(B, "shared", grant({"AWS": root(A)}, "s3:GetObject", "arn:aws:s3:::shared/*"))
    closed = bucket(B, "closed")
    older = allow("s3:GetObject", ["arn:aws:s3:::shared/*", "arn:aws:s3:::closed/*"])
    snap = _world(_dev(allow(SET_DEFAULT, POLICY)), _policy([allow("s3:ListAllMyBuckets")], [older]))
    snap = replace(snap, accounts=(*snap.accounts, account(B, resources=(shared, closed))))
    graph = build_graph(snap)
    assert [e["actions"] for e in edges_of(graph, DEV, shared.arn, "privilege-escalation")] == [
        (SET_DEFAULT, "s3:GetObject")]
    assert edges_of(graph, DEV, closed.arn, "privilege-escalation") == []


def test_version_picked_among_several() -> None:
    # v1 grants nothing new, v2 reads the secrets, v3 is the default
    snap = _world(_dev(allow(SET_DEFAULT, POLICY)),
                  _policy([allow("s3:ListAllMyBuckets")], [allow("s3:ListAllMyBuckets")], [READ_SECRETS]))
    found = _esc(snap, SECRETS.arn)
    assert [e["actions"] for e in found] == [(SET_DEFAULT, "s3:GetObject")]
    assert any("version v2" in g.policy for g in found[0]["granted_by"])


def test_switch_drops_the_current_versions_deny() -> None:
    # the default version denies reading the secrets that dev's inline policy allows; v1 had no such Deny
    snap = _world(_dev(allow(SET_DEFAULT, POLICY), READ_SECRETS),
                  _policy([deny("s3:GetObject", f"{SECRETS.arn}/*")], [allow("s3:ListAllMyBuckets")]))
    assert [e["actions"] for e in _esc(snap, SECRETS.arn)] == [(SET_DEFAULT, "s3:GetObject")]


def test_administrator_held_back_by_the_current_versions_deny() -> None:
    # dev may do everything except what DevPolicy's default denies; v1 of DevPolicy denied nothing
    snap = _world(_dev(allow("*")), _policy([deny("s3:GetObject", f"{SECRETS.arn}/*")], [allow("s3:ListAllMyBuckets")]))
    assert [e["actions"] for e in _esc(snap, SECRETS.arn)] == [(SET_DEFAULT, "s3:GetObject")]


def test_administrator_without_such_a_deny_gets_no_extra_edge() -> None:
    # an unconditional Allow * already reaches the secrets: switching DevPolicy adds nothing
    snap = _world(_dev(allow("*")), _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS]))
    assert _esc(snap, SECRETS.arn) == []


def test_edge_lists_only_the_actions_gained() -> None:
    # the default already lists the bucket; v1 reads its objects: the edge repeats nothing dev has today
    snap = _world(_dev(allow(SET_DEFAULT, POLICY)),
                  _policy([allow("s3:ListBucket", SECRETS.arn)], [allow("s3:ListBucket", SECRETS.arn), READ_SECRETS]))
    assert [e["actions"] for e in _esc(snap, SECRETS.arn)] == [(SET_DEFAULT, "s3:GetObject")]


def test_permissions_boundary_version() -> None:
    # DevPolicy is dev's boundary: its default caps dev to the switch itself; v1 also let s3:GetObject through
    boundary = _policy([allow(SET_DEFAULT, POLICY)], [allow(SET_DEFAULT, POLICY), READ_SECRETS])
    dev = _dev(allow([SET_DEFAULT, "s3:GetObject"], "*"), managed=(), boundary=POLICY)
    assert [e["actions"] for e in _esc(_world(dev, boundary), SECRETS.arn)] == [(SET_DEFAULT, "s3:GetObject")]


def test_conditional_switch_gives_a_conditional_edge() -> None:
    # the switch needs MFA: the edge is usable only when that holds
    snap = _world(_dev(allow(SET_DEFAULT, POLICY, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
                  _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS]))
    found = _esc(snap, SECRETS.arn)
    assert [(e["actions"], e["status"]) for e in found] == [((SET_DEFAULT, "s3:GetObject"), "conditional")]
    assert any(c.key.lower() == "aws:multifactorauthpresent" for c in found[0]["conditions"])


def test_without_set_default_policy_version_no_edge() -> None:
    # being able to read the policy's versions is not being able to switch them
    snap = _world(_dev(allow(["iam:GetPolicyVersion", "iam:ListPolicyVersions"], POLICY)),
                  _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS]))
    assert _esc(snap, SECRETS.arn) == []


def test_explicit_deny_of_the_switch_no_edge() -> None:
    snap = _world(_dev(allow(SET_DEFAULT, "*"), deny(SET_DEFAULT, POLICY)),
                  _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS]))
    assert _esc(snap, SECRETS.arn) == []


def test_switch_allowed_on_another_policy_only_no_edge() -> None:
    # dev may switch OtherPolicy, which is not attached to it: that changes nothing for dev
    other = f"arn:aws:iam::{A}:policy/OtherPolicy"
    snap = _world(_dev(allow(SET_DEFAULT, other)), _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS]),
                  _policy([], [READ_SECRETS], arn=other))
    assert _esc(snap, SECRETS.arn) == []


def test_no_older_version_no_edge() -> None:
    snap = _world(_dev(allow(SET_DEFAULT, POLICY)), _policy([allow("s3:ListAllMyBuckets")]))
    assert _esc(snap, SECRETS.arn) == []


def test_older_version_grants_nothing_more_no_edge() -> None:
    # v1 read the secrets, but dev's inline policy already does: nothing is gained
    snap = _world(_dev(allow(SET_DEFAULT, POLICY), READ_SECRETS), _policy([allow("s3:ListAllMyBuckets")],
                                                                          [READ_SECRETS]))
    assert _esc(snap, SECRETS.arn) == []


def test_scp_denies_what_the_older_version_grants_no_edge() -> None:
    # an SCP on the account denies s3:GetObject: the new default cannot give it
    org = organization(scps=((doc(deny("s3:GetObject")), (A,)),))
    snap = _world(_dev(allow(SET_DEFAULT, POLICY)), _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS]), org=org)
    assert _esc(snap, SECRETS.arn) == []
    assert DEV not in {p.principal for p in who_can(build_graph(snap), SECRETS.arn).principals}


def test_aws_managed_policy_versions_are_not_switchable() -> None:
    # AWS managed policies are changed by AWS only
    arn = "arn:aws:iam::aws:policy/SomeAwsPolicy"
    snap = _world(_dev(allow(SET_DEFAULT, "*"), managed=(arn,)),
                  _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS], arn=arn))
    assert _esc(snap, SECRETS.arn) == []


def test_snapshot_round_trip_keeps_versions(tmp_path: Path) -> None:
    # the older versions (id, document, creation date) are written back, and the edge survives the trip
    snap = _world(_dev(allow(SET_DEFAULT, POLICY)), _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS]))
    save_snapshot(snap, tmp_path / "s.json")
    again = load_snapshot(tmp_path / "s.json")
    policy = again.accounts[0].managed_policies[0]
    assert policy.other_versions == (PolicyVersion("v1", doc(READ_SECRETS), "2026-01-01T00:00:00Z"),)
    assert policy.default_version_id == "v2" and policy.document == doc(allow("s3:ListAllMyBuckets"))
    assert [e["actions"] for e in _esc(again, SECRETS.arn)] == [(SET_DEFAULT, "s3:GetObject")]


def test_other_principals_of_the_policy_get_no_edge_from_it() -> None:
    # ops has the policy attached but may not switch it: only dev's switch counts, and it is dev's edge
    ops = replace(role(A, "Ops", trusts({"Service": "ec2.amazonaws.com"})), managed_policy_arns=(POLICY,))
    snap = _world(_dev(allow(SET_DEFAULT, POLICY)), _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS]),
                  roles=(ops,))
    graph = build_graph(snap)
    assert edges_of(graph, role_arn(A, "Ops"), SECRETS.arn, "privilege-escalation") == []
    assert [e["actions"] for e in edges_of(graph, DEV, SECRETS.arn, "privilege-escalation")] == [
        (SET_DEFAULT, "s3:GetObject")]


def test_explorer_shows_the_older_versions_document() -> None:
    # the explorer opens the document behind each granted_by entry: for the switch, the older version's
    snap = _world(_dev(allow(SET_DEFAULT, POLICY)), _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS]))
    [edge] = _esc(snap, SECRETS.arn)
    catalog = Catalog(snap)
    shown = [catalog.grant_policy(g) for g in edge["granted_by"]]
    assert [(n.title, n.document) for n in shown if n is not None and "version" in n.title] == [
        (f"managed policy {POLICY} version v1 (not the default)", doc(READ_SECRETS).as_dict())]
    assert all(n is not None for n in shown), "the statement allowing the switch resolves too"
    assert labelled_version(f"{POLICY} version v9") is None, "a policy id not written by the edge is not a version"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    return int(exit_info.value.code or 0), capsys.readouterr().out


def test_cli_who_can_json_shows_the_switch_and_edges_can_leave_it_out(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    # from a snapshot file, as a user runs it: the hop names the switch and cites the older version;
    # --edges -privilege-escalation leaves the path out (nobody else reads the secrets)
    path = tmp_path / "s.json"
    save_snapshot(_world(_dev(allow(SET_DEFAULT, POLICY)), _policy([allow("s3:ListAllMyBuckets")], [READ_SECRETS])),
                  path)
    code, out = _cli(capsys, "who-can", SECRETS.arn, "--action", "s3:GetObject", "--snapshot", str(path), "--json")
    assert code == 0
    hops = {entry["principal"]: entry["path"] for entry in json.loads(out)["principals"]}[DEV]
    assert [(h["edge"], h["actions"]) for h in hops] == [("privilege-escalation", [SET_DEFAULT, "s3:GetObject"])]
    assert f"{POLICY} version v1 (made default with {SET_DEFAULT})" in {g["policy"] for g in hops[0]["granted_by"]}
    code, out = _cli(capsys, "who-can", SECRETS.arn, "--snapshot", str(path), "--json", "--edges",
                     "-privilege-escalation")
    assert code == 0 and DEV not in {entry["principal"] for entry in json.loads(out)["principals"]}


def test_older_version_that_lets_it_write_its_own_policy_chains_into_a_raise() -> None:
    # v1 let dev put an inline policy on itself: switch, then write Allow * (escalation's self-raise, chained)
    snap = _world(_dev(allow(SET_DEFAULT, POLICY)),
                  _policy([allow("s3:ListAllMyBuckets")], [allow("iam:PutUserPolicy", DEV)]))
    found = _esc(snap, SECRETS.arn)
    assert found and all(e["actions"][:2] == (SET_DEFAULT, "iam:PutUserPolicy") for e in found)
    gained = {action for e in found for action in e["actions"]}
    assert {"s3:GetObject", "s3:PutObject", "s3:PutBucketPolicy"} <= gained, "everything, as a raised caller gets"


def test_chained_raise_still_capped_by_the_boundary() -> None:
    # dev's boundary allows only the switch, iam:PutUserPolicy and s3:ListBucket: the raise reads no object
    boundary = doc(allow([SET_DEFAULT, "iam:PutUserPolicy", "s3:ListBucket"]))
    limits = replace(_policy([]), arn=f"arn:aws:iam::{A}:policy/Limits", name="Limits", document=boundary,
                     other_versions=())
    snap = _world(_dev(allow(SET_DEFAULT, POLICY), boundary=limits.arn),
                  _policy([allow("s3:ListAllMyBuckets")], [allow("iam:PutUserPolicy", DEV)]), limits)
    assert [e["actions"] for e in _esc(snap, SECRETS.arn)] == [(SET_DEFAULT, "iam:PutUserPolicy", "s3:ListBucket")]
