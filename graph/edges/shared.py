"""The edges of a (caller, resource) pair, shared between callers the evaluator cannot tell apart.

Many principals ask the same question: every account's `OrganizationAccountAccessRole` holds only
`AdministratorAccess` under the same SCPs, every auditor holds `ReadOnlyAccess`. For one resource,
two such callers get the same decision, the same conditions and the same proving statements when
everything the evaluation reads is equal:
- the kind of caller (user or role, service-linked or not) and whether it is in the resource's account;
- the same identity statements that could bear on the resource (statements whose Action covers one
  of its catalogue actions and whose Resource may match its ARN, same text in the same order; other
  statements of the identity cannot change the evaluation), the same boundary and SCP levels (same
  documents under the same ids), and the same candidate groups (ARNs and S3 prefixes);
- the values of every context key read by the statements that could apply to the resource's actions;
- and the resource side names neither of them (no Principal or NotPrincipal entry of their account).
Then the evaluation of one stands for the other; only the edges' source differs, and identity grants
name the other caller's policy and statement at the same place of the projection. A user or role of
an account of which the resource side names a single principal is evaluated alone; other callers
(anyone, uncollected accounts, services) are told apart by their node and principal.

Resources share too: two resources whose policies are the same text once their own ARN and account
are replaced by stand-ins (and likewise the identity statements, S3 groups and prefixes), whose
RCPs, type and policy kind are the same, and of which every statement of every policy of the request
covers both or neither (by the evaluator's own Resource matching), get the same outcome with their
own ARN put back. Outcomes whose conditions or prefix name the resource's ARN or account, and
requests with policy variables in a Resource element, are never moved to another resource.
"""

from __future__ import annotations

import json
from enum import Enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from graph.edges.catalog import ActionTarget, actions_for
from graph.edges.common import (
    ActionGroup,
    Caller,
    EdgeSpec,
    Grant,
    Levels,
    LoadedPolicy,
    NodeKind,
    Target,
    evaluate_pair,
    naming_statements,
    statement_masks,
    statement_masks_by_index,
)
from graph.edges.statements import (
    StatementShape,
    statement_covers_action,
    account_of_principal,
    is_account_principal,
    action_pattern_matches,
    object_prefixes,
    statement_may_match_resource,
    statement_shapes,
)
from graph.model import Resource, ResourceType
from graph.policy import Policy, Statement
from graph.policy.conditions import Tri
from graph.policy.context import RequestContext as PolicyContext
from graph.policy.resources_match import statement_resource_outcome

_SHARED_KINDS = frozenset({NodeKind.USER, NodeKind.ROLE})
_ABSENT = "<absent>"
_MEMO_LIMIT = 200_000
"""Outcomes kept before the memo starts afresh (bounds memory on very large organizations)."""


@lru_cache(maxsize=64)
def catalogue_masks(resource_type: str) -> tuple[tuple[str, ...], int, int]:
    """The catalogue of a type, and the bit masks of its own-ARN and object-level actions."""
    catalogue = actions_for(resource_type)
    own = sum(1 << bit for bit, action in enumerate(catalogue) if action.target is ActionTarget.RESOURCE)
    objects = sum(1 << bit for bit, action in enumerate(catalogue) if action.target is ActionTarget.OBJECT)
    return tuple(action.name for action in catalogue), own, objects


@lru_cache(maxsize=65536)
def _prefixes(text: str, bucket_arn: str) -> dict[int, tuple[str, ...]]:
    """The object key prefixes each statement of a policy limits a bucket to (statements with none left out)."""
    found = {shape.index: object_prefixes(shape, bucket_arn) for shape in statement_shapes(text)}
    return {index: prefixes for index, prefixes in found.items() if prefixes}


