"""privilege-escalation edges: a principal rewrites IAM to act as another one, or to raise itself.

AWS references: access keys and login profiles are created for a user named in the request
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html,
API_CreateLoginProfile.html, API_UpdateLoginProfile.html); a role's trust policy is replaced by
iam:UpdateAssumeRolePolicy; CreatePolicyVersion with SetAsDefault makes the new version the one
in effect without iam:SetDefaultPolicyVersion (API_CreatePolicyVersion.html); the permissions
boundary still caps whatever the principal attaches to itself
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.build import build_graph
from graph.model import Group
from graph.query import who_can
from tests.escalation.helpers import edges_of
from tests.graph.scenarios import (
    A,
    B,
    account,
    allow,
    bucket,
    doc,
    managed,
    role,
    role_arn,
    root,
    snapshot,
    trusts,
    user,
    user_arn,
)

DEV = user_arn(A, "dev")
VICTIM = user_arn(A, "victim")
DATA = "arn:aws:s3:::data"


def _esc(snap: Any, target: str, source: str = DEV) -> list[dict[str, Any]]:
    return edges_of(build_graph(snap), source, target, "privilege-escalation")


@pytest.mark.parametrize("action", ["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"])
def test_credentials_of_another_user(action: str) -> None:
    # each action alone gives the caller a way to sign in as the victim
    snap = snapshot(account(A, users=(user(A, "dev", allow(action, VICTIM)), user(A, "victim", allow("s3:*")))))
    assert [e["actions"] for e in _esc(snap, VICTIM)] == [(action,)]


def test_no_credential_permission_no_edge() -> None:
    # reading the user is not taking it over
    snap = snapshot(account(A, users=(user(A, "dev", allow(["iam:GetUser", "iam:ListAccessKeys"], VICTIM)),
                                      user(A, "victim", allow("s3:*")))))
    assert _esc(snap, VICTIM) == []


def test_update_assume_role_policy_takes_the_role() -> None:
    # the caller rewrites the trust to name itself, then assumes the role
    target = role(A, "Target", trusts({"Service": "ec2.amazonaws.com"}), allow("s3:*"))
    snap = snapshot(account(A, users=(user(A, "dev", allow("iam:UpdateAssumeRolePolicy", target.arn),
                                           allow("sts:AssumeRole", target.arn)),), roles=(target,)))
    found = _esc(snap, target.arn)
    assert [e["actions"] for e in found] == [("iam:UpdateAssumeRolePolicy", "sts:AssumeRole")]
    assert all(g.policy != "trust-policy" for g in found[0]["granted_by"]), "the rewritten trust is not a statement"


def test_update_assume_role_policy_without_it_no_edge() -> None:
    # sts:AssumeRole alone does not help: the current trust names only EC2
    target = role(A, "Target", trusts({"Service": "ec2.amazonaws.com"}), allow("s3:*"))
    snap = snapshot(account(A, users=(user(A, "dev", allow("sts:AssumeRole", target.arn)),), roles=(target,)))
    assert _esc(snap, target.arn) == []


def test_boundary_without_assume_role_blocks_the_trust_rewrite() -> None:
    # the written trust names the caller, yet its boundary still has to allow sts:AssumeRole
    boundary = managed(A, "OnlyIam", allow("iam:UpdateAssumeRolePolicy"))
    target = role(A, "Target", trusts({"Service": "ec2.amazonaws.com"}), allow("s3:*"))
    dev = user(A, "dev", allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"]), boundary=boundary.arn)
    snap = snapshot(account(A, users=(dev,), roles=(target,), policies=(boundary,)))
    assert _esc(snap, target.arn) == []


@pytest.mark.parametrize("action", ["iam:PutUserPolicy", "iam:AttachUserPolicy"])
def test_policy_on_itself_reaches_what_it_could_not(action: str) -> None:
    # the user writes itself an Allow *: it then reads the bucket of its account
    snap = snapshot(account(A, users=(user(A, "dev", allow(action, DEV)),), resources=(bucket(A, "data"),)))
    found = _esc(snap, DATA)
    assert len(found) == 1
    assert found[0]["actions"][0] == action
    assert "s3:GetBucketPolicy" in found[0]["actions"]
    assert any(g.policy.startswith(DEV + "/inline") for g in found[0]["granted_by"])


def test_policy_on_another_user_is_not_self_escalation() -> None:
    # PutUserPolicy on someone else does not raise the caller itself
    snap = snapshot(account(A, users=(user(A, "dev", allow("iam:PutUserPolicy", VICTIM)), user(A, "victim")),
                            resources=(bucket(A, "data"),)))
    assert _esc(snap, DATA) == []


def test_role_attaching_a_policy_to_itself() -> None:
    # the same for a role: iam:AttachRolePolicy on its own ARN
    ci = role(A, "CI", trusts({"AWS": root(A)}), allow("iam:AttachRolePolicy", role_arn(A, "CI")))
    snap = snapshot(account(A, roles=(ci,), resources=(bucket(A, "data"),)))
    assert [e["actions"][0] for e in _esc(snap, DATA, ci.arn)] == ["iam:AttachRolePolicy"]


def test_create_policy_version_on_its_own_customer_policy() -> None:
    # a new default version of a policy attached to the user can say anything
    own = managed(A, "DevPolicy", allow("iam:CreatePolicyVersion", f"arn:aws:iam::{A}:policy/DevPolicy"))
    dev = user(A, "dev")
    dev = type(dev)(dev.arn, dev.name, dev.account_id, managed_policy_arns=(own.arn,))
    snap = snapshot(account(A, users=(dev,), policies=(own,), resources=(bucket(A, "data"),)))
    assert [e["actions"][0] for e in _esc(snap, DATA)] == ["iam:CreatePolicyVersion"]


def test_create_policy_version_on_a_policy_not_attached_to_it() -> None:
    # editing a policy attached to nobody (or to others) does not raise the caller
    other = managed(A, "Other")
    snap = snapshot(account(A, users=(user(A, "dev", allow("iam:CreatePolicyVersion", other.arn)),),
                            policies=(other,), resources=(bucket(A, "data"),)))
    assert _esc(snap, DATA) == []


def _group(name: str, *statements: dict[str, Any]) -> Group:
    from graph.model import InlinePolicy
    return Group(f"arn:aws:iam::{A}:group/{name}", name, A, inline_policies=(InlinePolicy("g", doc(*statements)),))


def test_add_itself_to_a_group_gains_the_group_permissions() -> None:
    # joining the readers group gives s3:GetObject on the data bucket, not everything
    readers = _group("readers", allow("s3:GetObject", f"{DATA}/*"))
    dev = user(A, "dev", allow("iam:AddUserToGroup", readers.arn))
    snap = snapshot(account(A, users=(dev,), resources=(bucket(A, "data"),)))
    snap = type(snap)(snap.collected_at, snap.source, None, (type(snap.accounts[0])(
        A, "a", users=(dev,), groups=(readers,), resources=snap.accounts[0].resources),))
    found = _esc(snap, DATA)
    assert [e["actions"] for e in found] == [("iam:AddUserToGroup", "s3:GetObject")]


def test_put_group_policy_on_its_own_group() -> None:
    # a group the user belongs to: its policy is the user's policy
    team = _group("team", allow("iam:PutGroupPolicy", f"arn:aws:iam::{A}:group/team"))
    dev = type(user(A, "dev"))(DEV, "dev", A, group_names=("team",))
    acct = type(account(A))(A, "a", users=(dev,), groups=(team,), resources=(bucket(A, "data"),))
    snap = type(snapshot())("2026-11-27T10:00:00Z", "synthetic", None, (acct,))
    assert [e["actions"][0] for e in _esc(snap, DATA)] == ["iam:PutGroupPolicy"]


def test_boundary_caps_self_escalation_unless_it_can_delete_it() -> None:
    # the boundary allows only IAM on itself: the bucket stays out of reach...
    boundary = managed(A, "Fence", allow(["iam:PutUserPolicy", "iam:DeleteUserPermissionsBoundary"]))
    capped = user(A, "dev", allow("iam:PutUserPolicy", DEV), boundary=boundary.arn)
    snap = snapshot(account(A, users=(capped,), policies=(boundary,), resources=(bucket(A, "data"),)))
    assert _esc(snap, DATA) == []
    # ...until it may also delete the boundary
    free = user(A, "dev", allow(["iam:PutUserPolicy", "iam:DeleteUserPermissionsBoundary"], DEV), boundary=boundary.arn)
    snap = snapshot(account(A, users=(free,), policies=(boundary,), resources=(bucket(A, "data"),)))
    found = _esc(snap, DATA)
    assert found and "iam:DeleteUserPermissionsBoundary" in found[0]["actions"]


def test_self_escalation_reaches_a_role_trusting_the_account() -> None:
    # a role of another account trusting A's root needs A-side identity permission: gained
    remote = role(B, "Remote", trusts({"AWS": root(A)}), allow("s3:*"))
    snap = snapshot(account(A, users=(user(A, "dev", allow("iam:PutUserPolicy", DEV)),)), account(B, roles=(remote,)))
    found = _esc(snap, remote.arn)
    assert [e["actions"] for e in found] == [("iam:PutUserPolicy", "sts:AssumeRole")]
    answer = who_can(build_graph(snap), remote.arn)
    assert DEV in {p.principal for p in answer.principals}


def test_admin_takes_over_only_principals_others_name() -> None:
    # an admin already has its account's permissions: taking over an unnamed role adds nothing,
    # taking over a role that another account trusts by ARN adds that account's access
    plain = role(A, "Plain", trusts({"Service": "ec2.amazonaws.com"}))
    bridge = role(A, "Bridge", trusts({"Service": "ec2.amazonaws.com"}))
    remote = role(B, "Remote", trusts({"AWS": bridge.arn}), allow("s3:*"))
    admin = user(A, "admin", allow("*"))
    snap = snapshot(account(A, users=(admin,), roles=(plain, bridge)), account(B, roles=(remote,)))
    graph = build_graph(snap)
    assert edges_of(graph, admin.arn, plain.arn, "privilege-escalation") == []
    assert edges_of(graph, admin.arn, bridge.arn, "privilege-escalation")


def test_no_edge_to_what_it_already_had() -> None:
    # a user that can already read everything gains no escalation edge to the bucket for reads
    snap = snapshot(account(A, users=(user(A, "dev", allow("s3:*"), allow("iam:PutUserPolicy", DEV)),),
                            resources=(bucket(A, "data"),)))
    found = _esc(snap, DATA)
    assert all(not a.startswith("s3:") for e in found for a in e["actions"])



def test_admin_takes_over_a_role_a_bucket_picks_by_principal_arn_condition() -> None:
    # The bucket in B admits "*" but only callers whose aws:PrincipalArn matches deploy-* (a condition,
    # not a Principal ARN): the admin of A does not match, so its own Allow * does not open the bucket
    # across accounts; rewriting Deploy1's trust (iam:UpdateAssumeRolePolicy) and assuming it does.
    # Pruning the admin's take-over edges to roles "nobody names" must not drop this path
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
    deploy = role(A, "Deploy1", trusts({"Service": "ec2.amazonaws.com"}), allow("s3:*"))
    plain = role(A, "Plain", trusts({"Service": "ec2.amazonaws.com"}))
    admin = user(A, "admin", allow("*"))
    data = bucket(B, "picked", {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                "Resource": "arn:aws:s3:::picked/*",
                                "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/Deploy*"}}})
    snap = snapshot(account(A, users=(admin,), roles=(deploy, plain)), account(B, resources=(data,)))
    graph = build_graph(snap)
    assert edges_of(graph, admin.arn, deploy.arn, "privilege-escalation")
    assert edges_of(graph, admin.arn, plain.arn, "privilege-escalation") == []  # near miss: not picked
    answer = who_can(graph, data.arn, action="s3:GetObject")
    assert admin.arn in {p.principal for p in answer.principals}


def test_admin_takes_over_a_role_a_trust_picks_by_principal_tag() -> None:
    # A role in B trusts A's account but only callers tagged team=release: the tagged role is singled out.
    tagged = role(A, "Tagged", trusts({"Service": "ec2.amazonaws.com"}), tags=(("team", "release"),))
    remote = role(B, "Remote", trusts({"AWS": root(A)},
                                      Condition={"StringEquals": {"aws:PrincipalTag/team": "release"}}), allow("s3:*"))
    admin = user(A, "admin", allow("*"))
    snap = snapshot(account(A, users=(admin,), roles=(tagged,)), account(B, roles=(remote,)))
    graph = build_graph(snap)
    assert edges_of(graph, admin.arn, tagged.arn, "privilege-escalation")
    assert admin.arn in {p.principal for p in who_can(graph, remote.arn).principals}
