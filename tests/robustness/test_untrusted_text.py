"""Untrusted text (issue 10, item 4): escape sequences, Rich markup and huge lengths are shown literally.

A snapshot from a compromised account can name a role `x\\x1b]52;c;...\\x07` (OSC 52 writes the
reader's clipboard) or `[link=https://evil]`: every table and error line must show such text as
typed, with control characters as visible `\\xNN` escapes, never send them to the terminal.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.robustness.helpers import run_cli
from tests.robustness.hostile import ESCAPES, HOSTILE, HUGE, MARKUP, hostile_demo, visible_form

BUCKET = "arn:aws:s3:::shared-data-bucket"
QUEUE = "arn:aws:sqs:us-east-1:222222222222:ingest-queue"


@pytest.fixture(scope="module")
def hostile_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.json"
    path.write_text(json.dumps(hostile_demo()), encoding="utf-8")
    return path


def _assert_safe(text: str) -> None:
    raw_controls = sorted({f"{ord(char):#x}" for char in text if (ord(char) < 0x20 and char not in "\n\t")
                           or 0x7f <= ord(char) <= 0x9f})
    assert not raw_controls, f"raw control characters reached the output: {raw_controls}"


def _flat(text: str) -> str:
    # tables fold long cells over several lines; join them back to find the whole text
    return "".join(part.strip(" │┃║|") for part in text.splitlines())


@pytest.mark.parametrize("args", [
    pytest.param(["who-can", BUCKET], id="who-can"),
    pytest.param(["who-can", QUEUE + HOSTILE], id="who-can-hostile-queue"),
    pytest.param(["paths", "--from", "111111111111", "--to", BUCKET], id="paths"),
    pytest.param(["reach", "111111111111"], id="reach"),
    pytest.param(["findings"], id="findings"),
])
def test_tables_show_hostile_snapshot_text_literally(capsys: pytest.CaptureFixture[str], hostile_path: Path,
                                                    args: list[str]) -> None:
    code, out, err = run_cli(capsys, *args, "--snapshot", str(hostile_path))
    assert code == 0, err
    _assert_safe(out + err)
    flat = _flat(out)
    # the markup is printed as typed (Rich would otherwise apply [bold red] and hide [link=...])
    assert MARKUP in flat
    # and the escape sequences as visible \xNN text
    assert visible_form(ESCAPES) in flat


def test_diff_against_the_demo_shows_the_hostile_names_literally(capsys: pytest.CaptureFixture[str],
                                                                 hostile_path: Path) -> None:
    from graph.demo import demo_snapshot_path

    code, out, err = run_cli(capsys, "diff", str(demo_snapshot_path()), str(hostile_path))
    assert code == 0, err
    _assert_safe(out + err)
    assert MARKUP in _flat(out)


def test_a_100000_character_name_is_printed_whole(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(hostile_demo(huge=True)), encoding="utf-8")
    code, out, err = run_cli(capsys, "who-can", BUCKET, "--snapshot", str(path))
    assert code == 0, err
    # the cross-account role's name carries 100,000 more characters; the table folds it, never cuts it
    assert HUGE in _flat(out)


def test_validate_lists_problems_with_hostile_keys_and_values_safely(capsys: pytest.CaptureFixture[str],
                                                                     tmp_path: Path) -> None:
    document = hostile_demo()
    document["accounts"][2]["authorization_details"]["RoleDetailList"][0]["Arn"] = "arn:aws:iam::" + HOSTILE
    document["accounts"][1]["id"] = HOSTILE
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = run_cli(capsys, "validate", str(path))
    assert code == 2
    _assert_safe(out + err)
    assert MARKUP in out and "is not an ARN" in out


def test_error_lines_on_stderr_show_hostile_text_safely(capsys: pytest.CaptureFixture[str],
                                                        hostile_path: Path) -> None:
    # the resource ARN comes back in the error ("not in the snapshot"): scripts pass ARNs from snapshots
    code, out, err = run_cli(capsys, "who-can", "arn:aws:s3:::" + HOSTILE, "--snapshot", str(hostile_path))
    assert code == 2 and out == ""
    _assert_safe(err)
    assert visible_form(ESCAPES) in err and err.count("\n") == 1


def test_a_snapshot_error_quoting_hostile_text_is_one_safe_line(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    document = hostile_demo()
    # the first problem (by location) quotes an ARN holding escape sequences and a newline
    document["accounts"][2]["authorization_details"]["RoleDetailList"][0]["Arn"] = "arn:aws:iam::" + ESCAPES + "\n"
    document["accounts"][3]["name"] = 5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = run_cli(capsys, "findings", "--snapshot", str(path))
    assert code == 2
    _assert_safe(err)
    assert err.count("\n") == 1 and "accounts[2].authorization_details.RoleDetailList[0].Arn" in err
    assert "is not an ARN (and 1 more problem" in err


def test_a_request_key_holding_a_newline_and_escapes_is_refused_on_one_line(capsys: pytest.CaptureFixture[str],
                                                                            tmp_path: Path) -> None:
    # found by fuzzing: the location quotes the key as it is, and printed raw it split the error line
    path = tmp_path / "request.json"
    path.write_text(json.dumps({"\n" + ESCAPES: None}), encoding="utf-8")
    code, out, err = run_cli(capsys, "simulate", str(path))
    assert code == 2 and out == ""
    _assert_safe(err)
    assert err.count("\n") == 1 and "unknown field" in err and "request.\\n" in err
