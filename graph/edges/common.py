"""What every access edge is made of, and how one (caller, target) pair becomes edges.

Every decision goes through `graph.policy.evaluate`. To keep the number of evaluations small,
the candidate actions of a pair are split into classes: actions covered by exactly the same
statements (of every policy in the request) get the same decision, so each class is evaluated
once, and a class that no Allow statement of an identity or resource policy covers is skipped
(it can only be an implicit deny).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from typing import Any

from graph.context import RequestContext
from graph.errors import PolicyError
from graph.edges.catalog import summarize
from graph.edges.statements import (
    StatementShape,
    account_of_principal,
    is_account_principal,
    statement_covers_action,
    statement_may_match_resource,
    statement_shapes,
)
from graph.model import PolicyDocument
from graph.policy import Condition, Decision, Policy, Request, Result, evaluate, parse_caller, policy_from_text
from graph.policy.principal_index import policy_index


class NodeKind(StrEnum):
    """Kinds of graph nodes (SPEC §2)."""

    ACCOUNT = "account"
    USER = "user"
    ROLE = "role"
    SERVICE = "service"
    FEDERATED = "federated"
    PUBLIC = "public"
    RESOURCE = "resource"


class EdgeKind(StrEnum):
    """Kinds of graph edges (SPEC §2)."""

    MEMBER = "member"
    ASSUME_ROLE = "assume-role"
    ASSUME_ROLE_SAML = "assume-role-saml"
    ASSUME_ROLE_WEB_IDENTITY = "assume-role-web-identity"
    RESOURCE_POLICY = "resource-policy"
    IDENTITY_POLICY = "identity-policy"
    PASS_ROLE = "pass-role"
    """The caller passes a role to a service (or uses a resource that runs as it) and runs code as it."""
    PRIVILEGE_ESCALATION = "privilege-escalation"
    """The caller rewrites IAM (keys, policies, groups, trust) to act as another principal."""
    KMS_GRANT = "kms-grant"
    """A KMS grant on a key names the caller as grantee."""
    S3_ACL = "s3-acl"
    """A bucket ACL grants the caller (or everyone, or every AWS account)."""

    @property
    def is_assumption(self) -> bool:
        """Whether the hop gives temporary STS credentials of a role."""
        return self in (EdgeKind.ASSUME_ROLE, EdgeKind.ASSUME_ROLE_SAML, EdgeKind.ASSUME_ROLE_WEB_IDENTITY)


class Status(StrEnum):
    """Whether an edge is usable as is, or only when its conditions hold."""

    ALLOWED = "allowed"
    CONDITIONAL = "conditional"


class PolicyKind(StrEnum):
    """How the evaluator must treat the resource side (`Request.resource_policy_kind`)."""

    GENERIC = "generic"
    TRUST = "trust"
    KMS = "kms"


PUBLIC_NODE = "*"
ALLOW_ALL = PolicyDocument.from_dict(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
"""Identity side of a caller that stands for "any principal whose own policies allow it"."""


@dataclass(frozen=True, slots=True)
class Grant:
    """One statement that grants an edge."""

    policy: str
    """Policy ARN (managed), `<principal ARN>/inline/<name>` (inline), or "resource-policy" /
    "trust-policy" (then `resource` names the resource or role)."""
    statement: int
    sid: str | None
    resource: str | None = None

    def to_json(self) -> dict[str, object]:
        """The SPEC §4 `granted_by` entry."""
        entry: dict[str, object] = {"policy": self.policy, "statement": self.statement, "sid": self.sid}
        if self.resource is not None:
            entry["resource"] = self.resource
        return entry


@dataclass(frozen=True, slots=True)
class EdgeSpec:
    """One edge of the access graph, as the edge modules produce it."""

    source: str
    target: str
    kind: EdgeKind
    actions: tuple[str, ...]
    status: Status
    conditions: tuple[Condition, ...] = ()
    deny_conditions: tuple[Condition, ...] = ()
    granted_by: tuple[Grant, ...] = ()
    chained: bool = False
    """An assume-role hop made with role-session credentials (role chaining, 1-hour cap)."""
    scope: str | None = None
    """S3 key prefix the grant is limited to (None: the resource as a whole)."""
    contested: bool = False

    def attributes(self) -> dict[str, object]:
        """The networkx edge attributes (docs/CONTRACTS.md)."""
        return {
            "kind": str(self.kind), "actions": self.actions, "access_levels": summarize(self.actions),
            "status": str(self.status), "conditions": self.conditions, "deny_conditions": self.deny_conditions,
            "granted_by": self.granted_by, "chained": self.chained, "scope": self.scope, "contested": self.contested,
        }


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    """A policy document for the evaluator, with the text the pre-filters read.

    `policy` is parsed the first time it is read: most resource policies are only pre-filtered by
    the build (`statement_shapes`) and evaluated when a question needs them (`graph.edges.lazy`).
    Equality is that of (text, policy_id), which decide the parsed policy.
    """

    text: str
    parsed: Policy | None = field(compare=False, repr=False)
    """The parsed policy, once read (None before)."""
    policy_id: str

    @property
    def policy(self) -> Policy:
        """The document parsed by the evaluator under `policy_id` (raises PolicyError when it does not parse)."""
        found = self.parsed
        if found is None:
            try:
                found = policy_from_text(self.text, policy_id=self.policy_id)
            except PolicyError as error:  # a document the snapshot checks let through: say which one it is
                raise PolicyError(error.message, f"{self.policy_id}: {error.location}") from error
            object.__setattr__(self, "parsed", found)  # a cache: equal threads racing here store equal policies
        return found


def load_policy(document: PolicyDocument, policy_id: str) -> LoadedPolicy:
    """A document for the evaluator, parsed (through its cache) when first read."""
    return LoadedPolicy(document.text, None, policy_id)


Levels = tuple[tuple[LoadedPolicy, ...], ...]


@dataclass(frozen=True, slots=True)
class Caller:
    """The identity side of a request: who calls, with which policies."""

    node: str
    kind: NodeKind
    principal: str
    """The principal as the evaluator sees it (ARN, account root ARN, service name, "*")."""
    account: str | None
    identity: tuple[LoadedPolicy, ...]
    boundary: LoadedPolicy | None
    scps: Levels | None
    context: RequestContext
    in_dataset: bool = True
    request_context: dict[str, Any] = field(init=False, repr=False, compare=False)
    _parsed: _RequestPolicies | None = field(init=False, repr=False, compare=False)
    """The parsed policies, built the first time a request needs them (most callers are never evaluated
    before a question: their identity policies are not parsed until then)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "request_context", self.context.as_request_context())
        object.__setattr__(self, "_parsed", None)

    def _request_policies(self) -> _RequestPolicies:
        found = self._parsed
        if found is None:
            found = (tuple(p.policy for p in self.identity), self.boundary.policy if self.boundary else None,
                     _levels(self.scps))
            object.__setattr__(self, "_parsed", found)  # a cache: threads racing here store equal values
        return found

    @property
    def request_identity(self) -> tuple[Policy, ...]:
        """The parsed identity policies as a `Request` wants them (built once, not per evaluation)."""
        return self._request_policies()[0]

    @property
    def request_boundary(self) -> Policy | None:
        """The parsed permissions boundary."""
        return self._request_policies()[1]

    @property
    def request_scps(self) -> tuple[tuple[Policy, ...], ...] | None:
        """The parsed SCP levels."""
        return self._request_policies()[2]


