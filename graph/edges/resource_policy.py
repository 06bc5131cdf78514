"""Who a resource-based policy (or a role trust policy) admits: the candidate callers.

A named user or role is a candidate as is (same account: the grant may work on its own).
A named account (`111111111111` or its root ARN) means "its principals whose own policies allow
it": for a collected account, each of its principals whose identity policies could cover the
action (then filtered by evaluation); for an account that was not collected, one opaque account
node that stands for all of them. `"*"` gives the public node, plus every collected principal whose
identity policies could cover the action (a `"*"` grant may be narrowed by an org condition, which
the evaluator decides per principal). Service principals get a service node; federated providers
(trust policies only) a federated node.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.edges.common import Caller, session_of
from graph.edges.principals import (
    PrincipalIndex,
    federated_caller,
    public_caller,
    service_caller,
)
from graph.edges.statements import (
    account_of_principal,
    is_account_principal,
    open_statement_principals,
    session_role_arn,
    statement_shapes,
)


@dataclass(frozen=True, slots=True)
class Scope:
    """What the candidates must be able to reach: a service on an ARN (and, for buckets, its objects)."""

    service: str
    arn: str
    account: str
    """The resource's (or role's) account: its own principals may need no identity Allow (SEMANTICS §2.2)."""
    with_children: bool = False


def admits_everyone(policy_text: str) -> bool:
    """Whether an Allow statement names `"*"` or uses NotPrincipal (then every account's principals are candidates)."""
    return any(shape.allows and (shape.not_principal or any(ref.kind == "public" for ref in shape.principals))
               for shape in statement_shapes(policy_text))


def named_callers(policy_text: str, principals: PrincipalIndex, collected: frozenset[str], scope: Scope,
                  warnings: list[str], *, where: str, other_accounts: bool = True) -> list[Caller]:
    """Candidate callers admitted by the Allow statements of a resource or trust policy.

    Args:
        policy_text: the policy document (canonical JSON).
        principals: the index of collected users and roles.
        collected: ids of the accounts whose principals the snapshot holds.
        scope: the service and ARN the callers want.
        warnings: receives one line per principal the policy names that the snapshot lacks.
        where: the resource or role, for warnings.
        other_accounts: for `"*"` and NotPrincipal, include the principals of accounts other than
            the resource's (False when `graph.edges.lazy` expands them on demand).
    """
    found: list[Caller] = []
    pinned = open_statement_principals(policy_text)
    for shape in statement_shapes(policy_text):
        if not shape.allows:
            continue
        if shape.not_principal:  # Allow + NotPrincipal: everyone except the listed ones
            found.extend(_everyone(principals, scope, other_accounts))
            found.extend(_pinned(pinned.get(shape.index, ()), collected, principals))
            continue
        for ref in shape.principals:
            if ref.kind == "public":
                found.extend(_everyone(principals, scope, other_accounts))
                found.extend(_pinned(pinned.get(shape.index, ()), collected, principals))
            elif ref.kind == "service":
                found.append(service_caller(ref.value))
            elif ref.kind == "federated":
                found.append(federated_caller(ref.value))
            elif ref.kind == "aws":
                found.extend(_aws_principal(ref.value, principals, collected, scope, warnings, where))
    return found


def _pinned(arns: tuple[str, ...], collected: frozenset[str], principals: PrincipalIndex) -> list[Caller]:
    """For `"*"` narrowed by `aws:PrincipalArn` to principals of accounts that were not collected: their
    account's node acting as that principal (as when a Principal entry names it), so that the
    condition is decided on the named ARN; the account's node alone would present its root ARN.
    Principals of collected accounts are candidates as themselves already."""
    found = []
    for arn in arns:
        account = account_of_principal(arn)
        if account is not None and account not in collected:
            found.append(principals.opaque(account, arn))
    return found


def _everyone(principals: PrincipalIndex, scope: Scope, other_accounts: bool) -> list[Caller]:
    """A `"*"` grant: the public node, every principal of the resource's own account (there the
    grant works without an identity Allow), every uncollected account the snapshot knows of (each
    stands for its principals, so `paths --from` it finds the grant), and elsewhere those whose
    identity policies could allow it."""
    found = [public_caller(), *principals.by_account.get(scope.account, ())]
    found += [principals.opaque(account) for account in principals.external_accounts]
    if other_accounts:
        found += principals.everywhere(scope.service, scope.arn, with_children=scope.with_children)
    return found


def _aws_principal(value: str, principals: PrincipalIndex, collected: frozenset[str], scope: Scope,
                   warnings: list[str], where: str) -> list[Caller]:
    account = account_of_principal(value)
    if account is None:
        warnings.append(f"{where}: names principal {value!r}, which is not an ARN or account id "
                        "(a unique id left by a deleted principal?); no edge for it")
        return []
    if is_account_principal(value):
        if account in collected:
            return principals.candidates(account, scope.service, scope.arn, with_children=scope.with_children)
        return [principals.opaque(account)]
    if account not in collected:
        return [principals.opaque(account, value)]
    role = session_role_arn(value)
    caller = principals.find(role or value)
    if caller is None:
        warnings.append(f"{where}: names {value}, which is not in the snapshot of account {account}")
        return []
    if role is not None:
        # one session of a collected role: the role's node, calling as that session (SEMANTICS ER-2: the
        # edge is conditional on the session name, `common.evaluate_pair`)
        return [session_of(caller, value)]
    return [caller]
