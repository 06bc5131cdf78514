"""The external-access report (SPEC §6) sees access given by KMS grants and bucket ACLs.

A grant to an account outside the organization, or an ACL grant to AllUsers, opens the resource to
outsiders exactly like a resource policy would (KMS "Grants in AWS KMS": the grantee can be in a
different account; S3 "ACL overview": AllUsers is anyone on the internet).
"""

from __future__ import annotations

from graph.build import build_graph
from graph.external import external_access
from tests.graph.scenarios import B, OUTSIDER, account, grant, organization, root, snapshot
from tests.grants.helpers import ALL_USERS, acl_bucket, group_grant, key_with_grants, kms_grant, user_grant


def test_grants_and_acls_to_outsiders_are_external_access() -> None:
    key = key_with_grants(B, "k", [grant({"AWS": root(B)}, "kms:*", "*")], [kms_grant(root(OUTSIDER), ["Decrypt"])])
    public = acl_bucket(B, "pub", [group_grant(ALL_USERS, "READ")])
    private = acl_bucket(B, "priv", [group_grant(ALL_USERS, "READ")], object_ownership="BucketOwnerEnforced")
    ag = build_graph(snapshot(account(B, resources=(key, public, private)), org=organization()))
    found = {(e.target, e.outsider, tuple(str(h.kind) for h in e.path.hops)) for e in external_access(ag).entries}
    assert found == {(key.arn, OUTSIDER, ("kms-grant",)), (public.arn, "*", ("s3-acl",))}


def test_an_unknown_canonical_id_is_reported_as_an_outside_account() -> None:
    stranger = "d" * 64
    shared = acl_bucket(B, "shared", [user_grant(stranger, "READ")])
    ag = build_graph(snapshot(account(B, resources=(shared,)), org=organization()))
    # No collected bucket is owned by that canonical id, so its account is unknown: an outsider until shown otherwise.
    assert [(e.target, e.outsider, str(e.outsider_kind)) for e in external_access(ag).entries] == [
        (shared.arn, f"canonical-user:{stranger}", "external-account")]
