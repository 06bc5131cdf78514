"""`kms-grant` edges: who a KMS grant lets use a key, and when it does not.

AWS rules cited: KMS Developer Guide "Grants in AWS KMS" (a grant allows its operations on one key to
its grantee, never denies; grantees use it "just as if the permissions came from a key policy"),
"Grant constraints" (encryption context), "Retiring and revoking grants" (retiring principal),
"Allowing users in other accounts to use a KMS key" (cross-account needs the key side AND an IAM
policy in the caller's account), IAM "Policy evaluation logic" (an explicit Deny wins; SCPs limit).
"""

from __future__ import annotations

import json

from graph.build import build_graph
from graph.export import to_json
from graph.query import who_can
from tests.graph.scenarios import (
    A,
    B,
    OUTSIDER,
    account,
    allow,
    deny,
    doc,
    grant,
    managed,
    organization,
    role,
    role_arn,
    root,
    snapshot,
)
from tests.grants.helpers import edges_of, key_with_grants, kms_grant

KEY_ID = "k-shared"
KEY = f"arn:aws:kms:us-east-1:{B}:key/{KEY_ID}"
OWNER_ONLY = [grant({"AWS": root(B)}, "kms:*", "*")]
"""The default key policy: delegates to B's IAM, names nobody else (so only grants can open the key)."""


def world(grants: list[dict[str, object]], *, a_roles: tuple = (), b_roles: tuple = (), policy=None, org=None):
    key = key_with_grants(B, KEY_ID, policy or OWNER_ONLY, grants)
    return build_graph(snapshot(account(A, roles=a_roles), account(B, roles=b_roles, resources=(key,)), org=org))


def test_a_same_account_grantee_uses_the_key_without_any_iam_policy() -> None:
    # Same account, a grant naming the role works on its own, like a key policy naming it.
    ag = world([kms_grant(role_arn(B, "Worker"), ["Decrypt", "GenerateDataKey"], "grant-123")],
               b_roles=(role(B, "Worker"),))
    edge = edges_of(ag, "kms-grant", KEY)[role_arn(B, "Worker")]
    assert edge["actions"] == ("kms:Decrypt", "kms:GenerateDataKey")
    assert edge["status"] == "allowed"
    # granted_by names the grant (its id, its index among the key's grants).
    assert [(g.policy, g.statement, g.sid, g.resource) for g in edge["granted_by"]] == [
        ("kms-grant", 0, "grant-123", KEY)]


def test_a_grant_on_another_key_opens_only_that_key() -> None:
    other = key_with_grants(B, "k-other", OWNER_ONLY, [kms_grant(role_arn(B, "Worker"), ["Decrypt"])])
    key = key_with_grants(B, KEY_ID, OWNER_ONLY, [])
    ag = build_graph(snapshot(account(B, roles=(role(B, "Worker"),), resources=(key, other))))
    # Each grant allows access to exactly one KMS key.
    assert edges_of(ag, "kms-grant", KEY) == {}
    assert role_arn(B, "Worker") in edges_of(ag, "kms-grant", other.arn)
    assert role_arn(B, "Worker") not in {p.principal for p in who_can(ag, KEY).principals}


def _by_action(ag, source: str) -> dict[str, dict[str, object]]:
    """Action -> attributes of the kms-grant edges from `source` into the key (a source may have several)."""
    return {action: d for u, v, d in ag.graph.in_edges(KEY, data=True)
            if u == source and d["kind"] == "kms-grant" for action in d["actions"]}


