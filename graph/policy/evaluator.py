"""Decide one request as AWS does (SEMANTICS sections 2 to 5).

The flow, per the IAM policy-evaluation-logic pages:
1. A matching Deny in any applicable policy (SCP, RCP, resource, identity, boundary, session)
   is an explicit deny.
2. Every SCP level (root, each OU, the account) must have an Allow; the caller passes
   `scps=None` when SCPs do not apply (management account, no organization). SCPs never apply
   to service-linked roles, service principals or anonymous callers. RCP levels likewise, only
   for services that support RCPs, and never to service-linked roles calling or a service
   assuming one (RCPs do restrict service principals otherwise). No level at all restricts nothing.
3. Same account: a resource-policy Allow naming the exact user, session or `*` grants on its
   own; one naming the role ARN still needs the boundary and session policy; one naming the
   account delegates to identity policies. Trust policies and KMS key policies are required
   even in the same account (sections 3.1 and 4.1).
4. Cross account: the caller's side (identity, boundary, session, SCPs) and the resource's side
   (resource policy naming the caller, its account or `*`, and RCPs) must both allow.
In three-valued mode the same flow runs over formulas of residual conditions (`logic`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from itertools import chain, count
from operator import attrgetter
from typing import Any

from graph.errors import RequestError
from graph.policy import logic
from graph.policy.actions import service_supports_rcps
from graph.policy.conditions import Tri, evaluate_clauses, first_false_clause, some_principal_arn
from graph.policy.context import RequestContext
from graph.policy.document import Effect, Policy, Statement
from graph.policy.principal_index import NamingIndex, statements_listing_arn
from graph.policy.principals import Caller, CallerKind, Match, parse_caller
from graph.policy.resources_match import statement_resource_outcome
from graph.policy.wildcard import ResourceSet
from graph.policy.results import Condition, Decision, PolicyType, StatementRef


class ResourcePolicyKind(StrEnum):
    """How the resource policy is read (SEMANTICS 3.1 and 4.1)."""

    GENERIC = "generic"
    TRUST = "trust"
    KMS = "kms"


@dataclass(frozen=True, slots=True)
class Request:
    """One authorization request and every policy that applies to it (SPEC section 5)."""

    principal: str
    action: str
    resource: str
    resource_account: str | None = None
    identity_policies: tuple[Policy, ...] = ()
    permission_boundary: Policy | None = None
    session_policies: tuple[Policy, ...] = ()
    resource_policy: Policy | None = None
    scps: tuple[tuple[Policy, ...], ...] | None = None
    """One tuple per level, root to account; None: SCPs do not apply."""
    rcps: tuple[tuple[Policy, ...], ...] | None = None
    context: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    unknown_context: bool = False
    known_absent: frozenset[str] = frozenset()
    """Lower-cased keys known to be absent even in three-valued mode."""
    resource_policy_kind: str = "generic"


@dataclass(frozen=True, slots=True)
class Result:
    """The decision and why."""

    decision: Decision
    matched: tuple[StatementRef, ...]
    """The deciding statements: the Deny(s), or the Allows that allow."""
    conditions: tuple[Condition, ...] = ()
    """For CONDITIONAL: the conditions of the allowing alternative that needs the fewest."""
    deny_conditions: tuple[Condition, ...] = ()
    """Conditions under which a Deny statement would apply (the request is then denied)."""
    contested: bool = False
    """The decision rests on a resource-policy grant to a session ARN (SEMANTICS 2.2 ⚠ row)."""
    alternatives: tuple[tuple[Condition, ...], ...] = ()
    """Every allowing alternative (each a conjunction), fewest conditions first."""
    deny_alternatives: tuple[tuple[Condition, ...], ...] = ()
    """Each possibly-applying Deny statement's conditions."""

    def to_json(self) -> dict[str, Any]:
        """The SPEC section 5 shape, plus `conditions`/`deny_conditions`/`contested` when set."""
        result: dict[str, Any] = {"decision": self.decision.value,
                                  "matched_statements": [ref.to_json() for ref in self.matched]}
        if self.conditions:
            result["conditions"] = [condition.to_json() for condition in self.conditions]
        if len(self.alternatives) > 1:
            result["alternatives"] = [[condition.to_json() for condition in alternative]
                                      for alternative in self.alternatives]
        if self.deny_conditions:
            result["deny_conditions"] = [condition.to_json() for condition in self.deny_conditions]
        if self.contested:
            result["contested"] = True
        return result


class Reason(StrEnum):
    """Why a statement did or did not apply (for `--explain`)."""

    APPLIES = "applies"
    MAY_APPLY = "applies only if its conditions hold"
    ACTION = "its Action/NotAction does not cover the action"
    RESOURCE = "its Resource/NotResource does not cover the resource"
    PRINCIPAL = "its Principal does not name the caller"
    NOT_PRINCIPAL = "its NotPrincipal exempts the caller"
    CONDITION = "a condition is false"


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One statement's outcome, recorded when a trace is requested."""

    ref: StatementRef
    reason: Reason
    detail: str = ""
    match: Match = Match.NONE


_PRINCIPAL_TYPES = {CallerKind.USER: "User", CallerKind.ROLE: "AssumedRole", CallerKind.ROLE_SESSION: "AssumedRole",
                    CallerKind.FEDERATED_USER: "FederatedUser", CallerKind.ROOT: "Account",
                    CallerKind.ANONYMOUS: "Anonymous"}
_KINDS = {kind.value: kind for kind in ResourcePolicyKind}
_DERIVED_KEYS = ("aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:username", "aws:userid",
                 "aws:resourceaccount", "aws:principalisawsservice", "aws:principalservicename")