def action_groups(resource: Resource, caller: Caller, target: Target) -> list[ActionGroup]:
    """The candidate actions on `resource` (objects of a bucket at each scope a policy names).

    The scopes come from the caller's identity statements and from the resource-side statements
    that may name it (`naming_statements`): a statement that does not apply to the caller cannot
    grant it anything at its prefix.
    """
    names, own, objects = catalogue_masks(resource.type)
    groups = [ActionGroup(names, resource.arn, own)] if own else []
    if objects:
        found = {prefix for loaded in caller.identity for scoped in _prefixes(loaded.text, resource.arn).values()
                 for prefix in scoped}
        if target.policy is not None:
            scoped_by = _prefixes(target.policy.text, resource.arn)
            if scoped_by:
                indices = naming_statements(caller, target)
                found.update(prefix for index in (scoped_by if indices is None else indices)
                             for prefix in scoped_by.get(index, ()))
        prefixes = sorted(found)
        groups.append(ActionGroup(names, f"{resource.arn}/*", objects))
        groups.extend(ActionGroup(names, f"{resource.arn}/{prefix}*", objects, prefix) for prefix in prefixes)
    return groups


@lru_cache(maxsize=65536)
def _touches(text: str, resource_type: str) -> bool:
    """Whether an identity policy can add a candidate action or a bearing statement on a resource of this type.

    It can when a statement covers one of the type's catalogue actions (`_bearing`, `project`), or,
    for a type with object actions, when a Resource entry is an S3 ARN (`action_groups` takes object
    key prefixes from every identity statement, whatever its Action).
    """
    objects = catalogue_masks(resource_type)[2]
    for shape in statement_shapes(text):
        if _covers_some(shape.actions, shape.not_action, resource_type):
            return True
        if objects and not shape.not_resource and any(pattern.startswith("arn:aws:s3:::") for pattern in shape.resources):
            return True
    return False


@lru_cache(maxsize=65536)
def _covers_some(actions: tuple[str, ...], not_action: bool, resource_type: str) -> bool:
    """Whether an Action (or NotAction) element covers one of the type's catalogue actions (`statement_masks`).

    Keyed by the element, not the policy: thousands of account-specific policies repeat a few elements."""
    shape = StatementShape(0, "Allow", actions, not_action, (), False, (), False)
    return any(statement_covers_action(shape, name) for name in catalogue_masks(resource_type)[0])


def _restricted(groups: list[ActionGroup], only: str | None) -> list[ActionGroup]:
    """The groups limited to the actions an action pattern matches (all of them without one)."""
    if only is None:
        return groups
    limited = []
    for group in groups:
        mask = group.mask & _matching(group.names, only)
        if mask:
            limited.append(ActionGroup(group.names, group.resource, mask, group.scope))
    return limited


@lru_cache(maxsize=4096)
def _matching(names: tuple[str, ...], pattern: str) -> int:
    return sum(1 << bit for bit, name in enumerate(names) if action_pattern_matches(pattern, name))


def _statement_keys(policy: Policy, names: tuple[str, ...]) -> frozenset[str]:
    """Lower-cased context keys read by the statements whose Action covers one of `names`."""
    keys: set[str] = set()
    reading = [statement for statement in policy.statements if statement.conditions or statement.resource_templates]
    lowered = [name.lower() for name in names] if reading else []
    for statement in reading:
        if any(statement.matches_action(name) for name in lowered):
            for clause in statement.conditions:
                keys.add(clause.key_lower)
                for template in clause.templates or ():
                    keys.update(variable.key.lower() for variable in template.variables)
            for template in statement.resource_templates or ():
                keys.update(variable.key.lower() for variable in template.variables)
    return frozenset(keys)


@dataclass(frozen=True, slots=True)
class Named:
    """The accounts a resource side's Principal and NotPrincipal entries name."""

    accounts: frozenset[str]
    """Every account an entry names (as a whole, or through one of its users, roles or sessions)."""
    one_by_one: frozenset[str]
    """Accounts of which an entry names a single user, role or session."""
    whole: frozenset[str] = frozenset()
    """Accounts an entry names as a whole (an account id or its root)."""
    names: frozenset[tuple[str, str]] = frozenset()
    """(account, lower-cased path segment) of every single-principal entry: a caller whose name is
    none of them is not named by any of those entries (the evaluator matches such ARNs exactly)."""
    whole_by: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    """The statements (policy position, statement index) with an entry naming each account as a whole:
    two callers named through their accounts share an outcome only when the same statements name them."""


