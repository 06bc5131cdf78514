"""Edge rules of the builder, one small world per rule (SEMANTICS §2-§4, SPEC §2)."""

from __future__ import annotations

from typing import Any

from graph.build import SCP_UNKNOWN, build_graph
from tests.graph.scenarios import (
    MGMT,
    ORG_ID,
    OUTSIDER,
    A,
    B,
    C,
    account,
    allow,
    bucket,
    deny,
    doc,
    grant,
    key,
    managed,
    organization,
    queue,
    resource,
    role,
    role_arn,
    root,
    snapshot,
    trusts,
    user,
    user_arn,
)

BUCKET = "arn:aws:s3:::data"


def edges(ag: Any, source: str, target: str) -> list[dict[str, Any]]:
    """Attribute dicts of every edge source -> target (a `"*"` grant's other-account edges are deferred)."""
    return list(ag.graph.get_edge_data(source, target, default={}).values()) + ag.deferred_between(source, target)


def actions(ag: Any, source: str, target: str) -> set[str]:
    return {a for e in edges(ag, source, target) for a in e["actions"]}


# --- same account: which principal the resource policy names (SEMANTICS §2.2) ---

def test_same_account_user_arn_grant_needs_no_identity_policy() -> None:
    # §2.2: a resource policy naming the IAM user ARN grants on its own in the same account.
    world = snapshot(account(A, users=(user(A, "alice"),),
                             resources=(bucket(A, "data", grant({"AWS": user_arn(A, "alice")}, "s3:GetObject",
                                                                f"{BUCKET}/*")),)))
    ag = build_graph(world)
    (edge,) = edges(ag, user_arn(A, "alice"), BUCKET)
    assert edge["kind"] == "resource-policy"
    assert edge["actions"] == ("s3:GetObject",)
    assert edge["status"] == "allowed"
    assert [(g.policy, g.statement, g.resource) for g in edge["granted_by"]] == [("resource-policy", 0, BUCKET)]


def test_same_account_role_arn_grant_is_limited_by_the_boundary() -> None:
    # §2.2: naming the role ARN counts as a grant, but the role's permissions boundary still limits it.
    boundary = managed(A, "OnlyLogs", allow("logs:*"))
    world = snapshot(account(
        A, policies=(boundary,),
        roles=(role(A, "Bounded", boundary=boundary.arn), role(A, "Free")),
        resources=(bucket(A, "data", grant({"AWS": [role_arn(A, "Bounded"), role_arn(A, "Free")]}, "s3:GetObject",
                                           f"{BUCKET}/*")),)))
    ag = build_graph(world)
    assert edges(ag, role_arn(A, "Bounded"), BUCKET) == []  # boundary allows only logs:*
    assert actions(ag, role_arn(A, "Free"), BUCKET) == {"s3:GetObject"}  # same grant, no boundary


def test_same_account_identity_policy_alone_gives_an_identity_edge() -> None:
    # §2.1 step 6: within one account an identity Allow suffices when the resource has no policy.
    world = snapshot(account(A, roles=(role(A, "Reader", None, allow("s3:ListBucket", BUCKET)),),
                             resources=(bucket(A, "data"),)))
    (edge,) = edges(build_graph(world), role_arn(A, "Reader"), BUCKET)
    assert (edge["kind"], edge["actions"]) == ("identity-policy", ("s3:ListBucket",))


# --- cross account: both sides (SEMANTICS §2.3) ---

def test_cross_account_needs_both_the_resource_policy_and_the_identity_policy() -> None:
    policy = grant({"AWS": [role_arn(A, "WithIdentity"), role_arn(A, "WithoutIdentity")]}, "s3:GetObject",
                   f"{BUCKET}/*")
    world = snapshot(
        account(A, roles=(role(A, "WithIdentity", None, allow("s3:GetObject", f"{BUCKET}/*")),
                          role(A, "WithoutIdentity"),
                          role(A, "IdentityOnly", None, allow("s3:*")))),
        account(B, resources=(bucket(B, "data", policy),)))
    ag = build_graph(world)
    assert actions(ag, role_arn(A, "WithIdentity"), BUCKET) == {"s3:GetObject"}
    assert edges(ag, role_arn(A, "WithoutIdentity"), BUCKET) == []  # the bucket alone is not enough across accounts
    assert edges(ag, role_arn(A, "IdentityOnly"), BUCKET) == []  # identity alone neither: the bucket names no one else


