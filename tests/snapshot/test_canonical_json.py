"""`canonical_json` (orjson fast path): the text stays a faithful, stable key for a policy document."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.model import PolicyDocument, canonical_json

_REFERENCE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
"""What canonical_json wrote before orjson: `json.dumps` without spaces, non-ASCII kept."""

_SCALARS = st.none() | st.booleans() | st.integers() | st.text()
_VALUES = st.recursive(_SCALARS, lambda children: st.lists(children, max_size=4)
                       | st.dictionaries(st.text(max_size=8), children, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_text_without_floats_is_exactly_what_json_dumps_writes(value: Any) -> None:
    # Without floats the two encoders agree character for character (escapes, non-ASCII, key order),
    # so documents modelled before and after the change have the same texts.
    assert canonical_json(value) == _REFERENCE.encode(value)


@settings(max_examples=300, deadline=None)
@given(st.recursive(_SCALARS | st.floats(allow_nan=False, allow_infinity=False),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children,
                                                                                        max_size=4), max_leaves=20))
def test_text_reads_back_as_the_same_value(value: Any) -> None:
    # Floats may be written in another exponent form (1e16 for 1e+16): still the same number.
    assert json.loads(canonical_json(value)) == value


def test_values_orjson_cannot_write_faithfully_fall_back_to_json() -> None:
    # orjson refuses integers past 64 bits and writes NaN / infinity as null: the text would lose
    # the value (a condition on 2**70 would become a float, NaN would equal null).
    big = {"Condition": {"NumericEquals": {"aws:MultiFactorAuthAge": 2**70}}}
    assert canonical_json(big) == _REFERENCE.encode(big)
    assert json.loads(canonical_json(big)) == big
    assert canonical_json([math.nan]) == "[NaN]"
    assert canonical_json([math.inf, None]) == "[Infinity,null]"
    assert canonical_json([None]) == "[null]"
    assert canonical_json({1: "a"}) == '{"1":"a"}'  # json's rule for a non-string key
    assert canonical_json(["\ud800"]) == _REFERENCE.encode(["\ud800"])  # json.loads accepts a lone surrogate


def test_equal_documents_get_equal_texts_whatever_their_key_spacing() -> None:
    # The text is a function of the value: a document read twice is one PolicyDocument.
    first = PolicyDocument.from_dict(json.loads('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}'))
    second = PolicyDocument.from_dict(json.loads('{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}'))
    assert first == second
    assert first.text == '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}'