def _named_accounts(policies: list[LoadedPolicy]) -> Named | None:
    """What a Principal or NotPrincipal entry names (None: one entry is not account-bound)."""
    accounts: set[str] = set()
    one_by_one: set[str] = set()
    whole: set[str] = set()
    names: set[tuple[str, str]] = set()
    whole_by: dict[str, list[tuple[int, int]]] = {}
    for position, loaded in enumerate(policies):
        for shape in statement_shapes(loaded.text):
            for ref in shape.principals:
                if ref.kind == "aws":
                    account = account_of_principal(ref.value)
                    if account is None:
                        return None  # a unique id (AIDA..., AROA...) could name any caller
                    accounts.add(account)
                    if not is_account_principal(ref.value):
                        one_by_one.add(account)
                        resource_part = ref.value.split(":", 5)[-1]
                        names.update((account, "*" if "*" in part or "?" in part else part.lower())
                                     for part in resource_part.split("/"))
                    else:
                        whole.add(account)
                        places = whole_by.setdefault(account, [])
                        if not places or places[-1] != (position, shape.index):
                            places.append((position, shape.index))
                elif ref.kind not in ("public", "service", "federated"):
                    return None
    return Named(frozenset(accounts), frozenset(one_by_one), frozenset(whole), frozenset(names),
                 {account: tuple(places) for account, places in whole_by.items()})


@lru_cache(maxsize=65536)
def _statement_texts(text: str) -> tuple[str, ...]:
    """Canonical JSON of each statement of a policy, by statement index."""
    document = json.loads(text)
    raw = document.get("Statement", []) if isinstance(document, dict) else []
    statements = raw if isinstance(raw, list) else [raw]
    return tuple(json.dumps(statement, sort_keys=True, separators=(",", ":")) for statement in statements)


@lru_cache(maxsize=262144)
def _bearing(text: str, resource_type: str, arn: str, with_children: bool) -> tuple[int, ...]:
    """Statements of a policy whose Action covers a catalogue action and whose Resource may match `arn`."""
    names = catalogue_masks(resource_type)[0]
    shapes = {shape.index: shape for shape in statement_shapes(text)}
    return tuple(index for index, _, _ in statement_masks(text, names)
                 if statement_may_match_resource(shapes[index], arn, with_children=with_children))


Place = tuple[str, int]
"""An identity statement: (policy id, statement index)."""


@dataclass(frozen=True, slots=True)
class Projection:
    """The identity statements of a caller that could bear on one resource, in order."""

    texts: tuple[str, ...]
    places: tuple[Place, ...]
    positions: tuple[tuple[int, int], ...]
    """Each statement's (policy position in the caller's identity, statement index)."""
    policies: tuple[LoadedPolicy, ...]
    """The identity policies holding at least one of them."""


def project(caller: Caller, resource: Resource) -> Projection:
    """The caller's identity statements that could bear on `resource` (module docstring)."""
    with_children = resource.type == ResourceType.S3_BUCKET
    texts: list[str] = []
    places: list[Place] = []
    positions: list[tuple[int, int]] = []
    policies: list[LoadedPolicy] = []
    for position, loaded in enumerate(caller.identity):
        indices = _bearing(loaded.text, resource.type, resource.arn, with_children)
        if not indices:
            continue
        policies.append(loaded)
        statements = _statement_texts(loaded.text)
        for index in indices:
            texts.append(statements[index])
            places.append((loaded.policy_id, index))
            positions.append((position, index))
    return Projection(tuple(texts), tuple(places), tuple(positions), tuple(policies))


_ARN = "\x00arn"
_ACCOUNT = "\x00account"
"""Stand-ins for the resource's ARN and account in policy text (NUL never occurs in canonical JSON)."""
_EMPTY_CONTEXT = PolicyContext({})


def _normal(text: str, arn: str, account: str) -> str:
    return text.replace(arn, _ARN).replace(account, _ACCOUNT)


@lru_cache(maxsize=4096)
def _statements_by_index(policy: Policy) -> dict[int, Statement]:
    return {statement.index: statement for statement in policy.statements}