_RequestPolicies = tuple[tuple[Policy, ...], Policy | None, tuple[tuple[Policy, ...], ...] | None]


def _levels(levels: Levels | None) -> tuple[tuple[Policy, ...], ...] | None:
    return None if levels is None else tuple(tuple(p.policy for p in level) for level in levels)


@dataclass(frozen=True, slots=True)
class Target:
    """The resource side of a request: the resource (or role) and its policies."""

    node: str
    arn: str
    account: str
    policy: LoadedPolicy | None
    policy_kind: PolicyKind
    rcps: Levels | None
    context: RequestContext
    request_context: dict[str, Any] = field(init=False, repr=False, compare=False)
    _rcps_parsed: list[tuple[tuple[Policy, ...], ...] | None] = field(init=False, repr=False, compare=False)
    """The parsed RCP levels once a request needs them (most targets are evaluated on demand, if ever)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "request_context", self.context.as_request_context())
        object.__setattr__(self, "_rcps_parsed", [])

    @property
    def request_rcps(self) -> tuple[tuple[Policy, ...], ...] | None:
        """The parsed RCP levels as a `Request` wants them (built once, not per evaluation)."""
        if not self._rcps_parsed:
            self._rcps_parsed.append(_levels(self.rcps))
        return self._rcps_parsed[0]


@dataclass(frozen=True, slots=True)
class ActionGroup:
    """Candidate actions evaluated against one ARN: a subset (bit mask) of a catalogue."""

    names: tuple[str, ...]
    """The catalogue (shared by every group of a resource type), sorted."""
    resource: str
    """The ARN the actions are evaluated on (a bucket, `bucket/*`, `bucket/prefix*`, a role...)."""
    mask: int
    """Bit i set: `names[i]` is a candidate."""
    scope: str | None = None
    """S3 key prefix this group stands for (None: the whole resource)."""

    @classmethod
    def single(cls, action: str, resource: str) -> ActionGroup:
        """One action on one ARN."""
        return cls((action,), resource, 1)


@lru_cache(maxsize=65536)
def statement_masks(text: str, names: tuple[str, ...]) -> tuple[tuple[int, bool, int], ...]:
    """(statement index, is Allow, bit mask of the catalogue actions its Action element covers)."""
    masks = []
    for shape in statement_shapes(text):
        mask = _element_mask(shape.actions, shape.not_action, names)
        if mask:
            masks.append((shape.index, shape.allows, mask))
    return tuple(masks)


@lru_cache(maxsize=65536)
def _element_mask(actions: tuple[str, ...], not_action: bool, names: tuple[str, ...]) -> int:
    """The catalogue actions an Action (or NotAction) element covers, as a bit mask.

    Keyed by the element: thousands of account-specific policies repeat a few elements, and a
    question's first sight of each policy would otherwise match every catalogue name against it."""
    shape = StatementShape(0, "Allow", actions, not_action, (), False, (), False)
    mask = 0
    for bit, name in enumerate(names):
        if statement_covers_action(shape, name):
            mask |= 1 << bit
    return mask