def test_account_root_trust_needs_the_callers_identity_permission() -> None:
    # SPEC §2: a grant to A's root means "any principal of A whose own policies allow it".
    target = role_arn(B, "Shared")
    world = snapshot(
        account(A, roles=(role(A, "Allowed", None, allow("sts:AssumeRole", target)),
                          role(A, "NotAllowed", None, allow("s3:GetObject")))),
        account(B, roles=(role(B, "Shared", trusts({"AWS": root(A)})),)))
    ag = build_graph(world)
    (edge,) = edges(ag, role_arn(A, "Allowed"), target)
    assert edge["kind"] == "assume-role"
    assert {g.policy for g in edge["granted_by"]} == {f"{role_arn(A, 'Allowed')}/inline/inline", "trust-policy"}
    assert edges(ag, role_arn(A, "NotAllowed"), target) == []
    assert edges(ag, root(A), target) == [] and A not in ag.graph.predecessors(target)  # never the root alone


def test_role_to_role_hop_is_marked_chained() -> None:
    # ER-5: a role session assuming another role is role chaining.
    first, second = role_arn(A, "First"), role_arn(A, "Second")
    world = snapshot(account(A, roles=(role(A, "First", None, allow("sts:AssumeRole", second)),
                                       role(A, "Second", trusts({"AWS": first}))),
                             users=(user(A, "bob", allow("sts:AssumeRole", second)),)))
    ag = build_graph(world)
    assert edges(ag, first, second)[0]["chained"] is True
    # a trust naming the role ARN does not admit a user of the same account
    assert edges(ag, user_arn(A, "bob"), second) == []


# --- KMS (SEMANTICS §4.1) ---

def test_kms_key_policy_without_root_delegation_ignores_identity_policies() -> None:
    key_policy = grant({"AWS": role_arn(A, "KeyAdmin")}, "kms:*", "*")
    world = snapshot(account(A, roles=(role(A, "KeyAdmin"), role(A, "Admin", None, allow("kms:*"))),
                             resources=(key(A, "k1", key_policy),)))
    ag = build_graph(world)
    key_arn = f"arn:aws:kms:us-east-1:{A}:key/k1"
    assert "kms:Decrypt" in actions(ag, role_arn(A, "KeyAdmin"), key_arn)  # named directly by the key policy
    assert edges(ag, role_arn(A, "Admin"), key_arn) == []  # IAM allows have no effect without root delegation


def test_kms_key_policy_delegating_to_the_account_admits_identity_allows() -> None:
    key_policy = grant({"AWS": root(A)}, "kms:*", "*")
    world = snapshot(account(A, roles=(role(A, "Admin", None, allow("kms:Decrypt")), role(A, "Nobody")),
                             resources=(key(A, "k1", key_policy),)))
    ag = build_graph(world)
    key_arn = f"arn:aws:kms:us-east-1:{A}:key/k1"
    assert actions(ag, role_arn(A, "Admin"), key_arn) == {"kms:Decrypt"}
    assert edges(ag, role_arn(A, "Nobody"), key_arn) == []


# --- organizations (SEMANTICS §2.4) ---

def test_rcp_denies_outsiders_but_not_members_of_the_org() -> None:
    rcp = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
               "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID},
                             "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}})
    policy = grant({"AWS": [OUTSIDER, C]}, "s3:GetObject", f"{BUCKET}/*")
    world = snapshot(account(B, resources=(bucket(B, "data", policy),)), org=organization(rcps=((rcp, ("r-root",)),)))
    ag = build_graph(world)
    assert edges(ag, OUTSIDER, BUCKET) == []  # outside the org: aws:PrincipalOrgID is never ours -> RCP denies
    (edge,) = edges(ag, C, BUCKET)  # C is in the org but not collected: an opaque account, allowed
    assert edge["status"] == "allowed" and ag.graph.nodes[C]["in_dataset"] is False


