"""What a finding is: a check's verdict on one statement, grant or path, with the proof and the fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph.external import ExternalAccessReport


class Severity(StrEnum):
    """How bad a finding is, from the worst down."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical down to 0 for info, so `a.rank >= b.rank` means "at least as bad"."""
        return _RANKS[self]

    def at_least(self, other: Severity) -> bool:
        """Whether this severity is `other` or worse."""
        return self.rank >= other.rank

    @classmethod
    def parse(cls, text: str) -> Severity:
        """The severity named `text` (any case); raises ValueError naming the choices."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(member.value for member in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of {choices})") from None


_RANKS = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}


class PolicyKind(StrEnum):
    """Which kind of policy a statement comes from."""

    TRUST = "trust"
    """A role's trust policy (the role's resource policy)."""
    RESOURCE = "resource"
    """A resource's own policy (bucket, key, topic, queue, ...)."""
    ACL = "acl"
    """An S3 access control list (not a policy document; `statement` is the grant's index)."""


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """The fixed description of one check (one SARIF rule)."""

    id: str
    """Stable id such as `XPT-TRUST-001`; never reused for another meaning."""
    name: str
    """PascalCase short name (SARIF `rule.name`)."""
    title: str
    """One line: what is wrong."""
    severity: Severity
    """Default severity; a finding may be raised or lowered with a stated reason."""
    description: str
    """Why it matters, in two or three sentences."""
    help_uri: str
    """The AWS documentation page the check relies on."""


@dataclass(frozen=True, slots=True)
class StatementLocation:
    """The policy statement that proves a finding."""

    policy: str
    """The policy's ARN, or for trust and resource policies the role or resource ARN."""
    policy_kind: PolicyKind
    statement: int
    """Index of the statement within the policy (or of the grant within an ACL)."""
    sid: str | None

    def describe(self) -> str:
        """E.g. `trust policy of arn:...:role/X, statement 0 (Sid "Vendor")`."""
        sid = f' (Sid "{self.sid}")' if self.sid else ""
        noun = {PolicyKind.TRUST: "trust policy", PolicyKind.RESOURCE: "resource policy",
                PolicyKind.ACL: "ACL"}[self.policy_kind]
        item = "grant" if self.policy_kind is PolicyKind.ACL else "statement"
        return f"{noun} of {self.policy}, {item} {self.statement}{sid}"

    def to_json(self) -> dict[str, Any]:
        """`{"policy", "policy_kind", "statement", "sid"}`."""
        return {"policy": self.policy, "policy_kind": self.policy_kind.value, "statement": self.statement,
                "sid": self.sid}


@dataclass(frozen=True, slots=True)
class PathHop:
    """One hop of a path that proves a graph-level finding."""

    source: str
    target: str
    edge: str
    """Edge kind: member, assume-role, resource-policy, identity-policy, ..."""
    status: str
    """allowed or conditional."""
    conditions: tuple[str, ...] = ()
    """Residual conditions in words (e.g. `sts:ExternalId StringEquals [abc]`)."""

    def to_json(self) -> dict[str, Any]:
        """`{"from", "to", "edge", "status", "conditions"}`."""
        return {"from": self.source, "to": self.target, "edge": self.edge, "status": self.status,
                "conditions": list(self.conditions)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One risky trust, grant or path."""

    check_id: str
    severity: Severity
    title: str
    """One line, naming the thing (e.g. `Role VendorAudit trusts account 999999999999 without sts:ExternalId`)."""
    arn: str
    """The role or resource at risk."""
    account_id: str | None
    remediation: str
    """What to change, in concrete terms."""
    statement: StatementLocation | None = None
    path: tuple[PathHop, ...] = ()
    details: tuple[tuple[str, str], ...] = ()
    """Extra facts as sorted (name, value) pairs (e.g. the external account, the service)."""

    @property
    def key(self) -> tuple[str, ...]:
        """Identity of a finding across snapshots: check, ARN, the statement or path, and the details."""
        if self.statement is not None:
            # The Sid, when there is one, survives edits that shift statement indexes.
            where: tuple[str, ...] = (self.statement.policy, self.statement.sid or f"#{self.statement.statement}")
        else:
            where = tuple(hop.source for hop in self.path[:1]) + tuple(hop.target for hop in self.path)
        return (self.check_id, self.arn, *where, *(f"{name}={value}" for name, value in self.details))

    def proof(self) -> str:
        """The statement or path that proves the finding, in words."""
        if self.statement is not None:
            return self.statement.describe()
        return " -> ".join([self.path[0].source, *(f"[{hop.edge}] {hop.target}" for hop in self.path)]) \
            if self.path else ""

    def to_json(self) -> dict[str, Any]:
        """The `--json` shape of one finding."""
        return {
            "check_id": self.check_id,
            "severity": self.severity.value,
            "title": self.title,
            "arn": self.arn,
            "account": self.account_id,
            "statement": self.statement.to_json() if self.statement else None,
            "path": [hop.to_json() for hop in self.path],
            "remediation": self.remediation,
            "details": dict(self.details),
        }


class ExternalReport(Enum):
    """Whether a findings run also builds the external-access report (the costliest part at scale)."""

    BUILT = "built"
    """Every role and resource reachable from outside the organization, with the path in."""
    LEFT_OUT = "left-out"
    """Only the checks: the explorer's findings summary does not show the report."""


@dataclass(frozen=True, slots=True)
class FindingsSettings:
    """The knobs of one findings run."""

    trusted_accounts: frozenset[str] = frozenset()
    """Accounts outside the organization that the user vouches for (not reported as external)."""
    max_chain: int = 2
    """The longest role chain (in assume-role hops) that is not reported."""


@dataclass(frozen=True, slots=True)
class FindingsReport:
    """Every finding of one snapshot, sorted worst first, and what was checked."""

    findings: tuple[Finding, ...]
    checks: tuple[CheckInfo, ...]
    settings: FindingsSettings = field(default_factory=FindingsSettings)
    notes: tuple[str, ...] = ()
    """What limits the answer (e.g. accounts whose policies could not be read)."""
    external: ExternalAccessReport | None = None
    """Every role and resource reachable from outside the organization (None when the graph was not built)."""

    def at_least(self, severity: Severity) -> FindingsReport:
        """The same report without findings below `severity`."""
        kept = tuple(finding for finding in self.findings if finding.severity.at_least(severity))
        return FindingsReport(kept, self.checks, self.settings, self.notes, self.external)

    def worst(self) -> Severity | None:
        """The worst severity present, or None without findings."""
        return max((finding.severity for finding in self.findings), key=lambda s: s.rank, default=None)

    def to_json(self) -> dict[str, Any]:
        """The `findings --json` document."""
        return {
            "schema_version": 1,
            "settings": {"trusted_accounts": sorted(self.settings.trusted_accounts),
                         "max_chain": self.settings.max_chain},
            "checks": [{"id": check.id, "title": check.title, "severity": check.severity.value}
                       for check in self.checks],
            "findings": [finding.to_json() for finding in self.findings],
            "notes": list(self.notes),
            "external_access": self.external.to_json() if self.external is not None else None,
        }