@lru_cache(maxsize=262144)
def _relevant(text: str, resource: str) -> frozenset[int]:
    """Statements of a policy whose Resource element may apply to `resource`."""
    return frozenset(shape.index for shape in statement_shapes(text) if statement_may_match_resource(shape, resource))


def _relevant_among(text: str, resource: str, indices: tuple[int, ...]) -> frozenset[int]:
    """`_relevant` of just these statements (a caller's own, out of a policy of thousands)."""
    shapes = _shapes_by_index(text)
    return frozenset(index for index in indices
                     if index in shapes and statement_may_match_resource(shapes[index], resource))


_AWS_CALLERS = frozenset({NodeKind.USER, NodeKind.ROLE})
_PASS_THROUGH = frozenset({"aws", "service", "federated"})


@lru_cache(maxsize=65536)
def _naming_statements(policy: Policy, principal: str, unique_ids: tuple[str, ...]) -> tuple[int, ...]:
    try:
        caller = parse_caller(principal)
    except ValueError:
        # the evaluator refuses such a principal with a RequestError; no statement is left out here
        return tuple(statement.index for statement in policy.statements)
    statements = policy.statements
    return tuple(statements[position].index for position in policy_index(policy).candidates(caller, unique_ids))


def _unique_ids(caller: Caller, target: Target) -> tuple[str, ...]:
    """Every unique id `aws:userid` may give the caller (the evaluator reads the first; all are kept)."""
    found: list[str] = []
    for context in (caller.request_context, target.request_context):
        for key, value in context.items():
            if key.lower() == "aws:userid":
                values = value if isinstance(value, (list, tuple)) else [value]
                found += [str(item).split(":", 1)[0] for item in values]
    return tuple(sorted(set(found)))


