"""Audit of the evaluation flow and the Principal element (SEMANTICS 2, 3, 4.1, 5) against AWS.

Each row: a request, the decision AWS documents, and the statements `simulate` must list
(`matched_statements`: policy_type, policy_index, statement, effect; Allows for an allowed
answer, the Denies for an explicit deny, nothing for an implicit deny). Rows marked FIX were
answered wrongly before this audit.

Sources (cited per row by short name):
- EVAL: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
- XACCT: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
- PB: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
- TYPES: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html (session policies)
- PRIN: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
  (Federated web identity principals: `cognito-identity.amazonaws.com`, `www.amazon.com`,
  `graph.facebook.com`, `accounts.google.com`)
- NOTP: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
- SCP: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
  (SCPs do not affect service-linked roles nor service principals)
- RCP: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
  ("Resources and entities not restricted by RCPs": resources of the management account, AWS
  managed KMS keys, actions performed by service-linked roles and AWS services assuming a
  service-linked role). RCPs do restrict AWS service principals: the AWS data-perimeter RCPs
  exempt them explicitly with `aws:PrincipalIsAWSService`
  (https://github.com/aws-samples/data-perimeter-policy-examples, resource_control_policies/README.md).
- RCPEVAL: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
- TRUST: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
- KMS: https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html (+ key-policy-default.html)
- KMSX: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from evaluator_cases import A, B, FED_USER, OBJECT, ROLE, ROOT_A, ROOT_B, SESSION, USER, allow, deny, pol, req

from graph.policy import Decision, Request, evaluate, explain, request_from_json
from tui.cli import cli

ALLOWED, EXPLICIT, IMPLICIT = Decision.ALLOWED, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY

FULL = pol(allow("*"))
GET = pol(allow())
EC2 = pol(allow("ec2:*"))
RCP_FULL = pol(allow("*", Principal="*"))
RCP_DENY_S3 = pol(deny("s3:*", Principal="*"))
SLR = f"arn:aws:iam::{A}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
SLR_SESSION = f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForElasticLoadBalancing/ElasticLoadBalancing"
SLR_CONFIG = f"arn:aws:iam::{A}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
TARGET_A = f"arn:aws:iam::{A}:role/Target"
TARGET_B = f"arn:aws:iam::{B}:role/Target"
KEY_A = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_B = f"arn:aws:kms:us-east-1:{B}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_SESSION = f"arn:aws:sts::{A}:assumed-role/App/other-session"
TRAIL = "cloudtrail.amazonaws.com"
COGNITO = "cognito-identity.amazonaws.com"


def rbp(principal: object, action: object = "s3:GetObject", effect: str = "Allow", **extra: object) -> object:
    return pol({"Effect": effect, "Principal": principal, "Action": action, "Resource": "*", **extra})


def trust(principal: object, action: str = "sts:AssumeRole", **extra: object) -> object:
    return pol({"Effect": "Allow", "Principal": principal, "Action": action, **extra})


def assume(principal: str, role: str, policy: object, action: str = "sts:AssumeRole", **fields: object) -> Request:
    return req(principal, action, role, account=role.split(":")[4], resource_policy=policy,
               resource_policy_kind="trust", **fields)


def kms(principal: str, key: str, policy: object, **fields: object) -> Request:
    return req(principal, "kms:Decrypt", key, account=key.split(":")[4], resource_policy=policy,
               resource_policy_kind="kms", **fields)


def not_principal_deny(names: object) -> dict[str, Any]:
    return {"Effect": "Deny", "NotPrincipal": names, "Action": "s3:*", "Resource": "*"}


ID, RES, PB_, SP, SCP, RCP = "identity", "resource", "boundary", "session", "scp", "rcp"

# (id, request, decision, matched statements as (policy_type, policy_index, statement, effect))
CASES: list[tuple[str, Request, Decision, list[tuple[str, int, int, str]]]] = [
    # --- Deny overrides an Allow in every policy type (EVAL)
    ("EVAL Deny in the boundary", req(identity=(GET,), permission_boundary=pol(allow("*"), deny())), EXPLICIT, [(PB_, 0, 1, "Deny")]),
    ("EVAL Deny in a session policy", req(SESSION, identity=(GET,), session_policies=(pol(allow("*"), deny()),)), EXPLICIT, [(SP, 0, 1, "Deny")]),
    ("EVAL Deny in the resource policy naming the account", req(identity=(GET,), resource_policy=rbp({"AWS": A}, effect="Deny")), EXPLICIT, [(RES, 0, 0, "Deny")]),
    ("EVAL Deny in the resource policy naming the role hits its sessions", req(SESSION, identity=(GET,), resource_policy=rbp({"AWS": ROLE}, effect="Deny")), EXPLICIT, [(RES, 0, 0, "Deny")]),
    ("EVAL Deny naming another session does not apply", req(OTHER_SESSION, identity=(GET,), resource_policy=rbp({"AWS": SESSION}, effect="Deny")), ALLOWED, [(ID, 0, 0, "Allow")]),
    ("EVAL Deny in an SCP (second policy of the level)", req(identity=(GET,), scps=((FULL, pol(deny())),)), EXPLICIT, [(SCP, 1, 0, "Deny")]),
    ("EVAL Deny in an RCP", req(identity=(GET,), rcps=((RCP_FULL, RCP_DENY_S3),)), EXPLICIT, [(RCP, 1, 0, "Deny")]),
    ("EVAL every Deny that applies is listed", req(identity=(pol(deny()), FULL), permission_boundary=pol(allow("*"), deny("s3:*"))), EXPLICIT, [(PB_, 0, 1, "Deny"), (ID, 0, 0, "Deny")]),
    # --- SCP levels (SCP); null vs empty lists
    ("SCP null: not applied", req(identity=(GET,), scps=None), ALLOWED, [(ID, 0, 0, "Allow")]),
    ("SCP FIX an empty list of levels restricts nothing (AND over no level; --explain said so)", req(identity=(GET,), scps=()), ALLOWED, [(ID, 0, 0, "Allow")]),
    ("SCP a level with no policy denies implicitly", req(identity=(GET,), scps=((),)), IMPLICIT, []),
    ("SCP every level's Allow is listed", req(identity=(GET,), scps=((FULL,), (EC2, GET))), ALLOWED, [(ID, 0, 0, "Allow"), (SCP, 0, 0, "Allow"), (SCP, 2, 0, "Allow")]),
    ("SCP a member account's root user is limited", req(A, scps=((EC2,),)), IMPLICIT, []),
    ("SCP a member account's root user within FullAWSAccess", req(A, scps=((FULL,),)), ALLOWED, [(SCP, 0, 0, "Allow")]),
    ("SCP service-linked role session: even a Deny does not apply", req(SLR_SESSION, identity=(GET,), scps=((FULL, pol(deny())),)), ALLOWED, [(ID, 0, 0, "Allow")]),
    ("SCP service principals are not limited", req(TRAIL, "s3:PutObject", resource_policy=rbp({"Service": TRAIL}, "s3:PutObject"), scps=((pol(deny("*")),),)), ALLOWED, [(RES, 0, 0, "Allow")]),
    # --- RCP levels and exemptions (RCP, RCPEVAL)
    ("RCP FIX an empty list of levels restricts nothing", req(identity=(GET,), rcps=()), ALLOWED, [(ID, 0, 0, "Allow")]),
    ("RCP a level with no policy denies implicitly", req(identity=(GET,), rcps=((RCP_FULL,), ())), IMPLICIT, []),
    ("RCP the allowing RCPFullAWSAccess of each level is listed", req(identity=(GET,), rcps=((RCP_FULL,), (RCP_FULL,))), ALLOWED, [(ID, 0, 0, "Allow"), (RCP, 0, 0, "Allow"), (RCP, 1, 0, "Allow")]),
    ("RCP FIX a service-linked role is not restricted", req(SLR, identity=(GET,), rcps=((RCP_FULL, RCP_DENY_S3),)), ALLOWED, [(ID, 0, 0, "Allow")]),
    ("RCP FIX a service-linked role session is not restricted", req(SLR_SESSION, identity=(GET,), rcps=((RCP_FULL, RCP_DENY_S3),)), ALLOWED, [(ID, 0, 0, "Allow")]),
    ("RCP FIX a service-linked role reaching another account's bucket", req(SLR, account=B, identity=(GET,), resource_policy=rbp({"AWS": A}), rcps=((RCP_FULL, RCP_DENY_S3),)), ALLOWED, [(ID, 0, 0, "Allow"), (RES, 0, 0, "Allow")]),
    ("RCP FIX a service assuming its service-linked role is not restricted", assume("config.amazonaws.com", SLR_CONFIG, trust({"Service": "config.amazonaws.com"}), rcps=((RCP_FULL, pol(deny("sts:*", Principal="*"))),)), ALLOWED, [(RES, 0, 0, "Allow")]),
    ("RCP a service assuming an ordinary role is restricted", assume("lambda.amazonaws.com", TARGET_A, trust({"Service": "lambda.amazonaws.com"}), rcps=((RCP_FULL, pol(deny("sts:*", Principal="*"))),)), EXPLICIT, [(RCP, 1, 0, "Deny")]),
    ("RCP service principals are restricted (data-perimeter RCPs exempt them by condition)", req(TRAIL, "s3:PutObject", resource_policy=rbp({"Service": TRAIL}, "s3:PutObject"), rcps=((RCP_FULL, RCP_DENY_S3),)), EXPLICIT, [(RCP, 1, 0, "Deny")]),
    ("RCP anonymous callers are restricted", req("*", resource_policy=rbp("*"), rcps=((RCP_FULL, RCP_DENY_S3),)), EXPLICIT, [(RCP, 1, 0, "Deny")]),
    # --- Boundaries against a same-account resource-policy grant (PB)
    ("PB user named directly: boundary's implicit deny does not limit", req(USER, resource_policy=rbp({"AWS": USER}), permission_boundary=EC2), ALLOWED, [(RES, 0, 0, "Allow")]),
    ("PB role ARN named: the role's boundary limits", req(ROLE, resource_policy=rbp({"AWS": ROLE}), permission_boundary=EC2), IMPLICIT, []),
    ("PB role ARN named: a session's boundary limits", req(SESSION, resource_policy=rbp({"AWS": ROLE}), permission_boundary=EC2), IMPLICIT, []),
    ("PB role ARN named, boundary allows: both listed", req(SESSION, resource_policy=rbp({"AWS": ROLE}), permission_boundary=GET), ALLOWED, [(PB_, 0, 0, "Allow"), (RES, 0, 0, "Allow")]),
    ("PB account named: identity and boundary both needed", req(USER, identity=(GET,), resource_policy=rbp({"AWS": ROOT_A}), permission_boundary=EC2), IMPLICIT, []),
    # --- Session policies (TYPES)
    ("TYPES account named: session policy's implicit deny limits", req(SESSION, identity=(GET,), resource_policy=rbp({"AWS": A}), session_policies=(EC2,)), IMPLICIT, []),
    ("TYPES role ARN named: session policy's implicit deny limits", req(SESSION, resource_policy=rbp({"AWS": ROLE}), session_policies=(EC2,)), IMPLICIT, []),
    ("TYPES role ARN named, session policy allows: no identity policy needed", req(SESSION, resource_policy=rbp({"AWS": ROLE}), session_policies=(GET,)), ALLOWED, [(RES, 0, 0, "Allow"), (SP, 0, 0, "Allow")]),
    ("TYPES federated user, account named, no session policy: no permissions", req(FED_USER, identity=(GET,), resource_policy=rbp({"AWS": A})), IMPLICIT, []),
    # --- Same account vs cross account (EVAL, XACCT)
    ("EVAL same account: a resource policy naming the user is enough", req(USER, resource_policy=rbp({"AWS": USER})), ALLOWED, [(RES, 0, 0, "Allow")]),
    ("XACCT the same grant across accounts is not enough", req(USER, account=B, resource_policy=rbp({"AWS": USER})), IMPLICIT, []),
    ("XACCT both sides allow: both listed", req(USER, account=B, identity=(GET,), resource_policy=rbp({"AWS": USER})), ALLOWED, [(ID, 0, 0, "Allow"), (RES, 0, 0, "Allow")]),
    ("XACCT a grant to the resource's own account does not admit outsiders", req(USER, account=B, identity=(GET,), resource_policy=rbp({"AWS": ROOT_B})), IMPLICIT, []),
    # --- Trust policies (TRUST)
    ("TRUST same account, role ARN named, session policy limits", assume(SESSION, TARGET_A, trust({"AWS": ROLE}), session_policies=(EC2,)), IMPLICIT, []),
    ("TRUST same account, account id named: identity needed", assume(USER, TARGET_A, trust({"AWS": A})), IMPLICIT, []),
    ("TRUST same account, root named plus identity", assume(SESSION, TARGET_A, trust({"AWS": ROOT_A}), identity=(pol(allow("sts:AssumeRole")),)), ALLOWED, [(ID, 0, 0, "Allow"), (RES, 0, 0, "Allow")]),
    # STS: "You cannot call AssumeRole by using AWS account root user credentials; access is denied"
    # (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)
    ("TRUST FIX the root user may not assume a role its account's trust names", assume(ROOT_A, TARGET_B, trust({"AWS": ROOT_A})), IMPLICIT, []),
    ("TRUST FIX the root user may not assume a role of its own account", assume(ROOT_A, TARGET_A, trust({"AWS": ROOT_A})), IMPLICIT, []),
    ("TRUST the root user refused, a Deny still listed", assume(ROOT_A, TARGET_B, pol(allow("sts:AssumeRole", None, Principal={"AWS": A}), deny("sts:AssumeRole", None, Principal="*"))), EXPLICIT, [(RES, 0, 1, "Deny")]),
    ("TRUST a bare account id stands for the account's principals: allowed", assume(A, TARGET_B, trust({"AWS": ROOT_A})), ALLOWED, [(RES, 0, 0, "Allow")]),
    ("TRUST the root user keeps every other permission in its account", req(ROOT_A, "s3:GetObject", OBJECT, account=A), ALLOWED, []),
    ("TRUST cross account, role ARN named plus identity", assume(SESSION, TARGET_B, trust({"AWS": ROLE}), identity=(pol(allow("sts:AssumeRole")),)), ALLOWED, [(ID, 0, 0, "Allow"), (RES, 0, 0, "Allow")]),
    # --- KMS (KMS, KMSX)
    ("KMS account id in the key policy enables IAM policies", kms(USER, KEY_A, rbp({"AWS": A}, "kms:*"), identity=(pol(allow("kms:Decrypt")),)), ALLOWED, [(ID, 0, 0, "Allow"), (RES, 0, 0, "Allow")]),
    ("KMS key policy naming the user directly: boundary does not limit", kms(USER, KEY_A, rbp({"AWS": USER}, "kms:Decrypt"), permission_boundary=EC2), ALLOWED, [(RES, 0, 0, "Allow")]),
    ("KMS root user needs the key policy to name the account", kms(A, KEY_A, rbp({"AWS": USER}, "kms:*")), IMPLICIT, []),
    ("KMSX key policy names the caller's account, IAM allows", kms(SESSION, KEY_B, rbp({"AWS": ROOT_A}, "kms:Decrypt"), identity=(pol(allow("kms:Decrypt")),)), ALLOWED, [(ID, 0, 0, "Allow"), (RES, 0, 0, "Allow")]),
    # --- Principal element forms (PRIN)
    ("PRIN {'AWS': ['*']} admits anonymous callers", req("*", resource_policy=rbp({"AWS": ["*"]})), ALLOWED, [(RES, 0, 0, "Allow")]),
    ("PRIN '*' admits a service principal", req(TRAIL, "s3:PutObject", resource_policy=rbp("*", "s3:PutObject")), ALLOWED, [(RES, 0, 0, "Allow")]),
    ("PRIN service grant pinned by aws:SourceArn of another account", req(TRAIL, "s3:PutObject", resource_policy=rbp({"Service": TRAIL}, "s3:PutObject", Condition={"ArnLike": {"aws:SourceArn": f"arn:aws:cloudtrail:*:{A}:trail/*"}}), context={"aws:SourceArn": f"arn:aws:cloudtrail:us-east-1:{B}:trail/t"}), IMPLICIT, []),
    ("PRIN service grant pinned by aws:SourceArn, key absent", req(TRAIL, "s3:PutObject", resource_policy=rbp({"Service": TRAIL}, "s3:PutObject", Condition={"ArnLike": {"aws:SourceArn": f"arn:aws:cloudtrail:*:{A}:trail/*"}})), IMPLICIT, []),
    ("PRIN service grant pinned by aws:SourceAccount", req(TRAIL, "s3:PutObject", resource_policy=rbp({"Service": TRAIL}, "s3:PutObject", Condition={"StringEquals": {"aws:SourceAccount": A}}), context={"aws:SourceAccount": A}), ALLOWED, [(RES, 0, 0, "Allow")]),
    ("PRIN FIX Federated cognito-identity.amazonaws.com (web identity, not a service)", assume(COGNITO, TARGET_A, trust({"Federated": COGNITO}, "sts:AssumeRoleWithWebIdentity", Condition={"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"}}), "sts:AssumeRoleWithWebIdentity", context={"cognito-identity.amazonaws.com:aud": "us-east-1:pool"}), ALLOWED, [(RES, 0, 0, "Allow")]),
    ("PRIN a Service entry does not name the Cognito identity provider", assume(COGNITO, TARGET_A, trust({"Service": COGNITO}, "sts:AssumeRoleWithWebIdentity"), "sts:AssumeRoleWithWebIdentity"), IMPLICIT, []),
    ("PRIN Federated www.amazon.com", assume("www.amazon.com", TARGET_A, trust({"Federated": "www.amazon.com"}, "sts:AssumeRoleWithWebIdentity"), "sts:AssumeRoleWithWebIdentity"), ALLOWED, [(RES, 0, 0, "Allow")]),
    ("PRIN Federated SAML provider", assume(f"arn:aws:iam::{A}:saml-provider/Okta", TARGET_A, trust({"Federated": f"arn:aws:iam::{A}:saml-provider/Okta"}, "sts:AssumeRoleWithSAML"), "sts:AssumeRoleWithSAML"), ALLOWED, [(RES, 0, 0, "Allow")]),
    ("PRIN a service is not an account's principal", assume("lambda.amazonaws.com", TARGET_A, trust({"AWS": ROOT_A})), IMPLICIT, []),
    # --- NotPrincipal (NOTP)
    ("NOTP account id (not ARN) plus user ARN spares the user", req(USER, identity=(GET,), resource_policy=pol(not_principal_deny({"AWS": [USER, A]}))), ALLOWED, [(ID, 0, 0, "Allow")]),
    ("NOTP account alone: the account's user is denied", req(USER, identity=(GET,), resource_policy=pol(not_principal_deny({"AWS": ROOT_A}))), EXPLICIT, [(RES, 0, 0, "Deny")]),
    ("NOTP account alone: the root user is spared", req(A, resource_policy=pol(not_principal_deny({"AWS": ROOT_A}), allow(Principal={"AWS": ROOT_A}))), ALLOWED, [(RES, 0, 1, "Allow")]),
    ("NOTP session and account without the role: denied", req(SESSION, identity=(GET,), resource_policy=pol(not_principal_deny({"AWS": [SESSION, ROOT_A]}))), EXPLICIT, [(RES, 0, 0, "Deny")]),
    ("NOTP anonymous is always denied", req("*", resource_policy=pol(not_principal_deny({"AWS": ROOT_A}), allow(Principal="*"))), EXPLICIT, [(RES, 0, 0, "Deny")]),
    ("NOTP a listed service is spared", req(TRAIL, "s3:PutObject", resource_policy=pol(not_principal_deny({"Service": TRAIL}), allow("s3:PutObject", Principal={"Service": TRAIL}))), ALLOWED, [(RES, 0, 1, "Allow")]),
    ("NOTP federated user with its account listed is spared", req(FED_USER, identity=(GET,), session_policies=(GET,), resource_policy=pol(not_principal_deny({"AWS": [FED_USER, ROOT_A]}))), ALLOWED, [(ID, 0, 0, "Allow"), (SP, 0, 0, "Allow")]),
    ("NOTP boundary holder is denied whatever is listed", req(SESSION, identity=(GET,), permission_boundary=FULL, resource_policy=pol(not_principal_deny({"AWS": [SESSION, ROLE, ROOT_A]}))), EXPLICIT, [(RES, 0, 0, "Deny")]),
    ("NOTP Allow grants anonymous callers not listed (evaluated literally)", req("*", resource_policy=pol({"Effect": "Allow", "NotPrincipal": {"AWS": USER}, "Action": "s3:*", "Resource": "*"})), ALLOWED, [(RES, 0, 0, "Allow")]),
]


def _matched(request: Request) -> tuple[Decision, list[tuple[str, int, int, str]]]:
    result = evaluate(request)
    return result.decision, [(ref.policy_type, ref.policy_index, ref.statement, ref.effect) for ref in result.matched]


@pytest.mark.parametrize(("request_", "decision", "matched"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_decision_and_matched_statements(request_: Request, decision: Decision,
                                         matched: list[tuple[str, int, int, str]]) -> None:
    assert _matched(request_) == (decision, matched)


@pytest.mark.parametrize(("request_", "decision"), [(case[1], case[2]) for case in CASES],
                         ids=[case[0] for case in CASES])
def test_explain_states_the_same_decision(request_: Request, decision: Decision) -> None:
    # `simulate --explain --json` prints both: they must never contradict each other.
    assert f"decision: {decision.value}" in explain(request_)


def _user_request(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"principal": USER, "action": "s3:GetObject", "resource": OBJECT, "resource_account": A,
                            "identity_policies": [{"Version": "2012-10-17", "Statement": [
                                {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}]}
    base.update(fields)
    return base


def test_simulate_answers_empty_and_null_organization_lists_alike(tmp_path: Path) -> None:
    # SPEC 5: one list per level; no level means nothing to satisfy, as null (and as --explain said).
    requests = [_user_request(scps=None), _user_request(scps=[]), _user_request(rcps=[]), _user_request(scps=[[]])]
    path = tmp_path / "requests.json"
    path.write_text(json.dumps(requests))
    result = CliRunner().invoke(cli, ["simulate", str(path)])
    assert result.exit_code == 0
    answers = json.loads(result.stdout)
    read = [{"policy_type": "identity", "policy_index": 0, "statement": 0, "sid": "Read", "effect": "Allow"}]
    assert answers[:3] == [{"decision": "allowed", "matched_statements": read}] * 3
    assert answers[3] == {"decision": "implicitDeny", "matched_statements": []}


def test_simulate_cognito_identity_pool_trust(tmp_path: Path) -> None:
    # PRIN: Cognito identity pools federate as {"Federated": "cognito-identity.amazonaws.com"}.
    request = {"principal": COGNITO, "action": "sts:AssumeRoleWithWebIdentity", "resource": TARGET_A,
               "resource_policy": {"Version": "2012-10-17", "Statement": [
                   {"Sid": "Pool", "Effect": "Allow", "Principal": {"Federated": COGNITO},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"}}}]},
               "context": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"}}
    assert request_from_json(request).resource_policy_kind == "trust"
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    result = CliRunner().invoke(cli, ["simulate", str(path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"decision": "allowed", "matched_statements": [
        {"policy_type": "resource", "policy_index": 0, "statement": 0, "sid": "Pool", "effect": "Allow"}]}


def test_cognito_caller_is_not_an_aws_service() -> None:
    # aws:PrincipalIsAWSService is true only for service principals (global condition keys reference).
    request = assume(COGNITO, TARGET_A, trust("*", "sts:AssumeRoleWithWebIdentity",
                                               Condition={"Bool": {"aws:PrincipalIsAWSService": "true"}}),
                     "sts:AssumeRoleWithWebIdentity")
    assert evaluate(request).decision is IMPLICIT


def test_explain_names_the_sts_refusal_of_the_root_user() -> None:
    lines = explain(assume(ROOT_A, TARGET_B, trust({"AWS": ROOT_A})))
    assert "decision: implicitDeny" in lines
    assert any("STS refuses sts:AssumeRole to the root user" in line for line in lines)
    assert not any("STS refuses" in line for line in explain(assume(A, TARGET_B, trust({"AWS": ROOT_A}))))


@pytest.mark.parametrize("key", ["aws:PrincipalArn", "aws:PrincipalType", "aws:userid", "aws:username"])
def test_a_bare_account_id_leaves_which_principal_unknown(key: str) -> None:
    # A bare account id stands for any principal of the account (the graph's uncollected accounts):
    # a trust narrowed to some of its roles by aws:PrincipalArn must stay possible (conditional),
    # never answered "nobody"; the root ARN is one known principal (Account type, its own ARN).
    pattern = f"arn:aws:iam::{A}:role/deploy-*" if key == "aws:PrincipalArn" else "deploy-*"
    narrowed = trust({"AWS": ROOT_A}, Condition={"StringLike": {key: pattern}})
    assert evaluate(replace(assume(A, TARGET_B, narrowed), unknown_context=True)).decision is Decision.CONDITIONAL
    assert evaluate(assume(A, TARGET_B, narrowed)).decision is IMPLICIT  # two-valued: absent
    if key == "aws:PrincipalArn":  # a value no principal of the account can have: decided, not unknown
        elsewhere = trust({"AWS": ROOT_A}, Condition={"StringLike": {key: f"arn:aws:iam::{B}:role/*"}})
        assert evaluate(replace(assume(A, TARGET_B, elsewhere), unknown_context=True)).decision is IMPLICIT
        unless = trust({"AWS": ROOT_A}, Condition={"StringNotLike": {key: f"arn:aws:iam::{B}:role/*"}})
        assert evaluate(replace(assume(A, TARGET_B, unless), unknown_context=True)).decision is ALLOWED
    if key in ("aws:PrincipalArn", "aws:PrincipalType"):  # the root user's are known: no match
        tagging = trust({"AWS": ROOT_A}, "sts:TagSession", Condition={"StringLike": {key: pattern}})
        assert evaluate(replace(assume(A, TARGET_B, tagging, "sts:TagSession"),
                                unknown_context=True)).decision is Decision.CONDITIONAL
        assert evaluate(replace(assume(ROOT_A, TARGET_B, tagging, "sts:TagSession"),
                                unknown_context=True)).decision is IMPLICIT
