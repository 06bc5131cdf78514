"""Units of work for the collector's thread pool, and the progress events they produce.

A `Work` runs in a worker thread and returns `Done`: how many resources it added and the further
work it found (a listing returns one `Work` per resource to read). Workers never wait on other
work, so the bounded pool cannot deadlock; only the scheduler submits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Service(StrEnum):
    """What the collector reads, one progress row each (names as in the snapshot's `errors`)."""

    STS = "sts"
    IAM = "iam"
    ORGANIZATIONS = "organizations"
    EC2 = "ec2"
    S3 = "s3"
    KMS = "kms"
    LAMBDA = "lambda"
    SNS = "sns"
    SQS = "sqs"
    SECRETS_MANAGER = "secretsmanager"
    ECR = "ecr"


REGIONAL_SERVICES: tuple[Service, ...] = (
    Service.KMS, Service.LAMBDA, Service.SNS, Service.SQS, Service.SECRETS_MANAGER, Service.ECR, Service.EC2,
)
"""Services read once per account and region (S3 and IAM are read once per account)."""


@dataclass(frozen=True, slots=True)
class Done:
    """What one piece of work produced."""

    resources: int = 0
    more: tuple[Work, ...] = ()


@dataclass(frozen=True, slots=True)
class Work:
    """One piece of work: a listing, or the reads of one resource."""

    service: Service
    account_id: str
    region: str | None
    run: Callable[[], Done]
    resource: str | None = None
    """The resource it reads (ARN, URL or name), named when the work fails on an unexpected response."""


class Phase(StrEnum):
    QUEUED = "queued"
    """A piece of work was scheduled."""
    DONE = "done"
    """A piece of work finished (successfully or with recorded errors)."""


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """Reported to the progress callback from the scheduler thread (never from a worker)."""

    phase: Phase
    service: Service
    account_id: str
    region: str | None
    resources: int = 0
    """Resources added by the finished work."""
    errors: int = 0
    """Errors recorded in the account while the work ran (approximate under concurrency)."""


ProgressCallback = Callable[[ProgressEvent], None]
