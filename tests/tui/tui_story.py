"""A tiny organization telling the demo's story, built from model objects (no snapshot reader needed).

Account A (dev) runs AppInstanceRole, which may assume CrossAccountS3Access in account B (data);
that role reads shared-data-bucket, whose bucket policy also grants A directly. A vendor account
(not collected) is trusted by VendorAuditRole with an sts:ExternalId condition; LegacyOpenRole trusts
anyone ("*"), which findings must report. One role's name and
tag carry Rich markup and an escape sequence, to prove they are shown literally.
"""

from __future__ import annotations

from typing import Any

from graph.model import (
    Account,
    CollectionError,
    InlinePolicy,
    Organization,
    OrgAccount,
    OrganizationalUnit,
    OrgRoot,
    PolicyDocument,
    Resource,
    Role,
    Snapshot,
)

A = "111111111111"
B = "222222222222"
VENDOR = "999999999999"
BUCKET = "arn:aws:s3:::shared-data-bucket"
APP_ROLE = f"arn:aws:iam::{A}:role/AppInstanceRole"
CROSS_ROLE = f"arn:aws:iam::{B}:role/CrossAccountS3Access"
VENDOR_ROLE = f"arn:aws:iam::{B}:role/VendorAuditRole"
EXTERNAL_ID = "my-secret-external-id-12345"
HOSTILE_NAME = "[bold red]pwned[/]\x1b[31mred"
HOSTILE_ROLE = f"arn:aws:iam::{A}:role/Hostile"
OPEN_ROLE = f"arn:aws:iam::{B}:role/LegacyOpenRole"


def _doc(*statements: dict[str, Any]) -> PolicyDocument:
    return PolicyDocument.from_dict({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(principal: str, **extra: Any) -> PolicyDocument:
    return _doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole", **extra})


def story_snapshot() -> Snapshot:
    """The story above, as a snapshot."""
    app_role = Role(APP_ROLE, "AppInstanceRole", A,
                    PolicyDocument.from_dict({"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
                    inline_policies=(InlinePolicy("assume-and-read", _doc(
                        {"Sid": "AssumeData", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": CROSS_ROLE},
                        {"Sid": "ReadShared", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                         "Resource": [BUCKET, f"{BUCKET}/*"]})),))
    hostile = Role(HOSTILE_ROLE, "Hostile", A, _trust(f"arn:aws:iam::{A}:root"),
                   tags=(("owner", HOSTILE_NAME),))
    cross = Role(CROSS_ROLE, "CrossAccountS3Access", B, _trust(f"arn:aws:iam::{A}:root"),
                 inline_policies=(InlinePolicy("read-bucket", _doc(
                     {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                      "Resource": [BUCKET, f"{BUCKET}/*"]})),))
    vendor = Role(VENDOR_ROLE, "VendorAuditRole", B,
                  _trust(f"arn:aws:iam::{VENDOR}:root", Condition={"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}),
                  inline_policies=(InlinePolicy("audit", _doc(
                      {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"})),))
    open_role = Role(OPEN_ROLE, "LegacyOpenRole", B, _trust("*"))
    bucket = Resource(BUCKET, "AWS::S3::Bucket", B, "us-east-1", "shared-data-bucket", _doc(
        {"Sid": "DevReadsDirectly", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
         "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [BUCKET, f"{BUCKET}/*"]}))
    org = Organization(
        "o-abcdef1234", B,
        roots=(OrgRoot("r-root", "Root"),),
        organizational_units=(OrganizationalUnit("ou-work-1111", "Workloads", "r-root"),
                              OrganizationalUnit("ou-data-2222", "Data", "r-root")),
        accounts=(OrgAccount(A, "dev", "ou-work-1111"), OrgAccount(B, "data", "ou-data-2222")),
    )
    return Snapshot(
        collected_at="2026-11-27T10:00:00Z", source="synthetic", organization=org,
        accounts=(
            Account(A, "dev", roles=(app_role, hostile)),
            Account(B, "data", roles=(cross, open_role, vendor), resources=(bucket,),
                    errors=(CollectionError("kms", "ListKeys", None, "AccessDenied", "not authorized"),)),
        ),
    )