def _applies(policy: Policy, text: str, resource_type: str, arn: str,
             among: tuple[int, ...] | None = None) -> tuple[int, ...] | None:
    """Statements covering a catalogue action whose Resource element covers `arn`, by the evaluator's
    own matching (None when one holds a policy variable: its outcome depends on more than the ARN).
    With `among`, only those statements are looked at (the others cannot name the caller)."""
    names = catalogue_masks(resource_type)[0]
    by_index = _statements_by_index(policy)
    found = []
    if among is None:
        covering: Iterable[int] = (index for index, _, _ in statement_masks(text, names))
    else:
        masks = statement_masks_by_index(text, names)
        covering = [index for index in among if index in masks]
    for index in covering:
        statement = by_index.get(index)
        if statement is None or statement.resource_templates:
            return None
        outcome, _ = statement_resource_outcome(statement, arn, _EMPTY_CONTEXT)
        if outcome is Tri.TRUE:
            found.append(index)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class _Outcome:
    """One evaluation kept for the callers and resources it stands for."""

    edges: list[EdgeSpec]
    places: tuple[Place, ...]
    arn: str
    account: str
    portable: bool
    """Whether the edges can be renamed to another resource (no condition value or scope names this one)."""


def _portable(edges: list[EdgeSpec], arn: str, account: str) -> bool:
    def names_it(value: str) -> bool:
        return arn in value or account in value or "\x00" in value
    for edge in edges:
        if edge.scope is not None and names_it(edge.scope):
            return False
        if any(names_it(value) for condition in (*edge.conditions, *edge.deny_conditions) for value in condition.values):
            return False
    return True


def _moved(edges: list[EdgeSpec], source: str, target: str, mapping: dict[Place, Place]) -> list[EdgeSpec]:
    """A representative's edges for another caller and resource: its nodes, and its own statements as grants."""
    found = []
    for edge in edges:
        grants = edge.granted_by
        if mapping or edge.target != target:
            moved = []
            for grant in grants:
                if grant.resource is not None:
                    moved.append(grant if grant.resource == target else Grant(grant.policy, grant.statement, grant.sid, target))
                elif (grant.policy, grant.statement) in mapping:
                    moved.append(Grant(*mapping[(grant.policy, grant.statement)], grant.sid))
                else:
                    moved.append(grant)
            grants = tuple(sorted(moved, key=lambda g: (g.policy, g.statement)))
        if edge.source == source and edge.target == target and grants is edge.granted_by:
            found.append(edge)
        else:
            found.append(EdgeSpec(source, target, edge.kind, edge.actions, edge.status, edge.conditions,
                                  edge.deny_conditions, grants, edge.chained, edge.scope, edge.contested))
    return found


Shared = tuple[tuple[object, ...], tuple[Place, ...]]
"""A memo key and the caller's identity statements: callers with equal ones get the same edges but for the source."""


_Static = tuple[int, tuple[str, ...], tuple[tuple[int, int], ...], int]
"""The key's part a profile shares on a resource (a number), the context keys read, the identity
statements' positions, and a number for those keys and positions (what a caller's own part is read by)."""


class Repeats(Enum):
    """What `SharedOutcomes.edges_of` yields for a caller whose edges an earlier caller's give."""

    MOVED = "moved"
    """Its own edges (the earlier caller's, moved to it)."""
    ELIDED = "elided"
    """None: the consumer reuses what it made of the earlier caller's edges."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the callers of one profile share on one resource in one `edges_of` call."""

    groups: list[ActionGroup]
    static: _Static | None


