"""The shape of policy statements, for indexing and pre-filtering only (never for decisions).

The graph builder must not evaluate all principal x resource pairs. These shapes let it find the
pairs worth evaluating: which principals a resource policy names, and which identity statements
could match a service and an ARN. Every test here is conservative (it may keep a pair that
`graph.policy.evaluate` then denies, never drop one it would allow).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_WILDCARD = re.compile(r"[*?$]")


@dataclass(frozen=True, slots=True)
class PrincipalRef:
    """One principal named by a resource or trust policy statement."""

    kind: str
    """"aws", "service", "federated", "canonical" or "public"."""
    value: str


@dataclass(frozen=True, slots=True)
class StatementShape:
    """The parts of one statement that say what it could apply to."""

    index: int
    effect: str
    actions: tuple[str, ...]
    """Lower-case action patterns; `not_action` inverts them."""
    not_action: bool
    resources: tuple[str, ...]
    """Resource patterns; empty with `not_resource` False means "this resource" (legacy SQS/SNS)."""
    not_resource: bool
    principals: tuple[PrincipalRef, ...]
    not_principal: bool

    @property
    def allows(self) -> bool:
        """Whether this is an Allow statement."""
        return self.effect == "Allow"


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    return (str(value),)


def _principals(value: Any) -> tuple[PrincipalRef, ...]:
    if value is None:
        return ()
    if value == "*":
        return (PrincipalRef("public", "*"),)
    refs: list[PrincipalRef] = []
    if isinstance(value, dict):
        for key, names in value.items():
            kind = {"aws": "aws", "service": "service", "federated": "federated",
                    "canonicaluser": "canonical"}.get(str(key).lower(), "unknown")
            for name in _strings(names):
                refs.append(PrincipalRef("public", "*") if kind == "aws" and name == "*" else PrincipalRef(kind, name))
    return tuple(refs)


def _decode(text: str) -> Any:
    """The document, read by orjson (3x faster on policy-sized texts) or, where orjson refuses it, by `json`.

    orjson reads integers past 64 bits as floats: only condition values can hold numbers, and shapes
    never read them. NaN and infinities (which orjson refuses) are read by `json`.
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)  # what orjson refuses: `json` reads it or raises its own error


@lru_cache(maxsize=65536)
def statement_shapes(text: str) -> tuple[StatementShape, ...]:
    """The statements of a policy document given as canonical JSON text."""
    document = _decode(text)
    raw = document.get("Statement", []) if isinstance(document, dict) else []
    statements = raw if isinstance(raw, list) else [raw]
    shapes = []
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            continue
        not_action = "NotAction" in statement
        not_resource = "NotResource" in statement
        not_principal = "NotPrincipal" in statement
        shapes.append(StatementShape(
            index=index,
            effect=str(statement.get("Effect", "")),
            actions=tuple(a.lower() for a in _strings(statement.get("NotAction" if not_action else "Action"))),
            not_action=not_action,
            resources=_strings(statement.get("NotResource" if not_resource else "Resource")),
            not_resource=not_resource,
            principals=_principals(statement.get("NotPrincipal" if not_principal else "Principal")),
            not_principal=not_principal,
        ))
    return tuple(shapes)


@lru_cache(maxsize=65536)
def _glob(pattern: str, case_insensitive: bool) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        parts.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if case_insensitive else re.DOTALL)


def action_pattern_matches(pattern: str, action: str) -> bool:
    """Whether an action pattern (`s3:Get*`) covers an action, case-insensitively."""
    return _glob(pattern, True).fullmatch(action) is not None


@lru_cache(maxsize=65536)
def _any_of(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for a list of action patterns (None: the list is empty)."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{_glob(pattern, True).pattern})" for pattern in patterns), re.IGNORECASE | re.DOTALL)


def statement_covers_action(shape: StatementShape, action: str) -> bool:
    """Whether the statement's Action (or NotAction) element applies to `action`."""
    combined = _any_of(shape.actions)
    hit = combined is not None and combined.fullmatch(action) is not None
    return hit != shape.not_action


def statement_may_cover_service(shape: StatementShape, service: str) -> bool:
    """Whether some action of `service` could be covered by the statement."""
    if shape.not_action:
        return True
    return any(action_pattern_matches(pattern.split(":", 1)[0], service) if ":" in pattern else pattern == "*"
               for pattern in shape.actions)


def action_services(shape: StatementShape) -> frozenset[str]:
    """Service prefixes the statement's actions name; {"*"} when it could cover any service."""
    if shape.not_action:
        return frozenset({"*"})
    services = set()
    for pattern in shape.actions:
        prefix = pattern.split(":", 1)[0] if ":" in pattern else pattern
        services.add("*" if _WILDCARD.search(prefix) else prefix)
    return frozenset(services)


def literal_head(pattern: str) -> str:
    """The pattern's text before its first wildcard or policy variable.

    `pattern_may_match(pattern, arn, ...)` can hold only when this head is a prefix of `arn + "/"`
    or starts with it (`pattern == "*"` aside, whose head is empty): an index of heads finds the
    few patterns worth matching against an ARN among thousands.
    """
    if "$" in pattern:
        pattern = re.sub(r"\$\{[^}]*\}", "*", pattern)
    return _WILDCARD.split(pattern, 1)[0]


