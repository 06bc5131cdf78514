"""IAM: users, groups, roles and managed policies (GetAccountAuthorizationDetails), and identity providers.

AWS managed policies are kept only when something in the account attaches them or uses them as a
permissions boundary: the full list is over a thousand documents per account and says nothing
about who can reach what.
"""

from __future__ import annotations

from typing import Any

from graph.collect.account import Scope
from graph.collect.work import Done, Service

_FILTERS = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]
_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def _referenced_policies(details: dict[str, Any]) -> set[str]:
    used: set[str] = set()
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList"):
        for entry in details.get(key, ()):
            used.update(attached["PolicyArn"] for attached in entry.get("AttachedManagedPolicies") or ())
            boundary = entry.get("PermissionsBoundary") or {}
            if boundary.get("PermissionsBoundaryArn"):
                used.add(boundary["PermissionsBoundaryArn"])
    return used


def _is_aws_managed(arn: str) -> bool:
    return arn.split(":")[4:5] == ["aws"]


def keep_used_aws_policies(details: dict[str, Any]) -> dict[str, Any]:
    """The authorization details with only the AWS managed policies the account uses.

    Args:
        details: The merged GetAccountAuthorizationDetails response.

    Returns:
        The same keys, every list present; customer managed policies are all kept.
    """
    used = _referenced_policies(details)
    merged = {key: list(details.get(key) or ()) for key in _LISTS}
    merged["Policies"] = [_named(policy) for policy in merged["Policies"]
                          if not _is_aws_managed(policy["Arn"]) or policy["Arn"] in used]
    return merged


def _named(policy: dict[str, Any]) -> dict[str, Any]:
    # Some emulators leave PolicyName out; it is always the ARN's last segment.
    return policy if policy.get("PolicyName") else {**policy, "PolicyName": policy["Arn"].rsplit("/", 1)[-1]}


def read_authorization_details(scope: Scope) -> Done:
    """Reads every page of GetAccountAuthorizationDetails, and the account alias as its name."""
    reader = scope.reader(Service.IAM)
    reply = reader.pages("GetAccountAuthorizationDetails", scope.account.id, Filter=_FILTERS)
    if reply.ok:
        scope.account.set_authorization_details(keep_used_aws_policies(reply.data))
    if scope.account.name is None:
        aliases = reader.call("ListAccountAliases", scope.account.id)
        if aliases.ok and aliases.data.get("AccountAliases"):
            scope.account.name = aliases.data["AccountAliases"][0]
    return Done()


def read_identity_providers(scope: Scope) -> Done:
    """Lists SAML providers (their ARNs) and OIDC providers (with issuer URL and client ids)."""
    reader = scope.reader(Service.IAM)
    saml = reader.call("ListSAMLProviders", scope.account.id)
    for provider in saml.data.get("SAMLProviderList", ()) if saml.ok else ():
        scope.account.add_identity_provider({"arn": provider["Arn"], "type": "SAML", "url": None, "client_ids": []})
    oidc = reader.call("ListOpenIDConnectProviders", scope.account.id)
    for provider in oidc.data.get("OpenIDConnectProviderList", ()) if oidc.ok else ():
        arn = provider["Arn"]
        details = reader.call("GetOpenIDConnectProvider", arn, gone=("NoSuchEntity",), OpenIDConnectProviderArn=arn)
        if details.ok:
            scope.account.add_identity_provider({
                "arn": arn, "type": "OIDC", "url": details.data.get("Url"),
                "client_ids": list(details.data.get("ClientIDList") or ()),
            })
    return Done()