def test_a_cross_account_grant_without_the_grantees_iam_allow_is_kept_as_contested() -> None:
    allowed = role(A, "Reader", None, allow("kms:Decrypt", KEY))
    lacking = role(A, "Other", None, allow("s3:GetObject"))
    ag = world([kms_grant(role_arn(A, "Reader"), ["Decrypt", "Encrypt"], "g-r"),
                kms_grant(role_arn(A, "Other"), ["Decrypt"], "g-o")], a_roles=(allowed, lacking))
    reader = _by_action(ag, role_arn(A, "Reader"))
    # Both sides allow Decrypt (grant + Reader's own policy): a plain, uncontested edge that names both.
    assert reader["kms:Decrypt"]["status"] == "allowed" and reader["kms:Decrypt"]["contested"] is False
    assert {g.policy for g in reader["kms:Decrypt"]["granted_by"]} == {
        "kms-grant", f"{role_arn(A, 'Reader')}/inline/inline"}
    # Encrypt: only the grant allows it. KMS documents the cross-account IAM requirement for key policies
    # ("Allowing users in other accounts to use a KMS key"), not for grants ("Grants in AWS KMS": the grantee
    # may be in a different account), so the edge is kept, conditional and contested, never dropped.
    assert (reader["kms:Encrypt"]["status"], reader["kms:Encrypt"]["contested"]) == ("conditional", True)
    other = _by_action(ag, role_arn(A, "Other"))
    assert (other["kms:Decrypt"]["status"], other["kms:Decrypt"]["contested"]) == ("conditional", True)
    # The stand-in for the unread identity side is not shown as a grant: only the KMS grant is.
    assert [(g.policy, g.sid) for g in other["kms:Decrypt"]["granted_by"]] == [("kms-grant", "g-o")]
    (warning,) = [w for w in ag.warnings if "contested" in w]
    assert f"{role_arn(A, 'Other')} (kms:Decrypt)" in warning and f"{role_arn(A, 'Reader')} (kms:Encrypt)" in warning
    # A path through the contested edge is reported (conditional), not "nobody can reach it".
    (entry,) = [p for p in who_can(ag, KEY, action="kms:Decrypt").to_json()["principals"]
                if p["principal"] == role_arn(A, "Other")]
    assert entry["status"] == "conditional"
    assert entry["path"][-1]["contested"] is True
    # The graph export carries the mark too (only on contested edges).
    exported = [e for e in json.loads(to_json(ag.graph))["edges"] if e["edge"] == "kms-grant" and e["to"] == KEY]
    assert {(e["from"], tuple(e["actions"]), e.get("contested", False)) for e in exported} == {
        (role_arn(A, "Reader"), ("kms:Decrypt",), False), (role_arn(A, "Reader"), ("kms:Encrypt",), True),
        (role_arn(A, "Other"), ("kms:Decrypt",), True)}


def test_a_cross_account_grantees_explicit_deny_or_boundary_still_removes_the_grant() -> None:
    denied = role(A, "Denied", None, allow("s3:GetObject"), deny("kms:Decrypt"))
    bounded = role(A, "Bounded", None, allow("s3:GetObject"), boundary=f"arn:aws:iam::{A}:policy/S3Only")
    key = key_with_grants(B, KEY_ID, OWNER_ONLY, [kms_grant(role_arn(A, "Denied"), ["Decrypt"], "g-d"),
                                                   kms_grant(role_arn(A, "Bounded"), ["Decrypt"], "g-b")])
    ag = build_graph(snapshot(account(A, roles=(denied, bounded), policies=(managed(A, "S3Only", allow("s3:*")),)),
                              account(B, resources=(key,))))
    # An explicit Deny wins over any Allow; a boundary limits even resource-policy grants to a role ARN
    # (IAM "Policy evaluation logic"): neither is the implicit deny the contested reading sets aside.
    edges = edges_of(ag, "kms-grant", KEY)
    assert role_arn(A, "Denied") not in edges and role_arn(A, "Bounded") not in edges
    assert not [w for w in ag.warnings if "contested" in w]
    (warning,) = [w for w in ag.warnings if "give no edge" in w]
    assert f"{role_arn(A, 'Denied')} (kms:Decrypt)" in warning and f"{role_arn(A, 'Bounded')} (kms:Decrypt)" in warning


def test_encryption_context_constraints_make_the_edge_conditional() -> None:
    ag = world([kms_grant(role_arn(B, "Worker"), ["Decrypt"], Constraints={
        "EncryptionContextSubset": {"aws:ebs:id": "vol-1"}})], b_roles=(role(B, "Worker"),))
    edge = edges_of(ag, "kms-grant", KEY)[role_arn(B, "Worker")]
    # The grant only works for requests carrying that encryption context, unknown to a snapshot.
    assert edge["status"] == "conditional"
    assert [(c.key, c.operator, c.values) for c in edge["conditions"]] == [
        ("kms:EncryptionContext:aws:ebs:id", "StringEquals", ("vol-1",))]


def test_encryption_context_equals_also_pins_the_set_of_keys() -> None:
    ag = world([kms_grant(role_arn(B, "Worker"), ["Decrypt"], Constraints={
        "EncryptionContextEquals": {"app": "x"}})], b_roles=(role(B, "Worker"),))
    edge = edges_of(ag, "kms-grant", KEY)[role_arn(B, "Worker")]
    assert {c.key for c in edge["conditions"]} == {"kms:EncryptionContext:app", "kms:EncryptionContextKeys"}


