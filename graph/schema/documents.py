"""Policy documents as snapshots hold them, and the light shape checks a snapshot needs.

AWS hands policy documents over in three forms: JSON objects (the AWS CLI's output), JSON strings,
and URL-encoded JSON strings (the raw `GetAccountAuthorizationDetails` API). These checks only make
sure a document has the shape of an IAM policy; `graph.policy` parses and evaluates it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from enum import Enum
from typing import Any
from urllib.parse import unquote

from graph.model import canonical_json
from graph.schema.problem import PathPart, Problem, problem_at

_EFFECTS = frozenset({"Allow", "Deny"})
_VERSIONS = frozenset({"2012-10-17", "2008-10-17"})
_PRINCIPAL_KINDS = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_ARN = re.compile(r"^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}|aws)?:.+$")
_UNIQUE_ID = re.compile(r"^A[A-Z0-9]{15,127}$")
"""IAM unique ids (AIDA..., AROA...): what AWS shows in a policy for a principal since deleted."""


class DocumentKind(Enum):
    """Where a policy document is attached; it decides which elements it must or must not have."""

    IDENTITY = "identity"
    """Inline, managed or boundary policy: no Principal."""
    TRUST = "trust"
    """A role's trust policy: a Principal is required."""
    RESOURCE = "resource"
    """A resource-based policy: a Principal is required."""
    ORGANIZATION = "organization"
    """An SCP or RCP."""


class DocumentDecodeError(ValueError):
    """A policy document string that is neither JSON nor URL-encoded JSON."""


