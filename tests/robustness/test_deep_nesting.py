"""Deeply nested JSON (a hostile snapshot or policy) is a clean error with a location, never a crash.

Python's json module recurses once per nesting level and raises RecursionError past about 1,000
levels; that must surface as the input's fault (SnapshotError / PolicyError / RequestError, exit 2),
not as an internal error. Wrongly typed elements (an object where AWS puts the string "Allow") must
be reported at their place, not raise TypeError from a set lookup.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from graph.errors import PolicyError, SnapshotError
from graph.policy import parse_policy, policy_from_text
from graph.snapshot import load_snapshot, parse_snapshot, validate_snapshot
from tests.robustness.helpers import assert_clean_failure, demo_document, run_cli

DEEP = 100_000


def _nested_text(depth: int) -> str:
    return "[" * depth + "]" * depth


def _nested_value(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


def _policy_text_with_nested_condition(depth: int) -> str:
    return ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",'
            '"Condition":{"StringEquals":{"aws:SourceVpc":' + _nested_text(depth) + "}}}}")


@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_a_snapshot_file_nested_100000_levels_is_a_clean_snapshot_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"deep{suffix}"
    data = _nested_text(DEEP).encode()
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    with pytest.raises(SnapshotError) as raised:
        load_snapshot(path)
    assert raised.value.location == str(path) and "nested too deeply" in raised.value.message
    [problem] = validate_snapshot(path)
    assert "nested too deeply" in problem.message


def test_the_cli_reports_a_deeply_nested_snapshot_in_one_line(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.json"
    path.write_text(_nested_text(DEEP), encoding="utf-8")
    code, out, err = run_cli(capsys, "who-can", "arn:aws:s3:::b", "--snapshot", str(path))
    assert_clean_failure(code, out, err)
    assert str(path) in err and "nested too deeply" in err
    code, out, err = run_cli(capsys, "validate", str(path))
    assert code == 2 and "nested too deeply" in out and "Traceback" not in out + err


@pytest.mark.parametrize("depth", [990, DEEP])
def test_a_policy_string_nested_deeply_is_a_policy_error(depth: int) -> None:
    text = _policy_text_with_nested_condition(depth)
    for parse in (parse_policy, policy_from_text):
        with pytest.raises(PolicyError) as raised:
            parse(text)
        # 990 levels decode but the condition value is a list of lists; 100,000 do not decode at all
        assert raised.value.location is not None and raised.value.location.startswith("policy")


def test_a_policy_object_too_deep_to_encode_is_a_policy_error() -> None:
    document = {"Statement": _nested_value(DEEP)}
    with pytest.raises(PolicyError) as raised:
        parse_policy(document, location="request.identity_policies[0]")
    assert raised.value.location == "request.identity_policies[0]"


@pytest.mark.parametrize("as_string", [True, False], ids=["policy-as-string", "policy-as-object"])
def test_a_snapshot_holding_a_deeply_nested_resource_policy_fails_at_that_policy(as_string: bool) -> None:
    document = demo_document()
    # as an object: 990 levels, which json.loads of a file still decodes, but re-encoding it (the
    # canonical text of the document) deeper in the call stack does not
    policy: object = _policy_text_with_nested_condition(DEEP)
    if not as_string:
        policy = {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
                                "Condition": {"StringEquals": {"aws:SourceVpc": _nested_value(990)}}}}
    document["accounts"][1]["resources"][0]["policy"] = policy
    with pytest.raises(SnapshotError) as raised:
        parse_snapshot(document, origin="hostile.json")
    assert raised.value.location is not None
    assert raised.value.location.startswith("hostile.json: accounts[1].resources[0].policy")


def test_a_deeply_nested_simulate_request_is_a_clean_error(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "request.json"
    path.write_text(_nested_text(DEEP), encoding="utf-8")
    code, out, err = run_cli(capsys, "simulate", str(path))
    assert_clean_failure(code, out, err)
    assert "nested too deeply" in err and str(path) in err


@pytest.mark.parametrize("element, value", [("Effect", {"a": 1}), ("Effect", ["Allow"]), ("Version", {"v": 1}),
                                            ("Version", ["2012-10-17"])])
def test_an_object_or_list_where_a_policy_wants_a_string_is_reported_at_its_place(element: str,
                                                                                   value: object) -> None:
    # found by fuzzing: `value not in frozenset` raised TypeError (unhashable) instead of a problem
    document = demo_document()
    role = document["accounts"][1]["authorization_details"]["RoleDetailList"][0]
    trust = role["AssumeRolePolicyDocument"]
    if element == "Effect":
        statements = trust["Statement"]
        (statements[0] if isinstance(statements, list) else statements)["Effect"] = value
    else:
        trust["Version"] = value
    with pytest.raises(SnapshotError) as raised:
        parse_snapshot(document)
    assert "AssumeRolePolicyDocument" in (raised.value.location or "")
    assert element in str(raised.value)
    problems = validate_snapshot(document)
    assert any(element in problem.message for problem in problems)


def test_a_file_name_holding_a_nul_byte_is_a_snapshot_error() -> None:
    # found by the long fuzz run: pathlib raised ValueError ("embedded null byte"), not a SnapshotError
    with pytest.raises(SnapshotError) as raised:
        load_snapshot("snap\x00shot.json")
    assert "cannot read the file" in raised.value.message and "\\x00" in (raised.value.location or "")
    [problem] = validate_snapshot("snap\x00shot.json")
    assert "cannot read the file" in problem.message
