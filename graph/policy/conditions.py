"""Condition operators, parsed once and evaluated in two- or three-valued logic.

Follows the IAM condition-operators reference and the single- vs multi-valued keys page:
- a Condition block ANDs its operators, each operator ANDs its keys, and the policy values of
  one key are ORed for positive operators; negated operators (`StringNotEquals`, `ArnNotLike`,
  `NotIpAddress`, ...) require the context value to match *none* of them;
- a missing key makes positive operators false and negated operators true; `...IfExists` makes
  the clause true; `Null` tests presence;
- `ForAnyValue:` is true when at least one context value satisfies the operator (false on a
  missing or empty key); `ForAllValues:` when every context value does (true on a missing or
  empty key);
- key names are case-insensitive, values case-sensitive (except `...IgnoreCase`).
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum, StrEnum
from typing import Any

from graph.errors import PolicyError
from graph.policy.context import ABSENT, UNKNOWN, Missing, RequestContext
from graph.policy.results import Condition
from graph.policy.variables import Template, escape_literal, parse_template
from graph.policy.wildcard import arn_like_matches, glob_matches, unescape


class Tri(Enum):
    """Three-valued truth."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


class SetQualifier(StrEnum):
    NONE = ""
    FOR_ANY_VALUE = "ForAnyValue"
    FOR_ALL_VALUES = "ForAllValues"


class Family(StrEnum):
    """Operator families: how a context value is compared with a policy value."""

    STRING = "string"
    STRING_IGNORE_CASE = "string-ignore-case"
    STRING_LIKE = "string-like"
    NUMERIC = "numeric"
    DATE = "date"
    BOOL = "bool"
    BINARY = "binary"
    IP = "ip"
    ARN = "arn"
    NULL = "null"
    UNKNOWN = "unknown"
    """Not an operator IAM defines: never decided silently."""


class Comparison(StrEnum):
    EQ = "eq"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"


