"""The details pane: facts and pretty-printed policies of one item, or the statements of one hop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.catalog import Catalog, GrantLike, Ref, RefKind
from tui.literal import literal
from tui.widgets.policy_view import PolicyView
from tui.words import ConditionLike, conditions_in_words, contested_in_words, edge_words


class HopInfo(Protocol):
    """What the pane reads from a hop (`graph.query.Hop`)."""

    @property
    def source(self) -> str: ...

    @property
    def target(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def actions(self) -> tuple[str, ...]: ...

    @property
    def status(self) -> str: ...

    @property
    def conditions(self) -> tuple[ConditionLike, ...]: ...

    @property
    def deny_conditions(self) -> tuple[ConditionLike, ...]: ...

    @property
    def granted_by(self) -> tuple[GrantLike, ...]: ...


def _facts(rows: Sequence[tuple[str, str]]) -> Text:
    text = Text()
    for label, value in rows:
        text.append(f"{label:<14}", style="bold")
        text.append_text(literal(value))
        text.append("\n")
    return text


class DetailsPane(VerticalScroll):
    """Shows one item (`show_ref`) or one hop (`show_hop`); data comes in through these methods."""

    def _reset(self, title: Text, body: Text) -> None:
        self.remove_children()
        self.mount(Static(title, classes="details-title"), Static(body, classes="details-facts"))

    def _policies(self, policies: Sequence[tuple[str, Any]]) -> None:
        for title, document in policies:
            view = PolicyView(classes="policy")
            self.mount(view)
            view.show(title, document)

    def show_message(self, title: str, body: str) -> None:
        """Shows a plain message (nothing selected, graph not built yet, ...)."""
        self._reset(literal(title), literal(body))

    def show_ref(self, catalog: Catalog, ref: Ref, *, extra: Sequence[tuple[str, str]] = ()) -> None:
        """Shows the facts and policies of one tree item.

        Args:
            catalog: The snapshot index.
            ref: The item.
            extra: More fact rows (from the graph, for nodes outside the snapshot).
        """
        rows: list[tuple[str, str]] = []
        policies: list[tuple[str, Any]] = []
        title = catalog.short_name(ref.id)
        if ref.kind is RefKind.ACCOUNT:
            title = f"account {catalog.short_name(ref.id)}"
            account = catalog.account_outline(ref.id)
            if account is None:
                rows.append(("collected", "no: this account is in the organization but its data was not collected"))
            else:
                rows += [("users", str(account.users)), ("roles", str(account.roles)),
                         ("resources", str(account.resources))]
                for error in account.errors:
                    where = f" on {error.resource}" if error.resource else ""
                    rows.append(("⚠ not read", f"{error.service} {error.operation}{where}: {error.code} {error.message}"))
            policies += self._org_policies(catalog, ref.id)
        elif ref.kind in (RefKind.ROOT, RefKind.OU):
            title = f"{'root' if ref.kind is RefKind.ROOT else 'OU'} {catalog.unit_name(ref.id)}"
            rows.append(("id", ref.id))
            rows.append(("children", str(len(catalog.children(ref)))))
            policies += self._org_policies(catalog, ref.id)
        elif ref.kind in (RefKind.USER, RefKind.ROLE):
            principal = catalog.roles.get(ref.id) or catalog.users.get(ref.id)
            if principal is not None:
                rows += [("arn", principal.arn), ("account", catalog.short_name(principal.account_id)),
                         ("path", principal.path)]
                rows += [(f"tag {key}", value) for key, value in principal.tags]
            policies += [(named.title, named.document) for named in catalog.principal_policies(ref.id)]
        elif ref.kind is RefKind.RESOURCE and ref.id in catalog.resources:
            resource = catalog.resources[ref.id]
            rows += [("arn", resource.arn), ("type", resource.type), ("account", catalog.short_name(resource.account_id)),
                     ("region", resource.region or "-")]
            policies.append(("resource policy", resource.policy.as_dict() if resource.policy else {"note": "no resource policy"}))
            properties = resource.properties.as_dict()
            if properties:
                policies.append(("properties", properties))
        else:
            rows.append(("id", ref.id))
        rows += list(extra)
        self._reset(literal(title), _facts(rows))
        self._policies(policies)
        self.scroll_home(animate=False)

    @staticmethod
    def _org_policies(catalog: Catalog, target: str) -> list[tuple[str, Any]]:
        org = catalog.outline.organization
        if org is None:
            return []
        return [(f"{policy.type.name} {policy.name} ({policy.id})", policy.document.as_dict())
                for policy in org.policies if target in policy.targets]

    def show_hop(self, catalog: Catalog, hop: HopInfo, *, number: int | None = None) -> None:
        """Shows one hop: what it gives, its conditions in words, and each granting statement in place.

        Args:
            catalog: The snapshot index (to find the policy documents).
            hop: The hop.
            number: Its position in the path (1-based), for the title.
        """
        words = edge_words(str(hop.kind))
        prefix = f"hop {number} · " if number is not None else ""
        title = Text(f"{prefix}{words.arrow} · ", style="bold")
        title.append_text(literal(f"{catalog.short_name(hop.source)} → {catalog.short_name(hop.target)}"))
        rows = [("mechanism", f"{words.mechanism.value}: {words.sentence}"), ("status", str(hop.status))]
        if hop.actions:
            rows.append(("actions", ", ".join(hop.actions)))
        for sentence in conditions_in_words(hop.conditions, hop.deny_conditions):
            rows.append(("⚠ condition", sentence))
        if getattr(hop, "contested", False):  # graph.query.Hop has it; other HopInfo need not
            rows.append(("⚠ contested", contested_in_words(str(hop.kind))))
        self._reset(title, _facts(rows))
        for grant in hop.granted_by:
            statement = getattr(grant, "statement", None)
            sid = getattr(grant, "sid", None)
            named = catalog.grant_policy(grant)
            view = PolicyView(classes="policy grant")
            self.mount(view)
            label = f"statement {statement}" + (f" (Sid {sid})" if sid else "")
            if named is None:
                view.show(f"{grant.policy}", {"note": "document not in the snapshot"}, note=f"{label} grants this hop")
            else:
                view.show(named.title, named.document, statement=statement if isinstance(statement, int) else None,
                          note=f"{label} grants this hop")
        self.scroll_home(animate=False)

    def show_path(self, catalog: Catalog, hops: Sequence[HopInfo], *, number: int | None = None) -> None:
        """Shows a whole path, one line per hop with its mechanism and conditions in words."""
        title = Text(f"path {number}" if number is not None else "path", style="bold")
        body = Text()
        for position, hop in enumerate(hops, start=1):
            words = edge_words(str(hop.kind))
            body.append(f"{position}. ", style="bold")
            body.append_text(literal(f"{catalog.short_name(hop.source)} ─{words.arrow}→ {catalog.short_name(hop.target)}"))
            body.append(f"   {words.mechanism.value}\n", style="italic")
            for sentence in conditions_in_words(hop.conditions, hop.deny_conditions):
                body.append("     ⚠ ", style="bold yellow")
                body.append_text(literal(sentence, "yellow"))
                body.append("\n")
        body.append("\nselect a hop to open the statement that grants it", style="dim italic")
        self._reset(title, body)
        self.scroll_home(animate=False)

    def show_finding(self, catalog: Catalog, title: str, rows: Sequence[tuple[str, str]], grant: GrantLike | None,
                     statement: int | None) -> None:
        """Shows a finding: its facts, then the policy holding the statement that proves it, marked in place."""
        self._reset(literal(title), _facts(rows))
        named = catalog.grant_policy(grant) if grant is not None else None
        if named is not None:
            view = PolicyView(classes="policy grant")
            self.mount(view)
            view.show(named.title, named.document, statement=statement,
                      note=f"statement {statement} proves this finding" if statement is not None else "")
        self.scroll_home(animate=False)
