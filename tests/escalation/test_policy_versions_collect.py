"""The collector keeps every version of a customer managed policy, so the SetDefaultPolicyVersion edge exists.

Against moto in-process (no network). GetAccountAuthorizationDetails returns each managed policy's
`PolicyVersionList` with all its versions, the default one marked `IsDefaultVersion`
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from graph.build import build_graph
from graph.collect import CollectOptions, collect
from tests.escalation.helpers import edges_of

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"


@pytest.fixture
def fake_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("")
    for name, value in {"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "fake",
                        "AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": str(empty),
                        "AWS_SHARED_CREDENTIALS_FILE": str(empty), "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_collected_older_version_gives_the_switch_edge(fake_keys: None) -> None:
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="secrets")
        iam = boto3.client("iam")
        read = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::secrets/*"}
        policy = iam.create_policy(PolicyName="DevPolicy", PolicyDocument=_doc(read))["Policy"]["Arn"]
        # v2 becomes the default: dev can no longer read the bucket, unless it switches back to v1
        iam.create_policy_version(PolicyArn=policy, SetAsDefault=True, PolicyDocument=_doc(
            {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}))
        iam.create_user(UserName="dev")
        iam.attach_user_policy(UserName="dev", PolicyArn=policy)
        iam.put_user_policy(UserName="dev", PolicyName="switch", PolicyDocument=_doc(
            {"Effect": "Allow", "Action": "iam:SetDefaultPolicyVersion", "Resource": policy}))
        snapshot = collect(CollectOptions(regions=(REGION,))).snapshot

    [managed] = [p for a in snapshot.accounts for p in a.managed_policies if p.arn == policy]
    assert managed.default_version_id == "v2"
    assert [(v.version_id, v.document.as_dict()["Statement"]) for v in managed.other_versions] == [("v1", [read])]
    assert isinstance(managed.other_versions[0].create_date, str), "the creation date is kept as collected"
    found = edges_of(build_graph(snapshot), f"arn:aws:iam::{ACCOUNT}:user/dev", "arn:aws:s3:::secrets",
                     "privilege-escalation")
    assert [e["actions"] for e in found] == [("iam:SetDefaultPolicyVersion", "s3:GetObject")]
