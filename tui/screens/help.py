"""The help screen (`?`): the keys, and how to read a path."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

_READING = (
    ("─member→", "dim", "an account's principal (users and roles are in their account)"),
    ("─assume-role (STS)→", "bold magenta",
     "role assumption: the caller gets temporary credentials of the role (a visitor's badge)"),
    ("─resource-policy→", "bold green",
     "resource-policy grant: the resource's own policy names the caller (a name on the guest list)"),
    ("─identity-policy→", "bold cyan", "identity-policy grant: the principal's own policies allow it, in its account"),
    ("─kms-grant→", "bold green", "KMS grant: a grant on the key lets the caller use it, outside the key policy"),
    ("─s3-acl→", "bold green", "S3 ACL grant: the bucket's ACL grants the caller's account, any AWS account or anyone"),
    ("⚠ needs …", "bold yellow", "a condition the snapshot cannot decide (external ID, MFA, source IP, ...)"),
    ("⚠ contested", "bold yellow", "a hop AWS documents neither way; kept (conditional) so no path is hidden"),
)

_KEYS = (
    ("ctrl+p", "jump to any account, principal or resource (fuzzy search)"),
    ("/", "filter the organization tree (escape clears)"),
    ("t", "trace: every path from a source to a target resource"),
    ("w", "who can reach the selected resource or role?"),
    ("f", "findings: risky trusts and grants, each with the statement that proves it"),
    ("e", "export the current paths or who-can answer (DOT, Mermaid, JSON)"),
    ("enter / space", "open the selected item or hop"),
    ("escape", "cancel a running query, close a screen"),
    ("?", "this help"),
    ("q", "quit"),
)


class HelpScreen(ModalScreen[None]):
    """Keys and the legend of hop marks."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        for key, meaning in _KEYS:
            keys.add_row(Text(key, style="bold"), meaning)
        legend = Table.grid(padding=(0, 2))
        for mark, style, meaning in _READING:
            legend.add_row(Text(mark, style=style), meaning)
        with VerticalScroll(id="help"):
            yield Static(Text("xpath-tui: who can reach what, and by which path", style="bold"))
            yield Static(Text("\nKeys", style="bold underline"))
            yield Static(keys)
            yield Static(Text("\nReading a path", style="bold underline"))
            yield Static(legend)
            yield Static(Text("\nescape closes this help", style="italic"))

    def action_close(self) -> None:
        self.dismiss(None)