def test_scp_does_not_restrict_the_management_account() -> None:
    scp = doc(deny("s3:*"))
    world = snapshot(
        account(MGMT, roles=(role(MGMT, "Ops", None, allow("s3:GetObject")),),
                resources=(bucket(MGMT, "mgmt-data"),)),
        account(A, roles=(role(A, "Ops", None, allow("s3:GetObject")),), resources=(bucket(A, "a-data"),)),
        org=organization(scps=((scp, ("r-root",)),)))
    ag = build_graph(world)
    assert actions(ag, role_arn(MGMT, "Ops"), "arn:aws:s3:::mgmt-data") == {"s3:GetObject"}  # exempt from SCPs
    assert edges(ag, role_arn(A, "Ops"), "arn:aws:s3:::a-data") == []  # the SCP Deny applies to members


def test_no_organization_data_warns_that_the_scp_layer_is_unknown() -> None:
    ag = build_graph(snapshot(account(A)))
    assert SCP_UNKNOWN in ag.warnings


# --- external and special principals ---

def test_external_account_not_collected_is_one_opaque_node() -> None:
    world = snapshot(account(B, roles=(role(B, "Vendor", trusts({"AWS": root(OUTSIDER)})),)))
    ag = build_graph(world)
    (edge,) = edges(ag, OUTSIDER, role_arn(B, "Vendor"))
    assert edge["status"] == "allowed" and edge["kind"] == "assume-role"
    assert ag.graph.nodes[OUTSIDER] | {} == {"kind": "account", "account": OUTSIDER, "name": OUTSIDER,
                                            "in_dataset": False, "in_org": False}


def test_external_id_makes_the_trust_conditional() -> None:
    trust = trusts({"AWS": OUTSIDER}, Condition={"StringEquals": {"sts:ExternalId": "secret-123"}})
    ag = build_graph(snapshot(account(B, roles=(role(B, "Vendor", trust),))))
    (edge,) = edges(ag, OUTSIDER, role_arn(B, "Vendor"))
    assert edge["status"] == "conditional"  # sts:ExternalId is only known at request time
    assert [(c.key, c.operator, c.values) for c in edge["conditions"]] == [
        ("sts:ExternalId", "StringEquals", ("secret-123",))]


def test_service_principal_gets_a_service_node() -> None:
    world = snapshot(account(A, roles=(role(A, "LambdaExec", trusts({"Service": "lambda.amazonaws.com"})),)))
    ag = build_graph(world)
    assert ag.graph.nodes["lambda.amazonaws.com"]["kind"] == "service"
    assert edges(ag, "lambda.amazonaws.com", role_arn(A, "LambdaExec"))[0]["kind"] == "assume-role"


def test_federated_oidc_provider_gets_a_web_identity_edge() -> None:
    provider = f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"
    trust = doc(grant({"Federated": provider}, "sts:AssumeRoleWithWebIdentity",
                      Condition={"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/app:*"}}))
    ag = build_graph(snapshot(account(A, roles=(role(A, "Deploy", trust),))))
    (edge,) = edges(ag, provider, role_arn(A, "Deploy"))
    assert edge["kind"] == "assume-role-web-identity" and edge["status"] == "conditional"  # sub known at request time


def test_explicit_deny_removes_the_denied_actions() -> None:
    reader = role(A, "Reader", None, allow(["s3:GetObject", "s3:DeleteObject"], f"{BUCKET}/*"),
                  deny("s3:DeleteObject"))
    ag = build_graph(snapshot(account(A, roles=(reader,), resources=(bucket(A, "data"),))))
    assert actions(ag, role_arn(A, "Reader"), BUCKET) == {"s3:GetObject"}