_INDEX_FROM = 8
"""Statements from which a resource policy's statements are looked up by the names they list."""


def naming_statements(caller: Caller, target: Target) -> tuple[int, ...] | None:
    """Indices (ascending) of the resource-side statements whose Principal or NotPrincipal may name `caller`.

    The evaluator leaves every other statement out of the caller's evaluation (`graph.policy.principal_index`),
    so they can neither split its actions into classes nor grant it: a policy whose statements each
    name another account then costs each caller its own statements, not all of them. None: every
    statement (no resource policy, or one of fewer than 8 statements, where a look-up costs more
    than it saves).
    """
    if target.policy is None or len(target.policy.policy.statements) < _INDEX_FROM:
        return None
    return _naming_statements(target.policy.policy, caller.principal, _unique_ids(caller, target))


@lru_cache(maxsize=65536)
def _shapes_by_index(text: str) -> dict[int, StatementShape]:
    return {shape.index: shape for shape in statement_shapes(text)}


@lru_cache(maxsize=65536)
def statement_masks_by_index(text: str, names: tuple[str, ...]) -> dict[int, tuple[bool, int]]:
    """`statement_masks` by statement index: (is an Allow, mask of the names its Action covers)."""
    return {index: (is_allow, mask) for index, is_allow, mask in statement_masks(text, names)}


@lru_cache(maxsize=262144)
def _naming(text: str, kind: NodeKind, account: str | None,
            candidates: tuple[int, ...] | None) -> tuple[frozenset[int], frozenset[int]]:
    """Allow statements of a resource policy that could name a caller, and those that could grant it alone.

    Only `candidates` (`naming_statements`; None: all) can name the caller at all. For a collected user or
    role: an entry names it only if it is `"*"`, NotPrincipal, or an AWS entry of its own account
    (an id, root, user, role or session ARN); an entry tied to no account (a unique id, a
    canonical user) is kept. Of those, naming the account only delegates to the caller's identity
    policies (SEMANTICS 2.2, 5), so it never grants alone. For other callers every candidate Allow
    statement is kept in both sets.
    """
    named, alone = set(), set()
    if candidates is None:
        shapes: Iterable[StatementShape] = statement_shapes(text)
    else:
        by_index = _shapes_by_index(text)
        shapes = [by_index[index] for index in candidates if index in by_index]
    for shape in shapes:
        if not shape.allows:
            continue
        if kind not in _AWS_CALLERS or shape.not_principal:
            named.add(shape.index)
            alone.add(shape.index)
            continue
        for ref in shape.principals:
            if ref.kind == "public" or ref.kind not in _PASS_THROUGH:
                named.add(shape.index)
                alone.add(shape.index)
            elif ref.kind == "aws" and account_of_principal(ref.value) in (None, account):
                named.add(shape.index)
                if not is_account_principal(ref.value):
                    alone.add(shape.index)
    return frozenset(named), frozenset(alone)


def _flat(levels: Levels | None) -> tuple[LoadedPolicy, ...]:
    return tuple(policy for level in levels or () for policy in level)


def _request(caller: Caller, target: Target, action: str, resource: str) -> Request:
    """The request of one pair; its classes differ only in action and resource (`dataclasses.replace`)."""
    return Request(
        principal=caller.principal, action=action, resource=resource, resource_account=target.account,
        identity_policies=caller.request_identity, permission_boundary=caller.request_boundary,
        resource_policy=target.policy.policy if target.policy else None,
        scps=caller.request_scps, rcps=target.request_rcps,
        context={**caller.request_context, **target.request_context}, unknown_context=True,
        known_absent=caller.context.known_absent | target.context.known_absent,
        resource_policy_kind=str(target.policy_kind),
    )


