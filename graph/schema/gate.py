"""A fast yes/no check of a document against the snapshot schema.

`jsonschema` lists every problem with its location but takes about 14 ms per account, too slow for
loading a 500-account organization on every command. This gate compiles the schema's keywords
into closures once and answers "valid or not" about ten times faster; only when it says "not"
does `jsonschema` run, so the reported problems always come from `jsonschema` itself.
It supports exactly the keywords the schema uses and refuses any other, so it cannot silently
accept what `jsonschema` would reject.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "$comment"})
_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict, "array": list, "string": str, "integer": int, "number": (int, float), "boolean": bool,
    "null": type(None),
}


class UnsupportedKeywordError(ValueError):
    """The schema uses a keyword this gate does not implement."""


def compile_gate(schema: dict[str, Any]) -> Check:
    """A function telling whether a document satisfies `schema`.

    Args:
        schema: A draft 2020-12 schema whose references are all local (`#/$defs/...`).

    Returns:
        A predicate over decoded JSON documents.

    Raises:
        UnsupportedKeywordError: The schema uses a keyword the gate does not implement.
    """
    definitions: dict[str, Check] = {}
    raw_definitions: dict[str, Any] = schema.get("$defs", {})

    def reference(name: str) -> Check:
        def check(value: Any) -> bool:
            return definitions[name](value)

        return check

    def compile_node(node: dict[str, Any]) -> Check:
        checks = [_compile_keyword(keyword, argument, compile_node, reference)
                  for keyword, argument in node.items() if keyword not in _ANNOTATIONS]
        return _all_of(checks)

    for name, definition in raw_definitions.items():
        definitions[name] = compile_node(definition)
    return compile_node(schema)


def _all_of(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)

    def check(value: Any) -> bool:
        for each in checks:
            if not each(value):
                return False
        return True

    return check


def _compile_type(names: list[str]) -> Check:
    python_types = tuple(_PYTHON_TYPES[name] for name in names)
    if "boolean" in names or not {"integer", "number"} & set(names):
        return lambda value: isinstance(value, python_types)
    return lambda value: isinstance(value, python_types) and (not isinstance(value, bool))


def _compile_properties(compiled: dict[str, Check]) -> Check:
    items = tuple(compiled.items())

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name, each in items:
            if name in value and not each(value[name]):
                return False
        return True

    return check


def _compile_items(item: Check) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        for element in value:
            if not item(element):
                return False
        return True

    return check


def _compile_keyword(keyword: str, argument: Any, compile_node: Callable[[dict[str, Any]], Check],
                     reference: Callable[[str], Check]) -> Check:
    match keyword:
        case "$ref":
            if not argument.startswith("#/$defs/"):
                raise UnsupportedKeywordError(f"only local $defs references are supported, not {argument}")
            return reference(argument.removeprefix("#/$defs/"))
        case "type":
            return _compile_type(argument if isinstance(argument, list) else [argument])
        case "required":
            required = tuple(argument)
            return lambda value: not isinstance(value, dict) or all(name in value for name in required)
        case "properties":
            return _compile_properties({name: compile_node(sub) for name, sub in argument.items()})
        case "items":
            return _compile_items(compile_node(argument))
        case "enum":
            choices = list(argument)
            return lambda value: any(_same(value, choice) for choice in choices)
        case "const":
            return lambda value: _same(value, argument)
        case "pattern":
            pattern = re.compile(argument)
            return lambda value: not isinstance(value, str) or pattern.search(value) is not None
        case "minLength":
            return lambda value: not isinstance(value, str) or len(value) >= argument
        case "minItems":
            return lambda value: not isinstance(value, list) or len(value) >= argument
        case "minimum":
            return lambda value: (not isinstance(value, int | float) or isinstance(value, bool)
                                  or value >= argument)
    raise UnsupportedKeywordError(f"schema keyword {keyword!r} is not supported by the gate")


def _same(value: Any, expected: Any) -> bool:
    # JSON Schema equality: true is not 1, unlike Python's True == 1.
    if isinstance(value, bool) or isinstance(expected, bool):
        return type(value) is type(expected) and value == expected
    return bool(value == expected)
