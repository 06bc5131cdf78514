"""Which actions an edge to a resource of a given type can carry (from `graph.policy.actions`).

An edge to a resource lists the actions it allows; these are the candidates. S3 buckets answer
for their objects too: object-level actions are evaluated against object ARNs. Role edges only
carry the role-assumption actions (session tagging is not access).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from graph.policy import actions as catalogue


class ActionTarget(StrEnum):
    """What ARN an action is evaluated against."""

    RESOURCE = "resource"
    """The resource's own ARN (a key, a queue, a role...)."""
    OBJECT = "object"
    """An object inside a bucket (`arn:aws:s3:::bucket/key`)."""


@dataclass(frozen=True, slots=True)
class CatalogAction:
    """One action that can target a resource type."""

    name: str
    """`service:Action` as AWS spells it."""
    target: ActionTarget


def modelled(resource_type: str) -> bool:
    """Whether resources of this CloudFormation type get access edges."""
    return bool(catalogue.actions_for_resource_type(resource_type))


def service_of(resource_type: str) -> str | None:
    """The IAM service prefix of a modelled resource type."""
    found = catalogue.actions_for_resource_type(resource_type)
    return found[0].partition(":")[0] if found else None


@lru_cache(maxsize=64)
def actions_for(resource_type: str) -> tuple[CatalogAction, ...]:
    """Candidate actions on a resource of this type, sorted by name (empty if not modelled)."""
    if resource_type == "AWS::IAM::Role":
        return tuple(CatalogAction(name, ActionTarget.RESOURCE) for name in catalogue.ROLE_ASSUMPTION_ACTIONS)
    is_bucket = resource_type == "AWS::S3::Bucket"
    return tuple(
        CatalogAction(name, ActionTarget.OBJECT if is_bucket and catalogue.object_level(name) else ActionTarget.RESOURCE)
        for name in catalogue.actions_for_resource_type(resource_type)
    )


@lru_cache(maxsize=65536)
def _summary(actions: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    summary: dict[str, int] = {}
    for action in actions:
        level = catalogue.access_level(action)
        name = str(level) if level is not None else "Unknown"
        summary[name] = summary.get(name, 0) + 1
    return tuple(sorted(summary.items()))


def summarize(actions: tuple[str, ...]) -> dict[str, int]:
    """How many of the actions fall in each access level (`{"List": 3, "Read": 12}`)."""
    return dict(_summary(actions))
