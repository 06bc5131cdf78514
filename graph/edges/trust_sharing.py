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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from graph import context
from graph.edges.account_renaming import STAND_IN, delimited, renamable, renamed
from graph.edges.common import Caller, EdgeSpec, Grant, Levels, LoadedPolicy, NodeKind
from graph.edges.principals import PrincipalIndex
from graph.edges.reads import LevelNumbers, Reads, flat, reads_of
from graph.model import Role, Tags

_MEMO_LIMIT = 200_000
"""Outcomes kept before the memo starts afresh (bounds memory on very large organizations)."""

CallerKey = tuple[str, str, str, bool]


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
    _role_context: dict[tuple[str, Tags], tuple[tuple[tuple[str, str, object], ...], frozenset[str]]] = field(
        default_factory=dict)
    hits: int = 0
    misses: int = 0

    def edges(self, caller: Caller, role: Role, action: str, trust: LoadedPolicy, rcps: Levels | None,
              evaluate: Callable[[], list[EdgeSpec]]) -> list[EdgeSpec]:
        """The edges from `caller` to `role` for `action`; `evaluate` computes them when no equal pair was seen.

        Args:
            caller: the identity side (its node, kind and principal fix its policies).
            role: the role assumed.
            action: the STS action.
            trust: the role's trust policy, parsed.
            rcps: the RCP levels protecting the role (None: none apply).
            evaluate: `evaluate_pair` of this very pair.
        """
        key = self._key(caller, role, action, trust, rcps)
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

    def _key(self, caller: Caller, role: Role, action: str, trust: LoadedPolicy,
             rcps: Levels | None) -> tuple[object, ...] | None:
        caller_key: CallerKey = (caller.node, str(caller.kind), caller.principal, caller.in_dataset)
        mine = self._callers.get((caller_key, action))
        if mine is None:
            policies = list(caller.request_identity) + ([caller.boundary.policy] if caller.boundary else [])
            mine = self._callers[(caller_key, action)] = reads_of(policies + flat(caller.scps), action)
        rcps_number = self._levels.of(rcps)
        target_key = (trust.text, rcps_number, action)
        theirs = self._targets.get(target_key)
        if theirs is None:
            theirs = self._targets[target_key] = reads_of([trust.policy] + flat(rcps), action)
        if mine.templated or theirs.templated:
            return None
        keys = self._keys(mine.keys, theirs.keys)
        read: tuple[object, ...] = ()
        if keys:
            # the role side's own entries for the keys read (as given: two spellings of a key stay apart)
            items, absent = self._context_of(role)
            read = (tuple(item for item in items if item[0] in keys), keys & absent)
        covered = (mine.covered(role.arn), theirs.covered(role.arn))
        if caller.kind in _RENAMABLE:
            renaming = self._renaming_key(caller, role, trust, rcps, read)
            if renaming is not None:
                return (renaming, rcps_number, action, read, covered)
        return (caller_key, target_key, caller.account == role.account_id, read, covered)

    def _renaming_key(self, caller: Caller, role: Role, trust: LoadedPolicy, rcps: Levels | None,
                      read: tuple[object, ...]) -> tuple[object, ...] | None:
        """The caller and trust text with the role's account as a stand-in, when renaming it is sound
        (graph/edges/account_renaming.py); None otherwise."""
        account = role.account_id
        strings = (trust.text, caller.node, caller.principal)
        if not all(delimited(text, account) for text in strings):
            return None
        if account in repr(read) or account in repr(sorted(caller.context.values.items())):
            return None
        if any(account in loaded.text for level in rcps or () for loaded in level):
            return None
        normalized = trust.text.replace(account, STAND_IN)
        if not renamable(normalized):
            return None
        return ("renamed", str(caller.kind), caller.node.replace(account, STAND_IN),
                caller.principal.replace(account, STAND_IN), caller.in_dataset, account in caller.principal,
                normalized)

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

