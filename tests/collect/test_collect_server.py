"""End to end: the real `xpath-tui collect` process against a `moto_server` on 127.0.0.1.

Starts moto_server on a free port, fills it from a separate process, runs `python -m tui collect
--endpoint-url ... --org` with fake credentials in its environment, and validates the file it
writes. Both processes are stopped at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.model import ResourceType
from graph.snapshot import load_snapshot, validate_snapshot
from tests.collect.server_setup import BUCKET, ROLE

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(tmp_path: Path) -> dict[str, str]:
    empty = tmp_path / "aws-none"
    empty.write_text("")
    keep = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "MOTO_"))}
    return keep | {
        "AWS_ACCESS_KEY_ID": "AKIAFAKEE2EFAKEE2E00", "AWS_SECRET_ACCESS_KEY": "fake-e2e-secret",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(empty), "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_EC2_METADATA_DISABLED": "true", "PYTHONPATH": str(ROOT),
    }


@pytest.fixture
def moto_server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              env=_environment(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_collect_command_end_to_end(moto_server: str, tmp_path: Path) -> None:
    env = _environment(tmp_path)
    setup = subprocess.run([sys.executable, "-m", "tests.collect.server_setup", moto_server], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=60, check=True)
    member = setup.stdout.strip()
    out = tmp_path / "live.json"
    done = subprocess.run(
        [sys.executable, "-m", "tui", "collect", "--endpoint-url", moto_server, "--org", "--role-name", ROLE,
         "--regions", "us-east-1", "-o", str(out)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert f"wrote {out}: 2 account(s)" in done.stderr and "warning" not in done.stderr
    assert validate_snapshot(out) == []
    snapshot = load_snapshot(out)
    assert {a.id: a.name for a in snapshot.accounts} == {"123456789012": "master", member: "member"}
    assert snapshot.organization is not None and snapshot.organization.management_account_id == "123456789012"
    resources = {r.arn: r for a in snapshot.accounts for r in a.resources}
    bucket = resources[f"arn:aws:s3:::{BUCKET}"]
    assert bucket.account_id == member and bucket.policy is not None
    assert bucket.policy.as_dict()["Statement"][0]["Principal"] == "*"
    assert {r.type for r in resources.values()} == {ResourceType.S3_BUCKET, ResourceType.SQS_QUEUE}
    # The fake keys never reach the snapshot.
    assert "AKIAFAKEE2EFAKEE2E00" not in out.read_text()
