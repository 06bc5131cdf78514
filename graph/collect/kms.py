"""KMS keys: key policy, grants, key manager and aliases.

Every key's policy is read, AWS managed keys included: encrypted data in SNS, SQS or Secrets
Manager often names `alias/aws/...`, and the graph needs that key to say who can decrypt. Grants
are read for customer managed keys only (AWS managed keys' grants are made by services for
themselves). `KeyManager` is `AWS` or `CUSTOMER` as DescribeKey gives it.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial

from graph.collect.account import Scope
from graph.collect.calls import Outcome
from graph.collect.entries import policy_document, resource_entry
from graph.collect.work import Done, Service, Work
from graph.model import ResourceType

_GONE = ("NotFoundException",)


def list_keys(scope: Scope) -> Done:
    """Lists the region's keys and aliases and schedules the reads of each key."""
    reader = scope.reader(Service.KMS)
    keys = reader.pages("ListKeys", scope.region)
    if not keys.ok:
        return Done()
    aliases = reader.pages("ListAliases", scope.region)
    names: dict[str, list[str]] = defaultdict(list)
    for alias in aliases.data.get("Aliases", ()) if aliases.ok else ():
        if alias.get("TargetKeyId"):
            names[alias["TargetKeyId"]].append(alias["AliasName"])
    return Done(more=tuple(
        Work(Service.KMS, scope.account.id, scope.region,
             partial(read_key, scope, key["KeyArn"], key["KeyId"], sorted(names.get(key["KeyId"], ()))))
        for key in keys.data.get("Keys", ())))


def read_key(scope: Scope, arn: str, key_id: str, aliases: list[str]) -> Done:
    """Reads one key's metadata, policy and (customer managed keys) grants, and adds it."""
    reader = scope.reader(Service.KMS)
    described = reader.call("DescribeKey", arn, gone=_GONE, KeyId=arn)
    if described.outcome is Outcome.GONE:
        return Done()
    metadata = described.data.get("KeyMetadata", {})
    policy = reader.call("GetKeyPolicy", arn, gone=_GONE, KeyId=arn, PolicyName="default")
    replies = [described, policy]
    grants = None
    if metadata.get("KeyManager") == "CUSTOMER":
        listed = reader.pages("ListGrants", arn, gone=_GONE, KeyId=arn)
        replies.append(listed)
        grants = listed.data.get("Grants", []) if listed.ok else None
    scope.account.add_resource(resource_entry(
        arn, ResourceType.KMS_KEY.value, scope.region, key_id, policy_document(policy.data.get("Policy")),
        {
            "KeyManager": metadata.get("KeyManager"), "KeyState": metadata.get("KeyState"),
            "KeySpec": metadata.get("KeySpec"), "KeyUsage": metadata.get("KeyUsage"),
            "Origin": metadata.get("Origin"), "MultiRegion": metadata.get("MultiRegion"),
            "Aliases": aliases, "Grants": grants,
        },
        tuple(replies),
    ))
    return Done(resources=1)