# base operator -> (family, comparison, negated)
_OPERATORS: dict[str, tuple[Family, Comparison, bool]] = {
    "StringEquals": (Family.STRING, Comparison.EQ, False),
    "StringNotEquals": (Family.STRING, Comparison.EQ, True),
    "StringEqualsIgnoreCase": (Family.STRING_IGNORE_CASE, Comparison.EQ, False),
    "StringNotEqualsIgnoreCase": (Family.STRING_IGNORE_CASE, Comparison.EQ, True),
    "StringLike": (Family.STRING_LIKE, Comparison.EQ, False),
    "StringNotLike": (Family.STRING_LIKE, Comparison.EQ, True),
    "NumericEquals": (Family.NUMERIC, Comparison.EQ, False),
    "NumericNotEquals": (Family.NUMERIC, Comparison.EQ, True),
    "NumericLessThan": (Family.NUMERIC, Comparison.LT, False),
    "NumericLessThanEquals": (Family.NUMERIC, Comparison.LE, False),
    "NumericGreaterThan": (Family.NUMERIC, Comparison.GT, False),
    "NumericGreaterThanEquals": (Family.NUMERIC, Comparison.GE, False),
    "DateEquals": (Family.DATE, Comparison.EQ, False),
    "DateNotEquals": (Family.DATE, Comparison.EQ, True),
    "DateLessThan": (Family.DATE, Comparison.LT, False),
    "DateLessThanEquals": (Family.DATE, Comparison.LE, False),
    "DateGreaterThan": (Family.DATE, Comparison.GT, False),
    "DateGreaterThanEquals": (Family.DATE, Comparison.GE, False),
    "Bool": (Family.BOOL, Comparison.EQ, False),
    "BinaryEquals": (Family.BINARY, Comparison.EQ, False),
    "IpAddress": (Family.IP, Comparison.EQ, False),
    "NotIpAddress": (Family.IP, Comparison.EQ, True),
    "ArnEquals": (Family.ARN, Comparison.EQ, False),
    "ArnLike": (Family.ARN, Comparison.EQ, False),
    "ArnNotEquals": (Family.ARN, Comparison.EQ, True),
    "ArnNotLike": (Family.ARN, Comparison.EQ, True),
    "Null": (Family.NULL, Comparison.EQ, False),
}
_OPERATORS_LOWER = {name.lower(): name for name in _OPERATORS}


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A decimal number. Python's `float` also reads `1_000`, `nan`, `inf` and non-ASCII digits, which
are not numbers in an IAM policy or request."""

_YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
"""The W3C `YYYY-MM` form, which `datetime.fromisoformat` does not read."""


def parse_date(text: str) -> float | None:
    """Seconds since the epoch of a date/time or an epoch number; None if neither.

    Dates follow the W3C profile of ISO 8601 named by the condition-operators reference (YYYY-MM,
    YYYY-MM-DD, with hh:mm, hh:mm:ss or hh:mm:ss.s and a zone), read as UTC without a zone; a bare
    number (including a four-digit one) is epoch seconds.
    """
    value = text.strip()
    if not value:
        return None
    if _NUMBER.fullmatch(value):
        return float(value)
    year_month = _YEAR_MONTH.fullmatch(value)
    if year_month:
        year, month = int(year_month.group(1)), int(year_month.group(2))
        if not 1 <= month <= 12 or year < 1:
            return None
        return datetime(year, month, 1, tzinfo=timezone.utc).timestamp()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


def _parse_number(text: str) -> float | None:
    value = text.strip()
    return float(value) if _NUMBER.fullmatch(value) else None


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _compare(order: Comparison, left: float, right: float) -> bool:
    if order is Comparison.EQ:
        return left == right
    if order is Comparison.LT:
        return left < right
    if order is Comparison.LE:
        return left <= right
    if order is Comparison.GT:
        return left > right
    return left >= right


def _policy_value_text(value: Any, location: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value
    raise PolicyError("a condition value must be a string, number or boolean", location)


@dataclass(frozen=True, slots=True)
class Clause:
    """One (operator, key) pair of a Condition block with its policy values."""

    operator: str
    """The operator as written, e.g. `ForAnyValue:StringLikeIfExists`."""
    key: str
    """The key as written."""
    key_lower: str
    family: Family
    comparison: Comparison
    negated: bool
    qualifier: SetQualifier
    if_exists: bool
    values: tuple[str, ...]
    """Policy values as written (stringified)."""
    templates: tuple[Template, ...] | None
    """Set when a value holds a policy variable."""
    location: str
    literal: frozenset[str] | None = field(default=None, compare=False, repr=False)
    """For equality operators without variables: the normalized policy values (unescaped; lower-cased
    for Bool, case-folded for IgnoreCase), so that a context value matches by set membership."""
    on_principal_arn: bool = field(default=False, compare=False, repr=False)
    """A string or ARN comparison of `aws:PrincipalArn`, which may meet `some_principal_arn` values."""

    def residual(self) -> Condition:
        """This clause as a residual condition."""
        return Condition(self.key, self.operator, self.values)

    def evaluate(self, context: RequestContext) -> Tri:
        """Evaluate against the request context; UNKNOWN only in three-valued mode."""
        if self.on_principal_arn:
            found = context.get(self.key_lower)
            if type(found) is tuple and len(found) == 1 and found[0].endswith(ANY_PRINCIPAL_MARK):
                return self._some_principal_of(found[0][:-1], context.three_valued)
        literal = self.literal
        if literal is not None and self.qualifier is SetQualifier.NONE and self.family is Family.STRING:
            # The common case (StringEquals / StringNotEquals on a present key) by set membership.
            present = context.get(self.key_lower)
            if type(present) is tuple:
                hit = present[0] in literal if len(present) == 1 else any(value in literal for value in present)
                return Tri.TRUE if hit is not self.negated else Tri.FALSE
        if self.family is Family.UNKNOWN:
            if context.three_valued:
                return Tri.UNKNOWN
            raise PolicyError(f"unknown condition operator {self.operator!r}", self.location)
        found = context.get(self.key_lower)
        if found is UNKNOWN:
            return Tri.UNKNOWN
        if self.family is Family.NULL:
            exists = found is not ABSENT
            wanted = {value.lower() == "true" for value in self.values}  # "true" means: must be absent
            return Tri.TRUE if (not exists) in wanted else Tri.FALSE
        if found is ABSENT:
            return Tri.TRUE if self._absent_result() else Tri.FALSE
        policy_values = self.values
        if self.templates is not None:
            resolved = _resolve(self.templates, context, self.family)
            if resolved is UNKNOWN:
                return Tri.UNKNOWN
            if resolved is ABSENT:
                return Tri.FALSE  # a variable with no value: the condition does not match
            assert not isinstance(resolved, Missing)
            policy_values = resolved
        assert not isinstance(found, Missing)
        return Tri.TRUE if self._present_result(found, policy_values) else Tri.FALSE

    def _some_principal_of(self, iam_prefix: str, three_valued: bool) -> Tri:
        """The clause for a caller that is some principal of one account, whose ARN starts with
        `iam_prefix` (`arn:aws:iam::ID:`; or its `sts` form): no value that could name a principal of
        that account, no match; else unknown (absent in two-valued mode)."""
        prefixes = (iam_prefix, iam_prefix.replace(":iam::", ":sts::", 1))
        ignore_case = self.family is Family.STRING_IGNORE_CASE
        if ignore_case:
            prefixes = (prefixes[0].casefold(), prefixes[1].casefold())
        could = self.templates is not None or any(
            _could_start_with(value.casefold() if ignore_case else value, prefixes) for value in self.values)
        if could:
            if three_valued:
                return Tri.UNKNOWN
            return Tri.TRUE if self._absent_result() else Tri.FALSE
        return Tri.TRUE if self.negated else Tri.FALSE

    def _absent_result(self) -> bool:
        if self.if_exists or self.qualifier is SetQualifier.FOR_ALL_VALUES:
            return True
        if self.qualifier is SetQualifier.FOR_ANY_VALUE:
            return False
        return self.negated

    def _present_result(self, context_values: tuple[str, ...], policy_values: tuple[str, ...]) -> bool:
        literal = self.literal
        if literal is not None and policy_values is self.values:
            return self._literal_result(context_values, literal)
        matcher = _matcher(self.family, self.comparison)

        def positive(value: str) -> bool:
            return any(matcher(value, policy_value) for policy_value in policy_values)

        if self.qualifier is SetQualifier.FOR_ANY_VALUE:
            return any(positive(v) != self.negated for v in context_values)
        if self.qualifier is SetQualifier.FOR_ALL_VALUES:
            return all(positive(v) != self.negated for v in context_values)
        hit = any(positive(v) for v in context_values)
        return not hit if self.negated else hit


    def _literal_result(self, context_values: tuple[str, ...], literal: frozenset[str]) -> bool:
        family = self.family
        if family is Family.BOOL:
            normalized = [value.lower() for value in context_values]
        elif family is Family.STRING_IGNORE_CASE:
            normalized = [value.casefold() for value in context_values]
        else:
            normalized = list(context_values)
        negated = self.negated
        if self.qualifier is SetQualifier.FOR_ANY_VALUE:
            return any((value in literal) != negated for value in normalized)
        if self.qualifier is SetQualifier.FOR_ALL_VALUES:
            return all((value in literal) != negated for value in normalized)
        hit = any(value in literal for value in normalized)
        return not hit if negated else hit


ANY_PRINCIPAL_MARK = "\ue002"
"""Ends an `aws:PrincipalArn` value that stands for some principal of an account: `some_principal_arn`."""


def some_principal_arn(account: str, partition: str = "aws") -> str:
    """The `aws:PrincipalArn` of a caller that is some principal of `account`, which one unknown."""
    return f"arn:{partition}:iam::{account}:{ANY_PRINCIPAL_MARK}"


def _could_start_with(value: str, prefixes: tuple[str, ...]) -> bool:
    """Whether a policy value (wildcards allowed) could equal or match a text starting with a prefix."""
    head = re.split(r"[*?]", value, maxsplit=1)[0]
    return any(head.startswith(prefix) or prefix.startswith(head) for prefix in prefixes)


def _literal_values(family: Family, values: tuple[str, ...]) -> frozenset[str] | None:
    """The set form of an equality clause's values (see `Clause.literal`), or None for other operators."""
    if family is Family.STRING:
        return frozenset(unescape(value) for value in values)
    if family is Family.STRING_IGNORE_CASE:
        return frozenset(unescape(value).casefold() for value in values)
    if family is Family.BOOL:
        return frozenset(value.lower() for value in values)
    return None


