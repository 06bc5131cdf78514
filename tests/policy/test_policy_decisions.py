"""The decision flow, one row per documented rule (SEMANTICS sections 2 to 5).

Sources (cited per row by short name):
- EVAL: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
- BASICS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
- XACCT: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
- TYPES: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html (session policies)
- PB: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
- PRIN: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- NOTP: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
- NA / NR / RES: ..._elements_notaction.html, ..._elements_notresource.html, ..._elements_resource.html
- SCP: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
- RCP: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
- TRUST: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
- KMS: https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html and key-policy-default.html
- KMSX: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
- KEYS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
- VAR: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
- SNS: https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html (default topic policy)
"""

from __future__ import annotations

import pytest
from evaluator_cases import (A, B, BUCKET, FED_USER, OBJECT, ROLE, ROOT_A, ROOT_B, SESSION, USER, allow, deny, pol,
                             req)

from graph.policy import Decision, Request, evaluate

ALLOWED, EXPLICIT, IMPLICIT = Decision.ALLOWED, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY

S3_ALL = pol(allow("s3:*"))
GET = pol(allow("s3:GetObject"))
FULL = pol(allow("*"))
OTHER_USER = f"arn:aws:iam::{A}:user/mallory"
SLR = f"arn:aws:iam::{A}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
KEY_A = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_B = f"arn:aws:kms:us-east-1:{B}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TARGET_A = f"arn:aws:iam::{A}:role/Target"
TARGET_B = f"arn:aws:iam::{B}:role/Target"
QUEUE_B = f"arn:aws:sqs:us-east-1:{B}:jobs"
TOPIC = f"arn:aws:sns:us-east-1:{A}:alerts"


def rbp(principal: object, action: object = "s3:GetObject", resource: object = "*", effect: str = "Allow",
        **extra: object) -> object:
    """A resource policy with one statement naming `principal`."""
    return pol({"Effect": effect, "Principal": principal, "Action": action, "Resource": resource, **extra})


def trust(principal: object, action: object = "sts:AssumeRole", **extra: object) -> object:
    """A role trust policy (no Resource element)."""
    return pol({"Effect": "Allow", "Principal": principal, "Action": action, **extra})


def assume(principal: str, role: str, trust_policy: object, **fields: object) -> Request:
    account = role.split(":")[4]
    return req(principal, "sts:AssumeRole", role, account=account, resource_policy=trust_policy,
               resource_policy_kind="trust", **fields)


def kms(principal: str, key: str, key_policy: object | None, action: str = "kms:Decrypt", **fields: object) -> Request:
    return req(principal, action, key, account=key.split(":")[4], resource_policy=key_policy,
               resource_policy_kind="kms", **fields)


ROOT_DELEGATION = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": ROOT_A},
                   "Action": "kms:*", "Resource": "*"}

