"""Policies are parsed when an evaluation first needs them (issue 8: the 500-account build).

The build only pre-filters most resource and identity policies by their statements' shapes; the
evaluator's parse of a document waits for the first question that evaluates it. What a user sees
must not change: the same answers, and a document the evaluator refuses still gives a clean,
located error (exit 2), now naming the policy, when a question needs it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from graph.build import build_graph
from graph.errors import PolicyError
from graph.policy import policy_from_text
from graph.query import who_can
from graph.snapshot import parse_snapshot, validate_snapshot
from tests.robustness.helpers import demo_document

_BUCKET = "arn:aws:s3:::shared-data-bucket"
_OTHER = "arn:aws:sqs:us-east-1:222222222222:ingest-queue"


def _with_partial_wildcard_principal() -> dict[str, Any]:
    document = demo_document()
    for resource in document["accounts"][2]["resources"]:
        if resource["arn"] == _BUCKET:
            # IAM refuses a wildcard inside a principal ARN ("You cannot use a wildcard to match part of a
            # principal name or ARN", IAM JSON policy elements: Principal); the snapshot's shape checks let it by
            resource["policy"] = {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/*"},
                "Action": "s3:GetObject", "Resource": f"{_BUCKET}/*"}]}
    return document


def test_a_policy_the_evaluator_refuses_fails_the_question_that_needs_it_naming_the_policy() -> None:
    document = _with_partial_wildcard_principal()
    assert validate_snapshot(document) == []  # the gap tests/robustness/test_validator_agreement.py pins
    graph = build_graph(parse_snapshot(document))
    # other resources still answer: their evaluation never reads the refused document
    assert who_can(graph, _OTHER).principals
    with pytest.raises(PolicyError) as raised:
        who_can(graph, _BUCKET)
    assert raised.value.location is not None
    assert raised.value.location.startswith(f"{_BUCKET} resource policy: policy.Statement")
    assert "partial wildcard" in raised.value.message


def test_one_text_under_two_ids_keeps_each_id_and_shares_its_statements() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                               "Resource": "*"}]}, separators=(",", ":"))
    first, second = policy_from_text(text, "arn:aws:iam::111111111111:policy/A"), policy_from_text(text, "inline/B")
    # decisions cite the id of the policy that decided: each keeps its own
    assert (first.policy_id, second.policy_id) == ("arn:aws:iam::111111111111:policy/A", "inline/B")
    assert first != second and first.text == second.text == text
    assert first.statements is second.statements  # parsed once
    assert first.statements_for_action("s3:GetObject") == second.statements_for_action("s3:GetObject")


@pytest.mark.parametrize("value, written", [(1e16, "1e+16"), (1.5e-7, "1.5e-07"), (0.25, "0.25"),
                                            (12345678901234567890123, "12345678901234567890123")])
def test_the_canonical_text_of_a_parsed_policy_is_what_json_writes(value: float, written: str) -> None:
    # Policy.text is the cache key and what exports show: Python's json spelling, whichever encoder ran
    text = ('{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",'
            f'"Condition":{{"NumericLessThan":{{"s3:max-keys":{json.dumps(value)}}}}}}}}}')
    policy = policy_from_text(text)
    assert f'"s3:max-keys":{written}' in policy.text
    assert policy.text == json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
