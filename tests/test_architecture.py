"""The layering STYLE.md asks for, checked by import-linter on every run of the suite.

`graph/` answers questions without a terminal: it must never import the explorer or the command line
(`tui`, textual, rich, click), and only `graph.collect` may import boto3/botocore, so loading a snapshot
and answering stay fast and cannot reach AWS. The contracts live in pyproject.toml
(`[tool.importlinter]`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_a_broken_contract_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness itself can fail: tui imports graph, so forbidding that must break."""
    config = tmp_path / "contracts.toml"
    config.write_text('[tool.importlinter]\nroot_packages = ["graph", "tui"]\n\n'
                      '[[tool.importlinter.contracts]]\nname = "tui without graph"\ntype = "forbidden"\n'
                      'source_modules = ["tui"]\nforbidden_modules = ["graph"]\n')
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    assert lint_imports(config_filename=str(config), no_cache=True, no_logo=True) != 0
