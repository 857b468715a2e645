"""Template families: coverage, answers recomputed in Python, and the slot samplers."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import re
import sqlite3
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings, strategies as st

from arollout.tasks.eicu import TEMPLATES
from arollout.tasks.eicu.schema import CURRENT_TIME
from arollout.tasks.eicu.signals import LABS
from arollout.tasks.eicu.slots import (
    VITALS,
    lab_threshold,
    last_year_or_later,
    top_k_tie,
    vital_alarm,
    vital_threshold,
)
from arollout.tasks.grading import guessable

if TYPE_CHECKING:
    from arollout.tasks.base import Task
    from arollout.tasks.eicu import EicuDemoSuite, EicuSuite

NOW = dt.datetime.fromisoformat(CURRENT_TIME)
Query = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]


def test_templates_are_well_formed() -> None:
    names = [t.name for t in TEMPLATES]
    assert len(names) == len(set(names)) >= 90
    assert len({t.category for t in TEMPLATES}) >= 50
    assert {t.kind for t in TEMPLATES} == {
        "integer",
        "number",
        "text",
        "bool",
        "date",
        "set",
        "list",
    }
    keyword = re.compile(r"(?<![:\w'])(current_time|current_timestamp|current_date)\b|'now'", re.I)
    for t in TEMPLATES:
        assert not keyword.search(t.sql), t.name  # "now" is always the fixed slot value
        if ":current_time" in t.sql:
            assert t.question.startswith(f"The current time is {CURRENT_TIME}."), t.name


def test_every_template_has_instances_on_both_databases(
    synthetic_suite: EicuSuite, demo_suite: EicuDemoSuite
) -> None:
    for suite in (synthetic_suite, demo_suite):
        made = Counter(t.meta["template"] for t in suite.tasks())
        assert set(made) == {t.name for t in TEMPLATES}, suite.name
        assert len({t.category for t in suite.tasks()}) >= 50


def test_answers_are_typed_and_never_guessable(
    synthetic_suite: EicuSuite, demo_suite: EicuDemoSuite
) -> None:
    for suite in (synthetic_suite, demo_suite):
        bools: Counter[tuple[str, bool]] = Counter()
        for task in suite.tasks():
            assert not guessable(task.answer), task.id
            assert task.question.endswith("stdout.")
            if task.answer.kind == "bool":
                bools[(task.meta["template"], task.answer.value)] += 1
        for template in {name for name, _ in bools}:
            assert abs(bools[(template, True)] - bools[(template, False)]) <= 1, template


def _hours_since(q: Query, s: dict[str, Any]) -> Any:
    (admit,) = q(
        "SELECT unitadmittime FROM patient WHERE uniquepid = ? AND unitdischargetime IS NULL",
        (s["uniquepid"],),
    )[0]
    return int((NOW - dt.datetime.fromisoformat(admit)).total_seconds() // 3600)


def _top_diagnoses(q: Query, s: dict[str, Any]) -> Any:
    rows = q(
        "SELECT d.diagnosisname, p.uniquepid, d.diagnosistime FROM diagnosis d "
        "JOIN patient p USING (patientunitstayid)",
        (),
    )
    counts = Counter(name for name, _ in {(n, p) for n, p, t in rows if t[:4] == s["year"]})
    ranked = counts.most_common()
    assert ranked[s["k"] - 1][1] > (ranked[s["k"]][1] if len(ranked) > s["k"] else 0)
    return sorted(n for n, _ in ranked[: s["k"]])


def _lab_change(q: Query, s: dict[str, Any]) -> Any:
    rows = sorted(
        q(
            "SELECT labresulttime, labresult FROM lab WHERE patientunitstayid = ? AND labname = ?",
            (s["stay"], s["labname"]),
        )
    )
    return rows[-1][1] - rows[-2][1]


def _fluid_balance(q: Query, s: dict[str, Any]) -> Any:
    rows = q(
        "SELECT cellpath, cellvaluenumeric FROM intakeoutput WHERE patientunitstayid = ?",
        (s["stay"],),
    )
    return sum(v for p, v in rows if "intake" in p) - sum(v for p, v in rows if "output" in p)


def _stay_cost(q: Query, s: dict[str, Any]) -> Any:
    return sum(
        v for (v,) in q("SELECT cost FROM cost WHERE patienthealthsystemstayid = ?", (s["hss"],))
    )


def _after(q: Query, s: dict[str, Any]) -> Any:
    rows = q(
        "SELECT p.uniquepid, p.patienthealthsystemstayid, d.diagnosisname, d.diagnosistime "
        "FROM diagnosis d JOIN patient p USING (patientunitstayid)",
        (),
    )
    first = [(pid, hss, t) for pid, hss, n, t in rows if n == s["dx1"]]
    later = [(hss, t) for _, hss, n, t in rows if n == s["dx2"]]
    return len({pid for pid, hss, t in first if any(h == hss and u > t for h, u in later)})


def _recent(q: Query, s: dict[str, Any]) -> Any:
    start = (NOW + dt.timedelta(hours=int(s["window"].split()[0]))).isoformat(sep=" ")
    rows = q(
        f"SELECT v.observationtime, v.{s['vital']} FROM vitalperiodic v "
        "JOIN patient p USING (patientunitstayid) "
        "WHERE p.uniquepid = ? AND p.unitdischargetime IS NULL",
        (s["uniquepid"],),
    )
    values = [v for t, v in rows if t >= start and v is not None]
    fn: dict[str, Callable[[list[Any]], Any]] = {
        "MAX": max,
        "MIN": min,
        "AVG": lambda xs: sum(xs) / len(xs),
    }
    return fn[s["agg"]](values)


def _routes(q: Query, s: dict[str, Any]) -> Any:
    return sorted(
        {r for (r,) in q("SELECT routeadmin FROM medication WHERE drugname = ?", (s["drug"],))}
    )


def _lab_above(q: Query, s: dict[str, Any]) -> Any:
    values = [
        v
        for (v,) in q(
            "SELECT labresult FROM lab WHERE patientunitstayid = ? AND labname = ?",
            (s["stay"], s["labname"]),
        )
    ]
    assert s["threshold"] not in values
    return any(v > s["threshold"] for v in values)


def _first_three(q: Query, s: dict[str, Any]) -> Any:
    rows = sorted(
        q(
            "SELECT drugstarttime, drugname FROM medication WHERE patientunitstayid = ?",
            (s["stay"],),
        )
    )
    assert len({t for t, _ in rows[:4]}) == len(rows[:4])  # no tie decides the order
    return [name for _, name in rows[:3]]


RECOMPUTE: dict[str, Callable[[Query, dict[str, Any]], Any]] = {
    "hours_since_unit_admission": _hours_since,
    "top_diagnoses_year": _top_diagnoses,
    "lab_change_last_two": _lab_change,
    "fluid_balance_stay": _fluid_balance,
    "hospital_stay_total_cost": _stay_cost,
    "diagnosis_after_diagnosis": _after,
    "vital_recent_window": _recent,
    "drug_routes": _routes,
    "lab_above_threshold_stay": _lab_above,
    "first_three_drugs_of_stay": _first_three,
}


def _same(task: Task, expected: Any) -> bool:
    value = task.answer.value
    if task.answer.kind == "number":
        return bool(abs(value - expected) <= 1e-6 * max(1.0, abs(expected)))
    if task.answer.kind == "set":
        return bool(sorted(value) == expected)
    return bool(value == expected)


@pytest.mark.parametrize("which", ["synthetic", "demo"])
def test_answers_match_an_independent_python_computation(
    which: str, synthetic_suite: EicuSuite, demo_suite: EicuDemoSuite
) -> None:
    suite = synthetic_suite if which == "synthetic" else demo_suite
    with contextlib.closing(sqlite3.connect(suite.database.sqlite_path)) as con:

        def q(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
            return con.execute(sql, params).fetchall()

        checked: Counter[str] = Counter()
        for task in suite.tasks():
            recompute = RECOMPUTE.get(task.meta["template"])
            if recompute is not None:
                expected = recompute(q, task.meta["slots"])
                assert _same(task, expected), (task.id, task.answer.value, expected)
                checked[task.meta["template"]] += 1
    assert set(checked) == set(RECOMPUTE)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(LABS),
    st.floats(0.01, 5000, allow_nan=False),
    st.integers(0, 2**32),
)
def test_lab_thresholds_sit_beside_the_peak(spec: Any, peak: float, seed: int) -> None:
    peak = round(peak, spec.decimals) or 1.0
    slots = lab_threshold({"labname": spec.name, "peak": peak, "stay": 1}, random.Random(seed))
    if slots is None:
        return  # a threshold at or below zero is refused
    threshold = slots["threshold"]
    assert "peak" not in slots and threshold != peak and threshold > 0
    assert round(threshold, spec.decimals) == threshold


def test_thresholds_are_above_and_below_half_the_time() -> None:
    rng = random.Random(0)
    above = [
        lab_threshold({"labname": "sodium", "peak": 140.0}, rng)["threshold"] > 140.0  # type: ignore[index]
        for _ in range(400)
    ]
    assert 150 < sum(above) < 250
    assert vital_threshold({"vital_key": "bogus; DROP TABLE patient", "peak": 90}, rng) is None
    for column in VITALS:
        slots = vital_threshold({"vital_key": column, "peak": 90}, rng)
        assert slots is not None and slots["vital"] == column and slots["threshold"] != 90
    for _ in range(50):
        alarm = vital_alarm({}, rng)
        assert alarm is not None and alarm["vital"] in VITALS
        assert (alarm["op"], alarm["direction"]) in ((">", "above"), ("<", "below"))


def test_since_years_are_the_last_year_or_later() -> None:
    rng = random.Random(1)
    years = [int(last_year_or_later({"last_year": "2102"}, rng)["year"]) for _ in range(200)]  # type: ignore[index]
    assert min(years) == 2102 and 2103 <= max(years) <= 2105
    assert 60 < years.count(2102) < 140
    assert last_year_or_later({"last_year": "2105"}, rng) == {"year": "2105"}


@pytest.mark.parametrize(
    ("counts", "k", "tied"),
    [
        ([("a", 5), ("b", 4), ("c", 3), ("d", 2)], 3, False),
        ([("a", 5), ("b", 4), ("c", 3), ("d", 3)], 3, True),
        ([("a", 5), ("b", 4)], 3, True),
        ([("a", 5), ("b", 4), ("c", 3)], 3, False),
        ([("a", 5), ("b", 5), ("c", 3), ("d", 2)], 3, False),  # a tie above the cut is harmless
    ],
)
def test_top_k_ties_at_the_cut_are_detected(
    counts: list[tuple[str, int]], k: int, tied: bool
) -> None:
    with contextlib.closing(sqlite3.connect(":memory:")) as con:
        con.execute("CREATE TABLE t (item TEXT, n INTEGER)")
        con.executemany("INSERT INTO t VALUES (?, ?)", counts)
        sql = top_k_tie("SELECT item, n FROM t")
        assert bool(con.execute(sql, {"k": k}).fetchone()[0]) is tied
