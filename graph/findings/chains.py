"""Role chains longer than a limit, found on the access graph.

A chain is a sequence of role assumptions where each hop after the first is made with the
previous role's session credentials ("role chaining", IAM roles terms and concepts). We count
every assume-role hop (STS, SAML and web identity), starting from any principal, account,
identity provider or the public node. Hops from a service principal are not counted: credentials
a service hands out for its execution role (EC2 instance profiles, Lambda) are not chaining. With
the default limit of 2, `user -> roleA -> roleB` is fine and `user -> roleA -> roleB -> roleC` is
reported at roleC: every extra hop is a place where access is granted by someone else's policy,
and each chained session is capped at one hour, a sign the path was not designed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graph.findings.context import CheckContext
from graph.findings.model import CheckInfo, Finding, PathHop, Severity
from graph.findings.registry import Check

CHAINING_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html"

ASSUME_EDGES = frozenset({"assume-role", "assume-role-saml", "assume-role-web-identity"})

LONG_CHAIN = CheckInfo(
    "XPT-CHAIN-001", "RoleChainTooLong", "Role reachable only through a long role chain", Severity.LOW,
    "The role is reached by more consecutive role assumptions than the limit (--max-chain, default 2). Long "
    "chains hide who really has access: each hop is granted by a different trust policy, often in another "
    "account.", CHAINING_DOC)


def _describe(condition: Any) -> str:
    describe = getattr(condition, "describe", None)
    return describe() if callable(describe) else str(condition)


def hop_of(graph: Any, source: str, target: str, data: dict[str, Any]) -> PathHop:
    """A path hop from one graph edge."""
    return PathHop(source, target, str(data.get("kind", "")), str(data.get("status", "allowed")),
                   tuple(_describe(condition) for condition in data.get("conditions", ())))


def _assume_successors(graph: Any, node: str) -> list[tuple[str, dict[str, Any]]]:
    found: dict[str, dict[str, Any]] = {}
    for _, target, data in graph.out_edges(node, data=True):
        if data.get("kind") in ASSUME_EDGES and target not in found:
            found[target] = data
    return sorted(found.items())


def long_chains(graph: Any, limit: int) -> dict[str, tuple[PathHop, ...]]:
    """For each role at the end of a simple chain of more than `limit` hops, the first such chain found."""
    witnesses: dict[str, tuple[PathHop, ...]] = {}
    depth = limit + 1
    starts = sorted(node for node, kind in graph.nodes(data="kind") if kind != "service"
                    and any(data.get("kind") in ASSUME_EDGES for _, _, data in graph.out_edges(node, data=True)))

    def walk(node: str, path: list[PathHop], seen: set[str]) -> None:
        if len(path) == depth:
            witnesses.setdefault(node, tuple(path))
            return
        for target, data in _assume_successors(graph, node):
            if target in seen:
                continue
            seen.add(target)
            path.append(hop_of(graph, node, target, data))
            walk(target, path, seen)
            path.pop()
            seen.discard(target)

    for start in starts:
        walk(start, [], {start})
    return witnesses


def role_chains(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-CHAIN-001: roles at the end of a chain of more than `max_chain` assume-role hops."""
    graph = ctx.access_graph.graph
    limit = ctx.settings.max_chain
    for role, path in sorted(long_chains(graph, limit).items()):
        attributes = graph.nodes[role]
        name = attributes.get("name") or role
        yield Finding(
            LONG_CHAIN.id, LONG_CHAIN.severity,
            f"Role {name} is reached through a chain of {len(path)} role assumptions (limit {limit}), "
            f"starting at {path[0].source}",
            role, attributes.get("account"),
            f"Give the principals that need {name} a direct trust (one hop), or remove the intermediate trusts "
            f"along {' -> '.join([path[0].source, *(hop.target for hop in path)])} that nobody needs.",
            path=path, details=(("hops", str(len(path))),))


CHECKS: tuple[Check, ...] = (Check(LONG_CHAIN, role_chains, needs_graph=True),)