def _resolve(templates: tuple[Template, ...], context: RequestContext,
             family: Family) -> tuple[str, ...] | Missing:
    values: list[str] = []
    for template in templates:
        parts: list[str] = []
        for index, literal in enumerate(template.literals):
            parts.append(literal)
            if index < len(template.variables):
                variable = template.variables[index]
                found = context.single(variable.key.lower())
                if isinstance(found, Missing):
                    if variable.default is None:
                        return found
                    found = variable.default
                parts.append(escape_literal(found) if family in (Family.STRING_LIKE, Family.ARN) else found)
        values.append("".join(parts))
    return tuple(values)


def _string_eq(value: str, policy: str) -> bool:
    return value == unescape(policy)


def _string_ieq(value: str, policy: str) -> bool:
    return value.casefold() == unescape(policy).casefold()


def _string_like(value: str, policy: str) -> bool:
    return glob_matches(policy, value)


def _bool_eq(value: str, policy: str) -> bool:
    lowered = value.lower()
    return lowered in ("true", "false") and lowered == policy.lower()


def _binary_eq(value: str, policy: str) -> bool:
    return value.strip() == policy.strip()


def _ip_in(value: str, policy: str) -> bool:
    address = _parse_ip(value)
    if address is None:
        return False
    try:
        network = ipaddress.ip_network(policy.strip(), strict=False)
    except ValueError:
        return False
    return address.version == network.version and address in network


