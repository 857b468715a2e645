"""Instances: scale, determinism, answers that the oracle reproduces, strict grading.

The grading tests follow MedCalc-Bench's published rules (ncbi-nlp/MedCalc-Bench,
``evaluation/evaluate.py``): a decimal answer passes within 5 % of the gold value
and fails just outside it; integer scores, points lists, dates and (weeks, days)
pass only when exact.
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import io
import json
import math
import re
import time
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from arollout.tasks import grading, verify
from arollout.tasks.medcalc import MAX_SHARE, SPECS, MedCalcSuite, build_tasks

if TYPE_CHECKING:
    from pathlib import Path

    from arollout.tasks.base import Task


def _run(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(
            compile(code, "<reference>", "exec"), {"__name__": "__main__"}
        )  # our own generated source
    return out.getvalue()


def _args(task: Task) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "__main__", "print": lambda *_: None}
    exec(compile(task.reference_solution, "<reference>", "exec"), namespace)
    return dict(namespace["args"])


def test_full_suite_scale_categories_and_load_time(
    full_suite: MedCalcSuite, medcalc_cache: Path
) -> None:
    tasks = full_suite.tasks()
    counts = collections.Counter(t.category for t in tasks)
    assert len(counts) == len(SPECS) >= 45
    assert len(tasks) >= 10_000
    assert set(counts.values()) == {220}
    started = time.perf_counter()
    again = MedCalcSuite(cache_dir=medcalc_cache).tasks()  # a fresh suite object loads the cache
    assert time.perf_counter() - started < 2.0
    assert [t.id for t in again] == [t.id for t in tasks]


def test_no_answer_dominates_a_category(full_suite: MedCalcSuite) -> None:
    by: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for task in full_suite.tasks():
        by[task.category][json.dumps(task.answer.value)] += 1
    for category, counter in by.items():
        assert counter.most_common(1)[0][1] <= math.ceil(MAX_SHARE * 220), category


def test_nothing_is_guessable(full_suite: MedCalcSuite) -> None:
    tasks = full_suite.tasks()
    candidates = grading.category_candidates(tasks)
    for task in tasks[::3]:  # a third of the suite keeps the test fast; the build checks all
        assert not grading.guessable(task.answer), task.id
        items = candidates[task.category]
        for line in (json.dumps(items), ", ".join(items)):
            assert not verify.check(task.answer, line).correct, task.id


def test_ids_are_stable_and_seed_specific(small_suite: MedCalcSuite) -> None:
    tasks = small_suite.tasks()
    assert len({t.id for t in tasks}) == len(tasks)
    rebuilt = build_tasks(seed=0, per_category=12, data_root=small_suite.data_root).tasks
    assert [msgspec.json.encode(t) for t in rebuilt] == [msgspec.json.encode(t) for t in tasks]
    other = build_tasks(seed=1, per_category=12, data_root=small_suite.data_root).tasks
    assert not {t.id for t in other} & {t.id for t in tasks}


def test_splits_are_a_function_of_the_id(full_suite: MedCalcSuite) -> None:
    parts = {s: full_suite.tasks(s) for s in ("train", "valid", "test")}
    assert sum(len(p) for p in parts.values()) == len(full_suite.tasks())
    share = {s: len(p) / len(full_suite.tasks()) for s, p in parts.items()}
    assert (
        0.66 < share["train"] < 0.74
        and 0.07 < share["valid"] < 0.13
        and 0.17 < share["test"] < 0.23
    )
    for split, part in parts.items():
        assert all(t.split == split for t in part)
    with pytest.raises(Exception, match="unknown split"):
        full_suite.tasks("dev")


def test_every_reference_solution_prints_the_gold_answer(small_suite: MedCalcSuite) -> None:
    for task in small_suite.tasks():
        verdict = verify.check(task.answer, _run(task.reference_solution))
        assert verdict.correct, (task.id, verdict.reason)


def _wrong_numbers(gold: float) -> list[float]:
    return [gold * 1.0505, gold * 0.9495, -gold]


def test_tolerance_bounds_and_known_wrong_answers(small_suite: MedCalcSuite) -> None:
    kinds: collections.Counter[str] = collections.Counter()
    for task in small_suite.tasks():
        answer = task.answer
        kinds[answer.kind] += 1
        if answer.kind == "number":
            gold = float(answer.value)
            assert answer.rel_tol == 0.05
            for inside in (gold * 1.0495, gold * 0.9505, gold):
                assert verify.check(answer, repr(inside)).correct, task.id
            for outside in _wrong_numbers(gold):
                assert not verify.check(answer, repr(outside)).correct, task.id
            assert "5 %" in task.question
        elif answer.kind == "integer":
            assert verify.check(answer, f"{answer.value}.0").correct
            for wrong in (answer.value - 1, answer.value + 1):
                assert not verify.check(answer, str(wrong)).correct, task.id
        elif answer.kind == "date":
            day = datetime.date.fromisoformat(answer.value)
            for wrong in (day - datetime.timedelta(days=1), day + datetime.timedelta(days=1)):
                assert not verify.check(answer, wrong.isoformat()).correct, task.id
        else:
            values = list(answer.value)
            assert verify.check(answer, json.dumps(values)).correct
            for i in range(len(values)):
                changed = [*values[:i], values[i] + 1, *values[i + 1 :]]
                assert not verify.check(answer, json.dumps(changed)).correct, task.id
            assert not verify.check(
                answer, json.dumps(values[:-1])
            ).correct  # the total is required
            assert not verify.check(answer, json.dumps(values[-1])).correct  # a bare total fails
    assert set(kinds) == {"number", "integer", "date", "list"}


def test_gestational_age_accepts_the_tuple_form(small_suite: MedCalcSuite) -> None:
    task = next(t for t in small_suite.tasks() if t.category == "gestational_age")
    weeks, days = task.answer.value
    assert verify.check(task.answer, f"({weeks}, {days})").correct
    assert not verify.check(task.answer, f"({days}, {weeks})").correct or weeks == days
    assert "(W, D)" in task.question


# Independent conversion factors (standard SI tables), not the suite's own table.
_TO_CANONICAL: dict[str, Any] = {
    "µmol/L": {"creatinine": 1 / 88.4, "bilirubin": 1 / 17.1},
    "mmol/L": {
        "glucose": 18.0,
        "bun": 2.8,
        "calcium": 4.008,
        "cholesterol": 38.67,
        "hdl": 38.67,
        "triglycerides": 88.57,
    },
    "g/L": {"albumin": 0.1, "hemoglobin": 0.1},
    "lb": 0.45359237,
    "in": 2.54,
    "m": 100.0,
    "kPa": 7.50062,
    "/µL": 0.001,
    "/mm³": 0.001,
}


def _canonical(arg: str, shown: str) -> float | None:
    """Convert a shown value back with the independent table (None when not a plain reading)."""
    if m := re.fullmatch(r"(\d+) ft (\d+) in", shown):
        return (int(m[1]) * 12 + int(m[2])) * 2.54
    if m := re.fullmatch(r"(\d+)/(\d+) mm ?Hg", shown):
        return float(m[1] if arg == "sbp" else m[2])
    m = re.fullmatch(r"(-?[\d,]+(?:\.\d+)?) ?(.*)", shown)
    if m is None:
        return None
    value, unit = float(m[1].replace(",", "")), m[2]
    if unit == "°F":
        return (value - 32) * 5 / 9
    if unit == "%" and arg == "fio2":
        return value / 100
    factor = _TO_CANONICAL.get(unit)
    if isinstance(factor, dict):
        factor = next((f for name, f in factor.items() if name in arg), None)
        if factor is None and unit == "mmol/L":
            return value  # electrolytes: mmol/L is the calculators' unit
    return value * factor if factor is not None else value


def test_reference_arguments_are_the_note_values_converted(full_suite: MedCalcSuite) -> None:
    """Every argument the oracle uses is a value the note shows, correctly converted."""
    checked: collections.Counter[str] = collections.Counter()
    for task in full_suite.tasks()[::7]:
        args = _args(task)
        for arg, shown in task.meta["shown"].items():
            assert all(part in task.question for part in shown.split("; ")), (task.id, shown)
            expected = _canonical(arg, shown)
            if (
                expected is None
                or not isinstance(args[arg], int | float)
                or isinstance(args[arg], bool)
            ):
                continue
            assert args[arg] == pytest.approx(expected, rel=1e-6, abs=1e-9), (task.id, arg, shown)
            checked[shown.split(" ")[-1]] += 1
    for unit in ("µmol/L", "lb", "in", "°F", "kPa", "g/L", "mmol/L"):
        assert checked[unit] > 0, unit


def test_boundaries_shown_in_the_formula_unit_are_kept_and_converted_ones_dropped(
    full_suite: MedCalcSuite,
) -> None:
    """38.0 °C on a > 38 °C criterion is a real boundary; 100.4 °F only hits it through a
    float conversion, so such instances are dropped rather than graded by float noise."""
    centor = [t for t in full_suite.tasks() if t.category in ("centor_mcisaac", "sirs")]
    shown = [t.meta["shown"]["temperature_c"] for t in centor]
    assert "38.0 °C" in shown
    assert "100.4 °F" not in shown
    wells = [t.meta["shown"]["heart_rate"] for t in full_suite.tasks() if t.category == "wells_pe"]
    assert any(s.startswith("100") for s in wells)


def test_notes_are_clean_text(small_suite: MedCalcSuite) -> None:
    for task in small_suite.tasks():
        note = task.question.split("\n\nTask:", 1)[0]
        assert "{" not in note and "}" not in note, task.id
        assert "  " not in note and ".." not in note, task.id
        assert note.count("\n\n") <= 2


def test_questions_state_the_answer_format(small_suite: MedCalcSuite) -> None:
    specs = {s.key: s for s in SPECS}
    for task in small_suite.tasks():
        spec = specs[task.category]
        assert task.meta["note_file"] in task.question
        if spec.kind == "points":
            assert f"JSON list of {len(spec.criteria) + 1} numbers" in task.question
            assert len(task.answer.value) == len(spec.criteria) + 1
            assert sum(task.answer.value[:-1]) == task.answer.value[-1]
        if spec.unit:
            assert f"in {spec.unit}" in task.question
