"""The machine-checked form of snapshot format v1.

`snapshot-v1.schema.json` (JSON Schema draft 2020-12, shipped as package data) fixes the structure:
required fields and types. `checks` adds what a schema cannot say (policy shapes, ARNs that belong
to the account holding them, duplicate ids, organization references). `graph.snapshot` runs both.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from graph.schema.gate import Check, compile_gates
from graph.schema.problem import Problem, format_location, problem_at

if TYPE_CHECKING:  # jsonschema is imported only when a document fails the gate: it is a tenth of a second to load
    from jsonschema import Draft202012Validator, ValidationError

SCHEMA_FILE = "snapshot-v1.schema.json"

__all__ = ["SCHEMA_FILE", "Problem", "format_location", "load_schema", "matches_definition", "matches_schema", "problem_at",
           "schema_problems"]


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The JSON Schema of snapshot format v1, read from the installed package."""
    schema: dict[str, Any] = json.loads(files("graph.schema").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))
    return schema


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@lru_cache(maxsize=1)
def _gates() -> dict[str, Check]:
    return compile_gates(load_schema())


def _gate() -> Check:
    return _gates()[""]


def matches_definition(name: str, value: Any) -> bool:
    """Whether one part of a document satisfies the schema's definition `name` (`$defs`), by the fast gate.

    Args:
        name: A definition of the schema, such as "organization" or "collection_error".
        value: The part of a decoded document that definition describes.

    Returns:
        True when `schema_problems` would find nothing in that part.

    Raises:
        KeyError: The schema has no such definition.
    """
    return _gates()[name](value)


def matches_schema(document: Any) -> bool:
    """Whether the document satisfies the schema (the fast gate; `schema_problems` says where it does not).

    Args:
        document: A decoded snapshot document.

    Returns:
        True when `schema_problems` would find nothing.
    """
    return _gate()(document)


def schema_problems(document: Any) -> list[Problem]:
    """Every place where the document breaks the schema (missing fields, wrong types, bad ids).

    Args:
        document: A decoded snapshot document.

    Returns:
        One problem per schema violation, in document order.
    """
    if matches_schema(document):
        return []
    errors = sorted(_validator().iter_errors(document), key=lambda error: _sort_key(error.absolute_path))
    return [problem_at(tuple(error.absolute_path), _message(error)) for error in errors]


def _sort_key(path: Any) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in path)


def _message(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    match error.validator:
        case "required":
            missing = [name for name in error.validator_value if name not in instance]
            return f"missing required field {missing[0]!r}" if missing else error.message
        case "type":
            expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
            return f"must be {' or '.join(_ARTICLES.get(str(name), str(name)) for name in expected)} (got {_type_name(instance)})"
        case "enum":
            choices = ", ".join(str(choice) for choice in error.validator_value)
            return f"must be one of {choices} (got {instance!r})"
        case "const":
            return f"must be {error.validator_value!r} (got {instance!r})"
        case "pattern":
            return f"{instance!r} is not {schema.get('title', 'of the expected form')}"
        case "minLength" | "minItems":
            return "must not be empty"
        case "minimum":
            return f"must be at least {error.validator_value} (got {instance!r})"
    return error.message


_ARTICLES = {
    "object": "an object", "array": "a list", "string": "a string", "integer": "an integer",
    "number": "a number", "boolean": "true or false", "null": "null",
}


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"
