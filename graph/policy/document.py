"""Policy documents: parsing, validation with locations, and the normalized statement model.

Follows the IAM JSON policy element reference (Version, Id, Statement, Sid, Effect,
Principal/NotPrincipal, Action/NotAction, Resource/NotResource, Condition): single values and
lists are equivalent; `Version` `2012-10-17` enables policy variables, while `2008-10-17` or a
missing Version treats `${...}` as literal text. A statement without Resource (legacy SNS/SQS
resource policies, role trust policies) applies to the resource the policy is attached to.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from graph.errors import PolicyError
from graph.model import canonical_json
from graph.policy.action_index import ActionIndex
from graph.policy.conditions import Clause, parse_condition_block
from graph.policy.principals import PrincipalSet, parse_principal_element
from graph.policy.variables import Template, parse_template
from graph.policy.wildcard import ResourceSet, action_matches, compile_resources

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
_STATEMENT_KEYS = frozenset({"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                             "NotResource", "Condition"})
_POLICY_KEYS = frozenset({"Version", "Id", "Statement"})


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class Statement:
    """One normalized statement."""

    index: int
    sid: str | None
    effect: Effect
    actions: tuple[str, ...] | None
    """Action entries (lower-cased); None when the statement uses NotAction."""
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    """Resource entries; None when absent (then NotResource, or "this resource")."""
    not_resources: tuple[str, ...] | None
    resource_templates: tuple[Template, ...] | None
    """Parsed Resource/NotResource entries when one holds a policy variable."""
    principals: PrincipalSet | None
    not_principals: PrincipalSet | None
    conditions: tuple[Clause, ...]
    location: str
    resource_set: ResourceSet | None = field(default=None, compare=False, repr=False)
    """Resource/NotResource compiled for matching, when it holds no policy variable."""

    @property
    def is_allow(self) -> bool:
        return self.effect is Effect.ALLOW

    def matches_action(self, action: str) -> bool:
        """Whether Action covers `action`, or NotAction does not (case-insensitive)."""
        if self.actions is not None:
            return any(action_matches(pattern, action) for pattern in self.actions)
        assert self.not_actions is not None
        return not any(action_matches(pattern, action) for pattern in self.not_actions)


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed policy document."""

    text: str
    """Canonical JSON text of the document (also the cache key)."""
    policy_id: str | None
    version: str | None = field(compare=False)
    document_id: str | None = field(compare=False)
    statements: tuple[Statement, ...] = field(compare=False)
    referenced_keys: tuple[str, ...] = field(default=(), compare=False)
    """Lower-cased context keys the statements read (conditions and policy variables)."""
    _by_action: dict[str, tuple[Statement, ...]] = field(default_factory=dict, compare=False, repr=False)
    _index: list[ActionIndex] = field(default_factory=list, compare=False, repr=False)
    """Holds the policy's `ActionIndex` once built (lazily: many policies are never evaluated)."""
    named_arns: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """Every ARN a Principal element of the policy names (a cheap test before looking for a session ARN)."""

    @property
    def variables_enabled(self) -> bool:
        """Policy variables work only with Version 2012-10-17."""
        return self.version == VERSION_2012

    def statements_for_action(self, action: str) -> tuple[Statement, ...]:
        """The statements whose Action/NotAction covers `action` (memoized per action)."""
        key = action.lower()
        found = self._by_action.get(key)
        if found is None:
            if not self._index:
                self._index.append(ActionIndex(self.statements))
            found = tuple(self.statements[position] for position in self._index[0].select(key, self.statements))
            if len(self._by_action) < 4096:
                self._by_action[key] = found
        return found

    def may_apply_to_action(self, action: str) -> bool:
        """Cheap pre-filter: whether any statement's Action/NotAction covers `action`."""
        return bool(self.statements_for_action(action))

    def with_id(self, policy_id: str | None) -> Policy:
        """The same policy under another id."""
        if policy_id == self.policy_id:
            return self
        return Policy(self.text, policy_id, self.version, self.document_id, self.statements, self.referenced_keys,
                      self._by_action, self._index, named_arns=self.named_arns)


