"""AWS Organizations: the tree (root, OUs, accounts with their parents) and its SCPs and RCPs.

Read from the management account or a delegated administrator. A standalone account
(`AWSOrganizationsNotInUseException`) has no organization: that is a fact, not an error. When the
tree cannot be read (a member account's credentials), the error is recorded and the snapshot has
no organization, so SCPs and RCPs are known to be unknown rather than assumed absent.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Any

from graph.collect.calls import Reader

_NOT_IN_USE = ("AWSOrganizationsNotInUseException",)
_POLICY_TYPES = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
_ACTIVE = frozenset({"ACTIVE"})


@dataclass(frozen=True, slots=True)
class OrgAccountEntry:
    """A member account as ListAccounts gives it."""

    id: str
    name: str | None
    active: bool


def list_member_accounts(reader: Reader) -> list[OrgAccountEntry] | None:
    """Every account of the organization (all pages of ListAccounts); None when it cannot be read."""
    reply = reader.pages("ListAccounts")
    if not reply.ok:
        return None
    return [OrgAccountEntry(entry["Id"], entry.get("Name"),
                            (entry.get("State") or entry.get("Status") or "ACTIVE") in _ACTIVE)
            for entry in reply.data.get("Accounts", ())]


def _document(content: str) -> Any:
    try:
        return json.loads(content)
    except json.JSONDecodeError:
        return content  # the snapshot reader reports it with its location


def _tree(reader: Reader, roots: list[dict[str, Any]],
          names: dict[str, str | None]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    units: list[dict[str, Any]] = []
    accounts: list[dict[str, Any]] = []
    parents = deque(root["Id"] for root in roots)
    while parents:
        parent = parents.popleft()
        children = reader.pages("ListOrganizationalUnitsForParent", parent, ParentId=parent)
        members = reader.pages("ListAccountsForParent", parent, ParentId=parent)
        if not (children.ok and members.ok):
            return None
        for unit in children.data.get("OrganizationalUnits", ()):
            units.append({"id": unit["Id"], "name": unit.get("Name", unit["Id"]), "parent_id": parent})
            parents.append(unit["Id"])
        for account in members.data.get("Accounts", ()):
            accounts.append({"id": account["Id"], "name": names.get(account["Id"], account.get("Name")),
                             "parent_id": parent})
    return units, accounts


def _policies(reader: Reader) -> list[dict[str, Any]] | None:
    found: list[dict[str, Any]] = []
    for policy_type in _POLICY_TYPES:
        listing = reader.pages("ListPolicies", policy_type, Filter=policy_type)
        if not listing.ok:
            return None
        for summary in listing.data.get("Policies", ()):
            policy_id = summary["Id"]
            described = reader.call("DescribePolicy", policy_id, PolicyId=policy_id)
            targets = reader.pages("ListTargetsForPolicy", policy_id, PolicyId=policy_id)
            if not (described.ok and targets.ok):
                return None
            found.append({
                "id": policy_id, "name": summary.get("Name", policy_id), "type": policy_type,
                "document": _document(described.data["Policy"]["Content"]),
                "targets": [target["TargetId"] for target in targets.data.get("Targets", ())],
            })
    return found


def read_organization(reader: Reader, members: list[OrgAccountEntry] | None = None) -> dict[str, Any] | None:
    """The snapshot's `organization` object, or None (standalone account, or a part could not be read).

    Failures are recorded by `reader`; a half-read tree is never returned, since a missing SCP
    would silently widen access.

    Args:
        reader: An Organizations reader in the management or a delegated administrator account.
        members: The organization's accounts when already listed (`--org`), to name them.
    """
    described = reader.call("DescribeOrganization", absent=_NOT_IN_USE)
    if not described.ok:
        return None
    organization = described.data["Organization"]
    roots = reader.pages("ListRoots")
    members = members if members is not None else list_member_accounts(reader)
    if not roots.ok or members is None:
        return None
    names = {member.id: member.name for member in members}
    tree = _tree(reader, roots.data.get("Roots", []), names)
    policies = _policies(reader)
    if tree is None or policies is None:
        return None
    units, accounts = tree
    return {
        "id": organization["Id"], "management_account_id": organization["MasterAccountId"],
        "roots": [{"id": root["Id"], "name": root.get("Name", "Root")} for root in roots.data.get("Roots", [])],
        "organizational_units": units, "accounts": accounts, "policies": policies,
    }