def _edge_kind(caller: Caller, target: Target, action: str, result: Result) -> EdgeKind:
    if target.policy_kind is PolicyKind.TRUST:
        lowered = action.lower()
        if lowered == "sts:assumerolewithsaml":
            return EdgeKind.ASSUME_ROLE_SAML
        if lowered == "sts:assumerolewithwebidentity":
            return EdgeKind.ASSUME_ROLE_WEB_IDENTITY
        return EdgeKind.ASSUME_ROLE
    same_account = caller.in_dataset and caller.kind in (NodeKind.USER, NodeKind.ROLE) and caller.account == target.account
    if same_account and any(ref.policy_type == "identity" and ref.effect == "Allow" for ref in result.matched):
        return EdgeKind.IDENTITY_POLICY
    return EdgeKind.RESOURCE_POLICY


def grants_of(policy_kind: PolicyKind, resource: str, result: Result) -> tuple[Grant, ...]:
    """The Allow statements behind a decision, as `granted_by` entries (resource side first named by `resource`)."""
    label = "trust-policy" if policy_kind is PolicyKind.TRUST else "resource-policy"
    grants = set()
    for ref in result.matched:
        if ref.effect != "Allow":
            continue
        if ref.policy_type == "resource":
            grants.add(Grant(label, ref.statement, ref.sid, resource))
        elif ref.policy_type == "identity":
            grants.add(Grant(ref.policy_id or f"identity policy {ref.policy_index}", ref.statement, ref.sid))
    return tuple(sorted(grants, key=lambda g: (g.policy, g.statement, g.resource or "")))


def _split(classes: list[int], covered: int) -> list[int]:
    return [part for cls in classes for part in (cls & covered, cls & ~covered) if part]


@lru_cache(maxsize=65536)
def _fixed_classes(names: tuple[str, ...], resource: str, mask: int, texts: tuple[str, ...]) -> tuple[int, ...]:
    """The classes of `mask` split by the statements of policies that cannot grant (boundary, SCPs, RCPs).

    The same for every caller of an account without a boundary, so it is computed once for them.
    """
    classes = [mask]
    for text in texts:
        relevant = _relevant(text, resource)
        for index, _, statement_mask in statement_masks(text, names):
            covered = statement_mask & mask
            if covered and index in relevant:
                classes = _split(classes, covered)
    return tuple(classes)


def _classes(group: ActionGroup, grantors: list[LoadedPolicy], identities: int, fixed: tuple[str, ...],
             rule: Grantable, naming: tuple[frozenset[int], frozenset[int]],
             resource_side: tuple[int, ...] | None) -> list[int]:
    """Split the group's actions into classes covered by the same statements; keep the grantable ones.

    `grantors[:identities]` are the identity policies, followed by the resource policy if any;
    `fixed` the texts of the policies that can only limit (boundary, SCPs, RCPs); `naming` is
    what `_naming` says of the resource policy, and `resource_side` its statements that may name the
    caller (`naming_statements`; the others do not apply to it). A class that `rule` says no Allow
    statement of the grantors could grant can only be an implicit deny.
    """
    classes = list(_fixed_classes(group.names, group.resource, group.mask, fixed))
    identity = resource_named = resource_alone = 0
    named, alone = naming
    for position, loaded in enumerate(grantors):
        is_identity = position < identities
        among = None if is_identity else resource_side
        relevant = (_relevant(loaded.text, group.resource) if among is None
                    else _relevant_among(loaded.text, group.resource, among))
        for index, is_allow, mask in _statements_of(loaded.text, group.names, among):
            covered = mask & group.mask
            if not covered or index not in relevant:
                continue
            if is_allow and is_identity:
                identity |= covered
            elif is_allow:
                resource_named |= covered if index in named else 0
                resource_alone |= covered if index in alone else 0
            classes = _split(classes, covered)
    if rule is Grantable.BOTH_SIDES:
        grantable = identity & resource_named
    elif rule is Grantable.RESOURCE_SIDE:
        grantable = resource_named
    elif rule is Grantable.OWN_POLICY:
        grantable = resource_alone | (identity & resource_named)
    else:
        grantable = identity | resource_alone
    return [cls for cls in classes if cls & grantable]


