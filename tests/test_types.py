"""graph/ and tui/ type-check with mypy (configuration in pyproject.toml, `[tool.mypy]`).

The evaluator and the graph pass many small value types around (callers, levels, edge keys); a
tuple of users and roles read as `object`, or a cache entry that may be None, is how a wrong
attribute or a None slips into an answer. The check runs on every run of the suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parent.parent


def test_graph_and_tui_type_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    report, errors, status = api.run(["--cache-dir", str(tmp_path / "cache"), "graph", "tui"])
    assert status == 0, report + errors


def test_a_type_error_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness itself can fail."""
    broken = tmp_path / "broken.py"
    broken.write_text("from graph.policy.results import Condition\n\nCondition(1, 'StringEquals', ())\n")
    monkeypatch.chdir(ROOT)
    report, _, status = api.run(["--cache-dir", str(tmp_path / "cache"), str(broken)])
    assert status == 1 and "Condition" in report
