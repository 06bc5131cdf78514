"""Names and policy documents the synthetic organization generator draws from (`graph.synthetic`).

AWS managed policies are simplified (shorter action lists) but keep their ARNs, shapes and intent.
"""

from __future__ import annotations

from typing import Any

Doc = dict[str, Any]
VERSION = "2012-10-17"

APP_SERVICES = (
    "orders", "billing", "catalog", "search", "auth", "ledger", "reports", "ingest", "notify",
    "inventory", "pricing", "checkout", "payouts", "profile", "shipping", "analytics", "fraud", "media",
)
BUSINESS_UNITS = (
    "payments", "retail", "logistics", "data", "identity", "marketing", "risk", "platform", "mobile",
    "partners", "finance", "support", "growth", "ads", "travel", "insurance", "health", "gaming",
)
PERMISSION_SETS: tuple[tuple[str, str], ...] = (
    ("AdministratorAccess", "AdministratorAccess"),
    ("ReadOnlyAccess", "ReadOnlyAccess"),
    ("PowerUserAccess", "PowerUserAccess"),
    ("ViewOnlyAccess", "job-function/ViewOnlyAccess"),
    ("SecurityAudit", "SecurityAudit"),
    ("Billing", "job-function/Billing"),
    ("DeveloperAccess", "PowerUserAccess"),
    ("SupportUser", "AWSSupportAccess"),
)
SERVICE_LINKED: tuple[tuple[str, str, str], ...] = (
    ("AWSServiceRoleForSupport", "support.amazonaws.com", "aws-service-role/AWSSupportServiceRolePolicy"),
    ("AWSServiceRoleForTrustedAdvisor", "trustedadvisor.amazonaws.com",
     "aws-service-role/AWSTrustedAdvisorServiceRolePolicy"),
    ("AWSServiceRoleForSSO", "sso.amazonaws.com", "aws-service-role/AWSSSOServiceRolePolicy"),
    ("AWSServiceRoleForConfig", "config.amazonaws.com", "aws-service-role/AWSConfigServiceRolePolicy"),
    ("AWSServiceRoleForAmazonGuardDuty", "guardduty.amazonaws.com",
     "aws-service-role/AmazonGuardDutyServiceRolePolicy"),
)
READ_ACTIONS = (
    "s3:Get*", "s3:List*", "sqs:Get*", "sqs:List*", "sns:Get*", "sns:List*", "kms:Describe*", "kms:Get*",
    "kms:List*", "lambda:Get*", "lambda:List*", "ecr:BatchGetImage", "ecr:Describe*", "ecr:Get*", "ecr:List*",
    "iam:Get*", "iam:List*", "ec2:Describe*", "secretsmanager:DescribeSecret", "secretsmanager:ListSecrets",
    "logs:Describe*", "logs:Get*", "cloudtrail:LookupEvents", "cloudwatch:Get*", "cloudwatch:List*",
)
AUDIT_ACTIONS = (
    "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:ListAllMyBuckets", "kms:GetKeyPolicy", "kms:ListKeys",
    "iam:GetAccountAuthorizationDetails", "iam:Get*", "iam:List*", "lambda:GetPolicy", "sqs:GetQueueAttributes",
    "sns:GetTopicAttributes", "secretsmanager:GetResourcePolicy", "ecr:GetRepositoryPolicy", "ec2:Describe*",
    "organizations:Describe*", "organizations:List*", "config:Describe*", "guardduty:Get*", "guardduty:List*",
)
AWS_MANAGED: tuple[tuple[str, list[Doc]], ...] = (
    ("AdministratorAccess", [{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
    ("ReadOnlyAccess", [{"Effect": "Allow", "Action": list(READ_ACTIONS), "Resource": "*"}]),
    ("PowerUserAccess", [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                                       "organizations:DescribeOrganization", "account:ListRegions"],
         "Resource": "*"}]),
    ("job-function/ViewOnlyAccess", [{"Effect": "Allow", "Action": [
        "s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetBucketLocation", "sqs:ListQueues", "sns:ListTopics",
        "lambda:ListFunctions", "kms:ListKeys", "ec2:Describe*", "iam:List*", "ecr:DescribeRepositories"],
        "Resource": "*"}]),
    ("SecurityAudit", [{"Effect": "Allow", "Action": list(AUDIT_ACTIONS), "Resource": "*"}]),
    ("job-function/Billing", [{"Effect": "Allow", "Action": [
        "aws-portal:*Billing", "aws-portal:*Usage", "budgets:*", "ce:*", "cur:*", "pricing:*", "tax:*"],
        "Resource": "*"}]),
    ("AWSSupportAccess", [{"Effect": "Allow", "Action": ["support:*"], "Resource": "*"}]),
    ("service-role/AWSLambdaBasicExecutionRole", [{"Effect": "Allow", "Action": [
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]),
    ("service-role/AmazonECSTaskExecutionRolePolicy", [{"Effect": "Allow", "Action": [
        "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]),
    ("AmazonSSMManagedInstanceCore", [{"Effect": "Allow", "Action": [
        "ssm:DescribeAssociation", "ssm:GetDocument", "ssm:UpdateInstanceInformation", "ssmmessages:*",
        "ec2messages:*"], "Resource": "*"}]),
    ("service-role/AWSBackupServiceRolePolicyForBackup", [{"Effect": "Allow", "Action": [
        "backup:*", "ec2:CreateSnapshot", "ec2:DescribeVolumes", "rds:CreateDBSnapshot", "dynamodb:CreateBackup",
        "kms:DescribeKey", "kms:CreateGrant"], "Resource": "*"}]),
    ("service-role/AWS_ConfigRole", [{"Effect": "Allow", "Action": [
        "config:Put*", "ec2:Describe*", "iam:Get*", "iam:List*", "s3:GetBucketPolicy", "s3:GetBucketAcl"],
        "Resource": "*"}]),
    ("aws-service-role/AWSSupportServiceRolePolicy", [{"Effect": "Allow", "Action": [
        "iam:Get*", "iam:List*", "ec2:Describe*", "s3:GetBucketPolicy", "s3:ListAllMyBuckets"], "Resource": "*"}]),
    ("aws-service-role/AWSTrustedAdvisorServiceRolePolicy", [{"Effect": "Allow", "Action": [
        "ec2:Describe*", "iam:GetAccountSummary", "s3:GetBucketAcl", "s3:GetBucketPolicyStatus"], "Resource": "*"}]),
    ("aws-service-role/AWSSSOServiceRolePolicy", [{"Effect": "Allow", "Action": [
        "iam:CreateRole", "iam:DeleteRole", "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateRole",
        "iam:CreateSAMLProvider", "iam:UpdateSAMLProvider"],
        "Resource": ["arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*", "arn:aws:iam::*:saml-provider/AWSSSO_*"]}]),
    ("aws-service-role/AWSConfigServiceRolePolicy", [{"Effect": "Allow", "Action": [
        "ec2:Describe*", "iam:Get*", "iam:List*", "s3:GetBucketPolicy", "lambda:GetPolicy", "kms:GetKeyPolicy"],
        "Resource": "*"}]),
    ("aws-service-role/AmazonGuardDutyServiceRolePolicy", [{"Effect": "Allow", "Action": [
        "ec2:Describe*", "iam:GetRole", "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock",
        "organizations:DescribeAccount"], "Resource": "*"}]),
)
AWS_MANAGED_DOCS: dict[str, Doc] = {name: {"Version": VERSION, "Statement": stmts} for name, stmts in AWS_MANAGED}
