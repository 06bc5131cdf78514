"""The demo snapshot with hostile text planted in names, Sids, condition values, errors and account names."""

from __future__ import annotations

import json
from typing import Any

from graph.demo import demo_snapshot_path

ESCAPES = "\x1b[2J\x1b]52;c;ZXZpbA==\x07\x9b31m"
"""Clear the screen, write the clipboard (OSC 52), and an 8-bit CSI: none may reach a terminal raw."""
MARKUP = "[bold red]pwn[/bold red][link=https://evil.example]x[/link]"
"""Rich markup: must be shown as typed, never applied."""
HOSTILE = ESCAPES + MARKUP
HUGE = "h" * 100_000
"""A 100,000-character piece of text."""

PLANTED = ("AppInstanceRole", "DevAccountRead", "my-secret-external-id-12345", "TemporaryDebugRole", "MonitoringSaaS",
           "EveryoneButTheAdminReads", "ingest-queue", "MonitoringVendor")
"""Demo names (roles, Sids, an external ID, a queue) that get the hostile text appended everywhere they appear."""
HUGE_ROLE = "CrossAccountS3Access"
"""The demo role whose name gets 100,000 more characters."""


def hostile_demo(*, huge: bool = False) -> dict[str, Any]:
    """The demo, with `HOSTILE` after each `PLANTED` name, in every account name and in collection errors.

    Args:
        huge: Also give `HUGE_ROLE` a name 100,000 characters longer.
    """
    text = demo_snapshot_path().read_text(encoding="utf-8")
    for name in PLANTED:
        assert name in text, name
        text = text.replace(name, name + json.dumps(HOSTILE)[1:-1])
    if huge:
        text = text.replace(HUGE_ROLE, HUGE_ROLE + HUGE)
    document: dict[str, Any] = json.loads(text)
    for listed in (document.get("organization") or {}).get("accounts", []):
        listed["name"] = f"{listed['name']}{HOSTILE}"
    for account in document["accounts"]:
        account["name"] = f"{account['name']}{HOSTILE}"
        account.setdefault("errors", []).append({"service": f"s3{HOSTILE}", "operation": f"GetBucketPolicy{HOSTILE}",
                                                 "resource": f"arn:aws:s3:::x{HOSTILE}", "code": f"AccessDenied{HOSTILE}",
                                                 "message": f"no{HOSTILE}"})
    return document


def visible_form(text: str) -> str:
    """How `tui.literal.visible` shows `text`: each control character as `\\xNN`."""
    return "".join(f"\\x{ord(char):02x}" if (ord(char) < 0x20 and char not in "\n\t") or 0x7f <= ord(char) <= 0x9f
                   else char for char in text)
