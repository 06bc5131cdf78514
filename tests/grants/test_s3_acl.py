"""`s3-acl` edges: bucket ACL grants, Object Ownership and Block Public Access IgnorePublicAcls.

AWS rules cited: S3 User Guide "Access control list (ACL) overview" (grantees: canonical user = an
AWS account, AllUsers = anyone, AuthenticatedUsers = any AWS account; permission -> policy action
mapping: READ = s3:ListBucket*, WRITE = s3:PutObject, READ_ACP = s3:GetBucketAcl, WRITE_ACP =
s3:PutBucketAcl), "Controlling ownership of objects and disabling ACLs" (BucketOwnerEnforced
disables ACLs), "Blocking public access" (IgnorePublicAcls ignores public ACLs; BlockPublicAcls
only refuses new ones), "How Amazon S3 authorizes a request" (cross-account: the requester's IAM
policies must also allow; an explicit Deny in the bucket policy wins).
"""

from __future__ import annotations

from graph.build import build_graph
from graph.query import who_can
from tests.graph.scenarios import A, B, account, allow, deny, role, role_arn, snapshot
from tests.grants.helpers import (
    ALL_USERS,
    AUTHENTICATED_USERS,
    acl_bucket,
    canonical,
    edges_of,
    group_grant,
    user_grant,
)

BUCKET = "arn:aws:s3:::shared-acl"
LISTS = ("s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions")


def world(grants: list[dict[str, object]], *policy: dict[str, object], a_roles: tuple = (), b_roles: tuple = (),
          **properties: object):
    """Bucket of B with `grants` in its ACL; A owns a bucket too, so its canonical id is known."""
    mine = acl_bucket(A, "a-own", [])
    bucket = acl_bucket(B, "shared-acl", grants, *policy, **properties)
    return build_graph(snapshot(account(A, roles=a_roles, resources=(mine,)),
                                account(B, roles=b_roles, resources=(bucket,))))


def test_an_acl_grant_to_another_account_reaches_its_principals_whose_iam_allows() -> None:
    reader = role(A, "Reader", None, allow("s3:ListBucket", BUCKET))
    stranger = role(A, "Stranger", None, allow("sqs:*"))
    ag = world([user_grant(canonical(A), "READ")], a_roles=(reader, stranger))
    edges = edges_of(ag, "s3-acl", BUCKET)
    # A's canonical id is the owner of A's bucket's ACL, so the grant names account A; across accounts the
    # role's own policy must allow too: Reader allows only s3:ListBucket of the three READ actions.
    assert edges[role_arn(A, "Reader")]["actions"] == ("s3:ListBucket",)
    grant = next(g for g in edges[role_arn(A, "Reader")]["granted_by"] if g.policy == "bucket-acl")
    assert (grant.statement, grant.sid, grant.resource) == (1, f"account {A} READ", BUCKET)
    assert role_arn(A, "Stranger") not in edges


def test_all_users_read_is_a_public_edge_for_listing_only() -> None:
    ag = world([group_grant(ALL_USERS, "READ")])
    edge = edges_of(ag, "s3-acl", BUCKET)["*"]
    # A bucket ACL READ lists the bucket; reading objects needs object ACLs (not modelled).
    assert edge["actions"] == LISTS and edge["status"] == "allowed"
    assert "s3:GetObject" not in edge["actions"]


def test_authenticated_users_write_lets_any_aws_account_put_objects() -> None:
    ag = world([group_grant(AUTHENTICATED_USERS, "WRITE")])
    edge = edges_of(ag, "s3-acl", BUCKET)["*"]
    assert edge["actions"] == ("s3:PutObject",)
    assert [g.sid for g in edge["granted_by"]] == ["AuthenticatedUsers (any AWS account) WRITE"]
    answer = who_can(ag, BUCKET, action="s3:PutObject").to_json()
    assert [(p["principal"], [h["edge"] for h in p["path"]]) for p in answer["principals"]
            if p["principal"] == "*"] == [("*", ["s3-acl"])]


def test_bucket_owner_enforced_disables_every_acl_grant() -> None:
    ag = world([group_grant(ALL_USERS, "FULL_CONTROL"), user_grant(canonical(A), "READ")],
               a_roles=(role(A, "Reader", None, allow("s3:*")),), object_ownership="BucketOwnerEnforced")
    assert edges_of(ag, "s3-acl", BUCKET) == {}


def test_ignore_public_acls_at_bucket_or_account_level_drops_public_grants_only() -> None:
    grants = [group_grant(ALL_USERS, "READ"), user_grant(canonical(A), "READ")]
    reader = role(A, "Reader", None, allow("s3:*"))
    for where in ("public_access_block", "account_public_access_block"):
        ag = world(grants, a_roles=(reader,), **{where: {"IgnorePublicAcls": True}})
        edges = edges_of(ag, "s3-acl", BUCKET)
        # The public group is ignored; a grant to a named account is not public and still works.
        assert "*" not in edges and role_arn(A, "Reader") in edges, where


def test_block_public_acls_alone_keeps_an_existing_public_grant() -> None:
    ag = world([group_grant(ALL_USERS, "READ")],
               public_access_block={"BlockPublicAcls": True, "IgnorePublicAcls": False})
    # BlockPublicAcls refuses NEW public ACLs; existing ones keep working.
    assert "*" in edges_of(ag, "s3-acl", BUCKET)


def test_the_owner_grant_adds_no_edge_and_unknown_ids_are_opaque_accounts() -> None:
    stranger = "f" * 64
    ag = world([user_grant(stranger, "READ_ACP")], b_roles=(role(B, "Admin", None, allow("s3:*")),))
    edges = edges_of(ag, "s3-acl", BUCKET)
    # The owner's FULL_CONTROL grant gives B's principals nothing their IAM policies do not already give.
    assert role_arn(B, "Admin") not in edges
    node = f"canonical-user:{stranger}"
    assert edges[node]["actions"] == ("s3:GetBucketAcl",)
    assert (ag.graph.nodes[node]["kind"], ag.graph.nodes[node]["in_dataset"]) == ("account", False)


def test_a_bucket_policy_deny_overrides_an_acl_grant() -> None:
    ag = world([group_grant(ALL_USERS, "FULL_CONTROL")],
               deny("s3:PutObject", f"{BUCKET}/*", Principal="*"))
    edge = edges_of(ag, "s3-acl", BUCKET)["*"]
    assert "s3:PutObject" not in edge["actions"]
    assert set(edge["actions"]) == set(LISTS) | {"s3:GetBucketAcl", "s3:PutBucketAcl"}


def test_log_delivery_group_is_the_s3_logging_service() -> None:
    ag = world([{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"},
                 "Permission": "WRITE"}])
    assert edges_of(ag, "s3-acl", BUCKET)["logging.s3.amazonaws.com"]["actions"] == ("s3:PutObject",)
