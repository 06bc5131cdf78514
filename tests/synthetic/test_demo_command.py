"""`xpath-tui demo generate`: exit codes, one-line errors, a loadable and reproducible file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tui.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), captured.out, captured.err


@pytest.mark.parametrize(("arguments", "fragment"), [
    (["--accounts", "3"], "--accounts"),            # below the 5 accounts an organization needs
    (["--accounts", "10001"], "--accounts"),        # above MAX_ACCOUNTS
    (["--accounts", "many"], "--accounts"),         # not a number
    (["--accounts", "10", "--seed", "x"], "--seed"),
])
def test_bad_numbers_exit_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          arguments: list[str], fragment: str) -> None:
    # SPEC section 4 and 8: bad usage is exit code 2 and one clear line on stderr, no traceback.
    code, out, err = _run(capsys, "demo", "generate", *arguments, "-o", str(tmp_path / "org.json"))
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and fragment in err
    assert "Traceback" not in err
    assert not (tmp_path / "org.json").exists()


def test_output_name_must_be_json_or_json_gz(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Everything that reads snapshots recognises .json and .json.gz only (SPEC section 3).
    code, _, err = _run(capsys, "demo", "generate", "--accounts", "5", "-o", str(tmp_path / "org.yaml"))
    assert code == 2
    assert "must end in .json or .json.gz" in err and "org.yaml" in err


def test_missing_output_directory_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # The location of the problem is part of the message (SPEC section 8).
    target = tmp_path / "absent" / "org.json"
    code, _, err = _run(capsys, "demo", "generate", "--accounts", "5", "-o", str(target))
    assert code == 2
    assert "does not exist" in err and str(tmp_path / "absent") in err


def test_output_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    # Without -o there is nowhere to write: a usage error, exit 2.
    code, _, err = _run(capsys, "demo", "generate", "--accounts", "5")
    assert code == 2 and "-o" in err


def test_writes_a_loadable_reproducible_snapshot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # The same seed writes the same bytes, and the file loads back as the organization asked for.
    snapshot = pytest.importorskip("graph.snapshot")
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for target in (first, second):
        code, out, err = _run(capsys, "demo", "generate", "--accounts", "6", "--seed", "9", "-o", str(target))
        assert code == 0, err
        assert out == ""  # a summary goes to stderr; stdout carries data only
        assert "6 accounts" in err
    assert first.read_bytes() == second.read_bytes()
    loaded = snapshot.load_snapshot(first)
    assert loaded.source == "synthetic"
    assert len(loaded.accounts) == 6
    assert loaded.organization is not None and len(loaded.organization.accounts) == 6


def test_gzip_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # A .json.gz name writes gzip (SPEC section 3), readable by any gzip tool.
    pytest.importorskip("graph.snapshot")
    target = tmp_path / "org.json.gz"
    code, _, err = _run(capsys, "demo", "generate", "--accounts", "5", "-o", str(target))
    assert code == 0, err
    document = json.loads(gzip.decompress(target.read_bytes()))
    assert document["source"] == "synthetic" and len(document["accounts"]) == 5
