"""Permission checks behind the edges that run through services and IAM itself (issue #9).

A pass-role or privilege-escalation edge needs several permissions at once (`iam:PassRole` and
`lambda:CreateFunction`, ...). Each one is a request decided by `graph.policy.evaluate`: the
caller's identity side (identity policies, boundary, SCPs) against the resource it names, with that
resource's own policy where it has one (a role's trust policy, a function's policy). The outcomes
of one combination then make one edge: allowed when every check is allowed, conditional (carrying
every residual condition) when one of them is, absent when one is denied.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.edges.common import Caller, EdgeKind, EdgeSpec, Grant, Levels, LoadedPolicy, PolicyKind, Status, grants_of
from graph.edges.principals import PrincipalIndex
from graph.edges.reads import LevelNumbers, Reads, flat, reads_of
from graph.edges.statements import (
    StatementShape,
    account_of_principal,
    is_account_principal,
    session_role_arn,
    statement_covers_action,
    statement_may_match_resource,
    statement_shapes,
)
from graph.model import Snapshot
from graph.policy.wildcard import resource_matches
from graph.policy import Condition, Decision, Request, evaluate

_VARIABLE = re.compile(r"\$\{[^}]*\}")
_WILDCARDS = re.compile(r"[*?]")
_MAX_CHOSEN = 4
"""Resource names tried for a resource the caller creates (the default and those its policies name)."""


@dataclass(frozen=True, slots=True)
class Check:
    """One permission a path needs: an action on a resource, with the resource's own side."""

    action: str
    resource: str
    account: str
    policy: LoadedPolicy | None = None
    policy_kind: PolicyKind = PolicyKind.GENERIC
    rcps: Levels | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    """Resource-side and request keys (`aws:ResourceAccount`, `iam:PassedToService`, ...)."""
    known_absent: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Outcome:
    """The decision of one or several checks together."""

    status: Status
    actions: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()
    deny_conditions: tuple[Condition, ...] = ()
    granted_by: tuple[Grant, ...] = ()

    def edge(self, source: str, target: str, kind: EdgeKind) -> EdgeSpec:
        """The edge these permissions make."""
        return EdgeSpec(source, target, kind, self.actions, self.status, self.conditions, self.deny_conditions,
                        self.granted_by)


def _levels(levels: Levels | None) -> tuple[tuple[Any, ...], ...] | None:
    return None if levels is None else tuple(tuple(p.policy for p in level) for level in levels)


def identity_may_allow(caller: Caller, action: str, arn: str) -> bool:
    """Whether an Allow statement of the caller's identity policies could cover `action` on `arn`.

    A cheap filter before `decide` for checks that have no resource policy: without such a
    statement the request can only be an implicit deny.
    """
    return any(statement_may_match_resource(shape, arn)
               for loaded in caller.identity for shape in _covering(loaded.text, action))


@lru_cache(maxsize=262144)
def _covering(text: str, action: str) -> tuple[StatementShape, ...]:
    """The Allow statements of a policy whose Action element covers `action`."""
    return tuple(shape for shape in statement_shapes(text) if shape.allows and statement_covers_action(shape, action))


@dataclass(slots=True)
class Holders:
    """The principals of each account with an identity Allow statement that covers an action (on any ARN)."""

    principals: PrincipalIndex
    found: dict[tuple[str, str], list[Caller]] = field(default_factory=dict)
    _shapes: dict[tuple[str, str], list[tuple[Caller, tuple[StatementShape, ...] | None]]] = field(
        default_factory=dict)

    def of(self, account: str, action: str) -> list[Caller]:
        """Principals of `account` whose identity policies could allow `action` somewhere."""
        key = (account, action)
        if key not in self.found:
            # a statement covering the action names its service, or a wildcard one (the index's "*")
            named = self.principals.service_nodes(account, action.split(":", 1)[0].lower())
            self.found[key] = [caller for caller in self.principals.by_account.get(account, ())
                               if caller.node in named and any(_covering(loaded.text, action)
                                                               for loaded in caller.identity)]
        return self.found[key]

    def on(self, account: str, action: str, arn: str) -> list[Caller]:
        """Principals of `account` whose identity policies could allow `action` on `arn`."""
        key = (account, action)
        entries = self._shapes.get(key)
        if entries is None:
            entries = self._shapes[key] = [(caller, _shapes_on_some(caller, action))
                                           for caller in self.of(account, action)]
        return [caller for caller, shapes in entries
                if shapes is None or any(statement_may_match_resource(shape, arn) for shape in shapes)]


