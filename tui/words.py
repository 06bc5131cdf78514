"""Conditions and edges in plain words, for the explorer.

Presentation only: the graph decides which conditions an edge needs; this module says them the
way a security engineer would ("needs external ID `abc`", "only with MFA"). Anything it does not
recognise falls back to a literal sentence that still names the key, operator and values, so no
condition is ever hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class ConditionLike(Protocol):
    """What the explorer needs from a condition: `graph`'s `Condition(key, operator, values)`."""

    @property
    def key(self) -> str: ...

    @property
    def operator(self) -> str: ...

    @property
    def values(self) -> Sequence[object]: ...


class SetQualifier(StrEnum):
    """The multivalued-key prefix of a condition operator."""

    NONE = ""
    FOR_ANY_VALUE = "ForAnyValue"
    FOR_ALL_VALUES = "ForAllValues"


@dataclass(frozen=True, slots=True)
class Operator:
    """A condition operator split into its parts (`ForAnyValue:StringLikeIfExists`)."""

    base: str
    qualifier: SetQualifier = SetQualifier.NONE
    if_exists: bool = False

    @classmethod
    def parse(cls, text: str) -> Operator:
        """Splits an operator such as `ForAllValues:StringEqualsIfExists` into its parts.

        Args:
            text: The operator as written in the policy.

        Returns:
            The base operator, its set qualifier and whether it ends in `IfExists`.
        """
        qualifier = SetQualifier.NONE
        prefix, separator, rest = text.partition(":")
        if separator and prefix.lower() in ("foranyvalue", "forallvalues"):
            qualifier = SetQualifier.FOR_ANY_VALUE if prefix.lower() == "foranyvalue" else SetQualifier.FOR_ALL_VALUES
            text = rest
        if_exists = text.lower().endswith("ifexists") and text.lower() != "ifexists"
        base = text[: -len("IfExists")] if if_exists else text
        return cls(base=base, qualifier=qualifier, if_exists=if_exists)


_EQUALITY = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"})
_GENERIC_VERBS: dict[str, str] = {
    "stringequals": "is",
    "stringnotequals": "is not",
    "stringequalsignorecase": "is (ignoring case)",
    "stringnotequalsignorecase": "is not (ignoring case)",
    "stringlike": "matches",
    "stringnotlike": "does not match",
    "arnequals": "is",
    "arnlike": "matches",
    "arnnotequals": "is not",
    "arnnotlike": "does not match",
    "numericequals": "=",
    "numericnotequals": "≠",
    "numericlessthan": "<",
    "numericlessthanequals": "≤",
    "numericgreaterthan": ">",
    "numericgreaterthanequals": "≥",
    "dateequals": "is",
    "datenotequals": "is not",
    "datelessthan": "is before",
    "datelessthanequals": "is at or before",
    "dategreaterthan": "is after",
    "dategreaterthanequals": "is at or after",
    "bool": "is",
    "binaryequals": "is",
    "ipaddress": "is in",
    "notipaddress": "is not in",
}


def _values(values: Sequence[object]) -> str:
    rendered = [f"`{value}`" for value in values]
    if len(rendered) == 1:
        return rendered[0]
    return "one of " + ", ".join(rendered)


def _truthy(values: Sequence[object]) -> bool | None:
    lowered = {str(value).lower() for value in values}
    if lowered == {"true"}:
        return True
    if lowered == {"false"}:
        return False
    return None


