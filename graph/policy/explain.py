"""A human-readable trace of one evaluation (`xpath-tui simulate --explain`)."""

from __future__ import annotations

from graph.policy.evaluator import Reason, Request, Result, TraceEntry, evaluate, refused_by_sts
from graph.policy.principals import Match
from graph.policy.results import Decision, StatementRef

_MATCH_WORDS = {Match.ACCOUNT: "names the caller's account (delegates to its IAM policies)",
                Match.ROLE_ARN: "names the caller's role ARN",
                Match.DIRECT: "names the caller directly"}


def _where(ref: StatementRef) -> str:
    level = f" level {ref.level}" if ref.level is not None else ""
    name = f" ({ref.policy_id})" if ref.policy_id else ""
    sid = f" Sid {ref.sid!r}" if ref.sid else ""
    return f"{ref.policy_type}[{ref.policy_index}]{level}{name} statement {ref.statement}{sid} ({ref.effect})"


def _line(entry: TraceEntry) -> str:
    text = f"  {_where(entry.ref)}: {entry.reason.value}"
    if entry.detail:
        text += f": {entry.detail}"
    if entry.reason in (Reason.APPLIES, Reason.MAY_APPLY) and entry.ref.policy_type in ("resource", "rcp"):
        text += f"; {_MATCH_WORDS.get(entry.match, '')}".rstrip("; ")
    return text


def _verdict(result: Result, refused: bool) -> list[str]:
    lines = [f"decision: {result.decision.value}"]
    if result.decision is Decision.EXPLICIT_DENY:
        lines += [f"  denied by {_where(ref)}" for ref in result.matched]
    elif refused:
        lines.append("  STS refuses sts:AssumeRole to the root user's credentials, whatever the policies allow")
    elif result.decision is Decision.IMPLICIT_DENY:
        lines.append("  no combination of applicable Allow statements satisfies the evaluation logic "
                     "(missing identity, resource-policy, boundary, session, SCP or RCP allow)")
    else:
        lines += [f"  {'allowed' if ref.effect == 'Allow' else 'possibly denied'} by {_where(ref)}"
                  for ref in result.matched]
    for condition in result.conditions:
        lines.append(f"  needs {condition.describe()}")
    for condition in result.deny_conditions:
        lines.append(f"  denied if {condition.describe()}")
    if result.contested:
        lines.append("  contested: rests on a resource-policy grant to a session ARN (SEMANTICS 2.2)")
    return lines


def explain(request: Request) -> list[str]:
    """The decision and, for every statement examined, whether it applied and why not.

    Returns:
        Lines of text: a header, one line per statement, then the verdict.
    """
    trace: list[TraceEntry] = []
    result = evaluate(request, trace=trace)
    lines = [f"request: {request.principal} -> {request.action} on {request.resource}"]
    lines += [_line(entry) for entry in trace]
    if not trace:
        lines.append("  (no policy statements)")
    return lines + _verdict(result, refused_by_sts(request))
