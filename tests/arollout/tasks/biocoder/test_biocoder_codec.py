"""The value codec shared by harness and host, and the host-side comparison rules."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st

from arollout.tasks.biocoder import compare, runtime

_SCALARS = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=False) | st.text(max_size=8)


def _values(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5) | st.integers(-5, 5), inner, max_size=4),
        max_leaves=12,
    )


def _wire(obj: Any) -> Any:
    """What crossing the sandbox boundary does to a value: a JSON round trip."""
    return json.loads(json.dumps(obj, allow_nan=True))


@given(_values(_SCALARS))
def test_inputs_survive_the_trip_exactly(value: Any) -> None:
    back = runtime.decode_input(_wire(runtime.encode_input(value)))
    assert back == value
    assert type(back) is type(value)


def test_arrays_keep_dtype_and_shape() -> None:
    for arr in (np.arange(6, dtype=np.uint8).reshape(2, 3), np.zeros((0, 4)), np.array([[True, False]])):
        back = runtime.decode_input(_wire(runtime.encode_input(arr)))
        assert back.dtype == arr.dtype and back.shape == arr.shape and np.array_equal(back, arr)


def test_unknown_input_types_are_refused() -> None:
    with pytest.raises(TypeError):
        runtime.encode_input(object())


@given(_values(_SCALARS))
def test_outputs_compare_equal_to_themselves(value: Any) -> None:
    enc = _wire(runtime.encode_output(value))
    assert compare.same(enc, enc, 0.0, 0.0)


def test_output_forms_are_canonical() -> None:
    enc = runtime.encode_output
    assert enc((1, [2, 3])) == enc([1, (2, 3)])  # tuples and lists are one sequence
    assert enc({"b": 1, "a": 2}) == enc({"a": 2, "b": 1})
    assert enc({3, 1, 2}) == {"__set__": [1, 2, 3]}
    assert enc(np.int64(7)) == 7 and type(enc(np.int64(7))) is int
    assert enc(np.bool_(True)) is True
    assert enc(np.array([1, 2], dtype=np.uint16)) == {"__nd__": [1, 2], "shape": [2], "kind": "i"}
    assert enc(object()) == {"__type__": "object"}


def _same(want: Any, got: Any, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    return compare.same(_wire(runtime.encode_output(want)), _wire(runtime.encode_output(got)), rel, abs_)


@pytest.mark.parametrize(
    ("want", "got", "ok"),
    [
        (3, 3, True),
        (3, 3.0, False),  # an int is asked for
        (1, True, False),
        (True, 1, False),
        (0.5, 0.5 + 1e-9, True),
        (0.5, 0.51, False),
        (2.0, 2, True),  # an int where a float is asked for is the same number
        (float("nan"), float("nan"), True),
        (float("inf"), 1e308, False),
        (None, 0, False),
        ("ACGT", "acgt", False),
        ([(1, 2)], [[1, 2]], True),
        ([1, 2], [1, 2, 3], False),
        ({"A": 1}, {"A": 1, "C": 0}, False),
        ({1: "x"}, {"1": "x"}, False),  # dict keys keep their type
        ({"x": 0.1}, {"x": 0.1 + 1e-12}, True),
        (np.array([True, False]), np.array([1, 0]), False),
        (np.array([1.0, 2.0]), np.array([1, 2]), True),
        (np.array([1, 2]), np.array([1.0, 2.0]), False),
        (np.zeros((2, 3)), np.zeros((3, 2)), False),
        ({1, 2}, [1, 2], False),
    ],
)
def test_comparison_rules(want: Any, got: Any, ok: bool) -> None:
    assert _same(want, got) is ok


def test_tolerance_is_relative_and_absolute() -> None:
    assert compare.same(1000.0, 1000.0009, 1e-6, 0.0)
    assert not compare.same(1000.0, 1000.002, 1e-6, 0.0)
    assert compare.same(0.0, 1e-10, 1e-6, 1e-9)
    assert not compare.same(0.0, 1e-8, 1e-6, 1e-9)


@pytest.mark.parametrize(
    ("want", "outcome", "ok", "needle"),
    [
        (5, {"v": 5}, True, ""),
        (5, {"v": 6}, False, "wrong value"),
        (5, {"v": "5"}, False, "a str"),
        (5, {"v": None}, False, "returned None"),
        (5, {"x": ["KeyError", "LookupError", "Exception", "BaseException"]}, False, "raised KeyError"),
        ({"__raises__": "ValueError"}, {"x": ["UnicodeDecodeError", "UnicodeError", "ValueError"]}, True, ""),
        ({"__raises__": "ValueError"}, {"x": ["TypeError"]}, False, "not the exception"),
        ({"__raises__": "ValueError"}, {"v": 1}, False, "asks for an exception"),
        (5, {"t": 1}, False, "timed out"),
        (5, {"s": 1}, False, "not run"),
        (5, {"big": 1}, False, "far larger"),
        (5, "junk", False, "nothing usable"),
        ({"__nd__": [[1]], "shape": [1, 1], "kind": "i"}, {"v": {"__nd__": [1], "shape": [1], "kind": "i"}}, False, "shape"),
    ],
)
def test_judge_reasons_name_the_problem_not_the_value(want: Any, outcome: Any, ok: bool, needle: str) -> None:
    verdict = compare.judge(want, outcome, 1e-6, 1e-9)
    assert verdict.ok is ok
    assert needle in verdict.why
    if not ok and isinstance(want, int):
        assert str(want) not in verdict.why


def test_big_integers_and_nan_cross_the_wire() -> None:
    value = [2**80, math.nan, -0.0]
    enc = _wire(runtime.encode_output(value))
    assert enc[0] == 2**80 and math.isnan(enc[1])