def _shapes_on_some(caller: Caller, action: str) -> tuple[StatementShape, ...] | None:
    """The caller's Allow statements covering `action` (None: one of them may apply to every ARN)."""
    shapes = tuple(shape for loaded in caller.identity for shape in _covering(loaded.text, action))
    if any(shape.not_resource or not shape.resources or "*" in shape.resources for shape in shapes):
        return None
    return shapes


def decide(caller: Caller, check: Check) -> Outcome | None:
    """Whether `caller` may make the request of `check` (None: denied, explicitly or implicitly)."""
    if check.policy is None and not identity_may_allow(caller, check.action, check.resource):
        return None
    request = Request(
        principal=caller.principal, action=check.action, resource=check.resource, resource_account=check.account,
        identity_policies=caller.request_identity, permission_boundary=caller.request_boundary,
        resource_policy=check.policy.policy if check.policy else None, scps=caller.request_scps,
        rcps=_levels(check.rcps), context={**caller.request_context, **check.context}, unknown_context=True,
        known_absent=caller.context.known_absent | check.known_absent, resource_policy_kind=str(check.policy_kind),
    )
    result = evaluate(request)
    if result.decision not in (Decision.ALLOWED, Decision.CONDITIONAL):
        return None
    status = Status.ALLOWED if result.decision == Decision.ALLOWED else Status.CONDITIONAL
    return Outcome(status, (check.action,), tuple(result.conditions), tuple(result.deny_conditions),
                   grants_of(check.policy_kind, check.resource, result))


_MEMO_LIMIT = 200_000
"""Decisions kept before the memo starts afresh (bounds memory on very large organizations)."""


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _moved(outcome: Outcome, old: str, new: str) -> Outcome:
    """An outcome decided on resource `old`, for `new`: the resource policy's grants name `new`."""
    grants = tuple(Grant(g.policy, g.statement, g.sid, new) if g.resource == old else g for g in outcome.granted_by)
    return Outcome(outcome.status, outcome.actions, outcome.conditions, outcome.deny_conditions, grants)


@dataclass(slots=True)
class Decisions:
    """`decide`, memoized on everything the evaluation reads (graph/edges/reads.py).

    For one caller object and one action, two checks get the same decision, conditions and proving
    statements when they agree on: the resource side (policy text and kind, RCP levels), the
    resource's account, the check's own entries for every context key a statement covering the
    action reads (and which of those keys it knows absent), and, for every statement covering the
    action in any policy of the request, whether its Resource element matches the ARN. Only the
    resource policy's grants name the resource; they are renamed. A statement with a policy
    variable in its Resource element makes the check unshared. Callers are told apart by object
    (an escalation's raised caller shares its node with the plain one), and the memo holds them.
    """

    _memo: dict[tuple[object, ...], tuple[Outcome | None, str]] = field(default_factory=dict)
    _callers: dict[tuple[int, str], tuple[Caller, Reads]] = field(default_factory=dict)
    _sides: dict[tuple[str | None, int, str], Reads] = field(default_factory=dict)
    _levels: LevelNumbers = field(default_factory=LevelNumbers)
    hits: int = 0
    misses: int = 0

    def decide(self, caller: Caller, check: Check) -> Outcome | None:
        """Whether `caller` may make the request of `check` (as `decide`)."""
        if check.policy is None and not identity_may_allow(caller, check.action, check.resource):
            return None
        key = self._key(caller, check)
        if key is None:
            return decide(caller, check)
        found = self._memo.get(key)
        if found is not None:
            self.hits += 1
            outcome, resource = found
            return outcome if outcome is None or resource == check.resource else _moved(outcome, resource,
                                                                                        check.resource)
        self.misses += 1
        outcome = decide(caller, check)
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = (outcome, check.resource)
        return outcome

    def _key(self, caller: Caller, check: Check) -> tuple[object, ...] | None:
        action = check.action
        held = self._callers.get((id(caller), action))
        if held is None or held[0] is not caller:
            policies = list(caller.request_identity) + ([caller.request_boundary] if caller.request_boundary else [])
            held = self._callers[(id(caller), action)] = (caller, reads_of(policies + flat(caller.scps), action))
        mine = held[1]
        levels = self._levels.of(check.rcps)
        text = check.policy.text if check.policy is not None else None
        side_key = (text, levels, action)
        theirs = self._sides.get(side_key)
        if theirs is None:
            side = [check.policy.policy] if check.policy is not None else []
            theirs = self._sides[side_key] = reads_of(side + flat(check.rcps), action)
        if mine.templated or theirs.templated:
            return None
        keys = mine.keys | theirs.keys
        read: tuple[object, ...] = ()
        if keys:
            read = (tuple(sorted((k, _hashable(v)) for k, v in check.context.items() if k.lower() in keys)),
                    keys & check.known_absent)
        return (id(caller), side_key, str(check.policy_kind), check.account, read,
                mine.covered(check.resource), theirs.covered(check.resource))