def _statements_of(text: str, names: tuple[str, ...],
                   indices: tuple[int, ...] | None) -> Iterable[tuple[int, bool, int]]:
    """`statement_masks` of a policy, limited to `indices` (ascending) when given."""
    if indices is None:
        return statement_masks(text, names)
    masks = statement_masks_by_index(text, names)
    return [(index, *masks[index]) for index in indices if index in masks]


class Grantable(StrEnum):
    """Which Allow statements can grant a pair on their own (SEMANTICS 2.2, 2.3, 3.1, 4.1)."""

    BOTH_SIDES = "both-sides"
    """A user or role of another account: its identity policies and the resource policy must both allow."""
    RESOURCE_SIDE = "resource-side"
    """A caller without identity policies of ours (service, provider, anyone, an account not collected)."""
    OWN_POLICY = "own-policy"
    """Same account, trust or key policy: it must allow, by naming the caller or by delegating to identity."""
    EITHER = "either"
    """Same account, other resources: an identity Allow, or a resource-policy Allow naming the caller."""


def _rule(caller: Caller, target: Target) -> Grantable:
    if caller.kind not in _AWS_CALLERS or not caller.in_dataset:
        return Grantable.RESOURCE_SIDE
    if caller.account != target.account:
        return Grantable.BOTH_SIDES
    return Grantable.EITHER if target.policy_kind is PolicyKind.GENERIC else Grantable.OWN_POLICY


def _names(group: ActionGroup, mask: int) -> list[str]:
    return [name for bit, name in enumerate(group.names) if mask >> bit & 1]


KMS_NO_CROSS_ACCOUNT: frozenset[str] = frozenset(name.lower() for name in (
    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DeleteImportedKeyMaterial", "kms:DisableKey",
    "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetParametersForImport",
    "kms:ImportKeyMaterial", "kms:ListKeyPolicies", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ReplicateKey",
    "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
    "kms:UpdateKeyDescription", "kms:UpdatePrimaryRegion",
))
"""Key-management operations that have no effect when granted to another account's principals.

KMS guide, "Allowing users in other accounts to use a KMS key": cross-account permission is
effective only for the cryptographic operations, DescribeKey, GetPublicKey and the grant operations;
"if you give a principal in a different account ... kms:ScheduleKeyDeletion permission on a KMS key in
a key policy, the user's attempts to call those operations on your resources still fail" (and the
"Cross-account use: No" rows of the AWS KMS permissions table). Listed as the operations that do NOT
work, so that an operation this list does not know (a new one) is never silently dropped."""


@lru_cache(maxsize=4096)
def _kms_cross_account_mask(names: tuple[str, ...]) -> int:
    """The catalogue actions that still work on a KMS key from another account, as a bit mask."""
    return sum(1 << bit for bit, name in enumerate(names) if name.lower() not in KMS_NO_CROSS_ACCOUNT)


def _cross_account_groups(caller: Caller, target: Target, groups: Sequence[ActionGroup]) -> Sequence[ActionGroup]:
    """The groups without the KMS operations a caller of another account cannot use on the key.

    Applies to users, roles, uncollected accounts and the public node (which stands for principals of
    every account; the key's own principals are evaluated as themselves), not to service principals
    or identity providers."""
    if target.policy_kind is not PolicyKind.KMS or caller.account == target.account \
            or caller.kind in (NodeKind.SERVICE, NodeKind.FEDERATED):
        return groups
    kept = []
    for group in groups:
        mask = group.mask & _kms_cross_account_mask(group.names)
        if mask:
            kept.append(group if mask == group.mask else replace(group, mask=mask))
    return kept


_SESSION_NAME_KEY = "sts:RoleSessionName"
"""The key a session's name is given under when the role is assumed (IAM and STS condition keys reference)."""


