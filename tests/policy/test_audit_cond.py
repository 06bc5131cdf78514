"""Audit of conditions (SEMANTICS section 7, SPEC section 5 context rules) through the simulate path.

Each row is a request in the SPEC section 5 JSON form (`request_from_json`), evaluated as
`xpath-tui simulate` does; the expected decision and deciding statements follow the AWS page
named in the row id:

- CO: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  (Date operators take "one of the supported W3C implementations of the ISO 8601 date formats"
  (https://www.w3.org/TR/NOTE-datetime: YYYY, YYYY-MM, YYYY-MM-DD, ...Thh:mmTZD, ...Thh:mm:ssTZD,
  ...Thh:mm:ss.sTZD) "or epoch (UNIX) time")
- MV: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
- VAR: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
  ("Where you can use policy variables": in condition values only with the string and ARN
  operators, never with Numeric, Date, Boolean, Binary, IP address or Null operators)
- AA: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
  ("Error - Invalid variable for operator": IAM refuses such a policy when it is written)
- KEYS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
- COND: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graph.errors import PolicyError, RequestError
from graph.policy import evaluate, parse_policy
from graph.policy.request import request_from_json
from tui.cli import cli, main

A = "111111111111"
USER = f"arn:aws:iam::{A}:user/alice"
ROLE = f"arn:aws:iam::{A}:role/App"
SESSION = f"arn:aws:sts::{A}:assumed-role/App/s1"
ROOT = f"arn:aws:iam::{A}:root"
FED = f"arn:aws:sts::{A}:federated-user/bob"
OBJECT = "arn:aws:s3:::data-bucket/alice/q1.csv"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
ALLOWED = "allowed"
DENIED = "implicitDeny"
EXPLICIT = "explicitDeny"
CONDITIONAL = "conditional"


def _request(block: dict[str, Any] | None, context: dict[str, Any], *, principal: str = USER,
             resource_pattern: str = "*", version: str | None = "2012-10-17", deny: bool = False,
             **fields: Any) -> dict[str, Any]:
    """One identity statement `Cond` holding `block`; with `deny`, a Deny beside an Allow of everything
    (for callers whose identity policies do not decide: the root user)."""
    statement: dict[str, Any] = {"Sid": "Cond", "Effect": "Deny" if deny else "Allow", "Action": "s3:GetObject",
                                 "Resource": resource_pattern}
    if block is not None:
        statement["Condition"] = block
    document: dict[str, Any] = {"Statement": [statement]}
    if version is not None:
        document["Version"] = version
    request: dict[str, Any] = {"principal": principal, "action": "s3:GetObject", "resource": OBJECT,
                               "resource_account": A, "identity_policies": [document], "context": context}
    if deny:
        request["identity_policies"].append(ALLOW_ALL)
    if principal == FED:
        request["session_policies"] = [ALLOW_ALL]  # a federated user without session policy has no permissions
    request.update(fields)
    return request


def _decide(raw: dict[str, Any]) -> dict[str, Any]:
    return evaluate(request_from_json(raw)).to_json()


MATCHED = [{"policy_type": "identity", "policy_index": 0, "statement": 0, "sid": "Cond", "effect": "Allow"}]
SESSION_ALL = {"policy_type": "session", "policy_index": 0, "statement": 0, "sid": None, "effect": "Allow"}


def _expect(result: dict[str, Any], decision: str, principal: str = USER) -> None:
    """The decision, and the deciding statements: `Cond` when it allows or denies (with the session
    policy of a federated user), none for an implicit deny."""
    assert result["decision"] == decision
    if decision == DENIED:
        expected: list[dict[str, Any]] = []
    elif decision == EXPLICIT:
        expected = [dict(MATCHED[0], effect="Deny")]
    else:
        expected = MATCHED + ([SESSION_ALL] if principal == FED else [])
    assert result["matched_statements"] == expected


# (id: source and reason, condition block, context, expected decision, extra request fields)
ROWS: list[tuple[str, dict[str, Any], dict[str, Any], str, dict[str, Any]]] = [
    # --- Date: W3C profile of ISO 8601 (CO). YYYY-MM was refused as "not an ISO 8601 date" (exit 2).
    ("CO Date YYYY-MM (W3C year and month) is a date: earlier instant",
     {"DateLessThan": {"aws:CurrentTime": "2020-02"}}, {"aws:CurrentTime": "2020-01-31T23:59:59Z"}, ALLOWED, {}),
    ("CO Date YYYY-MM stands for the first instant of the month",
     {"DateLessThan": {"aws:CurrentTime": "2020-02"}}, {"aws:CurrentTime": "2020-02-01T00:00:00Z"}, DENIED, {}),
    ("CO DateEquals YYYY-MM equals its first instant",
     {"DateEquals": {"aws:CurrentTime": "2020-02"}}, {"aws:CurrentTime": "2020-02-01T00:00:00Z"}, ALLOWED, {}),
    ("CO Date YYYY-MM as a context value",
     {"DateGreaterThanEquals": {"aws:CurrentTime": "2020-02-01"}}, {"aws:CurrentTime": "2020-02"}, ALLOWED, {}),
    ("CO Date YYYY-MM-DDThh:mmTZD (no seconds)",
     {"DateLessThan": {"aws:CurrentTime": "2020-01-01T10:00Z"}}, {"aws:CurrentTime": "2020-01-01T09:59:59Z"}, ALLOWED, {}),
    ("CO Date fraction of a second",
     {"DateLessThan": {"aws:CurrentTime": "2020-01-01T10:00:00.5Z"}}, {"aws:CurrentTime": "2020-01-01T10:00:00.25Z"}, ALLOWED, {}),
    ("CO Date epoch policy value equals the same ISO instant",
     {"DateEquals": {"aws:CurrentTime": "1577836800"}}, {"aws:CurrentTime": "2020-01-01T00:00:00Z"}, ALLOWED, {}),
    ("CO Date epoch context value given as a JSON number",
     {"DateGreaterThan": {"aws:EpochTime": "2020-01-01T00:00:00Z"}}, {"aws:EpochTime": 1600000000}, ALLOWED, {}),
    ("CO Date offset is honoured (10:00+01:00 is 09:00Z)",
     {"DateLessThan": {"aws:CurrentTime": "2020-01-01T10:00:00+01:00"}}, {"aws:CurrentTime": "2020-01-01T09:30:00Z"}, DENIED, {}),
    # --- Numeric: a context value is a number only in decimal notation. Python's float() also
    # read "1_000", "nan" and "inf", which no IAM numeric value is.
    ("CO Numeric context '1_000' is not a number", {"NumericEquals": {"s3:max-keys": "1000"}},
     {"s3:max-keys": "1_000"}, DENIED, {}),
    ("CO Numeric context 'infinity' is not a number", {"NumericGreaterThan": {"s3:max-keys": "10"}},
     {"s3:max-keys": "infinity"}, DENIED, {}),
    ("CO Numeric context with a decimal point", {"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.0"}, ALLOWED, {}),
    ("CO Numeric context given as a JSON number", {"NumericLessThan": {"s3:max-keys": "10.5"}}, {"s3:max-keys": 10}, ALLOWED, {}),
    ("CO Numeric negative", {"NumericLessThan": {"s3:max-keys": "0"}}, {"s3:max-keys": "-1"}, ALLOWED, {}),
    ("CO Numeric context given as a JSON boolean is no number", {"NumericEquals": {"s3:max-keys": "1"}},
     {"s3:max-keys": True}, DENIED, {}),
    # --- Negated operators and IfExists on absent and present keys (CO "Important" note, IfExists)
    ("CO NumericNotEquals absent key is true", {"NumericNotEquals": {"s3:max-keys": "1"}}, {}, ALLOWED, {}),
    ("CO DateNotEquals absent key is true", {"DateNotEquals": {"aws:CurrentTime": "2020-01-01"}}, {}, ALLOWED, {}),
    ("CO ArnNotEquals absent key is true", {"ArnNotEquals": {"aws:SourceArn": "arn:aws:s3:::b"}}, {}, ALLOWED, {}),
    ("CO StringNotEqualsIgnoreCase absent key is true", {"StringNotEqualsIgnoreCase": {"k:x": "a"}}, {}, ALLOWED, {}),
    ("CO StringNotEqualsIfExists present and equal is false", {"StringNotEqualsIfExists": {"k:x": "a"}}, {"k:x": "a"}, DENIED, {}),
    ("CO NotIpAddressIfExists present inside is false", {"NotIpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}},
     {"aws:SourceIp": "10.0.0.1"}, DENIED, {}),
    ("CO NotIpAddressIfExists absent is true", {"NotIpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}, {}, ALLOWED, {}),
    ("CO ArnLikeIfExists present mismatch is false", {"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:s3:::b*"}},
     {"aws:SourceArn": "arn:aws:s3:::c"}, DENIED, {}),
    ("CO BoolIfExists present false is false", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
     {"aws:MultiFactorAuthPresent": "false"}, DENIED, {}),
    ("CO BinaryEqualsIfExists absent is true", {"BinaryEqualsIfExists": {"k:x": "QQ=="}}, {}, ALLOWED, {}),
    # --- Null, Bool with JSON booleans and odd case
    ("CO Null false given as JSON false: key present", {"Null": {"k:x": False}}, {"k:x": "v"}, ALLOWED, {}),
    ("CO Null TRUE in capitals: key absent", {"Null": {"k:x": "TRUE"}}, {}, ALLOWED, {}),
    ("CO Bool JSON false policy and context", {"Bool": {"aws:SecureTransport": False}}, {"aws:SecureTransport": False}, ALLOWED, {}),
    # --- Multi-valued keys (MV)
    ("MV ForAllValues:StringLike every value matches", {"ForAllValues:StringLike": {"aws:TagKeys": ["a*"]}},
     {"aws:TagKeys": ["ab", "ac"]}, ALLOWED, {}),
    ("MV ForAllValues:StringLike one value does not", {"ForAllValues:StringLike": {"aws:TagKeys": ["a*"]}},
     {"aws:TagKeys": ["ab", "bc"]}, DENIED, {}),
    ("MV ForAllValues:StringNotLike absent key is true", {"ForAllValues:StringNotLike": {"aws:TagKeys": ["a*"]}}, {}, ALLOWED, {}),
    ("MV ForAnyValue:StringNotEquals absent key is false", {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a"]}}, {}, DENIED, {}),
    ("MV ForAnyValue:ArnLike one ARN among non-ARNs", {"ForAnyValue:ArnLike": {"aws:CalledVia": "arn:aws:iam::*:role/x"}},
     {"aws:CalledVia": ["x", "arn:aws:iam::1:role/x"]}, ALLOWED, {}),
    # --- IP addresses
    ("CO IpAddress IPv6 written in full inside a /32", {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}},
     {"aws:SourceIp": "2001:0db8:0000:0000:0000:0000:0000:0001"}, ALLOWED, {}),
    ("CO IpAddress 0.0.0.0/0 does not hold an IPv6 address", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
     {"aws:SourceIp": "2001:db8::1"}, DENIED, {}),
    ("CO IpAddress IPv4 and IPv6 blocks in one list", {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}},
     {"aws:SourceIp": "2001:db8::9"}, ALLOWED, {}),
    # --- ARNs: each of the six parts matched on its own (CO)
    ("CO ArnEquals other region does not match", {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:t"}},
     {"aws:SourceArn": f"arn:aws:sns:us-west-2:{A}:t"}, DENIED, {}),
    ("CO ArnLike ? inside the region part", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-?:*:t"}},
     {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:t"}, ALLOWED, {}),
    ("CO ArnLike * in the resource part spans ':'", {"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:*:log-group:*"}},
     {"aws:SourceArn": "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s"}, ALLOWED, {}),
    ("CO ArnLike * in the resource part does not reach back into the region part",
     {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}, {"aws:SourceArn": "arn:aws:s3:us-east-1::x"}, DENIED, {}),
    ("CO ArnLike on a value with too few parts", {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}},
     {"aws:SourceArn": "arn:aws:s3"}, DENIED, {}),
    # --- Keys AWS derives itself (KEYS); SPEC 5: derived from the request unless given
    ("KEYS aws:PrincipalArn of a role session is the role ARN", {"ArnEquals": {"aws:PrincipalArn": ROLE}}, {}, ALLOWED,
     {"principal": SESSION}),
    ("KEYS aws:PrincipalArn of a role session is not the session ARN", {"StringEquals": {"aws:PrincipalArn": SESSION}},
     {}, DENIED, {"principal": SESSION}),
    ("KEYS aws:PrincipalArn of the root user is its root ARN (root: a Deny decides)",
     {"StringEquals": {"aws:PrincipalArn": ROOT}}, {}, EXPLICIT, {"principal": ROOT, "deny": True}),
    ("KEYS aws:PrincipalType of a role session", {"StringEquals": {"aws:PrincipalType": "AssumedRole"}}, {}, ALLOWED,
     {"principal": SESSION}),
    ("KEYS aws:PrincipalType of the root user is Account", {"StringEquals": {"aws:PrincipalType": "Account"}}, {},
     EXPLICIT, {"principal": ROOT, "deny": True}),
    ("KEYS aws:userid of the root user is the account id", {"StringEquals": {"aws:userid": A}}, {},
     EXPLICIT, {"principal": ROOT, "deny": True}),
    ("KEYS aws:PrincipalType of a federated user", {"StringEquals": {"aws:PrincipalType": "FederatedUser"}}, {},
     ALLOWED, {"principal": FED}),
    ("KEYS aws:username is absent for a role session", {"Null": {"aws:username": "true"}}, {}, ALLOWED,
     {"principal": SESSION}),
    ("KEYS aws:username is absent for the root user", {"Null": {"aws:username": "true"}}, {}, EXPLICIT,
     {"principal": ROOT, "deny": True}),
    ("KEYS aws:userid of a federated user is account:name", {"StringEquals": {"aws:userid": f"{A}:bob"}}, {}, ALLOWED,
     {"principal": FED}),
    ("KEYS aws:ResourceAccount from the ARN's account part",
     {"StringEquals": {"aws:ResourceAccount": A}}, {}, ALLOWED,
     {"resource": f"arn:aws:sqs:us-east-1:{A}:q", "resource_account": None}),
    ("KEYS a key given in the context wins over the derived one", {"StringEquals": {"aws:username": "zed"}},
     {"aws:username": "zed"}, ALLOWED, {}),
    ("COND key names are case-insensitive in the context too", {"StringEquals": {"aws:principaltag/team": "a"}},
     {"AWS:PRINCIPALTAG/TEAM": "a"}, ALLOWED, {}),
    # --- Policy variables in String and ARN operators (VAR)
    ("VAR ${aws:PrincipalArn} in ArnLike for a session is the role ARN", {"ArnLike": {"aws:SourceArn": "${aws:PrincipalArn}"}},
     {"aws:SourceArn": ROLE}, ALLOWED, {"principal": SESSION}),
    ("VAR ${aws:userid} of a federated user", {"StringEquals": {"s3:prefix": "${aws:userid}"}}, {"s3:prefix": f"{A}:bob"},
     ALLOWED, {"principal": FED}),
    ("VAR ${aws:username} has no value for a role: StringNotEquals does not match either",
     {"StringNotEquals": {"aws:ResourceTag/o": "${aws:username}"}}, {"aws:ResourceTag/o": "x"}, DENIED, {"principal": ROLE}),
    ("VAR ${$} before a brace is a literal dollar", {"StringEquals": {"s3:prefix": "${$}{x}"}}, {"s3:prefix": "${x}"}, ALLOWED, {}),
    ("VAR default may be empty", {"StringEquals": {"s3:prefix": "x${aws:PrincipalTag/t, ''}"}}, {"s3:prefix": "x"}, ALLOWED, {}),
    ("VAR variable in StringEqualsIgnoreCase", {"StringEqualsIgnoreCase": {"s3:prefix": "${aws:PrincipalTag/t}"}},
     {"s3:prefix": "ABC", "aws:PrincipalTag/t": "abc"}, ALLOWED, {}),
    ("VAR Version 2008-10-17: ${...} in a condition is literal text", {"StringEquals": {"aws:ResourceTag/o": "${aws:username}"}},
     {"aws:ResourceTag/o": "alice"}, DENIED, {"version": "2008-10-17"}),
]


@pytest.mark.parametrize(("block", "context", "decision", "fields"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_condition_row(block: dict[str, Any], context: dict[str, Any], decision: str, fields: dict[str, Any]) -> None:
    options = {name: fields[name] for name in ("principal", "version", "deny") if name in fields}
    extra = {name: value for name, value in fields.items() if name not in options}
    _expect(_decide(_request(block, context, **options, **extra)), decision, fields.get("principal", USER))


# Resource element variables (VAR "Resource element"): (id, pattern, resource, principal, context, version, decision)
RESOURCE_ROWS: list[tuple[str, str, str, str, dict[str, Any], str | None, str]] = [
    ("VAR ${aws:username} of a user with a path is the friendly name", "arn:aws:s3:::data-bucket/${aws:username}/*",
     OBJECT, f"arn:aws:iam::{A}:user/division/alice", {}, "2012-10-17", ALLOWED),
    ("VAR ${aws:username} has no value for a role session", "arn:aws:s3:::data-bucket/${aws:username}/*",
     "arn:aws:s3:::data-bucket/App/x", SESSION, {}, "2012-10-17", DENIED),
    ("VAR default value for a missing tag", "arn:aws:s3:::data-bucket/${aws:PrincipalTag/team, 'shared'}/*",
     "arn:aws:s3:::data-bucket/shared/x", SESSION, {}, "2012-10-17", ALLOWED),
    ("VAR spaces around key and default are ignored", "arn:aws:s3:::data-bucket/${ aws:PrincipalTag/team , 'shared' }/*",
     "arn:aws:s3:::data-bucket/shared/x", SESSION, {}, "2012-10-17", ALLOWED),
    ("VAR variable key names are case-insensitive", "arn:aws:s3:::data-bucket/${AWS:UserName}/*", OBJECT, USER, {},
     "2012-10-17", ALLOWED),
    ("VAR a multi-valued key is no variable", "arn:aws:s3:::data-bucket/${aws:PrincipalTag/team}/*",
     "arn:aws:s3:::data-bucket/a/x", SESSION, {"aws:PrincipalTag/team": ["a", "b"]}, "2012-10-17", DENIED),
    ("VAR a '*' in a substituted value is literal", "arn:aws:s3:::data-bucket/${aws:PrincipalTag/team}/*",
     "arn:aws:s3:::data-bucket/a/x", SESSION, {"aws:PrincipalTag/team": "*"}, "2012-10-17", DENIED),
    ("VAR ${*} is a literal star, not a wildcard", "arn:aws:s3:::data-bucket/${*}", "arn:aws:s3:::data-bucket/x", USER, {},
     "2012-10-17", DENIED),
    ("VAR no Version: ${...} in Resource is literal text", "arn:aws:s3:::data-bucket/${aws:username}/*", OBJECT, USER, {},
     None, DENIED),
    ("VAR Version 2008-10-17: the literal text matches itself", "arn:aws:s3:::data-bucket/${aws:username}/*",
     "arn:aws:s3:::data-bucket/${aws:username}/x", USER, {}, "2008-10-17", ALLOWED),
]


@pytest.mark.parametrize(("pattern", "resource", "principal", "context", "version", "decision"),
                         [row[1:] for row in RESOURCE_ROWS], ids=[row[0] for row in RESOURCE_ROWS])
def test_resource_variable_row(pattern: str, resource: str, principal: str, context: dict[str, Any],
                               version: str | None, decision: str) -> None:
    raw = _request(None, context, principal=principal, resource_pattern=pattern, version=version, resource=resource)
    _expect(_decide(raw), decision, principal)


# SPEC 5 --unknown-context: absent keys are unknown, derived ones known (id, block, context, principal, decision)
UNKNOWN_ROWS: list[tuple[str, dict[str, Any], dict[str, Any], str, str]] = [
    ("SPEC5 absent key under a positive operator is conditional", {"StringEquals": {"k:x": "a"}}, {}, USER, CONDITIONAL),
    ("SPEC5 absent key under a negated operator is conditional", {"StringNotEquals": {"k:x": "a"}}, {}, USER, CONDITIONAL),
    ("SPEC5 Null on an unknown key is conditional", {"Null": {"k:x": "true"}}, {}, USER, CONDITIONAL),
    ("SPEC5 ForAllValues on an unknown key is conditional", {"ForAllValues:StringEquals": {"k:x": "a"}}, {}, USER, CONDITIONAL),
    ("SPEC5 a present key is decided", {"StringEquals": {"k:x": "a"}}, {"k:x": "b"}, USER, DENIED),
    ("SPEC5 a false clause decides even beside an unknown one", {"StringEquals": {"k:x": "a", "k:y": "b"}}, {"k:x": "z"},
     USER, DENIED),
    ("SPEC5 aws:username is known absent for a session", {"StringEquals": {"aws:username": "a"}}, {}, SESSION, DENIED),
    ("SPEC5 aws:userid of a session is unknown", {"StringLike": {"aws:userid": "AROA*"}}, {}, SESSION, CONDITIONAL),
    ("SPEC5 an unknown variable makes the clause conditional", {"StringEquals": {"k:x": "${aws:PrincipalTag/t}"}},
     {"k:x": "a"}, USER, CONDITIONAL),
]


@pytest.mark.parametrize(("block", "context", "principal", "decision"), [row[1:] for row in UNKNOWN_ROWS],
                         ids=[row[0] for row in UNKNOWN_ROWS])
def test_unknown_context_row(block: dict[str, Any], context: dict[str, Any], principal: str, decision: str) -> None:
    result = _decide(_request(block, context, principal=principal, unknown_context=True))
    assert result["decision"] == decision
    assert result["matched_statements"] == ([] if decision == DENIED else MATCHED)


# VAR/AA: variables only in String and ARN operators. They used to be substituted into Numeric,
# Date, Bool, Binary and IP values (a NumericLessThan "${aws:PrincipalTag/max}" allowed when the
# tag was large enough), which AWS never does; they are now refused like Null's (same message path).
@pytest.mark.parametrize(("operator", "key", "value"), [
    ("NumericLessThan", "s3:max-keys", "${aws:PrincipalTag/max}"),
    ("DateLessThan", "aws:CurrentTime", "${aws:PrincipalTag/until}"),
    ("Bool", "aws:SecureTransport", "${aws:PrincipalTag/tls}"),
    ("BinaryEquals", "k:x", "${aws:PrincipalTag/blob}"),
    ("IpAddress", "aws:SourceIp", "${aws:PrincipalTag/cidr}"),
    ("NotIpAddressIfExists", "aws:SourceIp", "${aws:PrincipalTag/cidr}"),
    ("ForAnyValue:NumericEquals", "k:x", "${aws:PrincipalTag/n}"),
])
def test_variables_outside_string_and_arn_operators_are_refused(operator: str, key: str, value: str) -> None:
    raw = _request({operator: {key: value}}, {key: "1", "aws:PrincipalTag/max": "10"})
    with pytest.raises(RequestError) as raised:
        request_from_json(raw)
    assert raised.value.location == f"request.identity_policies[0].Statement[0].Condition.{operator}.{key}"
    assert "String and ARN" in raised.value.message


def test_variables_in_numeric_values_are_literal_in_version_2008_and_still_refused() -> None:
    # VAR: without 2012-10-17 "${...}" is text, and text is not a number (CO): refused as before.
    raw = _request({"NumericLessThan": {"s3:max-keys": "${aws:PrincipalTag/max}"}}, {}, version="2008-10-17")
    with pytest.raises(RequestError, match="not a number"):
        request_from_json(raw)


@pytest.mark.parametrize("value", ["1_000", "nan", "inf", "-Infinity", "0x10", "١٠"])
def test_numeric_policy_values_must_be_decimal_numbers(value: str) -> None:
    # CO Numeric operators: IAM numbers are decimal; float() also reads these (underscores, NaN,
    # infinities, non-ASCII digits), which widened NumericEquals/NumericLessThan.
    with pytest.raises(PolicyError, match="not a number"):
        parse_policy({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
             "Condition": {"NumericLessThan": {"s3:max-keys": value}}}]})


def test_simulate_refuses_a_variable_in_a_numeric_condition_with_one_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # SPEC 8: bad input gives one line with the location and exit code 2, no traceback.
    path = tmp_path / "request.json"
    path.write_text(json.dumps([_request({"NumericLessThan": {"s3:max-keys": "${aws:PrincipalTag/max}"}}, {})]))
    with pytest.raises(SystemExit) as exited:
        main(["simulate", str(path)])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert "request[0].identity_policies[0].Statement[0].Condition.NumericLessThan.s3:max-keys" in lines[0]
    assert "Traceback" not in captured.err
    # in a list, the refused request is answered in its place with its error
    assert [entry["location"] for entry in json.loads(captured.out)] == [
        "request[0].identity_policies[0].Statement[0].Condition.NumericLessThan.s3:max-keys"]


def test_simulate_accepts_a_w3c_year_and_month_date(tmp_path: Path) -> None:
    # CO Date: "2020-02" (W3C YYYY-MM) used to exit 2 as "not an ISO 8601 date".
    path = tmp_path / "request.json"
    path.write_text(json.dumps(_request({"DateLessThan": {"aws:CurrentTime": "2020-02"}},
                                        {"aws:CurrentTime": "2020-01-15T00:00:00Z"})))
    result = CliRunner().invoke(cli, ["simulate", str(path)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["decision"] == ALLOWED
