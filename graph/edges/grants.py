"""`kms-grant` and `s3-acl` edges: access granted outside policies, by KMS grants and S3 ACLs."""

from __future__ import annotations

from collections.abc import Iterator

from graph.edges import kms_grants, s3_acl
from graph.edges.common import EdgeSpec
from graph.edges.principals import PrincipalIndex
from graph.model import Snapshot


def edges(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str]) -> Iterator[EdgeSpec]:
    """Every edge granted by a KMS grant (`graph.edges.kms_grants`) or a bucket ACL (`graph.edges.s3_acl`)."""
    yield from kms_grants.edges(snapshot, principals, warnings)
    yield from s3_acl.edges(snapshot, principals, warnings)
