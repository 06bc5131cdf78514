"""`kms-grant` edges: a KMS grant lets its grantee use the key (and its retiring principal retire it).

Rules (AWS KMS Developer Guide, "Grants in AWS KMS", "Grant constraints", "Retiring and revoking
grants"; CreateGrant and GrantListEntry API reference):
- A grant allows, never denies; it allows its `Operations` (`Decrypt` is `kms:Decrypt`) on exactly
  one key, to its `GranteePrincipal`: an account, a user, a role, an assumed-role session, a
  federated user, or (as ListGrants shows grants that services made) a service principal.
- Grantees use the permissions "just as they would if the permissions came from a key policy", so
  a grant is evaluated as a key-policy statement naming the grantee: same account, it works on
  its own (naming the account delegates to IAM); another account, the grantee's identity policies
  must also allow the operation (the cross-account rule, contested for grants: see ⚠ below);
  explicit Denies, SCPs and RCPs apply.
  Grants are not gated by the key policy (they are an alternative to it), but a Deny in the key
  policy still wins.
- ⚠ Contested: a cross-account grantee whose own IAM policies do not allow the operation. The KMS
  guide requires the caller's IAM allow across accounts for KEY POLICIES ("Allowing users in other
  accounts to use a KMS key": "Neither the key policy nor the IAM policy alone is sufficient"), but
  no AWS page we found says it for GRANTS ("Grants in AWS KMS": a grant is considered "along with
  key policies and IAM policies"; the grantee "can represent one or more identities in the same AWS
  account as the KMS key or in a different account"; "Examining grants": grants "are an
  alternative to the key policy"). A wrong "nobody can reach it" being the worst answer, when the
  ONLY thing stopping such a grant is the grantee's identity side being an implicit deny (no
  explicit Deny, SCPs, RCPs and boundary allow), the edge is kept: status `conditional`,
  `contested=True`, and a warning names the grant and the reason. Explicit Denies, SCPs, RCPs and
  permission boundaries still remove it.
- Constraints `EncryptionContextSubset` / `EncryptionContextEquals` limit the grant to requests with
  that encryption context: conditions on `kms:EncryptionContext:<key>` (and, for Equals,
  `kms:EncryptionContextKeys`) that a snapshot cannot know, so such edges are conditional.
- The `RetiringPrincipal` may call `kms:RetireGrant` on the grant.
Grants are read by the collector (`Grants` property of a key, the ListGrants entries); AWS
managed keys' grants are not collected (services make them for themselves).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from graph.edges.common import (
    ALLOW_ALL,
    ActionGroup,
    Caller,
    EdgeKind,
    EdgeSpec,
    Grant,
    PolicyKind,
    Status,
    Target,
    load_policy,
)
from graph.edges.grant_policy import GrantStatement, deny_statements, grant_edges, grant_target
from graph.edges.principals import PrincipalIndex, opaque_account_caller, service_caller
from graph.edges.resources import resource_target
from graph.edges.statements import account_of_principal, is_account_principal, session_role_arn
from graph.model import Resource, ResourceType, Snapshot

_OPERATION = re.compile(r"[A-Z][A-Za-z]+")
_SESSION = re.compile(r"arn:aws[a-z-]*:sts::\d{12}:assumed-role/[\w+=,.@-]+/[\w+=,.@-]+")
_USER_OR_ROLE = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:(user|role)/([\w+=,.@-]+/)*[\w+=,.@-]+")

GRANT = "kms-grant"
"""`granted_by` policy label of a KMS grant (its `sid` is the grant id, `statement` its index in `Grants`)."""
RETIRE = "kms:RetireGrant"
UNREAD_IDENTITY = "identity side not required for grants (contested)"
"""Policy id of the stand-in Allow that asks whether only the grantee's IAM implicit deny stops a grant."""


def edges(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str]) -> Iterator[EdgeSpec]:
    """Every `kms-grant` edge of the snapshot's keys."""
    collected = frozenset(account.id for account in snapshot.accounts)
    for account in snapshot.accounts:
        for key in account.resources:
            if key.type != ResourceType.KMS_KEY:
                continue
            grants = key.properties.get("Grants")
            if isinstance(grants, list) and grants:
                yield from _key_edges(key, grants, principals, collected, warnings)


Use = tuple[int, str, tuple[str, ...], dict[str, dict[str, Any]]]
"""(index in `Grants`, grant id, actions, conditions) of one grant for one principal."""
_EXAMPLES = 5