_ALL_DERIVED = frozenset(_DERIVED_KEYS)
_USERID = frozenset({"aws:userid"})
_WHICH_PRINCIPAL = frozenset({"aws:principalarn", "aws:principaltype", "aws:username", "aws:userid"})
"""Keys that depend on which principal of an account calls: unknown when a bare account id calls."""
_IDENTITY_KINDS = frozenset({CallerKind.USER, CallerKind.ROLE, CallerKind.ROLE_SESSION, CallerKind.FEDERATED_USER,
                             CallerKind.ROOT})


def resource_account_of(resource: str) -> str | None:
    """The account segment of an ARN, when it is a 12-digit id."""
    parts = resource.split(":", 5)
    if len(parts) == 6 and len(parts[4]) == 12 and parts[4].isdigit():
        return parts[4]
    return None


def _derived_context(caller: Caller, resource_account: str | None) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    derived: dict[str, tuple[str, ...]] = {}
    if caller.kind is CallerKind.ROOT and not caller.text.startswith("arn:"):
        # A bare account id stands for any principal of that account (the graph's uncollected
        # accounts): its type and names are not known, only its account. Unknown in three-valued
        # mode (a condition on them stays residual), absent otherwise.
        derived["aws:principalaccount"] = (caller.text,)
        # its ARN starts with the account's prefix: a condition naming only other accounts' principals
        # does not match it (conditions.some_principal_arn)
        derived["aws:principalarn"] = (some_principal_arn(caller.text, caller.partition),)
        if resource_account is not None:
            derived["aws:resourceaccount"] = (resource_account,)
        derived["aws:principalisawsservice"] = ("false",)
        return derived, _ALL_DERIVED.difference(derived) - _WHICH_PRINCIPAL
    if caller.principal_arn is not None:
        derived["aws:principalarn"] = (caller.principal_arn,)
    if caller.account is not None:
        derived["aws:principalaccount"] = (caller.account,)
    principal_type = _PRINCIPAL_TYPES.get(caller.kind)
    if principal_type is not None:
        derived["aws:principaltype"] = (principal_type,)
    if caller.kind is CallerKind.USER and caller.user_name:
        derived["aws:username"] = (caller.user_name,)
    if caller.kind is CallerKind.ROOT and caller.account is not None:
        derived["aws:userid"] = (caller.account,)
    elif caller.kind is CallerKind.FEDERATED_USER:
        derived["aws:userid"] = (f"{caller.account}:{caller.user_name}",)
    elif caller.kind is CallerKind.ANONYMOUS:
        derived["aws:userid"] = ("anonymous",)
    if resource_account is not None:
        derived["aws:resourceaccount"] = (resource_account,)
    if caller.kind is CallerKind.SERVICE:
        derived["aws:principalisawsservice"] = ("true",)
        derived["aws:principalservicename"] = (caller.text,)
    elif caller.kind in _IDENTITY_KINDS:
        derived["aws:principalisawsservice"] = ("false",)
    absent = _ALL_DERIVED.difference(derived)
    if caller.kind in (CallerKind.USER, CallerKind.ROLE, CallerKind.ROLE_SESSION):
        absent = absent - _USERID  # exists, but its unique id is not known from the ARN
    return derived, absent


_SERVICE_LINKED_PATH = ":role/aws-service-role/"
"""Service-linked roles live under this path; RCPs do not restrict a service assuming one."""

_ASSUME_ROLE = "sts:assumerole"

_MEMO_LIMIT = 8192
"""Entries kept per policy group before its memo is cleared (bounds memory on large graphs)."""

_Outcome = tuple[tuple[StatementRef, ...], tuple[tuple[tuple[Condition, ...], StatementRef], ...],
                 tuple[tuple[Match, tuple[Condition, ...], StatementRef], ...]]


@dataclass(slots=True)
class _Collected:
    """Outcomes of one policy type, gathered statement by statement."""

    certain_denies: list[StatementRef] = field(default_factory=list)
    maybe_denies: list[tuple[tuple[Condition, ...], StatementRef]] = field(default_factory=list)


_UNSET = object()

_NO: tuple[Tri, tuple[Condition, ...]] = (Tri.FALSE, ())
_YES: tuple[Tri, tuple[Condition, ...]] = (Tri.TRUE, ())