def test_public_grant_with_org_condition_covers_org_principals_and_is_conditional_for_anyone() -> None:
    policy = grant("*", "s3:GetObject", f"{BUCKET}/*", Condition={"StringEquals": {"aws:PrincipalOrgID": ORG_ID}})
    world = snapshot(account(A, roles=(role(A, "Member", None, allow("s3:GetObject")),)),
                     account(B, resources=(bucket(B, "data", policy),)), org=organization())
    ag = build_graph(world)
    assert actions(ag, role_arn(A, "Member"), BUCKET) == {"s3:GetObject"}  # A is in the org: decided, allowed
    (public,) = edges(ag, "*", BUCKET)
    assert public["status"] == "conditional"  # "anyone" only if their org is ours
    assert [c.key for c in public["conditions"]] == ["aws:PrincipalOrgID"]


def test_default_sns_style_source_owner_policy_is_not_public() -> None:
    # SEMANTICS §4.3: AWS:SourceOwner pins the grant to a service acting for the owner; a direct caller lacks it.
    policy = grant({"AWS": "*"}, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{B}:jobs",
                   Condition={"StringEquals": {"AWS:SourceOwner": B}})
    world = snapshot(account(A, roles=(role(A, "Sender", None, allow("sqs:SendMessage")),)),
                     account(B, resources=(queue(B, "jobs", policy),)), org=organization())
    ag = build_graph(world)
    queue_arn = f"arn:aws:sqs:us-east-1:{B}:jobs"
    assert edges(ag, "*", queue_arn) == []
    assert edges(ag, role_arn(A, "Sender"), queue_arn) == []


def test_bucket_grant_limited_to_a_prefix_reports_the_scope() -> None:
    policy = grant({"AWS": role_arn(A, "Reports")}, "s3:GetObject", f"{BUCKET}/reports/*")
    world = snapshot(account(A, roles=(role(A, "Reports", None, allow("s3:GetObject")),)),
                     account(B, resources=(bucket(B, "data", policy),)), org=organization())
    (edge,) = edges(build_graph(world), role_arn(A, "Reports"), BUCKET)
    assert (edge["scope"], edge["actions"]) == ("reports/", ("s3:GetObject",))


def test_unmodelled_resource_types_and_collection_errors_are_warned() -> None:
    from graph.model import CollectionError

    table = resource(A, f"arn:aws:dynamodb:us-east-1:{A}:table/t", "AWS::DynamoDB::Table")
    error = CollectionError("s3", "GetBucketPolicy", BUCKET, "AccessDenied", "denied")
    ag = build_graph(snapshot(account(A, resources=(table,), errors=(error,)), org=organization()))
    assert any("AWS::DynamoDB::Table are not modelled" in w for w in ag.warnings)
    assert any("collection error" in w and A in w for w in ag.warnings)


def test_edge_kinds_filter_keeps_only_the_asked_kinds() -> None:
    world = snapshot(account(A, roles=(role(A, "Reader", None, allow("s3:ListBucket", BUCKET)),),
                             resources=(bucket(A, "data"),)))
    ag = build_graph(world, edge_kinds={"member"})
    assert {d["kind"] for _, _, d in ag.graph.edges(data=True)} == {"member"}


def test_public_grant_admits_same_account_principals_without_identity_policy() -> None:
    # SEMANTICS §2.2 ("*" row): in the resource's own account a "*" grant works without an identity Allow;
    # across accounts the caller's identity policy must still allow (§2.3).
    policy = grant("*", "s3:GetObject", f"{BUCKET}/*")
    world = snapshot(account(A, roles=(role(A, "NoPolicies"),)),
                     account(B, roles=(role(B, "Local"),), resources=(bucket(B, "data", policy),)), org=organization())
    ag = build_graph(world)
    assert actions(ag, role_arn(B, "Local"), BUCKET) == {"s3:GetObject"}
    assert edges(ag, role_arn(A, "NoPolicies"), BUCKET) == []
    assert edges(ag, "*", BUCKET)[0]["status"] == "allowed"
