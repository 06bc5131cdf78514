"""Builds a two-account organization in a running moto_server (run as a script by the e2e test).

Usage: python -m tests.collect.server_setup ENDPOINT_URL. Prints the member account id. Runs in
its own process so that no in-process moto mock can intercept the calls to the server.
"""

from __future__ import annotations

import json
import sys

import boto3

ROLE = "XPathCollector"
BUCKET = "e2e-shared-bucket"


def main(endpoint: str) -> None:
    org = boto3.client("organizations", endpoint_url=endpoint)
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(Email="member@example.com", AccountName="member")["CreateAccountStatus"]["AccountId"]
    credentials = boto3.client("sts", endpoint_url=endpoint).assume_role(
        RoleArn=f"arn:aws:iam::{member}:role/{ROLE}", RoleSessionName="setup")["Credentials"]
    session = boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                            aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"], region_name="us-east-1")
    session.client("iam", endpoint_url=endpoint).create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}))
    s3 = session.client("s3", endpoint_url=endpoint)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))
    session.client("sqs", endpoint_url=endpoint).create_queue(QueueName="e2e-queue")
    print(member)


if __name__ == "__main__":
    main(sys.argv[1])
