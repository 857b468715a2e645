from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings, strategies as st

from arollout.errors import TaskError
from arollout.tasks.base import Answer
from arollout.tasks.verify import WRONG, check, last_line

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


def ok(answer: Answer, stdout: str) -> bool:
    return check(answer, stdout).correct


# -- the answer channel ----------------------------------------------------------------------


def test_last_non_empty_line_is_the_answer() -> None:
    assert last_line("debug 1\n42\n\n  \n") == "42"
    assert ok(Answer(kind="integer", value=42), "rows: 17\nother 3\n42\n\n")
    assert not ok(Answer(kind="integer", value=42), "42\ndone")


def test_empty_output_fails_with_a_reason() -> None:
    verdict = check(Answer(kind="integer", value=42), " \n\n")
    assert not verdict.correct
    assert "no output" in verdict.reason


def test_reasons_never_reveal_the_gold_value() -> None:
    gold = Answer(kind="text", value="Heparin Sodium")
    for out in ("Insulin", "", "1 2 3"):
        assert "heparin" not in check(gold, out).reason.casefold()
    assert check(Answer(kind="number", value=123.456), "7").reason == WRONG


# -- number -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "out",
    [
        "4.25",
        "4.250",
        "+4.25",
        "4.25e0",
        "425e-2",
        "0.0425E2",
        "'4.25'",
        "4.25.",
        "np.float64(4.25)",
    ],
)
def test_number_formats_pass(out: str) -> None:
    assert ok(Answer(kind="number", value=4.25), out)


@pytest.mark.parametrize(
    "out",
    [
        "4.26",
        "4",
        "0",
        "1",
        "-4.25",
        "nan",
        "inf",
        "-inf",
        "1e999",
        "4.25 4.25",
        "[1, 2, 4.25]",
        "x",
        "4,25",
    ],
)
def test_number_wrong_or_unparseable_fails(out: str) -> None:
    assert not ok(Answer(kind="number", value=4.25), out)


def test_number_tolerance_uses_and_semantics() -> None:
    # The broken "gt >= 0.95*p or gt <= 1.05*p" accepted every positive number; ours must not.
    gold = Answer(kind="number", value=100.0, rel_tol=0.05)
    assert ok(gold, "104.9") and ok(gold, "95.1")
    for wrong in ("105.1", "94.9", "1", "1000", "0.001", "1e9"):
        assert not ok(gold, wrong), wrong


def test_number_abs_tol_is_an_alternative_bound() -> None:
    gold = Answer(kind="number", value=0.0, rel_tol=0.01, abs_tol=0.005)
    assert ok(gold, "0.004") and ok(gold, "-0.004")
    assert not ok(gold, "0.006")
    assert not ok(Answer(kind="number", value=0.0, rel_tol=0.5), "1e-12")


def test_several_numbers_are_rejected_with_a_reason() -> None:
    verdict = check(Answer(kind="number", value=3.0), "3 4 5")
    assert not verdict.correct and "several numbers" in verdict.reason
    assert not ok(Answer(kind="number", value=3.0), "patient 3: 3")


@settings(max_examples=300, deadline=None)
@given(
    gold=finite,
    rel=st.sampled_from([0.0, 1e-6, 1e-3, 0.05]),
    absol=st.sampled_from([0.0, 1e-6, 0.01]),
)
def test_gold_itself_passes_in_many_formats(gold: float, rel: float, absol: float) -> None:
    answer = Answer(kind="number", value=gold, rel_tol=rel, abs_tol=absol)
    for text in (
        repr(gold),
        f"{gold!r}\n",
        f"debug\n{gold}",
        f"  {gold!r}  ",
        f"'{gold!r}'",
        f"{gold:.17e}",
        f"{gold:.17g}",
    ):
        assert ok(answer, text), text


@settings(max_examples=300, deadline=None)
@given(
    gold=finite,
    pred=finite,
    rel=st.sampled_from([0.0, 1e-6, 1e-3, 0.05]),
    absol=st.sampled_from([0.0, 1e-6, 0.01]),
)
def test_outside_tolerance_fails_inside_passes(
    gold: float, pred: float, rel: float, absol: float
) -> None:
    bound = max(rel * abs(gold), absol)
    err = abs(pred - gold)
    assume(not math.isclose(err, bound, rel_tol=1e-9, abs_tol=1e-300))  # stay off the float edge
    answer = Answer(kind="number", value=gold, rel_tol=rel, abs_tol=absol)
    assert ok(answer, repr(pred)) == (err <= bound)