def _specific(key: str, op: Operator, values: Sequence[object]) -> str | None:
    """The idiomatic sentence for well-known keys, or None to use the generic form."""
    base = op.base.lower()
    lowered = key.lower()
    shown = _values(values)
    positive = base in _EQUALITY
    if lowered == "sts:externalid" and positive:
        return f"needs external ID {shown}"
    if lowered == "aws:multifactorauthpresent" and base == "bool":
        truth = _truthy(values)
        if truth is True:
            return "only with MFA"
        if truth is False:
            return "only without MFA"
    if lowered == "aws:multifactorauthage" and base in ("numericlessthan", "numericlessthanequals"):
        return f"only with MFA used within {shown} seconds"
    if lowered == "aws:securetransport" and base == "bool":
        truth = _truthy(values)
        if truth is not None:
            return "only over TLS (HTTPS)" if truth else "only without TLS"
    if lowered == "aws:sourceip" and base == "ipaddress":
        return f"only from IP {shown}"
    if lowered == "aws:sourceip" and base == "notipaddress":
        return f"never from IP {shown}"
    if not positive:
        return None
    phrases = {
        "aws:principalorgid": "only from org",
        "aws:resourceorgid": "only on resources of org",
        "aws:principalorgpaths": "only from org path",
        "aws:principalaccount": "only from account",
        "aws:principalarn": "only for principal",
        "aws:sourcevpce": "only through VPC endpoint",
        "aws:sourcevpc": "only from VPC",
        "aws:sourceaccount": "only when the calling service acts for account",
        "aws:sourcearn": "only when the calling service acts for",
        "aws:sourceorgid": "only when the calling service acts for org",
        "aws:requestedregion": "only in region",
        "aws:calledvia": "only when called via",
        "sts:rolesessionname": "only with session name",
        "sts:sourceidentity": "only with source identity",
        "saml:aud": "only for SAML audience",
        "saml:sub": "only for SAML subject",
        "aws:userid": "only for user id",
        "aws:username": "only for user name",
    }
    if lowered in phrases:
        return f"{phrases[lowered]} {shown}"
    for prefix, subject in (("aws:principaltag/", "principals"), ("aws:resourcetag/", "resources"),
                            ("aws:requesttag/", "requests")):
        if lowered.startswith(prefix):
            return f"only for {subject} tagged {key[len(prefix):]} = {shown}"
    host, _, claim = key.rpartition(":")
    if host and "." in host and claim in ("sub", "aud", "amr", "oaud"):
        names = {"sub": "subject", "aud": "audience", "amr": "authentication method", "oaud": "audience"}
        return f"only for web identity {names[claim]} {shown} (from {host})"
    return None


def _generic(condition: ConditionLike, op: Operator, values: tuple[object, ...]) -> str:
    verb = _GENERIC_VERBS.get(op.base.lower(), op.base)
    quantifier = {
        SetQualifier.NONE: "",
        SetQualifier.FOR_ANY_VALUE: "any value of ",
        SetQualifier.FOR_ALL_VALUES: "every value of ",
    }[op.qualifier]
    return f"if {quantifier}{condition.key} {verb} {_values(values)}"


def deny_condition_in_words(condition: ConditionLike) -> str:
    """Says the condition under which a Deny statement blocks the hop.

    Args:
        condition: A condition of a Deny statement that the snapshot cannot decide.

    Returns:
        "denied if KEY VERB VALUES", e.g. "denied if aws:SecureTransport is `false`".
    """
    op = Operator.parse(condition.operator)
    sentence = "denied " + _generic(condition, op, tuple(condition.values))
    if op.if_exists:
        sentence += f" (when {condition.key} is present)"
    return sentence


def condition_in_words(condition: ConditionLike) -> str:
    """Says one condition as a short sentence.

    Args:
        condition: A condition with `key`, `operator` and `values`.

    Returns:
        A sentence such as "needs external ID `abc`" or "only from IP `203.0.113.0/24`"; for
        keys and operators without a special phrase, "only if KEY VERB VALUES".
    """
    op = Operator.parse(condition.operator)
    values = tuple(condition.values)
    if op.base.lower() == "null":
        truth = _truthy(values)
        if truth is not None:
            return f"only if {condition.key} is {'absent' if truth else 'present'}"
    sentence = None
    if op.qualifier is SetQualifier.NONE:
        sentence = _specific(condition.key, op, values)
    if sentence is None:
        sentence = "only " + _generic(condition, op, values)
    if op.if_exists:
        sentence += f" (when {condition.key} is present)"
    return sentence


def conditions_in_words(conditions: Sequence[ConditionLike],
                        deny_conditions: Sequence[ConditionLike] = ()) -> tuple[str, ...]:
    """Says every condition, then every Deny condition, in order; see `condition_in_words`."""
    return (tuple(condition_in_words(condition) for condition in conditions)
            + tuple(deny_condition_in_words(condition) for condition in deny_conditions))