def test_a_deny_in_the_key_policy_still_wins_over_a_grant() -> None:
    policy = OWNER_ONLY + [{"Effect": "Deny", "Principal": {"AWS": role_arn(B, "Worker")}, "Action": "kms:Decrypt",
                            "Resource": "*"}]
    ag = world([kms_grant(role_arn(B, "Worker"), ["Decrypt", "Encrypt"])], b_roles=(role(B, "Worker"),),
               policy=policy)
    # An explicit Deny in any policy overrides any Allow, grants included.
    assert edges_of(ag, "kms-grant", KEY)[role_arn(B, "Worker")]["actions"] == ("kms:Encrypt",)


def test_an_identity_deny_or_an_scp_deny_removes_the_grant() -> None:
    denied = role(B, "Denied", None, allow("*"), deny("kms:Decrypt"))
    scp = doc(deny("kms:*"))
    ag = world([kms_grant(role_arn(B, "Denied"), ["Decrypt"], "g1"),
                kms_grant(role_arn(A, "Fenced"), ["Decrypt"], "g2")],
               a_roles=(role(A, "Fenced", None, allow("kms:*")),), b_roles=(denied,),
               org=organization(scps=((scp, (A,)),)))
    edges = edges_of(ag, "kms-grant", KEY)
    # Denied's own Deny wins; Fenced's account has an SCP denying kms:* (SCPs limit every principal of A).
    assert role_arn(B, "Denied") not in edges and role_arn(A, "Fenced") not in edges


def test_the_retiring_principal_may_retire_the_grant_only() -> None:
    ag = world([kms_grant(role_arn(B, "Worker"), ["Decrypt"], RetiringPrincipal=role_arn(B, "Janitor"))],
               b_roles=(role(B, "Worker"), role(B, "Janitor")))
    edges = edges_of(ag, "kms-grant", KEY)
    assert edges[role_arn(B, "Janitor")]["actions"] == ("kms:RetireGrant",)
    assert edges[role_arn(B, "Worker")]["actions"] == ("kms:Decrypt",)


def test_service_principal_and_uncollected_account_grantees() -> None:
    ag = world([kms_grant("rds.us-east-1.amazonaws.com", ["Decrypt"], "g-svc"),
                kms_grant(root(OUTSIDER), ["Decrypt"], "g-out"),
                kms_grant(f"arn:aws:iam::{OUTSIDER}:role/Vendor", ["Encrypt"], "g-vendor")])
    edges = edges_of(ag, "kms-grant", KEY)
    # ListGrants shows a service's grant with its service principal; an account outside the snapshot
    # is an opaque node standing for its principals (their identity side is unknown, taken as allowing).
    assert edges["rds.us-east-1.amazonaws.com"]["actions"] == ("kms:Decrypt",)
    assert ag.graph.nodes["rds.us-east-1.amazonaws.com"]["kind"] == "service"
    assert ag.graph.nodes[OUTSIDER]["kind"] == "account"
    outsider = [d for u, v, d in ag.graph.edges(OUTSIDER, data=True) if v == KEY]
    assert sorted(a for d in outsider for a in d["actions"]) == ["kms:Decrypt", "kms:Encrypt"]


def test_a_grant_to_a_collected_account_reaches_its_principals_whose_iam_allows() -> None:
    ag = world([kms_grant(root(A), ["Decrypt"])],
               a_roles=(role(A, "Reader", None, allow("kms:Decrypt")), role(A, "Nobody", None, allow("s3:*"))))
    edges = edges_of(ag, "kms-grant", KEY)
    # Naming the account delegates to its IAM admins: only principals whose policies allow the operation.
    assert role_arn(A, "Reader") in edges and role_arn(A, "Nobody") not in edges


def test_a_grant_to_one_session_is_conditional_on_the_session_name() -> None:
    session = f"arn:aws:sts::{B}:assumed-role/Worker/batch-7"
    ag = world([kms_grant(session, ["Decrypt"])], b_roles=(role(B, "Worker"),))
    edge = edges_of(ag, "kms-grant", KEY)[role_arn(B, "Worker")]
    # Only the session named batch-7 holds the grant; the snapshot cannot know session names.
    assert edge["status"] == "conditional"
    assert [(c.key, c.values) for c in edge["conditions"]] == [("aws:userid", ("*:batch-7",))]