class _Evaluation:
    """The state of one `evaluate` call."""

    __slots__ = ("request", "caller", "context", "_unique_id", "trace", "_collected", "action", "action_lower",
                 "resource", "has_boundary")

    def __init__(self, request: Request, caller: Caller, context: RequestContext,
                 trace: list[TraceEntry] | None, action_lower: str) -> None:
        self.request = request
        self.caller = caller
        self.context = context
        self.trace = trace
        self._collected: _Collected | None = None
        self.action = request.action
        self.action_lower = action_lower
        self.resource = request.resource
        self.has_boundary = request.permission_boundary is not None
        self._unique_id: str | None | object = _UNSET

    @property
    def collected(self) -> _Collected:
        """The Denies gathered so far (made when first needed: memo hits gather none)."""
        collected = self._collected
        if collected is None:
            collected = self._collected = _Collected()
        return collected

    @property
    def unique_id(self) -> str | None:
        """The caller's unique id from `aws:userid` (read when a Principal could name it)."""
        found = self._unique_id
        if found is _UNSET:
            userid = self.context.get("aws:userid")
            found = self._unique_id = userid[0].split(":", 1)[0] if isinstance(userid, tuple) and userid else None
        assert found is None or isinstance(found, str)
        return found

    def _record(self, ref: StatementRef, reason: Reason, detail: str = "", match: Match = Match.NONE) -> None:
        if self.trace is not None:
            self.trace.append(TraceEntry(ref, reason, detail, match))

    def allows(self, policies: tuple[Policy, ...], policy_type: PolicyType, *, first_index: int = 0,
               level: int | None = None, by_principal: bool = False) -> dict[Match, logic.Formula] | logic.Formula:
        """Check the statements of `policies`; collect Denies; return the Allow formula.

        With `by_principal`, the Allow formula is split by how each statement names the caller.
        """
        split: dict[Match, list[logic.Formula]] = {}
        plain: list[logic.Formula] = []
        for offset, policy in enumerate(policies):
            denies, maybe_denies, allows = self._policy_outcome(policy, policy_type, first_index + offset, level)
            if denies:
                self.collected.certain_denies.extend(denies)
            if maybe_denies:
                self.collected.maybe_denies.extend(maybe_denies)
            for match, residual, ref in allows:
                formula = logic.term(residual, ref)
                if by_principal:
                    split.setdefault(match, []).append(formula)
                else:
                    plain.append(formula)
        if by_principal:
            return {match: logic.any_of(*formulas) for match, formulas in split.items()}
        return logic.any_of(*plain)

    def _policy_outcome(self, policy: Policy, policy_type: PolicyType, index: int, level: int | None) -> _Outcome:
        """The statements of one policy that deny, may deny, or allow."""
        denies: list[StatementRef] = []
        maybe_denies: list[tuple[tuple[Condition, ...], StatementRef]] = []
        allows: list[tuple[Match, tuple[Condition, ...], StatementRef]] = []
        tracing = self.trace is not None
        statements = policy.statements if tracing else policy.statements_for_action(self.action_lower)
        for statement in statements:
            ref = StatementRef(policy_type.value, index, statement.index, statement.sid, statement.effect.value,
                               policy.policy_id, level) if tracing else None
            outcome, residual, match = self.check(statement, ref, policy_type)
            if outcome is Tri.FALSE:
                continue
            if ref is None:
                ref = StatementRef(policy_type.value, index, statement.index, statement.sid, statement.effect.value,
                                   policy.policy_id, level)
            if statement.is_allow:
                allows.append((match, residual, ref))
            elif outcome is Tri.TRUE:
                denies.append(ref)
            else:
                maybe_denies.append((residual, ref))
        return tuple(denies), tuple(maybe_denies), tuple(allows)

    def check(self, statement: Statement, ref: StatementRef | None,
               policy_type: PolicyType) -> tuple[Tri, tuple[Condition, ...], Match]:
        """The statement's outcome; `ref` is given (and the outcome recorded) only when tracing."""
        if ref is not None and not statement.matches_action(self.action):
            self._record(ref, Reason.ACTION)
            return Tri.FALSE, (), Match.NONE
        resource_outcome, resource_residual = statement_resource_outcome(statement, self.resource, self.context)
        if resource_outcome is Tri.FALSE:
            if ref is not None:
                self._record(ref, Reason.RESOURCE)
            return Tri.FALSE, (), Match.NONE
        match = Match.DIRECT
        if policy_type is PolicyType.RESOURCE or policy_type is PolicyType.RCP:
            match = self._principal_match(statement, policy_type)
            if match is Match.NONE:
                if ref is not None:
                    reason = Reason.NOT_PRINCIPAL if statement.not_principals is not None else Reason.PRINCIPAL
                    self._record(ref, reason)
                return Tri.FALSE, (), Match.NONE
        if statement.conditions:
            outcome, residual = evaluate_clauses(statement.conditions, self.context)
            if outcome is Tri.FALSE:
                if ref is not None:
                    clause = first_false_clause(statement.conditions, self.context)
                    detail = "" if clause is None else f"{clause.operator} {clause.key} {list(clause.values)}"
                    self._record(ref, Reason.CONDITION, detail)
                return Tri.FALSE, (), Match.NONE
            if resource_residual:
                residual = resource_residual + residual
        else:
            residual = resource_residual
        if residual:
            if ref is not None:
                self._record(ref, Reason.MAY_APPLY, "; ".join(condition.describe() for condition in residual), match)
            return Tri.UNKNOWN, residual, match
        if ref is not None:
            self._record(ref, Reason.APPLIES, "", match)
        return Tri.TRUE, (), match

    def quick(self, statement: Statement, match: Match) -> tuple[Tri, tuple[Condition, ...]]:
        """`check` without a trace, for a statement whose Principal names the caller as `match`
        (DIRECT for policies without Principal): the same outcome, in the same order of tests."""
        resources = statement.resource_set
        if resources is not None:
            if resources.matches(self.resource) is (statement.resources is None):
                return _NO
            residual: tuple[Condition, ...] = ()
        else:
            outcome, residual = statement_resource_outcome(statement, self.resource, self.context)
            if outcome is Tri.FALSE:
                return _NO
        if match is Match.NONE:
            return _NO
        if statement.conditions:
            outcome, conditions = evaluate_clauses(statement.conditions, self.context)
            if outcome is Tri.FALSE:
                return _NO
            if conditions:
                residual = residual + conditions if residual else conditions
        return (Tri.UNKNOWN, residual) if residual else _YES

    def principal_match(self, statement: Statement, policy_type: PolicyType) -> Match:
        """How a resource-policy or RCP statement's Principal/NotPrincipal names this caller."""
        return self._principal_match(statement, policy_type)

    def _principal_match(self, statement: Statement, policy_type: PolicyType) -> Match:
        # The unique id is read only when the element lists one (it is compared with nothing else).
        principals = statement.principals
        if principals is not None:
            return principals.match(self.caller, self.unique_id if principals.unique_ids else None)
        not_principals = statement.not_principals
        if not_principals is not None:
            if (not statement.is_allow and self.has_boundary
                    and self.caller.kind in (CallerKind.USER, CallerKind.ROLE, CallerKind.ROLE_SESSION)):
                return Match.DIRECT  # NotPrincipal reference: Deny+NotPrincipal always denies boundary holders
            unique_id = self.unique_id if not_principals.unique_ids else None
            return Match.NONE if not_principals.excepts(self.caller, unique_id) else Match.DIRECT
        return Match.DIRECT if policy_type is PolicyType.RCP else Match.NONE

    def levels(self, levels: tuple[tuple[Policy, ...], ...], policy_type: PolicyType) -> logic.Formula:
        """AND over levels of the OR of each level's Allows (a level with no Allow denies)."""
        formulas: list[logic.Formula] = []
        index = 0
        for level, policies in enumerate(levels):
            formula = self.allows(policies, policy_type, first_index=index, level=level)
            assert isinstance(formula, tuple)
            formulas.append(formula)
            index += len(policies)
        return logic.all_of(*formulas)


