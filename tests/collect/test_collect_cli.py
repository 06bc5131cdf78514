"""`xpath-tui collect` in process against the moto organization: exit codes, messages, files (SPEC 4, 8).

Failures are injected by wrapping `graph.collect.collect` so that the options the command built
get extra botocore hooks; everything else is the real command.
"""

from __future__ import annotations

import dataclasses
import errno
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import graph.collect
from graph.errors import ExitCode
from graph.snapshot import load_snapshot
from tests.collect import faults
from tests.collect.world import BUCKET_REGION, COLLECTOR_ROLE, EXTERNAL_ID, MANAGEMENT, REGION, World
from tui.cli import main

ORG_ARGS = ["collect", "--org", "--role-name", COLLECTOR_ROLE, "--external-id", EXTERNAL_ID,
            "--regions", f"{REGION},{BUCKET_REGION}", "--workers", "8"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


def with_hooks(monkeypatch: pytest.MonkeyPatch, *hooks: tuple[str, Callable[..., Any]]) -> None:
    real = graph.collect.collect

    def collect(options: graph.collect.CollectOptions, progress: Any = None) -> graph.collect.Collection:
        return real(dataclasses.replace(options, hooks=options.hooks + hooks), progress)

    monkeypatch.setattr(graph.collect, "collect", collect)


def _raise(code: str) -> Callable[..., None]:
    def handler(model: Any, **_: Any) -> None:
        raise ClientError({"Error": {"Code": code, "Message": "injected"}}, model.name)
    return handler


@pytest.mark.usefixtures("world", "aws_keys")
def test_a_partial_snapshot_is_written_with_a_warning_and_exit_0(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with_hooks(monkeypatch, ("provide-client-params.secrets-manager.ListSecrets", _raise("AccessDeniedException")))
    out = tmp_path / "org.json.gz"
    code, stdout, stderr = run([*ORG_ARGS, "-o", str(out)], capsys)
    # Issue 5: a partial snapshot is still a success (0), with a warning saying what is missing.
    assert code == ExitCode.OK
    assert stdout == ""
    assert f"wrote {out}: 4 account(s)" in stderr
    assert "warning: the snapshot is partial" in stderr and "secretsmanager:ListSecrets AccessDeniedException" in stderr
    # What was lost, per account and service: ListSecrets in each of the two regions of each account.
    assert f"  not read in {MANAGEMENT}: secretsmanager 2 (AccessDeniedException)\n" in stderr
    snapshot = load_snapshot(out)
    assert {e.operation for a in snapshot.accounts for e in a.errors} == {"ListSecrets"}


@pytest.mark.usefixtures("world", "aws_keys")
def test_a_clean_collection_has_no_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "org.json"
    code, _, stderr = run([*ORG_ARGS, "--accounts", "123456789012", "-o", str(out)], capsys)
    assert code == ExitCode.OK
    assert "warning" not in stderr
    # --accounts limits the accounts read (the organization tree is still whole).
    snapshot = load_snapshot(out)
    assert [a.id for a in snapshot.accounts] == ["123456789012"]
    assert snapshot.organization is not None and len(snapshot.organization.accounts) == 4


@pytest.mark.usefixtures("world", "aws_keys")
def test_nothing_readable_exits_3_and_writes_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    def deny_all_but_identity(model: Any, **_: Any) -> None:
        if model.name != "GetCallerIdentity":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "injected"}}, model.name)

    with_hooks(monkeypatch, ("provide-client-params", deny_all_but_identity))
    out = tmp_path / "none.json"
    code, stdout, stderr = run(["collect", "--regions", REGION, "-o", str(out)], capsys)
    # Credentials work but every read is denied: nothing could be read, an AWS failure (3).
    assert code == ExitCode.AWS_FAILURE
    assert stderr.startswith("xpath-tui: error: collect: nothing could be read from 1 account(s)")
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert not out.exists()