def test_who_can_shows_the_grant_hop() -> None:
    ag = world([kms_grant(role_arn(B, "Worker"), ["Decrypt"], "grant-9")], b_roles=(role(B, "Worker"),))
    result = who_can(ag, KEY, action="kms:Decrypt").to_json()
    (entry,) = [p for p in result["principals"] if p["principal"] == role_arn(B, "Worker")]
    assert [hop["edge"] for hop in entry["path"]] == ["kms-grant"]
    assert entry["path"][0]["granted_by"][0]["sid"] == "grant-9"


def test_edge_kinds_can_leave_grants_out_and_bad_entries_are_warned() -> None:
    key = key_with_grants(B, KEY_ID, OWNER_ONLY, [kms_grant(role_arn(B, "Worker"), ["Decrypt"]), {"GrantId": "x"}])
    snap = snapshot(account(B, roles=(role(B, "Worker"),), resources=(key,)))
    assert edges_of(build_graph(snap, edge_kinds={"member", "resource-policy"}), "kms-grant", KEY) == {}
    ag = build_graph(snap)
    assert role_arn(B, "Worker") in edges_of(ag, "kms-grant", KEY)
    assert any("grant 1: not a ListGrants entry" in w for w in ag.warnings)


def test_malformed_grantees_and_operations_are_warned_never_a_crash() -> None:
    grants = [kms_grant(f"arn:aws:iam::{B}:group/devs", ["Decrypt"], "g-group"),
              kms_grant(f"arn:aws:sts::{B}:assumed-role/Worker", ["Decrypt"], "g-nosession"),
              kms_grant("AROAXXXXXXXXXXXXXXXX", ["Decrypt"], "g-unique"),
              kms_grant(role_arn(B, "Worker"), ["Decrypt", "Nope*", 3], "g-ops")]
    ag = world(grants, b_roles=(role(B, "Worker"),))
    # A group cannot be a grantee (KMS CreateGrant: accounts, users, roles, sessions); the bad entries
    # are each reported, and the good operation of the last grant still gives its edge.
    assert edges_of(ag, "kms-grant", KEY)[role_arn(B, "Worker")]["actions"] == ("kms:Decrypt",)
    for index in range(4):
        assert any(f"grant {index}:" in w for w in ag.warnings), index


def test_a_grant_names_a_role_by_name_whatever_its_path() -> None:
    worker = role(B, "Worker", path="/svc/")
    ag = world([kms_grant(role_arn(B, "Worker"), ["Decrypt"])], b_roles=(worker,))
    # IAM identifies the role by its unique id; the ARN written without path still names it.
    assert edges_of(ag, "kms-grant", KEY)[worker.arn]["actions"] == ("kms:Decrypt",)


def test_many_service_grants_give_one_edge_per_grantee_and_one_warning_per_key() -> None:
    # EBS makes one grant per volume (each with its volume's encryption context) and grants to EC2's
    # infrastructure sessions (KMS "Examining grants"); neither may flood the graph or the warnings.
    grants = [kms_grant(role_arn(B, "Worker"), ["Decrypt"], f"vol{i}",
                        Constraints={"EncryptionContextSubset": {"aws:ebs:id": f"vol-{i}"}}) for i in range(50)]
    grants += [kms_grant(f"arn:aws:sts::{B}:assumed-role/aws:ec2-infrastructure/i-{i}", ["Decrypt"], f"ec2-{i}")
               for i in range(50)]
    ag = world(grants, b_roles=(role(B, "Worker"),))
    (edge,) = [d for u, v, d in ag.graph.in_edges(KEY, data=True) if d["kind"] == "kms-grant"]
    # Every grant needs its own volume's context: the one edge stays conditional.
    assert edge["status"] == "conditional"
    (warning,) = [w for w in ag.warnings if KEY in w]
    assert warning.startswith(f"{KEY}: 50 grant(s) to principals the snapshot cannot model")


def test_many_contested_grantees_give_one_short_warning() -> None:
    roles = tuple(role(A, f"App{i}", None, allow("s3:GetObject")) for i in range(7))
    ag = world([kms_grant(r.arn, ["Decrypt"], f"g{i}") for i, r in enumerate(roles)], a_roles=roles)
    # Every grantee keeps its (contested) edge, but the warning names five and counts the rest.
    assert len(edges_of(ag, "kms-grant", KEY)) == 7
    (warning,) = [w for w in ag.warnings if "contested" in w]
    assert "and 2 more kept as conditional, contested edges" in warning and role_arn(A, "App5") not in warning