class _Mode(StrEnum):
    FLAT = "flat"
    """OR of the Allows of one list of policies."""
    LEVELS = "levels"
    """AND over levels of the OR of each level (SCPs, RCPs)."""
    BY_PRINCIPAL = "by-principal"
    """Resource policy: Allows split by how they name the caller."""


_MODES = {PolicyType.IDENTITY: _Mode.FLAT, PolicyType.BOUNDARY: _Mode.FLAT, PolicyType.SESSION: _Mode.FLAT,
          PolicyType.SCP: _Mode.LEVELS, PolicyType.RCP: _Mode.LEVELS, PolicyType.RESOURCE: _Mode.BY_PRINCIPAL}


_INDEX_FROM = 8
"""Statements from which a plan indexes their Principal names (fewer are simply all tested)."""


_BY_ARN = object()
"""`_Plan.resource_probe` when a Resource holds a policy variable: the memo key holds the ARN itself."""
_NAMING_NUMBERS = count()


class _Plan:
    """What one group of policies needs to decide one action: the statements whose Action/NotAction
    covers it (each with its `StatementRef` and level), the context keys they read, and whether
    one reads the resource. A statement whose Resource is exactly `"*"` matches every resource."""

    __slots__ = ("keys", "reads_resource", "resource_sets", "statements", "entries", "certain", "level_count",
                 "namings", "index", "all_direct", "reads_unique_id", "resource_probe", "naming_ids",
                 "fixed_naming")

    def __init__(self, levels: tuple[tuple[Policy, ...], ...], policy_type: PolicyType, action_lower: str) -> None:
        in_levels = _MODES[policy_type] is _Mode.LEVELS
        entries: list[tuple[Statement, StatementRef, int]] = []
        index = 0
        for level, policies in enumerate(levels):
            for policy in policies:
                for statement in policy.statements_for_action(action_lower):
                    ref = StatementRef(policy_type.value, index, statement.index, statement.sid,
                                       statement.effect.value, policy.policy_id, level if in_levels else None)
                    entries.append((statement, ref, level))
                index += 1
        keys: set[str] = set()
        for statement, _, _ in entries:
            for clause in statement.conditions:
                keys.add(clause.key_lower)
                for template in clause.templates or ():
                    keys.update(variable.key.lower() for variable in template.variables)
            for template in statement.resource_templates or ():
                keys.update(variable.key.lower() for variable in template.variables)
        self.keys = tuple(sorted(keys))
        self.statements = tuple(entry[0] for entry in entries)
        self.reads_resource = any(statement.resources != ("*",) or statement.resource_templates
                                  for statement in self.statements)
        self.entries = tuple(entries)
        self.reads_unique_id = any(principals is not None and principals.unique_ids
                                   for statement in self.statements
                                   for principals in (statement.principals, statement.not_principals))
        """Whether a Principal/NotPrincipal lists a unique id (only then does `aws:userid` name the caller)."""
        self.certain: list[logic.Formula | None] = [None] * len(entries)
        """Each Allow's formula when it applies without condition (made when first needed)."""
        self.level_count = len(levels)
        # Without policy variables, a statement sees the resource only through whether its compiled
        # Resource/NotResource matches it, so those answers can stand for the resource in the memo key
        # (every object under `bucket/*` then shares one entry).
        sets: dict[int, ResourceSet] = {}
        templated = False
        for statement in self.statements:
            if statement.resource_templates is not None:
                templated = True
            elif statement.resource_set is not None and not statement.resource_set.everything:
                sets[id(statement.resource_set)] = statement.resource_set
        self.resource_sets: tuple[ResourceSet, ...] | None = None if templated else tuple(sets.values())
        probe: Any = None
        if self.reads_resource:
            resource_sets = self.resource_sets
            # past 32 sets, keying by the ARN itself is cheaper than one match per set (a policy of 10,000
            # statements each on its own key prefix would cost 10,000 matches per evaluation)
            probe = (_BY_ARN if resource_sets is None or len(resource_sets) > 32 else resource_sets[0]
                     if len(resource_sets) == 1 else resource_sets)
        self.resource_probe = probe
        """How the memo key reads the resource: not at all (None), one `ResourceSet`, a tuple of them, or the ARN."""
        self.naming_ids: dict[tuple[tuple[int, Match], ...], int] = {}
        """A number per distinct naming (unique across plans), which the memo key holds instead of the naming."""
        self.namings: dict[tuple[str, str | None, bool], tuple[tuple[tuple[int, Match], ...], int]] = {}
        """The statements whose Principal names a caller, and how, by (caller, unique id, has a boundary)."""
        indexed = policy_type in (PolicyType.RESOURCE, PolicyType.RCP) and len(self.statements) >= _INDEX_FROM
        self.index = NamingIndex(self.statements) if indexed else None
        self.all_direct = tuple((position, Match.DIRECT) for position in range(len(entries)))
        """Every statement, as if it named the caller (policies without a Principal)."""
        self.fixed_naming: tuple[tuple[tuple[int, Match], ...], int] | None = None
        """The naming (and its number) when no statement's Principal depends on who calls: each names
        everyone (`"*"`), or has no Principal/NotPrincipal (RCPs: everyone; resource policies: no one)."""
        if policy_type in (PolicyType.RESOURCE, PolicyType.RCP) and all(
                (statement.principals is not None and statement.principals.everyone)
                or (statement.principals is None and statement.not_principals is None)
                for statement in self.statements):
            self.fixed_naming = (tuple((position, Match.DIRECT) for position, statement in enumerate(self.statements)
                                       if statement.principals is not None or policy_type is PolicyType.RCP),
                                 next(_NAMING_NUMBERS))

    def naming(self, evaluation: _Evaluation, policy_type: PolicyType) -> tuple[tuple[int, Match], ...]:
        """The statements whose Principal/NotPrincipal names the evaluation's caller, and how (position, match).

        With an index, only the statements listing one of the caller's names are tested (`NamingIndex`):
        the others cannot name it, so a policy naming 10,000 accounts costs a few lookups per caller.
        """
        statements = self.statements
        principal_match = evaluation.principal_match
        index = self.index
        if index is None:
            positions: Any = range(len(statements))
        else:
            unique_ids = (evaluation.unique_id,) if index.lists_unique_ids else ()
            positions = index.candidates(evaluation.caller, unique_ids)
        found = []
        for position in positions:
            match = principal_match(statements[position], policy_type)
            if match is not Match.NONE:
                found.append((position, match))
        return tuple(found)


