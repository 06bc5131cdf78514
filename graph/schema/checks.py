"""Checks of a snapshot that JSON Schema cannot express.

Policy document shapes (see `documents`), ARNs that belong to the account that holds them,
duplicate ids, a default version for every managed policy, and an organization tree whose
references resolve. Every check tolerates the wrong types the schema already reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from graph.schema.documents import DocumentCheck, DocumentKind, DocumentMemo, check_document
from graph.schema.problem import PathPart, Problem, problem_at

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_ARN_ACCOUNT = re.compile(r"^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}|aws)?:")

# (list in authorization_details, name of the inline policy list, the IAM resource type in its ARN)
_PRINCIPAL_LISTS = (
    ("UserDetailList", "UserPolicyList", "user"),
    ("GroupDetailList", "GroupPolicyList", "group"),
    ("RoleDetailList", "RolePolicyList", "role"),
)


def semantic_problems(document: Any, memo: DocumentMemo | None = None) -> list[Problem]:
    """Every problem the schema cannot see.

    Args:
        document: A decoded snapshot document (possibly with schema problems too).
        memo: Policy documents already seen during this load. Without one every document is checked
            where it is (cheaper when no model is built from the canonical texts afterwards).

    Returns:
        The problems, in document order.
    """
    if not isinstance(document, dict):
        return []
    check: DocumentCheck = memo.check if memo is not None else check_document
    problems: list[Problem] = []
    collected_at = document.get("collected_at")
    if isinstance(collected_at, str) and collected_at:
        try:
            datetime.fromisoformat(collected_at)
        except ValueError:
            problems.append(problem_at(("collected_at",), f"{collected_at!r} is not an ISO 8601 date and time"))
    seen: dict[str, int] = {}
    for index, account in _items(document.get("accounts")):
        if not isinstance(account, dict):
            continue
        account_id = account.get("id")
        if isinstance(account_id, str):
            if account_id in seen:
                problems.append(problem_at(("accounts", index, "id"),
                                           f"duplicate account id {account_id} (also accounts[{seen[account_id]}])"))
            else:
                seen[account_id] = index
        owner = account_id if isinstance(account_id, str) and _ACCOUNT_ID.match(account_id) else None
        problems += _account_problems(account, ("accounts", index), owner, check)
    organization = document.get("organization")
    if isinstance(organization, dict):
        problems += _organization_problems(organization, check)
    return problems


def _account_problems(account: dict[str, Any], path: tuple[PathPart, ...], account_id: str | None,
                      check: DocumentCheck) -> list[Problem]:
    problems: list[Problem] = []
    details = account.get("authorization_details")
    if isinstance(details, dict):
        problems += _authorization_problems(details, (*path, "authorization_details"), account_id, check)
    for index, provider in _items(account.get("identity_providers")):
        if isinstance(provider, dict):
            problems += _arn_account(provider.get("arn"), (*path, "identity_providers", index, "arn"), account_id)
    for index, resource in _items(account.get("resources")):
        if not isinstance(resource, dict):
            continue
        where = (*path, "resources", index)
        problems += _arn_account(resource.get("arn"), (*where, "arn"), account_id)
        if resource.get("policy") is not None:
            problems += check(resource["policy"], (*where, "policy"), DocumentKind.RESOURCE)
    return problems


def _authorization_problems(details: dict[str, Any], path: tuple[PathPart, ...],
                            account_id: str | None, check: DocumentCheck) -> list[Problem]:
    problems: list[Problem] = []
    for list_name, inline_name, arn_type in _PRINCIPAL_LISTS:
        arns: dict[str, int] = {}
        for index, entry in _items(details.get(list_name)):
            if not isinstance(entry, dict):
                continue
            where = (*path, list_name, index)
            arn = entry.get("Arn")
            problems += _arn_account(arn, (*where, "Arn"), account_id, iam_type=arn_type)
            if isinstance(arn, str):
                if arn in arns:
                    problems.append(problem_at((*where, "Arn"), f"duplicate {arn_type} {arn} "
                                                                f"(also {list_name}[{arns[arn]}])"))
                arns.setdefault(arn, index)
            for policy_index, policy in _items(entry.get(inline_name)):
                if isinstance(policy, dict) and "PolicyDocument" in policy:
                    problems += check(policy["PolicyDocument"], (*where, inline_name, policy_index, "PolicyDocument"),
                                      DocumentKind.IDENTITY)
            if arn_type == "role" and "AssumeRolePolicyDocument" in entry:
                problems += check(entry["AssumeRolePolicyDocument"], (*where, "AssumeRolePolicyDocument"),
                                  DocumentKind.TRUST)
            boundary = entry.get("PermissionsBoundary")
            if isinstance(boundary, dict) and isinstance(boundary.get("PermissionsBoundaryArn"), str) \
                    and ":policy/" not in boundary["PermissionsBoundaryArn"]:
                problems.append(problem_at((*where, "PermissionsBoundary", "PermissionsBoundaryArn"),
                                           "a permissions boundary must be a managed policy ARN (…:policy/NAME)"))
    for index, policy in _items(details.get("Policies")):
        if isinstance(policy, dict):
            problems += _managed_policy_problems(policy, (*path, "Policies", index), account_id, check)
    return problems


def _managed_policy_problems(policy: dict[str, Any], path: tuple[PathPart, ...],
                             account_id: str | None, check: DocumentCheck) -> list[Problem]:
    problems = _arn_account(policy.get("Arn"), (*path, "Arn"), account_id, iam_type="policy", aws_owned=True)
    versions = [(index, version) for index, version in _items(policy.get("PolicyVersionList"))
                if isinstance(version, dict)]
    for index, version in versions:
        if "Document" in version:
            problems += check(version["Document"], (*path, "PolicyVersionList", index, "Document"),
                              DocumentKind.IDENTITY)
    if versions and default_version_index(policy) is None:
        problems.append(problem_at((*path, "PolicyVersionList"),
                                   "no default version (no IsDefaultVersion true, no VersionId equal to "
                                   "DefaultVersionId)"))
    return problems


def default_version_index(policy: dict[str, Any]) -> int | None:
    """The index of a managed policy's default version in its PolicyVersionList.

    Args:
        policy: One entry of `Policies` in GetAccountAuthorizationDetails.

    Returns:
        The version marked `IsDefaultVersion`, else the one whose `VersionId` is `DefaultVersionId`,
        else None.
    """
    versions = policy.get("PolicyVersionList")
    if not isinstance(versions, list):
        return None
    for index, version in enumerate(versions):
        if isinstance(version, dict) and version.get("IsDefaultVersion") is True:
            return index
    default_id = policy.get("DefaultVersionId")
    for index, version in enumerate(versions):
        if isinstance(version, dict) and default_id is not None and version.get("VersionId") == default_id:
            return index
    return None


def _arn_account(arn: Any, path: tuple[PathPart, ...], account_id: str | None, *, iam_type: str | None = None,
                 aws_owned: bool = False) -> list[Problem]:
    if not isinstance(arn, str) or account_id is None:
        return []
    match = _ARN_ACCOUNT.match(arn)
    if match is None:
        return []  # the schema reports ARNs that are not ARNs
    owner = match.group(1)
    if owner is not None and owner != account_id and not (aws_owned and owner == "aws"):
        return [problem_at(path, f"{arn} belongs to account {owner}, not to the account holding it ({account_id})")]
    if iam_type is not None and not arn.split(":", 5)[5].startswith(f"{iam_type}/"):
        return [problem_at(path, f"{arn} is not an IAM {iam_type} ARN (…:{iam_type}/NAME)")]
    return []


def _organization_problems(organization: dict[str, Any], check: DocumentCheck) -> list[Problem]:
    problems: list[Problem] = []
    containers: dict[str, tuple[PathPart, ...]] = {}
    for index, root in _items(organization.get("roots")):
        if isinstance(root, dict) and isinstance(root.get("id"), str):
            containers[root["id"]] = ("organization", "roots", index)
    for index, unit in _items(organization.get("organizational_units")):
        if isinstance(unit, dict) and isinstance(unit.get("id"), str):
            if unit["id"] in containers:
                problems.append(problem_at(("organization", "organizational_units", index, "id"),
                                           f"duplicate id {unit['id']}"))
            containers[unit["id"]] = ("organization", "organizational_units", index)
    members: set[str] = set()
    for list_name in ("organizational_units", "accounts"):
        for index, entry in _items(organization.get(list_name)):
            if not isinstance(entry, dict):
                continue
            parent = entry.get("parent_id")
            if isinstance(parent, str) and parent not in containers:
                problems.append(problem_at(("organization", list_name, index, "parent_id"),
                                           f"unknown parent {parent} (not a root or OU of the organization)"))
            if list_name == "accounts" and isinstance(entry.get("id"), str):
                if entry["id"] in members:
                    problems.append(problem_at(("organization", "accounts", index, "id"),
                                               f"duplicate account id {entry['id']}"))
                members.add(entry["id"])
    problems += _cycle_problems(organization, containers)
    management = organization.get("management_account_id")
    if isinstance(management, str) and isinstance(organization.get("accounts"), list) and management not in members:
        problems.append(problem_at(("organization", "management_account_id"),
                                   f"management account {management} is not in organization.accounts"))
    for index, policy in _items(organization.get("policies")):
        if not isinstance(policy, dict):
            continue
        where = ("organization", "policies", index)
        if "document" in policy:
            problems += check(policy["document"], (*where, "document"), DocumentKind.ORGANIZATION)
        for target_index, target in _items(policy.get("targets")):
            if isinstance(target, str) and target not in containers and target not in members:
                problems.append(problem_at((*where, "targets", target_index),
                                           f"unknown target {target} (not a root, OU or account of the organization)"))
    return problems


def _cycle_problems(organization: dict[str, Any], containers: dict[str, tuple[PathPart, ...]]) -> list[Problem]:
    parents = {unit["id"]: unit.get("parent_id") for _, unit in _items(organization.get("organizational_units"))
               if isinstance(unit, dict) and isinstance(unit.get("id"), str)}
    problems: list[Problem] = []
    in_reported_cycle: set[str] = set()
    for unit_id in parents:
        if unit_id in in_reported_cycle:
            continue
        seen = {unit_id}
        current = parents.get(unit_id)
        while isinstance(current, str) and current in parents:
            if current == unit_id:
                problems.append(problem_at((*containers[unit_id], "parent_id"),
                                           f"OU {unit_id} is its own ancestor (a cycle in the organization tree)"))
                in_reported_cycle |= seen
                break
            if current in seen:
                break  # a cycle further up, reported from one of its own units
            seen.add(current)
            current = parents[current]
    return problems


def _items(value: Any) -> Iterator[tuple[int, Any]]:
    return enumerate(value) if isinstance(value, list) else iter(())
