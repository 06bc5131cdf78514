"""`xpath-tui validate`: exit 0 on the demo, exit 2 and one line per problem on each broken snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.demo import demo_snapshot_path
from tests.snapshot.broken_cases import BROKEN, Broken
from tests.snapshot.snapshot_builders import minimal_snapshot
from tui.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), captured.out, captured.err


def test_the_demo_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "validate", str(demo_snapshot_path()))
    assert (code, err) == (0, "")
    # 16 resources: the escalation story (issue 9) added dev's release signing-key secret
    assert out.startswith("valid: 8 accounts, ") and "16 resources" in out and "2 collection errors" in out


@pytest.mark.parametrize("case", BROKEN, ids=[case.name for case in BROKEN])
def test_each_broken_snapshot_exits_2_with_its_problem_on_one_line(capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path, case: Broken) -> None:
    # SPEC section 8: bad input gives the location, exit 2, and never a traceback.
    code, out, err = _run(capsys, "validate", str(case.write(tmp_path)))
    assert code == 2
    [line] = out.splitlines()
    assert case.location in line and case.fragment in line
    assert err.count("\n") == 1 and "invalid snapshot (1 problem)" in err
    assert "Traceback" not in out + err


def test_several_problems_are_listed_one_per_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    document = minimal_snapshot()
    document["accounts"][0]["id"] = "1"
    document["accounts"][1]["name"] = 5
    path = tmp_path / "two.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = _run(capsys, "validate", str(path))
    assert code == 2
    assert out.splitlines() == ["accounts[0].id: '1' is not a 12-digit account id",
                                "accounts[1].name: must be a string or null (got integer)"]
    assert err.strip() == f"xpath-tui: error: {path}: invalid snapshot (2 problems)"


def test_json_output_lists_problems(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    document = minimal_snapshot()
    document["version"] = 7
    path = tmp_path / "v7.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, out, _ = _run(capsys, "validate", "--json", str(path))
    assert code == 2
    assert json.loads(out) == {"valid": False, "summary": None, "problems": [
        {"location": "version", "message": "unsupported snapshot version 7 (this xpath-tui reads version 1)"}]}


def test_json_output_when_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "validate", "--json", str(demo_snapshot_path()))
    result = json.loads(out)
    assert code == 0 and result["valid"] is True and result["problems"] == []
    assert result["summary"]["counts"]["accounts"] == 8 and result["summary"]["source"] == "demo"
