"""`xpath-tui diff OLD NEW` as a user runs it: changes as a table or JSON, CI gates, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.model import Account, Organization, OrgAccount, OrgRoot, PolicyDocument, Role, Snapshot
from graph.snapshot import save_snapshot
from tui.cli import main

DEV, DATA, MGMT, VENDOR = "111111111111", "222222222222", "333333333333", "999999999999"
NEW_ROLE = f"arn:aws:iam::{DATA}:role/NewVendor"


def snapshot(*roles: Role) -> Snapshot:
    org = Organization("o-exampleorg1", MGMT, (OrgRoot("r-ab12", "Root"),), (),
                       tuple(OrgAccount(a, None, "r-ab12") for a in (DEV, DATA, MGMT)))
    return Snapshot("2026-11-27T10:00:00Z", "import", org, (Account(DEV), Account(DATA, roles=roles)))


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    """OLD has no role; NEW adds a role trusting the vendor account without an external ID."""
    trust = PolicyDocument.from_dict({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": VENDOR}, "Action": "sts:AssumeRole"}]})
    old, new = tmp_path / "old.json", tmp_path / "new.json.gz"
    save_snapshot(snapshot(), old)
    save_snapshot(snapshot(Role(NEW_ROLE, "NewVendor", DATA, trust)), new)
    return old, new


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_json_reports_the_new_trust_as_edge_finding_and_external_access(capsys, files):
    old, new = files
    code, out, _ = run(capsys, "diff", str(old), str(new), "--json")
    document = json.loads(out)
    assert code == 0  # no gate asked for
    assert [(e["from"], e["to"], e["edge"]) for e in document["edges"]["added"]] == [(VENDOR, NEW_ROLE, "assume-role")]
    assert document["edges"]["removed"] == []
    assert [f["check_id"] for f in document["findings"]["added"]] == ["XPT-TRUST-002"]
    assert [e["outsider"] for e in document["external_access"]["added"]] == [VENDOR]
    assert document["reach"] == [{"target": NEW_ROLE, "gained": [VENDOR], "lost": []}]


@pytest.mark.parametrize("gate", ["new-external", "new-finding", "new-path"])
def test_each_gate_trips_on_the_added_vendor_trust(capsys, files, gate):
    old, new = files
    code, _, err = run(capsys, "diff", str(old), str(new), "--fail-on", gate)
    assert code == 1 and gate in err


def test_gates_do_not_trip_when_access_is_only_removed(capsys, files):
    old, new = files
    code, out, _ = run(capsys, "diff", str(new), str(old), "--fail-on", "new-external", "--fail-on", "new-path")
    assert code == 0 and "NewVendor" in out


def test_same_snapshot_twice_has_no_changes(capsys, files):
    old, _ = files
    code, out, _ = run(capsys, "diff", str(old), str(old))
    assert code == 0 and "No changes in access." in out


def test_missing_file_gives_one_line_and_exit_2(capsys, files, tmp_path):
    old, _ = files
    code, out, err = run(capsys, "diff", str(old), str(tmp_path / "nope.json"))
    assert code == 2 and out == "" and "nope.json" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
