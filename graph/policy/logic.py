"""Three-valued allow formulas in disjunctive normal form.

An allow that depends on unknown request context is a set of alternatives; each alternative is
the conjunction of residual conditions it needs, together with the statements that grant it.
`FALSE` has no alternatives; a certain allow has an alternative with no conditions.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.policy.results import Condition, StatementRef

_MAX_TERMS = 32
"""Bound on alternatives kept (the ones needing the fewest conditions win), so that many
conditional statements cannot blow up the cross products."""


@dataclass(frozen=True, slots=True)
class Term:
    """One alternative: all `conditions` must hold; `refs` are the statements that grant it."""

    conditions: frozenset[Condition]
    refs: frozenset[StatementRef]


Formula = tuple[Term, ...]

_NO_CONDITIONS: frozenset[Condition] = frozenset()

FALSE: Formula = ()
TRUE: Formula = (Term(frozenset(), frozenset()),)


def term(conditions: tuple[Condition, ...], ref: StatementRef) -> Formula:
    """A single statement's alternative."""
    return (Term(frozenset(conditions), frozenset((ref,))),)


def is_certain(formula: Formula) -> bool:
    """Whether some alternative needs no condition."""
    return any(not alternative.conditions for alternative in formula)


def _minimize(terms: list[Term]) -> Formula:
    if len(terms) <= 1:
        return tuple(terms)
    merged: dict[frozenset[Condition], frozenset[StatementRef]] = {}
    for alternative in terms:
        previous = merged.get(alternative.conditions)
        merged[alternative.conditions] = alternative.refs if previous is None else previous | alternative.refs
    ordered = sorted(merged.items(), key=lambda item: (len(item[0]), sorted(item[0])))
    kept: list[Term] = []
    for conditions, refs in ordered:
        absorbed = False
        for existing in kept:
            if existing.conditions <= conditions:  # needs less: the larger alternative adds nothing
                absorbed = True
                break
        if not absorbed:
            kept.append(Term(conditions, refs))
    return tuple(kept[:_MAX_TERMS])


def any_of(*formulas: Formula) -> Formula:
    """OR of formulas."""
    present = [formula for formula in formulas if formula]
    if not present:
        return FALSE
    if len(present) == 1:
        return present[0]
    if all(len(formula) == 1 and not formula[0].conditions for formula in present):
        return (Term(_NO_CONDITIONS, frozenset().union(*(formula[0].refs for formula in present))),)
    return _minimize([alternative for formula in present for alternative in formula])


def all_of(*formulas: Formula) -> Formula:
    """AND of formulas."""
    result: Formula = TRUE
    first = True
    for formula in formulas:
        if not formula:
            return FALSE
        if first:
            result, first = formula, False
            continue
        if len(result) == 1 and len(formula) == 1 and not result[0].conditions and not formula[0].conditions:
            result = (Term(_NO_CONDITIONS, result[0].refs | formula[0].refs),)
            continue
        result = _minimize([Term(left.conditions | right.conditions, left.refs | right.refs)
                            for left in result for right in formula])
    return result


def certain_refs(formula: Formula) -> frozenset[StatementRef]:
    """The statements of every alternative that needs no condition."""
    refs: frozenset[StatementRef] = frozenset()
    for alternative in formula:
        if not alternative.conditions:
            refs |= alternative.refs
    return refs
