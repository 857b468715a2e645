"""The MIMIC-III builders: the demo against its README, the time shift, the synthetic generator."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from arollout.data import DataMissingError
from arollout.tasks.ehr import CURRENT_TIME, EhrDatabase
from arollout.tasks.mimic import SCHEMA, build_demo, build_synthetic
from arollout.tasks.mimic.cost import BASE_PRICES
from arollout.tasks.mimic.schema import VITAL_ITEMS
from arollout.tasks.mimic.synthetic import generate

NOW = dt.datetime.fromisoformat(CURRENT_TIME)


def _ts(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def test_demo_files_match_their_readme(demo_dir: Path) -> None:
    """Every table of the demo folder has the row count its README states."""
    readme = (demo_dir / "README.md").read_text()
    stated = {
        m[0]: int(m[1].replace(",", ""))
        for m in re.findall(r"\| `(\w+)\.csv\.gz` \| ([\d,]+) \|", readme)
    }
    assert len(stated) == 25 and sum(stated.values()) == 967_139
    for table in (
        "PATIENTS",
        "ADMISSIONS",
        "ICUSTAYS",
        "D_ICD_DIAGNOSES",
        "LABEVENTS",
        "CHARTEVENTS",
    ):
        with gzip.open(demo_dir / f"{table}.csv.gz", "rt", newline="") as fh:
            assert sum(1 for _ in csv.reader(fh)) - 1 == stated[table], table


def _raw(demo_dir: Path, table: str) -> list[dict[str, str]]:
    with gzip.open(demo_dir / f"{table}.csv.gz", "rt", newline="") as fh:
        return list(csv.DictReader(fh))


def test_demo_database_schema_and_counts(demo_db: EhrDatabase, demo_dir: Path) -> None:
    with contextlib.closing(sqlite3.connect(demo_db.sqlite_path)) as con:
        for table, columns in SCHEMA.items():
            info = con.execute(f"PRAGMA table_info({table})").fetchall()
            assert [(r[1], r[2]) for r in info] == list(columns), table
            assert (Path(demo_db.directory) / f"{table}.csv").is_file()
        counts = demo_db.row_counts
        # the patient-level tables keep every demo row; the dictionaries keep every code
        assert counts["patients"] == len(_raw(demo_dir, "PATIENTS")) == 100
        assert counts["admissions"] == 129 and counts["icustays"] == 136
        assert counts["d_icd_diagnoses"] == 14_567 and counts["d_labitems"] == 753
        labs = [
            r
            for r in _raw(demo_dir, "LABEVENTS")
            if r["hadm_id"] and r["valuenum"] and r["valueuom"]
        ]
        assert 0.9 * len(labs) < counts["labevents"] <= len(labs)  # minus those after "now"
        assert counts["cost"] == sum(counts[t] for t in BASE_PRICES)
        items = {r[0] for r in con.execute("SELECT DISTINCT itemid FROM chartevents")}
        assert items <= set(VITAL_ITEMS) and len(items) >= 10
        assert (
            con.execute("SELECT COUNT(*) FROM d_items WHERE linksto = 'inputevents_mv'").fetchone()[
                0
            ]
            == 0
        )


def test_demo_time_shift_keeps_each_patients_intervals(
    demo_db: EhrDatabase, demo_dir: Path
) -> None:
    raw = {int(r["hadm_id"]): r for r in _raw(demo_dir, "ADMISSIONS")}
    with contextlib.closing(sqlite3.connect(demo_db.sqlite_path)) as con:
        rows = con.execute(
            "SELECT subject_id, hadm_id, admittime, dischtime, discharge_location FROM admissions"
        ).fetchall()
        shifts: dict[int, set[dt.timedelta]] = {}
        open_ = 0
        for subject, hadm, admit, disch, location in rows:
            src = raw[hadm]
            shift = _ts(admit) - _ts(src["admittime"])
            assert shift.seconds == 0 and shift.microseconds == 0  # whole days
            shifts.setdefault(subject, set()).add(shift)
            assert dt.datetime(2100, 1, 1) <= _ts(admit) <= NOW
            if disch is None:
                open_ += 1
                assert location is None and _ts(src["dischtime"]) + shift > NOW
            else:
                assert _ts(disch) - _ts(admit) == _ts(src["dischtime"]) - _ts(src["admittime"])
                assert _ts(disch) <= NOW
        assert all(len(s) == 1 for s in shifts.values())  # one offset per patient
        assert 3 <= open_ <= 20  # about one patient in ten is in hospital "now"
        open_subjects = {s for s, _, _, d, _ in rows if d is None}
        for (dod,) in con.execute(
            f"SELECT dod FROM patients WHERE subject_id IN ({','.join(map(str, open_subjects))})"
        ):
            assert dod is None
        for table, column in (
            ("labevents", "charttime"),
            ("chartevents", "charttime"),
            ("prescriptions", "startdate"),
            ("transfers", "intime"),
        ):
            lo, hi = con.execute(f"SELECT MIN({column}), MAX({column}) FROM {table}").fetchone()
            assert "2100-01-01" <= lo and hi <= CURRENT_TIME, table
        ages = [a for (a,) in con.execute("SELECT age FROM admissions")]
        assert max(ages) == 90 and min(ages) > 10
        assert (
            con.execute(
                "SELECT COUNT(*) FROM admissions WHERE admission_type != lower(admission_type)"
            ).fetchone()[0]
            == 0
        )


def test_demo_is_required_and_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AROLLOUT_DATA", str(tmp_path / "nothing-here"))
    with pytest.raises(DataMissingError, match="arollout data fetch mimic-iii-demo"):
        build_demo(cache_dir=tmp_path)
    with pytest.raises(DataMissingError, match="ADMISSIONS"):
        build_demo(tmp_path, cache_dir=tmp_path)


def test_synthetic_is_deterministic_and_seed_specific(tmp_path: Path) -> None:
    assert generate(5, 40) == generate(5, 40)
    assert generate(5, 40)["labevents"] != generate(6, 40)["labevents"]
    a = build_synthetic(5, 40, tmp_path / "a")
    b = build_synthetic(5, 40, tmp_path / "b")
    assert a.sha256 == b.sha256 and a.row_counts["patients"] == 40


def test_synthetic_rows_are_plausible(small_mimic: EhrDatabase) -> None:
    with contextlib.closing(sqlite3.connect(small_mimic.sqlite_path)) as con:
        q = con.execute
        assert q("SELECT COUNT(*) FROM patients").fetchone()[0] == 150
        # every event lies inside its admission, and belongs to the admission's patient
        for table, column in (
            ("labevents", "charttime"),
            ("prescriptions", "startdate"),
            ("chartevents", "charttime"),
            ("microbiologyevents", "charttime"),
        ):
            bad = q(
                f"SELECT COUNT(*) FROM {table} e JOIN admissions a ON a.hadm_id = e.hadm_id WHERE e.{column} < a.admittime "
                f"OR e.{column} > COALESCE(a.dischtime, '{CURRENT_TIME}') OR e.subject_id != a.subject_id"
            ).fetchone()[0]
            assert bad == 0, table
        bad = q(
            "SELECT COUNT(*) FROM chartevents c JOIN icustays i ON i.icustay_id = c.icustay_id "
            f"WHERE c.charttime < i.intime OR c.charttime > COALESCE(i.outtime, '{CURRENT_TIME}')"
        ).fetchone()[0]
        assert bad == 0
        assert (
            q(
                "SELECT COUNT(*) FROM icustays i JOIN admissions a ON a.hadm_id = i.hadm_id WHERE i.intime < a.admittime"
            ).fetchone()[0]
            == 0
        )
        current = q("SELECT COUNT(*) FROM admissions WHERE dischtime IS NULL").fetchone()[0]
        assert 3 <= current <= 30
        assert (
            q(
                "SELECT COUNT(*) FROM procedures_icd p JOIN admissions a USING (hadm_id) WHERE p.charttime != a.dischtime"
            ).fetchone()[0]
            == 0
        )
        assert (
            q(
                "SELECT COUNT(*) FROM diagnoses_icd d JOIN admissions a USING (hadm_id) WHERE d.charttime != a.admittime"
            ).fetchone()[0]
            == 0
        )
        assert (
            q(
                "SELECT COUNT(*) FROM diagnoses_icd WHERE icd9_code NOT IN (SELECT icd9_code FROM d_icd_diagnoses)"
            ).fetchone()[0]
            == 0
        )
        for age, admit, dob in q(
            "SELECT a.age, a.admittime, p.dob FROM admissions a JOIN patients p USING (subject_id)"
        ):
            assert age == int((_ts(admit) - _ts(dob)).days / 365.25)
        # cost: one price per code, one row per priced event
        assert (
            q(
                "SELECT COUNT(*) FROM (SELECT p.drug FROM cost c JOIN prescriptions p ON p.row_id = c.event_id WHERE c.event_type = 'prescriptions' GROUP BY 1 HAVING COUNT(DISTINCT c.cost) > 1)"
            ).fetchone()[0]
            == 0
        )
        assert small_mimic.row_counts["cost"] == sum(small_mimic.row_counts[t] for t in BASE_PRICES)
        genders = Counter(g for (g,) in q("SELECT gender FROM patients"))
        assert set(genders) == {"m", "f"} and min(genders.values()) > 30
        years = {y for (y,) in q("SELECT DISTINCT strftime('%Y', admittime) FROM admissions")}
        assert {"2101", "2102", "2103", "2104"} <= years


def test_synthetic_size_scales(tmp_path: Path) -> None:
    small, big = generate(0, 20), generate(0, 80)
    assert len(big["admissions"]) > 2.5 * len(small["admissions"])
    assert len(big["labevents"]) > 2.5 * len(small["labevents"])
