"""Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}` ...).

Per the IAM policy-variables reference: variables work only in policies with
`"Version": "2012-10-17"`, in the Resource element and in condition values; `${*}`, `${?}` and
`${$}` stand for the literal characters; a default is written `${key, 'default'}`; a variable
whose key has no value makes the element not match. Substituted values are literal, so a `*` in
a user name is escaped (see `wildcard.LITERAL_STAR`) and never acts as a wildcard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from graph.policy.wildcard import LITERAL_QUESTION, LITERAL_STAR

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL = {"*": LITERAL_STAR, "?": LITERAL_QUESTION, "$": "$"}
_DEFAULT = re.compile(r"^\s*([^,\s][^,]*?)\s*,\s*'([^']*)'\s*$")


@dataclass(frozen=True, slots=True)
class Variable:
    """One `${...}` reference."""

    key: str
    """The context key, as written."""
    default: str | None


@dataclass(frozen=True, slots=True)
class Template:
    """A policy string split into literal text and variables (alternating, literal first)."""

    literals: tuple[str, ...]
    variables: tuple[Variable, ...]
    has_specials: bool = False
    """Whether `${*}`, `${?}` or `${$}` appeared (the literals then hold escapes)."""

    @property
    def is_plain(self) -> bool:
        """Whether the text can be used as written (no variables, no special forms)."""
        return not self.variables and not self.has_specials


def escape_literal(value: str) -> str:
    """Make a substituted value match only itself inside a wildcard pattern."""
    return value.replace("*", LITERAL_STAR).replace("?", LITERAL_QUESTION)


@lru_cache(maxsize=65536)
def parse_template(text: str, variables_enabled: bool) -> Template:
    """Split `text` into literals and variables.

    With `variables_enabled` False (Version 2008-10-17 or no Version), `${...}` is literal text.
    The special forms `${*}`, `${?}` and `${$}` become escaped literals in 2012 policies.
    """
    if not variables_enabled or "${" not in text:
        return Template((text,), ())
    literals: list[str] = []
    variables: list[Variable] = []
    current: list[str] = []
    position = 0
    has_specials = False
    for found in _VARIABLE.finditer(text):
        current.append(text[position:found.start()])
        position = found.end()
        inner = found.group(1)
        if inner in _SPECIAL:
            current.append(_SPECIAL[inner])
            has_specials = True
            continue
        with_default = _DEFAULT.match(inner)
        variable = (Variable(with_default.group(1), with_default.group(2)) if with_default
                    else Variable(inner.strip(), None))
        literals.append("".join(current))
        variables.append(variable)
        current = []
    current.append(text[position:])
    literals.append("".join(current))
    return Template(tuple(literals), tuple(variables), has_specials)