class _Unit:
    """Memo of one group of policies (e.g. a principal's identity policies, an account's SCP chain)."""

    __slots__ = ("levels", "policy_type", "mode", "by_caller", "plans", "outcomes")

    def __init__(self, levels: tuple[tuple[Policy, ...], ...], policy_type: PolicyType) -> None:
        self.levels = levels
        self.policy_type = policy_type
        self.mode = _MODES[policy_type]
        self.by_caller = policy_type is PolicyType.RESOURCE or policy_type is PolicyType.RCP
        self.plans: dict[str, _Plan] = {}
        self.outcomes: dict[tuple[Any, ...], tuple[tuple[StatementRef, ...], tuple[Any, ...], Any]] = {}

    def plan(self, action_lower: str) -> _Plan:
        """The plan of an action (built once per action)."""
        found = self.plans.get(action_lower)
        if found is None:
            found = _Plan(self.levels, self.policy_type, action_lower)
            if len(self.plans) < 4096:
                self.plans[action_lower] = found
        return found

    def compute(self, evaluation: _Evaluation, plan: _Plan, naming: tuple[tuple[int, Match], ...] | None) -> Any:
        """The group's Allow formula(s) for this request; Denies found are added to the evaluation.

        `naming` lists the statements whose Principal names the caller, and how (resource policies and RCPs).
        """
        quick = evaluation.quick
        collected = evaluation.collected
        mode = self.mode
        allows: list[logic.Formula] = []
        per_level: list[list[logic.Formula]] = [[] for _ in range(plan.level_count)] if mode is _Mode.LEVELS else []
        split: dict[Match, list[logic.Formula]] = {}
        certain = plan.certain
        entries = plan.entries
        # a statement whose Principal does not name the caller is not in `naming` (resource tests have no side effect)
        for position, match in plan.all_direct if naming is None else naming:
            statement, ref, level = entries[position]
            outcome, residual = quick(statement, match)
            if outcome is Tri.FALSE:
                continue
            if statement.effect is Effect.ALLOW:
                if outcome is Tri.TRUE:
                    formula = certain[position] or logic.term((), ref)
                    certain[position] = formula
                else:
                    formula = logic.term(residual, ref)
                if mode is _Mode.FLAT:
                    allows.append(formula)
                elif mode is _Mode.LEVELS:
                    per_level[level].append(formula)
                else:
                    split.setdefault(match, []).append(formula)
            elif outcome is Tri.TRUE:
                collected.certain_denies.append(ref)
            else:
                collected.maybe_denies.append((residual, ref))
        if mode is _Mode.FLAT:
            return logic.any_of(*allows)
        if mode is _Mode.LEVELS:
            return logic.all_of(*[logic.any_of(*formulas) for formulas in per_level])
        return {match: logic.any_of(*formulas) for match, formulas in split.items()}


_UNITS: dict[tuple[Any, ...], _Unit] = {}
"""Units by (policy type, policies): equal groups share one memo."""
_UNIT_LIMIT = 4096


def _levels_of(group: Any, policy_type: PolicyType) -> tuple[tuple[Policy, ...], ...]:
    if isinstance(group, Policy):
        return ((group,),)
    if _MODES[policy_type] is _Mode.LEVELS:
        return tuple(tuple(level) for level in group)
    return (tuple(group),)


class _Groups:
    """The units of one policy type, found from the request's group object.

    `by_id` finds a unit by the identity of the group object itself (the graph reuses one tuple
    per caller); `last` by equality with the last group found otherwise (requests built one after
    another with new tuples of the same policies: tuples compare identical members without calling
    `Policy.__eq__`); `by_members` by the identities of its policies. Each entry keeps alive what
    its key's ids belong to, so no id is reused while the entry exists. None hashes Policy objects
    (a Python-level hash); units themselves are keyed by content, so an equal group may share one.
    """

    __slots__ = ("policy_type", "levels_mode", "by_id", "by_members", "last")

    def __init__(self, policy_type: PolicyType) -> None:
        self.policy_type = policy_type
        self.levels_mode = _MODES[policy_type] is _Mode.LEVELS
        self.by_id: dict[int, tuple[object, _Unit]] = {}
        self.by_members: dict[Any, tuple[object, _Unit]] = {}
        self.last: tuple[tuple[Any, ...], _Unit] | None = None

    def find(self, group: Any) -> _Unit:
        """The unit of `group` (a Policy, a tuple of them, or levels of them)."""
        entry = self.by_id.get(id(group))
        if entry is not None and entry[0] is group:
            return entry[1]
        last = self.last
        if last is not None and type(group) is tuple and group == last[0]:
            return last[1]
        single = isinstance(group, Policy)
        if single:
            members_key: Any = id(group)
        elif self.levels_mode:
            members_key = (tuple(map(len, group)), *map(id, chain.from_iterable(group)))
        else:
            members_key = tuple(map(id, group))
        by_members = self.by_members.get(members_key)
        if by_members is not None:
            unit = by_members[1]
        else:
            levels = _levels_of(group, self.policy_type)
            unit_key = (self.policy_type, levels)
            shared = _UNITS.get(unit_key)
            if shared is None:
                if len(_UNITS) >= _UNIT_LIMIT:
                    _UNITS.clear()
                shared = _UNITS[unit_key] = _Unit(levels, self.policy_type)
            unit = shared
            if len(self.by_members) >= _UNIT_LIMIT:
                self.by_members.clear()
            self.by_members[members_key] = (levels, unit)
        # Only an immutable group's identity stands for its content.
        if single or (type(group) is tuple
                      and (not self.levels_mode or all(type(level) is tuple for level in group))):
            if len(self.by_id) >= _UNIT_LIMIT:
                self.by_id.clear()
            self.by_id[id(group)] = (group, unit)
            if not single:
                self.last = (group, unit)
        return unit


