"""The snapshot validator: every problem, with its location; the schema and its fast gate agree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from graph.errors import SnapshotError
from graph.schema import load_schema, schema_problems
from graph.schema.gate import UnsupportedKeywordError, compile_gate
from graph.snapshot import load_snapshot, parse_snapshot, validate_snapshot
from tests.snapshot.broken_cases import BROKEN, DEV_TRUST, Broken
from tests.snapshot.snapshot_builders import Encoding, gaad_snapshot, minimal_snapshot


def test_minimal_snapshot_is_valid() -> None:
    # The base every broken case starts from must itself be valid, or the cases prove nothing.
    assert validate_snapshot(minimal_snapshot()) == []


@pytest.mark.parametrize("case", BROKEN, ids=[case.name for case in BROKEN])
def test_each_broken_snapshot_gives_its_one_problem_at_its_location(case: Broken, tmp_path: Path) -> None:
    # Each case breaks one thing; the validator names exactly that, where it is.
    problems = validate_snapshot(case.write(tmp_path))
    assert len(problems) == 1, problems
    assert case.location in problems[0].location
    assert case.fragment in problems[0].message


@pytest.mark.parametrize("case", BROKEN, ids=[case.name for case in BROKEN])
def test_loading_a_broken_snapshot_raises_snapshot_error_naming_the_location(case: Broken, tmp_path: Path) -> None:
    # load_snapshot never returns a half-read model and never leaks a lower-level exception.
    path = case.write(tmp_path)
    with pytest.raises(SnapshotError) as raised:
        load_snapshot(path)
    assert str(path) in str(raised.value)
    assert case.location in str(raised.value) and case.fragment in str(raised.value)


def test_every_problem_is_reported_not_only_the_first() -> None:
    # A user fixing a snapshot wants the whole list at once (issue 2: "every problem").
    document = minimal_snapshot()
    document["accounts"][0]["id"] = "12345"
    statement = document["accounts"][0]["authorization_details"]["RoleDetailList"][0]["AssumeRolePolicyDocument"][
        "Statement"][0]
    statement["Effect"] = "Allow it"
    del document["accounts"][1]["authorization_details"]["RoleDetailList"][0]["Arn"]
    problems = [str(problem) for problem in validate_snapshot(document)]
    # Sorted by location: keys alphabetically, list indexes as numbers.
    assert problems == [
        f"{DEV_TRUST}.Statement[0]: Effect must be Allow or Deny (got 'Allow it')",
        "accounts[0].id: '12345' is not a 12-digit account id",
        "accounts[1].authorization_details.RoleDetailList[0]: missing required field 'Arn'",
    ]


def test_locations_sort_by_index_as_numbers() -> None:
    # accounts[10] comes after accounts[2] (document order, not string order).
    document = minimal_snapshot()
    extra = [json.loads(json.dumps(document["accounts"][0])) for _ in range(10)]
    for index, account in enumerate(extra):
        account["id"] = f"{300000000000 + index}"
        account["authorization_details"]["RoleDetailList"][0]["Arn"] = f"arn:aws:iam::{account['id']}:role/App"
    document["accounts"] += extra
    document["accounts"][2]["name"] = 7
    document["accounts"][10]["name"] = 7
    assert [problem.location for problem in validate_snapshot(document)] == ["accounts[2].name", "accounts[10].name"]


def test_load_error_counts_the_other_problems(tmp_path: Path) -> None:
    # The first problem is named, and the user is told how many more `validate` will list.
    document = minimal_snapshot()
    document["accounts"][0]["id"] = "1"
    document["accounts"][1]["id"] = "2"
    path = tmp_path / "two.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SnapshotError) as raised:
        load_snapshot(path)
    assert raised.value.location == f"{path}: accounts[0].id"
    assert "(and 1 more problem; `xpath-tui validate` lists them all)" in raised.value.message


def test_unknown_fields_are_allowed_everywhere() -> None:
    # Collectors and newer AWS APIs add fields; format v1 ignores what it does not know.
    document = minimal_snapshot()
    document["collector"] = {"version": "9"}
    document["accounts"][0]["alias"] = "dev-alias"
    document["accounts"][0]["authorization_details"]["RoleDetailList"][0]["RoleLastUsed"] = {"Region": "eu-west-1"}
    document["accounts"][1]["resources"][0]["policy"]["Statement"][0]["Comment"] = "kept"
    assert validate_snapshot(document) == []


def test_deleted_principal_unique_ids_are_accepted_in_policies() -> None:
    # When a trusted role is deleted, AWS shows its unique id (AROA...) in the policy instead of the ARN.
    document = minimal_snapshot()
    document["accounts"][0]["authorization_details"]["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0][
        "Principal"] = {"AWS": ["AROA4EXAMPLEDELETED", "*", "123456789012"]}
    assert validate_snapshot(document) == []


def test_identity_policies_may_not_name_a_principal() -> None:
    # IAM rejects identity-based policies with a Principal element ("Has prohibited field Principal").
    document = minimal_snapshot()
    document["accounts"][0]["authorization_details"]["RoleDetailList"][0]["RolePolicyList"] = [{
        "PolicyName": "inline", "PolicyDocument": {"Statement": {"Effect": "Allow", "Principal": "*",
                                                                 "Action": "s3:*", "Resource": "*"}}}]
    [problem] = validate_snapshot(document)
    assert problem.location == ("accounts[0].authorization_details.RoleDetailList[0].RolePolicyList[0]."
                                "PolicyDocument.Statement.Principal")


def test_a_managed_policy_needs_a_default_version() -> None:
    # The effective document of a managed policy is its default version (IAM: "Versioning IAM policies").
    document = gaad_snapshot()
    for version in document["accounts"][0]["authorization_details"]["Policies"][0]["PolicyVersionList"]:
        version["IsDefaultVersion"] = False
    document["accounts"][0]["authorization_details"]["Policies"][0]["DefaultVersionId"] = "v9"
    [problem] = validate_snapshot(document)
    assert problem.location == "accounts[0].authorization_details.Policies[0].PolicyVersionList"
    assert "no default version" in problem.message


def test_the_raw_cli_output_of_every_encoding_is_valid() -> None:
    # GetAccountAuthorizationDetails as the CLI prints it (objects) and as the API returns it (URL-encoded).
    for encoding in Encoding:
        assert validate_snapshot(gaad_snapshot(encoding)) == [], encoding


def test_parse_snapshot_refuses_an_invalid_document_with_its_origin() -> None:
    document = minimal_snapshot()
    document["version"] = 2
    with pytest.raises(SnapshotError) as raised:
        parse_snapshot(document, origin="generated")
    assert str(raised.value) == "generated: version: unsupported snapshot version 2 (this xpath-tui reads version 1)"


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    [problem] = validate_snapshot(tmp_path / "absent.json")
    assert problem.location == str(tmp_path / "absent.json") and "cannot read the file" in problem.message


def test_a_gz_name_on_plain_json_is_refused(tmp_path: Path) -> None:
    # A .json.gz that is not gzip was probably renamed by mistake; say so rather than guess.
    path = tmp_path / "plain.json.gz"
    path.write_text(json.dumps(minimal_snapshot()), encoding="utf-8")
    [problem] = validate_snapshot(path)
    assert "not gzip-compressed" in problem.message


def test_the_shipped_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _documents_to_compare() -> list[tuple[str, Any]]:
    cases = [(case.name, case.document()) for case in BROKEN if case.mutate is not None]
    return [("minimal", minimal_snapshot()), ("gaad", gaad_snapshot()), *cases,
            ("version-as-bool", {**minimal_snapshot(), "version": True}),
            ("count-as-bool", _with_session_duration(True)), ("count-as-float", _with_session_duration(3600.5))]


def _with_session_duration(value: Any) -> dict[str, Any]:
    document = minimal_snapshot()
    document["accounts"][0]["authorization_details"]["RoleDetailList"][0]["MaxSessionDuration"] = value
    return document


@pytest.mark.parametrize(("name", "document"), _documents_to_compare(), ids=lambda value: value if isinstance(
    value, str) else "")
def test_the_fast_gate_agrees_with_jsonschema(name: str, document: Any) -> None:
    # The gate only decides whether jsonschema runs; if it ever passed what jsonschema rejects,
    # schema problems would go unreported. JSON Schema: true is not an integer, 3600.5 is not one either.
    gate = compile_gate(load_schema())
    assert gate(document) == Draft202012Validator(load_schema()).is_valid(document), name
    assert (schema_problems(document) == []) == gate(document)


def test_the_gate_refuses_keywords_it_does_not_implement() -> None:
    # A schema edit using a new keyword must fail loudly, not be silently ignored by the gate.
    with pytest.raises(UnsupportedKeywordError):
        compile_gate({"type": "object", "properties": {"a": {"oneOf": [{"type": "string"}]}}})


def test_the_documented_example_is_a_valid_snapshot() -> None:
    # docs/snapshot.md must not drift from what the reader accepts.
    import re

    text = (Path(__file__).resolve().parents[2] / "docs" / "snapshot.md").read_text(encoding="utf-8")
    match = re.search(r"```json\n(.*?)```", text, re.S)
    assert match is not None
    snapshot = parse_snapshot(json.loads(match.group(1)))
    [role] = snapshot.accounts[0].roles
    assert role.trust_policy.as_dict()["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
