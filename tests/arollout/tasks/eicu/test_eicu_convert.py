"""The conversion to the EHRSQL schema: time offsets, "now", names, filters."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections import Counter
from typing import TYPE_CHECKING, Any

from hypothesis import given, settings, strategies as st

from arollout.tasks.eicu.convert import convert, path_name
from arollout.tasks.eicu.schema import CURRENT_TIME, RAW_COLUMNS, SCHEMA
from arollout.tasks.eicu.timeline import NOW_MINUTE, StayClock, minute_text, place

if TYPE_CHECKING:
    from arollout.tasks.ehr.database import EhrDatabase
    from arollout.tasks.eicu.schema import RawTables

NOW = dt.datetime.fromisoformat(CURRENT_TIME)


def minutes(later: str, earlier: str) -> int:
    delta = dt.datetime.fromisoformat(later) - dt.datetime.fromisoformat(earlier)
    return int(delta.total_seconds() // 60)


def test_patient_offsets_survive_the_conversion(demo_raw: RawTables, demo_db: EhrDatabase) -> None:
    raw = {r[0]: dict(zip(RAW_COLUMNS["patient"], r, strict=True)) for r in demo_raw["patient"]}
    with contextlib.closing(sqlite3.connect(demo_db.sqlite_path)) as con:
        rows = con.execute(
            "SELECT patientunitstayid, unitadmittime, hospitaladmittime, unitdischargetime, "
            "hospitaldischargetime FROM patient"
        ).fetchall()
    checked = 0
    for stay, unit_in, hosp_in, unit_out, hosp_out in rows:
        src = raw[stay]
        assert minutes(hosp_in, unit_in) == src["hospitaladmitoffset"]
        assert hosp_in[11:16] == src["hospitaladmittime24"][:5]  # the clock time (to the minute)
        if unit_out is not None:
            assert minutes(unit_out, unit_in) == src["unitdischargeoffset"]
        if hosp_out is not None:
            assert minutes(hosp_out, unit_in) == src["hospitaldischargeoffset"]
            checked += 1
    assert checked > 2000


def test_event_times_are_unit_admission_plus_offset(
    demo_raw: RawTables, demo_db: EhrDatabase
) -> None:
    """Every converted diagnosis/treatment/culture sits at its raw offset (as a multiset)."""
    with contextlib.closing(sqlite3.connect(demo_db.sqlite_path)) as con:
        admit = dict(con.execute("SELECT patientunitstayid, unitadmittime FROM patient"))
        for table, name_col, time_col, key in (
            ("diagnosis", "diagnosisname", "diagnosistime", lambda r: path_name(r[2].lower())[1]),
            ("treatment", "treatmentname", "treatmenttime", lambda r: path_name(r[2].lower())[1]),
            ("microlab", "culturesite", "culturetakentime", lambda r: r[2].lower()),
        ):
            source = Counter((r[0], r[1], key(r)) for r in demo_raw[table] if r[0] in admit)
            built = Counter(
                (stay, minutes(when, admit[stay]), name)
                for stay, name, when in con.execute(
                    f"SELECT patientunitstayid, {name_col}, {time_col} FROM {table}"
                )
            )
            assert built and not built - source, table  # nothing invented, nothing moved
            assert sum(built.values()) > 0.8 * sum(source.values()), table


def test_now_is_well_defined(synthetic_db: EhrDatabase, demo_db: EhrDatabase) -> None:
    for db in (synthetic_db, demo_db):
        with contextlib.closing(sqlite3.connect(db.sqlite_path)) as con:
            q = con.execute
            for table, columns in SCHEMA.items():
                for column, _ in columns:
                    if column.endswith("time"):
                        latest = q(f"SELECT MAX({column}), MIN({column}) FROM {table}").fetchone()
                        assert latest[0] <= CURRENT_TIME and latest[1] >= "2100-01-01", column
            current = q(
                "SELECT COUNT(DISTINCT uniquepid) FROM patient WHERE unitdischargetime IS NULL"
            )
            persons = q("SELECT COUNT(DISTINCT uniquepid) FROM patient").fetchone()[0]
            share = current.fetchone()[0] / persons
            assert 0.05 < share < 0.15
            open_stays = q(
                "SELECT COUNT(*) FROM patient WHERE hospitaldischargetime IS NULL "
                "AND (hospitaldischargestatus IS NOT NULL OR dischargeweight IS NOT NULL)"
            )
            assert open_stays.fetchone()[0] == 0
            # a current patient's ICU stay started before now and nothing of theirs is later
            late = q(
                "SELECT MIN(unitadmittime) FROM patient WHERE unitdischargetime IS NULL"
            ).fetchone()[0]
            assert "2105-" in late
            done = q(
                "SELECT MAX(hospitaldischargetime) FROM patient WHERE uniquepid NOT IN "
                "(SELECT uniquepid FROM patient WHERE hospitaldischargetime IS NULL)"
            ).fetchone()[0]
            assert done < "2105-07-01"  # ordinary patients lie in 2100-2104


def test_strings_are_lower_case(demo_db: EhrDatabase) -> None:
    with contextlib.closing(sqlite3.connect(demo_db.sqlite_path)) as con:
        for table, columns in SCHEMA.items():
            for column, kind in columns:
                if kind == "TEXT":
                    upper = con.execute(
                        f"SELECT COUNT(*) FROM {table} WHERE {column} <> lower({column})"
                    ).fetchone()[0]
                    assert upper == 0, (table, column)


def test_path_names_follow_ehrsql() -> None:
    assert path_name("pulmonary|respiratory failure|acute respiratory failure") == (
        "pulmonary|respiratory failure",
        "acute respiratory failure",
    )
    assert path_name("cardiovascular|arrhythmias|atrial fibrillation|with rvr|x") == (
        "cardiovascular|arrhythmias",
        "atrial fibrillation - with rvr",
    )


def _patient(stay: int, pid: str, **changes: Any) -> tuple[Any, ...]:
    base = {
        "patientunitstayid": stay,
        "patienthealthsystemstayid": stay * 10,
        "uniquepid": pid,
        "gender": "Female",
        "age": "70",
        "ethnicity": "Caucasian",
        "hospitalid": 1,
        "wardid": 2,
        "admissionheight": 160.0,
        "admissionweight": 70.0,
        "dischargeweight": 69.0,
        "hospitaladmittime24": "08:30:00",
        "hospitaladmitoffset": -120,
        "hospitaladmitsource": "Emergency Department",
        "hospitaldischargeyear": 2014,
        "hospitaldischargeoffset": 5000,
        "hospitaldischargestatus": "Alive",
        "unitdischargeoffset": 3000,
    }
    base.update(changes)
    return tuple(base[c] for c in RAW_COLUMNS["patient"])


def _raw(**tables: list[tuple[Any, ...]]) -> RawTables:
    return {t: tables.get(t, []) for t in RAW_COLUMNS}


def test_conversion_rules_on_handmade_rows() -> None:
    dx_a = "Cardiovascular|Shock / hypotension|Sepsis"
    dx_b = "Infectious diseases|Systemic|Sepsis"
    io = "flowsheet|flowsheet cell labels|i&o"
    raw = _raw(
        patient=[
            _patient(1, "p-1"),
            _patient(2, "p-2", age="> 89"),  # dropped, and p-2's other stay with it
            _patient(3, "p-2", hospitaldischargeyear=2015),
            _patient(4, "p-4", gender="Unknown"),
            _patient(5, "p-5", hospitaladmitoffset=30),  # hospital admission after the ICU
        ],
        diagnosis=[(1, 10, dx_a, "038.9"), (1, 20, dx_a, None), (1, 30, dx_b, "995.91")],
        medication=[
            (1, 5, 65, "HEPARIN", "5000 units", "SUBQ", "No"),
            (1, 6, None, "Insulin", "2 units", "SUBQ", "Yes"),
            (1, 7, 70, "Zofran", None, "IV", "No"),
        ],
        intakeoutput=[
            (1, 50, f"{io}|intake (ml)|generic|P.O. intake", "P.O. intake", 200.0),
            (1, 60, f"{io}|output (ml)|urine", "Urine", 300.0),
            (1, 70, f"{io}|weight|bodyweight (kg)", "Bodyweight (kg)", 70.0),
            (1, 80, f"{io}|intake (ml)|intake", "Intake", 900.0),
        ],
        lab=[(1, -30, "sodium", 140.0), (1, 40, "sodium", None), (9, 40, "sodium", 1.0)],
    )
    rows = convert(raw, seed=0)
    assert [r[2] for r in rows["patient"]] == [1]
    admit = rows["patient"][0][13]
    assert rows["patient"][0][11] == minute_text(_minute(admit) - 120)
    assert [(r[2], r[4]) for r in rows["diagnosis"]] == [("sepsis", "038.9"), ("sepsis", None)]
    assert [r[2:5] for r in rows["medication"]] == [("heparin", "5000 units", "subq")]
    assert rows["medication"][0][6] == minute_text(_minute(admit) + 65)
    assert [(r[3], r[4]) for r in rows["intakeoutput"]] == [("p.o.", 200.0), ("urine", 300.0)]
    assert [(r[2], r[3]) for r in rows["lab"]] == [("sodium", 140.0)]
    assert [r[0] for r in rows["lab"]] == [0]
    costs = rows["cost"]
    assert [(c[3], c[4]) for c in costs] == [
        ("diagnosis", 0),
        ("diagnosis", 1),
        ("lab", 0),
        ("medication", 0),
    ]
    assert costs[0][6] == costs[1][6] > 0 and all(c[1:3] == ("p-1", 10) for c in costs)


def _minute(text: str) -> int:
    return minutes(text, "2100-01-01 00:00:00")


_visit = st.tuples(
    st.integers(2014, 2015),  # discharge year
    st.integers(-3000, 0),  # hospital admission offset
    st.integers(60, 20_000),  # unit stay length
    st.integers(0, 9000),  # hospital stay after the unit
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(_visit, min_size=1, max_size=4), min_size=1, max_size=12), st.integers(0, 5)
)
def test_placement_keeps_every_patient_before_now_and_in_order(
    patients: list[list[tuple[int, int, int, int]]], seed: int
) -> None:
    stays: list[StayClock] = []
    for p, visits in enumerate(patients):
        for v, (year, before, length, after) in enumerate(visits):
            stay = 100 * p + v
            stays.append(
                StayClock(f"p{p}", stay, stay, "13:05:00", before, length + after, year, length)
            )
    placed = place(stays, seed)
    by_patient: dict[str, list[tuple[int, int, StayClock]]] = {}
    for s in stays:
        start = placed.unit_admit[s.patientunitstayid]
        assert minute_text(start + s.hospitaladmitoffset).endswith("13:05:00")
        by_patient.setdefault(s.uniquepid, []).append(
            (start + s.hospitaladmitoffset, start + s.hospitaldischargeoffset, s)
        )
    for pid, spans in by_patient.items():
        spans.sort(key=lambda x: (x[2].hospitaldischargeyear, x[2].patienthealthsystemstayid))
        for (_, end, _), (begin, _, _) in zip(spans, spans[1:], strict=False):
            assert begin > end  # hospital stays never overlap and keep their order
        last_unit = max((x[2] for x in spans), key=lambda u: placed.unit_admit[u.patientunitstayid])
        ends = placed.unit_admit[last_unit.patientunitstayid] + last_unit.unitdischargeoffset
        if pid in placed.current:
            assert placed.unit_admit[last_unit.patientunitstayid] < NOW_MINUTE < ends
        else:
            assert max(end for _, end, _ in spans) < NOW_MINUTE
            assert min(begin for begin, _, _ in spans) >= 0