_GROUPS = {policy_type: _Groups(policy_type) for policy_type in _MODES}


_Found = tuple[tuple[StatementRef, ...], tuple[tuple[tuple[Condition, ...], StatementRef], ...], Any]
"""A group's outcome: its certain Denies, its possible Denies, and its Allow formula(s)."""

_NOTHING_FLAT: _Found = ((), (), logic.FALSE)
_NOTHING_BY_PRINCIPAL: _Found = ((), (), {})
_NOT_APPLIED: _Found = ((), (), logic.TRUE)
_NOTHING: dict[_Mode, _Found] = {_Mode.FLAT: _NOTHING_FLAT, _Mode.LEVELS: _NOTHING_FLAT,
                                 _Mode.BY_PRINCIPAL: _NOTHING_BY_PRINCIPAL}


def _unit(evaluation: _Evaluation, policy_type: PolicyType, group: Any) -> _Found:
    """Evaluate a group of policies (a Policy, a tuple of them, or SCP/RCP levels), memoized on
    everything the outcome depends on.

    The key holds the action, the resource (unless every statement covering the action has
    `Resource: "*"`), how each of those statements' Principal names the caller (resource policies
    and RCPs) and the values of every context key those statements read, so a hit
    returns exactly what a fresh evaluation would. A hit returns the very object stored, which
    lets `evaluate` memoize the combination on the identity of its parts.
    """
    if evaluation.trace is not None:
        collected = evaluation.collected
        denies_before, maybe_before = len(collected.certain_denies), len(collected.maybe_denies)
        levels = _levels_of(group, policy_type)
        if _MODES[policy_type] is _Mode.LEVELS:
            value: Any = evaluation.levels(levels, policy_type)
        else:
            value = evaluation.allows(levels[0], policy_type, by_principal=policy_type is PolicyType.RESOURCE)
        return (tuple(collected.certain_denies[denies_before:]), tuple(collected.maybe_denies[maybe_before:]),
                value)
    groups = _GROUPS[policy_type]
    entry = groups.by_id.get(id(group))
    unit = entry[1] if entry is not None and entry[0] is group else groups.find(group)
    action_lower = evaluation.action_lower
    plan = unit.plans.get(action_lower) or unit.plan(action_lower)
    if not plan.statements:
        return _NOTHING[unit.mode]  # no statement covers the action: no Allow, no Deny
    context = evaluation.context
    naming: tuple[tuple[int, Match], ...] | None = None
    naming_number = -1
    if unit.by_caller and plan.fixed_naming is not None:
        naming, naming_number = plan.fixed_naming
    elif unit.by_caller:
        # The caller only reaches the outcome through how each statement's Principal names it.
        caller_key = (evaluation.caller.text, evaluation.unique_id if plan.reads_unique_id else None,
                      evaluation.has_boundary)
        named = plan.namings.get(caller_key)
        if named is None:
            naming = plan.naming(evaluation, policy_type)
            naming_number = plan.naming_ids.get(naming, -1)
            if naming_number < 0:
                if len(plan.naming_ids) >= _MEMO_LIMIT:
                    plan.naming_ids.clear()  # numbers are never reused, so old memo entries just miss
                naming_number = plan.naming_ids[naming] = next(_NAMING_NUMBERS)
            if len(plan.namings) >= _MEMO_LIMIT:
                plan.namings.clear()
            plan.namings[caller_key] = (naming, naming_number)
        else:
            naming, naming_number = named
    probe = plan.resource_probe
    if probe is None:
        resource_key: Any = None
    elif type(probe) is ResourceSet:
        resource_key = probe.matches(evaluation.resource)
    elif probe is _BY_ARN:
        resource_key = evaluation.resource
    else:
        resource = evaluation.resource
        resource_key = tuple([resource_set.matches(resource) for resource_set in probe])
    keys = plan.keys
    key = (action_lower, resource_key, naming_number, context.three_valued, context.values(keys) if keys else ())
    found = unit.outcomes.get(key)
    if found is None:
        collected = evaluation.collected
        denies_before, maybe_before = len(collected.certain_denies), len(collected.maybe_denies)
        value = unit.compute(evaluation, plan, naming)
        found = (tuple(collected.certain_denies[denies_before:]), tuple(collected.maybe_denies[maybe_before:]), value)
        del collected.certain_denies[denies_before:], collected.maybe_denies[maybe_before:]
        if len(unit.outcomes) >= _MEMO_LIMIT:
            unit.outcomes.clear()
        unit.outcomes[key] = found
    return found