def _key_edges(key: Resource, grants: list[Any], principals: PrincipalIndex, collected: frozenset[str],
               warnings: list[str]) -> Iterator[EdgeSpec]:
    """The key's grants, grouped by principal: one policy (a statement per grant) and one evaluation per caller.

    Services make many grants to one grantee (one per volume, each with its own encryption
    context); grouping keeps that to one parse and one evaluation per grantee and key.
    """
    by_principal: dict[str, list[Use]] = {}
    for index, grant in enumerate(grants):
        where = f"{key.arn} grant {index}"
        if not isinstance(grant, dict) or not isinstance(grant.get("GranteePrincipal"), str) \
                or not isinstance(grant.get("Operations"), list):
            warnings.append(f"{where}: not a ListGrants entry (GranteePrincipal and Operations needed); skipped")
            continue
        grant_id = str(grant.get("GrantId") or grant.get("Name") or index)
        operations = [op for op in grant["Operations"] if isinstance(op, str) and _OPERATION.fullmatch(op)]
        if len(operations) != len(grant["Operations"]):
            warnings.append(f"{where}: operations other than KMS operation names are left out: "
                            f"{[op for op in grant['Operations'] if op not in operations]!r}")
        actions = tuple(sorted({f"kms:{op}" for op in operations}))
        if actions:
            by_principal.setdefault(grant["GranteePrincipal"], []).append(
                (index, grant_id, actions, _constraints(grant.get("Constraints"))))
        retiring = grant.get("RetiringPrincipal")
        if isinstance(retiring, str) and retiring:
            by_principal.setdefault(retiring, []).append((index, grant_id, (RETIRE,), {}))

    base = resource_target(key, principals)
    denies = deny_statements(key.policy)
    unmodelled: list[str] = []
    unused: list[str] = []
    contested: list[str] = []
    for principal, uses in by_principal.items():
        grantee = _grantee(principal, key.arn, principals, collected)
        if isinstance(grantee, str):
            unmodelled.extend(f"grant {index}: {grantee}" for index, *_ in uses)
            continue
        element, extra, callers = grantee
        statements = []
        for index, grant_id, granted, condition in uses:
            statement: dict[str, Any] = {"Sid": f"grant{index}", "Effect": "Allow", "Principal": element,
                                         "Action": list(granted), "Resource": "*"}
            merged = _merge(condition, extra)
            if merged:
                statement["Condition"] = merged
            statements.append(GrantStatement(statement, Grant(GRANT, index, grant_id, key.arn)))
        names = tuple(sorted({action for _, _, granted, _ in uses for action in granted}))
        target = grant_target(base, statements, denies, f"{key.arn} grants to {principal}", PolicyKind.KMS)
        groups = [ActionGroup(names, key.arn, (1 << len(names)) - 1)]
        for caller in callers:
            found = grant_edges(caller, target, groups, statements, EdgeKind.KMS_GRANT)
            yield from found
            if not (caller.in_dataset and caller.account != key.account_id and principal == caller.principal):
                continue
            covered = {action for edge in found for action in edge.actions}
            kept = [] if covered.issuperset(names) else _contested_edges(caller, target, groups, statements, found)
            yield from kept
            covered.update(action for edge in kept for action in edge.actions)
            if kept:
                contested.append(f"{caller.node} ({', '.join(a for e in kept for a in e.actions)})")
            if not covered.issuperset(names):
                unused.append(f"{caller.node} ({', '.join(a for a in names if a not in covered)})")
    if contested:
        warnings.append(f"{key.arn}: grant(s) to {_examples(contested, ', ')} kept as conditional, contested edges: "
                        "the grantee's own IAM policies do not allow these operations, which AWS documents as needed "
                        "across accounts for key policies but not for grants (nothing else denies them)")
    if unused:
        warnings.append(f"{key.arn}: grant(s) to {_examples(unused, ', ')} give no edge: an explicit Deny, an SCP, "
                        "an RCP or a permission boundary of the grantee stops them")
    if unmodelled:
        warnings.append(f"{key.arn}: {len(unmodelled)} grant(s) to principals the snapshot cannot model, no edge "
                        f"for them: {_examples(unmodelled, '; ')}")


