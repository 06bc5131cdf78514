"""Audit of Action/NotAction, Resource/NotResource, wildcards and document structure (SEMANTICS 4.2, 4.3, 6, 8).

Each row is a SPEC section 5 request as `xpath-tui simulate` reads it (`request_from_json`), with the
decision AWS documents and the statements that decide. Sources:

ACT: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
NACT: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
RES: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
     ("Statements must include either a Resource or a NotResource element"; `*` and `?` inside ARN
     segments; `*` spans `/`; "the IAM user name is case sensitive"; wildcard-only actions use "*")
NRES: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
EFF: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html ("case sensitive")
VER: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
     (without Version 2012-10-17, `${...}` is literal text)
VAR: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
ARN: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (partitions aws, aws-cn,
     aws-us-gov; arn:partition:service:region:account-id:resource)
S3: https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html (bucket vs object ARNs)
KMS: https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html (the key policy is required;
     an alias ARN in Resource does not cover the key: https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html)
SCP: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.errors import RequestError
from graph.policy import evaluate, request_from_json

A = "111111111111"
B = "222222222222"
ROLE = f"arn:aws:iam::{A}:role/App"
USER = f"arn:aws:iam::{A}:user/bob"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
QUEUE = f"arn:aws:sqs:us-east-1:{A}:q"
ENABLE_IAM = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                                                      "Action": "kms:*", "Resource": "*"}]}


def s(effect: str, action: Any = None, resource: Any = None, *, na: Any = None, nr: Any = None,
      **extra: Any) -> dict[str, Any]:
    """A statement: Action or NotAction (`na`), Resource or NotResource (`nr`), or neither."""
    statement: dict[str, Any] = {"Effect": effect}
    if action is not None:
        statement["Action"] = action
    if na is not None:
        statement["NotAction"] = na
    if resource is not None:
        statement["Resource"] = resource
    if nr is not None:
        statement["NotResource"] = nr
    statement.update(extra)
    return statement


def doc(*statements: dict[str, Any], version: str | None = "2012-10-17", single: bool = False) -> dict[str, Any]:
    document: dict[str, Any] = {"Statement": statements[0] if single else list(statements)}
    if version is not None:
        document["Version"] = version
    return document


def r(action: str, resource: str, identity: tuple[dict[str, Any], ...] = (), *, principal: str = ROLE,
      **fields: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"principal": principal, "action": action, "resource": resource,
                               "identity_policies": list(identity)}
    request.update(fields)
    return request


I = "identity"
Match = tuple[str, int, int]

ROWS: list[tuple[str, dict[str, Any], str, list[Match] | None]] = [
    # --- Action: case-insensitive, `*` and `?` (ACT) ---
    ("action-name-case-insensitive", r("S3:getobject", "arn:aws:s3:::b/k", (doc(s("Allow", "s3:GetObject", "arn:aws:s3:::b/*")),)),
     "allowed", [(I, 0, 0)]),
    ("policy-action-upper-case", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "S3:GETOBJECT", "arn:aws:s3:::b/*")),)),
     "allowed", [(I, 0, 0)]),
    ("star-inside-action", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "s3:Get*Object", "*")),)), "allowed", [(I, 0, 0)]),
    ("star-inside-action-no-suffix-match", r("s3:GetObjectAcl", "arn:aws:s3:::b/k", (doc(s("Allow", "s3:Get*Object", "*")),)),
     "implicitDeny", []),
    ("question-mark-one-char", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "s3:?etObject", "*")),)), "allowed", [(I, 0, 0)]),
    ("question-mark-exactly-one", r("s3:GGetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "s3:?etObject", "*")),)), "implicitDeny", []),
    ("star-action-every-service", r("ec2:RunInstances", "*", (doc(s("Allow", "*", "*")),)), "allowed", [(I, 0, 0)]),
    ("s3-star-not-s3express", r("s3express:CreateSession", "*", (doc(s("Allow", "s3:*", "*")),)), "implicitDeny", []),
    # an action the catalogue does not know still matches literal and wildcard patterns
    ("unknown-action-literal", r("foo:BarBaz", "*", (doc(s("Allow", "foo:BarBaz", "*")),)), "allowed", [(I, 0, 0)]),
    ("unknown-action-wildcard", r("foo:BarBaz", "*", (doc(s("Allow", "foo:Bar*", "*")),)), "allowed", [(I, 0, 0)]),
    ("unknown-action-deny-any-case", r("foo:BarBaz", "*", (doc(s("Allow", "*", "*"), s("Deny", "FOO:barbaz", "*")),)),
     "explicitDeny", [(I, 0, 1)]),
    # --- NotAction (NACT) ---
    ("notaction-allow-grants-other-services", r("ec2:RunInstances", "*", (doc(s("Allow", na="iam:*", resource="*")),)),
     "allowed", [(I, 0, 0)]),
    ("notaction-allow-grants-unknown-services", r("zzz:Qq", "*", (doc(s("Allow", na="iam:*", resource="*")),)), "allowed", [(I, 0, 0)]),
    ("notaction-allow-not-the-listed", r("IAM:CreateUser", "*", (doc(s("Allow", na="iam:create*", resource="*")),)), "implicitDeny", []),
    ("notaction-allow-only-its-resource", r("s3:GetObject", "arn:aws:s3:::c/k", (doc(s("Allow", na="iam:*", resource="arn:aws:s3:::b/*")),)),
     "implicitDeny", []),
    ("notaction-deny-denies-the-rest", r("s3:GetObject", "arn:aws:s3:::b/k",
                                        (doc(s("Allow", "*", "*"), s("Deny", na=["iam:*", "sts:*"], resource="*")),)),
     "explicitDeny", [(I, 0, 1)]),
    ("notaction-deny-spares-the-listed", r("iam:GetUser", "*", (doc(s("Allow", "*", "*"), s("Deny", na=["iam:*", "sts:*"], resource="*")),)),
     "allowed", [(I, 0, 0)]),
    ("boundary-notaction", r("iam:CreateUser", "*", (doc(s("Allow", "*", "*")),), permission_boundary=doc(s("Allow", na="iam:*", resource="*"))),
     "implicitDeny", []),
    ("scp-notaction-deny", r("ec2:RunInstances", "*", (doc(s("Allow", "*", "*")),),
                             scps=[[doc(s("Allow", "*", "*")), doc(s("Deny", na=["iam:*"], resource="*"))]]),
     "explicitDeny", [("scp", 1, 0)]),
    # --- Resource: segments, wildcards, case (RES, ARN, S3) ---
    ("resource-case-sensitive", r("s3:GetObject", "arn:aws:s3:::b/K", (doc(s("Allow", "s3:GetObject", "arn:aws:s3:::b/k")),)), "implicitDeny", []),
    ("bucket-star-covers-objects-of-other-buckets", r("s3:GetObject", "arn:aws:s3:::bucket-2/key",
                                                      (doc(s("Allow", "s3:GetObject", "arn:aws:s3:::bucket*")),)), "allowed", [(I, 0, 0)]),
    ("star-slash-star-object", r("s3:GetObject", "arn:aws:s3:::b/d/k", (doc(s("Allow", "s3:GetObject", "arn:aws:s3:::*/*")),)), "allowed", [(I, 0, 0)]),
    ("star-slash-star-not-bucket", r("s3:ListBucket", "arn:aws:s3:::b", (doc(s("Allow", "s3:ListBucket", "arn:aws:s3:::*/*")),)), "implicitDeny", []),
    ("objects-pattern-not-listbucket", r("s3:ListBucket", "arn:aws:s3:::b", (doc(s("Allow", "s3:ListBucket", "arn:aws:s3:::b/*")),)), "implicitDeny", []),
    ("region-star", r("sqs:SendMessage", QUEUE, (doc(s("Allow", "sqs:*", f"arn:aws:sqs:*:{A}:q")),)), "allowed", [(I, 0, 0)]),
    ("account-star", r("sqs:SendMessage", QUEUE, (doc(s("Allow", "sqs:*", "arn:aws:sqs:us-east-1:*:q")),)), "allowed", [(I, 0, 0)]),
    ("region-question-mark", r("sqs:SendMessage", QUEUE, (doc(s("Allow", "sqs:*", f"arn:aws:sqs:us-east-?:{A}:q")),)), "allowed", [(I, 0, 0)]),
    ("region-literal-mismatch", r("sqs:SendMessage", QUEUE, (doc(s("Allow", "sqs:*", f"arn:aws:sqs:us-west-2:{A}:q")),)), "implicitDeny", []),
    ("star-in-empty-region-account", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "s3:*", "arn:aws:s3:*:*:b/k")),)), "allowed", [(I, 0, 0)]),
    ("trailing-star-spans-colon-in-resource", r("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{A}:function:f:prod",
                                                (doc(s("Allow", "lambda:*", f"arn:aws:lambda:us-east-1:{A}:function:f*")),)), "allowed", [(I, 0, 0)]),
    ("qualified-pattern-not-unqualified-arn", r("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{A}:function:f",
                                                (doc(s("Allow", "lambda:*", f"arn:aws:lambda:us-east-1:{A}:function:f:*")),)), "implicitDeny", []),
    ("partition-aws-does-not-cover-aws-cn", r("s3:GetObject", "arn:aws-cn:s3:::b/k", (doc(s("Allow", "s3:GetObject", "arn:aws:s3:::b/*")),)),
     "implicitDeny", []),
    ("partition-aws-cn", r("s3:GetObject", "arn:aws-cn:s3:::b/k", (doc(s("Allow", "s3:GetObject", "arn:aws-cn:s3:::b/*")),),
                           principal=f"arn:aws-cn:iam::{A}:role/App", resource_account=A), "allowed", [(I, 0, 0)]),
    ("partition-star-us-gov", r("s3:GetObject", "arn:aws-us-gov:s3:::b/k", (doc(s("Allow", "s3:GetObject", "arn:*:s3:::b/*")),),
                                principal=f"arn:aws-us-gov:iam::{A}:role/App", resource_account=A), "allowed", [(I, 0, 0)]),
    ("iam-path-is-part-of-the-arn", r("iam:GetRole", f"arn:aws:iam::{A}:role/path/Name", (doc(s("Allow", "iam:GetRole", f"arn:aws:iam::{A}:role/Name")),)),
     "implicitDeny", []),
    ("iam-path-star", r("iam:PassRole", f"arn:aws:iam::{A}:role/svc/Name", (doc(s("Allow", "iam:PassRole", f"arn:aws:iam::{A}:role/svc/*")),)),
     "allowed", [(I, 0, 0)]),
    ("no-resource-api-needs-star", r("s3:ListAllMyBuckets", "*", (doc(s("Allow", "s3:ListAllMyBuckets", "arn:aws:s3:::*")),)), "implicitDeny", []),
    ("no-resource-api-star", r("s3:ListAllMyBuckets", "*", (doc(s("Allow", "s3:ListAllMyBuckets", "*")),)), "allowed", [(I, 0, 0)]),
    # --- NotResource (NRES) ---
    ("notresource-allow-other", r("s3:GetObject", "arn:aws:s3:::c/k", (doc(s("Allow", "s3:*", nr="arn:aws:s3:::b/*")),)), "allowed", [(I, 0, 0)]),
    ("notresource-allow-excluded", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "s3:*", nr="arn:aws:s3:::b/*")),)), "implicitDeny", []),
    ("notresource-deny-other", r("s3:GetObject", "arn:aws:s3:::c/k",
                                 (doc(s("Allow", "*", "*"), s("Deny", "*", nr=["arn:aws:s3:::b", "arn:aws:s3:::b/*"])),)),
     "explicitDeny", [(I, 0, 1)]),
    ("notresource-deny-excepted", r("s3:GetObject", "arn:aws:s3:::b/k",
                                    (doc(s("Allow", "*", "*"), s("Deny", "*", nr=["arn:aws:s3:::b", "arn:aws:s3:::b/*"])),)),
     "allowed", [(I, 0, 0)]),
    ("notresource-deny-star-resource", r("s3:ListAllMyBuckets", "*", (doc(s("Allow", "*", "*"), s("Deny", "*", nr="arn:aws:s3:::b/*")),)),
     "explicitDeny", [(I, 0, 1)]),
    ("notresource-variable", r("s3:GetObject", "arn:aws:s3:::b/alice/k", (doc(s("Allow", "s3:GetObject", nr="arn:aws:s3:::b/${aws:username}/*")),),
                               principal=USER), "allowed", [(I, 0, 0)]),
    ("notresource-variable-own", r("s3:GetObject", "arn:aws:s3:::b/bob/k", (doc(s("Allow", "s3:GetObject", nr="arn:aws:s3:::b/${aws:username}/*")),),
                                   principal=USER), "implicitDeny", []),
    ("scp-notresource-allow", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "*", "*")),),
                                scps=[[doc(s("Allow", "*", nr="arn:aws:s3:::b/*"))]]), "implicitDeny", []),
    ("resource-policy-notresource-deny", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "*", "*")),), principal=USER, resource_account=A,
                                           resource_policy=doc(s("Deny", "*", Principal="*", nr="arn:aws:s3:::other/*"))),
     "explicitDeny", [("resource", 0, 0)]),
    ("resource-policy-notaction-allow", r("sqs:DeleteQueue", QUEUE, principal=USER,
                                          resource_policy=doc(s("Allow", na="sqs:SendMessage", resource="*", Principal={"AWS": USER}))),
     "allowed", [("resource", 0, 0)]),
    # --- document structure (VER, VAR) ---
    ("statement-single-object", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "s3:GetObject", "*"), single=True),)), "allowed", [(I, 0, 0)]),
    ("resource-policy-statement-single-object", r("s3:GetObject", "arn:aws:s3:::b/k", resource_account=A,
                                                  resource_policy=doc(s("Allow", "s3:GetObject", "arn:aws:s3:::b/*", Principal={"AWS": ROLE}), single=True)),
     "allowed", [("resource", 0, 0)]),
    ("every-matching-statement-listed", r("s3:GetObject", "arn:aws:s3:::b/k",
                                          (doc(s("Allow", "s3:GetObject", "*"), s("Allow", "iam:*", "*"), s("Allow", "s3:*", "*")), doc(s("Allow", "*", "*")))),
     "allowed", [(I, 0, 0), (I, 0, 2), (I, 1, 0)]),
    ("every-matching-deny-listed", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "s3:GetObject", "*"), s("Deny", "s3:*", "*")), doc(s("Deny", "*", "*")))),
     "explicitDeny", [(I, 0, 1), (I, 1, 0)]),
    ("no-version-variable-is-literal", r("s3:GetObject", "arn:aws:s3:::b/${aws:username}/k",
                                         (doc(s("Allow", "s3:GetObject", "arn:aws:s3:::b/${aws:username}/*"), version=None),), principal=USER),
     "allowed", [(I, 0, 0)]),
    ("no-version-variable-not-substituted", r("s3:GetObject", "arn:aws:s3:::b/bob/k",
                                              (doc(s("Allow", "s3:GetObject", "arn:aws:s3:::b/${aws:username}/*"), version=None),), principal=USER),
     "implicitDeny", []),
    ("version-2012-variable-substituted", r("s3:GetObject", "arn:aws:s3:::b/bob/k",
                                            (doc(s("Allow", "s3:GetObject", "arn:aws:s3:::b/${aws:username}/*")),), principal=USER),
     "allowed", [(I, 0, 0)]),
    ("version-2008-dollar-star-is-a-wildcard", r("s3:GetObject", "arn:aws:s3:::b/${x}",
                                                 (doc(s("Allow", "s3:GetObject", "arn:aws:s3:::b/${*}"), version="2008-10-17"),)),
     "allowed", [(I, 0, 0)]),
    ("version-2012-dollar-star-is-literal", r("s3:GetObject", "arn:aws:s3:::b/x", (doc(s("Allow", "s3:GetObject", "arn:aws:s3:::b/${*}")),)),
     "implicitDeny", []),
    ("empty-statement-list", r("s3:GetObject", "arn:aws:s3:::b/k", ({"Version": "2012-10-17", "Statement": []},)), "implicitDeny", []),
    # a resource policy without Resource applies to its own resource (SEMANTICS 4.3; trust policies)
    ("resource-policy-without-resource", r("sqs:SendMessage", QUEUE, resource_policy=doc(s("Allow", "sqs:SendMessage", Principal={"AWS": ROLE}))),
     "allowed", [("resource", 0, 0)]),
    ("trust-policy-without-resource", r("sts:AssumeRole", f"arn:aws:iam::{B}:role/T", (doc(s("Allow", "sts:AssumeRole", "*")),),
                                        resource_policy=doc(s("Allow", "sts:AssumeRole", Principal={"AWS": A}))),
     "allowed", [(I, 0, 0), ("resource", 0, 0)]),
    ("trust-identity-resource-without-path", r("sts:AssumeRole", f"arn:aws:iam::{B}:role/p/q/T", (doc(s("Allow", "sts:AssumeRole", f"arn:aws:iam::{B}:role/T")),),
                                               resource_policy=doc(s("Allow", "sts:AssumeRole", Principal={"AWS": A}))),
     "implicitDeny", []),
    # --- KMS key vs alias ARNs (KMS) ---
    ("kms-alias-arn-does-not-cover-key", r("kms:Decrypt", KEY, (doc(s("Allow", "kms:Decrypt", f"arn:aws:kms:us-east-1:{A}:alias/a")),),
                                           resource_policy=ENABLE_IAM), "implicitDeny", []),
    ("kms-key-arn", r("kms:Decrypt", KEY, (doc(s("Allow", "kms:Decrypt", f"arn:aws:kms:us-east-1:{A}:key/*")),), resource_policy=ENABLE_IAM),
     "allowed", [(I, 0, 0), ("resource", 0, 0)]),
    ("kms-request-alias-condition", r("kms:Decrypt", KEY, (doc(s("Allow", "kms:Decrypt", "*", Condition={"StringEquals": {"kms:RequestAlias": "alias/a"}})),),
                                      resource_policy=ENABLE_IAM, context={"kms:RequestAlias": "alias/a"}),
     "allowed", [(I, 0, 0), ("resource", 0, 0)]),
    ("kms-resource-aliases-condition", r("kms:Decrypt", KEY,
                                         (doc(s("Allow", "kms:Decrypt", "*", Condition={"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/a"}})),),
                                         resource_policy=ENABLE_IAM, context={"kms:ResourceAliases": ["alias/b", "alias/a"]}),
     "allowed", [(I, 0, 0), ("resource", 0, 0)]),
    ("kms-without-key-policy", r("kms:Decrypt", KEY, (doc(s("Allow", "kms:Decrypt", "*")),)), "implicitDeny", []),
]


@pytest.mark.parametrize(("request_json", "decision", "matched"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_decision_and_matched_statements(request_json: dict[str, Any], decision: str, matched: list[Match] | None) -> None:
    result = evaluate(request_from_json(request_json)).to_json()
    assert result["decision"] == decision
    if matched is not None:
        found = [(entry["policy_type"], entry["policy_index"], entry["statement"]) for entry in result["matched_statements"]]
        assert sorted(found) == sorted(matched)


REJECTED: list[tuple[str, dict[str, Any], str, str]] = [
    # RES: "Statements must include either a Resource or a NotResource element"; IAM refuses such an
    # identity policy (MalformedPolicyDocument), so reading it as "every resource" would widen access.
    ("identity-statement-without-resource", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "s3:GetObject")),)),
     "request.identity_policies[0].Statement[0]", "Resource or NotResource"),
    ("identity-single-statement-without-resource", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Deny", "s3:GetObject"), single=True),)),
     "request.identity_policies[0].Statement", "Resource or NotResource"),
    ("boundary-statement-without-resource", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "*", "*")),),
                                              permission_boundary=doc(s("Allow", "*", "*"), s("Allow", "s3:*"))),
     "request.permission_boundary.Statement[1]", "Resource or NotResource"),
    ("session-statement-without-resource", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "*", "*")),),
                                             session_policies=[{"policy_id": "p", "document": doc(s("Allow", "s3:*"))}]),
     "request.session_policies[0].document.Statement[0]", "Resource or NotResource"),
    # SPEC 8: "an ARN that is not one" is bad input; a request's resource is an ARN or "*" (RES note)
    ("resource-not-an-arn", r("s3:GetObject", "mybucket/key", (doc(s("Allow", "s3:GetObject", "*")),)), "request.resource", "ARN"),
    ("resource-arn-too-short", r("s3:GetObject", "arn:aws:s3", (doc(s("Allow", "s3:GetObject", "*")),)), "request.resource", "ARN"),
    ("resource-arn-without-service", r("s3:GetObject", "arn:aws::::x", (doc(s("Allow", "s3:GetObject", "*")),)), "request.resource", "ARN"),
    # already refused before this audit; kept so they stay refused
    ("action-and-notaction", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "s3:GetObject", "*", na="iam:*")),)),
     "request.identity_policies[0].Statement[0].NotAction", "both Action and NotAction"),
    ("effect-lower-case", r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("allow", "s3:GetObject", "*")),)),  # EFF: case sensitive
     "request.identity_policies[0].Statement[0].Effect", "Effect"),
]


@pytest.mark.parametrize(("request_json", "location", "message"), [row[1:] for row in REJECTED], ids=[row[0] for row in REJECTED])
def test_invalid_requests_are_refused_with_location(request_json: dict[str, Any], location: str, message: str) -> None:
    with pytest.raises(RequestError) as raised:
        request_from_json(request_json)
    assert raised.value.location == location
    assert message in raised.value.message


@pytest.mark.parametrize("resource", ["*", "arn:aws:s3:::b", "arn:aws:s3:::b/", f"arn:aws-us-gov:iam::{A}:role/p/R",
                                      f"arn:aws:lambda:us-east-1:{A}:function:f:1", "arn:aws:s3:::b/weird:*?key"])
def test_valid_resources_are_accepted(resource: str) -> None:
    request_from_json(r("s3:GetObject", resource, (doc(s("Allow", "*", "*")),)))


def test_resource_policy_and_scp_without_resource_still_read_as_before() -> None:
    # SEMANTICS 4.3: a resource policy's statement without Resource means its own resource; an SCP
    # statement without Resource is kept as every resource (not refused: see docs/evaluator.md).
    request = r("s3:GetObject", "arn:aws:s3:::b/k", (doc(s("Allow", "*", "*")),), scps=[[doc(s("Allow", "*"))]])
    assert evaluate(request_from_json(request)).to_json()["decision"] == "allowed"


@pytest.mark.parametrize(("kind", "expected"), [("IDENTITY", ["x.Statement[0]: statement has neither Resource nor NotResource"]),
                                                ("RESOURCE", []), ("ORGANIZATION", [])])
def test_snapshot_check_requires_resource_in_identity_policies_only(kind: str, expected: list[str]) -> None:
    # The same rule for `validate` and graph builds as for `simulate` (RES; SEMANTICS 4.3 for resource policies).
    from graph.schema.documents import DocumentKind, check_document

    statement: dict[str, Any] = {"Effect": "Allow", "Action": "sqs:SendMessage"}
    if kind == "RESOURCE":
        statement["Principal"] = {"AWS": A}
    problems = check_document({"Version": "2012-10-17", "Statement": [statement]}, ("x",), DocumentKind[kind])
    assert [str(problem) for problem in problems] == expected
