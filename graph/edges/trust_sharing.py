"""Assume-role outcomes shared between roles the evaluator cannot tell apart (issue 8).

One caller often meets hundreds of roles whose trust policy is the same text: every account's
`security-audit` role trusts the security account's auditor, every service role of an account
trusts `ec2.amazonaws.com` under the same `aws:SourceAccount` condition. For one caller and one
action, two roles get the same decision, conditions and proving statements when everything the
evaluation reads is equal:
- the trust policy text and the RCP levels of the role's account (same documents under the same ids);
- whether the role is in the caller's account (cross-account requests need both sides);
- the role-side value (or known absence) of every context key a statement covering the action
  reads, in any policy of the request;
- for every statement covering the action, in any policy of the request, whether its
  Resource/NotResource element covers the role's ARN, by the evaluator's own compiled matching
  (a statement with a policy variable in its Resource element makes the pair unshared).
The caller's side (identity policies, boundary, SCP levels, its own context) is fixed by its node,
kind and principal: that is true of every caller `resource_policy.named_callers` returns. The
edges of one role then stand for the other with the role's ARN put back as the edge's target and
as the trust grant's resource; no other part of an edge can name the role (conditions come from
the same texts and the same context values).

For a service or identity-provider caller, a role of another account whose trust text is the same
but for its own account id shares the answer with that id renamed, where renaming is sound
(graph/edges/account_renaming.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from graph import context
from graph.edges.account_renaming import STAND_IN, delimited, renamable, renamed
from graph.edges.common import Caller, EdgeSpec, Grant, Levels, NodeKind, load_policy
from graph.edges.principals import PrincipalIndex
from graph.edges.reads import LevelNumbers, Reads, flat, reads_of
from graph.model import Role, Tags

_MEMO_LIMIT = 200_000
"""Outcomes kept before the memo starts afresh (bounds memory on very large organizations)."""

CallerKey = tuple[str, str, str, bool]

TRUST_POLICY_ID = "trust policy"
"""The id every trust policy is parsed under: one parse (and one evaluator memo) per distinct text,
not per role (grants name a trust statement by the role, `Grant.resource`, never by this id)."""


@dataclass(slots=True)
class _Stored:
    edges: list[EdgeSpec]
    arn: str
    account: str


_RENAMABLE = frozenset({NodeKind.SERVICE, NodeKind.FEDERATED})
"""Callers without identity policies: their answer in one account may be another's renamed."""


def _moved(edges: list[EdgeSpec], arn: str) -> list[EdgeSpec]:
    """A representative role's edges for another role: its ARN as the target and in trust grants."""
    return [EdgeSpec(edge.source, arn, edge.kind, edge.actions, edge.status, edge.conditions, edge.deny_conditions,
                     tuple(grant if grant.resource is None else Grant(grant.policy, grant.statement, grant.sid, arn)
                           for grant in edge.granted_by),
                     edge.chained, edge.scope, edge.contested)
            for edge in edges]


