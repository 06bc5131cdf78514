"""Shared helpers of the robustness tests: the demo snapshot as raw JSON and the CLI run in-process."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any

import pytest

from graph.demo import demo_snapshot_path
from tui.cli import main


@lru_cache(maxsize=1)
def _demo_text() -> str:
    return demo_snapshot_path().read_text(encoding="utf-8")


def demo_document() -> dict[str, Any]:
    """A fresh, mutable copy of the demo snapshot's decoded JSON."""
    document: dict[str, Any] = json.loads(_demo_text())
    return document


def demo_policies() -> list[Any]:
    """Every policy document of the demo (trust, inline, managed versions, resource, SCP), as stored."""
    document = demo_document()
    found: list[Any] = []
    for account in document["accounts"]:
        details = account["authorization_details"]
        for role in details.get("RoleDetailList", []):
            found.append(role["AssumeRolePolicyDocument"])
            found += [inline["PolicyDocument"] for inline in role.get("RolePolicyList", [])]
        for user in details.get("UserDetailList", []):
            found += [inline["PolicyDocument"] for inline in user.get("UserPolicyList", [])]
        for policy in details.get("Policies", []):
            found += [version["Document"] for version in policy.get("PolicyVersionList", [])]
        found += [resource["policy"] for resource in account.get("resources", []) if resource.get("policy")]
    organization = document.get("organization") or {}
    found += [policy["document"] for policy in organization.get("policies", [])]
    return [copy.deepcopy(policy) for policy in found]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Runs `xpath-tui ARGS` in-process as `main` does; returns (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), captured.out, captured.err


def assert_clean_failure(code: int, out: str, err: str) -> None:
    """SPEC section 8: bad input is exit 2 and one line on stderr, never a traceback or an internal error."""
    assert code == 2, (code, out, err)
    assert "Traceback" not in out + err
    assert "internal error" not in err, err
    lines = err.strip().splitlines()
    assert lines and lines[-1].startswith("xpath-tui: error: "), err
