"""The synthetic cohorts: cut at the prediction time, complete twins, labels by definition."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest

from arollout.tasks.mlpred import reference
from arollout.tasks.mlpred.build import build_cohort, cohort_records
from arollout.tasks.mlpred.cohort import CohortSpec, generate
from arollout.tasks.mlpred.outcomes import OUTCOMES

if TYPE_CHECKING:
    from pathlib import Path

_TIMED = {
    "chartevents": "charttime",
    "labevents": "charttime",
    "inputevents_cv": "charttime",
    "outputevents": "charttime",
    "prescriptions": "startdate",
    "microbiologyevents": "charttime",
}


def _count(db: Path, sql: str) -> int:
    value = _rows(db, sql)[0][0]
    assert isinstance(value, int)
    return value


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_nothing_after_the_prediction_time_is_in_a_cut_cohort(
    cut_db: Path, specs: dict[str, CohortSpec]
) -> None:
    cut = f"datetime(s.intime, '+{specs['cut'].window} hours')"
    for table, col in _TIMED.items():
        late = _rows(
            cut_db,
            f"SELECT COUNT(*) FROM {table} e JOIN icustays s ON s.hadm_id = e.hadm_id WHERE e.{col} >= {cut}",
        )
        assert late == [(0,)], table
    future = _rows(
        cut_db,
        "SELECT COUNT(*) FROM icustays s JOIN admissions a ON a.hadm_id = s.hadm_id "
        "JOIN patients p ON p.subject_id = s.subject_id WHERE s.outtime IS NOT NULL "
        "OR a.dischtime IS NOT NULL OR a.discharge_location IS NOT NULL OR p.dod IS NOT NULL",
    )
    assert future == [(0,)]
    assert _rows(cut_db, "SELECT COUNT(*) FROM microbiologyevents WHERE org_name IS NOT NULL") == [
        (0,)
    ]
    # prior admissions are complete, and no admission starts after an index one
    assert _count(cut_db, "SELECT COUNT(*) FROM admissions WHERE dischtime IS NOT NULL") > 0
    later = _rows(
        cut_db,
        "SELECT COUNT(*) FROM admissions b JOIN icustays s ON s.subject_id = b.subject_id "
        "JOIN admissions a ON a.hadm_id = s.hadm_id WHERE b.admittime > a.admittime",
    )
    assert later == [(0,)]


def test_a_cut_cohort_is_the_prefix_of_its_complete_twin(
    cut_db: Path, twin_db: Path, specs: dict[str, CohortSpec]
) -> None:
    """Every event stream is drawn in time order, so cutting never changes what came before."""
    cut = f"datetime(s.intime, '+{specs['cut'].window} hours')"
    for table, col in _TIMED.items():
        if table == "prescriptions":
            continue
        sql = (
            f"SELECT e.* FROM {table} e JOIN icustays s ON s.hadm_id = e.hadm_id "
            f"WHERE e.{col} < {cut} ORDER BY e.subject_id, e.{col}, e.row_id"
        )
        end = -1 if table == "microbiologyevents" else None  # results come later: NULL when cut
        cut_rows, twin_rows = ([r[1:end] for r in _rows(db, sql)] for db in (cut_db, twin_db))
        assert sorted(cut_rows) == sorted(twin_rows), table  # (row_id numbers differ)
    # a prescription is cut on its (unrounded) order time; startdate shows the hour
    sql = "SELECT e.subject_id, e.drug, e.startdate FROM prescriptions e JOIN icustays s ON s.hadm_id = e.hadm_id "
    kept, full = set(_rows(cut_db, sql)), set(_rows(twin_db, sql))
    early = set(_rows(twin_db, sql + f"WHERE e.startdate < datetime({cut}, '-1 hours')"))
    assert early <= kept <= full
    count = "SELECT COUNT(*) FROM chartevents"
    assert _count(twin_db, count) > _count(cut_db, count)


@pytest.mark.parametrize("which", ["twin", "labelled"])
def test_generator_labels_follow_the_stated_definitions(
    which: str, specs: dict[str, CohortSpec], ml_cache: Path
) -> None:
    """Labels kept by the generator equal what the definitions compute on complete records."""
    spec = specs[which]
    db = build_cohort(spec, ml_cache)
    records = cohort_records(spec, db)
    con = reference.connect(db.sqlite_path)
    try:
        for outcome in OUTCOMES:
            derived = reference.stay_labels(con, outcome.name, spec.window, outcome.horizon)
            expected = {r.icustay_id: r.labels[outcome.name] for r in records}
            assert derived == expected, outcome.name
            assert len(set(expected.values())) > 1, outcome.name  # both classes occur
    finally:
        con.close()


def test_generation_is_deterministic_and_seeded() -> None:
    spec = CohortSpec(name="x", seed=5, stays=40, window=24)
    rows_a, rec_a = generate(spec)
    rows_b, rec_b = generate(spec)
    assert rows_a == rows_b and rec_a == rec_b
    rows_c, _ = generate(CohortSpec(name="x", seed=6, stays=40, window=24))
    assert rows_c["chartevents"] != rows_a["chartevents"]
    ids = [r.icustay_id for r in rec_a]
    assert ids != sorted(ids)  # ids carry no order (nothing to read off them)