@dataclass(slots=True)
class TrustOutcomes:
    """`evaluate_pair` for (caller, role) pairs, memoized on everything the outcome depends on (module docstring)."""

    principals: PrincipalIndex
    _memo: dict[tuple[object, ...], _Stored] = field(default_factory=dict)
    _callers: dict[tuple[CallerKey, str], Reads] = field(default_factory=dict)
    _targets: dict[tuple[str, int, str], Reads] = field(default_factory=dict)
    _levels: LevelNumbers = field(default_factory=LevelNumbers)
    _union: dict[tuple[frozenset[str], frozenset[str]], frozenset[str]] = field(default_factory=dict)
    _renamings: dict[tuple[object, ...], tuple[object, ...] | None] = field(default_factory=dict)
    _role_context: dict[tuple[str, Tags], tuple[tuple[tuple[str, str, object], ...], frozenset[str]]] = field(
        default_factory=dict)
    hits: int = 0
    misses: int = 0

    def edges(self, caller: Caller, role: Role, action: str, rcps: Levels | None,
              evaluate: Callable[[], list[EdgeSpec]]) -> list[EdgeSpec]:
        """The edges from `caller` to `role` for `action`; `evaluate` computes them when no equal pair was seen.

        Args:
            caller: the identity side (its node, kind and principal fix its policies).
            role: the role assumed.
            action: the STS action.
            rcps: the RCP levels protecting the role (None: none apply).
            evaluate: `evaluate_pair` of this very pair.
        """
        key = self._key(caller, role, action, rcps)
        if key is None:
            return evaluate()
        found = self._memo.get(key)
        if found is not None:
            self.hits += 1
            if found.arn == role.arn:
                return found.edges
            if found.account != role.account_id:
                return renamed(found.edges, caller.node, role.arn, found.account, role.account_id)
            return _moved(found.edges, role.arn)
        self.misses += 1
        edges = evaluate()
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = _Stored(edges, role.arn, role.account_id)
        return edges

    def _key(self, caller: Caller, role: Role, action: str, rcps: Levels | None) -> tuple[object, ...] | None:
        caller_key: CallerKey = (caller.node, str(caller.kind), caller.principal, caller.in_dataset)
        mine = self._callers.get((caller_key, action))
        if mine is None:
            policies = list(caller.request_identity) + ([caller.boundary.policy] if caller.boundary else [])
            mine = self._callers[(caller_key, action)] = reads_of(policies + flat(caller.scps), action)
        text = role.trust_policy.text
        account = role.account_id
        rcps_number = self._levels.of(rcps)
        renaming = self._renaming(caller, caller_key, text, account, rcps, rcps_number) if caller.kind in _RENAMABLE \
            else None
        # a renamable text's statements read the same keys and resources in every account (none holds the id)
        target_key = (text if renaming is None else str(renaming[-1]), rcps_number, action)
        theirs = self._targets.get(target_key)
        if theirs is None:
            trust = load_policy(role.trust_policy, TRUST_POLICY_ID)
            theirs = self._targets[target_key] = reads_of([trust.policy] + flat(rcps), action)
        if mine.templated or theirs.templated:
            return None
        keys = self._keys(mine.keys, theirs.keys)
        read: tuple[object, ...] = ()
        entries: tuple[tuple[str, str, object], ...] = ()
        if keys:
            # the role side's own entries for the keys read (as given: two spellings of a key stay apart)
            items, absent = self._context_of(role)
            entries = tuple(item for item in items if item[0] in keys)
            read = (entries, keys & absent)
        covered = (mine.covered(role.arn), theirs.covered(role.arn))
        if renaming is not None and not any(account in item[1] or account in str(item[2]) for item in entries):
            return (renaming, action, read, covered)
        return (caller_key, (text, rcps_number, action), caller.account == account, read, covered)

    def _renaming(self, caller: Caller, caller_key: CallerKey, text: str, account: str, rcps: Levels | None,
                  rcps_number: int) -> tuple[object, ...] | None:
        """The caller and trust text with the role's account as a stand-in, when renaming it is sound
        (graph/edges/account_renaming.py) as far as the texts and the caller go; None otherwise."""
        static_key = (caller_key, text, account, rcps_number)
        if static_key in self._renamings:
            return self._renamings[static_key]
        found: tuple[object, ...] | None = None
        normalized = text.replace(account, STAND_IN)
        if (all(delimited(value, account) for value in (text, caller.node, caller.principal))
                and not any(account in str(item) for item in caller.context.values.items())
                and not any(account in loaded.text for level in rcps or () for loaded in level)
                and renamable(normalized)):
            found = ("renamed", str(caller.kind), caller.node.replace(account, STAND_IN),
                     caller.principal.replace(account, STAND_IN), caller.in_dataset, account in caller.principal,
                     rcps_number, normalized)
        self._renamings[static_key] = found
        return found

    def _keys(self, mine: frozenset[str], theirs: frozenset[str]) -> frozenset[str]:
        found = self._union.get((mine, theirs))
        if found is None:
            found = self._union[(mine, theirs)] = mine | theirs
        return found

    def _context_of(self, role: Role) -> tuple[tuple[tuple[str, str, object], ...], frozenset[str]]:
        """The role side's context entries (lower-cased key, key, value) and known-absent keys."""
        key = (role.account_id, role.tags)  # all `context.for_role_as_resource` reads of the role
        found = self._role_context.get(key)
        if found is None:
            side = context.for_role_as_resource(role, self.principals.org)
            found = self._role_context[key] = (
                tuple((key.lower(), key, value) for key, value in side.values.items()), side.known_absent)
        return found

