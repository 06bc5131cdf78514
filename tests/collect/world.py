"""A small AWS organization built in moto, the way an administrator would build it with boto3.

Management account 123456789012 (moto's default) holds the organization: Root > Workloads > Prod,
with `dev` in Workloads and `data` in Prod, a third member `broken` (its collector role will be
denied in the failure tests), an SCP on Workloads and an RCP on the root. `dev` has the people
and their roles; `data` has one resource of every type, each with a resource policy naming `dev`.
Every account is reached through `sts.assume_role` into the collector role, as the collector does.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3

MANAGEMENT = "123456789012"
COLLECTOR_ROLE = "XPathCollector"
EXTERNAL_ID = "xpath-collect-external-id"
BUCKET = "shared-data-bucket-xp"
BUCKET_REGION = "eu-west-1"
REGION = "us-east-1"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(principal: dict[str, Any], **extra: Any) -> str:
    return _doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra})


@dataclass(frozen=True, slots=True)
class World:
    """What was built: the ids and ARNs tests check against."""

    org_id: str
    root_id: str
    workloads_ou: str
    prod_ou: str
    dev: str
    data: str
    broken: str
    scp_id: str
    rcp_id: str
    key_arn: str
    function_arn: str
    topic_arn: str
    queue_arn: str
    secret_arn: str
    repository_arn: str

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{BUCKET}"


def session_in(account_id: str) -> boto3.Session:
    """A session in `account_id`, from the management account's credentials through its collector role."""
    sts = boto3.client("sts", region_name=REGION)
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{COLLECTOR_ROLE}",
                                  RoleSessionName="world-setup", ExternalId=EXTERNAL_ID)["Credentials"]
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                         aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=REGION)


def _organization() -> tuple[Any, str, str, str, str, dict[str, str]]:
    org = boto3.client("organizations", region_name=REGION)
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root_id = org.list_roots()["Roots"][0]["Id"]
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        org.enable_policy_type(RootId=root_id, PolicyType=policy_type)
    workloads = org.create_organizational_unit(ParentId=root_id, Name="Workloads")["OrganizationalUnit"]["Id"]
    prod = org.create_organizational_unit(ParentId=workloads, Name="Prod")["OrganizationalUnit"]["Id"]
    accounts = {}
    for name, parent in (("dev", workloads), ("data", prod), ("broken", workloads)):
        account_id = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"][
            "AccountId"]
        org.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=parent)
        accounts[name] = account_id
    return org, org_id, root_id, workloads, prod, accounts


def _org_policies(org: Any, org_id: str, root_id: str, workloads: str, accounts: dict[str, str]) -> tuple[str, str]:
    full_access = next(p["Id"] for p in org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
                       if p["Name"] == "FullAWSAccess")
    attached = {t["TargetId"] for t in org.list_targets_for_policy(PolicyId=full_access)["Targets"]}
    for target in {root_id, workloads, *accounts.values()} - attached:
        # AWS attaches FullAWSAccess to every new OU and account; moto may not, so mirror AWS.
        org.attach_policy(PolicyId=full_access, TargetId=target)
    scp = org.create_policy(
        Name="DenyLeaveOrganization", Description="members stay", Type="SERVICE_CONTROL_POLICY",
        Content=_doc({"Sid": "NoLeaving", "Effect": "Deny", "Action": "organizations:LeaveOrganization",
                      "Resource": "*"}))["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scp, TargetId=workloads)
    rcp = org.create_policy(
        Name="DenyS3OutsideOrg", Description="perimeter", Type="RESOURCE_CONTROL_POLICY",
        Content=_doc({"Sid": "Perimeter", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                      "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id},
                                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}))[
        "Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=rcp, TargetId=root_id)
    return scp, rcp


def _collector_roles(accounts: list[str]) -> None:
    """The role the collector assumes in each account (trusting the management account, with external ID)."""
    trust = _trust({"AWS": f"arn:aws:iam::{MANAGEMENT}:root"},
                   Condition={"StringEquals": {"sts:ExternalId": EXTERNAL_ID}})
    for account_id in accounts:
        iam = session_in(account_id).client("iam")  # moto lets the first assume_role in before the role exists
        iam.create_role(RoleName=COLLECTOR_ROLE, AssumeRolePolicyDocument=trust)
    boto3.client("iam", region_name=REGION).create_role(RoleName=COLLECTOR_ROLE, AssumeRolePolicyDocument=trust)


def _people(dev: str, data: str) -> None:
    iam = session_in(dev).client("iam")
    read_data = _doc({"Sid": "ReadShared", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                      "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]})
    policy_arn = iam.create_policy(PolicyName="ReadSharedData", Path="/data/",
                                   PolicyDocument=_doc({"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
                                                        "Resource": "*"}))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=read_data, SetAsDefault=True)
    iam.create_group(GroupName="developers")
    iam.put_group_policy(GroupName="developers", PolicyName="assume-data-reader",
                         PolicyDocument=_doc({"Effect": "Allow", "Action": "sts:AssumeRole",
                                              "Resource": f"arn:aws:iam::{data}:role/DataReader"}))
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "analytics"}])
    iam.add_user_to_group(GroupName="developers", UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=policy_arn)
    iam.create_user(UserName="bob")
    iam.create_role(RoleName="AppRole", AssumeRolePolicyDocument=_trust({"Service": "lambda.amazonaws.com"}))
    iam.put_role_policy(RoleName="AppRole", PolicyName="read-queue", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": f"arn:aws:sqs:{REGION}:{data}:data-jobs"}))
    iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com",
                                        ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40])
    iam.create_saml_provider(Name="Okta", SAMLMetadataDocument="<EntityDescriptor " + "x" * 1000 + "/>")
    data_iam = session_in(data).client("iam")
    data_iam.create_role(RoleName="DataReader",
                         AssumeRolePolicyDocument=_trust({"AWS": f"arn:aws:iam::{dev}:root"},
                                                         Condition={"StringEquals": {"sts:ExternalId": "dev-42"}}))
    data_iam.create_role(RoleName="FunctionRole",
                         AssumeRolePolicyDocument=_trust({"Service": "lambda.amazonaws.com"}))


