"""Secrets Manager secrets: the resource policy and the KMS key (never the secret's value).

ListSecrets already gives the key id, rotation and tags, so each secret costs one more call
(GetResourcePolicy). GetSecretValue is never called.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from graph.collect.account import Scope
from graph.collect.calls import Outcome
from graph.collect.entries import policy_document, resource_entry
from graph.collect.work import Done, Service, Work
from graph.model import ResourceType


def list_secrets(scope: Scope) -> Done:
    """Lists the region's secrets and schedules the policy read of each one."""
    listing = scope.reader(Service.SECRETS_MANAGER).pages("ListSecrets", scope.region)
    if not listing.ok:
        return Done()
    return Done(more=tuple(Work(Service.SECRETS_MANAGER, scope.account.id, scope.region,
                                partial(read_secret, scope, secret), resource=_name_of(secret))
                           for secret in listing.data.get("SecretList", ())))


def read_secret(scope: Scope, secret: dict[str, Any]) -> Done:
    """Reads one secret's resource policy and adds it."""
    arn = secret["ARN"]
    reply = scope.reader(Service.SECRETS_MANAGER).call("GetResourcePolicy", arn, gone=("ResourceNotFoundException",),
                                                       SecretId=arn)
    if reply.outcome is Outcome.GONE:
        return Done()
    scope.account.add_resource(resource_entry(
        arn, ResourceType.SECRET.value, scope.region, secret.get("Name", arn.rsplit(":", 1)[-1]),
        policy_document(reply.data.get("ResourcePolicy")),
        {"KmsKeyId": secret.get("KmsKeyId"), "RotationEnabled": secret.get("RotationEnabled"),
         "OwningService": secret.get("OwningService"), "Tags": secret.get("Tags") or None},
        (reply,),
    ))
    return Done(resources=1)


def _name_of(listed: Any) -> str | None:
    """The ARN of a listed entry, when the listing gave one (named if reading it fails)."""
    return str(listed.get("ARN")) if isinstance(listed, dict) and listed.get("ARN") else None
