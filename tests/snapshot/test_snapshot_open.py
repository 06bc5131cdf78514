"""`open_snapshot`: the explorer's early model, whose remaining checks run later (`verify`).

Whatever the snapshot, opening then verifying must end exactly as `load_snapshot` does: the same
model when it is valid, the same one-line error when it is not, only possibly later.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.errors import SnapshotError
from graph.snapshot import load_snapshot, open_snapshot, validate_snapshot
from tests.snapshot.broken_cases import BROKEN, Broken
from tests.snapshot.snapshot_builders import Encoding, gaad_snapshot, minimal_snapshot


def _write(directory: Path, name: str, document: object) -> Path:
    path = directory / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize("encoding", list(Encoding))
def test_a_valid_snapshot_opens_to_the_model_load_snapshot_gives(tmp_path: Path, encoding: Encoding) -> None:
    # Same reading code, fewer checks first: the model must be equal, whichever document encoding.
    path = _write(tmp_path, "valid.json", gaad_snapshot(encoding))
    opened = open_snapshot(path)
    assert opened.snapshot == load_snapshot(path)
    assert opened.problems() == []
    assert opened.verify() is opened.snapshot


@pytest.mark.parametrize("case", BROKEN, ids=[case.name for case in BROKEN])
def test_a_broken_snapshot_fails_with_load_snapshots_error_at_open_or_at_verify(tmp_path: Path, case: Broken) -> None:
    # The one-line error a user reads must not depend on when the explorer found the problem.
    path = case.write(tmp_path)
    with pytest.raises(SnapshotError) as loaded:
        load_snapshot(path)
    try:
        opened = open_snapshot(path)
    except SnapshotError as error:
        assert str(error) == str(loaded.value)
        return
    with pytest.raises(SnapshotError) as verified:
        opened.verify()
    assert str(verified.value) == str(loaded.value)
    assert opened.problems() == validate_snapshot(path)


def test_a_malformed_policy_deep_inside_is_found_by_verify_not_by_open(tmp_path: Path) -> None:
    # The structure is right (a trust policy is an object), its grammar is not (Effect "Permit"):
    # the tree can show, but nothing may be answered before verify, which names the place.
    document = minimal_snapshot()
    trust = document["accounts"][0]["authorization_details"]["RoleDetailList"][0]["AssumeRolePolicyDocument"]
    trust["Statement"][0]["Effect"] = "Permit"
    path = _write(tmp_path, "deep.json", document)
    opened = open_snapshot(path)
    assert [account.id for account in opened.snapshot.accounts] == [account["id"] for account in document["accounts"]]
    with pytest.raises(SnapshotError, match=r"RoleDetailList\[0\]\.AssumeRolePolicyDocument\.Statement\[0\]: "
                                            r"Effect must be Allow or Deny \(got 'Permit'\)"):
        opened.verify()


def test_what_the_model_cannot_hold_fails_at_open_with_its_location(tmp_path: Path) -> None:
    # A managed policy without a default version has no document to model: open cannot return a
    # model, so it reports the problem where validate puts it.
    document = gaad_snapshot()
    policy = document["accounts"][0]["authorization_details"]["Policies"][0]
    for version in policy["PolicyVersionList"]:
        version["IsDefaultVersion"] = False
    policy.pop("DefaultVersionId", None)
    path = _write(tmp_path, "no-default.json", document)
    with pytest.raises(SnapshotError, match=r"Policies\[0\]\.PolicyVersionList: no default version"):
        open_snapshot(path)