def decode_document(value: Any) -> Any:
    """The policy document as a JSON value, whichever of the three forms it came in.

    Args:
        value: An object, a JSON string, or a URL-encoded JSON string.

    Returns:
        The decoded value (not necessarily an object: callers check the shape).

    Raises:
        DocumentDecodeError: A string that does not decode.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text.startswith(("{", "[")):
        text = unquote(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DocumentDecodeError(f"policy document is a string that is not JSON nor URL-encoded JSON "
                                  f"({error.msg} at character {error.pos})") from error
    except RecursionError as error:
        raise DocumentDecodeError("policy document is a string of JSON nested too deeply to read") from error


def check_document(value: Any, path: tuple[PathPart, ...], kind: DocumentKind) -> list[Problem]:
    """Every shape problem of one policy document.

    Args:
        value: The document as the snapshot holds it (object or string).
        path: Its location in the snapshot.
        kind: Where it is attached.

    Returns:
        The problems, empty when the document has the shape of an IAM policy.
    """
    if not isinstance(value, dict | str):
        return []  # the schema reports the wrong type
    try:
        document = decode_document(value)
    except DocumentDecodeError as error:
        return [problem_at(path, str(error))]
    if not isinstance(document, dict):
        return [problem_at(path, f"policy document must be an object (got {_json_type(document)})")]
    problems: list[Problem] = []
    version = document.get("Version")
    if version is not None and (not isinstance(version, str) or version not in _VERSIONS):
        problems.append(problem_at((*path, "Version"), f"Version must be 2012-10-17 or 2008-10-17 (got {version!r})"))
    if "Statement" not in document:
        return [*problems, problem_at(path, "policy document has no Statement")]
    statements = document["Statement"]
    if isinstance(statements, dict):
        problems += _check_statement(statements, (*path, "Statement"), kind)
    elif isinstance(statements, list):
        for index, statement in enumerate(statements):
            problems += _check_statement(statement, (*path, "Statement", index), kind)
    else:
        problems.append(problem_at((*path, "Statement"), "Statement must be an object or a list of objects "
                                                         f"(got {_json_type(statements)})"))
    return problems


DocumentCheck = Callable[[Any, tuple[PathPart, ...], DocumentKind], list[Problem]]
"""`check_document`, or `DocumentMemo.check` of one load."""


class DocumentMemo:
    """What one load learns about its policy documents, so each distinct document is worked on once.

    A large snapshot holds the same few documents many times (the same trust policy on hundreds of
    roles). The memo keeps each document's canonical text (see `graph.model.canonical_json`) by the
    identity of the value the snapshot holds, and the (kind, text) pairs already found clean. Only
    clean results are remembered: a document with problems is checked again at every place it
    appears, so each problem is still reported at its own location. Values must come from JSON
    decoding (a tuple and a list have the same text) and stay alive (the decoded snapshot holds
    them) for as long as the memo is used.
    """

    __slots__ = ("_clean", "_texts")

    def __init__(self) -> None:
        self._texts: dict[int, tuple[Any, str]] = {}
        self._clean: set[tuple[DocumentKind, str]] = set()

    def text(self, value: Any) -> str:
        """The canonical JSON text of a policy document, whichever of the three forms it came in.

        Args:
            value: An object, a JSON string, or a URL-encoded JSON string.

        Returns:
            The canonical text of the decoded document.

        Raises:
            DocumentDecodeError: A string that does not decode.
        """
        entry = self._texts.get(id(value))
        if entry is not None and entry[0] is value:
            return entry[1]
        text = canonical_json(decode_document(value))
        self._texts[id(value)] = (value, text)
        return text

    def check(self, value: Any, path: tuple[PathPart, ...], kind: DocumentKind) -> list[Problem]:
        """Every shape problem of one policy document, as `check_document` finds them.

        Args:
            value: The document as the snapshot holds it (object or string).
            path: Its location in the snapshot.
            kind: Where it is attached.

        Returns:
            The problems, empty when the document has the shape of an IAM policy.
        """
        if not isinstance(value, dict | str):
            return []  # the schema reports the wrong type
        try:
            key = (kind, self.text(value))
        except RecursionError:
            return [problem_at(path, "policy document nested too deeply to read")]
        except (TypeError, ValueError):  # not decodable, or not JSON at all: the full check says why
            return check_document(value, path, kind)
        if key in self._clean:
            return []
        problems = check_document(value, path, kind)
        if not problems:
            self._clean.add(key)
        return problems


def _check_statement(statement: Any, path: tuple[PathPart, ...], kind: DocumentKind) -> list[Problem]:
    if not isinstance(statement, dict):
        return [problem_at(path, f"statement must be an object (got {_json_type(statement)})")]
    problems: list[Problem] = []
    if "Effect" not in statement:
        problems.append(problem_at(path, "statement has no Effect (must be Allow or Deny)"))
    elif not isinstance(statement["Effect"], str) or statement["Effect"] not in _EFFECTS:
        problems.append(problem_at(path, f"Effect must be Allow or Deny (got {statement['Effect']!r})"))
    if "Sid" in statement and not isinstance(statement["Sid"], str):
        problems.append(problem_at((*path, "Sid"), f"Sid must be a string (got {_json_type(statement['Sid'])})"))
    problems += _check_pair(statement, path, "Action", "NotAction", required=True)
    # IAM refuses an identity policy statement without Resource or NotResource (IAM Resource element
    # reference); resource policies may leave it out (their own resource), SCPs and RCPs are read as "*".
    problems += _check_pair(statement, path, "Resource", "NotResource", required=kind is DocumentKind.IDENTITY)
    problems += _check_principals(statement, path, kind)
    if "Condition" in statement:
        problems += _check_condition(statement["Condition"], (*path, "Condition"))
    return problems


def _check_pair(statement: dict[str, Any], path: tuple[PathPart, ...], name: str, negated: str, *,
                required: bool) -> list[Problem]:
    present = [key for key in (name, negated) if key in statement]
    if len(present) == 2:
        return [problem_at(path, f"statement has both {name} and {negated} (only one is allowed)")]
    if not present:
        return [problem_at(path, f"statement has neither {name} nor {negated}")] if required else []
    key = present[0]
    if not _is_string_or_strings(statement[key]):
        return [problem_at((*path, key), f"{key} must be a string or a list of strings "
                                         f"(got {_json_type(statement[key])})")]
    return _check_entries(statement[key], (*path, key), actions=name == "Action")


def _check_entries(value: str | list[str], path: tuple[PathPart, ...], *, actions: bool) -> list[Problem]:
    # The evaluator's rules (graph.policy.document), so that a snapshot `validate` accepts also builds:
    # no empty entry, and an action is "*" or "service:Action" (IAM JSON reference, Action element).
    items = [value] if isinstance(value, str) else value
    problems: list[Problem] = []
    for index, item in enumerate(items):
        where = path if isinstance(value, str) else (*path, index)
        if not item:
            problems.append(problem_at(where, "must not be an empty string"))
        elif actions and item != "*" and ":" not in item:
            problems.append(problem_at(where, f"action {item!r} is not of the form service:Action"))
    return problems


def _check_principals(statement: dict[str, Any], path: tuple[PathPart, ...], kind: DocumentKind) -> list[Problem]:
    present = [key for key in ("Principal", "NotPrincipal") if key in statement]
    if kind is DocumentKind.IDENTITY and present:
        return [problem_at((*path, present[0]), f"an identity policy cannot have {present[0]}")]
    if len(present) == 2:
        return [problem_at(path, "statement has both Principal and NotPrincipal (only one is allowed)")]
    if not present:
        if kind in (DocumentKind.TRUST, DocumentKind.RESOURCE):
            return [problem_at(path, "statement has neither Principal nor NotPrincipal")]
        return []
    key = present[0]
    return _check_principal_value(statement[key], (*path, key))


def _check_principal_value(value: Any, path: tuple[PathPart, ...]) -> list[Problem]:
    if value == "*":
        return []
    if not isinstance(value, dict) or not value:
        return [problem_at(path, 'Principal must be "*" or an object with AWS, Service, Federated or '
                                 f"CanonicalUser (got {_describe(value)})")]
    problems: list[Problem] = []
    for principal_kind, names in value.items():
        where = (*path, principal_kind)
        if principal_kind not in _PRINCIPAL_KINDS:
            problems.append(problem_at(where, f"unknown principal type {principal_kind!r} "
                                              "(must be AWS, Service, Federated or CanonicalUser)"))
        elif not _is_string_or_strings(names):
            problems.append(problem_at(where, f"{principal_kind} principals must be a string or a list of "
                                              f"strings (got {_json_type(names)})"))
        elif principal_kind == "AWS":
            for name in [names] if isinstance(names, str) else names:
                if not (name == "*" or _ACCOUNT_ID.match(name) or _ARN.match(name) or _UNIQUE_ID.match(name)):
                    problems.append(problem_at(where, f"AWS principal {name!r} is not \"*\", a 12-digit account "
                                                      "id or an ARN"))
    return problems


def _check_condition(condition: Any, path: tuple[PathPart, ...]) -> list[Problem]:
    if not isinstance(condition, dict):
        return [problem_at(path, f"Condition must be an object of operators (got {_json_type(condition)})")]
    problems: list[Problem] = []
    for operator, keys in condition.items():
        if not isinstance(keys, dict):
            problems.append(problem_at((*path, operator), f"condition operator {operator} must map keys to values "
                                                          f"(got {_json_type(keys)})"))
            continue
        for key, values in keys.items():
            scalars = values if isinstance(values, list) else [values]
            if not all(isinstance(item, str | int | float | bool) for item in scalars):
                problems.append(problem_at((*path, operator, key), "condition values must be strings, numbers or "
                                                                   "booleans, or a list of them"))
    return problems


def _is_string_or_strings(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(item, str) for item in value)


def _describe(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else f"{_json_type(value)} {text[:37]}..."


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"