@dataclass(slots=True)
class SharedOutcomes:
    """`evaluate_pair` for resources, memoized on everything the outcome depends on (module docstring)."""

    _memo: dict[tuple[object, ...], _Outcome] = field(default_factory=dict)
    _keys: dict[tuple[str, str | None, str], frozenset[str]] = field(default_factory=dict)
    _named: dict[str, Named | None] = field(default_factory=dict)
    _identity: dict[str, tuple[object, ...]] = field(default_factory=dict)
    _identity_parts: dict[tuple[int, int, bool], tuple[LoadedPolicy | None, Levels | None, tuple[object, ...]]] = field(
        default_factory=dict)
    _context: dict[str, tuple[dict[str, object], frozenset[str]]] = field(default_factory=dict)
    _classes: dict[str, tuple[object, ...]] = field(default_factory=dict)
    _sides: dict[str, tuple[dict[str, object], frozenset[str]]] = field(default_factory=dict)
    _static: dict[tuple[object, ...], _Static] = field(
        default_factory=dict)
    _type_profiles: dict[tuple[str, str], int] = field(default_factory=dict)
    _sides_of: dict[str, int] = field(default_factory=dict)
    _bearings: dict[tuple[int, str], tuple[tuple[int, str], ...]] = field(default_factory=dict)
    _matched: dict[tuple[str, str, str], tuple[int, ...] | None] = field(default_factory=dict)
    _numbers: dict[tuple[object, ...], int] = field(default_factory=dict)
    _own: dict[tuple[str, int], tuple[tuple[Place, ...], tuple[object, ...]]] = field(default_factory=dict)
    _side_values: dict[tuple[str, int], tuple[object, ...]] = field(default_factory=dict)
    _counter: int = 0
    hits: int = 0
    misses: int = 0

    def prepare(self, caller: Caller, resource_types: Iterable[str]) -> None:
        """Memoize what `edges_of` reads of `caller` on any resource of these types (`LazyEdges.prepare`)."""
        self._context_of(caller)
        for resource_type in resource_types:
            self._type_profile_of(caller, resource_type)

    def edges(self, caller: Caller, target: Target, resource: Resource, *, only: str | None = None) -> list[EdgeSpec]:
        """The edges from `caller` to `resource` (see `common.evaluate_pair`).

        With `only` (an action pattern), just the catalogue actions it matches are evaluated.
        """
        edges, _ = self._edges(caller, target, resource, only, {})
        return edges or []  # None only for the repeats `edges_of` elides

    def edges_of(self, callers: Iterable[Caller], target: Target, resource: Resource, *, only: str | None = None,
                 repeats: Repeats = Repeats.MOVED) -> Iterator[tuple[Caller, list[EdgeSpec] | None, Shared | None]]:
        """`edges` for many callers of one resource, with what the callers of one profile share paid once.

        Callers of the same profile (kind, boundary, SCP levels and the identity policies that can bear
        on the resource's type, at the same places: `_type_profile_of`) whom the resource
        side may name through the same statements get the same candidate actions and the same
        static part of the key: those are worked out for the first of them only. What tells them
        apart (node, account, naming, the context values the policies read) is still read for each.

        Yields:
            Each caller, its edges, and a token equal for two callers whose edges are the same but
            for their source (None: the caller was evaluated alone). With `repeats` ELIDED, a caller
            whose token an earlier caller of this call had gets None for edges: its edges are that
            caller's with its own node as source (every edge of a caller starts at its node).
        """
        plans: dict[tuple[int, tuple[int, ...] | None], _Plan] = {}
        seen: set[Shared] | None = set() if repeats is Repeats.ELIDED else None
        for caller in callers:
            edges, token = self._edges(caller, target, resource, only, plans, seen)
            yield caller, edges, token

    def _edges(self, caller: Caller, target: Target, resource: Resource, only: str | None,
               plans: dict[tuple[int, tuple[int, ...] | None], _Plan],
               seen: set[Shared] | None = None) -> tuple[list[EdgeSpec] | None, Shared | None]:
        among = naming_statements(caller, target)
        plan_key = (self._type_profile_of(caller, resource.type), among)
        plan = plans.get(plan_key)
        if plan is None:
            groups = _restricted(action_groups(resource, caller, target), only)
            static = self._static_of(caller, target, resource, groups, among) if groups else None
            plan = plans[plan_key] = _Plan(groups, static)
        groups = plan.groups
        if not groups:
            return [], None
        signed = self._signature(caller, target, resource, groups, plan.static)
        if signed is None:
            return evaluate_pair(caller, target, groups), None
        if seen is not None:
            if signed in seen:
                self.hits += 1
                return None, signed
            seen.add(signed)
        key, places = signed
        found = self._memo.get(key)
        if found is not None and (found.portable or found.arn == target.arn):
            self.hits += 1
            mapping = {} if found.places == places else {a: b for a, b in zip(found.places, places) if a != b}
            return _moved(found.edges, caller.node, target.node, mapping), signed
        self.misses += 1
        edges = evaluate_pair(caller, target, groups)
        if found is None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = _Outcome(edges, places, target.arn, target.account,
                                       _portable(edges, target.arn, target.account))
            return edges, signed
        if seen is not None:
            seen.discard(signed)
        return edges, None  # evaluated here but another resource's outcome holds the key: not shared

    def _signature(self, caller: Caller, target: Target, resource: Resource, groups: list[ActionGroup],
                   static: _Static | None = None) -> Shared | None:
        """The memo key: the outcome's inputs, with the resource's ARN and account as stand-ins.

        Two resources share a key when their policy texts are the same but for their own ARN and
        account, and every statement of every policy of the request covers both or neither
        (by the evaluator's matching); statements with policy variables in Resource keep the ARN.
        `static`: the caller's profile's part, when already known (`_static_of`). None: evaluate alone
        (the one way in: tests replace it to compare with unshared evaluations).
        """
        if static is None:
            static = self._static_of(caller, target, resource, groups, naming_statements(caller, target))
        return self._signed(caller, target, static)

    def _static_of(self, caller: Caller, target: Target, resource: Resource, groups: list[ActionGroup],
                   among: tuple[int, ...] | None) -> _Static:
        """The part of the key every caller of the caller's profile shares on `resource` (memoized)."""
        # keyed by the identity policies that bear on this resource (with their places), not by every
        # identity text: a caller's own inline policy that cannot touch the resource must not split the key
        bearing_key = (self._type_profile_of(caller, resource.type), target.node)
        bearing = self._bearings.get(bearing_key)
        if bearing is None:
            if len(self._bearings) >= _MEMO_LIMIT:
                self._bearings.clear()
            with_children = resource.type == ResourceType.S3_BUCKET
            bearing = self._bearings[bearing_key] = tuple(
                (position, loaded.text) for position, loaded in enumerate(caller.identity)
                if _bearing(loaded.text, resource.type, resource.arn, with_children))
        static_key = (target.node, self._side_of(caller), bearing,
                      tuple((group.resource, group.mask, group.scope) for group in groups), among)
        static = self._static.get(static_key)
        if static is None:
            if len(self._static) >= _MEMO_LIMIT:
                self._static.clear()
            part, keys, positions = self._static_part(caller, target, resource, groups, among)
            static = self._static[static_key] = (self._interned(part), keys, positions,
                                                 self._interned(("own", keys, positions)))
        return static

    def _signed(self, caller: Caller, target: Target, static: _Static) -> Shared | None:
        """The memo key from the profile's static part and what is this caller's own (None: evaluate it alone)."""
        naming = self._naming(caller, target)
        if naming is None:
            return None
        part, keys, positions, reading = static
        # the caller's places and context values for these keys and positions, kept across questions:
        # every resource of a "*" grant's type asks them again of the same thousands of callers
        own = self._own.get((caller.node, reading))
        if own is None:
            if len(self._own) >= _MEMO_LIMIT:
                self._own.clear()
            identity = caller.identity
            places = tuple([(identity[position].policy_id, index) for position, index in positions])
            if keys:
                values, absent = self._context_of(caller)
                seen = tuple([values[key] if key in values else _ABSENT if key in absent else None for key in keys])
            else:
                seen = ()
            own = self._own[(caller.node, reading)] = (places, seen)
        places, seen = own
        return (part, caller.account == target.account, naming, reading, seen,
                self._target_values(target, keys, reading)), places

    def _target_values(self, target: Target, keys: tuple[str, ...], reading: int) -> tuple[object, ...]:
        """The resource side's values of the context keys (`reading` numbers `keys`)."""
        found = self._side_values.get((target.node, reading))
        if found is None:
            if len(self._side_values) >= _MEMO_LIMIT:
                self._side_values.clear()
            side, side_absent = self._target_context(target)
            found = self._side_values[(target.node, reading)] = tuple([
                side[key] if key in side else _ABSENT if key in side_absent else None for key in keys])
        return found

    def _static_part(self, caller: Caller, target: Target, resource: Resource, groups: list[ActionGroup],
                     among: tuple[int, ...] | None) -> tuple[tuple[object, ...], tuple[str, ...], tuple[tuple[int, int], ...]]:
        """The key's part that callers of the same identity texts, boundary and SCPs share on one resource,
        the context keys its policies read, and where its identity statements sit.

        `among`: the resource policy's statements that may name the caller (`naming_statements`); only
        they are matched against the groups' ARNs, and the part holds them."""
        projection = project(caller, resource)
        policies = self._policies(projection, caller, target)
        keys: set[str] = set()
        applies: list[tuple[int, ...] | None] = []
        portable = True
        for group in groups:
            for loaded in policies:
                if among is not None and loaded is target.policy:
                    matched = _applies(loaded.policy, loaded.text, resource.type, group.resource, among)
                else:
                    matched = self._applies_of(loaded, resource.type, group.resource)
                portable = portable and matched is not None
                applies.append(matched)
        for loaded in policies:
            keys |= self._keys_of(loaded, resource.type)
        arn, account = target.arn, target.account
        shape = tuple((_normal(group.resource, arn, account), group.mask,
                       None if group.scope is None else _normal(group.scope, arn, account)) for group in groups)
        texts = tuple(_normal(text, arn, account) for text in projection.texts)
        where = self._class_of(target, resource) if portable else (target.node,)
        return ((where, caller.kind, texts, self._identity_of(caller), shape, tuple(applies), among),
                tuple(sorted(keys)), projection.positions)

    def _applies_of(self, loaded: LoadedPolicy, resource_type: str, arn: str) -> tuple[int, ...] | None:
        # the policy already parsed (a parse without its id would be a second copy in the parser's cache)
        key = (loaded.text, resource_type, arn)
        if key in self._matched:
            return self._matched[key]
        if len(self._matched) >= _MEMO_LIMIT:
            self._matched.clear()
        found = self._matched[key] = _applies(loaded.policy, loaded.text, resource_type, arn)
        return found

    def _type_profile_of(self, caller: Caller, resource_type: str) -> int:
        """The caller's kind, boundary and SCP levels, and only its identity policies that can bear on a resource of this type (and where).

        The others hold no statement covering one of the type's actions (nor, for a bucket, naming
        an object of some bucket), so they add no candidate action and no identity statement to any
        request on such a resource: callers whose numbers are equal get the same candidate actions
        and the same static part of the key on every resource of the type. Far fewer distinct
        numbers than profiles: account-specific policies about other services drop out.
        """
        key = (caller.node, resource_type)
        found = self._type_profiles.get(key)
        if found is None:
            found = self._type_profiles[key] = self._interned(
                (caller.kind, self._side_of(caller), tuple((position, loaded.text) for position, loaded in
                                                            enumerate(caller.identity)
                                                            if _touches(loaded.text, resource_type))))
        return found

    def _side_of(self, caller: Caller) -> int:
        """A number for the caller's kind, boundary and SCP levels (its identity texts left out)."""
        found = self._sides_of.get(caller.node)
        if found is None:
            found = self._sides_of[caller.node] = self._interned((caller.kind, self._identity_of(caller)))
        return found

    def _interned(self, value: tuple[object, ...]) -> int:
        """A number standing for `value` in keys (hashing an int, not nested tuples of policy text).

        Numbers are never reused, so clearing the memos never makes two values share one."""
        found = self._numbers.get(value)
        if found is None:
            self._counter += 1
            found = self._numbers[value] = self._counter
        return found

    def _class_of(self, target: Target, resource: Resource) -> tuple[object, ...]:
        """The resource side but for the resource's own ARN and account."""
        found = self._classes.get(target.node)
        if found is None:
            arn, account = target.arn, target.account
            policy = None if target.policy is None else _normal(target.policy.text, arn, account)
            rcps = None if target.rcps is None else tuple(tuple((p.policy_id, p.text) for p in level)
                                                          for level in target.rcps)
            found = self._classes[target.node] = (resource.type, target.policy_kind, policy, rcps)
        return found
    @staticmethod
    def _policies(projection: Projection, caller: Caller, target: Target) -> list[LoadedPolicy]:
        policies = list(projection.policies)
        if caller.boundary is not None:
            policies.append(caller.boundary)
        policies += [p for level in caller.scps or () for p in level]
        if target.policy is not None:
            policies.append(target.policy)
        policies += [p for level in target.rcps or () for p in level]
        return policies

    def _keys_of(self, loaded: LoadedPolicy, resource_type: str) -> frozenset[str]:
        # keyed by type, not by its catalogue: hashing a tuple of hundreds of names costs more than the lookup
        key = (loaded.text, loaded.policy_id, resource_type)
        found = self._keys.get(key)
        if found is None:
            found = self._keys[key] = _statement_keys(loaded.policy, catalogue_masks(resource_type)[0])
        return found

    def _naming(self, caller: Caller, target: Target) -> object | None:
        """How the resource side can name the caller (None: it may name this very caller, evaluate it alone).

        A user or role is named through its account (by the statements naming that account) or not at
        all, unless an entry names a single principal of its account. Other callers (anyone, an account that was not collected, a
        service) are told apart by their node and principal themselves.
        """
        if caller.kind not in _SHARED_KINDS:
            return (caller.node, caller.principal, caller.in_dataset)
        named = self._named_on(target)
        if named is None or not caller.in_dataset:
            return None
        if caller.account in named.one_by_one:
            name = caller.principal.rsplit("/", 1)[-1].lower()
            if (caller.account, name) in named.names or (caller.account, "*") in named.names:
                return None
            # named through its account at most, like a caller of an account with no single entry
            return ("whole", named.whole_by.get(caller.account, ()))
        # the statements naming its account, not just whether one does: two accounts named by
        # different statements (one may allow GetObject, the other PutObject) must not share
        return named.whole_by.get(caller.account, ()) if caller.account is not None else ()

    def _named_on(self, target: Target) -> Named | None:
        if target.node not in self._named:
            policies = ([target.policy] if target.policy else []) + [p for level in target.rcps or () for p in level]
            self._named[target.node] = _named_accounts(policies)
        return self._named[target.node]

    def _identity_of(self, caller: Caller) -> tuple[object, ...]:
        """Everything else of the identity side the evaluation reads: boundary, SCP levels, service-linked."""
        found = self._identity.get(caller.node)
        if found is None:
            def ids(policies: tuple[LoadedPolicy, ...]) -> tuple[tuple[str, str], ...]:
                return tuple((p.policy_id, p.text) for p in policies)
            service_linked = "/aws-service-role/" in caller.principal or caller.principal.rsplit("/", 1)[-1].startswith(
                "AWSServiceRoleFor")
            # an account's callers share its SCP levels object: made once per (boundary, levels) object;
            # the entry holds both objects, so their ids cannot be reused while it stands
            parts = (id(caller.boundary), id(caller.scps), service_linked)
            held = self._identity_parts.get(parts)
            if held is not None and held[0] is caller.boundary and held[1] is caller.scps:
                found = held[2]
            else:
                found = (ids((caller.boundary,)) if caller.boundary else None,
                         None if caller.scps is None else tuple(ids(level) for level in caller.scps), service_linked)
                self._identity_parts[parts] = (caller.boundary, caller.scps, found)
            self._identity[caller.node] = found
        return found

    def _target_context(self, target: Target) -> tuple[dict[str, object], frozenset[str]]:
        found = self._sides.get(target.node)
        if found is None:
            values: dict[str, object] = {key.lower(): value for key, value in target.context.values.items()}
            found = self._sides[target.node] = (values, target.context.known_absent)
        return found

    def _context_of(self, caller: Caller) -> tuple[dict[str, object], frozenset[str]]:
        found = self._context.get(caller.node)
        if found is None:
            values: dict[str, object] = {key.lower(): value for key, value in caller.context.values.items()}
            found = self._context[caller.node] = (values, caller.context.known_absent)
        return found

