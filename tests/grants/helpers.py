"""Small worlds for the grant and ACL tests: keys with grants, buckets with ACLs and access settings."""

from __future__ import annotations

from typing import Any

from graph.build import AccessGraph, build_graph
from graph.model import Properties, Resource, Snapshot
from tests.graph.scenarios import doc

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


def canonical(account: str) -> str:
    """A made-up 64-hex canonical user id for an account (S3 gives each account one)."""
    return (account * 6)[:64].replace("1", "a").replace("2", "b").replace("3", "c").replace("9", "f")


def key_with_grants(account: str, key_id: str, policy: list[dict[str, Any]], grants: list[dict[str, Any]]) -> Resource:
    """A customer managed key with its key policy and its ListGrants entries."""
    return Resource(f"arn:aws:kms:us-east-1:{account}:key/{key_id}", "AWS::KMS::Key", account, "us-east-1", key_id,
                    doc(*policy), Properties.from_dict({"KeyManager": "CUSTOMER", "Grants": grants}))


def kms_grant(grantee: str, operations: list[str], grant_id: str = "g1", **extra: Any) -> dict[str, Any]:
    """One ListGrants entry."""
    return {"GrantId": grant_id, "GranteePrincipal": grantee, "Operations": operations, **extra}


def acl_bucket(account: str, name: str, grants: list[dict[str, Any]], *policy: dict[str, Any],
               **properties: Any) -> Resource:
    """A bucket owned by `account` whose ACL holds the owner's FULL_CONTROL plus `grants`."""
    owner = {"ID": canonical(account)}
    acl = {"Owner": owner, "Grants": [{"Grantee": {"Type": "CanonicalUser", **owner}, "Permission": "FULL_CONTROL"},
                                      *grants]}
    return Resource(f"arn:aws:s3:::{name}", "AWS::S3::Bucket", account, "us-east-1", name,
                    doc(*policy) if policy else None, Properties.from_dict({"acl": acl, **properties}))


def group_grant(uri: str, permission: str) -> dict[str, Any]:
    return {"Grantee": {"Type": "Group", "URI": uri}, "Permission": permission}


def user_grant(canonical_id: str, permission: str) -> dict[str, Any]:
    return {"Grantee": {"Type": "CanonicalUser", "ID": canonical_id}, "Permission": permission}


def edges_of(ag: AccessGraph, kind: str, target: str) -> dict[str, dict[str, Any]]:
    """Source -> attributes of the edges of one kind into `target` (one per source in these worlds)."""
    return {u: d for u, v, d in ag.graph.in_edges(target, data=True) if d["kind"] == kind}


def build(snap: Snapshot) -> AccessGraph:
    return build_graph(snap)