def combine(outcomes: Iterable[Outcome | None]) -> Outcome | None:
    """All of the outcomes at once: None as soon as one is denied."""
    present: list[Outcome] = []
    for part in outcomes:  # lazily: the checks after a denied one are not evaluated
        if part is None:
            return None
        present.append(part)
    if not present:
        return None
    status = Status.CONDITIONAL if any(p.status is Status.CONDITIONAL for p in present) else Status.ALLOWED
    return Outcome(
        status,
        tuple(dict.fromkeys(action for p in present for action in p.actions)),
        tuple(dict.fromkeys(c for p in present for c in p.conditions)),
        tuple(dict.fromkeys(c for p in present for c in p.deny_conditions)),
        tuple(dict.fromkeys(g for p in present for g in p.granted_by)),
    )


def best(outcomes: Iterable[Outcome | None]) -> Outcome | None:
    """The best of alternative outcomes: allowed before conditional, then the fewest conditions."""
    present = [outcome for outcome in outcomes if outcome is not None]
    if not present:
        return None
    return min(present, key=lambda o: (o.status is Status.CONDITIONAL, len(o.conditions) + len(o.deny_conditions)))


def chosen_resources(caller: Caller, action: str, default: str, account: str) -> list[str]:
    """ARNs to try for a resource the caller creates (and so names): `default`, then those its policies allow.

    A policy that only allows `function:ci-*` is satisfied by a function the caller names `ci-x`:
    each Allow statement's Resource patterns for `action` in `account` become one concrete name
    (wildcards and policy variables filled in). The evaluator still decides each one.
    """
    found = [default]
    service = action.split(":", 1)[0].lower()
    for loaded in caller.identity:
        for shape in statement_shapes(loaded.text):
            if not shape.allows or shape.not_resource or not statement_covers_action(shape, action):
                continue
            for pattern in shape.resources:
                parts = pattern.split(":", 5)
                if pattern == "*" or len(parts) != 6 or parts[2].lower() not in (service, "*"):
                    continue
                if parts[4] not in (account, "*", ""):
                    continue
                concrete = _WILDCARDS.sub("x", _VARIABLE.sub("x", pattern))
                if concrete not in found:
                    found.append(concrete)
                if len(found) >= _MAX_CHOSEN:
                    return found
    return found


def any_chosen(caller: Caller, action: str, default: str, account: str,
               context: Mapping[str, Any]) -> Outcome | None:
    """The best outcome of `action` on a resource the caller creates, named as its policies allow."""
    return best(decide(caller, Check(action, arn, account, context=context))
                for arn in chosen_resources(caller, action, default, account))


def first_alternative(caller: Caller, alternatives: Sequence[Sequence[Check]]) -> Outcome | None:
    """The best of several combinations of checks (each combination needs all its checks)."""
    return best(combine(decide(caller, check) for check in combination) for combination in alternatives)


def unbounded(caller: Caller) -> bool:
    """An unconditional Allow of every action on every resource and no permissions boundary.

    Such a caller already has every permission of its account that SCPs leave: acting as another
    principal of its account only adds what other policies grant that principal by name.
    """
    return caller.boundary is None and any(_grants_everything(loaded.text) for loaded in caller.identity)


