"""ECR repositories: the repository policy."""

from __future__ import annotations

from functools import partial
from typing import Any

from graph.collect.account import Scope
from graph.collect.calls import Outcome
from graph.collect.entries import policy_document, resource_entry
from graph.collect.work import Done, Service, Work
from graph.model import ResourceType


def list_repositories(scope: Scope) -> Done:
    """Lists the region's repositories and schedules the policy read of each one."""
    listing = scope.reader(Service.ECR).pages("DescribeRepositories", scope.region)
    if not listing.ok:
        return Done()
    return Done(more=tuple(Work(Service.ECR, scope.account.id, scope.region,
                                partial(read_repository, scope, repository),
                                resource=_name_of(repository))
                           for repository in listing.data.get("repositories", ())))


def read_repository(scope: Scope, repository: dict[str, Any]) -> Done:
    """Reads one repository's policy and adds it."""
    name = repository["repositoryName"]
    reply = scope.reader(Service.ECR).call(
        "GetRepositoryPolicy", repository["repositoryArn"], absent=("RepositoryPolicyNotFoundException",),
        gone=("RepositoryNotFoundException",), repositoryName=name, registryId=repository["registryId"])
    if reply.outcome is Outcome.GONE:
        return Done()
    scanning = repository.get("imageScanningConfiguration") or {}
    encryption = repository.get("encryptionConfiguration") or {}
    scope.account.add_resource(resource_entry(
        repository["repositoryArn"], ResourceType.ECR_REPOSITORY.value, scope.region, name,
        policy_document(reply.data.get("policyText")),
        {"RepositoryUri": repository.get("repositoryUri"),
         "ImageTagMutability": repository.get("imageTagMutability"),
         "ScanOnPush": scanning.get("scanOnPush"), "EncryptionType": encryption.get("encryptionType")},
        (reply,),
    ))
    return Done(resources=1)


def _name_of(listed: Any) -> str | None:
    """The ARN of a listed entry, when the listing gave one (named if reading it fails)."""
    return str(listed.get("repositoryArn")) if isinstance(listed, dict) and listed.get("repositoryArn") else None