@settings(max_examples=200, deadline=None)
@given(gold=finite, numbers=st.lists(finite, min_size=2, max_size=6))
def test_printing_many_numbers_never_passes(gold: float, numbers: list[float]) -> None:
    answer = Answer(kind="number", value=gold, rel_tol=0.05)
    line = " ".join(repr(n) for n in [*numbers, gold])
    assert not ok(answer, line)
    assert not ok(answer, repr([*numbers, gold]))


# -- integer ----------------------------------------------------------------------------------


@pytest.mark.parametrize("out", ["42", "42.0", "+42", "4.2e1", "'42'", "[42]", "np.int64(42)"])
def test_integer_formats_pass(out: str) -> None:
    assert ok(Answer(kind="integer", value=42), out)


@pytest.mark.parametrize(
    "out", ["42.5", "41", "43", "0", "1", "4 2", "forty-two", "1e999999999", "42 42"]
)
def test_integer_wrong_fails(out: str) -> None:
    assert not ok(Answer(kind="integer", value=42), out)


@given(gold=st.integers(-(10**12), 10**12), delta=st.integers(-(10**6), 10**6).filter(bool))
def test_integer_is_exact(gold: int, delta: int) -> None:
    answer = Answer(kind="integer", value=gold)
    assert ok(answer, str(gold)) and ok(answer, f"{gold}.0")
    assert not ok(answer, str(gold + delta))


def test_trivial_outputs_do_not_pass_for_count_three() -> None:
    gold = Answer(kind="integer", value=3)
    for out in ("0", "1", "[1, 2, 3, 4]", "1 2 3", "0\n1\n2\n3\n4", "3 or 4"):
        assert not ok(gold, out), out


# -- text, bool, date -------------------------------------------------------------------------


def test_text_is_normalized_but_exact() -> None:
    gold = Answer(kind="text", value="Sodium Chloride 0.9%  Flush")
    for out in (
        "sodium chloride 0.9% flush",
        "  'Sodium   Chloride 0.9% Flush' ",
        '"SODIUM CHLORIDE 0.9% FLUSH"',
    ):
        assert ok(gold, out), out
    for out in (
        "Sodium Chloride",
        "Sodium Chloride 0.9% Flush, Heparin",
        "The answer is Sodium Chloride 0.9% Flush",
        "S",
    ):
        assert not ok(gold, out), out


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        ("True", True),
        ("yes", True),
        ("'true'", True),
        ("np.True_", True),
        ("FALSE", False),
        ("no", False),
    ],
)
def test_bool_words(out: str, expected: bool) -> None:
    assert ok(Answer(kind="bool", value=expected), out)
    assert not ok(Answer(kind="bool", value=not expected), out)


@pytest.mark.parametrize("value", [True, False])
def test_bool_refuses_digits(value: bool) -> None:
    # "1" and "0" are the trivial outputs of every suite: they must not pass a bool either.
    for out in ("1", "0"):
        verdict = check(Answer(kind="bool", value=value), out)
        assert not verdict.correct
        assert "true or false" in verdict.reason


@pytest.mark.parametrize("out", ["maybe", "true false", "True or False", "2", ""])
def test_bool_garbage_fails(out: str) -> None:
    assert not ok(Answer(kind="bool", value=True), out)
    assert not ok(Answer(kind="bool", value=False), out)


def test_dates_are_normalized() -> None:
    gold = Answer(kind="date", value="2105-01-02 03:04:05")
    for out in (
        "2105-01-02 03:04:05",
        "2105-01-02T03:04:05",
        "'2105-01-02 03:04:05'",
        "Timestamp('2105-01-02 03:04:05')",
    ):
        assert ok(gold, out), out
    for out in (
        "2105-01-02",
        "2105-01-02 03:04:06",
        "2105-02-01 03:04:05",
        "yesterday",
        "2105-01-02 03:04:05 2105-01-03",
    ):
        assert not ok(gold, out), out
    assert ok(Answer(kind="date", value="2105-01-02"), "2105-01-02 00:00:00")


# -- set and list -----------------------------------------------------------------------------

TITLES = ["Anemia NOS", "CHF NOS", "Hypertension NOS", "Septicemia NOS"]


