"""Short property-based fuzzing of the snapshot reader, the policy parser, the evaluator and `simulate`.

Every input must end in a result or a clean `XPathError` (one line, with a location), never another
exception (SPEC section 8). `benchmarks/fuzz.py --minutes N` runs the same properties for long.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.robustness.fuzzing import (
    GraphCheck, check_policy, check_request, check_simulate_cli, check_snapshot, check_snapshot_file, json_values,
    mutated_demo_snapshots, mutated_policies, new_runner, requests, snapshot_bytes,
)

_QUICK = settings(max_examples=60, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_SLOW = settings(max_examples=20, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_SNAPSHOT_SHAPED = st.fixed_dictionaries({"format": st.just("xpath-snapshot"), "version": st.just(1)},
                                         optional={"collected_at": json_values, "source": json_values,
                                                   "organization": json_values, "accounts": json_values})


@_QUICK
@given(json_values)
def test_the_snapshot_reader_on_arbitrary_json(raw: Any) -> None:
    check_snapshot(raw)


@_QUICK
@given(_SNAPSHOT_SHAPED)
def test_the_snapshot_reader_on_arbitrary_json_with_a_valid_header(raw: Any) -> None:
    # the header check stops most arbitrary documents at once; this reaches the schema and semantic checks
    check_snapshot(raw)


@_SLOW
@given(mutated_demo_snapshots())
def test_the_snapshot_reader_on_mutated_demo_snapshots(raw: Any) -> None:
    check_snapshot(raw)


@_SLOW
@given(mutated_demo_snapshots(max_edits=2))
def test_a_mutated_demo_snapshot_that_reads_also_builds_its_graph(raw: Any) -> None:
    check_snapshot(raw, GraphCheck.BUILD)


@_SLOW
@given(snapshot_bytes(), st.sampled_from([".json", ".json.gz"]))
def test_damaged_snapshot_files(tmp_path_factory: Any, data: bytes, suffix: str) -> None:
    check_snapshot_file(data, Path(tmp_path_factory.mktemp("fuzz")), suffix)


@_QUICK
@given(json_values)
def test_the_policy_parser_on_arbitrary_json(document: Any) -> None:
    check_policy(document)
    check_policy(json.dumps(document, allow_nan=True))


@_QUICK
@given(mutated_policies())
def test_the_policy_parser_and_evaluator_on_mutated_real_policies(document: Any) -> None:
    check_policy(document)


@_QUICK
@given(requests())
def test_the_evaluator_on_requests_built_from_mutated_parts(raw: Any) -> None:
    check_request(raw)


@_QUICK
@given(json_values)
def test_the_evaluator_on_arbitrary_json_requests(raw: Any) -> None:
    check_request(raw)


@_SLOW
@given(st.one_of(requests(), st.lists(requests(), max_size=3), json_values, st.text(max_size=40)))
def test_simulate_on_the_command_line_answers_or_refuses_in_one_line(raw: Any) -> None:
    check_simulate_cli(raw, new_runner())