def _string_list(value: Any, location: str, what: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise PolicyError(f"{what} must not be empty", location)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item:
            where = f"{location}[{index}]" if isinstance(value, list) else location
            raise PolicyError(f"{what} must be a non-empty string", where)
    return tuple(items)


def _actions(value: Any, location: str) -> tuple[str, ...]:
    actions = _string_list(value, location, "an action")
    for index, action in enumerate(actions):
        if action != "*" and ":" not in action:
            where = f"{location}[{index}]" if isinstance(value, list) else location
            raise PolicyError(f"action {action!r} is not of the form service:Action", where)
    return tuple(action.lower() for action in actions)


def _statement(raw: Any, index: int, location: str, variables_enabled: bool) -> Statement:
    if not isinstance(raw, dict):
        raise PolicyError("a statement must be an object", location)
    unknown = sorted(set(raw) - _STATEMENT_KEYS)
    if unknown:
        raise PolicyError(f"unknown statement element {unknown[0]!r}", f"{location}.{unknown[0]}")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f'Effect must be "Allow" or "Deny", not {effect!r}', f"{location}.Effect")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, (str, int)):
        raise PolicyError("Sid must be a string", f"{location}.Sid")
    for first, second in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
        if first in raw and second in raw:
            raise PolicyError(f"a statement cannot have both {first} and {second}", f"{location}.{second}")
    if "Action" not in raw and "NotAction" not in raw:
        raise PolicyError("a statement needs Action or NotAction", location)
    actions = _actions(raw["Action"], f"{location}.Action") if "Action" in raw else None
    not_actions = _actions(raw["NotAction"], f"{location}.NotAction") if "NotAction" in raw else None
    resources = _string_list(raw["Resource"], f"{location}.Resource", "a resource") if "Resource" in raw else None
    not_resources = (_string_list(raw["NotResource"], f"{location}.NotResource", "a resource")
                     if "NotResource" in raw else None)
    patterns = resources if resources is not None else not_resources
    templates = None
    if patterns is not None and variables_enabled:
        parsed = tuple(parse_template(pattern, True) for pattern in patterns)
        if any(not template.is_plain for template in parsed):
            templates = parsed
    principals = (parse_principal_element(raw["Principal"], f"{location}.Principal")
                  if "Principal" in raw else None)
    not_principals = (parse_principal_element(raw["NotPrincipal"], f"{location}.NotPrincipal")
                      if "NotPrincipal" in raw else None)
    conditions = (parse_condition_block(raw["Condition"], f"{location}.Condition",
                                        variables_enabled=variables_enabled) if "Condition" in raw else ())
    compiled = compile_resources(patterns) if patterns is not None and templates is None else None
    return Statement(index, None if sid is None else str(sid), Effect(effect), actions, not_actions, resources,
                     not_resources, templates, principals, not_principals, conditions, location, compiled)


def _decode_text(text: str, location: str) -> Any:
    stripped = text.strip()
    if stripped.startswith("%") or (not stripped.startswith(("{", "[")) and "%" in stripped):
        stripped = unquote(stripped)
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as error:
        raise PolicyError(f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
                          location) from None
    except RecursionError:
        raise PolicyError("JSON nested too deeply to read", location) from None


@lru_cache(maxsize=65536)
def _parse_cached(text: str, policy_id: str | None, location: str) -> Policy:
    return _parse_text(text, location).with_id(policy_id)


