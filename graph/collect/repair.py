"""Setting aside what AWS returned malformed, so one bad response never costs the whole collection.

The collected document is checked by the snapshot reader's own validator; each problem it reports
is repaired in the document and recorded in the account's `errors` (code `InvalidPolicyDocument`
or `InvalidResponse`), so answers on the accounts concerned say that something is missing:

- a resource policy that cannot be read becomes `null`, and the resource's `properties.unread`
  gets `"policy"` (a `null` policy alone would read as "no policy");
- an IAM document (trust policy, inline policy, managed policy version) that cannot be read
  becomes a policy with no statements: nothing is guessed from it;
- an IAM entry (user, group, role, managed policy) of the wrong shape is left out;
- an organization of the wrong shape becomes `null` (SCPs and RCPs unknown, never assumed absent).
"""

from __future__ import annotations

import re
from typing import Any

from graph.collect.calls import ReadError
from graph.snapshot import validate_snapshot

_RESOURCE_POLICY = re.compile(r"^accounts\[(\d+)\]\.resources\[(\d+)\]\.policy\b")
_IAM_ENTRY = re.compile(r"^accounts\[(\d+)\]\.authorization_details\.(\w+)\[(\d+)\](?:\.(.*))?$")
_IAM_DOCUMENT = re.compile(r"^(AssumeRolePolicyDocument|(\w+PolicyList)\[(\d+)\]\.PolicyDocument|"
                           r"PolicyVersionList\[(\d+)\]\.Document)\b")
_EMPTY_VERSION = "2012-10-17"
_IAM_SERVICE = "iam"


def repair(document: dict[str, Any], organization_owner: int | None) -> int:
    """Repairs every problem the snapshot validator finds in a collected `document`, in place.

    Args:
        document: The snapshot document the collector built.
        organization_owner: Index of the account whose `errors` record an organization set aside.

    Returns:
        How many repairs were made (0: nothing the collector can repair, or nothing wrong).
    """
    repaired = 0
    dropped: dict[tuple[int, str], set[int]] = {}
    for problem in validate_snapshot(document):
        location, message = problem.location, problem.message
        if (found := _RESOURCE_POLICY.match(location)) is not None:
            repaired += _set_aside_resource_policy(document["accounts"][int(found[1])], int(found[2]), message)
        elif (found := _IAM_ENTRY.match(location)) is not None:
            account = document["accounts"][int(found[1])]
            key, index, rest = found[2], int(found[3]), found[4] or ""
            if (inner := _IAM_DOCUMENT.match(rest)) is not None:
                repaired += _set_aside_iam_document(account, key, index, inner, message)
            elif index not in dropped.setdefault((int(found[1]), key), set()):
                dropped[(int(found[1]), key)].add(index)
                entry = account["authorization_details"][key][index]
                arn = entry.get("Arn") if isinstance(entry, dict) else None
                account["errors"].append(ReadError(_IAM_SERVICE, "GetAccountAuthorizationDetails",
                                                   str(arn) if arn else f"{key}[{index}]", "InvalidResponse",
                                                   f"left out: {location}: {message}").to_json())
                repaired += 1
        elif location.startswith("organization") and document.get("organization") is not None:
            document["organization"] = None
            if organization_owner is not None:
                document["accounts"][organization_owner]["errors"].append(ReadError(
                    "organizations", "(organization)", None, "InvalidResponse",
                    f"the organization was set aside (SCPs and RCPs unknown): {location}: {message}").to_json())
            repaired += 1
    for (account_index, key), indexes in dropped.items():
        entries = document["accounts"][account_index]["authorization_details"][key]
        entries[:] = [entry for position, entry in enumerate(entries) if position not in indexes]
    return repaired


def _set_aside_resource_policy(account: dict[str, Any], index: int, message: str) -> int:
    resource = account["resources"][index]
    if resource["policy"] is None:
        return 0  # a second problem of the same policy
    resource["policy"] = None
    resource["properties"]["unread"] = sorted({*resource["properties"].get("unread", ()), "policy"})
    account["errors"].append(ReadError(resource["arn"].split(":")[2], "(policy document)", resource["arn"],
                                       "InvalidPolicyDocument", message).to_json())
    return 1


def _set_aside_iam_document(account: dict[str, Any], key: str, index: int, inner: re.Match[str],
                            message: str) -> int:
    entry = account["authorization_details"][key][index]
    if inner[1] == "AssumeRolePolicyDocument":
        holder, field, what = entry, "AssumeRolePolicyDocument", "trust policy"
    elif inner[2] is not None:
        holder, field = entry[inner[2]][int(inner[3])], "PolicyDocument"
        what = f"inline policy {holder.get('PolicyName')}"
    else:
        holder, field = entry["PolicyVersionList"][int(inner[4])], "Document"
        what = f"policy version {holder.get('VersionId')}"
    if holder.get(field) == {"Version": _EMPTY_VERSION, "Statement": []}:
        return 0  # a second problem of the same document
    holder[field] = {"Version": _EMPTY_VERSION, "Statement": []}
    account["errors"].append(ReadError(_IAM_SERVICE, "(policy document)", str(entry.get("Arn")),
                                       "InvalidPolicyDocument",
                                       f"{what} unreadable, read as granting nothing: {message}").to_json())
    return 1
