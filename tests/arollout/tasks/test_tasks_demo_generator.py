from __future__ import annotations

import contextlib
import csv
import datetime as dt
import sqlite3
import time
from pathlib import Path

import pytest

from arollout.errors import TaskError
from arollout.tasks.demo import CURRENT_TIME, SCHEMA, build_database, database_key
from arollout.tasks.demo.generator import DB_FILENAME, generate_rows
from arollout.tasks.demo.vocab import LABS


def test_build_is_fast_and_leaves_no_temp_dirs(tmp_path: Path) -> None:
    start = time.perf_counter()
    db = build_database(seed=7, patients=200, cache_dir=tmp_path)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"building 200 patients took {elapsed:.2f} s"
    assert Path(db.directory) == tmp_path / "ehr-demo" / database_key(7, 200)
    assert sorted(p.name for p in (tmp_path / "ehr-demo").iterdir()) == [db.key]
    files = sorted(p.name for p in Path(db.directory).iterdir())
    assert files == sorted([DB_FILENAME, "manifest.json", *(f"{t}.csv" for t in SCHEMA)])
    assert db.row_counts["patients"] == 200


def test_same_seed_same_bytes_different_seed_differs(tmp_path: Path) -> None:
    a = build_database(seed=3, patients=50, cache_dir=tmp_path / "a")
    b = build_database(seed=3, patients=50, cache_dir=tmp_path / "b")
    c = build_database(seed=4, patients=50, cache_dir=tmp_path / "c")
    assert a.sha256 == b.sha256
    for name in a.sha256:
        assert (Path(a.directory) / name).read_bytes() == (Path(b.directory) / name).read_bytes()
    assert a.key != c.key
    assert a.sha256[DB_FILENAME] != c.sha256[DB_FILENAME]
    assert a.sha256["labevents.csv"] != c.sha256["labevents.csv"]
    assert generate_rows(3, 50) == generate_rows(3, 50)


def test_cache_is_reused(tmp_path: Path) -> None:
    first = build_database(seed=1, patients=30, cache_dir=tmp_path)
    path = Path(first.sqlite_path)
    mtime = path.stat().st_mtime_ns
    second = build_database(seed=1, patients=30, cache_dir=tmp_path)
    assert second == first
    assert path.stat().st_mtime_ns == mtime


def test_env_var_sets_the_cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AROLLOUT_CACHE", str(tmp_path / "env-cache"))
    db = build_database(seed=2, patients=20)
    assert Path(db.directory).is_relative_to(tmp_path / "env-cache")


@pytest.mark.parametrize(("seed", "patients"), [("1", 20), (1, 5), (1, True), (1.5, 20)])
def test_bad_arguments(seed: object, patients: object, tmp_path: Path) -> None:
    with pytest.raises(TaskError):
        build_database(seed=seed, patients=patients, cache_dir=tmp_path)  # type: ignore[arg-type]


def test_schema_and_csv_match_sqlite(tmp_path: Path) -> None:
    db = build_database(seed=5, patients=40, cache_dir=tmp_path)
    with contextlib.closing(sqlite3.connect(db.sqlite_path)) as con:
        for table, columns in SCHEMA.items():
            info = con.execute(f"PRAGMA table_info({table})").fetchall()
            assert [(r[1], r[2]) for r in info] == list(columns)
            with (Path(db.directory) / f"{table}.csv").open(newline="") as fh:
                rows = list(csv.reader(fh))
            assert rows[0] == [c for c, _ in columns]
            count = con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            assert len(rows) - 1 == count == db.row_counts[table]


def test_rows_are_plausible(tmp_path: Path) -> None:
    db = build_database(seed=0, patients=200, cache_dir=tmp_path)
    with contextlib.closing(sqlite3.connect(db.sqlite_path)) as con:
        now = dt.datetime.fromisoformat(CURRENT_TIME)
        for admit, disch, dob, dod in con.execute(
            "SELECT a.admittime, a.dischtime, p.dob, p.dod FROM admissions a JOIN patients p USING (subject_id)"
        ):
            a, d = dt.datetime.fromisoformat(admit), dt.datetime.fromisoformat(disch)
            assert dt.datetime(2100, 1, 1) <= a < d < now
            assert dt.datetime.fromisoformat(dob) < a
            if dod is not None:
                assert (
                    dt.datetime.fromisoformat(dod) >= d.replace(hour=0, minute=0)
                    and dod < CURRENT_TIME
                )
        # every admission's events lie inside the stay and belong to the same patient
        bad = con.execute(
            """SELECT COUNT(*) FROM labevents l JOIN admissions a ON a.hadm_id = l.hadm_id
               WHERE l.charttime < a.admittime OR l.charttime > a.dischtime OR l.subject_id != a.subject_id"""
        ).fetchone()[0]
        assert bad == 0
        bad = con.execute(
            """SELECT COUNT(*) FROM prescriptions r JOIN admissions a ON a.hadm_id = r.hadm_id
               WHERE r.startdate < a.admittime OR r.startdate > a.dischtime OR r.subject_id != a.subject_id"""
        ).fetchone()[0]
        assert bad == 0
        for lab in LABS:
            low, high = con.execute(
                "SELECT MIN(valuenum), MAX(valuenum) FROM labevents WHERE itemid = ?", (lab.itemid,)
            ).fetchone()
            assert lab.low <= low <= lab.mean <= high <= lab.high, lab.label
        assert (
            con.execute(
                "SELECT COUNT(*) FROM diagnoses_icd WHERE icd_code NOT IN (SELECT icd_code FROM d_icd_diagnoses)"
            ).fetchone()[0]
            == 0
        )
        per_adm = con.execute("SELECT COUNT(*) FROM diagnoses_icd GROUP BY hadm_id").fetchall()
        assert len(per_adm) == db.row_counts["admissions"]
        assert (
            con.execute(
                "SELECT COUNT(*) FROM (SELECT hadm_id, icd_code FROM diagnoses_icd GROUP BY 1, 2 HAVING COUNT(*) > 1)"
            ).fetchone()[0]
            == 0
        )
