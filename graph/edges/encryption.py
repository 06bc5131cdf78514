"""Encrypted data: which KMS key a resource's data needs (SEMANTICS §4.3 "data reach").

An S3 bucket with SSE-KMS, an SQS queue or SNS topic with `KmsMasterKeyId`, a secret with
`KmsKeyId`: reading (or writing) its data also needs the key, so reaching the resource is not
enough. The key is found in the resource's properties and resolved among the snapshot's keys by
ARN, key id or alias.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graph.model import Resource, ResourceType
from graph.policy.actions import AccessLevel, access_level

if TYPE_CHECKING:
    from graph.build import AccessGraph

_KEY_FIELDS = frozenset({"kmsmasterkeyid", "kmskeyid", "kms_key_id", "kmskeyarn", "sseawskmskeyid"})


@dataclass(frozen=True, slots=True)
class KeyRequirement:
    """The KMS key a resource's data needs, and the KMS action that needs it."""

    resource: str
    key: str
    """The key as the resource names it (ARN, key id or alias)."""
    key_arn: str
    """The key's ARN when the snapshot holds it (else `key`)."""
    action: str
    """`kms:Decrypt` to read, `kms:GenerateDataKey` to write."""
    in_snapshot: bool
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key_arn, "as_named": self.key, "action": self.action, "in_snapshot": self.in_snapshot}


def _key_values(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for name, inner in value.items():
            if str(name).lower() in _KEY_FIELDS and isinstance(inner, str) and inner:
                yield inner
            else:
                yield from _key_values(inner)
    elif isinstance(value, list):
        for item in value:
            yield from _key_values(item)


def named_key(resource: Resource) -> str | None:
    """The KMS key a resource's properties name for encrypting its data, if any."""
    return next(_key_values(resource.properties.as_dict()), None)


def _aliases(key: Resource) -> set[str]:
    raw = key.properties.get("Aliases") or key.properties.get("AliasNames") or []
    names = {str(a.get("AliasName", "")) if isinstance(a, dict) else str(a) for a in raw} if isinstance(raw, list) else set()
    return {n if n.startswith("alias/") else f"alias/{n}" for n in names if n}


def resolve_key(named: str, keys: list[Resource]) -> Resource | None:
    """The key resource named by ARN, key id, alias name or alias ARN."""
    for key in keys:
        key_id = key.arn.rsplit("/", 1)[-1]
        if named in (key.arn, key_id):
            return key
        alias = named.split(":", 5)[5] if named.startswith("arn:") and ":alias/" in named else named
        if alias in _aliases(key):
            return key
    return None


def key_requirement(ag: AccessGraph, resource_arn: str, action: str | None) -> KeyRequirement | None:
    """The key the resource's data needs (None when it is not KMS-encrypted with a named key)."""
    resource = ag.resources.get(resource_arn)
    if resource is None or resource.type == ResourceType.KMS_KEY:
        return None
    named = named_key(resource)
    if named is None:
        return None
    writes = action is not None and "*" not in action and access_level(action) == AccessLevel.WRITE
    kms_action = "kms:GenerateDataKey" if writes else "kms:Decrypt"
    keys = [r for r in ag.resources.values() if r.type == ResourceType.KMS_KEY]
    key = resolve_key(named, keys)
    if key is not None:
        return KeyRequirement(resource_arn, named, key.arn, kms_action, True)
    if "alias/aws/" in named:
        note = (f"{resource_arn} is encrypted with the AWS managed key {named}: only principals of its own "
                "account can use it")
    else:
        note = (f"{resource_arn} is encrypted with KMS key {named}, which is not in the snapshot: "
                "whether each principal can use it is unknown")
    return KeyRequirement(resource_arn, named, named, kms_action, False, (note,))