def pattern_may_match(pattern: str, arn: str, *, with_children: bool = False) -> bool:
    """Whether a resource pattern could match `arn` (or, with_children, an ARN under `arn/`).

    Policy variables (`${aws:username}`) are treated as wildcards, since their value depends on
    the caller.
    """
    if pattern == "*":
        return True
    if "$" in pattern:
        pattern = re.sub(r"\$\{[^}]*\}", "*", pattern)
    exact = "*" not in pattern and "?" not in pattern
    # a match starts with the pattern's literal head: most patterns are ruled out without compiling a regex
    if (pattern == arn) if exact else (arn.startswith(_WILDCARD.split(pattern, 1)[0])
                                       and _glob(pattern, False).fullmatch(arn)):
        return True
    if not with_children:
        return False
    literal = _WILDCARD.split(pattern, 1)[0]
    space = arn + "/"
    return literal.startswith(space) or (space.startswith(literal) and literal != pattern)


def statement_may_match_resource(shape: StatementShape, arn: str, *, with_children: bool = False) -> bool:
    """Whether the statement's Resource (or NotResource) element could apply to `arn`."""
    if shape.not_resource or not shape.resources:
        return True
    return any(pattern_may_match(pattern, arn, with_children=with_children) for pattern in shape.resources)


def object_prefixes(shape: StatementShape, bucket_arn: str) -> tuple[str, ...]:
    """Key prefixes the statement limits a bucket's objects to (`reports/` for `b/reports/*`)."""
    if shape.not_resource:
        return ()
    space = bucket_arn + "/"
    found = []
    for pattern in shape.resources:
        if pattern.startswith(space):
            prefix = _WILDCARD.split(pattern[len(space):], 1)[0]
            if prefix:
                found.append(prefix)
    return tuple(found)


def account_of_principal(value: str) -> str | None:
    """The account id of an AWS principal (`111111111111`, a root, user, role or session ARN)."""
    if _ACCOUNT_ID.match(value):
        return value
    parts = value.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and _ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return None


def is_account_principal(value: str) -> bool:
    """Whether an AWS principal names a whole account (its id or its root ARN)."""
    return bool(_ACCOUNT_ID.match(value)) or (value.startswith("arn:") and value.endswith(":root"))


def session_role_arn(value: str) -> str | None:
    """The role ARN behind an assumed-role session ARN, without path (None for other ARNs)."""
    parts = value.split(":", 5)
    if len(parts) == 6 and parts[2] == "sts" and parts[5].startswith("assumed-role/"):
        role_name = parts[5].split("/")[1]
        return f"arn:{parts[1]}:iam::{parts[4]}:role/{role_name}"
    return None


_IAM_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam::\d{12}:(?:user|role)/|sts::\d{12}:assumed-role/)[^*?$]+$")
_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _open_statements(text: str) -> list[tuple[int, dict[str, Any]]]:
    """(index, statement) of the Allow statements whose Principal is `"*"` (or that use NotPrincipal)."""
    document = _decode(text)
    raw = document.get("Statement", []) if isinstance(document, dict) else []
    statements = raw if isinstance(raw, list) else [raw]
    shapes = {shape.index: shape for shape in statement_shapes(text)}
    found = []
    for index, statement in enumerate(statements):
        shape = shapes.get(index)
        if shape is None or not shape.allows or not isinstance(statement.get("Condition"), dict):
            continue
        if shape.not_principal or any(ref.kind == "public" for ref in shape.principals):
            found.append((index, statement))
    return found


@lru_cache(maxsize=65536)
def open_statement_accounts(text: str) -> frozenset[str]:
    """Account ids written in the Condition of an Allow statement open to `"*"` (or using NotPrincipal).

    `"Principal": "*"` narrowed by `aws:PrincipalAccount`, `aws:PrincipalArn` or `kms:CallerAccount`
    (the Principal element reference recommends `"*"` with `aws:PrincipalArn` over partial wildcards)
    admits the account it names, though no Principal entry names it: such an account must be a
    candidate caller of the policy. Any 12-digit id of the Condition is kept (a candidate is only
    evaluated: one the condition does not admit gets no edge).
    """
    if not _TWELVE_DIGITS.search(text):
        return frozenset()
    found: set[str] = set()
    for _, statement in _open_statements(text):
        found.update(_TWELVE_DIGITS.findall(json.dumps(statement["Condition"])))
    return frozenset(found)


@lru_cache(maxsize=65536)
def open_statement_principals(text: str) -> dict[int, tuple[str, ...]]:
    """By statement index: the user, role and session ARNs an open Allow statement's Condition pins
    `aws:PrincipalArn` to with a positive operator (`ArnEquals`, `ArnLike`, `StringEquals`, ... and their
    `ForAnyValue:` / `...IfExists` forms), written without wildcards."""
    if "principalarn" not in text.lower():
        return {}
    found: dict[int, tuple[str, ...]] = {}
    for index, statement in _open_statements(text):
        arns: list[str] = []
        for operator, block in statement["Condition"].items():
            if not isinstance(block, dict) or "not" in str(operator).lower().split(":")[-1]:
                continue  # negated operators (StringNotEquals, ArnNotLike, ...) admit everyone else
            for key, values in block.items():
                if str(key).lower() == "aws:principalarn":
                    arns += [value for value in _strings(values) if _IAM_PRINCIPAL_ARN.match(value)]
        if arns:
            found[index] = tuple(dict.fromkeys(arns))
    return found