@pytest.mark.usefixtures("world")
def test_no_credentials_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The autouse fixture removed every credential source (and this test asks for no fake keys).
    code, _, stderr = run(["collect", "-o", str(tmp_path / "x.json")], capsys)
    assert code == ExitCode.AWS_FAILURE
    assert "no usable AWS credentials" in stderr and "Unable to locate credentials" in stderr
    assert stderr.count("\n") == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--accounts", "12"], "not a 12-digit account id: 12"),
    (["--regions", "mars"], "not a region name: mars"),
    (["--org"], "--org needs --role-name"),
    (["--role-name", "X"], "--role-name is used with --org only"),
    (["--org", "--role-name", "X", "--profile", "a", "--profile", "b"], "give at most one --profile"),
])
def test_bad_usage_exits_2_with_one_line(args: list[str], message: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run(["collect", *args, "-o", str(tmp_path / "x.json")], capsys)
    assert code == ExitCode.BAD_INPUT
    assert message in stderr and stderr.count("\n") == 1


def test_an_output_name_that_is_not_json_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run(["collect", "-o", str(tmp_path / "x.txt")], capsys)
    assert code == ExitCode.BAD_INPUT and "must end in .json or .json.gz" in stderr


@pytest.mark.usefixtures("world", "aws_keys")
def test_ctrl_c_leaves_the_previous_file_untouched(world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    def interrupt(**_: Any) -> None:
        raise KeyboardInterrupt

    with_hooks(monkeypatch, ("provide-client-params.sqs.ListQueues", interrupt))
    out = tmp_path / "org.json"
    out.write_text("previous snapshot")
    code, _, stderr = run([*ORG_ARGS, "-o", str(out)], capsys)
    assert code == 130 and "interrupted" in stderr
    # Nothing half-written: the old file is intact and no temporary file is left beside it.
    assert out.read_text() == "previous snapshot"
    assert [p.name for p in tmp_path.iterdir()] == ["org.json"]


@pytest.mark.usefixtures("world", "aws_keys")
def test_a_real_sigint_mid_collection_leaves_the_previous_file_untouched(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    sent = threading.Event()

    def sigint(**_: Any) -> None:
        # From a worker thread, as a terminal's Ctrl-C would arrive: the main thread gets KeyboardInterrupt.
        if not sent.is_set():
            sent.set()
            signal.raise_signal(signal.SIGINT)

    def throttled(request: Any, **_: Any) -> Any:
        return faults.throttled(request, "kms")  # every attempt: with the default policy, a minute of retries

    with_hooks(monkeypatch, ("provide-client-params.sqs.ListQueues", sigint), ("before-send.kms", throttled))
    out = tmp_path / "org.json.gz"
    out.write_bytes(b"\x1f\x8b previous snapshot bytes")
    code, stdout, stderr = run(["collect", "--regions", REGION, "-o", str(out)], capsys)
    assert sent.is_set()
    # 130: interrupted (128 + SIGINT), one line (after the newline click writes past the terminal's ^C).
    assert (code, stdout, stderr) == (130, "", "\nxpath-tui: interrupted\n")
    assert out.read_bytes() == b"\x1f\x8b previous snapshot bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["org.json.gz"]
    # The workers still retrying KMS stop at their next attempt instead of retrying for a minute,
    # so the process can exit (the interpreter waits for them).
    deadline = time.monotonic() + 30  # generous: a worker may be inside a slow moto call (EC2) under load
    for worker in [t for t in threading.enumerate() if t.name.startswith("xpath-collect")]:
        worker.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not [t.name for t in threading.enumerate() if t.name.startswith("xpath-collect")]


def _fail_in_writer(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> list[str]:
    """Makes the snapshot writer fail once its temporary file is written (at fsync), recording the file."""
    import graph.snapshot

    seen: list[str] = []

    def fsync(descriptor: int) -> None:
        seen.append(str(Path(f"/proc/self/fd/{descriptor}").resolve()))
        raise error

    monkeypatch.setattr(graph.snapshot.os, "fsync", fsync)
    return seen


@pytest.mark.usefixtures("world", "aws_keys")
def test_a_full_disk_while_writing_exits_3_and_keeps_the_previous_file(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "org.json"
    out.write_text("previous snapshot")
    seen = _fail_in_writer(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    code, _, stderr = run(["collect", "--regions", REGION, "-o", str(out)], capsys)
    # The collection succeeded but could not be saved: an AWS-side run that produced nothing (3), one line.
    assert code == ExitCode.AWS_FAILURE
    assert stderr == (f"xpath-tui: error: {out}: the snapshot could not be written (No space left on device); "
                      "the previous file is unchanged\n")
    # The failure happened in the temporary file beside the target, which is gone; the old file is intact.
    assert len(seen) == 1 and Path(seen[0]).parent == tmp_path and Path(seen[0]).name.endswith(".tmp")
    assert out.read_text() == "previous snapshot"
    assert [p.name for p in tmp_path.iterdir()] == ["org.json"]


@pytest.mark.usefixtures("world", "aws_keys")
def test_ctrl_c_inside_the_writer_exits_130_and_leaves_no_temporary_file(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "new.json"
    _fail_in_writer(monkeypatch, KeyboardInterrupt())
    code, _, stderr = run(["collect", "--regions", REGION, "-o", str(out)], capsys)
    assert (code, stderr) == (130, "\nxpath-tui: interrupted\n")
    # No previous file, and none was created: no half snapshot, no temporary file.
    assert list(tmp_path.iterdir()) == []
