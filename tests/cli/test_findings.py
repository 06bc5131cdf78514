"""`xpath-tui findings` as a user runs it: table, --json, --sarif, gates and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.model import (
    Account, Organization, OrgAccount, OrgRoot, PolicyDocument, Resource, Role, Snapshot,
)
from graph.snapshot import save_snapshot
from tui.cli import main

DEV, DATA, MGMT, VENDOR = "111111111111", "222222222222", "333333333333", "999999999999"
VENDOR_ROLE = f"arn:aws:iam::{DATA}:role/VendorRole"
QUEUE = f"arn:aws:sqs:us-east-1:{DATA}:jobs"


def document(statement: dict) -> PolicyDocument:
    return PolicyDocument.from_dict({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture()
def snapshot_file(tmp_path: Path) -> Path:
    """One high finding (vendor trust without external ID) and one medium (queue open to SNS)."""
    trust = document({"Sid": "Vendor", "Effect": "Allow", "Principal": {"AWS": VENDOR}, "Action": "sts:AssumeRole"})
    queue_policy = document({"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                             "Action": "sqs:SendMessage", "Resource": QUEUE})
    data = Account(DATA, roles=(Role(VENDOR_ROLE, "VendorRole", DATA, trust),),
                   resources=(Resource(QUEUE, "AWS::SQS::Queue", DATA, "us-east-1", "jobs", queue_policy),))
    org = Organization("o-exampleorg1", MGMT, (OrgRoot("r-ab12", "Root"),), (),
                       tuple(OrgAccount(a, None, "r-ab12") for a in (DEV, DATA, MGMT)))
    path = tmp_path / "snap.json"
    save_snapshot(Snapshot("2026-11-27T10:00:00Z", "import", org, (Account(DEV), data)), path)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_json_lists_findings_worst_first_with_statement_and_fix(capsys, snapshot_file):
    code, out, _ = run(capsys, "findings", "--snapshot", str(snapshot_file), "--json")
    document = json.loads(out)
    assert code == 0
    assert [(f["check_id"], f["severity"]) for f in document["findings"]] == [
        ("XPT-TRUST-002", "high"), ("XPT-SVC-001", "medium")]
    first = document["findings"][0]
    assert first["statement"] == {"policy": VENDOR_ROLE, "policy_kind": "trust", "statement": 0, "sid": "Vendor"}
    assert "sts:ExternalId" in first["remediation"]
    # The vendor can reach the role (an opaque account stands for all its principals): external access.
    assert [(e["target"], e["outsider"]) for e in document["external_access"]["entries"]] == [(VENDOR_ROLE, VENDOR)]


def test_table_names_the_check_the_arn_and_the_fix(capsys, snapshot_file):
    code, out, _ = run(capsys, "findings", "--snapshot", str(snapshot_file))
    assert code == 0
    assert "XPT-TRUST-002" in out and "VendorRole" in out and "sts:ExternalId" in out
    assert "External access: 1 role(s) and resource(s)" in out


def test_external_lists_the_path_in_with_literal_brackets(capsys, snapshot_file):
    # Edge kinds are printed as "[assume-role]": the table must show them, not read them as rich markup.
    code, out, _ = run(capsys, "findings", "--snapshot", str(snapshot_file), "--external")
    assert code == 0 and f"{VENDOR} → [assume-role]" in out and "(external-account)" in out


def test_min_severity_hides_lower_rows(capsys, snapshot_file):
    _, out, _ = run(capsys, "findings", "--snapshot", str(snapshot_file), "--json", "--min-severity", "high")
    assert [f["check_id"] for f in json.loads(out)["findings"]] == ["XPT-TRUST-002"]


def test_fail_on_trips_only_at_or_above_the_severity(capsys, snapshot_file):
    code, _, err = run(capsys, "findings", "--snapshot", str(snapshot_file), "--json", "--fail-on", "high")
    assert code == 1 and "--fail-on" in err
    code, _, _ = run(capsys, "findings", "--snapshot", str(snapshot_file), "--json", "--fail-on", "critical")
    assert code == 0


def test_trusted_vendor_removes_the_finding_and_the_external_entry(capsys, snapshot_file):
    _, out, _ = run(capsys, "findings", "--snapshot", str(snapshot_file), "--json", "--trusted-accounts", VENDOR)
    document = json.loads(out)
    assert [f["check_id"] for f in document["findings"]] == ["XPT-SVC-001"]
    assert document["external_access"]["entries"] == []


def test_sarif_to_a_file_and_to_stdout(capsys, snapshot_file, tmp_path):
    target = tmp_path / "out.sarif"
    code, out, _ = run(capsys, "findings", "--snapshot", str(snapshot_file), "--sarif", str(target))
    log = json.loads(target.read_text())
    assert code == 0 and "XPT-TRUST-002" in out  # the table still goes to stdout
    assert log["version"] == "2.1.0"
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["XPT-TRUST-002", "XPT-SVC-001"]
    # The findings were read from a file, so results name it as their physical location.
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "snap.json")
    code, out, _ = run(capsys, "findings", "--snapshot", str(snapshot_file), "--sarif", "-")
    assert code == 0 and json.loads(out)["runs"][0]["tool"]["driver"]["name"] == "xpath-tui"


@pytest.mark.parametrize("args, fragment", [
    (["--trusted-accounts", "12345"], "'12345' is not a 12-digit account id"),
    (["--min-severity", "severe"], "severe"),
    (["--json", "--sarif", "-"], "choose one"),
])
def test_bad_options_give_one_line_and_exit_2(capsys, snapshot_file, args, fragment):
    code, out, err = run(capsys, "findings", "--snapshot", str(snapshot_file), *args)
    assert code == 2 and out == ""
    assert fragment in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unreadable_snapshot_gives_one_line_with_its_location(capsys, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, out, err = run(capsys, "findings", "--snapshot", str(broken))
    assert code == 2 and out == "" and "broken.json" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