def session_of(caller: Caller, session_arn: str) -> Caller:
    """A collected role's caller acting as one named session of it (`arn:aws:sts::A:assumed-role/R/S`)."""
    return replace(caller, principal=session_arn)


def session_name(caller: Caller) -> str | None:
    """The session name when a role's node calls as one specific session of it (`session_of`), else None."""
    if caller.kind is not NodeKind.ROLE or ":assumed-role/" not in caller.principal:
        return None
    return caller.principal.split(":assumed-role/", 1)[1].split("/", 1)[-1]


def evaluate_pair(caller: Caller, target: Target, groups: Sequence[ActionGroup]) -> list[EdgeSpec]:
    """The edges from `caller` to `target`: one per distinct outcome, each with its actions.

    Args:
        caller: the identity side.
        target: the resource side.
        groups: candidate actions with the ARN each group is evaluated against.

    Returns:
        Edges for the actions the evaluator allows or allows conditionally; prefix-scoped S3
        edges only carry actions not already allowed on the whole bucket.
    """
    groups = _cross_account_groups(caller, target, groups)
    grantors: list[LoadedPolicy] = list(caller.identity) + ([target.policy] if target.policy else [])
    resource_side = naming_statements(caller, target)
    naming = (_naming(target.policy.text, caller.kind, caller.account, resource_side)
              if target.policy else (frozenset(), frozenset()))
    rule = _rule(caller, target)
    fixed = tuple(p.text for p in ([caller.boundary] if caller.boundary else []) + list(_flat(caller.scps))
                  + list(_flat(target.rcps)))

    outcomes: dict[tuple[EdgeKind, Status, tuple[Condition, ...], tuple[Condition, ...], tuple[Grant, ...], str | None, bool],
                   list[str]] = {}
    base: Request | None = None
    for group in groups:
        for cls in _classes(group, grantors, len(caller.identity), fixed, rule, naming, resource_side):
            representative = group.names[(cls & -cls).bit_length() - 1]
            if base is None:
                base = _request(caller, target, representative, group.resource)
            else:
                base = replace(base, action=representative, resource=group.resource)
            result = evaluate(base)
            if result.decision not in (Decision.ALLOWED, Decision.CONDITIONAL):
                continue
            status = Status.ALLOWED if result.decision == Decision.ALLOWED else Status.CONDITIONAL
            # the edge kind only depends on the action for trust policies, whose groups hold one action
            key = (_edge_kind(caller, target, representative, result), status, tuple(result.conditions),
                   tuple(result.deny_conditions), grants_of(target.policy_kind, target.arn, result), group.scope, bool(result.contested))
            outcomes.setdefault(key, []).extend(_names(group, cls))

    session = session_name(caller)
    if session is not None:  # a policy naming one session of the role: only a session of that name has it
        named = Condition(_SESSION_NAME_KEY, "StringEquals", (session,))
        outcomes = {(kind, Status.CONDITIONAL, (*conditions, named), denies, grants, scope, contested): actions
                    for (kind, _, conditions, denies, grants, scope, contested), actions in outcomes.items()}
    whole = {action for key, actions in outcomes.items() if key[5] is None for action in actions}
    chained = caller.kind is NodeKind.ROLE and target.policy_kind is PolicyKind.TRUST
    edges = []
    for (kind, status, conditions, deny_conditions, grants, scope, contested), actions in outcomes.items():
        kept = sorted(set(actions) - whole) if scope is not None else sorted(set(actions))
        if kept:
            edges.append(EdgeSpec(caller.node, target.node, kind, tuple(kept), status, conditions, deny_conditions,
                                  grants, chained, scope, contested))
    return edges


def dedupe(callers: Iterable[Caller]) -> list[Caller]:
    """Callers without repeats, in a stable order."""
    seen: dict[str, Caller] = {}
    for caller in callers:
        seen.setdefault(caller.node, caller)
    return [seen[node] for node in sorted(seen)]
