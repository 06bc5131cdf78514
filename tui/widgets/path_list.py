"""Paths as a tree: one line per path (its summary), one child line per hop, each hop marked by mechanism."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from graph.policy import Condition
from graph.query import AccessPath, Hop, PrincipalAccess
from tui.catalog import Catalog
from tui.literal import literal
from tui.words import Mechanism, conditions_in_words, edge_words, hop_arrow

_MECHANISM_STYLE = {
    Mechanism.ROLE_ASSUMPTION: "bold magenta",
    Mechanism.RESOURCE_GRANT: "bold green",
    Mechanism.IDENTITY_GRANT: "bold cyan",
    Mechanism.MEMBERSHIP: "dim",
    Mechanism.SERVICE_PASS: "bold yellow",
    Mechanism.ESCALATION: "bold red",
    Mechanism.OTHER: "bold",
}
_SHOWN_ACTIONS = 4
OPEN_PRINCIPALS = 30
"""Who-can answers with at most this many principals open with every path shown."""


@dataclass(frozen=True, slots=True)
class HopItem:
    """A hop in the list: which path, which position (1-based), and the hop."""

    path: int
    number: int
    hop: Hop


@dataclass(frozen=True, slots=True)
class PathItem:
    """A path line in the list."""

    path: int
    access_path: AccessPath


def path_deny_conditions(path: AccessPath) -> tuple[Condition, ...]:
    """Every Deny condition of every hop, once each, in hop order."""
    return tuple(dict.fromkeys(condition for hop in path.hops for condition in hop.deny_conditions))


def path_badge(path: AccessPath) -> str:
    """How the path gets there, in a few words: through STS (temporary) or a direct grant."""
    mechanisms = {edge_words(str(hop.kind)).mechanism for hop in path.hops}
    if Mechanism.ROLE_ASSUMPTION in mechanisms:
        return "via role assumption · temporary credentials"
    if path.hops and edge_words(str(path.hops[-1].kind)).mechanism is Mechanism.RESOURCE_GRANT:
        # a KMS grant or an ACL entry is named as such ("direct · KMS grant"), not as a resource policy
        return f"direct · {edge_words(str(path.hops[-1].kind)).badge.removesuffix(' · direct')}"
    return "direct · identity-policy grant"


def _actions(actions: Sequence[str]) -> str:
    shown = ", ".join(actions[:_SHOWN_ACTIONS])
    return shown + (f" +{len(actions) - _SHOWN_ACTIONS} more" if len(actions) > _SHOWN_ACTIONS else "")


def hop_label(catalog: Catalog, hop: Hop) -> Text:
    """One hop: `─assume-role (STS)→ role/X   role assumption · temporary   sts:AssumeRole   ⚠ needs …`."""
    words = edge_words(str(hop.kind))
    style = _MECHANISM_STYLE[words.mechanism]
    label = Text(f"─{hop_arrow(str(hop.kind), hop.actions)}→ ", style=style)
    label.append_text(literal(catalog.short_name(hop.target)))
    if words.badge:
        label.append(f"   [{words.badge}]", style=style)
    if hop.actions and words.mechanism is not Mechanism.MEMBERSHIP:
        label.append("   ")
        label.append_text(literal(_actions(hop.actions), "dim"))
    for sentence in conditions_in_words(hop.conditions, hop.deny_conditions):
        label.append("   ⚠ ", style="bold yellow")
        label.append_text(literal(sentence, "yellow"))
    return label


def path_label(catalog: Catalog, number: int, path: AccessPath) -> Text:
    """One path's summary line: `1  dev 111… → role/App → bucket   direct · resource-policy grant · 2 hops`."""
    label = Text(f"{number:>2}  ", style="bold")
    if path.hops:
        names = [catalog.short_name(path.hops[0].source)] + [catalog.short_name(hop.target) for hop in path.hops]
        label.append_text(literal(" → ".join(names)))
    label.append(f"   {path_badge(path)} · {len(path.hops)} hops", style="italic")
    if str(path.status) == "conditional":
        label.append("  conditional", style="bold yellow")
    return label


class PathList(Tree[HopItem | PathItem]):
    """Shows paths; highlighting a hop posts `HopChosen`."""

    class HopChosen(Message):
        """The user moved to (or selected) one hop."""

        def __init__(self, item: HopItem) -> None:
            super().__init__()
            self.item = item

    class PathChosen(Message):
        """The user moved to (or selected) a whole path."""

        def __init__(self, item: PathItem) -> None:
            super().__init__()
            self.item = item

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("paths"), id=id)
        self.show_root = False
        self.guide_depth = 2

    def show_paths(self, catalog: Catalog, paths: Sequence[AccessPath], *, parent: TreeNode[HopItem | PathItem] | None = None,
                   first: int = 1) -> None:
        """Lists paths (all expanded), under `parent` or at the top level.

        Args:
            catalog: The snapshot index (for names).
            paths: The paths, shortest first.
            parent: Where to add them (the tree's root by default).
            first: The number of the first path.
        """
        where = parent if parent is not None else self.root
        for offset, path in enumerate(paths):
            number = first + offset
            node = where.add(path_label(catalog, number, path), data=PathItem(number, path), expand=True)
            for position, hop in enumerate(path.hops, start=1):
                node.add_leaf(hop_label(catalog, hop), data=HopItem(number, position, hop))

    def show_principals(self, catalog: Catalog, principals: Sequence[PrincipalAccess]) -> None:
        """Lists who-can answers grouped by account: a line per principal (its path summary), its hops below.

        Args:
            catalog: The snapshot index (for names).
            principals: The who-can entries, in the order the query gives them.
        """
        groups: dict[str, list[PrincipalAccess]] = {}
        for entry in principals:
            groups.setdefault(entry.account or "", []).append(entry)
        number = 0
        open_paths = len(principals) <= OPEN_PRINCIPALS
        for account, entries in groups.items():
            allowed = sum(1 for entry in entries if str(entry.path.status) == "allowed")
            if account:
                title = literal(catalog.short_name(account), "bold")
                if account not in catalog.accounts:
                    title.append("  outside the snapshot", style="italic dim")
            else:
                title = Text("services, providers and anyone", style="bold")
            title.append(f"   {len(entries)} · {allowed} allowed · {len(entries) - allowed} conditional", style="dim")
            group = self.root.add(title, expand=True)
            for entry in entries:
                number += 1
                label = Text(f"{entry.kind:<8}", style="dim")
                label.append_text(literal(catalog.short_name(entry.principal)))
                status = str(entry.path.status)
                label.append(f"   {status}", style="bold green" if status == "allowed" else "bold yellow")
                label.append(f" · {path_badge(entry.path)} · {len(entry.path.hops)} hops", style="italic")
                for sentence in conditions_in_words(entry.path.conditions, path_deny_conditions(entry.path)):
                    label.append("   ⚠ ", style="bold yellow")
                    label.append_text(literal(sentence, "yellow"))
                node = group.add(label, data=PathItem(number, entry.path), expand=open_paths)
                for position, hop in enumerate(entry.path.hops, start=1):
                    node.add_leaf(hop_label(catalog, hop), data=HopItem(number, position, hop))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[HopItem | PathItem]) -> None:
        if isinstance(event.node.data, HopItem):
            self.post_message(self.HopChosen(event.node.data))
        elif isinstance(event.node.data, PathItem):
            self.post_message(self.PathChosen(event.node.data))
