"""The wheel installs the `xpath-tui` command with the demo embedded, usable outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_validates_the_embedded_demo(tmp_path: Path) -> None:
    # Issue 2: a fresh install runs on the embedded demo. No network: --no-deps, and the
    # environment borrows the already-installed dependencies (--system-site-packages).
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels)], check=True, cwd=tmp_path, timeout=120)
    [wheel] = wheels.glob("xpath_tui-*.whl")
    environment = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(environment)
    python = environment / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "-q", str(wheel)], check=True, cwd=tmp_path, timeout=120)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    # Run from outside the checkout, with no PYTHONPATH, so only the installed wheel can answer.
    clean_env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    located = subprocess.run([str(python), "-c", "import graph.demo as d; print(d.demo_snapshot_path())"],
                             capture_output=True, text=True, cwd=outside, env=clean_env, timeout=60, check=True)
    demo = Path(located.stdout.strip())
    assert demo.is_relative_to(environment) and demo.parent.name == "demo_data"  # the embedded copy
    assert (demo.parent.parent / "schema" / "snapshot-v1.schema.json").is_file()  # the schema ships too
    result = subprocess.run([str(environment / "bin" / "xpath-tui"), "validate", str(demo)],
                            capture_output=True, text=True, cwd=outside, env=clean_env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("valid: 8 accounts")
