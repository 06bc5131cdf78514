"""Resource-policy, confused-deputy, principal-naming and S3 ACL checks: a trip and a near miss each."""

from __future__ import annotations

from planted import DATA, DEV, ORG_ID, VENDOR, assume, policy, resource, role

from graph.findings import run_findings
from graph.model import OrgPolicy, OrgPolicyType, PolicyDocument

BUCKET = "arn:aws:s3:::data-bucket"
TOPIC = f"arn:aws:sns:us-east-1:{DATA}:alerts"
QUEUE = f"arn:aws:sqs:us-east-1:{DATA}:jobs"
S3, SNS, SQS = "AWS::S3::Bucket", "AWS::SNS::Topic", "AWS::SQS::Queue"


def allow(principal, action="s3:GetObject", resource_arn=BUCKET + "/*", condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource_arn}
    if condition:
        statement["Condition"] = condition
    return statement


def bucket(document, properties=None):
    return [resource(DATA, BUCKET, S3, document, properties)]


# XPT-RES-001 ---------------------------------------------------------------------------------------------

def test_bucket_open_to_everyone(findings):
    # Principal "*" without a pinning condition is public ("The meaning of public", S3 Block Public Access).
    assert findings("XPT-RES-001", resources=bucket(policy(allow("*")))) == [("XPT-RES-001", BUCKET)]


