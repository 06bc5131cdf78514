"""`decode_snapshot`: the outline the explorer shows before the model exists.

The outline must say exactly what the model will (a first screen that changes once the model
arrives would mislead), and must never be read from a part of the document whose shape is wrong:
such a document has no outline, and opening it fails with the error `load_snapshot` gives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph.errors import SnapshotError
from graph.outline import outline_of
from graph.snapshot import decode_snapshot, load_snapshot
from tests.snapshot.broken_cases import BROKEN, Broken
from tests.snapshot.snapshot_builders import Encoding, gaad_snapshot, minimal_snapshot


def _write(directory: Path, name: str, document: object) -> Path:
    path = directory / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _with_partial_account(document: dict[str, Any]) -> dict[str, Any]:
    # An unnamed account with collection errors: both must show on the first screen.
    document["accounts"][0]["name"] = None
    document["accounts"][0]["errors"] = [
        {"service": "s3", "operation": "GetBucketPolicy", "resource": "arn:aws:s3:::b", "code": "AccessDenied",
         "message": "denied"},
        {"service": "iam", "operation": "GetAccountAuthorizationDetails", "code": "AccessDenied"},
    ]
    return document


@pytest.mark.parametrize("encoding", list(Encoding))
def test_the_outline_says_what_the_model_holds(tmp_path: Path, encoding: Encoding) -> None:
    path = _write(tmp_path, "valid.json", _with_partial_account(gaad_snapshot(encoding)))
    decoded = decode_snapshot(path)
    snapshot = load_snapshot(path)
    assert decoded.outline == outline_of(snapshot)
    assert decoded.outline is not None
    # The figures a user reads first, from the model's own objects.
    account = decoded.outline.accounts[0]
    assert account.name is None
    assert (account.users, account.roles, account.resources) == (
        len(snapshot.accounts[0].users), len(snapshot.accounts[0].roles), len(snapshot.accounts[0].resources))
    assert account.roles > 0  # the fixture holds roles: the counts are not trivially zero
    assert [error.operation for error in account.errors] == ["GetBucketPolicy", "GetAccountAuthorizationDetails"]
    assert account.errors[1].message == ""  # the model's default for a missing message
    assert decoded.open().verify() == snapshot


@pytest.mark.parametrize("case", [case for case in BROKEN if case.mutate is not None], ids=lambda case: case.name)
def test_a_broken_snapshot_decodes_and_then_fails_at_open_or_verify_as_load_snapshot_does(
        tmp_path: Path, case: Broken) -> None:
    # Whatever the outline could read, the user ends with the error load_snapshot gives.
    path = case.write(tmp_path)
    with pytest.raises(SnapshotError) as loaded:
        load_snapshot(path)
    decoded = decode_snapshot(path)
    with pytest.raises(SnapshotError) as failed:
        decoded.open().verify()
    assert str(failed.value) == str(loaded.value)


@pytest.mark.parametrize("where, value", [
    ("name", 5),  # a number where a name goes: it would be drawn as text
    ("id", "12345"),  # not a 12-digit account id
    ("errors", [{"service": "s3", "operation": "GetBucketPolicy"}]),  # an error without its code
    ("resources", {"arn": "arn:aws:s3:::b"}),  # an object where a list goes: it has no count
])
def test_an_account_the_outline_cannot_read_leaves_no_outline_and_open_says_where(
        tmp_path: Path, where: str, value: object) -> None:
    document = minimal_snapshot()
    document["accounts"][0][where] = value
    path = _write(tmp_path, "bad.json", document)
    assert decode_snapshot(path).outline is None
    with pytest.raises(SnapshotError, match=r"bad\.json: accounts\[0\]"):
        decode_snapshot(path).open()


def test_an_organization_of_the_wrong_shape_leaves_no_outline(tmp_path: Path) -> None:
    # An organizational unit without its parent cannot be placed in the tree.
    document = minimal_snapshot()
    assert document["organization"]["organizational_units"], "the minimal snapshot has an OU"
    del document["organization"]["organizational_units"][0]["parent_id"]
    path = _write(tmp_path, "org.json", document)
    assert decode_snapshot(path).outline is None
    with pytest.raises(SnapshotError, match=r"organizational_units\[0\]: missing required field 'parent_id'"):
        decode_snapshot(path).open()


def test_a_file_that_is_not_json_fails_when_decoded(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"bad\.json, line 1 column 2"):
        decode_snapshot(path)


@pytest.mark.parametrize("name, value", [
    ("account_id", "111111111111"), ("account_id", "11111111111"), ("account_id", 111111111111),
    ("optional_string", None), ("optional_string", "dev"), ("optional_string", 5),
    ("collection_error", {"service": "s3", "operation": "ListBuckets", "code": "AccessDenied"}),
    ("collection_error", {"service": "s3", "operation": "ListBuckets", "code": "AccessDenied", "resource": None}),
    ("collection_error", {"service": "s3", "operation": "ListBuckets"}),
    ("collection_error", {"service": "s3", "operation": "ListBuckets", "code": "X", "message": 3}),
    ("organization", None),
    ("organization", minimal_snapshot()["organization"]),
    ("organization", {**minimal_snapshot()["organization"], "roots": [{"id": "root", "name": "Root"}]}),
])
def test_one_definitions_gate_agrees_with_jsonschema(name: str, value: object) -> None:
    # The outline trusts these gates to keep what it reads well typed; they must say what jsonschema says.
    from jsonschema import Draft202012Validator

    from graph.schema import load_schema, matches_definition

    schema = load_schema()
    validator = Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{name}"})
    assert matches_definition(name, value) == validator.is_valid(value)
