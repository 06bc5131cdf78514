"""The validator and the policy parser must agree on what a snapshot's policies mean (found by fuzzing).

`graph.policy` (used by the graph build) refuses an empty action or one not of the form
`service:Action`. The validator used to check only the shape of each document, so `xpath-tui
validate` called such a snapshot valid while every query failed with a location naming no place in
the snapshot (`policy.Statement[0].Action`). The validator now applies the same rules, so the
reader refuses the snapshot at the bad document's place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph.errors import XPathError
from graph.snapshot import parse_snapshot, validate_snapshot
from tests.robustness.helpers import demo_document, run_cli

_MANAGED = ("accounts", 0, "authorization_details", "Policies", 0, "PolicyVersionList", 0, "Document")
_TRUST = ("accounts", 1, "authorization_details", "RoleDetailList", 2, "AssumeRolePolicyDocument")


def _edit(path: tuple[Any, ...], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = demo_document()
    target: Any = document
    for part in path:
        target = target[part]
    statements = target["Statement"]
    change(statements[0] if isinstance(statements, list) else statements)
    return document


def _empty_action(statement: dict[str, Any]) -> None:
    statement["Action"] = ""


def _url_encoded_action(statement: dict[str, Any]) -> None:
    statement["Action"] = "%22sts%3AAssumeRole%22"


# each edit: IAM rejects it (an action is "service:action" or "*"; IAM JSON policy element reference, Action)
CASES = [pytest.param(_MANAGED, _empty_action, id="empty-action-in-a-managed-policy"),
         pytest.param(_TRUST, _url_encoded_action, id="url-encoded-action-in-a-trust-policy")]


@pytest.mark.parametrize("path, change", CASES)
def test_the_reader_refuses_such_a_snapshot_at_the_documents_place(path: tuple[Any, ...],
                                                                   change: Callable[[dict[str, Any]], None]) -> None:
    with pytest.raises(XPathError) as raised:
        parse_snapshot(_edit(path, change))
    where = ".".join(str(part) for part in path[:1]) + f"[{path[1]}]"
    assert "\n" not in str(raised.value) and where in str(raised.value.location)
    assert "Action" in str(raised.value.location)


@pytest.mark.parametrize("path, change", CASES)
def test_validate_reports_a_policy_the_parser_refuses_at_its_place(path: tuple[Any, ...],
                                                                   change: Callable[[dict[str, Any]], None]) -> None:
    problems = validate_snapshot(_edit(path, change))
    where = ".".join(str(part) for part in path[:1]) + f"[{path[1]}]"
    assert any(problem.location.startswith(where) and "Action" in problem.location for problem in problems), problems


def test_a_query_on_such_a_snapshot_names_the_bad_document(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import json

    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_edit(_MANAGED, _empty_action)), encoding="utf-8")
    code, out, err = run_cli(capsys, "who-can", "arn:aws:s3:::shared-data-bucket", "--snapshot", str(path))
    assert code == 2 and "Traceback" not in out + err
    assert "accounts[0].authorization_details.Policies[0]" in err, err


def test_a_well_formed_action_list_is_still_valid() -> None:
    # near miss: "*", "s3:Get*" and a mixed-case action are all of the form IAM accepts
    document = _edit(_MANAGED, lambda statement: statement.update(Action=["*", "s3:Get*", "SQS:SendMessage"]))
    assert validate_snapshot(document) == []