@lru_cache(maxsize=16384)
def _parse_text(text: str, location: str) -> Policy:
    """The policy of a text under no id (the same text under several ids shares its statements)."""
    document = _decode_text(text, location)
    if not isinstance(document, dict):
        raise PolicyError("a policy must be a JSON object", location)
    unknown = sorted(set(document) - _POLICY_KEYS)
    if unknown:
        raise PolicyError(f"unknown policy element {unknown[0]!r}", f"{location}.{unknown[0]}")
    version = document.get("Version")
    if version is not None and version not in (VERSION_2012, VERSION_2008):
        raise PolicyError(f"Version must be {VERSION_2012!r} or {VERSION_2008!r}, not {version!r}",
                          f"{location}.Version")
    document_id = document.get("Id")
    if document_id is not None and not isinstance(document_id, str):
        raise PolicyError("Id must be a string", f"{location}.Id")
    if "Statement" not in document:
        raise PolicyError("a policy needs a Statement", location)
    raw_statements = document["Statement"]
    if isinstance(raw_statements, dict):
        items = [(raw_statements, f"{location}.Statement")]
    elif isinstance(raw_statements, list):
        items = [(raw, f"{location}.Statement[{index}]") for index, raw in enumerate(raw_statements)]
    else:
        raise PolicyError("Statement must be an object or a list", f"{location}.Statement")
    variables_enabled = version == VERSION_2012
    statements = tuple(_statement(raw, index, where, variables_enabled) for index, (raw, where) in enumerate(items))
    canonical = _canonical_text(document, text)
    named_arns = frozenset(arn for statement in statements if statement.principals is not None
                           for arn in statement.principals.arns)
    return Policy(canonical, None, version, document_id, statements, _referenced_keys(statements),
                  named_arns=named_arns)


_FLOAT_LIKE = re.compile(r"\d[.eE][+\-]?\d")
"""Where a number may be a float: orjson and `json` may spell one differently (`1e16`, `1e+16`)."""


def _canonical_text(document: Any, text: str) -> str:
    """`json.dumps(document, separators=(",", ":"), ensure_ascii=False)`, reusing `text` when it already is that.

    `canonical_json` writes the same text faster except for floats; a text with nothing that looks
    like a float is taken from it (a snapshot's documents already are canonical: their text object is kept).
    """
    fast = canonical_json(document)
    if _FLOAT_LIKE.search(fast):
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return text if fast == text else fast


def _referenced_keys(statements: tuple[Statement, ...]) -> tuple[str, ...]:
    keys: set[str] = set()
    for statement in statements:
        for clause in statement.conditions:
            keys.add(clause.key_lower)
            for template in clause.templates or ():
                keys.update(variable.key.lower() for variable in template.variables)
        for template in statement.resource_templates or ():
            keys.update(variable.key.lower() for variable in template.variables)
    return tuple(sorted(keys))


def policy_from_text(text: str, policy_id: str | None = None) -> Policy:
    """Parse a policy from JSON text (plain or URL-encoded), cached by text and id."""
    return _parse_cached(text, policy_id, "policy")


def parse_policy(document: Any, *, policy_id: str | None = None, location: str = "policy") -> Policy:
    """Parse a policy given as a dict, a JSON string, or a URL-encoded JSON string.

    Args:
        document: the policy (also accepts a `graph.model.PolicyDocument` or a `Policy`).
        policy_id: an identifier reported with the statements that decide (e.g. a policy ARN).
        location: where the document sits in the input, used in error messages.

    Raises:
        PolicyError: the document is not a policy; the location names the offending element,
            e.g. `policy.Statement[2].Condition.StringEquals`.
    """
    if isinstance(document, Policy):
        return document.with_id(policy_id) if policy_id is not None else document
    text_attribute = getattr(document, "text", None)
    if isinstance(text_attribute, str) and not isinstance(document, (str, dict)):
        return _parse_cached(text_attribute, policy_id, location)
    if isinstance(document, str):
        return _parse_cached(document, policy_id, location)
    if isinstance(document, dict):
        try:
            text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError, RecursionError) as error:
            raise PolicyError(f"not a JSON document: {error}", location) from None
        return _parse_cached(text, policy_id, location)
    raise PolicyError(f"a policy must be a JSON object or string, not {type(document).__name__}", location)
