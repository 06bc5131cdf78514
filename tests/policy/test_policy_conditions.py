"""Condition operators, one row per documented rule.

Sources (cited per row by short name):
- CO: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- MV: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
- VAR: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
- MFA: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
- KEYS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html

Each row puts one Condition on an identity Allow of a same-account user; the request is allowed
exactly when the condition holds.
"""

from __future__ import annotations

from typing import Any

import pytest
from evaluator_cases import allow, pol, req

from graph.errors import PolicyError
from graph.policy import Condition, Decision, evaluate, parse_policy

ABSENT: dict[str, Any] = {}

# (id with source and reason, condition block, request context, holds?)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    # --- String operators (CO "String condition operators")
    ("CO StringEquals exact value", {"StringEquals": {"aws:PrincipalTag/team": "data"}}, {"aws:PrincipalTag/team": "data"}, True),
    ("CO StringEquals values are case-sensitive", {"StringEquals": {"aws:PrincipalTag/team": "data"}}, {"aws:PrincipalTag/team": "Data"}, False),
    ("KEYS key names are case-insensitive", {"StringEquals": {"aws:principaltag/team": "data"}}, {"AWS:PrincipalTag/team": "data"}, True),
    ("CO several values of one key are ORed", {"StringEquals": {"aws:PrincipalTag/team": ["ops", "data"]}}, {"aws:PrincipalTag/team": "data"}, True),
    ("CO missing key: positive operator is false", {"StringEquals": {"aws:PrincipalTag/team": "data"}}, ABSENT, False),
    ("CO StringNotEquals different value", {"StringNotEquals": {"aws:PrincipalTag/team": "ops"}}, {"aws:PrincipalTag/team": "data"}, True),
    ("CO StringNotEquals same value", {"StringNotEquals": {"aws:PrincipalTag/team": "data"}}, {"aws:PrincipalTag/team": "data"}, False),
    ("CO StringNotEquals missing key is true", {"StringNotEquals": {"aws:PrincipalTag/team": "data"}}, ABSENT, True),
    ("CO negated with several values: matching one of them is false", {"StringNotEquals": {"aws:PrincipalTag/team": ["ops", "data"]}}, {"aws:PrincipalTag/team": "data"}, False),
    ("CO negated with several values: matching none is true", {"StringNotEquals": {"aws:PrincipalTag/team": ["ops", "sec"]}}, {"aws:PrincipalTag/team": "data"}, True),
    ("CO StringEqualsIgnoreCase ignores case", {"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "DATA"}}, {"aws:PrincipalTag/team": "data"}, True),
    ("CO StringNotEqualsIgnoreCase same letters other case is false", {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "DATA"}}, {"aws:PrincipalTag/team": "data"}, False),
    ("CO StringNotEqualsIgnoreCase other value", {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "ops"}}, {"aws:PrincipalTag/team": "data"}, True),
    ("CO StringLike * matches any run", {"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/alice/docs"}, True),
    ("CO StringLike * matches the empty run", {"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/"}, True),
    ("CO StringLike ? matches exactly one character", {"StringLike": {"s3:prefix": "v?"}}, {"s3:prefix": "v1"}, True),
    ("CO StringLike ? does not match two characters", {"StringLike": {"s3:prefix": "v?"}}, {"s3:prefix": "v10"}, False),
    ("CO StringLike is case-sensitive", {"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "HOME/alice"}, False),
    ("CO StringLike without wildcard is equality", {"StringLike": {"s3:prefix": "home"}}, {"s3:prefix": "homes"}, False),
    ("CO StringNotLike matching value is false", {"StringNotLike": {"s3:prefix": "tmp/*"}}, {"s3:prefix": "tmp/x"}, False),
    ("CO StringNotLike other value is true", {"StringNotLike": {"s3:prefix": "tmp/*"}}, {"s3:prefix": "home/x"}, True),
    ("CO StringNotLike missing key is true (PMapper got this wrong)", {"StringNotLike": {"s3:prefix": "tmp/*"}}, ABSENT, True),
    ("CO StringNotLike several values: matching one is false", {"StringNotLike": {"s3:prefix": ["tmp/*", "log/*"]}}, {"s3:prefix": "log/1"}, False),
    ("CO ...IfExists: missing key is true", {"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, ABSENT, True),
    ("CO ...IfExists: present key is compared", {"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, {"ec2:InstanceType": "m5.large"}, False),
    ("CO ...IfExists: present matching key", {"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, {"ec2:InstanceType": "t3.micro"}, True),
    ("CO StringNotLikeIfExists missing key is true", {"StringNotLikeIfExists": {"s3:prefix": "tmp/*"}}, ABSENT, True),
    ("CO StringLikeIfExists present mismatch is false", {"StringLikeIfExists": {"s3:prefix": "home/*"}}, {"s3:prefix": "tmp/1"}, False),
    # --- Numeric (CO "Numeric condition operators")
    ("CO NumericEquals compares numbers not text", {"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.0"}, True),
    ("CO NumericEquals different number", {"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, False),
    ("CO NumericNotEquals different number", {"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, True),
    ("CO NumericNotEquals same number", {"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, False),
    ("CO NumericLessThan smaller", {"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "5"}, True),
    ("CO NumericLessThan equal is false", {"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, False),
    ("CO NumericLessThanEquals equal", {"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, True),
    ("CO NumericGreaterThan larger", {"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, True),
    ("CO NumericGreaterThan equal is false", {"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, False),
    ("CO NumericGreaterThanEquals equal", {"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, True),
    ("CO NumericGreaterThanEquals smaller", {"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, False),
    ("CO Numeric on a missing key is false", {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, ABSENT, False),
    ("CO Numeric on a value that is not a number does not match", {"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "ten"}, False),
    ("CO NumericLessThanIfExists missing key is true", {"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}, ABSENT, True),
    ("CO policy number given as a JSON number", {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}, {"aws:MultiFactorAuthAge": "60"}, True),
    # --- Date (CO "Date condition operators": ISO 8601 or epoch)
    ("CO DateLessThan earlier time", {"DateLessThan": {"aws:CurrentTime": "2026-12-01T00:00:00Z"}}, {"aws:CurrentTime": "2026-11-27T10:00:00Z"}, True),
    ("CO DateLessThan later time", {"DateLessThan": {"aws:CurrentTime": "2026-12-01T00:00:00Z"}}, {"aws:CurrentTime": "2027-01-01T00:00:00Z"}, False),
    ("CO DateGreaterThan with an epoch context value", {"DateGreaterThan": {"aws:EpochTime": "2020-01-01T00:00:00Z"}}, {"aws:EpochTime": "1764237600"}, True),
    ("CO DateEquals same instant in another time zone", {"DateEquals": {"aws:CurrentTime": "2026-11-27T10:00:00Z"}}, {"aws:CurrentTime": "2026-11-27T11:00:00+01:00"}, True),
    ("CO DateNotEquals other instant", {"DateNotEquals": {"aws:CurrentTime": "2026-11-27T10:00:00Z"}}, {"aws:CurrentTime": "2026-11-27T10:00:01Z"}, True),
    ("CO DateLessThanEquals same instant", {"DateLessThanEquals": {"aws:CurrentTime": "2026-11-27T10:00:00Z"}}, {"aws:CurrentTime": "2026-11-27T10:00:00Z"}, True),
    ("CO DateGreaterThanEquals earlier is false", {"DateGreaterThanEquals": {"aws:CurrentTime": "2026-11-27T10:00:00Z"}}, {"aws:CurrentTime": "2026-11-26T10:00:00Z"}, False),
    ("CO Date on a missing key is false", {"DateLessThan": {"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}}, ABSENT, False),
    ("CO Date policy value as epoch seconds", {"DateLessThan": {"aws:CurrentTime": "1893456000"}}, {"aws:CurrentTime": "2026-11-27T10:00:00Z"}, True),
    # --- Bool (CO "Boolean condition operators"; MFA page: the key is absent for long-term keys)
    ("CO Bool true equals true", {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "true"}, True),
    ("CO Bool true vs false", {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "false"}, False),
    ("MFA Bool on a missing MultiFactorAuthPresent key is false (the trap)", {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, ABSENT, False),
    ("MFA BoolIfExists on a missing key is true", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, ABSENT, True),
    ("MFA Bool false on a missing key is also false", {"Bool": {"aws:MultiFactorAuthPresent": "false"}}, ABSENT, False),
    ("CO Bool policy value given as JSON true", {"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "true"}, True),
    ("CO Bool context given as a JSON boolean", {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": True}, True),
    ("CO Bool on a non-boolean context value does not match", {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "yes"}, False),
    # --- Binary
    ("CO BinaryEquals same base64", {"BinaryEquals": {"s3:x-amz-key": "QmluYXJ5VmFsdWU="}}, {"s3:x-amz-key": "QmluYXJ5VmFsdWU="}, True),
    ("CO BinaryEquals other base64", {"BinaryEquals": {"s3:x-amz-key": "QmluYXJ5VmFsdWU="}}, {"s3:x-amz-key": "T3RoZXI="}, False),
    # --- IP address (CO "IP address condition operators", IPv4 and IPv6)
    ("CO IpAddress inside the CIDR", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.5"}, True),
    ("CO IpAddress outside the CIDR", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.5"}, False),
    ("CO IpAddress single address without prefix", {"IpAddress": {"aws:SourceIp": "203.0.113.5"}}, {"aws:SourceIp": "203.0.113.5"}, True),
    ("CO IpAddress IPv6 inside", {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8:1::5"}, True),
    ("CO IpAddress IPv4 address vs IPv6 block", {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "203.0.113.5"}, False),
    ("CO IpAddress several CIDRs are ORed", {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}, {"aws:SourceIp": "203.0.113.9"}, True),
    ("CO NotIpAddress outside is true", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.5"}, True),
    ("CO NotIpAddress inside is false", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.5"}, False),
    ("CO NotIpAddress missing key (via a VPC endpoint) is true", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, ABSENT, True),
    ("CO IpAddress missing key is false", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, ABSENT, False),
    ("CO IpAddress on a context value that is not an IP does not match", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, {"aws:SourceIp": "nowhere"}, False),
    # --- ARN (CO "Amazon Resource Name (ARN) condition operators")
    ("CO ArnEquals exact ARN", {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111111111111:topic"}}, {"aws:SourceArn": "arn:aws:sns:us-east-1:111111111111:topic"}, True),
    ("CO ArnLike wildcard account segment", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:*:topic"}}, {"aws:SourceArn": "arn:aws:sns:us-east-1:999999999999:topic"}, True),
    ("CO ArnLike wildcard resource spans '/'", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}}, {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/team/App"}, True),
    ("CO ArnLike * in the region segment does not span ':' into other segments", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:topic"}}, {"aws:SourceArn": "arn:aws:sns:us-east-1:111111111111:topic"}, False),
    ("CO ArnLike is case-sensitive", {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::Bucket"}}, {"aws:SourceArn": "arn:aws:s3:::bucket"}, False),
    ("CO ArnEquals accepts wildcards like ArnLike", {"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::logs-*"}}, {"aws:SourceArn": "arn:aws:s3:::logs-1"}, True),
    ("CO ArnNotEquals other ARN is true", {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Admin"}}, {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/App"}, True),
    ("CO ArnNotLike matching ARN is false", {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/App"}}, {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/App"}, False),
    ("CO ArnNotLike missing key is true", {"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::x"}}, ABSENT, True),
    ("CO ArnLike on a value that is not an ARN does not match", {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}, {"aws:SourceArn": "bucket"}, False),
    # --- Null (CO "Condition operator to check existence of condition keys")
    ("CO Null true: key absent", {"Null": {"aws:TokenIssueTime": "true"}}, ABSENT, True),
    ("CO Null true: key present", {"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2026-11-27T10:00:00Z"}, False),
    ("CO Null false: key present", {"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": "2026-11-27T10:00:00Z"}, True),
    ("CO Null false: key absent", {"Null": {"aws:TokenIssueTime": "false"}}, ABSENT, False),
    ("CO Null given a JSON boolean", {"Null": {"aws:TokenIssueTime": True}}, ABSENT, True),
    # --- Set operators (MV)
    ("MV ForAnyValue: one value in the set", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}}, {"aws:TagKeys": ["owner", "team"]}, True),
    ("MV ForAnyValue: no value in the set", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}}, {"aws:TagKeys": ["owner"]}, False),
    ("MV ForAnyValue: missing key is false", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, ABSENT, False),
    ("MV ForAnyValue: empty list is false", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": []}, False),
    ("MV ForAnyValue:StringLike pattern", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a/r-b/ou-c/*"}}, {"aws:PrincipalOrgPaths": ["o-a/r-b/ou-c/ou-d/"]}, True),
    ("MV ForAllValues: every value in the set", {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}, {"aws:TagKeys": ["team", "env"]}, True),
    ("MV ForAllValues: one value outside the set", {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}, {"aws:TagKeys": ["team", "owner"]}, False),
    ("MV ForAllValues on a missing key is TRUE (the trap)", {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, ABSENT, True),
    ("MV ForAllValues on an empty list is true", {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": []}, True),
    ("MV ForAllValues:StringNotEquals: no value in the set", {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}, {"aws:TagKeys": ["env", "team"]}, True),
    ("MV ForAllValues:StringNotEquals: one value in the set", {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}, {"aws:TagKeys": ["env", "secret"]}, False),
    ("MV ForAnyValue:StringNotEquals: some value outside the set", {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": ["env", "team"]}, True),
    ("MV ForAnyValue:StringNotEquals: every value in the set", {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": ["env"]}, False),
    ("MV ForAllValues with IfExists on a missing key", {"ForAllValues:StringEqualsIfExists": {"aws:TagKeys": ["env"]}}, ABSENT, True),
    ("MV ForAnyValue with IfExists on a missing key is true", {"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["env"]}}, ABSENT, True),
    ("MV single-valued key given as one-element list", {"StringEquals": {"aws:PrincipalTag/team": "data"}}, {"aws:PrincipalTag/team": ["data"]}, True),
    # --- AND across keys and operators (CO "Condition block")
    ("CO two keys under one operator are ANDed (one fails)", {"StringEquals": {"aws:PrincipalTag/team": "data", "aws:RequestedRegion": "us-east-1"}}, {"aws:PrincipalTag/team": "data", "aws:RequestedRegion": "eu-west-1"}, False),
    ("CO two keys under one operator are ANDed (both hold)", {"StringEquals": {"aws:PrincipalTag/team": "data", "aws:RequestedRegion": "us-east-1"}}, {"aws:PrincipalTag/team": "data", "aws:RequestedRegion": "us-east-1"}, True),
    ("CO two operators are ANDed (one fails)", {"StringEquals": {"aws:PrincipalTag/team": "data"}, "Bool": {"aws:SecureTransport": "true"}}, {"aws:PrincipalTag/team": "data", "aws:SecureTransport": "false"}, False),
    # --- Policy variables in condition values (VAR)
    ("VAR tag-to-tag comparison holds", {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}, {"aws:ResourceTag/team": "data", "aws:PrincipalTag/team": "data"}, True),
    ("VAR tag-to-tag comparison differs", {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}, {"aws:ResourceTag/team": "ops", "aws:PrincipalTag/team": "data"}, False),
    ("VAR default value when the key is missing", {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team, 'shared'}"}}, {"aws:ResourceTag/team": "shared"}, True),
    ("VAR missing variable without default: condition does not match", {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}, {"aws:ResourceTag/team": ""}, False),
    ("VAR ${*} is a literal star in StringLike", {"StringLike": {"s3:prefix": "a${*}"}}, {"s3:prefix": "a*"}, True),
    ("VAR ${*} does not act as a wildcard", {"StringLike": {"s3:prefix": "a${*}"}}, {"s3:prefix": "abc"}, False),
    ("VAR ${?} is a literal question mark", {"StringLike": {"s3:prefix": "why${?}"}}, {"s3:prefix": "why?"}, True),
    ("VAR ${$} is a literal dollar", {"StringEquals": {"s3:prefix": "cost${$}"}}, {"s3:prefix": "cost$"}, True),
    ("VAR a substituted value is literal: a '*' in it is not a wildcard", {"StringLike": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}, {"aws:ResourceTag/team": "data-x", "aws:PrincipalTag/team": "data*"}, False),
    ("VAR variable inside a longer StringLike pattern", {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, {"s3:prefix": "home/alice/docs"}, True),
    ("VAR variable inside a longer StringLike pattern, other user", {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, {"s3:prefix": "home/bob/docs"}, False),
]


@pytest.mark.parametrize(("block", "context", "holds"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_condition_operator(block: dict[str, Any], context: dict[str, Any], holds: bool) -> None:
    policy = pol(allow(Condition=block))
    result = evaluate(req(identity=(policy,), context=context))
    assert result.decision is (Decision.ALLOWED if holds else Decision.IMPLICIT_DENY)


def test_version_2008_treats_variables_as_literal_text() -> None:
    # VAR: "policy variables ... only with Version 2012-10-17"; earlier versions match "${...}" literally.
    block = {"StringEquals": {"s3:prefix": "${aws:username}"}}
    old = pol(allow(Condition=block), version="2008-10-17")
    assert evaluate(req(identity=(old,), context={"s3:prefix": "alice"})).decision is Decision.IMPLICIT_DENY
    assert evaluate(req(identity=(old,), context={"s3:prefix": "${aws:username}"})).decision is Decision.ALLOWED


def test_missing_version_means_2008_semantics() -> None:
    # Version element reference: without Version, IAM uses 2008-10-17, so variables are literal.
    no_version = pol(allow(Condition={"StringEquals": {"s3:prefix": "${aws:username}"}}), version=None)
    assert evaluate(req(identity=(no_version,), context={"s3:prefix": "alice"})).decision is Decision.IMPLICIT_DENY


def test_username_variable_resolves_from_the_user_arn() -> None:
    # KEYS aws:username is derived for IAM users; VAR substitutes it.
    policy = pol(allow(Condition={"StringEquals": {"s3:prefix": "${aws:username}"}}))
    assert evaluate(req(identity=(policy,), context={"s3:prefix": "alice"})).decision is Decision.ALLOWED


def test_unknown_operator_raises_with_location_in_two_valued_mode() -> None:
    # SPEC 8: an unknown operator never silently widens or narrows access.
    policy = pol(allow(Condition={"StringEqualz": {"aws:PrincipalTag/team": "data"}}))
    with pytest.raises(PolicyError) as raised:
        evaluate(req(identity=(policy,), context={"aws:PrincipalTag/team": "data"}))
    assert raised.value.location == "policy.Statement[0].Condition.StringEqualz.aws:PrincipalTag/team"


def test_unknown_operator_is_a_residual_condition_in_three_valued_mode() -> None:
    policy = pol(allow(Condition={"StringEqualz": {"aws:PrincipalTag/team": "data"}}))
    result = evaluate(req(identity=(policy,), context={"aws:PrincipalTag/team": "data"}, unknown_context=True))
    assert result.decision is Decision.CONDITIONAL
    assert result.conditions == (Condition("aws:PrincipalTag/team", "StringEqualz", ("data",)),)


def test_null_with_if_exists_is_not_an_operator() -> None:
    # CO: "...IfExists" works with every operator except Null.
    policy = pol(allow(Condition={"NullIfExists": {"aws:TokenIssueTime": "true"}}))
    with pytest.raises(PolicyError):
        evaluate(req(identity=(policy,)))


@pytest.mark.parametrize(("block", "location"), [
    ({"NumericLessThan": {"s3:max-keys": "ten"}}, "policy.Statement[0].Condition.NumericLessThan.s3:max-keys"),
    ({"DateLessThan": {"aws:CurrentTime": "tomorrow"}}, "policy.Statement[0].Condition.DateLessThan.aws:CurrentTime"),
    ({"Bool": {"aws:SecureTransport": "yes"}}, "policy.Statement[0].Condition.Bool.aws:SecureTransport"),
    ({"IpAddress": {"aws:SourceIp": "300.1.1.1/8"}}, "policy.Statement[0].Condition.IpAddress.aws:SourceIp"),
    ({"Null": {"aws:SourceIp": "maybe"}}, "policy.Statement[0].Condition.Null.aws:SourceIp"),
    ({"BinaryEquals": {"k": "not base64!"}}, "policy.Statement[0].Condition.BinaryEquals.k"),
    ({"StringEquals": "data"}, "policy.Statement[0].Condition.StringEquals"),
    ({"StringEquals": {"k": []}}, "policy.Statement[0].Condition.StringEquals.k"),
    ({"StringEquals": {"k": {"nested": 1}}}, "policy.Statement[0].Condition.StringEquals.k"),
    ("StringEquals", "policy.Statement[0].Condition"),
], ids=["number", "date", "bool", "ip", "null", "binary", "operator-not-object", "no-values", "object-value",
        "condition-not-object"])
def test_malformed_condition_values_are_rejected_with_location(block: Any, location: str) -> None:
    # CO: each operator family takes values of its type; IAM rejects others when the policy is saved.
    with pytest.raises(PolicyError) as raised:
        parse_policy({"Version": "2012-10-17", "Statement": [allow(Condition=block)]})
    assert raised.value.location == location
