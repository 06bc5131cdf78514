"""Loading checks and writes each distinct policy document once, yet reports every problem where it is."""

from __future__ import annotations

import copy
import gc
import json
from pathlib import Path
from typing import Any

import pytest

from graph.errors import SnapshotError
from graph.model import canonical_json
from graph.schema.checks import semantic_problems
from graph.schema.documents import DocumentKind, DocumentMemo, check_document
from graph.snapshot import load_snapshot, parse_snapshot, validate_snapshot
from tests.snapshot.snapshot_builders import minimal_snapshot

_ROLE = ("accounts", 0, "authorization_details", "RoleDetailList", 0)
_PRINCIPAL_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "sts:AssumeRole"}]}


def _roles(document: dict[str, Any], account: int) -> list[dict[str, Any]]:
    roles: list[dict[str, Any]] = document["accounts"][account]["authorization_details"]["RoleDetailList"]
    return roles


def test_a_bad_document_seen_twice_is_reported_at_both_places() -> None:
    # The memo only remembers clean documents: a repeated problem is a problem at each place it appears.
    memo = DocumentMemo()
    bad = {"Statement": [{"Effect": "Allow it", "Action": "s3:*", "Resource": "*"}]}
    first = memo.check(bad, ("a",), DocumentKind.IDENTITY)
    second = memo.check(copy.deepcopy(bad), ("b",), DocumentKind.IDENTITY)
    assert [problem.location for problem in first] == ["a.Statement[0]"]
    assert [problem.location for problem in second] == ["b.Statement[0]"]


def test_a_document_clean_for_one_kind_is_still_checked_for_another() -> None:
    # A Principal is required in a trust policy but forbidden in an identity policy (IAM JSON policy
    # elements: Principal, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html),
    # so the same text is clean as TRUST and wrong as IDENTITY (where Resource is required too: IAM
    # Resource element reference, "Statements must include either a Resource or a NotResource element").
    memo = DocumentMemo()
    assert memo.check(_PRINCIPAL_POLICY, ("trust",), DocumentKind.TRUST) == []
    problems = memo.check(copy.deepcopy(_PRINCIPAL_POLICY), ("inline",), DocumentKind.IDENTITY)
    assert [str(problem) for problem in problems] == [
        "inline.Statement[0]: statement has neither Resource nor NotResource",
        "inline.Statement[0].Principal: an identity policy cannot have Principal"]


def test_the_three_encodings_of_one_document_share_its_canonical_text() -> None:
    # AWS hands the same document over as an object, JSON text or URL-encoded JSON text; all mean one policy.
    memo = DocumentMemo()
    text = json.dumps(_PRINCIPAL_POLICY)
    encoded = text.replace("{", "%7B").replace("}", "%7D").replace('"', "%22")
    assert memo.text(_PRINCIPAL_POLICY) == memo.text(text) == memo.text(encoded) == canonical_json(_PRINCIPAL_POLICY)


def test_an_undecodable_string_is_reported_like_without_the_memo() -> None:
    # A string that is neither JSON nor URL-encoded JSON has no canonical text; the full check says why.
    memo = DocumentMemo()
    assert memo.check("{not json", ("x",), DocumentKind.TRUST) == check_document("{not json", ("x",), DocumentKind.TRUST)
    assert len(memo.check("{not json", ("x",), DocumentKind.TRUST)) == 1


def test_memoized_checks_find_exactly_what_plain_checks_find() -> None:
    # Twenty roles share one clean trust policy and ten share one broken one: same problems, same places.
    document = minimal_snapshot()
    roles = _roles(document, 0)
    template = roles[0]
    broken = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    for index in range(1, 31):
        role = copy.deepcopy(template)
        role["RoleName"] = f"R{index}"
        role["Arn"] = f"arn:aws:iam::111111111111:role/R{index}"
        if index % 3 == 0:
            role["AssumeRolePolicyDocument"] = copy.deepcopy(broken)
        roles.append(role)
    plain = semantic_problems(document)
    assert len(plain) == 10  # "statement has neither Principal nor NotPrincipal", once per broken role
    assert semantic_problems(document, DocumentMemo()) == plain


def test_loading_reports_as_many_problems_as_validate(tmp_path: Path) -> None:
    # `load` names the first problem and how many more; the memo must not hide any of the repeats.
    document = minimal_snapshot()
    for account in (0, 1):
        del _roles(document, account)[0]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert len(validate_snapshot(path)) == 2
    with pytest.raises(SnapshotError, match=r"\(and 1 more problem;"):
        load_snapshot(path)


def test_identical_documents_become_one_policy_document() -> None:
    # Both roles trust the same principal with equal documents: one PolicyDocument, its text canonical.
    document = minimal_snapshot()
    trust = copy.deepcopy(_roles(document, 0)[0]["AssumeRolePolicyDocument"])
    snapshot = parse_snapshot(document)
    first, second = (account.roles[0].trust_policy for account in snapshot.accounts)
    assert first is second
    assert first.text == canonical_json(trust)
    assert first.as_dict() == trust


def test_a_json_string_document_models_as_its_object_form() -> None:
    # A trust policy given as JSON text is the same policy as the object form.
    document = minimal_snapshot()
    role = _roles(document, 1)[0]
    role["AssumeRolePolicyDocument"] = json.dumps(role["AssumeRolePolicyDocument"], indent=2)
    snapshot = parse_snapshot(document)
    assert snapshot.accounts[1].roles[0].trust_policy == snapshot.accounts[0].roles[0].trust_policy


@pytest.mark.parametrize("valid", [True, False], ids=["loaded", "rejected"])
def test_the_garbage_collector_is_back_after_a_load(valid: bool, tmp_path: Path) -> None:
    # Loading pauses the collector for speed; a caller must get it back whether the load worked or not.
    document = minimal_snapshot()
    if not valid:
        document["accounts"][0]["id"] = "12345"
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert gc.isenabled()
    if valid:
        load_snapshot(path)
    else:
        with pytest.raises(SnapshotError):
            load_snapshot(path)
    assert gc.isenabled()


def test_a_collector_the_caller_disabled_stays_disabled() -> None:
    # The pause restores what it found; it does not switch on a collector its caller turned off.
    gc.disable()
    try:
        parse_snapshot(minimal_snapshot())
        assert not gc.isenabled()
    finally:
        gc.enable()
