"""Which statements of a resource policy (or RCP) can name a caller, found without testing every Principal.

`PrincipalSet.match` admits a caller only through one of the caller's own names: its ARN (user,
role, session, federated user), its service or identity-provider name, its canonical id, its role
(partition, account, role name; sessions drop the role's path), its unique id, or its account. A
statement whose Principal lists none of them cannot name the caller. So the statements are indexed
by every name their Principal lists, and a caller is tested only against the statements listing
one of its names, plus those every caller must see: `"*"`, NotPrincipal (it names everyone but
those it lists) and no Principal at all (RCPs). The answer is the same as testing every statement;
a policy whose statements each name another account then costs one lookup per caller, not one
test per statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Protocol

from graph.policy.document import Policy
from graph.policy.principals import Caller, PrincipalSet

Name = tuple[str, object]
"""(facet, value): a name a Principal element can list, in the namespace of its facet."""


class _Named(Protocol):
    @property
    def principals(self) -> PrincipalSet | None: ...


def caller_names(caller: Caller, unique_ids: Iterable[str | None] = ()) -> tuple[Name, ...]:
    """Every name by which a Principal entry can admit `caller` (those `PrincipalSet.match` compares).

    Args:
        caller: the parsed caller.
        unique_ids: the caller's unique ids (`AIDA...`, `AROA...`) when known.
    """
    text = caller.text
    names: list[Name] = [("arn", text), ("service", text.lower()), ("federated", text), ("canonical", text),
                         ("role", (caller.partition, caller.account, caller.role_name or "")),
                         ("account", caller.account)]
    names += [("unique-id", unique_id) for unique_id in unique_ids if unique_id is not None]
    return tuple(names)


def _listed(principals: PrincipalSet) -> Iterable[Name]:
    for facet, values in (("arn", principals.arns), ("service", principals.services),
                          ("federated", principals.federated), ("canonical", principals.canonical_users),
                          ("role", principals.role_refs), ("unique-id", principals.unique_ids),
                          ("account", principals.accounts)):
        for value in values:
            yield facet, value


class NamingIndex:
    """The statements of a sequence indexed by the names their Principal element lists."""

    __slots__ = ("by_name", "always", "lists_unique_ids")

    def __init__(self, statements: Sequence[_Named]) -> None:
        by_name: dict[Name, list[int]] = {}
        always: list[int] = []
        for position, statement in enumerate(statements):
            principals = statement.principals
            if principals is None or principals.everyone:
                always.append(position)  # NotPrincipal, no Principal (RCPs), or "*"
                continue
            for name in _listed(principals):
                by_name.setdefault(name, []).append(position)
        self.by_name = {name: tuple(positions) for name, positions in by_name.items()}
        self.always = tuple(always)
        self.lists_unique_ids = any(facet == "unique-id" for facet, _ in self.by_name)
        """Whether a Principal lists a unique id (only then does a caller's unique id matter)."""

    def candidates(self, caller: Caller, unique_ids: Iterable[str | None] = ()) -> list[int]:
        """Positions (ascending) of the statements that may name `caller`; the others cannot.

        Args:
            caller: the parsed caller.
            unique_ids: the caller's unique ids when known (a Principal may list one).
        """
        found = set(self.always)
        get = self.by_name.get
        for name in caller_names(caller, unique_ids):
            found.update(get(name, ()))
        return sorted(found)


@lru_cache(maxsize=1024)
def policy_index(policy: Policy) -> NamingIndex:
    """The index of every statement of a policy (a position is the statement's index), built once per policy."""
    return NamingIndex(policy.statements)


def statements_listing_arn(policy: Policy, arn: str) -> frozenset[int]:
    """Indices of the statements whose Principal (not NotPrincipal) lists exactly this ARN."""
    statements = policy.statements
    return frozenset(statements[position].index for position in policy_index(policy).by_name.get(("arn", arn), ()))
