"""An index of a snapshot for browsing: the organization tree, names, and lookups by id or ARN.

Built once per snapshot (in a worker) and read by the tree, the details pane and the command
palette. Only arranges what the model already holds; it decides nothing about access.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from typing import Any, Protocol

from graph.edges.version_label import labelled_version
from graph.model import Account, Group, ManagedPolicy, Resource, Role, Snapshot, User
from graph.outline import AccountOutline, SnapshotOutline, outline_of


class GrantLike(Protocol):
    """What the explorer reads from a graph `Grant`: which policy, and which resource or role it sits on."""

    @property
    def policy(self) -> str: ...

    @property
    def resource(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class NamedPolicy:
    """A policy document found in the snapshot, with a title saying what it is."""

    title: str
    document: Any


class RefKind(StrEnum):
    """What a browsable item is."""

    ROOT = "root"
    OU = "ou"
    ACCOUNT = "account"
    UNPLACED = "unplaced"
    """The group of collected accounts that the organization does not list."""
    OUTSIDE = "outside"
    """The group of accounts and principals outside the organization (from the graph)."""
    USERS = "users"
    ROLES = "roles"
    RESOURCES = "resources"
    RESOURCE_TYPE = "resource-type"
    USER = "user"
    ROLE = "role"
    RESOURCE = "resource"
    EXTERNAL = "external"
    """A graph node outside the collected data (external account, service, public, provider)."""


@dataclass(frozen=True, slots=True)
class Ref:
    """A pointer to one browsable item: its kind and its id (ARN, account id, OU id, ...)."""

    kind: RefKind
    id: str
    detail: str = ""
    """For groups inside an account: the account id; for resource types: "account|type"."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One searchable item, for the command palette and the tree filter."""

    ref: Ref
    label: str
    """What the user reads: a name, or an ARN."""
    account_id: str | None
    search_text: str
    """Lower-case text matched by searches (name, ARN, account id and name)."""


@dataclass(frozen=True, slots=True)
class Counts:
    accounts: int
    users: int
    roles: int
    resources: int
    errors: int


