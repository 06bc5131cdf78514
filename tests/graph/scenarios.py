"""Small hand-built snapshots for unit tests of the graph builder and queries.

Each helper builds model objects directly (graph/model.py), so a test states its whole world in a
few lines: who exists, which policies they hold, which resources trust whom.
"""

from __future__ import annotations

from typing import Any

from graph.model import (
    Account,
    CollectionError,
    InlinePolicy,
    ManagedPolicy,
    Organization,
    OrgAccount,
    OrganizationalUnit,
    OrgPolicy,
    OrgPolicyType,
    OrgRoot,
    PolicyDocument,
    Properties,
    Resource,
    Role,
    Snapshot,
    User,
)

A = "111111111111"
B = "222222222222"
C = "333333333333"
MGMT = "444444444444"
OUTSIDER = "999999999999"
ORG_ID = "o-abcdef1234"


def doc(*statements: dict[str, Any]) -> PolicyDocument:
    """A policy document with these statements."""
    return PolicyDocument.from_dict({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    """An identity-policy Allow statement."""
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    """An identity-policy Deny statement."""
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def grant(principal: Any, action: str | list[str], resource: str | list[str] | None = None,
          **extra: Any) -> dict[str, Any]:
    """A resource-policy (or trust-policy, without resource) Allow statement."""
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action, **extra}
    if resource is not None:
        statement["Resource"] = resource
    return statement


def trusts(principal: Any, **extra: Any) -> PolicyDocument:
    """A trust policy allowing `principal` to call sts:AssumeRole."""
    return doc(grant(principal, "sts:AssumeRole", **extra))


def root(account: str) -> str:
    return f"arn:aws:iam::{account}:root"


def role_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def user_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def role(account: str, name: str, trust: PolicyDocument | None = None, *statements: dict[str, Any],
         boundary: str | None = None, path: str = "/", tags: tuple[tuple[str, str], ...] = (),
         managed: tuple[str, ...] = ()) -> Role:
    """A role whose identity policy (one inline policy) holds `statements`."""
    inline = (InlinePolicy("inline", doc(*statements)),) if statements else ()
    return Role(role_arn(account, name) if path == "/" else f"arn:aws:iam::{account}:role{path}{name}",
                name, account, trust or doc(), path=path, inline_policies=inline,
                permissions_boundary_arn=boundary, tags=tags, managed_policy_arns=managed)


def user(account: str, name: str, *statements: dict[str, Any], boundary: str | None = None,
         tags: tuple[tuple[str, str], ...] = ()) -> User:
    """A user whose identity policy (one inline policy) holds `statements`."""
    inline = (InlinePolicy("inline", doc(*statements)),) if statements else ()
    return User(user_arn(account, name), name, account, inline_policies=inline,
                permissions_boundary_arn=boundary, tags=tags)


def managed(account: str, name: str, *statements: dict[str, Any]) -> ManagedPolicy:
    """A customer managed policy."""
    return ManagedPolicy(f"arn:aws:iam::{account}:policy/{name}", name, "/", doc(*statements))


def bucket(account: str, name: str, *statements: dict[str, Any], properties: dict[str, Any] | None = None) -> Resource:
    """An S3 bucket with a bucket policy made of `statements` (none: no policy)."""
    return Resource(f"arn:aws:s3:::{name}", "AWS::S3::Bucket", account, "us-east-1", name,
                    doc(*statements) if statements else None, Properties.from_dict(properties or {}))


def key(account: str, key_id: str, *statements: dict[str, Any]) -> Resource:
    """A KMS key with its key policy."""
    return Resource(f"arn:aws:kms:us-east-1:{account}:key/{key_id}", "AWS::KMS::Key", account, "us-east-1", key_id,
                    doc(*statements))


def queue(account: str, name: str, *statements: dict[str, Any], properties: dict[str, Any] | None = None) -> Resource:
    """An SQS queue with its queue policy."""
    return Resource(f"arn:aws:sqs:us-east-1:{account}:{name}", "AWS::SQS::Queue", account, "us-east-1", name,
                    doc(*statements) if statements else None, Properties.from_dict(properties or {}))


def resource(account: str, arn: str, resource_type: str, policy: PolicyDocument | None = None) -> Resource:
    """Any resource."""
    return Resource(arn, resource_type, account, "us-east-1", arn.rsplit(":", 1)[-1], policy)


def account(account_id: str, *, users: tuple[User, ...] = (), roles: tuple[Role, ...] = (),
            resources: tuple[Resource, ...] = (), policies: tuple[ManagedPolicy, ...] = (),
            errors: tuple[CollectionError, ...] = ()) -> Account:
    return Account(account_id, f"acct-{account_id[:3]}", users=users, roles=roles, resources=resources,
                   managed_policies=policies, errors=errors)


FULL_ACCESS = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})


def organization(*, scps: tuple[tuple[PolicyDocument, tuple[str, ...]], ...] = (),
                 rcps: tuple[tuple[PolicyDocument, tuple[str, ...]], ...] = (),
                 members: tuple[str, ...] = (A, B, C)) -> Organization:
    """Root r-root > OU ou-work > member accounts, and the management account under the root.

    FullAWSAccess and RCPFullAWSAccess are attached to the root, the OU and every account, as AWS does,
    plus the extra SCPs / RCPs given with their targets.
    """
    everything = ("r-root", "ou-work", MGMT, *members)
    policies = [OrgPolicy("p-FullAWSAccess", "FullAWSAccess", OrgPolicyType.SCP, FULL_ACCESS, everything),
                OrgPolicy("p-RCPFullAWSAccess", "RCPFullAWSAccess", OrgPolicyType.RCP,
                          doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}), everything)]
    policies += [OrgPolicy(f"p-scp{i}", f"scp{i}", OrgPolicyType.SCP, d, t) for i, (d, t) in enumerate(scps)]
    policies += [OrgPolicy(f"p-rcp{i}", f"rcp{i}", OrgPolicyType.RCP, d, t) for i, (d, t) in enumerate(rcps)]
    return Organization(
        ORG_ID, MGMT, roots=(OrgRoot("r-root", "Root"),),
        organizational_units=(OrganizationalUnit("ou-work", "Workloads", "r-root"),),
        accounts=(OrgAccount(MGMT, "management", "r-root"), *(OrgAccount(m, f"member-{m[:3]}", "ou-work")
                                                              for m in members)),
        policies=tuple(policies),
    )


def snapshot(*accounts: Account, org: Organization | None = None) -> Snapshot:
    return Snapshot("2026-11-27T10:00:00Z", "synthetic", org, accounts)
