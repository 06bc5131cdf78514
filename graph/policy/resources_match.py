"""Whether a statement's Resource/NotResource covers the request's resource.

A statement without Resource or NotResource applies to the resource its policy is attached to
(trust policies; legacy SNS/SQS policies, SEMANTICS 4.3). Policy variables in Resource are
substituted from the request context; an unknown variable in three-valued mode leaves the
statement conditional on it (ER-10), and a variable with no value matches nothing.
"""

from __future__ import annotations

from graph.policy.conditions import Tri
from graph.policy.context import ABSENT, UNKNOWN, RequestContext
from graph.policy.document import Statement
from graph.policy.results import Condition
from graph.policy.variables import Template, escape_literal
from graph.policy.wildcard import resource_matches

VARIABLE_OPERATOR = "PolicyVariable"
"""Operator name of a residual condition on a Resource policy variable: the statement applies if
the variable's value makes the pattern (the condition's value) cover the resource; with the
`:NotResource` suffix, if it does not."""


def _resolve(template: Template, context: RequestContext) -> str | Condition | None:
    parts: list[str] = []
    for index, literal in enumerate(template.literals):
        parts.append(literal)
        if index < len(template.variables):
            variable = template.variables[index]
            found = context.single(variable.key.lower())
            if found is UNKNOWN:
                return Condition(variable.key, VARIABLE_OPERATOR, ())
            if found is ABSENT:
                if variable.default is None:
                    return None
                found = variable.default
            assert isinstance(found, str)
            parts.append(escape_literal(found))
    return "".join(parts)


def statement_resource_outcome(statement: Statement, resource: str,
                               context: RequestContext) -> tuple[Tri, tuple[Condition, ...]]:
    """TRUE/FALSE, or UNKNOWN with residual conditions naming the unknown variables."""
    patterns = statement.resources if statement.resources is not None else statement.not_resources
    if patterns is None:
        return Tri.TRUE, ()
    negated = statement.resources is None
    compiled = statement.resource_set
    if compiled is not None:
        return (Tri.TRUE if compiled.matches(resource) != negated else Tri.FALSE), ()
    if statement.resource_templates is None:
        hit = any(resource_matches(pattern, resource) for pattern in patterns)
        return (Tri.TRUE if hit != negated else Tri.FALSE), ()
    residual: list[Condition] = []
    hit = False
    for pattern, template in zip(patterns, statement.resource_templates):
        if template.is_plain:
            hit = hit or resource_matches(pattern, resource)
            continue
        resolved = _resolve(template, context)
        if isinstance(resolved, Condition):
            operator = f"{VARIABLE_OPERATOR}:NotResource" if negated else VARIABLE_OPERATOR
            residual.append(Condition(resolved.key, operator, (pattern,)))
        elif resolved is not None:
            hit = hit or resource_matches(resolved, resource)
    if hit:
        return (Tri.FALSE if negated else Tri.TRUE), ()
    if residual:
        return Tri.UNKNOWN, tuple(residual)
    return (Tri.TRUE if negated else Tri.FALSE), ()