def _examples(items: list[str], separator: str) -> str:
    """The first few items, and how many more (a key may hold thousands of grants)."""
    more = f"{separator}and {len(items) - _EXAMPLES} more" if len(items) > _EXAMPLES else ""
    return separator.join(items[:_EXAMPLES]) + more


def _contested_edges(caller: Caller, target: Target, groups: list[ActionGroup], statements: list[GrantStatement],
                     found: list[EdgeSpec]) -> list[EdgeSpec]:
    """Edges a cross-account grantee gets when its identity side's implicit deny is set aside.

    The caller keeps its own policies (their Denies still win), boundary and SCPs; a stand-in
    Allow is added to its identity side, so only an implicit deny there can be lifted. The actions
    it opens beyond `found` become `conditional`, `contested` edges (see the module docstring).
    """
    relaxed = replace(caller, identity=caller.identity + (load_policy(ALLOW_ALL, UNREAD_IDENTITY),))
    covered = {action for edge in found for action in edge.actions}
    kept = []
    for edge in grant_edges(relaxed, target, groups, statements, EdgeKind.KMS_GRANT):
        actions = tuple(action for action in edge.actions if action not in covered)
        if actions:
            granted_by = tuple(g for g in edge.granted_by if g.policy != UNREAD_IDENTITY)
            kept.append(replace(edge, actions=actions, status=Status.CONDITIONAL, granted_by=granted_by,
                                contested=True))
    return kept


def _constraints(raw: Any) -> dict[str, dict[str, Any]]:
    """Grant constraints as a policy Condition block on the encryption context."""
    if not isinstance(raw, dict):
        return {}
    condition: dict[str, dict[str, Any]] = {}
    subset = raw.get("EncryptionContextSubset")
    if isinstance(subset, dict) and subset:
        condition["StringEquals"] = {f"kms:EncryptionContext:{k}": str(v) for k, v in subset.items()}
    equals = raw.get("EncryptionContextEquals")
    if isinstance(equals, dict):
        if equals:
            condition.setdefault("StringEquals", {}).update(
                {f"kms:EncryptionContext:{k}": str(v) for k, v in equals.items()})
            condition["ForAllValues:StringEquals"] = {"kms:EncryptionContextKeys": sorted(equals)}
        else:  # the request must carry no encryption context at all
            condition["Null"] = {"kms:EncryptionContextKeys": "true"}
    return condition


def _merge(first: dict[str, dict[str, Any]], second: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    merged = {operator: dict(keys) for operator, keys in first.items()}
    for operator, keys in second.items():
        merged.setdefault(operator, {}).update(keys)
    return merged


Grantee = tuple[dict[str, Any], dict[str, dict[str, Any]], list[Caller]]
"""The Principal element naming a grantee, extra conditions, and the callers it stands for."""


def _grantee(value: str, key_arn: str, principals: PrincipalIndex, collected: frozenset[str]) -> Grantee | str:
    """The grantee as a Principal element, extra conditions and callers; or why it cannot be modelled."""
    if not value.startswith("arn:") and value.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        return {"Service": value}, {}, [service_caller(value)]
    account = account_of_principal(value)
    if account is None:
        return f"{value!r} is not an ARN, account id or service principal"
    org = principals.org
    if is_account_principal(value):
        # Naming the account delegates to its IAM policies, as in a key policy.
        callers = (principals.candidates(account, "kms", key_arn) if account in collected
                   else [opaque_account_caller(account, org)])
        return {"AWS": f"arn:aws:iam::{account}:root"}, {}, callers
    extra: dict[str, dict[str, Any]] = {}
    if _SESSION.fullmatch(value):
        # A grant to one session: the role's sessions match it only under that session name
        # (aws:userid of a session is "ROLEID:session-name"), unknown to a snapshot: conditional.
        role = session_role_arn(value)
        assert role is not None
        extra = {"StringLike": {"aws:userid": f"*:{value.split(':', 5)[5].split('/', 2)[2]}"}}
        value = role
    elif not _USER_OR_ROLE.fullmatch(value):
        return f"{value!r} is not an account, user, role, session or service principal (AWS infrastructure?)"
    if account not in collected:
        return {"AWS": value}, extra, [opaque_account_caller(account, org, principal=value)]
    caller = principals.find(value)
    if caller is None:
        return f"{value} is not in the snapshot of account {account} (deleted?)"
    # IAM matches principals by id, not path: name the role or user as the snapshot holds it.
    return {"AWS": caller.principal}, extra, [caller]