def _arn_like(value: str, policy: str) -> bool:
    return arn_like_matches(policy, value)


def _numeric(order: Comparison) -> Callable[[str, str], bool]:
    def compare(value: str, policy: str) -> bool:
        left, right = _parse_number(value), _parse_number(policy)
        return left is not None and right is not None and _compare(order, left, right)
    return compare


def _date(order: Comparison) -> Callable[[str, str], bool]:
    def compare(value: str, policy: str) -> bool:
        left, right = parse_date(value), parse_date(policy)
        return left is not None and right is not None and _compare(order, left, right)
    return compare


_MATCHERS: dict[tuple[Family, Comparison], Callable[[str, str], bool]] = {
    (Family.STRING, Comparison.EQ): _string_eq,
    (Family.STRING_IGNORE_CASE, Comparison.EQ): _string_ieq,
    (Family.STRING_LIKE, Comparison.EQ): _string_like,
    (Family.BOOL, Comparison.EQ): _bool_eq,
    (Family.BINARY, Comparison.EQ): _binary_eq,
    (Family.IP, Comparison.EQ): _ip_in,
    (Family.ARN, Comparison.EQ): _arn_like,
    **{(Family.NUMERIC, order): _numeric(order) for order in Comparison},
    **{(Family.DATE, order): _date(order) for order in Comparison},
}


def _matcher(family: Family, comparison: Comparison) -> Callable[[str, str], bool]:
    return _MATCHERS[(family, comparison)]


def _split_operator(operator: str) -> tuple[SetQualifier, str, bool]:
    qualifier = SetQualifier.NONE
    base = operator
    prefix, colon, rest = operator.partition(":")
    if colon:
        lowered = prefix.lower()
        if lowered == "foranyvalue":
            qualifier = SetQualifier.FOR_ANY_VALUE
        elif lowered == "forallvalues":
            qualifier = SetQualifier.FOR_ALL_VALUES
        else:
            return SetQualifier.NONE, operator, False
        base = rest
    if_exists = base.lower().endswith("ifexists") and base.lower() != "ifexists"
    if if_exists:
        base = base[: -len("IfExists")]
    return qualifier, base, if_exists


_NO_VARIABLES = frozenset({Family.NUMERIC, Family.DATE, Family.BOOL, Family.BINARY, Family.IP})
"""Families whose values IAM never substitutes variables into (policy-variables reference, "Where you
can use policy variables"; Access Analyzer's "Invalid variable for operator" error)."""