@dataclass(frozen=True, slots=True)
class _CallerFacts:
    """What `evaluate` needs of a caller, worked out once per (principal, resource account)."""

    caller: Caller
    derived: dict[str, tuple[str, ...]]
    derived_absent: frozenset[str]
    has_identity: bool
    """An IAM identity (user, role, session, federated user, root): identity policies apply."""
    scps_apply: bool
    """An identity that is not a service-linked role."""
    rcps_apply: bool
    """Not a service-linked role (RCPs do not restrict actions performed by service-linked roles)."""
    session_arn: bool
    """A role session or federated-user session, which a resource policy may name exactly."""
    root_user: bool
    """The account's root user named by its ARN (a bare account id stands for the account's principals)."""


@lru_cache(maxsize=65536)
def _caller_facts(principal: str, resource_account: str | None) -> _CallerFacts:
    """The parsed caller and the context keys AWS derives itself (global condition keys reference),
    cached on the two strings.

    `aws:PrincipalArn` of a role session is the role's ARN; `aws:username` exists for IAM users
    only; `aws:userid` is the account id for the root user and `account:name` for a federated
    user (a user's or role's unique id is only known when given). Keys given in the request's
    context win (`RequestContext.lazy`). The second set holds the derived keys that do not exist
    for this caller: known-absent, not unknown, in three-valued mode.
    """
    try:
        caller = parse_caller(principal)
    except ValueError as error:
        raise RequestError(str(error), "request.principal") from None
    derived, derived_absent = _derived_context(caller, resource_account)
    has_identity = caller.kind in _IDENTITY_KINDS
    return _CallerFacts(caller, derived, derived_absent, has_identity,
                        has_identity and not caller.is_service_linked_role, not caller.is_service_linked_role,
                        caller.kind is CallerKind.ROLE_SESSION or caller.kind is CallerKind.FEDERATED_USER,
                        caller.kind is CallerKind.ROOT and caller.text.startswith("arn:"))


_ACTIONS: dict[str, tuple[str, bool]] = {}
"""Per action as written: (lower-cased, whether RCPs apply to its service)."""


def _action_facts(action: str) -> tuple[str, bool]:
    found = _ACTIONS.get(action)
    if found is None:
        if len(_ACTIONS) >= _MEMO_LIMIT:
            _ACTIONS.clear()
        found = _ACTIONS[action] = (action.lower(), service_supports_rcps(action))
    return found


_lazy_context = RequestContext.lazy


_COMBINED: dict[tuple[Any, ...], tuple[Result, tuple[_Found, ...]]] = {}
"""Results by the identity of the group outcomes they combine (and what else `_combine` reads).
Each entry keeps its outcomes alive, so an id in a key cannot be reused while the entry exists."""
_COMBINED_LIMIT = 16384


def refused_by_sts(request: Request) -> bool:
    """Whether STS refuses the call whatever the policies say: AssumeRole with root user credentials."""
    return _caller_facts(request.principal, None).root_user and request.action.lower() == _ASSUME_ROLE


def evaluate(request: Request, *, trace: list[TraceEntry] | None = None) -> Result:
    """Decide `request` (see the module docstring for the rules).

    Args:
        request: the request and its policies.
        trace: when given, receives one entry per statement examined (for `--explain`).

    Raises:
        RequestError: the principal is not a principal.
        PolicyError: two-valued mode met a condition operator IAM does not define.
    """
    resource_account = request.resource_account or resource_account_of(request.resource)
    facts = _caller_facts(request.principal, resource_account)
    caller = facts.caller
    context = _lazy_context(request.context, facts.derived, facts.derived_absent, unknown=request.unknown_context,
                            known_absent=request.known_absent)
    action_lower, rcps_apply = _ACTIONS.get(request.action) or _action_facts(request.action)
    evaluation = _Evaluation(request, caller, context, trace, action_lower)
    kind = caller.kind
    has_identity = facts.has_identity
    policy_kind = _KINDS.get(request.resource_policy_kind) or ResourcePolicyKind(request.resource_policy_kind)
    # No level (null or an empty list) leaves nothing to satisfy: AND over no level.
    scp = _NOT_APPLIED
    if request.scps and facts.scps_apply:
        scp = _unit(evaluation, PolicyType.SCP, request.scps)
    rcp = _NOT_APPLIED
    if request.rcps and rcps_apply and facts.rcps_apply and not (
            kind is CallerKind.SERVICE and policy_kind is ResourcePolicyKind.TRUST
            and _SERVICE_LINKED_PATH in request.resource):
        rcp = _unit(evaluation, PolicyType.RCP, request.rcps)
    rbp_found = _NOTHING_BY_PRINCIPAL
    session_direct = logic.FALSE
    if request.resource_policy is not None:
        rbp_found = _unit(evaluation, PolicyType.RESOURCE, request.resource_policy)
        if facts.session_arn:
            direct = rbp_found[2].get(Match.DIRECT)
            if direct:
                session_direct = _session_arn_terms(direct, request.resource_policy, caller)
    identity = boundary = session = _NOTHING_FLAT
    if has_identity:
        identity = _unit(evaluation, PolicyType.IDENTITY, request.identity_policies)
        if request.permission_boundary is not None:
            boundary = _unit(evaluation, PolicyType.BOUNDARY, request.permission_boundary)
        else:
            boundary = _NOT_APPLIED
        if request.session_policies:
            session = _unit(evaluation, PolicyType.SESSION, request.session_policies)
        else:
            session = _NOTHING_FLAT if kind is CallerKind.FEDERATED_USER else _NOT_APPLIED

    same_account = resource_account is None or caller.account == resource_account
    # STS refuses AssumeRole to root user credentials whatever the policies say (AssumeRole API reference)
    refused = facts.root_user and action_lower == _ASSUME_ROLE
    parts = (scp, rcp, rbp_found, identity, boundary, session)
    memo_key: tuple[Any, ...] | None = None
    if trace is None and not session_direct:
        memo_key = (id(scp), id(rcp), id(rbp_found), id(identity), id(boundary), id(session), kind, policy_kind,
                    same_account, refused)
        cached = _COMBINED.get(memo_key)
        if cached is not None:
            return cached[0]
    collected = evaluation.collected
    for denies, maybe_denies, _ in parts:
        collected.certain_denies.extend(denies)
        collected.maybe_denies.extend(maybe_denies)
    rbp: dict[Match, logic.Formula] = rbp_found[2]
    identity_ok = logic.TRUE if kind is CallerKind.ROOT else identity[2]  # root: every permission in its account
    allow = logic.FALSE if refused else _combine(policy_kind, has_identity, same_account, rbp, identity_ok,
                                                 boundary[2], session[2], scp[2], rcp[2])
    contested = False
    if session_direct and same_account:
        # The contested reading (iam-simulate): a session-ARN grant is limited like a role-ARN grant.
        without = dict(rbp)
        without[Match.DIRECT] = _without(rbp[Match.DIRECT], session_direct)
        without[Match.ROLE_ARN] = logic.any_of(rbp.get(Match.ROLE_ARN, logic.FALSE), session_direct)
        alternative = _combine(policy_kind, has_identity, same_account, without, identity_ok, boundary[2],
                               session[2], scp[2], rcp[2])
        contested = (bool(alternative), logic.is_certain(alternative)) != (bool(allow), logic.is_certain(allow))
    result = _result(collected, allow, contested)
    if memo_key is not None:
        if len(_COMBINED) >= _COMBINED_LIMIT:
            _COMBINED.clear()
        _COMBINED[memo_key] = (result, parts)
    return result


