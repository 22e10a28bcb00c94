"""The loader's JSON decoding: orjson's fast path and the standard path read the same
document, and what orjson refuses still loads (or fails with the usual message)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nb2prod.errors import InputError
from nb2prod.notebook.load import decode_json, load_notebook_text

# JSON values a notebook may hold: integers within 64 bits (orjson reads larger ones as
# floats, see decode_json), finite floats, any text (surrogate pairs included), nesting.
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_VALUES, st.booleans())
def test_fast_path_reads_what_the_standard_module_reads(value: object, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert decode_json(text) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": "\\ud800x"}', {"a": "\ufffdx"}),  # a lone surrogate: U+FFFD
        ('{"a": "\\ud83d\\ude00"}', {"a": "\U0001f600"}),  # a pair: the character
        ('{"a": NaN}', None),  # NaN and infinities: the standard module's floats
        ('{"a": 1e400}', {"a": math.inf}),
        ('{"a": ' + "9" * 5000 + "}", {"a": math.inf}),  # over int()'s digit limit
        ('{"a": "tab\there"}', None),  # a raw control character: refused by both
    ],
)
def test_what_orjson_refuses_goes_through_the_standard_module(text: str, expected: object) -> None:
    if expected is None and "NaN" in text:
        assert math.isnan(decode_json(text)["a"])
    elif expected is None:
        with pytest.raises(json.JSONDecodeError):
            decode_json(text)
    else:
        assert decode_json(text) == expected


def test_a_file_that_is_not_json_still_gets_the_line_and_column() -> None:
    with pytest.raises(InputError, match=r"invalid JSON at line 2 column 9"):
        load_notebook_text('{"cells": [],\n "x": 1,,}', "bad.ipynb")
