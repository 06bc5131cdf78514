"""Value types of an evaluation: the decision, residual conditions and deciding statements."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Decision(StrEnum):
    """AWS's decision words (SPEC section 5), plus `conditional` for three-valued mode."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"
    CONDITIONAL = "conditional"


class PolicyType(StrEnum):
    """Where a statement comes from (SPEC section 5 `policy_type`)."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    BOUNDARY = "boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"


@dataclass(frozen=True, slots=True, order=True)
class Condition:
    """One residual condition: what must hold at request time (SPEC section 4 HOP `conditions`)."""

    key: str
    operator: str
    values: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """`{"key", "operator", "values"}`."""
        return {"key": self.key, "operator": self.operator, "values": list(self.values)}

    def describe(self) -> str:
        """A short human form, e.g. `sts:ExternalId StringEquals [abc]`."""
        return f"{self.key} {self.operator} [{', '.join(self.values)}]"


@dataclass(frozen=True, slots=True, order=True)
class StatementRef:
    """A statement that decided (SPEC section 5 `matched_statements` entry)."""

    policy_type: str
    """identity | resource | boundary | session | scp | rcp."""
    policy_index: int
    """Index of the policy within its type (for SCPs/RCPs: counted across levels, root first)."""
    statement: int
    """Index of the statement within the policy."""
    sid: str | None
    effect: str
    """"Allow" or "Deny"."""
    policy_id: str | None = None
    """The policy's ARN or resource ARN, when the caller gave one."""
    level: int | None = None
    """For SCPs and RCPs: the organization level (0 = root)."""

    def to_json(self) -> dict[str, Any]:
        """The SPEC section 5 shape, plus `policy_id` / `level` when known."""
        result: dict[str, Any] = {"policy_type": self.policy_type, "policy_index": self.policy_index,
                                  "statement": self.statement, "sid": self.sid, "effect": self.effect}
        if self.policy_id is not None:
            result["policy_id"] = self.policy_id
        if self.level is not None:
            result["level"] = self.level
        return result