CASES: list[tuple[str, Request, Decision]] = [
    # --- Identity policies alone, one account (BASICS, EVAL)
    ("BASICS identity Allow grants", req(identity=(GET,)), ALLOWED),
    ("BASICS no policy at all is an implicit deny", req(), IMPLICIT),
    ("EVAL explicit Deny beats an Allow in the same policy", req(identity=(pol(allow("s3:*"), deny("s3:GetObject")),)), EXPLICIT),
    ("EVAL explicit Deny in another identity policy wins", req(identity=(S3_ALL, pol(deny("s3:Get*")))), EXPLICIT),
    ("EVAL Deny for another action does not apply", req(identity=(S3_ALL, pol(deny("s3:PutObject")))), ALLOWED),
    ("RES action names are case-insensitive", req(identity=(pol(allow("S3:getOBJECT")),)), ALLOWED),
    ("RES action wildcard prefix", req(identity=(pol(allow("s3:Get*")),)), ALLOWED),
    ("RES action wildcard does not cover other verbs", req(action="s3:PutObject", identity=(pol(allow("s3:Get*")),)), IMPLICIT),
    ("RES action ? wildcard matches one character", req(identity=(pol(allow("s3:GetObjec?")),)), ALLOWED),
    ("RES action of another service does not match", req(identity=(pol(allow("s3express:GetObject")),)), IMPLICIT),
    ("RES Action list: any entry matches", req(identity=(pol(allow(["ec2:*", "s3:GetObject"])),)), ALLOWED),
    ("RES resource wildcard spans '/' in object keys", req(identity=(pol(allow(resource="arn:aws:s3:::data-bucket/*")),)), ALLOWED),
    ("RES resource is case-sensitive", req(identity=(pol(allow(resource="arn:aws:s3:::Data-Bucket/*")),)), IMPLICIT),
    ("RES bucket/* does not grant ListBucket on the bucket ARN", req(action="s3:ListBucket", resource=BUCKET, identity=(pol(allow("s3:ListBucket", "arn:aws:s3:::data-bucket/*")),)), IMPLICIT),
    ("RES ListBucket on the bucket ARN", req(action="s3:ListBucket", resource=BUCKET, identity=(pol(allow("s3:ListBucket", BUCKET)),)), ALLOWED),
    ("RES account segment wildcard", req("arn:aws:iam::111111111111:user/alice", "iam:GetPolicy", "arn:aws:iam::999999999999:policy/fn2-x", account="999999999999", identity=(pol(allow("iam:GetPolicy", "arn:aws:iam::*:policy/fn2-*")),)), IMPLICIT),
    ("RES account segment wildcard, same account", req(USER, "iam:GetPolicy", f"arn:aws:iam::{A}:policy/fn2-x", identity=(pol(allow("iam:GetPolicy", "arn:aws:iam::*:policy/fn2-*")),)), ALLOWED),
    ("RES ? in a resource matches one character", req(identity=(pol(allow(resource="arn:aws:s3:::data-bucke?/*")),)), ALLOWED),
    ("RES Statement given as an object, Action as a string", req(identity=(pol(allow()),)), ALLOWED),
    # --- NotAction / NotResource (NA, NR)
    ("NA NotAction Allow grants every other action (the trap)", req(identity=(pol({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),)), ALLOWED),
    ("NA NotAction Allow does not grant the listed actions", req(action="iam:CreateUser", resource=f"arn:aws:iam::{A}:user/x", identity=(pol({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),)), IMPLICIT),
    ("NA NotAction Allow only for the listed Resource", req(identity=(pol({"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::other/*"}),)), IMPLICIT),
    ("NA NotAction matching is case-insensitive", req(action="IAM:createuser", resource=f"arn:aws:iam::{A}:user/x", identity=(FULL, pol({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}))), ALLOWED),
    ("NA NotAction Deny denies everything else", req(identity=(FULL, pol({"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}))), EXPLICIT),
    ("NR NotResource Allow grants other resources", req(identity=(pol({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}),)), ALLOWED),
    ("NR NotResource Allow excludes the listed resource", req(resource="arn:aws:s3:::secret/k", identity=(pol({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}),)), IMPLICIT),
    ("NR NotResource Deny denies everything but the listed", req(identity=(S3_ALL, pol({"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::allowed/*"}))), EXPLICIT),
    ("NR NotResource Deny spares the listed", req(resource="arn:aws:s3:::allowed/k", identity=(S3_ALL, pol({"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::allowed/*"}))), ALLOWED),
    # --- Policy variables in Resource (VAR)
    ("VAR ${aws:username} in Resource, own prefix", req(resource="arn:aws:s3:::home/alice/notes", identity=(pol(allow(resource="arn:aws:s3:::home/${aws:username}/*")),)), ALLOWED),
    ("VAR ${aws:username} in Resource, other prefix", req(resource="arn:aws:s3:::home/bob/notes", identity=(pol(allow(resource="arn:aws:s3:::home/${aws:username}/*")),)), IMPLICIT),
    ("VAR aws:username does not exist for a role: no match", req(ROLE, resource="arn:aws:s3:::home/App/notes", identity=(pol(allow(resource="arn:aws:s3:::home/${aws:username}/*")),)), IMPLICIT),
    ("VAR version 2008: ${...} in Resource is literal", req(resource="arn:aws:s3:::home/alice/notes", identity=(pol(allow(resource="arn:aws:s3:::home/${aws:username}/*"), version="2008-10-17"),)), IMPLICIT),
    ("VAR default value in Resource", req(ROLE, resource="arn:aws:s3:::home/shared/x", identity=(pol(allow(resource="arn:aws:s3:::home/${aws:PrincipalTag/team, 'shared'}/*")),)), ALLOWED),
    ("VAR tag variable in Resource", req(ROLE, resource="arn:aws:s3:::home/data/x", identity=(pol(allow(resource="arn:aws:s3:::home/${aws:PrincipalTag/team}/*")),), context={"aws:PrincipalTag/team": "data"}), ALLOWED),
    # --- Permissions boundaries (PB)
    ("PB identity and boundary both allow", req(identity=(S3_ALL,), permission_boundary=GET), ALLOWED),
    ("PB boundary that does not allow the action", req(identity=(S3_ALL,), permission_boundary=pol(allow("ec2:*"))), IMPLICIT),
    ("PB boundary alone grants nothing", req(permission_boundary=FULL), IMPLICIT),
    ("PB Deny in the boundary is explicit", req(identity=(S3_ALL,), permission_boundary=pol(allow("*"), deny("s3:GetObject"))), EXPLICIT),
    ("PB boundary applies to roles too", req(SESSION, identity=(S3_ALL,), permission_boundary=pol(allow("ec2:*"))), IMPLICIT),
    # --- Resource-based policies in the same account (EVAL, PB, SEMANTICS 2.2)
    ("EVAL RBP naming the user grants without identity policy", req(resource_policy=rbp({"AWS": USER})), ALLOWED),
    ("PB RBP to the user ARN is not limited by the boundary", req(resource_policy=rbp({"AWS": USER}), permission_boundary=pol(allow("ec2:*"))), ALLOWED),
    ("PB RBP to the role ARN grants a session without identity", req(SESSION, resource_policy=rbp({"AWS": ROLE})), ALLOWED),
    ("PB RBP to the role ARN is limited by the boundary", req(SESSION, resource_policy=rbp({"AWS": ROLE}), permission_boundary=pol(allow("ec2:*"))), IMPLICIT),
    ("TYPES RBP to the role ARN is limited by the session policy", req(SESSION, resource_policy=rbp({"AWS": ROLE}), session_policies=(pol(allow("ec2:*")),)), IMPLICIT),
    ("TYPES RBP to the session ARN is not limited by the session policy", req(SESSION, resource_policy=rbp({"AWS": SESSION}), session_policies=(pol(allow("ec2:*")),)), ALLOWED),
    ("TYPES RBP to the session ARN is not limited by the boundary", req(SESSION, resource_policy=rbp({"AWS": SESSION}), permission_boundary=pol(allow("ec2:*"))), ALLOWED),
    ("EVAL RBP naming the account delegates: identity needed", req(resource_policy=rbp({"AWS": ROOT_A})), IMPLICIT),
    ("EVAL RBP naming the account plus identity Allow", req(identity=(GET,), resource_policy=rbp({"AWS": ROOT_A})), ALLOWED),
    ("PRIN RBP naming the account id (not ARN) also delegates", req(resource_policy=rbp({"AWS": A})), IMPLICIT),
    ("EVAL RBP to '*' grants same-account users", req(resource_policy=rbp("*")), ALLOWED),
    ("EVAL RBP Deny for the user beats the identity Allow", req(identity=(GET,), resource_policy=rbp({"AWS": USER}, effect="Deny")), EXPLICIT),
    ("EVAL identity Deny beats an RBP Allow", req(identity=(pol(deny()),), resource_policy=rbp({"AWS": USER})), EXPLICIT),
    ("EVAL RBP naming another user: identity path only", req(resource_policy=rbp({"AWS": OTHER_USER})), IMPLICIT),
    ("EVAL RBP naming another user, identity allows", req(identity=(GET,), resource_policy=rbp({"AWS": OTHER_USER})), ALLOWED),
    ("EVAL RBP for another action grants nothing", req(resource_policy=rbp({"AWS": USER}, action="s3:PutObject")), IMPLICIT),
    ("EVAL RBP for another resource grants nothing", req(resource_policy=rbp({"AWS": USER}, resource="arn:aws:s3:::other/*")), IMPLICIT),
    ("PRIN role ARN with a path matches the session (sessions drop the path)", req(f"arn:aws:sts::{A}:assumed-role/App/s", resource_policy=rbp({"AWS": f"arn:aws:iam::{A}:role/team/App"})), ALLOWED),
    ("PRIN role ARN of another role does not match", req(SESSION, resource_policy=rbp({"AWS": f"arn:aws:iam::{A}:role/Other"})), IMPLICIT),
    ("PRIN a list of principals is ORed", req(resource_policy=rbp({"AWS": [OTHER_USER, USER]})), ALLOWED),
    ("PRIN user-name part is case-sensitive", req(resource_policy=rbp({"AWS": f"arn:aws:iam::{A}:user/Alice"})), IMPLICIT),
    ("PRIN unique id names the role when aws:userid carries it", req(SESSION, resource_policy=rbp({"AWS": "AROAEXAMPLEID1234567"}), context={"aws:userid": "AROAEXAMPLEID1234567:alice-session"}), ALLOWED),
    ("PRIN unique id of a deleted role does not match a recreated one", req(SESSION, resource_policy=rbp({"AWS": "AROAEXAMPLEID1234567"}), context={"aws:userid": "AROANEWROLEID7654321:alice-session"}), IMPLICIT),
    # --- Sessions (TYPES)
    ("TYPES role session without session policy keeps identity permissions", req(SESSION, identity=(GET,)), ALLOWED),
    ("TYPES session policy that allows", req(SESSION, identity=(S3_ALL,), session_policies=(GET,)), ALLOWED),
    ("TYPES session policy that does not allow", req(SESSION, identity=(S3_ALL,), session_policies=(pol(allow("ec2:*")),)), IMPLICIT),
    ("TYPES session policy cannot grant beyond identity", req(SESSION, session_policies=(FULL,)), IMPLICIT),
    ("TYPES several session policies: any Allow counts", req(SESSION, identity=(S3_ALL,), session_policies=(pol(allow("ec2:*")), GET)), ALLOWED),
    ("TYPES Deny in a session policy is explicit", req(SESSION, identity=(S3_ALL,), session_policies=(pol(allow("*"), deny("s3:*")),)), EXPLICIT),
    ("TYPES federated user without session policy has no permissions", req(FED_USER, identity=(S3_ALL,)), IMPLICIT),
    ("TYPES federated user with a session policy", req(FED_USER, identity=(S3_ALL,), session_policies=(GET,)), ALLOWED),
    ("TYPES RBP naming the federated-user session grants directly", req(FED_USER, resource_policy=rbp({"AWS": FED_USER})), ALLOWED),
    # --- Cross-account (XACCT, SEMANTICS 2.3)
    ("XACCT identity alone is never enough", req(account=B, identity=(GET,)), IMPLICIT),
    ("XACCT resource policy alone is never enough", req(account=B, resource_policy=rbp({"AWS": USER})), IMPLICIT),
    ("XACCT both sides allow", req(account=B, identity=(GET,), resource_policy=rbp({"AWS": USER})), ALLOWED),
    ("XACCT RBP naming the caller's account root", req(account=B, identity=(GET,), resource_policy=rbp({"AWS": ROOT_A})), ALLOWED),
    ("XACCT RBP naming the caller's account id", req(account=B, identity=(GET,), resource_policy=rbp({"AWS": A})), ALLOWED),
    ("XACCT RBP naming another account", req(account=B, identity=(GET,), resource_policy=rbp({"AWS": ROOT_B})), IMPLICIT),
    ("XACCT RBP to '*' still needs the identity side", req(account=B, resource_policy=rbp("*")), IMPLICIT),
    ("XACCT RBP to '*' with identity", req(account=B, identity=(GET,), resource_policy=rbp("*")), ALLOWED),
    ("XACCT RBP to role ARN admits its sessions with identity", req(SESSION, account=B, identity=(GET,), resource_policy=rbp({"AWS": ROLE})), ALLOWED),
    ("XACCT boundary applies on the caller's side", req(account=B, identity=(GET,), resource_policy=rbp({"AWS": USER}), permission_boundary=pol(allow("ec2:*"))), IMPLICIT),
    ("XACCT Deny in the resource policy blocks", req(account=B, identity=(GET,), resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": ROOT_A}, "Action": "s3:*", "Resource": "*"}, {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})), EXPLICIT),
    ("XACCT resource account read from the ARN", req(action="sqs:SendMessage", resource=QUEUE_B, account=None, identity=(pol(allow("sqs:*")),)), IMPLICIT),
    ("XACCT resource account read from the ARN, queue policy admits", req(action="sqs:SendMessage", resource=QUEUE_B, account=None, identity=(pol(allow("sqs:*")),), resource_policy=rbp({"AWS": A}, action="sqs:SendMessage")), ALLOWED),
    ("XACCT session policy applies on the caller's side", req(SESSION, account=B, identity=(GET,), resource_policy=rbp({"AWS": SESSION}), session_policies=(pol(allow("ec2:*")),)), IMPLICIT),
    # --- SCPs (SCP; SEMANTICS 2.1 step 3 and 2.4)
    ("SCP FullAWSAccess at every level", req(identity=(GET,), scps=((FULL,), (FULL,), (FULL,))), ALLOWED),
    ("SCP one level without an Allow denies (implicitly)", req(identity=(GET,), scps=((FULL,), (pol(allow("ec2:*")),), (FULL,))), IMPLICIT),
    ("SCP a level with no policy at all denies", req(identity=(GET,), scps=((FULL,), ())), IMPLICIT),
    ("SCP Deny is explicit", req(identity=(GET,), scps=((FULL, pol(deny("s3:*"))),)), EXPLICIT),
    ("SCP never grants by itself", req(scps=((FULL,),)), IMPLICIT),
    ("SCP None: management account, not restricted", req(identity=(GET,), scps=None), ALLOWED),
    ("SCP allow-list naming the service", req(identity=(GET,), scps=((pol(allow("s3:*")),),)), ALLOWED),
    ("SCP level allows via any one of its policies", req(identity=(GET,), scps=((pol(allow("ec2:*")), pol(allow("s3:Get*"))),)), ALLOWED),
    ("SCP does not restrict service-linked roles", req(SLR, identity=(GET,), scps=((pol(allow("ec2:*")),),)), ALLOWED),
    ("SCP restricts the member account's root user", req(A, identity=(), scps=((FULL, pol(deny("s3:*"))),)), EXPLICIT),
    ("SCP restricts even a same-account resource-policy grant", req(resource_policy=rbp({"AWS": USER}), scps=((pol(allow("ec2:*")),),)), IMPLICIT),
    ("SCP of the caller's account applies cross-account", req(account=B, identity=(GET,), resource_policy=rbp({"AWS": USER}), scps=((FULL, pol(deny("s3:*"))),)), EXPLICIT),
    ("SCP with NotAction Deny (allow-list pattern)", req(identity=(GET,), scps=((FULL, pol({"Effect": "Deny", "NotAction": "ec2:*", "Resource": "*"})),)), EXPLICIT),
    ("SCP Deny with a condition that does not hold", req(identity=(GET,), scps=((FULL, pol(deny("s3:*", Condition={"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}))),), context={"aws:RequestedRegion": "us-east-1"}), ALLOWED),
    ("SCP Deny with a condition that holds", req(identity=(GET,), scps=((FULL, pol(deny("s3:*", Condition={"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}))),), context={"aws:RequestedRegion": "eu-west-1"}), EXPLICIT),
    ("SCP does not apply to service principals", req("sns.amazonaws.com", "sqs:SendMessage", QUEUE_B, account=B, resource_policy=rbp({"Service": "sns.amazonaws.com"}, action="sqs:SendMessage"), scps=((pol(allow("ec2:*")),),)), ALLOWED),
    # --- RCPs (RCP)
    ("RCP full access at every level", req(identity=(GET,), rcps=((pol(allow(Principal="*")),),)), ALLOWED),
    ("RCP Deny is explicit", req(identity=(GET,), rcps=((pol(allow(Principal="*")), pol(deny("s3:*", Principal="*"))),)), EXPLICIT),
    ("RCP level without an Allow denies", req(identity=(GET,), rcps=((pol(allow(Principal="*")),), ())), IMPLICIT),
    ("RCP does not apply to services without RCP support", req(action="lambda:InvokeFunction", resource=f"arn:aws:lambda:us-east-1:{A}:function:f", identity=(pol(allow("lambda:*")),), rcps=((pol(deny("*", Principal="*")),),)), ALLOWED),
    ("RCP applies to external principals (perimeter Deny)", req(account=B, identity=(GET,), resource_policy=rbp({"AWS": ROOT_A}), rcps=((pol(allow("*", Principal="*"), deny("s3:*", Principal="*", Condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}})),),), context={"aws:PrincipalOrgID": "o-theirs"}), EXPLICIT),
    ("RCP perimeter admits principals of the org", req(account=B, identity=(GET,), resource_policy=rbp({"AWS": ROOT_A}), rcps=((pol(allow("*", Principal="*"), deny("s3:*", Principal="*", Condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}})),),), context={"aws:PrincipalOrgID": "o-mine"}), ALLOWED),
    ("RCP exemption for AWS service principals", req("cloudtrail.amazonaws.com", "s3:PutObject", OBJECT, resource_policy=rbp({"Service": "cloudtrail.amazonaws.com"}, action="s3:PutObject"), rcps=((pol(allow("*", Principal="*"), deny("s3:*", Principal="*", Condition={"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}})),),)), ALLOWED),
    ("RCP perimeter denies callers that are not services", req(identity=(GET,), rcps=((pol(allow("*", Principal="*"), deny("s3:*", Principal="*", Condition={"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}})),),)), EXPLICIT),
    ("RCP None: management account's resources", req(identity=(GET,), rcps=None), ALLOWED),
    # --- Service principals and anonymous callers (PRIN)
    ("PRIN service principal granted by the resource policy", req("sns.amazonaws.com", "sqs:SendMessage", QUEUE_B, account=B, resource_policy=rbp({"Service": "sns.amazonaws.com"}, action="sqs:SendMessage")), ALLOWED),
    ("PRIN service principal names are not case-sensitive", req("sns.amazonaws.com", "sqs:SendMessage", QUEUE_B, account=B, resource_policy=rbp({"Service": "SNS.amazonaws.com"}, action="sqs:SendMessage")), ALLOWED),
    ("PRIN Service list", req("events.amazonaws.com", "sqs:SendMessage", QUEUE_B, account=B, resource_policy=rbp({"Service": ["sns.amazonaws.com", "events.amazonaws.com"]}, action="sqs:SendMessage")), ALLOWED),
    ("PRIN other service is not granted", req("lambda.amazonaws.com", "sqs:SendMessage", QUEUE_B, account=B, resource_policy=rbp({"Service": "sns.amazonaws.com"}, action="sqs:SendMessage")), IMPLICIT),
    ("PRIN service grant with SourceAccount that matches", req("sns.amazonaws.com", "sqs:SendMessage", QUEUE_B, account=B, resource_policy=rbp({"Service": "sns.amazonaws.com"}, action="sqs:SendMessage", Condition={"StringEquals": {"aws:SourceAccount": B}}), context={"aws:SourceAccount": B}), ALLOWED),
    ("PRIN service grant with SourceAccount of another account", req("sns.amazonaws.com", "sqs:SendMessage", QUEUE_B, account=B, resource_policy=rbp({"Service": "sns.amazonaws.com"}, action="sqs:SendMessage", Condition={"StringEquals": {"aws:SourceAccount": B}}), context={"aws:SourceAccount": "999999999999"}), IMPLICIT),
    ("PRIN service principal has no identity policies to use", req("lambda.amazonaws.com", identity=(FULL,)), IMPLICIT),
    ("PRIN anonymous caller with Principal '*'", req("*", resource_policy=rbp("*")), ALLOWED),
    ("PRIN anonymous caller with Principal {'AWS': '*'}", req("*", resource_policy=rbp({"AWS": "*"})), ALLOWED),
    ("PRIN anonymous caller is not an account", req("*", resource_policy=rbp({"AWS": ROOT_A})), IMPLICIT),
    ("PRIN CanonicalUser principal", req("79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", resource_policy=rbp({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"})), ALLOWED),
    # --- SNS default topic policy (SEMANTICS 4.3)
    ("SNS default policy is not public: anonymous has no SourceOwner", req("*", "sns:Publish", TOPIC, resource_policy=pol({"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["SNS:Publish", "SNS:Subscribe"], "Resource": TOPIC, "Condition": {"StringEquals": {"AWS:SourceOwner": A}}}, version="2008-10-17")), IMPLICIT),
    ("SNS default policy: another account's caller is not admitted", req(f"arn:aws:iam::{B}:user/eve", "sns:Publish", TOPIC, identity=(pol(allow("sns:*")),), resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SNS:Publish", "Resource": TOPIC, "Condition": {"StringEquals": {"AWS:SourceOwner": A}}}, version="2008-10-17")), IMPLICIT),
    ("SNS default policy: SourceOwner of the owner (key name case-insensitive)", req(USER, "sns:Publish", TOPIC, resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SNS:Publish", "Resource": TOPIC, "Condition": {"StringEquals": {"AWS:SourceOwner": A}}}, version="2008-10-17"), context={"aws:SourceOwner": A}), ALLOWED),
    ("RES upper-case SNS: prefix matches sns actions only", req(USER, "sqs:SendMessage", QUEUE_B, account=B, identity=(pol(allow("SNS:*")),), resource_policy=rbp({"AWS": A}, action="sqs:*")), IMPLICIT),
    # --- NotPrincipal (NOTP)
    ("NOTP Deny+NotPrincipal listing the user and its account spares it", req(identity=(GET,), resource_policy=pol({"Effect": "Deny", "NotPrincipal": {"AWS": [USER, ROOT_A]}, "Action": "s3:*", "Resource": "*"})), ALLOWED),
    ("NOTP Deny+NotPrincipal without the account ARN denies the user too", req(identity=(GET,), resource_policy=pol({"Effect": "Deny", "NotPrincipal": {"AWS": [USER]}, "Action": "s3:*", "Resource": "*"})), EXPLICIT),
    ("NOTP Deny+NotPrincipal denies everyone else", req(OTHER_USER, identity=(GET,), resource_policy=pol({"Effect": "Deny", "NotPrincipal": {"AWS": [USER, ROOT_A]}, "Action": "s3:*", "Resource": "*"})), EXPLICIT),
    ("NOTP role session spared only with session, role and account listed", req(SESSION, identity=(GET,), resource_policy=pol({"Effect": "Deny", "NotPrincipal": {"AWS": [SESSION, ROLE, ROOT_A]}, "Action": "s3:*", "Resource": "*"})), ALLOWED),
    ("NOTP role session denied when only the role and account are listed", req(SESSION, identity=(GET,), resource_policy=pol({"Effect": "Deny", "NotPrincipal": {"AWS": [ROLE, ROOT_A]}, "Action": "s3:*", "Resource": "*"})), EXPLICIT),
    ("NOTP Deny+NotPrincipal always denies a caller with a boundary", req(identity=(GET,), permission_boundary=S3_ALL, resource_policy=pol({"Effect": "Deny", "NotPrincipal": {"AWS": [USER, ROOT_A]}, "Action": "s3:*", "Resource": "*"})), EXPLICIT),
    ("NOTP Allow+NotPrincipal is evaluated literally (grants others)", req(resource_policy=pol({"Effect": "Allow", "NotPrincipal": {"AWS": OTHER_USER}, "Action": "s3:GetObject", "Resource": "*"})), ALLOWED),
    ("NOTP Allow+NotPrincipal does not grant the listed user", req(OTHER_USER, resource_policy=pol({"Effect": "Allow", "NotPrincipal": {"AWS": [OTHER_USER, ROOT_A]}, "Action": "s3:GetObject", "Resource": "*"})), IMPLICIT),
    # --- Role trust policies (TRUST; SEMANTICS 3.1)
    ("TRUST same account, trust names the user exactly: no identity needed", assume(USER, TARGET_A, trust({"AWS": USER})), ALLOWED),
    ("TRUST same account, trust names the calling role exactly", assume(SESSION, TARGET_A, trust({"AWS": ROLE})), ALLOWED),
    ("TRUST same account, trust names the account root: identity needed (trap)", assume(USER, TARGET_A, trust({"AWS": ROOT_A})), IMPLICIT),
    ("TRUST same account, account root plus identity Allow", assume(USER, TARGET_A, trust({"AWS": ROOT_A}), identity=(pol(allow("sts:AssumeRole", TARGET_A)),)), ALLOWED),
    ("TRUST identity Allow alone without trust", assume(USER, TARGET_A, trust({"AWS": OTHER_USER}), identity=(pol(allow("sts:AssumeRole", TARGET_A)),)), IMPLICIT),
    ("TRUST no trust policy at all", req(USER, "sts:AssumeRole", TARGET_A, identity=(pol(allow("sts:AssumeRole")),), resource_policy_kind="trust"), IMPLICIT),
    ("TRUST caller's boundary must allow sts:AssumeRole even for an exact-ARN trust", assume(USER, TARGET_A, trust({"AWS": USER}), permission_boundary=S3_ALL), IMPLICIT),
    ("TRUST a role does not trust itself implicitly", assume(f"arn:aws:sts::{A}:assumed-role/Target/s", TARGET_A, trust({"Service": "ec2.amazonaws.com"}), identity=(pol(allow("sts:AssumeRole")),)), IMPLICIT),
    ("TRUST cross account: account root in trust plus identity", assume(SESSION, TARGET_B, trust({"AWS": ROOT_A}), identity=(pol(allow("sts:AssumeRole", TARGET_B)),)), ALLOWED),
    ("TRUST cross account: trust naming the role, no identity", assume(SESSION, TARGET_B, trust({"AWS": ROLE})), IMPLICIT),
    ("TRUST cross account: identity Allow on another role ARN", assume(SESSION, TARGET_B, trust({"AWS": ROOT_A}), identity=(pol(allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/Other")),)), IMPLICIT),
    ("TRUST cross account: caller's SCP denies sts:AssumeRole", assume(SESSION, TARGET_B, trust({"AWS": ROOT_A}), identity=(pol(allow("sts:AssumeRole")),), scps=((FULL, pol(deny("sts:AssumeRole"))),)), EXPLICIT),
    ("TRUST cross account: target account's RCP applies to STS", assume(SESSION, TARGET_B, trust({"AWS": ROOT_A}), identity=(pol(allow("sts:AssumeRole")),), rcps=((pol(allow("*", Principal="*"), deny("sts:AssumeRole", Principal="*")),),)), EXPLICIT),
    ("TRUST ExternalId matches", assume(SESSION, TARGET_B, trust({"AWS": ROOT_A}, Condition={"StringEquals": {"sts:ExternalId": "ext-1"}}), identity=(pol(allow("sts:AssumeRole")),), context={"sts:ExternalId": "ext-1"}), ALLOWED),
    ("TRUST ExternalId missing", assume(SESSION, TARGET_B, trust({"AWS": ROOT_A}, Condition={"StringEquals": {"sts:ExternalId": "ext-1"}}), identity=(pol(allow("sts:AssumeRole")),)), IMPLICIT),
    ("TRUST Bool MFA on a caller with long-term keys (key absent)", assume(USER, TARGET_A, trust({"AWS": USER}, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})), IMPLICIT),
    ("TRUST Bool MFA with MFA present", assume(USER, TARGET_A, trust({"AWS": USER}, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}), context={"aws:MultiFactorAuthPresent": "true"}), ALLOWED),
    ("TRUST Principal '*' limited to the organization", assume(SESSION, TARGET_B, trust("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-mine"}}), identity=(pol(allow("sts:AssumeRole")),), context={"aws:PrincipalOrgID": "o-mine"}), ALLOWED),
    ("TRUST Principal '*' from outside the organization", assume(SESSION, TARGET_B, trust("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-mine"}}), identity=(pol(allow("sts:AssumeRole")),), context={"aws:PrincipalOrgID": "o-other"}), IMPLICIT),
    ("TRUST service principal trust (ec2)", assume("ec2.amazonaws.com", TARGET_A, trust({"Service": "ec2.amazonaws.com"})), ALLOWED),
    ("TRUST web identity: OIDC provider with sub condition", req(f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com", "sts:AssumeRoleWithWebIdentity", TARGET_A, resource_policy=trust({"Federated": f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"}, "sts:AssumeRoleWithWebIdentity", Condition={"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/app:*"}}), resource_policy_kind="trust", context={"token.actions.githubusercontent.com:sub": "repo:org/app:ref:refs/heads/main"}), ALLOWED),
    ("TRUST web identity: other repository", req(f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com", "sts:AssumeRoleWithWebIdentity", TARGET_A, resource_policy=trust({"Federated": f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"}, "sts:AssumeRoleWithWebIdentity", Condition={"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/app:*"}}), resource_policy_kind="trust", context={"token.actions.githubusercontent.com:sub": "repo:evil/app:ref:refs/heads/main"}), IMPLICIT),
    ("TRUST trust allows AssumeRole but not TagSession", req(SESSION, "sts:TagSession", TARGET_B, account=B, identity=(pol(allow("sts:*")),), resource_policy=trust({"AWS": ROOT_A}), resource_policy_kind="trust"), IMPLICIT),
    # --- KMS key policies (KMS, KMSX; SEMANTICS 4.1)
    ("KMS default key policy (root delegation) plus IAM Allow", kms(USER, KEY_A, pol(ROOT_DELEGATION), identity=(pol(allow("kms:Decrypt")),)), ALLOWED),
    ("KMS root delegation without IAM Allow", kms(USER, KEY_A, pol(ROOT_DELEGATION)), IMPLICIT),
    ("KMS without the root delegation statement IAM Allows have no effect (trap)", kms(USER, KEY_A, pol({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:role/KeyAdmin"}, "Action": "kms:*", "Resource": "*"}), identity=(pol(allow("kms:*")),)), IMPLICIT),
    ("KMS key policy naming the role grants without IAM policy", kms(SESSION, KEY_A, pol({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt", "Resource": "*"})), ALLOWED),
    ("KMS key policy naming the user grants without IAM policy", kms(USER, KEY_A, pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"})), ALLOWED),
    ("KMS no key policy: even IAM admin cannot use the key", kms(USER, KEY_A, None, identity=(FULL,)), IMPLICIT),
    ("KMS IAM Deny still applies when the key policy allows", kms(USER, KEY_A, pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "kms:*", "Resource": "*"}), identity=(pol(deny("kms:Decrypt")),)), EXPLICIT),
    ("KMSX cross account: key policy names the account and IAM allows", kms(SESSION, KEY_B, pol({"Effect": "Allow", "Principal": {"AWS": ROOT_A}, "Action": "kms:Decrypt", "Resource": "*"}), identity=(pol(allow("kms:Decrypt", KEY_B)),)), ALLOWED),
    ("KMSX cross account: key policy alone", kms(SESSION, KEY_B, pol({"Effect": "Allow", "Principal": {"AWS": ROOT_A}, "Action": "kms:Decrypt", "Resource": "*"})), IMPLICIT),
    ("KMSX cross account: IAM alone", kms(SESSION, KEY_B, pol({"Effect": "Allow", "Principal": {"AWS": ROOT_B}, "Action": "kms:*", "Resource": "*"}), identity=(pol(allow("kms:Decrypt")),)), IMPLICIT),
    ("KMS kms:ViaService condition holds", kms(USER, KEY_A, pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}), context={"kms:ViaService": "s3.us-east-1.amazonaws.com"}), ALLOWED),
    ("KMS kms:ViaService condition missing", kms(USER, KEY_A, pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}})), IMPLICIT),
    ("KMS key policy naming the role is limited by its boundary", kms(SESSION, KEY_A, pol({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt", "Resource": "*"}), permission_boundary=S3_ALL), IMPLICIT),
    # --- Keys AWS derives itself (KEYS)
    ("KEYS aws:PrincipalArn of a session is its role ARN", req(SESSION, identity=(pol(allow(Condition={"ArnEquals": {"aws:PrincipalArn": ROLE}})),)), ALLOWED),
    ("KEYS aws:PrincipalArn of a session is not the session ARN", req(SESSION, identity=(pol(allow(Condition={"StringEquals": {"aws:PrincipalArn": SESSION}})),)), IMPLICIT),
    ("KEYS aws:PrincipalAccount derived from the ARN", req(account=B, identity=(GET,), resource_policy=rbp("*", Condition={"StringEquals": {"aws:PrincipalAccount": A}})), ALLOWED),
    ("KEYS aws:PrincipalType of a user", req(identity=(pol(allow(Condition={"StringEquals": {"aws:PrincipalType": "User"}})),)), ALLOWED),
    ("KEYS aws:PrincipalType of a role session", req(SESSION, identity=(pol(allow(Condition={"StringEquals": {"aws:PrincipalType": "AssumedRole"}})),)), ALLOWED),
    ("KEYS aws:username exists for users", req(identity=(pol(allow(Condition={"StringEquals": {"aws:username": "alice"}})),)), ALLOWED),
    ("KEYS aws:username is absent for roles", req(SESSION, identity=(pol(allow(Condition={"StringLike": {"aws:username": "*"}})),)), IMPLICIT),
    ("KEYS aws:ResourceAccount derived from the resource account", req(identity=(pol(allow(Condition={"StringEquals": {"aws:ResourceAccount": A}})),)), ALLOWED),
    ("KEYS aws:ResourceAccount outbound perimeter denies other accounts", req(account=B, identity=(GET, pol(deny("*", Condition={"StringNotEquals": {"aws:ResourceAccount": A}}))), resource_policy=rbp("*")), EXPLICIT),
    ("KEYS aws:userid of the root user is the account id", req(ROOT_A, account=B, identity=(), resource_policy=rbp("*", Condition={"StringEquals": {"aws:userid": A}})), ALLOWED),
    ("KEYS aws:userid of a federated user is account:name", req(FED_USER, resource_policy=rbp({"AWS": FED_USER}, Condition={"StringEquals": {"aws:userid": f"{A}:bob"}})), ALLOWED),
    ("KEYS a value given in the context overrides the derived one", req(identity=(pol(allow(Condition={"StringEquals": {"aws:PrincipalAccount": "333333333333"}})),), context={"aws:PrincipalAccount": "333333333333"}), ALLOWED),
    ("KEYS aws:PrincipalIsAWSService is false for users", req(identity=(pol(allow(Condition={"Bool": {"aws:PrincipalIsAWSService": "false"}})),)), ALLOWED),
]


@pytest.mark.parametrize(("request_", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_decision(request_: Request, expected: Decision) -> None:
    assert evaluate(request_).decision is expected


def test_explicit_deny_reports_the_denying_statements() -> None:
    # EVAL: the explicit Deny decides; the result names it (SPEC 5 matched_statements).
    request = req(identity=(pol(allow("s3:*"), {"Sid": "NoGet", **deny()}, policy_id="arn:aws:iam::111111111111:policy/P"),))
    result = evaluate(request)
    assert [ref.to_json() for ref in result.matched] == [
        {"policy_type": "identity", "policy_index": 0, "statement": 1, "sid": "NoGet", "effect": "Deny",
         "policy_id": "arn:aws:iam::111111111111:policy/P"}]


def test_allow_reports_the_allowing_statements_of_each_policy_type() -> None:
    request = req(account=B, identity=(GET,), resource_policy=rbp({"AWS": ROOT_A}), scps=((FULL,), (FULL,)))
    result = evaluate(request)
    assert {(ref.policy_type, ref.policy_index, ref.level) for ref in result.matched} == {
        ("identity", 0, None), ("resource", 0, None), ("scp", 0, 0), ("scp", 1, 1)}


def test_implicit_deny_has_no_matched_statements() -> None:
    assert evaluate(req(identity=(pol(allow("ec2:*")),))).to_json() == {"decision": "implicitDeny",
                                                                         "matched_statements": []}


def test_session_arn_grant_against_a_limiting_session_policy_is_marked_contested() -> None:
    # SEMANTICS 2.2: the docs say the session-ARN grant is not limited; iam-simulate disagrees.
    result = evaluate(req(SESSION, resource_policy=rbp({"AWS": SESSION}), session_policies=(pol(allow("ec2:*")),)))
    assert result.decision is Decision.ALLOWED and result.contested
    assert result.to_json()["contested"] is True


def test_session_arn_grant_that_the_session_policy_also_allows_is_not_contested() -> None:
    result = evaluate(req(SESSION, resource_policy=rbp({"AWS": SESSION}), session_policies=(GET,)))
    assert result.decision is Decision.ALLOWED and not result.contested
