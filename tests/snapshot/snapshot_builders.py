"""Snapshot documents for the reader and validator tests: a minimal valid one, and snapshots around
a realistic `aws iam get-account-authorization-details` output in its three document encodings."""

from __future__ import annotations

import copy
import json
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import quote

DATA = Path(__file__).parent / "data"
GAAD_ACCOUNT = "123456789012"


class Encoding(Enum):
    """How policy documents appear in GetAccountAuthorizationDetails output."""

    OBJECT = "object"
    """Decoded objects, as the AWS CLI prints them."""
    JSON_STRING = "json-string"
    """JSON text in a string."""
    URL_ENCODED = "url-encoded"
    """URL-encoded JSON text, as the raw IAM API returns it."""


def gaad_cli_output() -> dict[str, Any]:
    """The fixture: what `aws iam get-account-authorization-details` prints for a small account."""
    document: dict[str, Any] = json.loads((DATA / "gaad_cli_output.json").read_text(encoding="utf-8"))
    return document


def encode_documents(gaad: dict[str, Any], encoding: Encoding) -> dict[str, Any]:
    """A copy of a GAAD response with every policy document in the given encoding."""
    result = copy.deepcopy(gaad)

    def encode(document: Any) -> Any:
        if encoding is Encoding.OBJECT:
            return document
        text = json.dumps(document, separators=(",", ":"))
        return text if encoding is Encoding.JSON_STRING else quote(text, safe="")

    for entry in result["UserDetailList"]:
        for policy in entry["UserPolicyList"]:
            policy["PolicyDocument"] = encode(policy["PolicyDocument"])
    for entry in result["GroupDetailList"]:
        for policy in entry["GroupPolicyList"]:
            policy["PolicyDocument"] = encode(policy["PolicyDocument"])
    for entry in result["RoleDetailList"]:
        entry["AssumeRolePolicyDocument"] = encode(entry["AssumeRolePolicyDocument"])
        for policy in entry["RolePolicyList"]:
            policy["PolicyDocument"] = encode(policy["PolicyDocument"])
    for policy in result["Policies"]:
        for version in policy["PolicyVersionList"]:
            version["Document"] = encode(version["Document"])
    return result


def gaad_snapshot(encoding: Encoding = Encoding.OBJECT) -> dict[str, Any]:
    """A snapshot holding the fixture account (no organization), documents in `encoding`."""
    return {
        "format": "xpath-snapshot", "version": 1, "collected_at": "2026-11-27T10:00:00Z", "source": "import",
        "organization": None,
        "accounts": [{"id": GAAD_ACCOUNT, "name": "fixture",
                      "authorization_details": encode_documents(gaad_cli_output(), encoding)}],
    }


def minimal_snapshot() -> dict[str, Any]:
    """A small valid snapshot: an organization of two accounts, one role each, a bucket with a policy."""
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]}
    bucket_policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Dev", "Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::b/*"}]}
    return {
        "format": "xpath-snapshot", "version": 1, "collected_at": "2026-11-27T10:00:00Z", "source": "import",
        "organization": {
            "id": "o-abcdefghij", "management_account_id": "111111111111",
            "roots": [{"id": "r-ab12", "name": "Root"}],
            "organizational_units": [{"id": "ou-ab12-abcdefgh", "name": "Workloads", "parent_id": "r-ab12"}],
            "accounts": [{"id": "111111111111", "name": "dev", "parent_id": "r-ab12"},
                         {"id": "222222222222", "name": "data", "parent_id": "ou-ab12-abcdefgh"}],
            "policies": [{"id": "p-FullAWSAccess", "name": "FullAWSAccess", "type": "SERVICE_CONTROL_POLICY",
                          "document": {"Version": "2012-10-17",
                                       "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                          "targets": ["r-ab12"]}],
        },
        "accounts": [
            {"id": "111111111111", "name": "dev", "authorization_details": {"RoleDetailList": [
                {"RoleName": "App", "Arn": "arn:aws:iam::111111111111:role/App", "AssumeRolePolicyDocument": trust}]}},
            {"id": "222222222222", "name": "data",
             "authorization_details": {"RoleDetailList": [
                 {"RoleName": "Reader", "Arn": "arn:aws:iam::222222222222:role/Reader",
                  "AssumeRolePolicyDocument": copy.deepcopy(trust)}]},
             "resources": [{"arn": "arn:aws:s3:::b", "type": "AWS::S3::Bucket", "policy": bucket_policy}],
             "errors": [{"service": "sns", "operation": "ListTopics", "code": "AccessDenied", "message": "no"}]},
        ],
    }
