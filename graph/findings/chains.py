"""Role chains longer than a limit, found on the access graph.

AWS calls it role chaining when role-session credentials are used to assume another role (IAM
"Roles terms and concepts"); the first assumption, by a user, an identity provider, an account or
a service (EC2 instance profiles, Lambda execution roles), is not chaining. So the length of a
chain is its number of role-to-role assumptions: in `ci (OIDC) -> CiRunner -> DeployHub ->
DeployTarget -> LegacyReplication` it is 3. With the default limit of 2, a role at the end of 3 or
more chained hops is reported, at that role, with the chain as proof: every extra hop is access
granted by yet another trust policy, often in another account, and every chained session is capped
at one hour, a sign the path grew rather than was designed. A role counts by its SHORTEST chain:
one that a user can also assume directly is not reported because an admin could also reach it
the long way round.
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
    "Reaching the role takes more role-to-role assumptions than the limit (--max-chain, default 2). Long "
    "chains hide who really has access: each hop is granted by a different trust policy, often in another "
    "account.", CHAINING_DOC)


def _describe(condition: Any) -> str:
    describe = getattr(condition, "describe", None)
    return describe() if callable(describe) else str(condition)


def hop_of(graph: Any, source: str, target: str, data: dict[str, Any]) -> PathHop:
    """A path hop from one graph edge."""
    return PathHop(source, target, str(data.get("kind", "")), str(data.get("status", "allowed")),
                   tuple(_describe(condition) for condition in data.get("conditions", ())))


def _assume_edges(graph: Any, node: str, *, incoming: bool) -> list[tuple[str, dict[str, Any]]]:
    """The best assume-role edge to (or from) each neighbour: allowed before conditional, sorted by neighbour."""
    found: dict[str, dict[str, Any]] = {}
    edges = graph.in_edges(node, data=True) if incoming else graph.out_edges(node, data=True)
    for source, target, data in edges:
        other = source if incoming else target
        if data.get("kind") not in ASSUME_EDGES:
            continue
        if other not in found or (found[other].get("status") != "allowed" and data.get("status") == "allowed"):
            found[other] = data
    return sorted(found.items())


def long_chains(graph: Any, limit: int) -> dict[str, tuple[PathHop, ...]]:
    """Roles that need more than `limit` chained assumptions, each with its shortest chain.

    A role that some user, account, identity provider, service or `*` assumes directly needs 0
    chained hops; a role assumable only from roles needs one more than the nearest of them. The
    proof path starts with the direct assumption that opens the chain.
    """
    roles = sorted(node for node, kind in graph.nodes(data="kind") if kind == "role")
    chains: dict[str, tuple[PathHop, ...]] = {}
    for role in roles:
        for source, data in _assume_edges(graph, role, incoming=True):
            if graph.nodes[source].get("kind") != "role":
                chains[role] = (hop_of(graph, source, role, data),)
                break
    frontier = sorted(chains)
    while frontier:
        following: list[str] = []
        for role in frontier:
            for target, data in _assume_edges(graph, role, incoming=False):
                if graph.nodes[target].get("kind") == "role" and target not in chains:
                    chains[target] = (*chains[role], hop_of(graph, role, target, data))
                    following.append(target)
        frontier = sorted(following)
    return {role: chain for role, chain in chains.items() if len(chain) - 1 > limit}


def role_chains(ctx: CheckContext) -> Iterator[Finding]:
    """XPT-CHAIN-001: roles that need more than `max_chain` chained role assumptions to reach."""
    graph = ctx.access_graph.graph
    limit = ctx.settings.max_chain
    for role, path in sorted(long_chains(graph, limit).items()):
        attributes = graph.nodes[role]
        name = attributes.get("name") or role
        chained = len(path) - 1
        first = graph.nodes[path[1].source].get("name") or path[1].source
        yield Finding(
            LONG_CHAIN.id, LONG_CHAIN.severity,
            f"Role {name} is reached only through {chained} chained role assumptions (limit {limit}), "
            f"the shortest starting at role {first}",
            role, attributes.get("account"),
            f"Give the principals that need {name} a direct trust, or remove the intermediate trusts along "
            f"{' -> '.join([path[0].source, *(hop.target for hop in path)])} that nobody needs.",
            path=path, details=(("chained_hops", str(chained)),))


CHECKS: tuple[Check, ...] = (Check(LONG_CHAIN, role_chains, needs_graph=True),)
