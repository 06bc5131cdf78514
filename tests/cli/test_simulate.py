"""`xpath-tui simulate` as a user runs it (SPEC sections 4, 5 and 8)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tui.cli import cli

USER = "arn:aws:iam::111111111111:user/alice"
READ = {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject",
                                               "Resource": "arn:aws:s3:::b/*"}]}


def _request(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
                            "resource_account": "111111111111", "identity_policies": [READ]}
    base.update(fields)
    return base


def _run_process(tmp_path: Path, payload: Any, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(payload))
    completed = subprocess.run([sys.executable, "-m", "tui.cli", "simulate", str(path), *args], capture_output=True,
                               text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    return completed.returncode, completed.stdout, completed.stderr


def _run(tmp_path: Path, payload: Any, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "request.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    result = CliRunner().invoke(cli, ["simulate", str(path), *args])
    return result.exit_code, result.stdout, result.stderr


def test_one_request_gives_one_result_in_spec_shape(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, _request())
    assert code == 0
    assert json.loads(out) == {"decision": "allowed", "matched_statements": [
        {"policy_type": "identity", "policy_index": 0, "statement": 0, "sid": "Read", "effect": "Allow"}]}


def test_a_list_gives_the_results_in_order(tmp_path: Path) -> None:
    deny = {"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    requests = [_request(), _request(identity_policies=[READ, deny]), _request(identity_policies=[])]
    code, out, _ = _run(tmp_path, requests)
    assert code == 0
    assert [result["decision"] for result in json.loads(out)] == ["allowed", "explicitDeny", "implicitDeny"]


def test_unknown_context_gives_conditional_with_its_conditions(tmp_path: Path) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                                                      "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}
    code, out, _ = _run(tmp_path, _request(identity_policies=[policy]), "--unknown-context")
    assert code == 0
    result = json.loads(out)
    assert result["decision"] == "conditional"
    assert result["conditions"] == [{"key": "aws:SourceIp", "operator": "IpAddress", "values": ["10.0.0.0/8"]}]
    # Without the flag the key is absent, as in AWS: an implicit deny.
    assert json.loads(_run(tmp_path, _request(identity_policies=[policy]))[1])["decision"] == "implicitDeny"


def test_explain_says_which_statement_decided_and_why_others_did_not(tmp_path: Path) -> None:
    other = {"Statement": [{"Sid": "Ec2", "Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
                           {"Sid": "Elsewhere", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::c/*"}]}
    code, out, _ = _run(tmp_path, _request(identity_policies=[READ, other]), "--explain")
    assert code == 0
    assert "identity[0] statement 0 Sid 'Read' (Allow): applies" in out
    assert "Sid 'Ec2' (Allow): its Action/NotAction does not cover the action" in out
    assert "Sid 'Elsewhere' (Allow): its Resource/NotResource does not cover the resource" in out
    assert "decision: allowed" in out


def test_explain_with_json_adds_the_trace(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, _request(), "--explain", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["decision"] == "allowed" and any("applies" in line for line in result["explain"])


@pytest.mark.parametrize(("payload", "location"), [
    ("{\"principal\": ", "request.json:1:15"),
    ([{"principal": USER}], "request[0].action"),
    (_request(principal="bob"), "request.principal"),
    (_request(identity_policies=[{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Condition": {"StringEquals": "x"}}]}]),
     "request.identity_policies[0].Statement[0].Condition.StringEquals"),
    (_request(identity_policies=[{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                                                 "Condition": {"StringEqualz": {"k": "v"}}}]}]),
     "request.identity_policies[0].Statement[0].Condition.StringEqualz.k"),
    (_request(scps=[{"Statement": []}]), "request.scps"),
    (_request(context={"k": {"nested": 1}}), "request.context.k"),
    (_request(extra=1), "request.extra"),
    ("[1]", "request[0]"),
])
def test_bad_input_is_one_line_with_location_and_exit_2(tmp_path: Path, payload: Any, location: str) -> None:
    path = tmp_path / "request.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    completed = subprocess.run([sys.executable, "-m", "tui.cli", "simulate", str(path)], capture_output=True,
                               text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert completed.returncode == 2
    if isinstance(payload, list) or payload == "[1]":
        # a list's bad request is answered in place with its error (see the test below)
        assert [entry["location"] for entry in json.loads(completed.stdout)] == [location]
    else:
        assert completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in completed.stderr
    assert location in lines[0]


def test_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    completed = subprocess.run([sys.executable, "-m", "tui.cli", "simulate", str(missing)], capture_output=True,
                               text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert completed.returncode == 2
    assert completed.stderr.strip() == f"xpath-tui: error: {missing}: cannot read: No such file or directory"


def test_stdin_dash_reads_the_request(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["simulate", "-"], input=json.dumps(_request()))
    assert result.exit_code == 0 and json.loads(result.stdout)["decision"] == "allowed"


def test_thousands_of_requests_in_one_process_are_fast(tmp_path: Path) -> None:
    # SPEC 5: test corpora check thousands of requests at a time.
    requests = [_request(resource=f"arn:aws:s3:::b/k{index}") for index in range(3000)]
    start = time.perf_counter()
    code, out, _ = _run(tmp_path, requests)
    assert code == 0 and len(json.loads(out)) == 3000
    assert time.perf_counter() - start < 20


def test_a_bad_request_in_a_list_is_answered_with_its_error_and_the_others_still_decided(tmp_path: Path) -> None:
    # SPEC 5: corpora check thousands of requests in one file; SPEC 8: bad input exits 2 with its location.
    bad = _request(identity_policies=[{"Statement": [{"Effect": "allow", "Action": "s3:*", "Resource": "*"}]}])
    code, out, err = _run_process(tmp_path, [_request(), bad, _request(identity_policies=[])])
    assert code == 2
    results = json.loads(out)
    assert [result.get("decision") for result in results] == ["allowed", None, "implicitDeny"]
    assert results[1] == {"error": "Effect must be \"Allow\" or \"Deny\", not 'allow'",
                          "location": "request[1].identity_policies[0].Statement[0].Effect"}
    assert err.count("\n") == 1 and "request[1].identity_policies[0].Statement[0].Effect" in err
    assert "1 of 3 requests refused" in err and "Traceback" not in err


def test_a_bad_single_request_prints_no_result(tmp_path: Path) -> None:
    code, out, err = _run_process(tmp_path, _request(principal="not-a-principal"))
    assert code == 2 and out == ""
    assert err.startswith("xpath-tui: error: request.principal: ")
