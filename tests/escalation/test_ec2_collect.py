"""The EC2 collector (`ec2:DescribeInstances`, read-only) feeds the instance pass-role edges.

Against moto in-process (no network): an instance launched with an instance profile is collected
with its `IamInstanceProfile`, and a user allowed `ssm:StartSession` on it gets a pass-role edge to
the profile's role (a session on the instance has the role's credentials:
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html).
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from graph.build import build_graph
from graph.collect import CollectOptions, collect

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"


@pytest.fixture
def fake_keys(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty"
    empty.write_text("")
    for name, value in {"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "fake",
                        "AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": str(empty),
                        "AWS_SHARED_CREDENTIALS_FILE": str(empty), "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)


def test_collected_instance_gives_the_session_edge(fake_keys: None) -> None:
    with mock_aws():
        iam = boto3.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        role = iam.create_role(RoleName="WorkerRole", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        iam.create_instance_profile(InstanceProfileName="WorkerProfile")
        iam.add_role_to_instance_profile(InstanceProfileName="WorkerProfile", RoleName="WorkerRole")
        ec2 = boto3.client("ec2", region_name=REGION)
        # moto does not check AMI ids by default (listing its images is slow)
        launched = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                                     IamInstanceProfile={"Name": "WorkerProfile"})["Instances"][0]
        instance_arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{launched['InstanceId']}"
        iam.create_user(UserName="operator")
        iam.put_user_policy(UserName="operator", PolicyName="sessions", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ssm:StartSession",
                                                     "Resource": instance_arn}]}))
        snapshot = collect(CollectOptions(regions=(REGION,))).snapshot

    instances = [r for a in snapshot.accounts for r in a.resources if r.type == "AWS::EC2::Instance"]
    assert [r.arn for r in instances] == [instance_arn]
    assert instances[0].properties.get("IamInstanceProfile")["Arn"].endswith(":instance-profile/WorkerProfile")
    graph = build_graph(snapshot)
    edges = graph.graph.get_edge_data(f"arn:aws:iam::{ACCOUNT}:user/operator", role["Arn"], default={})
    assert [data["actions"] for data in edges.values() if data["kind"] == "pass-role"] == [("ssm:StartSession",)]