class Mechanism(StrEnum):
    """How a hop gives access, as the explorer shows it."""

    MEMBERSHIP = "membership"
    ROLE_ASSUMPTION = "role assumption"
    RESOURCE_GRANT = "resource-policy grant"
    IDENTITY_GRANT = "identity-policy grant"
    SERVICE_PASS = "pass-role"
    """The caller makes a service run code as the role (iam:PassRole, or code of an existing resource)."""
    ESCALATION = "privilege escalation"
    """The caller rewrites IAM to act as a principal, or to raise its own permissions."""
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class EdgeWords:
    """How one edge kind is shown: a short arrow label, a badge, and a sentence."""

    mechanism: Mechanism
    arrow: str
    badge: str
    sentence: str


_EDGE_WORDS: dict[str, EdgeWords] = {
    "member": EdgeWords(Mechanism.MEMBERSHIP, "member", "", "a principal of the account"),
    "assume-role": EdgeWords(Mechanism.ROLE_ASSUMPTION, "assume-role (STS)", "role assumption · temporary",
                             "sts:AssumeRole: temporary credentials of the role"),
    "assume-role-saml": EdgeWords(Mechanism.ROLE_ASSUMPTION, "assume-role-saml (STS)", "role assumption · temporary",
                                  "sts:AssumeRoleWithSAML: temporary credentials of the role"),
    "assume-role-web-identity": EdgeWords(Mechanism.ROLE_ASSUMPTION, "assume-role-web-identity (STS)",
                                          "role assumption · temporary",
                                          "sts:AssumeRoleWithWebIdentity: temporary credentials of the role"),
    "resource-policy": EdgeWords(Mechanism.RESOURCE_GRANT, "resource-policy", "resource-policy grant · direct",
                                 "the resource's own policy names this principal or its account"),
    "identity-policy": EdgeWords(Mechanism.IDENTITY_GRANT, "identity-policy", "identity-policy grant · own permissions",
                                 "the principal's own policies allow it in its account"),
    "pass-role": EdgeWords(Mechanism.SERVICE_PASS, "pass-role", "pass-role · runs code as the role",
                           "the principal makes a service run its code as this role (iam:PassRole to a new "
                           "resource, or new code for an existing one)"),
    "privilege-escalation": EdgeWords(Mechanism.ESCALATION, "privilege-escalation",
                                      "privilege escalation · rewrites IAM",
                                      "the principal rewrites IAM (credentials, policies, groups or a trust policy) "
                                      "to act as this principal or to give itself these permissions"),
    "kms-grant": EdgeWords(Mechanism.RESOURCE_GRANT, "kms-grant", "KMS grant · direct",
                           "a KMS grant on the key names this principal (or its account) as grantee or retiring "
                           "principal"),
    "s3-acl": EdgeWords(Mechanism.RESOURCE_GRANT, "s3-acl", "S3 ACL grant · direct",
                        "the bucket's ACL grants this principal's account, every AWS account, or anyone"),
}


def edge_words(kind: str) -> EdgeWords:
    """The words for an edge kind; unknown kinds are shown by their name."""
    return _EDGE_WORDS.get(kind, EdgeWords(Mechanism.OTHER, kind, kind, f"{kind} edge"))


def contested_in_words(kind: str) -> str:
    """Why a contested hop is in doubt: the reading of AWS it rests on (see the edge module)."""
    if kind == "kms-grant":
        return ("a KMS grant across accounts that the grantee's own IAM policies do not allow: AWS requires that "
                "allow for key policies, and documents no such rule for grants")
    return "rests on a resource-policy grant to a session ARN, which AWS documents and tools read differently"


def hop_arrow(kind: str, actions: Sequence[str]) -> str:
    """The arrow label of one hop: the kind's words, plus how a pass-role or escalation hop works.

    `pass-role via lambda (iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction)` names the
    service that runs the code; `privilege-escalation (iam:CreateAccessKey)` the IAM permissions used.
    """
    words = edge_words(kind)
    if kind == "pass-role":
        services = [action.split(":", 1)[0] for action in actions if not action.lower().startswith("iam:")]
        via = f" via {services[0]}" if services else ""
        return f"{words.arrow}{via} ({', '.join(actions)})"
    if kind == "privilege-escalation":
        used = [action for action in actions if action.lower().startswith("iam:")]
        return f"{words.arrow} ({', '.join(used)})" if used else words.arrow
    return words.arrow
