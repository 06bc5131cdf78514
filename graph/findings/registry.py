"""The catalogue of checks, and running them over one snapshot."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from graph.findings.context import CheckContext
from graph.findings.model import CheckInfo, Finding


@dataclass(frozen=True, slots=True)
class Check:
    """One check: its fixed description and the function that finds its findings."""

    info: CheckInfo
    run: Callable[[CheckContext], Iterable[Finding]]
    needs_graph: bool = False
    """Whether it reads the access graph (built only when such a check runs)."""


def all_checks() -> tuple[Check, ...]:
    """Every check, in catalogue order (trust, resource, service, principal, ACL, chain)."""
    from graph.findings import acl, chains, principals, resource, service, trust

    return (*trust.CHECKS, *resource.CHECKS, *service.CHECKS, *principals.CHECKS, *acl.CHECKS, *chains.CHECKS)


def check_infos() -> tuple[CheckInfo, ...]:
    """The description of every check (the SARIF rules)."""
    return tuple(check.info for check in all_checks())
