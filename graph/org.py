"""The organization tree as the evaluator needs it: SCP and RCP levels, org paths, exemptions.

SCPs and RCPs are evaluated per level (root, each OU down the path, the account): each level
must allow, and a level allows when one of its policies does (SEMANTICS §2.1 step 3, ER-4).
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.model import Organization, OrgPolicy, OrgPolicyType

PolicyLevels = tuple[tuple[OrgPolicy, ...], ...]
"""Policies attached at each level, from the root down to the account."""


@dataclass(frozen=True, slots=True)
class OrgIndex:
    """Per-account answers about the organization of a snapshot (or about its absence)."""

    organization: Organization | None
    _chains: dict[str, tuple[str, ...]]
    """Account id -> (root id, OU ids..., account id)."""
    _attached: dict[tuple[OrgPolicyType, str], tuple[OrgPolicy, ...]]
    _types_in_use: frozenset[OrgPolicyType]

    @classmethod
    def build(cls, organization: Organization | None) -> OrgIndex:
        """Index an organization tree (None when the snapshot has no organization data)."""
        if organization is None:
            return cls(None, {}, {}, frozenset())
        parents: dict[str, str] = {ou.id: ou.parent_id for ou in organization.organizational_units}
        chains: dict[str, tuple[str, ...]] = {}
        for account in organization.accounts:
            chain = [account.id]
            node = account.parent_id
            seen: set[str] = set()
            while node and node not in seen:
                seen.add(node)
                chain.append(node)
                node = parents.get(node, "")
            chains[account.id] = tuple(reversed(chain))
        attached: dict[tuple[OrgPolicyType, str], list[OrgPolicy]] = {}
        for policy in organization.policies:
            for target in policy.targets:
                attached.setdefault((policy.type, target), []).append(policy)
        return cls(
            organization,
            chains,
            {key: tuple(sorted(value, key=lambda p: p.id)) for key, value in attached.items()},
            frozenset(policy.type for policy in organization.policies),
        )

    @property
    def organization_id(self) -> str | None:
        """The organization's id, or None without organization data."""
        return self.organization.id if self.organization else None

    @property
    def management_account_id(self) -> str | None:
        """The management account's id, or None without organization data."""
        return self.organization.management_account_id if self.organization else None

    def in_org(self, account_id: str) -> bool:
        """Whether the account is a member (or the management account) of the organization."""
        return account_id in self._chains or account_id == self.management_account_id

    def org_path(self, account_id: str) -> str | None:
        """The `aws:PrincipalOrgPaths` / `aws:ResourceOrgPaths` value of an account, or None.

        AWS writes it as `o-id/r-id/ou-id/.../` (the path to the account's parent, slash-ended).
        """
        chain = self._chains.get(account_id)
        if self.organization is None or chain is None:
            return None
        return "/".join((self.organization.id, *chain[:-1])) + "/"

    def scp_levels(self, account_id: str) -> PolicyLevels | None:
        """SCP levels that filter principals of this account; None when SCPs do not apply.

        The management account is exempt, as are accounts outside the organization, and
        organizations with no SCP in their data (the policy type is not enabled).
        """
        return self._levels(OrgPolicyType.SCP, account_id)

    def rcp_levels(self, account_id: str) -> PolicyLevels | None:
        """RCP levels that protect resources of this account; None when RCPs do not apply."""
        return self._levels(OrgPolicyType.RCP, account_id)

    def _levels(self, policy_type: OrgPolicyType, account_id: str) -> PolicyLevels | None:
        if policy_type not in self._types_in_use or account_id == self.management_account_id:
            return None
        chain = self._chains.get(account_id)
        if chain is None:
            return None
        return tuple(self._attached.get((policy_type, node), ()) for node in chain)
