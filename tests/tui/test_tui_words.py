"""Conditions in words: each well-known key reads as an engineer would say it, and nothing is hidden."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tui.words import Mechanism, Operator, SetQualifier, condition_in_words, conditions_in_words, edge_words


@dataclass(frozen=True)
class Cond:
    key: str
    operator: str
    values: tuple[str, ...]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # The confused-deputy guard for third parties: the caller must pass this exact external ID.
        (Cond("sts:ExternalId", "StringEquals", ("my-secret-external-id-12345",)),
         "needs external ID `my-secret-external-id-12345`"),
        # Condition keys are case-insensitive in AWS (IAM JSON reference, "Condition element").
        (Cond("STS:externalid", "StringEquals", ("x",)), "needs external ID `x`"),
        (Cond("aws:MultiFactorAuthPresent", "Bool", ("true",)), "only with MFA"),
        (Cond("aws:SourceIp", "IpAddress", ("203.0.113.0/24",)), "only from IP `203.0.113.0/24`"),
        (Cond("aws:SourceIp", "NotIpAddress", ("203.0.113.0/24",)), "never from IP `203.0.113.0/24`"),
        (Cond("aws:PrincipalOrgID", "StringEquals", ("o-abcdef1234",)), "only from org `o-abcdef1234`"),
        (Cond("aws:SourceVpce", "StringEquals", ("vpce-1a2b",)), "only through VPC endpoint `vpce-1a2b`"),
        (Cond("aws:SecureTransport", "Bool", ("false",)), "only without TLS"),
        (Cond("aws:PrincipalTag/team", "StringEquals", ("data",)), "only for principals tagged team = `data`"),
        # Several values: any one of them satisfies the condition (OR within a key).
        (Cond("sts:ExternalId", "StringEquals", ("a", "b")), "needs external ID one of `a`, `b`"),
        # OIDC claims are keyed by the provider's host: `token.actions.githubusercontent.com:sub`.
        (Cond("token.actions.githubusercontent.com:sub", "StringLike", ("repo:org/app:*",)),
         "only for web identity subject `repo:org/app:*` (from token.actions.githubusercontent.com)"),
        # Null true means the key must be absent from the request.
        (Cond("aws:TokenIssueTime", "Null", ("true",)), "only if aws:TokenIssueTime is absent"),
    ],
)
def test_well_known_conditions_read_as_sentences(condition: Cond, expected: str) -> None:
    assert condition_in_words(condition) == expected


def test_negated_external_id_is_not_mistaken_for_a_requirement() -> None:
    # StringNotEquals on the external ID is a different rule: it must fall back to the literal form.
    sentence = condition_in_words(Cond("sts:ExternalId", "StringNotEquals", ("x",)))
    assert sentence == "only if sts:ExternalId is not `x`"


def test_unknown_key_and_operator_still_name_everything() -> None:
    sentence = condition_in_words(Cond("custom:Thing", "WeirdOperator", ("v1",)))
    assert sentence == "only if custom:Thing WeirdOperator `v1`"


def test_set_qualifier_and_if_exists_are_said() -> None:
    # ForAllValues / IfExists change the meaning (IAM reference: multivalued keys, ...IfExists).
    sentence = condition_in_words(Cond("aws:TagKeys", "ForAllValues:StringEqualsIfExists", ("a",)))
    assert sentence == "only if every value of aws:TagKeys is `a` (when aws:TagKeys is present)"


def test_operator_parsing() -> None:
    assert Operator.parse("ForAnyValue:StringLikeIfExists") == Operator("StringLike", SetQualifier.FOR_ANY_VALUE, True)
    assert Operator.parse("Bool") == Operator("Bool")


def test_edge_kinds_distinguish_the_two_mechanisms() -> None:
    # SPEC §2: role assumption (temporary STS credentials) and resource-policy grants are shown apart.
    assert edge_words("assume-role").mechanism is Mechanism.ROLE_ASSUMPTION
    assert "temporary" in edge_words("assume-role").badge
    assert edge_words("resource-policy").mechanism is Mechanism.RESOURCE_GRANT
    assert "direct" in edge_words("resource-policy").badge
    # issue 9: pass-role and privilege-escalation hops have their own mechanism (and colour), not "other"
    assert edge_words("pass-role").mechanism is Mechanism.SERVICE_PASS
    assert edge_words("privilege-escalation").mechanism is Mechanism.ESCALATION


def test_kms_grant_and_s3_acl_hops_have_their_own_words() -> None:
    # issue 9: a KMS grant and a bucket ACL entry give access on the resource side, like a resource policy
    # (KMS "Grants in AWS KMS"; S3 "Access control list (ACL) overview"), but are named as what they are.
    assert (edge_words("kms-grant").mechanism, edge_words("kms-grant").badge) == (
        Mechanism.RESOURCE_GRANT, "KMS grant · direct")
    assert (edge_words("s3-acl").mechanism, edge_words("s3-acl").badge) == (
        Mechanism.RESOURCE_GRANT, "S3 ACL grant · direct")
    assert "grant" in edge_words("kms-grant").sentence and "ACL" in edge_words("s3-acl").sentence


def test_deny_conditions_say_when_the_hop_is_blocked() -> None:
    # A Deny on aws:SecureTransport = false (the usual "HTTPS only" bucket statement) blocks plain HTTP.
    said = conditions_in_words([Cond("sts:ExternalId", "StringEquals", ("x",))],
                               [Cond("aws:SecureTransport", "Bool", ("false",))])
    assert said == ("needs external ID `x`", "denied if aws:SecureTransport is `false`")


def test_a_path_ending_in_a_kms_grant_or_an_acl_says_so() -> None:
    from graph.edges.common import EdgeKind, Status
    from graph.query import AccessPath, Hop
    from tui.output import hop_text
    from tui.widgets.path_list import path_badge

    def ending(kind: EdgeKind, target: str) -> AccessPath:
        return AccessPath((Hop("arn:aws:iam::111111111111:role/App", target, kind, ("kms:Decrypt",), Status.ALLOWED),))

    key = "arn:aws:kms:us-east-1:222222222222:key/k"
    # The summary line names the mechanism that opens the resource, not "resource-policy grant" for all three.
    assert path_badge(ending(EdgeKind.KMS_GRANT, key)) == "direct · KMS grant"
    assert path_badge(ending(EdgeKind.S3_ACL, "arn:aws:s3:::b")) == "direct · S3 ACL grant"
    assert path_badge(ending(EdgeKind.RESOURCE_POLICY, key)) == "direct · resource-policy grant"
    assert hop_text(ending(EdgeKind.KMS_GRANT, key).hops[0]).startswith(f"─kms-grant→ {key}")


def test_a_contested_kms_grant_hop_says_why_in_the_table_and_the_json() -> None:
    from graph.edges.common import EdgeKind, Status
    from graph.query import Hop
    from tui.output import hop_text

    key = "arn:aws:kms:us-east-1:222222222222:key/k"
    hop = Hop("arn:aws:iam::111111111111:role/App", key, EdgeKind.KMS_GRANT, ("kms:Decrypt",), Status.CONDITIONAL,
              contested=True)
    # A cross-account grant kept although the grantee's IAM does not allow it (graph/edges/kms_grants.py):
    # the reader must see it is in doubt, and why, not a bare "conditional" with no condition.
    assert "[contested: a KMS grant across accounts" in hop_text(hop)
    assert hop.to_json()["contested"] is True
    plain = Hop("arn:aws:iam::111111111111:role/App", key, EdgeKind.KMS_GRANT, ("kms:Decrypt",), Status.ALLOWED)
    assert "contested" not in hop_text(plain) and "contested" not in plain.to_json()
