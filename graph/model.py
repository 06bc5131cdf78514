"""Typed, immutable model of a snapshot (format v1).

`graph.snapshot` is the only code that turns raw JSON into these objects and back; everything
else (evaluator, graph builder, queries, explorer) works on them. Policy documents are kept as
canonical JSON text (`PolicyDocument`) so that they are hashable, compare by value, and the
evaluator can parse each distinct document once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson

_CANONICAL_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
"""What `json.dumps` builds on every call with these options; one shared encoder saves a third of the time."""

_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
"""Values `json` refuses are refused by orjson too (and then `json` says why)."""


def canonical_json(value: Any) -> str:
    """JSON text with a stable form (key order kept, no spaces), used for equality and caching.

    orjson writes the same text as `json.dumps(value, separators=(",", ":"), ensure_ascii=False)`
    four times faster, except for floats in exponent form (`1e16`, not `1e+16`: the same number).
    Where it would differ in meaning, `json` writes the text: orjson refuses integers past 64 bits,
    non-string keys and lone surrogates, and writes NaN and infinities as `null`. The text is a
    function of the value either way, so equal documents still have equal texts.
    """
    try:
        text = orjson.dumps(value, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return _CANONICAL_ENCODER.encode(value)
    if b"null" in text:
        return _CANONICAL_ENCODER.encode(value)
    return text.decode()


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """One IAM policy document, as canonical JSON text."""

    text: str
    """The document as canonical JSON (see `canonical_json`)."""

    @classmethod
    def from_dict(cls, document: Any) -> PolicyDocument:
        return cls(canonical_json(document))

    def as_dict(self) -> Any:
        """A fresh, mutable copy of the document."""
        return json.loads(self.text)


@dataclass(frozen=True, slots=True)
class Properties:
    """Free-form, service-specific properties of a resource (canonical JSON of an object)."""

    text: str = "{}"

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Properties:
        return cls(canonical_json(value))

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.text)
        return result

    def get(self, key: str, default: Any = None) -> Any:
        return self.as_dict().get(key, default)


class ResourceType(StrEnum):
    """Resource types we model, by their CloudFormation names."""

    S3_BUCKET = "AWS::S3::Bucket"
    KMS_KEY = "AWS::KMS::Key"
    LAMBDA_FUNCTION = "AWS::Lambda::Function"
    SNS_TOPIC = "AWS::SNS::Topic"
    SQS_QUEUE = "AWS::SQS::Queue"
    SECRET = "AWS::SecretsManager::Secret"
    ECR_REPOSITORY = "AWS::ECR::Repository"


Tags = tuple[tuple[str, str], ...]
"""Tags as sorted (key, value) pairs."""


@dataclass(frozen=True, slots=True)
class InlinePolicy:
    name: str
    document: PolicyDocument


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """A non-default version of a managed policy: `iam:SetDefaultPolicyVersion` can make it the default."""

    version_id: str | None
    document: PolicyDocument
    create_date: str | None = None


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A managed policy (customer or AWS managed) with its default version's document."""

    arn: str
    name: str
    path: str
    document: PolicyDocument
    """The default version's document."""
    policy_id: str | None = None
    default_version_id: str | None = None
    attachment_count: int | None = None
    permissions_boundary_usage_count: int | None = None
    other_versions: tuple[PolicyVersion, ...] = ()
    """The non-default versions, in the snapshot's order (GetAccountAuthorizationDetails lists them all)."""

    @property
    def aws_managed(self) -> bool:
        return self.arn.startswith("arn:aws:iam::aws:") or ":iam::aws:policy/" in self.arn


@dataclass(frozen=True, slots=True)
class Group:
    arn: str
    name: str
    account_id: str
    path: str = "/"
    group_id: str | None = None
    inline_policies: tuple[InlinePolicy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class User:
    arn: str
    name: str
    account_id: str
    path: str = "/"
    user_id: str | None = None
    inline_policies: tuple[InlinePolicy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    group_names: tuple[str, ...] = ()
    permissions_boundary_arn: str | None = None
    tags: Tags = ()


@dataclass(frozen=True, slots=True)
class Role:
    arn: str
    name: str
    account_id: str
    trust_policy: PolicyDocument
    path: str = "/"
    role_id: str | None = None
    inline_policies: tuple[InlinePolicy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    permissions_boundary_arn: str | None = None
    tags: Tags = ()
    instance_profile_arns: tuple[str, ...] = ()
    max_session_duration: int | None = None

    @property
    def service_linked(self) -> bool:
        return self.path.startswith("/aws-service-role/")


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    arn: str
    type: str
    """"SAML" or "OIDC"."""
    url: str | None = None
    client_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resource:
    arn: str
    type: str
    """CloudFormation type name, e.g. "AWS::S3::Bucket" (see `ResourceType`); others are kept."""
    account_id: str
    region: str | None = None
    name: str | None = None
    policy: PolicyDocument | None = None
    properties: Properties = field(default_factory=Properties)


@dataclass(frozen=True, slots=True)
class CollectionError:
    """Something the collector could not read; answers built on the snapshot say so."""

    service: str
    operation: str
    resource: str | None
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str | None = None
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    roles: tuple[Role, ...] = ()
    managed_policies: tuple[ManagedPolicy, ...] = ()
    identity_providers: tuple[IdentityProvider, ...] = ()
    resources: tuple[Resource, ...] = ()
    errors: tuple[CollectionError, ...] = ()


@dataclass(frozen=True, slots=True)
class OrgRoot:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class OrganizationalUnit:
    id: str
    name: str
    parent_id: str


@dataclass(frozen=True, slots=True)
class OrgAccount:
    id: str
    name: str | None
    parent_id: str


class OrgPolicyType(StrEnum):
    SCP = "SERVICE_CONTROL_POLICY"
    RCP = "RESOURCE_CONTROL_POLICY"


@dataclass(frozen=True, slots=True)
class OrgPolicy:
    id: str
    name: str
    type: OrgPolicyType
    document: PolicyDocument
    targets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    management_account_id: str
    roots: tuple[OrgRoot, ...] = ()
    organizational_units: tuple[OrganizationalUnit, ...] = ()
    accounts: tuple[OrgAccount, ...] = ()
    policies: tuple[OrgPolicy, ...] = ()


@dataclass(frozen=True, slots=True)
class Snapshot:
    collected_at: str
    source: str
    """"live", "demo", "synthetic" or "import"."""
    organization: Organization | None
    accounts: tuple[Account, ...]
    version: int = 1