class Catalog:
    """Index of one snapshot; see the module docstring.

    Made from a model, or first from an outline (`graph.outline`): the organization, the accounts
    and their sizes are then known, but not what the accounts hold (`complete` is false, the
    lookups by ARN are empty and searches find accounts only) until a catalog of the model follows.
    """

    def __init__(self, source: Snapshot | SnapshotOutline) -> None:
        snapshot = source if isinstance(source, Snapshot) else None
        self.snapshot: Snapshot | None = snapshot
        """The model; None in a catalog made from an outline."""
        self.outline: SnapshotOutline = outline_of(source) if isinstance(source, Snapshot) else source
        self._outlines: dict[str, AccountOutline] = {account.id: account for account in self.outline.accounts}
        self.accounts: dict[str, Account] = {account.id: account for account in snapshot.accounts} if snapshot else {}
        self._org_names: dict[str, str | None] = {}
        self._children: dict[str, list[Ref]] = defaultdict(list)
        self._parents: dict[str, str] = {}
        self.users: dict[str, User] = {}
        self.groups: dict[str, Group] = {}
        self.roles: dict[str, Role] = {}
        self.resources: dict[str, Resource] = {}
        self.managed_policies: dict[str, ManagedPolicy] = {}
        self._entries: tuple[Entry, ...] | None = None
        self._index_organization()
        for account in snapshot.accounts if snapshot else ():
            self.users.update((user.arn, user) for user in account.users)
            self.groups.update((group.arn, group) for group in account.groups)
            self.roles.update((role.arn, role) for role in account.roles)
            self.resources.update((resource.arn, resource) for resource in account.resources)
            for policy in account.managed_policies:
                self.managed_policies.setdefault(policy.arn, policy)

    @property
    def complete(self) -> bool:
        """Whether the catalog holds the model (not only the outline)."""
        return self.snapshot is not None

    def account_outline(self, account_id: str) -> AccountOutline | None:
        """The collected account's name, sizes and collection errors; None when its data was not collected."""
        return self._outlines.get(account_id)

    def _index_organization(self) -> None:
        org = self.outline.organization
        listed: set[str] = set()
        if org is not None:
            for root in org.roots:
                self._org_names[root.id] = root.name
            for unit in sorted(org.organizational_units, key=lambda unit: unit.name.lower()):
                self._org_names[unit.id] = unit.name
                self._children[unit.parent_id].append(Ref(RefKind.OU, unit.id))
                self._parents[unit.id] = unit.parent_id
            for member in sorted(org.accounts, key=lambda member: (member.name or "").lower()):
                self._org_names[member.id] = member.name
                self._children[member.parent_id].append(Ref(RefKind.ACCOUNT, member.id))
                self._parents[member.id] = member.parent_id
                listed.add(member.id)
        self.unplaced: tuple[str, ...] = tuple(sorted(set(self._outlines) - listed))
        self.org_account_ids: frozenset[str] = frozenset(listed)

    def top_level(self) -> list[Ref]:
        """The tree's first level: organization roots, then collected accounts outside any root."""
        refs: list[Ref] = []
        org = self.outline.organization
        if org is not None:
            refs.extend(Ref(RefKind.ROOT, root.id) for root in org.roots)
        if self.unplaced:
            refs.append(Ref(RefKind.UNPLACED, "unplaced"))
        return refs

    def children(self, ref: Ref) -> list[Ref]:
        """The items shown under `ref` when it is expanded (outside-group children come from the graph)."""
        if ref.kind in (RefKind.ROOT, RefKind.OU):
            return list(self._children.get(ref.id, ()))
        if ref.kind is RefKind.UNPLACED:
            return [Ref(RefKind.ACCOUNT, account_id) for account_id in self.unplaced]
        if ref.kind is RefKind.ACCOUNT:
            return self._account_groups(ref.id)
        account = self.accounts.get(ref.detail)
        if account is None:
            return []
        if ref.kind is RefKind.USERS:
            return [Ref(RefKind.USER, user.arn) for user in sorted(account.users, key=lambda user: user.name.lower())]
        if ref.kind is RefKind.ROLES:
            return [Ref(RefKind.ROLE, role.arn) for role in sorted(account.roles, key=lambda role: role.name.lower())]
        if ref.kind is RefKind.RESOURCES:
            types = sorted({resource.type for resource in account.resources})
            return [Ref(RefKind.RESOURCE_TYPE, type_, account.id) for type_ in types]
        if ref.kind is RefKind.RESOURCE_TYPE:
            chosen = [resource for resource in account.resources if resource.type == ref.id]
            return [Ref(RefKind.RESOURCE, resource.arn)
                    for resource in sorted(chosen, key=lambda resource: self.resource_name(resource).lower())]
        return []

    def _account_groups(self, account_id: str) -> list[Ref]:
        account = self._outlines.get(account_id)
        if account is None:
            return []
        groups = []
        if account.users:
            groups.append(Ref(RefKind.USERS, f"{account_id}/users", account_id))
        if account.roles:
            groups.append(Ref(RefKind.ROLES, f"{account_id}/roles", account_id))
        if account.resources:
            groups.append(Ref(RefKind.RESOURCES, f"{account_id}/resources", account_id))
        return groups

    def has_children(self, ref: Ref) -> bool:
        """Whether `ref` can be expanded (cheap: no list is built for accounts)."""
        if ref.kind is RefKind.ACCOUNT:
            account = self._outlines.get(ref.id)
            return account is not None and bool(account.users or account.roles or account.resources)
        if ref.kind in (RefKind.USER, RefKind.ROLE, RefKind.RESOURCE, RefKind.EXTERNAL):
            return False
        if ref.kind is RefKind.OUTSIDE:
            return True
        return bool(self.children(ref)) if ref.kind in (RefKind.ROOT, RefKind.OU, RefKind.UNPLACED) else True

    def ancestors(self, ref: Ref) -> list[Ref]:
        """The chain of tree items above `ref`, outermost first (empty for unknown items)."""
        chain: list[Ref] = []
        account_id = self.account_of(ref)
        if ref.kind in (RefKind.USER, RefKind.ROLE, RefKind.RESOURCE) and account_id in self.accounts:
            if ref.kind is RefKind.USER:
                chain.append(Ref(RefKind.USERS, f"{account_id}/users", account_id))
            elif ref.kind is RefKind.ROLE:
                chain.append(Ref(RefKind.ROLES, f"{account_id}/roles", account_id))
            else:
                resource = self.resources[ref.id]
                chain.append(Ref(RefKind.RESOURCE_TYPE, resource.type, account_id))
                chain.append(Ref(RefKind.RESOURCES, f"{account_id}/resources", account_id))
            chain.append(Ref(RefKind.ACCOUNT, account_id))
            node_id = account_id
        elif ref.kind is RefKind.ACCOUNT:
            node_id = ref.id
        elif ref.kind is RefKind.OU:
            node_id = ref.id
        else:
            return []
        if node_id in self.unplaced:
            chain.append(Ref(RefKind.UNPLACED, "unplaced"))
        while node_id in self._parents:
            node_id = self._parents[node_id]
            kind = RefKind.OU if node_id.startswith("ou-") else RefKind.ROOT
            chain.append(Ref(kind, node_id))
        return list(reversed(chain))

    def account_of(self, ref: Ref) -> str | None:
        """The account that holds `ref` (for principals and resources), or the account itself."""
        if ref.kind is RefKind.ACCOUNT:
            return ref.id
        if ref.kind is RefKind.USER and ref.id in self.users:
            return self.users[ref.id].account_id
        if ref.kind is RefKind.ROLE and ref.id in self.roles:
            return self.roles[ref.id].account_id
        if ref.kind is RefKind.RESOURCE and ref.id in self.resources:
            return self.resources[ref.id].account_id
        return ref.detail or None

    def account_name(self, account_id: str) -> str | None:
        """The account's name from the organization, else from its own data."""
        name = self._org_names.get(account_id)
        if name:
            return name
        account = self._outlines.get(account_id)
        return account.name if account is not None else None

    def unit_name(self, unit_id: str) -> str:
        return self._org_names.get(unit_id) or unit_id

    @staticmethod
    def resource_name(resource: Resource) -> str:
        return resource.name or resource.arn.rsplit(":", 1)[-1]

    def ref_for(self, node_id: str) -> Ref | None:
        """The browsable item with this id or ARN, if the snapshot holds it."""
        if node_id in self._outlines or node_id in self.org_account_ids:
            return Ref(RefKind.ACCOUNT, node_id)
        if node_id in self.roles:
            return Ref(RefKind.ROLE, node_id)
        if node_id in self.users:
            return Ref(RefKind.USER, node_id)
        if node_id in self.resources:
            return Ref(RefKind.RESOURCE, node_id)
        if node_id.startswith("ou-") and node_id in self._org_names:
            return Ref(RefKind.OU, node_id)
        return None

    def short_name(self, node_id: str) -> str:
        """A compact name for an id or ARN: `dev 111111111111`, `role/App`, a bucket name."""
        if node_id in self._outlines or node_id in self._org_names:
            name = self.account_name(node_id)
            return f"{name} {node_id}" if name else node_id
        if node_id in self.resources:
            return self.resource_name(self.resources[node_id])
        if node_id.startswith("arn:") and ":iam::" in node_id:
            return node_id.split(":", 5)[-1]
        return node_id

    def counts(self) -> Counts:
        accounts = self.outline.accounts
        return Counts(
            accounts=len(self._outlines.keys() | self.org_account_ids),
            users=sum(account.users for account in accounts),
            roles=sum(account.roles for account in accounts),
            resources=sum(account.resources for account in accounts),
            errors=sum(len(account.errors) for account in accounts),
        )

    def entries(self) -> tuple[Entry, ...]:
        """Every account, user, role and resource of the snapshot, for searching (built once).

        While the catalog is not `complete` (an outline), only the accounts, listed again at each call.
        """
        if self._entries is None:
            entries = tuple(self._make_entries())
            if not self.complete:
                return entries
            self._entries = entries
        return self._entries

    def _make_entries(self) -> Iterator[Entry]:
        for account_id in sorted(self._outlines.keys() | self.org_account_ids):
            name = self.account_name(account_id) or ""
            label = f"{account_id} {name}".strip()
            yield Entry(Ref(RefKind.ACCOUNT, account_id), label, account_id, label.lower())
        for account in self.snapshot.accounts if self.snapshot else ():
            account_text = f"{account.id} {self.account_name(account.id) or ''}".lower()
            for user in account.users:
                yield Entry(Ref(RefKind.USER, user.arn), f"user/{user.name}", account.id,
                            f"{user.name} {user.arn} {account_text}".lower())
            for role in account.roles:
                yield Entry(Ref(RefKind.ROLE, role.arn), f"role/{role.name}", account.id,
                            f"{role.name} {role.arn} {account_text}".lower())
            for resource in account.resources:
                name = self.resource_name(resource)
                yield Entry(Ref(RefKind.RESOURCE, resource.arn), name, account.id,
                            f"{name} {resource.arn} {resource.type} {account_text}".lower())

    def grant_policy(self, grant: GrantLike) -> NamedPolicy | None:
        """The document that holds a granting statement, or None when the snapshot lacks it.

        Args:
            grant: A graph `Grant`: `policy` is a managed policy ARN, `<principal ARN>/inline/<name>`,
                or "resource-policy" / "trust-policy" with `resource` naming the resource or role.
        """
        if grant.policy == "resource-policy" and grant.resource in self.resources:
            resource = self.resources[grant.resource]
            if resource.policy is None:
                return None
            return NamedPolicy(f"resource policy of {self.resource_name(resource)}", resource.policy.as_dict())
        if grant.policy == "trust-policy" and grant.resource in self.roles:
            role = self.roles[grant.resource]
            return NamedPolicy(f"trust policy of role/{role.name} ({role.account_id})", role.trust_policy.as_dict())
        if "/inline/" in grant.policy:
            owner, _, name = grant.policy.partition("/inline/")
            holder: User | Role | Group | None = self.users.get(owner) or self.roles.get(owner) or self.groups.get(owner)
            for inline in holder.inline_policies if holder is not None else ():
                if inline.name == name:
                    return NamedPolicy(f"inline policy {name} of {self.short_name(owner)}", inline.document.as_dict())
            return None
        managed = self.managed_policies.get(grant.policy)
        if managed is None:
            return self._older_version(grant.policy)
        return NamedPolicy(f"managed policy {managed.arn}", managed.document.as_dict())

    def _older_version(self, label: str) -> NamedPolicy | None:
        """The non-default version an `iam:SetDefaultPolicyVersion` edge cites (graph/edges/policy_versions.py)."""
        named = labelled_version(label)
        if named is None or named[0] not in self.managed_policies:
            return None
        managed = self.managed_policies[named[0]]
        for version in managed.other_versions:
            if version.version_id == named[1]:
                return NamedPolicy(f"managed policy {managed.arn} version {named[1] or '(no VersionId)'} "
                                   "(not the default)", version.document.as_dict())
        return None

    def principal_policies(self, arn: str) -> list[NamedPolicy]:
        """Every policy that shapes what a user or role can do, or be done to (trust), in display order."""
        found: list[NamedPolicy] = []
        role = self.roles.get(arn)
        user = self.users.get(arn)
        if role is not None:
            found.append(NamedPolicy("trust policy", role.trust_policy.as_dict()))
        holder: User | Role | None = role or user
        if holder is None:
            return found
        found.extend(NamedPolicy(f"inline policy {inline.name}", inline.document.as_dict())
                     for inline in holder.inline_policies)
        found.extend(self._managed(policy_arn, "managed policy") for policy_arn in holder.managed_policy_arns)
        if user is not None:
            account = self.accounts.get(user.account_id)
            for group in account.groups if account is not None else ():
                if group.name not in user.group_names:
                    continue
                found.extend(NamedPolicy(f"group {group.name} inline policy {inline.name}", inline.document.as_dict())
                             for inline in group.inline_policies)
                found.extend(self._managed(policy_arn, f"group {group.name} managed policy")
                             for policy_arn in group.managed_policy_arns)
        if holder.permissions_boundary_arn:
            found.append(self._managed(holder.permissions_boundary_arn, "permissions boundary"))
        return found

    def _managed(self, policy_arn: str, what: str) -> NamedPolicy:
        managed = self.managed_policies.get(policy_arn)
        if managed is None:
            return NamedPolicy(f"{what} {policy_arn}", {"note": "document not in the snapshot"})
        return NamedPolicy(f"{what} {policy_arn}", managed.document.as_dict())
