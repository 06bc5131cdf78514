"""When one account's answer is another's with the account id renamed (assume-role sharing, issue 8).

Every account's service roles trust `ec2.amazonaws.com` with the same text but for their own
account id in `aws:SourceAccount`; every account's Identity Center roles trust their own account's
SAML provider. For a caller without identity policies (a service or an identity provider), the
evaluation of such a trust in account A and in account B are the same computation with A renamed
to B, provided the renaming cannot change a comparison:
- the account id appears in the trust text only as a whole token (no digit before or after it),
  in a Principal element or as the value of a string or ARN condition operator (equality and
  wildcard matching treat it as an opaque token; a numeric or date operator, a key, an action, a
  resource or a Sid holding it could order or select differently, so such texts are not renamed);
- the caller's own strings hold the account id the same way (a provider ARN of the role's account);
- nothing else the evaluation reads (the RCP texts, the context values read) holds either id.
The answer's conditions and deny conditions then carry B where the representative carried A.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from graph.edges.common import EdgeSpec, Grant
from graph.policy import Condition

STAND_IN = "\x00account"
"""Stands for the role's account in a renamed text (NUL never occurs in canonical JSON)."""

_STRING_OPERATORS = frozenset({
    "stringequals", "stringnotequals", "stringequalsignorecase", "stringnotequalsignorecase", "stringlike",
    "stringnotlike", "arnequals", "arnnotequals", "arnlike", "arnnotlike"})
_SET_PREFIXES = ("forallvalues:", "foranyvalue:")


def delimited(text: str, account: str) -> bool:
    """Whether every occurrence of `account` in `text` is a whole token (no digit next to it)."""
    count = text.count(account)
    return count == 0 or len(re.findall(rf"(?<!\d){account}(?!\d)", text)) == count


def _string_operator(operator: str) -> bool:
    lowered = operator.lower()
    for prefix in _SET_PREFIXES:
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix):]
    if lowered.endswith("ifexists"):
        lowered = lowered[:-len("ifexists")]
    return lowered in _STRING_OPERATORS


def _holds(value: Any) -> bool:
    """Whether a decoded JSON value holds the stand-in in a string or a key."""
    if isinstance(value, str):
        return STAND_IN in value
    if isinstance(value, list):
        return any(_holds(item) for item in value)
    if isinstance(value, dict):
        return any(STAND_IN in key or _holds(item) for key, item in value.items())
    return False


@lru_cache(maxsize=16384)
def renamable(normalized: str) -> bool:
    """Whether the stand-in appears only in Principal elements and string or ARN condition values."""
    try:
        document = json.loads(normalized, strict=False)
    except ValueError:
        return False
    if not isinstance(document, dict) or any(_holds(v) for k, v in document.items() if k != "Statement"):
        return False
    raw = document.get("Statement", [])
    for statement in raw if isinstance(raw, list) else [raw]:
        if not isinstance(statement, dict):
            return False
        for element, value in statement.items():
            if element in ("Principal", "NotPrincipal") or not _holds(value):
                continue
            if element != "Condition" or not isinstance(value, dict):
                return False
            for operator, block in value.items():
                if STAND_IN in operator or not isinstance(block, dict):
                    return False
                if any(STAND_IN in key for key in block) or (_holds(block) and not _string_operator(operator)):
                    return False
    return True


def renamed(edges: list[EdgeSpec], source: str, target: str, old: str, new: str) -> list[EdgeSpec]:
    """A representative's edges for another caller and role: its account `old` renamed to `new` in the
    condition values (the only part of an answer a renamable text can put it in), the new role as
    the target and as the trust grants' resource."""
    def conditions(found: tuple[Condition, ...]) -> tuple[Condition, ...]:
        return tuple(Condition(c.key, c.operator, tuple(v.replace(old, new) for v in c.values)) for c in found)
    return [EdgeSpec(source, target, edge.kind, edge.actions, edge.status, conditions(edge.conditions),
                     conditions(edge.deny_conditions),
                     tuple(g if g.resource is None else Grant(g.policy, g.statement, g.sid, target)
                           for g in edge.granted_by),
                     edge.chained, edge.scope, edge.contested)
            for edge in edges]