def _validate_value(family: Family, value: str, location: str) -> None:
    if family is Family.NUMERIC and _parse_number(value) is None:
        raise PolicyError(f"{value!r} is not a number", location)
    if family is Family.DATE and parse_date(value) is None:
        raise PolicyError(f"{value!r} is not an ISO 8601 date or epoch time", location)
    if family is Family.BOOL and value.lower() not in ("true", "false"):
        raise PolicyError(f"{value!r} is not true or false", location)
    if family is Family.NULL and value.lower() not in ("true", "false"):
        raise PolicyError(f"Null takes true or false, not {value!r}", location)
    if family is Family.IP:
        try:
            ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            raise PolicyError(f"{value!r} is not an IP address or CIDR block", location) from None
    if family is Family.BINARY:
        try:
            base64.b64decode(value, validate=True)
        except ValueError:
            raise PolicyError(f"{value!r} is not base64", location) from None


def parse_condition_block(block: Any, location: str, *, variables_enabled: bool) -> tuple[Clause, ...]:
    """Parse a statement's Condition element into clauses; raises PolicyError on a bad shape.

    Operator names IAM does not define are kept as `Family.UNKNOWN` clauses: evaluating one
    raises PolicyError in two-valued mode and is UNKNOWN in three-valued mode, so an unknown
    operator never silently widens or narrows access.
    """
    if not isinstance(block, dict):
        raise PolicyError("Condition must be an object of operators", location)
    clauses: list[Clause] = []
    for operator, keys in block.items():
        where = f"{location}.{operator}"
        if not isinstance(keys, dict) or not keys:
            raise PolicyError("a condition operator must map keys to values", where)
        qualifier, base, if_exists = _split_operator(operator)
        canonical = _OPERATORS_LOWER.get(base.lower())
        if canonical is None or (canonical == "Null" and (if_exists or qualifier is not SetQualifier.NONE)):
            family, comparison, negated = Family.UNKNOWN, Comparison.EQ, False
        else:
            family, comparison, negated = _OPERATORS[canonical]
        for key, raw in keys.items():
            key_where = f"{where}.{key}"
            if not isinstance(key, str) or not key:
                raise PolicyError("a condition key must be a non-empty string", where)
            raw_values = raw if isinstance(raw, list) else [raw]
            if not raw_values:
                raise PolicyError("a condition key needs at least one value", key_where)
            values = tuple(_policy_value_text(value, f"{key_where}[{index}]" if isinstance(raw, list) else key_where)
                           for index, value in enumerate(raw_values))
            templates = tuple(parse_template(value, variables_enabled) for value in values)
            has_variables = any(not template.is_plain for template in templates)
            if family is Family.NULL and has_variables:
                raise PolicyError("policy variables cannot be used with Null", key_where)
            if has_variables and family in _NO_VARIABLES:
                raise PolicyError(f"policy variables can only be used with String and ARN operators, not {operator}",
                                  key_where)
            if not has_variables:
                for value in values:
                    _validate_value(family, value, key_where)
            clauses.append(Clause(operator, key, key.lower(), family, comparison, negated, qualifier, if_exists,
                                  values, templates if has_variables else None, key_where,
                                  None if has_variables else _literal_values(family, values),
                                  key.lower() == "aws:principalarn" and family in _PRINCIPAL_ARN_FAMILIES))
    return tuple(clauses)


_PRINCIPAL_ARN_FAMILIES = frozenset({Family.STRING, Family.STRING_IGNORE_CASE, Family.STRING_LIKE, Family.ARN})


def evaluate_clauses(clauses: tuple[Clause, ...], context: RequestContext) -> tuple[Tri, tuple[Condition, ...]]:
    """AND of the clauses: FALSE wins, else UNKNOWN with the undecided clauses as residuals."""
    residual: list[Condition] = []
    for clause in clauses:
        outcome = clause.evaluate(context)
        if outcome is Tri.FALSE:
            return Tri.FALSE, ()
        if outcome is Tri.UNKNOWN:
            residual.append(clause.residual())
    if residual:
        return Tri.UNKNOWN, tuple(residual)
    return Tri.TRUE, ()


def first_false_clause(clauses: tuple[Clause, ...], context: RequestContext) -> Clause | None:
    """The first clause that is false (for explanations)."""
    for clause in clauses:
        if clause.evaluate(context) is Tri.FALSE:
            return clause
    return None