def _grant_dev(dev: str, actions: str | list[str], resource: str, sid: str) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{dev}:root"}, "Action": actions,
            "Resource": resource}


def _resources(dev: str, data: str) -> dict[str, str]:
    session = session_in(data)
    kms = session.client("kms")
    key_policy = _doc({"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{data}:root"},
                       "Action": "kms:*", "Resource": "*"},
                      _grant_dev(dev, ["kms:Decrypt", "kms:DescribeKey"], "*", "DevDecrypt"))
    key_arn = kms.create_key(Policy=key_policy, Description="shared data")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/shared-data", TargetKeyId=key_arn)
    kms.create_grant(KeyId=key_arn, GranteePrincipal=f"arn:aws:iam::{dev}:role/AppRole", Operations=["Decrypt"])

    s3 = session.client("s3", region_name=BUCKET_REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": BUCKET_REGION})
    s3.put_bucket_policy(Bucket=BUCKET, Policy=_doc(_grant_dev(dev, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/*",
                                                               "DevReads")))
    s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_ownership_controls(Bucket=BUCKET, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
    s3.put_bucket_acl(Bucket=BUCKET, GrantRead="uri=http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
                      GrantFullControl=f"id={s3.get_bucket_acl(Bucket=BUCKET)['Owner']['ID']}")
    s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
        "BucketKeyEnabled": True}]})
    s3.put_object(Bucket=BUCKET, Key="report.csv", Body=b"secret,object,content")
    session.client("s3control").put_public_access_block(AccountId=data, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": False})
    session.client("s3").create_bucket(Bucket="data-logs-xp")

    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 1\n")
    lam = session.client("lambda")
    function_arn = lam.create_function(FunctionName="ingest", Runtime="python3.12", Handler="app.handler",
                                       Role=f"arn:aws:iam::{data}:role/FunctionRole",
                                       Code={"ZipFile": code.getvalue()})["FunctionArn"]
    lam.add_permission(FunctionName="ingest", StatementId="DevInvokes", Action="lambda:InvokeFunction",
                       Principal=f"arn:aws:iam::{dev}:root")
    lam.create_function_url_config(FunctionName="ingest", AuthType="NONE")

    sns = session.client("sns")
    topic_arn = sns.create_topic(Name="data-events", Attributes={"KmsMasterKeyId": "alias/shared-data"})["TopicArn"]
    sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy",
                             AttributeValue=_doc(_grant_dev(dev, "sns:Publish", topic_arn, "DevPublishes")))

    sqs = session.client("sqs")
    queue_url = sqs.create_queue(QueueName="data-jobs", Attributes={"KmsMasterKeyId": key_arn})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={
        "Policy": _doc(_grant_dev(dev, "sqs:SendMessage", queue_arn, "DevSends"))})

    secrets = session.client("secretsmanager")
    secret_arn = secrets.create_secret(Name="db-password", SecretString="hunter2-never-collected",
                                       KmsKeyId=key_arn)["ARN"]
    secrets.put_resource_policy(SecretId=secret_arn, ResourcePolicy=_doc(
        _grant_dev(dev, "secretsmanager:GetSecretValue", "*", "DevReadsSecret")))

    ecr = session.client("ecr")
    repository_arn = ecr.create_repository(repositoryName="app-images")["repository"]["repositoryArn"]
    ecr.set_repository_policy(repositoryName="app-images", policyText=_doc(
        {"Sid": "DevPulls", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{dev}:root"},
         "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}))
    return {"key": key_arn, "function": function_arn, "topic": topic_arn, "queue": queue_arn, "secret": secret_arn,
            "repository": repository_arn}


def build_world() -> World:
    """Builds the organization inside an active moto mock (credentials already in the environment)."""
    org, org_id, root_id, workloads, prod, accounts = _organization()
    scp, rcp = _org_policies(org, org_id, root_id, workloads, accounts)
    _collector_roles(list(accounts.values()))
    _people(accounts["dev"], accounts["data"])
    made = _resources(accounts["dev"], accounts["data"])
    return World(org_id, root_id, workloads, prod, accounts["dev"], accounts["data"], accounts["broken"], scp, rcp,
                 made["key"], made["function"], made["topic"], made["queue"], made["secret"], made["repository"])