def test_bucket_open_to_everyone_through_the_org_is_not_public(findings):
    document = policy(allow("*", condition={"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}))
    assert findings("XPT-RES-001", resources=bucket(document)) == []


def test_bucket_open_to_everyone_from_a_vpc_endpoint_is_not_public(findings):
    document = policy(allow("*", condition={"StringEquals": {"aws:SourceVpce": "vpce-0abc"}}))
    assert findings("XPT-RES-001", resources=bucket(document)) == []


def test_whole_internet_cidr_does_not_pin(findings):
    # aws:SourceIp 0.0.0.0/0 matches every address: S3 counts only narrower CIDRs as non-public.
    document = policy(allow("*", condition={"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}))
    assert findings("XPT-RES-001", resources=bucket(document)) == [("XPT-RES-001", BUCKET)]


def test_a_catch_all_value_among_the_pins_does_not_pin(findings):
    # Values of one condition key are ORed (condition evaluation logic): "*" next to a VPC endpoint admits anyone.
    document = policy(allow("*", condition={"StringLike": {"aws:SourceVpce": ["vpce-0abc", "*"]}}))
    assert findings("XPT-RES-001", resources=bucket(document)) == [("XPT-RES-001", BUCKET)]


def test_sns_default_topic_policy_is_not_public(findings):
    # The SNS default policy pins AWS:* with AWS:SourceOwner = the owner (SEMANTICS 4.3).
    document = {"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [{
        "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["SNS:GetTopicAttributes", "SNS:Publish", "SNS:Subscribe"], "Resource": TOPIC,
        "Condition": {"StringEquals": {"AWS:SourceOwner": DATA}}}]}
    assert findings("XPT-RES-001", resources=[resource(DATA, TOPIC, SNS, document)]) == []


def test_deny_statement_to_everyone_is_not_public(findings):
    document = policy({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": BUCKET + "/*",
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    assert findings("XPT-RES-001", resources=bucket(document)) == []


# XPT-RES-002 ---------------------------------------------------------------------------------------------

def test_bucket_granting_an_outside_account(findings, report):
    # Cross-account grants reach every principal of that account its admins allow (cross-account evaluation).
    document = policy(allow({"AWS": f"arn:aws:iam::{VENDOR}:root"}))
    assert findings("XPT-RES-002", resources=bucket(document)) == [("XPT-RES-002", BUCKET)]
    assert dict(report(resources=bucket(document)).findings[0].details)["grantee"] == VENDOR


def test_outside_grant_blocked_by_an_rcp_is_kept_at_low_severity(build):
    # An RCP Deny on principals outside the organization stops the grant today (RCP evaluation applies to
    # outside callers, SEMANTICS 2.1 step 4); the statement still grants access the day the RCP changes.
    full = OrgPolicy("p-full", "RCPFullAWSAccess", OrgPolicyType.RCP, PolicyDocument.from_dict(policy(
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})), ("r-ab12", DATA))
    fence = OrgPolicy("p-fence", "EnforceOrgIdentities", OrgPolicyType.RCP, PolicyDocument.from_dict(policy(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID}}})), ("r-ab12",))
    document = policy(allow({"AWS": VENDOR}))
    open_ = run_findings(build(resources=bucket(document), org_policies=(full,)))
    fenced = run_findings(build(resources=bucket(document), org_policies=(full, fence)))
    assert [(f.check_id, f.severity.value) for f in open_.findings] == [("XPT-RES-002", "medium")]
    assert [(f.check_id, f.severity.value) for f in fenced.findings] == [("XPT-RES-002", "low")]
    assert "a Deny or RCP stops it" in fenced.findings[0].title


def test_bucket_granting_a_member_account_is_not_reported(findings):
    assert findings("XPT-RES-002", resources=bucket(policy(allow({"AWS": DEV})))) == []


def test_everyone_pinned_to_another_organization(findings):
    document = policy(allow("*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-someoneelse1"}}))
    assert findings("XPT-RES-002", resources=bucket(document)) == [("XPT-RES-002", BUCKET)]
    assert findings("XPT-RES-001", resources=bucket(document)) == []


def test_outside_account_listed_as_trusted_is_not_reported(findings):
    document = policy(allow({"AWS": VENDOR}))
    assert findings("XPT-RES-002", resources=bucket(document), trusted=(VENDOR,)) == []


# XPT-SVC-001 / XPT-SVC-002 -------------------------------------------------------------------------------

def test_queue_granting_sns_without_source_arn(findings):
    # Any account's topic could send to the queue (IAM "The confused deputy problem").
    document = policy(allow({"Service": "sns.amazonaws.com"}, "sqs:SendMessage", QUEUE))
    assert findings("XPT-SVC-001", resources=[resource(DATA, QUEUE, SQS, document)]) == [("XPT-SVC-001", QUEUE)]


def test_queue_granting_sns_for_one_topic_is_not_reported(findings):
    document = policy(allow({"Service": "sns.amazonaws.com"}, "sqs:SendMessage", QUEUE,
                            {"ArnEquals": {"aws:SourceArn": TOPIC}}))
    assert findings("XPT-SVC-001", resources=[resource(DATA, QUEUE, SQS, document)]) == []


def test_config_role_trust_without_source_account(findings):
    arn = f"arn:aws:iam::{DATA}:role/ConfigRole"
    trust = policy(assume({"Service": "config.amazonaws.com"}))
    assert findings("XPT-SVC-002", roles=[role(DATA, "ConfigRole", trust)]) == [("XPT-SVC-002", arn)]


def test_lambda_execution_role_trust_is_not_reported(findings):
    # Execution roles reach Lambda only through iam:PassRole, which never crosses accounts.
    trust = policy(assume({"Service": "lambda.amazonaws.com"}))
    assert findings("XPT-SVC-002", roles=[role(DATA, "FnRole", trust)]) == []


def test_service_role_trust_with_source_account_is_not_reported(findings):
    trust = policy(assume({"Service": "config.amazonaws.com"}, {"StringEquals": {"aws:SourceAccount": DATA}}))
    assert findings("XPT-SVC-002", roles=[role(DATA, "ConfigRole", trust)]) == []


# XPT-PRIN-001..003 ----------------------------------------------------------------------------------------

def test_not_principal_with_allow(findings):
    # Allow + NotPrincipal grants everyone not listed (NotPrincipal reference).
    document = policy({"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{DEV}:root"},
                       "Action": "s3:GetObject", "Resource": BUCKET + "/*"})
    assert findings("XPT-PRIN-001", resources=bucket(document)) == [("XPT-PRIN-001", BUCKET)]


def test_not_principal_with_deny_is_fine(findings):
    document = policy({"Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:iam::{DEV}:root"},
                       "Action": "s3:DeleteBucket", "Resource": BUCKET})
    assert findings("XPT-PRIN-001", resources=bucket(document)) == []


def test_unique_id_of_a_deleted_role(findings):
    # IAM shows a deleted principal as its unique id (Principal element reference).
    document = policy(allow({"AWS": "AROAZZZZZZZZZZZZZZZZZ"}))
    assert findings("XPT-PRIN-002", resources=bucket(document)) == [("XPT-PRIN-002", BUCKET)]


def test_unique_id_of_an_existing_role_is_not_dangling(findings):
    reader = role(DEV, "Reader", policy(assume({"AWS": DEV})), role_id="AROAREADERREADERREAD1")
    document = policy(allow({"AWS": "AROAREADERREADERREAD1"}))
    assert findings("XPT-PRIN-002", roles=[reader], resources=bucket(document)) == []


def test_principal_arn_allow_list_naming_a_missing_role(findings):
    # aws:PrincipalArn keeps the ARN text: re-creating the role gives the access back (Principal reference).
    document = policy(allow("*", condition={"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{DEV}:role/Gone"}}))
    assert findings("XPT-PRIN-003", resources=bucket(document)) == [("XPT-PRIN-003", BUCKET)]


def test_principal_arn_allow_list_naming_an_existing_role(findings):
    present = role(DEV, "Present", policy(assume({"AWS": DEV})), path="/team/")
    named = f"arn:aws:iam::{DEV}:role/team/Present"
    document = policy(allow("*", condition={"ArnEquals": {"aws:PrincipalArn": named}}))
    assert findings("XPT-PRIN-003", roles=[present], resources=bucket(document)) == []


def test_principal_arn_in_an_uncollected_account_is_not_judged(findings):
    # We cannot know whether the role exists in an account we did not collect.
    document = policy(allow("*", condition={"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{VENDOR}:role/X"}}))
    assert findings("XPT-PRIN-003", resources=bucket(document)) == []


# XPT-S3-001 ------------------------------------------------------------------------------------------------

AUTHENTICATED = {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},
                 "Permission": "READ"}
OWNER = {"Grantee": {"Type": "CanonicalUser", "ID": "a" * 64}, "Permission": "FULL_CONTROL"}


def test_acl_grant_to_authenticated_users(findings, report):
    # AuthenticatedUsers is any principal of any AWS account (S3 ACL overview, predefined groups).
    props = {"acl": {"Grants": [OWNER, AUTHENTICATED]}, "object_ownership": "ObjectWriter"}
    assert findings("XPT-S3-001", resources=bucket(None, props)) == [("XPT-S3-001", BUCKET)]
    finding = report(resources=bucket(None, props)).findings[0]
    assert finding.statement.statement == 1 and dict(finding.details)["grantee"] == "AuthenticatedUsers"


def test_acl_grant_ignored_when_acls_are_disabled(findings):
    # BucketOwnerEnforced disables ACLs (S3 Object Ownership).
    props = {"acl": {"Grants": [AUTHENTICATED]}, "object_ownership": "BucketOwnerEnforced"}
    assert findings("XPT-S3-001", resources=bucket(None, props)) == []


def test_acl_grant_ignored_with_ignore_public_acls(findings):
    props = {"acl": {"Grants": [AUTHENTICATED]}, "public_access_block": {"IgnorePublicAcls": True}}
    assert findings("XPT-S3-001", resources=bucket(None, props)) == []


def test_acl_grant_ignored_with_account_level_ignore_public_acls(findings):
    # Account-level Block Public Access applies to every bucket of the account (S3 Block Public Access page).
    props = {"acl": {"Grants": [AUTHENTICATED]}, "public_access_block": {"IgnorePublicAcls": False},
             "account_public_access_block": {"IgnorePublicAcls": True}}
    assert findings("XPT-S3-001", resources=bucket(None, props)) == []


def test_acl_grant_to_the_owner_only_is_fine(findings):
    assert findings("XPT-S3-001", resources=bucket(None, {"acl": {"Grants": [OWNER]}})) == []