def _session_arn_terms(formula: logic.Formula, policy: Policy, caller: Caller) -> logic.Formula:
    """The alternatives granted by statements that name the caller's exact session ARN."""
    if caller.text not in policy.named_arns:
        return logic.FALSE
    naming = statements_listing_arn(policy, caller.text)  # indexed: a policy may list 10,000 session ARNs
    return tuple(alternative for alternative in formula
                 if any(ref.statement in naming for ref in alternative.refs))


def _without(formula: logic.Formula, removed: logic.Formula) -> logic.Formula:
    return tuple(alternative for alternative in formula if alternative not in removed)


def _combine(kind: ResourcePolicyKind, has_identity: bool, same_account: bool, rbp: dict[Match, logic.Formula],
             identity: logic.Formula, boundary: logic.Formula, session: logic.Formula,
             scp_ok: logic.Formula, rcp_ok: logic.Formula) -> logic.Formula:
    direct = rbp.get(Match.DIRECT, logic.FALSE)
    role = rbp.get(Match.ROLE_ARN, logic.FALSE)
    account = rbp.get(Match.ACCOUNT, logic.FALSE)
    if not has_identity:
        return logic.all_of(rcp_ok, direct)
    if not same_account:
        trusted = logic.all_of(scp_ok, identity, boundary, session)
        trusting = logic.all_of(rcp_ok, logic.any_of(direct, role, account))
        return logic.all_of(trusted, trusting)
    if kind is ResourcePolicyKind.GENERIC:
        via_identity = logic.all_of(logic.any_of(identity, role), boundary, session)
        return logic.all_of(scp_ok, rcp_ok, logic.any_of(direct, via_identity))
    delegated = logic.any_of(role, logic.all_of(account, identity))
    if kind is ResourcePolicyKind.KMS:
        return logic.all_of(scp_ok, rcp_ok, logic.any_of(direct, logic.all_of(delegated, boundary, session)))
    # Trust policy: the caller's boundary must allow sts:AssumeRole even for an exact-ARN grant (SEMANTICS 3.1).
    return logic.all_of(scp_ok, rcp_ok, boundary, logic.any_of(direct, logic.all_of(delegated, session)))


def _ordered(refs: Any) -> tuple[StatementRef, ...]:
    return tuple(sorted(refs, key=_REF_ORDER))


_REF_ORDER = attrgetter("policy_type", "policy_index", "statement")


_IMPLICIT_DENY = Result(Decision.IMPLICIT_DENY, ())


def _result(collected: _Collected, allow: logic.Formula, contested: bool) -> Result:
    if not collected.maybe_denies and not collected.certain_denies:
        # No Deny may apply: the common case, without sorting empty sets.
        if not allow:
            return _IMPLICIT_DENY
        if len(allow) == 1 and not allow[0].conditions:
            return Result(Decision.ALLOWED, _ordered(allow[0].refs), contested=contested)
    deny_alternatives = tuple(sorted({residual for residual, _ in collected.maybe_denies}))
    deny_conditions = tuple(sorted({condition for residual in deny_alternatives for condition in residual}))
    if collected.certain_denies:
        return Result(Decision.EXPLICIT_DENY, _ordered(set(collected.certain_denies)),
                      deny_conditions=deny_conditions, deny_alternatives=deny_alternatives)
    if not allow:
        return Result(Decision.IMPLICIT_DENY, (), deny_conditions=deny_conditions,
                      deny_alternatives=deny_alternatives)
    maybe_refs = _ordered({ref for _, ref in collected.maybe_denies})
    if logic.is_certain(allow):
        matched = _ordered(logic.certain_refs(allow))
        if deny_conditions:
            # A possibly-applying Deny on a certain allow: conditional, with only deny conditions.
            return Result(Decision.CONDITIONAL, matched + maybe_refs, deny_conditions=deny_conditions,
                          contested=contested, deny_alternatives=deny_alternatives)
        return Result(Decision.ALLOWED, matched, contested=contested)
    alternatives = tuple(tuple(sorted(alternative.conditions)) for alternative in allow)
    best = allow[0]
    return Result(Decision.CONDITIONAL, _ordered(best.refs) + maybe_refs, tuple(sorted(best.conditions)),
                  deny_conditions, contested, alternatives, deny_alternatives)