@lru_cache(maxsize=65536)
def _grants_everything(text: str) -> bool:
    if '"Condition"' in text:
        return False
    return any(shape.allows and not shape.not_action and "*" in shape.actions and not shape.not_resource
               and "*" in shape.resources for shape in statement_shapes(text))


def named_principals(snapshot: Snapshot) -> frozenset[str]:
    """User and role ARNs (without path) that some trust or resource policy singles out.

    Singled out: named by ARN in a Principal, or picked by a condition on who the caller is
    (`aws:PrincipalArn` patterns, `aws:PrincipalTag/K`, and, conservatively, every principal when a
    statement reads another caller-identity key such as `aws:userid`). Such a principal may reach
    what its account's administrators cannot, so taking it over is an edge worth building.
    Computed once per snapshot (pass-role and escalation edges both ask).
    """
    cached = _NAMED.get(id(snapshot))
    if cached is not None and cached[0] is snapshot:
        return cached[1]
    found = _named_principals(snapshot)
    _NAMED.clear()  # one snapshot at a time: the entry holds it, so its id is not reused meanwhile
    _NAMED[id(snapshot)] = (snapshot, found)
    return found


_NAMED: dict[int, tuple[Snapshot, frozenset[str]]] = {}


def _named_principals(snapshot: Snapshot) -> frozenset[str]:
    found: set[str] = set()
    texts: list[str] = []
    for account in snapshot.accounts:
        texts += [role.trust_policy.text for role in account.roles]
        texts += [resource.policy.text for resource in account.resources if resource.policy is not None]
    identities = [(p.arn, p.tags) for account in snapshot.accounts for p in account.roles + account.users]
    for text in dict.fromkeys(texts):
        # a user or role ARN (or a session of a role) holds ":iam::" or ":sts::"; other entries name no one here
        for shape in statement_shapes(text) if ":iam::" in text or ":sts::" in text else ():
            for ref in shape.principals:
                if ref.kind == "aws" and not is_account_principal(ref.value) and account_of_principal(ref.value):
                    found.add(short_arn(session_role_arn(ref.value) or ref.value))
        for key, values in _identity_conditions(text):
            if key == "aws:principalarn":
                found.update(short_arn(arn) for arn, _ in identities
                             if any(isinstance(v, str) and ("${" in v or resource_matches(v, arn)) for v in values))
            elif key.startswith("aws:principaltag/"):
                tag = key.partition("/")[2]
                found.update(short_arn(arn) for arn, tags in identities if any(k.lower() == tag for k, _ in tags))
            else:
                found.update(short_arn(arn) for arn, _ in identities)
    return frozenset(found)


_IDENTITY_KEYS = ("aws:principalarn", "aws:userid", "aws:username", "aws:principaltype", "aws:sourceidentity")


def _identity_conditions(text: str) -> list[tuple[str, list[Any]]]:
    """(lower-case key, values) of every condition of a policy that reads who the caller is."""
    lowered = text.lower()
    if not any(key in lowered for key in _IDENTITY_KEYS) and "aws:principaltag/" not in lowered:
        return []  # a key read by a condition is written out in the text
    try:
        document = json.loads(text)
    except ValueError:
        return []
    raw = document.get("Statement", []) if isinstance(document, dict) else []
    found: list[tuple[str, list[Any]]] = []
    for statement in raw if isinstance(raw, list) else [raw]:
        condition = statement.get("Condition") if isinstance(statement, dict) else None
        for block in condition.values() if isinstance(condition, dict) else ():
            for key, value in block.items() if isinstance(block, dict) else ():
                lowered = key.lower()
                if lowered in _IDENTITY_KEYS or lowered.startswith("aws:principaltag/"):
                    found.append((lowered, value if isinstance(value, list) else [value]))
    return found


def short_arn(arn: str) -> str:
    """A user or role ARN without its path (`arn:aws:iam::1:role/a/b/R` -> `arn:aws:iam::1:role/R`)."""
    head, _, rest = arn.partition(":iam::")
    account, _, name = rest.partition(":")
    kind, _, path_name = name.partition("/")
    return f"{head}:iam::{account}:{kind}/{path_name.rsplit('/', 1)[-1]}" if path_name else arn
