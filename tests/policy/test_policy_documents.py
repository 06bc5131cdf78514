"""Parsing policy documents: every accepted form, every rejected shape with its location.

GRAMMAR: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
PRIN: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
VER: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from graph.errors import PolicyError
from graph.model import PolicyDocument
from graph.policy import Effect, parse_caller, parse_policy, policy_from_text
from graph.policy.principals import CallerKind, Match

DOC = {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject",
                                               "Resource": "arn:aws:s3:::b/*"}]}


@pytest.mark.parametrize("form", ["dict", "json", "url-encoded", "model"])
def test_every_document_form_parses_to_the_same_policy(form: str) -> None:
    # SPEC 3: documents come as objects or JSON strings, URL-encoded or not (as AWS returns them).
    raw: Any = {"dict": DOC, "json": json.dumps(DOC), "url-encoded": quote(json.dumps(DOC)),
                "model": PolicyDocument.from_dict(DOC)}[form]
    policy = parse_policy(raw)
    assert [(s.sid, s.effect, s.actions, s.resources) for s in policy.statements] == [
        ("Read", Effect.ALLOW, ("s3:getobject",), ("arn:aws:s3:::b/*",))]


def test_single_values_and_lists_are_equivalent() -> None:
    # GRAMMAR: Action, Resource, principals and condition values take one value or a list.
    single = parse_policy({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}})
    listed = parse_policy({"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]})
    assert single.statements[0].actions == listed.statements[0].actions
    assert single.statements[0].resources == listed.statements[0].resources


def test_parsing_is_cached_by_text() -> None:
    # The graph calls parse with the same documents thousands of times.
    text = json.dumps(DOC)
    assert policy_from_text(text) is policy_from_text(text)
    assert parse_policy(DOC, policy_id="p1") is parse_policy(dict(DOC), policy_id="p1")


def test_policy_id_is_kept_and_may_apply_to_action_filters() -> None:
    policy = parse_policy(DOC, policy_id="arn:aws:iam::aws:policy/X")
    assert policy.policy_id == "arn:aws:iam::aws:policy/X"
    assert policy.may_apply_to_action("S3:GetObject") and not policy.may_apply_to_action("s3:PutObject")


def test_version_and_missing_version() -> None:
    assert parse_policy(DOC).variables_enabled
    assert not parse_policy({"Version": "2008-10-17", "Statement": []}).variables_enabled
    assert not parse_policy({"Statement": []}).variables_enabled   # VER: default is 2008-10-17


@pytest.mark.parametrize(("document", "location", "message"), [
    ("{not json", "policy", "not valid JSON"),
    ([], "policy", "JSON object"),
    ({"Version": "2012-10-17"}, "policy", "needs a Statement"),
    ({"Version": "2020-01-01", "Statement": []}, "policy.Version", "Version must be"),
    ({"Statement": "x"}, "policy.Statement", "object or a list"),
    ({"Statement": [1]}, "policy.Statement[0]", "must be an object"),
    ({"Statement": [{"Action": "s3:*", "Resource": "*"}]}, "policy.Statement[0].Effect", "Effect"),
    ({"Statement": [{"Effect": "allow", "Action": "s3:*"}]}, "policy.Statement[0].Effect", "Effect"),
    ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "policy.Statement[0]", "Action or NotAction"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:Get*"}]}, "policy.Statement[0].NotAction", "both"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "NotResource": "*"}]}, "policy.Statement[0].NotResource", "both"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Principal": "*", "NotPrincipal": "*"}]}, "policy.Statement[0].NotPrincipal", "both"),
    ({"Statement": [{"Effect": "Allow", "Action": "GetObject"}]}, "policy.Statement[0].Action", "service:Action"),
    ({"Statement": [{"Effect": "Allow", "Action": ["s3:Get", 3]}]}, "policy.Statement[0].Action[1]", "non-empty string"),
    ({"Statement": [{"Effect": "Allow", "Action": []}]}, "policy.Statement[0].Action", "must not be empty"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ""}]}, "policy.Statement[0].Resource", "non-empty"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Actions": "x"}]}, "policy.Statement[0].Actions", "unknown statement element"),
    ({"Statement": [], "Extra": 1}, "policy.Extra", "unknown policy element"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Principal": {"AWS": "arn:aws:iam::*:role/x"}}]}, "policy.Statement[0].Principal.AWS", "partial wildcard"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Principal": {"Group": "x"}}]}, "policy.Statement[0].Principal.Group", "unknown principal type"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Principal": "someone"}]}, "policy.Statement[0].Principal", "must be"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Principal": {"AWS": "bob"}}]}, "policy.Statement[0].Principal.AWS", "not an AWS principal"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Principal": {"AWS": [""]}}]}, "policy.Statement[0].Principal.AWS[0]", "non-empty"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Sid": ["a"]}]}, "policy.Statement[0].Sid", "Sid"),
    ({"Id": 5, "Statement": []}, "policy.Id", "Id must be a string"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Condition": {"Null": {"k": "${aws:username}"}}}], "Version": "2012-10-17"}, "policy.Statement[0].Condition.Null.k", "Null"),
])
def test_malformed_documents_are_rejected_with_location(document: Any, location: str, message: str) -> None:
    text = document if isinstance(document, str) else document
    with pytest.raises(PolicyError) as raised:
        parse_policy(text)
    assert raised.value.location == location
    assert message in raised.value.message


def test_location_prefix_is_the_callers() -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy({"Statement": [{"Effect": "Maybe", "Action": "s3:*"}]}, location="request.identity_policies[3]")
    assert str(raised.value).startswith("request.identity_policies[3].Statement[0].Effect: ")


def test_non_document_type_is_rejected() -> None:
    with pytest.raises(PolicyError):
        parse_policy(42)


@pytest.mark.parametrize(("element", "field", "expected"), [
    ("*", "everyone", True),
    ({"AWS": "*"}, "everyone", True),                                   # PRIN: same as "*"
    ({"AWS": "111111111111"}, "accounts", frozenset({"111111111111"})),  # PRIN: id == root ARN
    ({"AWS": "arn:aws:iam::111111111111:root"}, "accounts", frozenset({"111111111111"})),
    ({"AWS": ["arn:aws:iam::111111111111:user/a", "arn:aws:iam::111111111111:role/p/R"]}, "arns",
     frozenset({"arn:aws:iam::111111111111:user/a", "arn:aws:iam::111111111111:role/p/R"})),
    ({"AWS": "AROAEXAMPLEID1234567"}, "unique_ids", frozenset({"AROAEXAMPLEID1234567"})),
    ({"Service": ["Lambda.amazonaws.com", "sns.amazonaws.com"]}, "services",
     frozenset({"lambda.amazonaws.com", "sns.amazonaws.com"})),
    ({"Federated": "accounts.google.com"}, "federated", frozenset({"accounts.google.com"})),
    ({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "canonical_users",
     frozenset({"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"})),
])
def test_principal_forms_are_normalized(element: Any, field: str, expected: Any) -> None:
    policy = parse_policy({"Statement": [{"Effect": "Allow", "Principal": element, "Action": "s3:*"}]})
    principals = policy.statements[0].principals
    assert principals is not None and getattr(principals, field) == expected


@pytest.mark.parametrize(("principal", "kind", "account", "principal_arn"), [
    ("arn:aws:iam::111111111111:user/team/alice", CallerKind.USER, "111111111111", "arn:aws:iam::111111111111:user/team/alice"),
    ("arn:aws:iam::111111111111:role/App", CallerKind.ROLE, "111111111111", "arn:aws:iam::111111111111:role/App"),
    ("arn:aws:sts::111111111111:assumed-role/App/s1", CallerKind.ROLE_SESSION, "111111111111", "arn:aws:iam::111111111111:role/App"),
    ("arn:aws:sts::111111111111:federated-user/bob", CallerKind.FEDERATED_USER, "111111111111", "arn:aws:sts::111111111111:federated-user/bob"),
    ("arn:aws:iam::111111111111:root", CallerKind.ROOT, "111111111111", "arn:aws:iam::111111111111:root"),
    ("111111111111", CallerKind.ROOT, "111111111111", "arn:aws:iam::111111111111:root"),
    ("lambda.amazonaws.com", CallerKind.SERVICE, None, None),
    ("accounts.google.com", CallerKind.FEDERATED, None, None),
    ("*", CallerKind.ANONYMOUS, None, None),
])
def test_request_principals_are_recognized(principal: str, kind: CallerKind, account: str | None,
                                           principal_arn: str | None) -> None:
    # KEYS aws:PrincipalArn: for a role session it is the role's ARN.
    caller = parse_caller(principal)
    assert (caller.kind, caller.account, caller.principal_arn) == (kind, account, principal_arn)


@pytest.mark.parametrize("principal", ["bob", "arn:aws:s3:::bucket", "arn:aws:iam::111111111111:group/g", ""])
def test_unrecognized_request_principals_raise(principal: str) -> None:
    with pytest.raises(ValueError):
        parse_caller(principal)


def test_session_matches_role_arn_as_role_and_its_own_arn_directly() -> None:
    # PRIN: a role ARN admits the role's sessions; a session ARN admits that one session.
    policy = parse_policy({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Principal": {"AWS": [
        "arn:aws:iam::111111111111:role/App", "arn:aws:sts::111111111111:assumed-role/Other/s"]}}]})
    principals = policy.statements[0].principals
    assert principals is not None
    assert principals.match(parse_caller("arn:aws:sts::111111111111:assumed-role/App/x")) is Match.ROLE_ARN
    assert principals.match(parse_caller("arn:aws:sts::111111111111:assumed-role/Other/s")) is Match.DIRECT
    assert principals.match(parse_caller("arn:aws:sts::111111111111:assumed-role/Other/t")) is Match.NONE
