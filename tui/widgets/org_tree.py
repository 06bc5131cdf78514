"""The organization as a tree, built lazily: an item's children are made when it is first expanded."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.catalog import Catalog, Ref, RefKind
from tui.literal import literal

SMALL_ORGANIZATION = 20
"""Organizations with at most this many accounts open with every OU expanded."""

FILTER_LIMIT = 300
"""At most this many matches are shown by a filter (the rest are counted)."""

_TYPE_NAMES = {
    "AWS::S3::Bucket": "S3 buckets",
    "AWS::KMS::Key": "KMS keys",
    "AWS::Lambda::Function": "Lambda functions",
    "AWS::SNS::Topic": "SNS topics",
    "AWS::SQS::Queue": "SQS queues",
    "AWS::SecretsManager::Secret": "secrets",
    "AWS::ECR::Repository": "ECR repositories",
}


_HELD = frozenset({RefKind.USERS, RefKind.ROLES, RefKind.RESOURCES, RefKind.RESOURCE_TYPE})
"""Items whose children are what an account holds: known once the catalog holds the model."""


@dataclass(frozen=True, slots=True)
class OutsideNode:
    """A graph node outside the organization (external account, service, provider, public)."""

    id: str
    label: str
    note: str = ""
    """Shown dimmed after the label ("not collected", "identity provider", ...)."""


class OrgTree(Tree[Ref]):
    """Root → OUs → accounts → users / roles / resources by type, plus "outside the organization"."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("organization"), id=id)
        self.show_root = False
        self.guide_depth = 3
        self._catalog: Catalog | None = None
        self._populated: set[int] = set()
        self._outside: tuple[OutsideNode, ...] | None = None
        self.filter_text = ""
        self.matches = 0

    def load(self, catalog: Catalog) -> None:
        """Shows a snapshot: its first level, with the organization roots expanded."""
        self._catalog = catalog
        self._rebuild()

    def complete(self, catalog: Catalog) -> None:
        """Takes the catalog of the model after that of the outline, keeping what is expanded and the cursor.

        The two catalogs give the same items down to the accounts; what an account holds is added
        now to the groups the user opened meanwhile.
        """
        self._catalog = catalog
        if self.filter_text:
            self._rebuild()
            return
        waiting = [self.root]
        while waiting:
            node = waiting.pop()
            if node.is_expanded or node is self.root:
                self._populate(node)
                waiting.extend(node.children)

    def set_outside(self, nodes: tuple[OutsideNode, ...]) -> None:
        """Adds (or refreshes) the "outside the organization" group, once the graph knows it."""
        self._outside = nodes
        if not self.filter_text:
            self._rebuild()

    def _rebuild(self) -> None:
        self.clear()
        self._populated.clear()
        catalog = self._catalog
        if catalog is None:
            return
        if self.filter_text:
            self._build_filtered(catalog)
            return
        small = catalog.counts().accounts <= SMALL_ORGANIZATION
        for ref in catalog.top_level():
            node = self._add(self.root, ref)
            if ref.kind is RefKind.ROOT or small:
                self._expand_units(node, deep=small)
        if self._outside:
            outside = self._add(self.root, Ref(RefKind.OUTSIDE, "outside"))
            if small:
                self._expand_units(outside, deep=False)

    def _expand_units(self, node: TreeNode[Ref], *, deep: bool) -> None:
        """Expands an organization unit (and, if `deep`, every unit below it) down to its accounts."""
        self._populate(node)
        node.expand()
        if deep:
            for child in node.children:
                if child.data is not None and child.data.kind is RefKind.OU:
                    self._expand_units(child, deep=True)

    def _label(self, ref: Ref) -> Text:
        catalog = self._catalog
        assert catalog is not None
        if ref.kind is RefKind.ROOT:
            return literal(catalog.unit_name(ref.id), "bold")
        if ref.kind is RefKind.OU:
            return literal(catalog.unit_name(ref.id), "bold")
        if ref.kind is RefKind.UNPLACED:
            return Text(f"accounts outside the organization's tree ({len(catalog.unplaced)})", style="bold")
        if ref.kind is RefKind.OUTSIDE:
            return Text(f"outside the organization ({len(self._outside or ())})", style="bold")
        if ref.kind is RefKind.ACCOUNT:
            label = Text(ref.id + " ", style="dim")
            label.append_text(literal(catalog.account_name(ref.id) or ""))
            account = catalog.account_outline(ref.id)
            if account is None:
                label.append("  not collected", style="italic dim")
            elif account.errors:
                label.append(f"  ⚠ {len(account.errors)}", style="bold yellow")
            return label
        if ref.kind in (RefKind.USERS, RefKind.ROLES, RefKind.RESOURCES):
            outline = catalog.account_outline(ref.detail)
            assert outline is not None  # the group is only made for a collected account
            count = {RefKind.USERS: outline.users, RefKind.ROLES: outline.roles,
                     RefKind.RESOURCES: outline.resources}[ref.kind]
            return Text(f"{ref.kind.value} ({count})")
        if ref.kind is RefKind.RESOURCE_TYPE:
            count = len(catalog.children(ref))
            return Text(f"{_TYPE_NAMES.get(ref.id, ref.id)} ({count})")
        if ref.kind is RefKind.USER:
            return literal(catalog.users[ref.id].name)
        if ref.kind is RefKind.ROLE:
            return literal(catalog.roles[ref.id].name)
        if ref.kind is RefKind.RESOURCE:
            return literal(catalog.resource_name(catalog.resources[ref.id]))
        if ref.kind is RefKind.EXTERNAL:
            for outside in self._outside or ():
                if outside.id == ref.id:
                    label = literal(outside.label)
                    if outside.note:
                        label.append(f"  {outside.note}", style="italic dim")
                    return label
        return literal(ref.id)

    def _add(self, parent: TreeNode[Ref], ref: Ref) -> TreeNode[Ref]:
        catalog = self._catalog
        assert catalog is not None
        expandable = catalog.has_children(ref)
        return parent.add(self._label(ref), data=ref, allow_expand=expandable)

    def _children(self, ref: Ref) -> list[Ref]:
        if ref.kind is RefKind.OUTSIDE:
            return [Ref(RefKind.EXTERNAL, outside.id) for outside in self._outside or ()]
        assert self._catalog is not None
        return self._catalog.children(ref)

    def _populate(self, node: TreeNode[Ref]) -> None:
        if node.id in self._populated or node.data is None:
            return
        assert self._catalog is not None
        if node.data.kind in _HELD and not self._catalog.complete:
            return  # what the account holds comes with the model (`complete`)
        self._populated.add(node.id)
        for child in self._children(node.data):
            self._add(node, child)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Ref]) -> None:
        self._populate(event.node)

    def apply_filter(self, text: str) -> None:
        """Shows only the items whose name, ARN or account matches `text` (case-insensitive), with their ancestors."""
        self.filter_text = text.strip().lower()
        self._rebuild()

    def _build_filtered(self, catalog: Catalog) -> None:
        found: dict[Ref, TreeNode[Ref]] = {}
        self.matches = 0
        candidates = [entry.ref for entry in catalog.entries() if self.filter_text in entry.search_text]
        outside = [Ref(RefKind.EXTERNAL, node.id) for node in self._outside or ()
                   if self.filter_text in f"{node.id} {node.label}".lower()]
        for ref in candidates + outside:
            self.matches += 1
            if self.matches > FILTER_LIMIT:
                continue
            chain = catalog.ancestors(ref) if ref.kind is not RefKind.EXTERNAL else [Ref(RefKind.OUTSIDE, "outside")]
            parent = self.root
            for ancestor in chain:
                if ancestor not in found:
                    found[ancestor] = self._add(parent, ancestor)
                    self._populated.add(found[ancestor].id)
                    found[ancestor].expand()
                parent = found[ancestor]
            if ref not in found:
                found[ref] = self._add(parent, ref)
        if self.matches > FILTER_LIMIT:
            self.root.add_leaf(Text(f"… {self.matches - FILTER_LIMIT} more matches: refine the filter", style="italic"))

    def reveal(self, ref: Ref) -> bool:
        """Expands the way to `ref`, moves the cursor there and selects it.

        Returns:
            Whether the item is in the tree.
        """
        if self.filter_text:
            self.filter_text = ""
            self._rebuild()
        catalog = self._catalog
        if catalog is None:
            return False
        chain = catalog.ancestors(ref) if ref.kind is not RefKind.EXTERNAL else [Ref(RefKind.OUTSIDE, "outside")]
        node = self.root
        for step in [*chain, ref]:
            self._populate(node)
            match = next((child for child in node.children if child.data == step), None)
            if match is None:
                return False
            if step != ref:
                self._populate(match)
                match.expand()
            node = match
        target = node
        self.call_after_refresh(self.select_node, target)
        return True
