"""A fast yes/no check of a document against the snapshot schema.

`jsonschema` lists every problem with its location but takes about 14 ms per account, too slow for
loading a 500-account organization on every command. This gate compiles the schema once into
Python source (one function per `$defs` entry, every keyword written out inline) and answers
"valid or not" about thirty times faster; only when it says "not" does `jsonschema` run, so the
reported problems always come from `jsonschema` itself. It supports exactly the keywords the
schema uses and refuses any other, so it cannot silently accept what `jsonschema` would reject.
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
    return compile_gates(schema)[""]


def compile_gates(schema: dict[str, Any]) -> dict[str, Check]:
    """Like `compile_gate`, also giving one predicate per `$defs` entry (for checking one part of a document).

    Args:
        schema: A draft 2020-12 schema whose references are all local (`#/$defs/...`).

    Returns:
        The predicate of each definition by its name, and of the whole schema under "".

    Raises:
        UnsupportedKeywordError: The schema uses a keyword the gate does not implement.
    """
    writer = _Writer()
    definitions: dict[str, Any] = schema.get("$defs", {})
    for name in definitions:
        writer.function_name(name)
    for name, definition in definitions.items():
        writer.function(writer.function_name(name), definition)
    writer.function("_gate", schema)
    namespace: dict[str, Any] = {"_same": _same, "_bool": bool, "_MISSING": _MISSING, "_C": writer.constants}
    exec(compile("\n".join(writer.lines), "<snapshot schema gate>", "exec"), namespace)  # noqa: S102 - our own source
    gates: dict[str, Check] = {name: namespace[writer.function_name(name)] for name in definitions}
    gates[""] = namespace["_gate"]
    return gates


_MISSING = object()
"""What `dict.get` returns for an absent property (a property may hold null)."""


class _Writer:
    """Writes the gate's source: `return False` as soon as one keyword fails, `return True` at the end."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: list[Any] = []
        self._functions: dict[str, str] = {}

    def function_name(self, definition: str) -> str:
        return self._functions.setdefault(definition, f"_def_{len(self._functions)}")

    def function(self, name: str, node: dict[str, Any]) -> None:
        self.lines.append(f"def {name}(v0):")
        self.node(node, "v0", 1)
        self.lines.append("    return True")

    def constant(self, value: Any) -> str:
        self.constants.append(value)
        return f"_C[{len(self.constants) - 1}]"

    def fail_if(self, condition: str, depth: int) -> None:
        self.lines.append(f"{'    ' * depth}if {condition}: return False")

    def node(self, node: dict[str, Any], value: str, depth: int) -> None:
        for keyword, argument in node.items():
            if keyword not in _ANNOTATIONS:
                self.keyword(keyword, argument, value, depth)

    def keyword(self, keyword: str, argument: Any, value: str, depth: int) -> None:
        pad = "    " * depth
        match keyword:
            case "$ref":
                if not isinstance(argument, str) or not argument.startswith("#/$defs/"):
                    raise UnsupportedKeywordError(f"only local $defs references are supported, not {argument}")
                target = argument.removeprefix("#/$defs/")
                if target not in self._functions:
                    raise UnsupportedKeywordError(f"reference to an undefined definition: {argument}")
                self.fail_if(f"not {self._functions[target]}({value})", depth)
            case "type":
                names = argument if isinstance(argument, list) else [argument]
                types = self.constant(tuple(_PYTHON_TYPES[name] for name in names))
                if "boolean" in names or not {"integer", "number"} & set(names):
                    self.fail_if(f"not isinstance({value}, {types})", depth)
                else:
                    self.fail_if(f"not isinstance({value}, {types}) or isinstance({value}, _bool)", depth)
            case "required":
                if argument:
                    present = " and ".join(f"{self.constant(name)} in {value}" for name in argument)
                    self.fail_if(f"isinstance({value}, dict) and not ({present})", depth)
            case "properties":
                inner = f"v{depth}"
                self.lines.append(f"{pad}if isinstance({value}, dict):")
                for name, sub in argument.items():
                    self.lines.append(f"{pad}    {inner} = {value}.get({self.constant(name)}, _MISSING)")
                    self.lines.append(f"{pad}    if {inner} is not _MISSING:")
                    self.lines.append(f"{pad}        pass")
                    self.node(sub, inner, depth + 2)
            case "items":
                element = f"v{depth}"
                self.lines.append(f"{pad}if isinstance({value}, list):")
                self.lines.append(f"{pad}    for {element} in {value}:")
                self.lines.append(f"{pad}        pass")
                self.node(argument, element, depth + 2)
            case "enum":
                choices = self.constant(list(argument))
                self.fail_if(f"not any(_same({value}, choice) for choice in {choices})", depth)
            case "const":
                self.fail_if(f"not _same({value}, {self.constant(argument)})", depth)
            case "pattern":
                pattern = self.constant(re.compile(argument))
                self.fail_if(f"isinstance({value}, str) and {pattern}.search({value}) is None", depth)
            case "minLength":
                self.fail_if(f"isinstance({value}, str) and len({value}) < {self.constant(argument)}", depth)
            case "minItems":
                self.fail_if(f"isinstance({value}, list) and len({value}) < {self.constant(argument)}", depth)
            case "minimum":
                self.fail_if(f"isinstance({value}, (int, float)) and not isinstance({value}, _bool) "
                             f"and {value} < {self.constant(argument)}", depth)
            case _:
                raise UnsupportedKeywordError(f"schema keyword {keyword!r} is not supported by the gate")


def _same(value: Any, expected: Any) -> bool:
    # JSON Schema equality: true is not 1, unlike Python's True == 1.
    if isinstance(value, bool) or isinstance(expected, bool):
        return type(value) is type(expected) and value == expected
    return bool(value == expected)