@pytest.mark.parametrize(
    "out",
    [
        '["Anemia NOS", "CHF NOS", "Hypertension NOS", "Septicemia NOS"]',
        "['septicemia nos', 'chf nos', 'anemia nos', 'hypertension nos']",
        "('CHF NOS', 'Anemia NOS', 'Hypertension NOS', 'Septicemia NOS')",
        "Septicemia NOS, CHF NOS, Anemia NOS, Hypertension NOS",
        "[Septicemia NOS, CHF NOS, Anemia NOS, Hypertension NOS]",
        "{'Anemia NOS', 'CHF NOS', 'Hypertension NOS', 'Septicemia NOS'}",
        '["Anemia NOS", "Anemia NOS", "CHF NOS", "Hypertension NOS", "Septicemia NOS"]',
        "[np.str_('Anemia NOS'), np.str_('CHF NOS'), np.str_('Hypertension NOS'), np.str_('Septicemia NOS')]",
    ],
)
def test_set_formats_pass(out: str) -> None:
    assert ok(Answer(kind="set", value=TITLES), out)


def test_set_rejects_every_candidate_at_once() -> None:
    everything = [*TITLES, "Acidosis", "Hyposmolality", "Obesity NOS"]
    assert not ok(Answer(kind="set", value=TITLES), repr(everything))


words = st.text(alphabet="abcdefghij", min_size=2, max_size=8)


@settings(max_examples=200, deadline=None)
@given(
    gold=st.sets(words, min_size=1, max_size=6),
    extra=st.sets(words.map(str.upper).map(lambda w: w + "X"), min_size=1, max_size=4),
    data=st.data(),
)
def test_proper_subsets_and_supersets_fail(
    gold: set[str], extra: set[str], data: st.DataObject
) -> None:
    answer = Answer(kind="set", value=sorted(gold))
    assert ok(answer, repr(sorted(gold, reverse=True)))
    subset = (
        data.draw(st.sets(st.sampled_from(sorted(gold)), max_size=len(gold) - 1))
        if len(gold) > 1
        else set()
    )
    if subset:
        assert not ok(answer, repr(sorted(subset)))
    assert not ok(answer, repr(sorted(gold | extra)))


@given(
    gold=st.sets(st.integers(10, 10**6), min_size=1, max_size=6), extra=st.integers(10**7, 10**8)
)
def test_integer_sets_are_exact(gold: set[int], extra: int) -> None:
    answer = Answer(kind="set", value=sorted(gold))
    assert ok(answer, str(sorted(gold, reverse=True)))
    assert not ok(answer, str(sorted(gold | {extra})))
    if len(gold) > 1:
        assert not ok(answer, str(sorted(gold)[1:]))


def test_number_sets_use_tolerance() -> None:
    answer = Answer(kind="set", value=[1.5, 2.25], rel_tol=1e-3)
    assert ok(answer, "[2.2501, 1.5]")
    assert not ok(answer, "[2.3, 1.5]")
    assert not ok(answer, "[1.5, 2.25, 3.0]")


def test_list_is_order_sensitive_and_length_exact() -> None:
    answer = Answer(kind="list", value=["Heparin", "Insulin", "Aspirin"])
    assert ok(answer, '["heparin", "insulin", "aspirin"]')
    assert ok(answer, "Heparin, Insulin, Aspirin")
    for out in (
        '["Insulin", "Heparin", "Aspirin"]',
        '["Heparin", "Insulin"]',
        '["Heparin", "Insulin", "Aspirin", "Aspirin"]',
        "Heparin",
    ):
        assert not ok(answer, out), out


def test_list_of_digits_does_not_pass_for_a_number_list() -> None:
    answer = Answer(kind="list", value=[3, 7])
    assert ok(answer, "[3, 7]")
    for out in ("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]", "[7, 3]", "[3]", "3 7"):
        assert not ok(answer, out), out


# -- malformed gold -----------------------------------------------------------------------------


def test_malformed_gold_is_a_task_error() -> None:
    with pytest.raises(TaskError):
        check(Answer(kind="set", value=[]), "[]")
    with pytest.raises(TaskError):
        check(Answer(kind="number", value="abc"), "1.0")
    with pytest.raises(TaskError):
        check(Answer(kind="number", value=1.0, rel_tol=-1.0), "1.0")
