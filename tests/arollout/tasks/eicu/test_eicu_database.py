"""The demo reader and the two database builders: row counts, schema, files, caching."""

from __future__ import annotations

import contextlib
import csv
import re
import sqlite3
from typing import TYPE_CHECKING

import pytest

from arollout.data.sources import DataMissingError
from arollout.errors import TaskError
from arollout.tasks.eicu import database as eicu_database
from arollout.tasks.eicu.convert import keep_patient
from arollout.tasks.eicu.database import (
    DEMO_ROW_COUNTS,
    DEMO_TABLES,
    build_demo,
    build_synthetic,
    demo_digest,
    require_demo,
)
from arollout.tasks.eicu.schema import RAW_COLUMNS, SCHEMA

if TYPE_CHECKING:
    from pathlib import Path

    from arollout.tasks.ehr.database import EhrDatabase
    from arollout.tasks.eicu.schema import RawTables


def readme_row_counts(demo_dir: Path) -> dict[str, int]:
    """Rows per table as the demo's own README lists them."""
    text = (demo_dir / "README.md").read_text()
    found = re.findall(r"^\| `(\w+)\.csv\.gz` \| ([\d,]+) \|", text, flags=re.MULTILINE)
    return {name: int(n.replace(",", "")) for name, n in found}


def test_demo_tables_have_the_readme_row_counts(demo_raw: RawTables, demo_dir: Path) -> None:
    readme = readme_row_counts(demo_dir)
    assert len(readme) == 28
    for table in DEMO_TABLES:
        assert len(demo_raw[table]) == readme[table] == DEMO_ROW_COUNTS[table], table


def test_demo_rows_are_typed_like_the_source(demo_raw: RawTables) -> None:
    stay = {r[0]: r for r in demo_raw["patient"]}[141765]
    row = dict(zip(RAW_COLUMNS["patient"], stay, strict=True))
    assert row["uniquepid"] == "002-1039" and row["patienthealthsystemstayid"] == 129391
    assert (row["gender"], row["age"], row["hospitalid"], row["wardid"]) == ("Female", "87", 59, 91)
    assert (row["hospitaladmitoffset"], row["unitdischargeoffset"]) == (-8, 2250)
    assert row["hospitaladmittime24"] == "23:36:00" and row["admissionweight"] == 46.5
    assert all(isinstance(r[1], int) for r in demo_raw["diagnosis"])  # offsets are integers
    assert any(r[3] is None for r in demo_raw["medication"])  # empty fields are NULL


def test_a_missing_demo_says_how_to_fetch_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(DataMissingError, match="arollout data fetch eicu-demo"):
        require_demo(tmp_path / "nowhere")
    (tmp_path / "partial").mkdir()
    (tmp_path / "partial" / "patient.csv.gz").write_bytes(b"")
    with pytest.raises(DataMissingError, match=r"lacks diagnosis\.csv\.gz, treatment\.csv\.gz"):
        require_demo(tmp_path / "partial")
    monkeypatch.setenv("AROLLOUT_DATA", str(tmp_path / "empty"))
    with pytest.raises(DataMissingError, match="arollout data fetch eicu-demo"):
        require_demo(None)
    with pytest.raises(DataMissingError):
        build_demo(cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_demo_digest_follows_the_bytes(tmp_path: Path, demo_dir: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for table in DEMO_TABLES:
        (copy / f"{table}.csv.gz").symlink_to(demo_dir / f"{table}.csv.gz")
    assert demo_digest(copy) == demo_digest(demo_dir)
    (copy / "microlab.csv.gz").unlink()
    (copy / "microlab.csv.gz").write_bytes((demo_dir / "microlab.csv.gz").read_bytes() + b"\0")
    assert demo_digest(copy) != demo_digest(demo_dir)


def test_schema_and_csv_copies(synthetic_db: EhrDatabase, demo_db: EhrDatabase) -> None:
    for db in (synthetic_db, demo_db):
        with contextlib.closing(sqlite3.connect(db.sqlite_path)) as con:
            tables = [
                r[0]
                for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if not r[0].startswith("sqlite_")
            ]
            assert tables == list(SCHEMA)
            for table, columns in SCHEMA.items():
                info = [(r[1], r[2]) for r in con.execute(f"PRAGMA table_info({table})")]
                assert info == list(columns), table
                assert db.row_counts[table] > 0, table
            for table in ("patient", "microlab", "allergy"):
                with open(f"{db.directory}/{table}.csv", newline="") as fh:
                    rows = list(csv.reader(fh))
                assert rows[0] == [c for c, _ in SCHEMA[table]]
                assert len(rows) - 1 == db.row_counts[table]
                first = con.execute(f"SELECT * FROM {table} ORDER BY rowid LIMIT 1").fetchone()
                assert rows[1] == ["" if v is None else str(v) for v in first]


def test_demo_keeps_the_stays_of_valid_patients(demo_raw: RawTables, demo_db: EhrDatabase) -> None:
    """A person is kept with all of their stays, or not at all (the EHRSQL filters)."""
    pid_at = RAW_COLUMNS["patient"].index("uniquepid")
    bad = {r[pid_at] for r in demo_raw["patient"] if not keep_patient(r)}
    kept = [r for r in demo_raw["patient"] if r[pid_at] not in bad]
    assert 2000 < len(kept) < 2520
    assert demo_db.row_counts["patient"] == len(kept)
    with contextlib.closing(sqlite3.connect(demo_db.sqlite_path)) as con:
        ages = {r[0] for r in con.execute("SELECT DISTINCT age FROM patient")}
        assert all(a.isdigit() and 11 <= int(a) <= 89 for a in ages)
        genders = {r[0] for r in con.execute("SELECT DISTINCT gender FROM patient")}
        assert genders == {"male", "female"}
        persons = con.execute("SELECT COUNT(DISTINCT uniquepid) FROM patient").fetchone()[0]
    assert persons == len({r[pid_at] for r in kept})


def test_medication_and_intake_rules_on_the_demo(demo_raw: RawTables, demo_db: EhrDatabase) -> None:
    cancelled = sum(1 for r in demo_raw["medication"] if r[6] == "Yes")
    assert cancelled > 0
    with contextlib.closing(sqlite3.connect(demo_db.sqlite_path)) as con:
        q = con.execute
        assert (
            q(
                "SELECT COUNT(*) FROM medication WHERE dosage IS NULL OR routeadmin IS NULL"
            ).fetchone()[0]
            == 0
        )
        assert demo_db.row_counts["medication"] < DEMO_ROW_COUNTS["medication"] - cancelled
        labels = {r[0] for r in q("SELECT DISTINCT celllabel FROM intakeoutput")}
        assert "urine" in labels and "bodyweight (kg)" not in labels
        assert not {"intake", "output"} & labels
        assert not [lb for lb in labels if lb.endswith((" intake", " output"))]
        paths = q(
            "SELECT COUNT(*) FROM intakeoutput WHERE cellpath NOT LIKE '%intake%' AND cellpath NOT LIKE '%output%'"
        )
        assert paths.fetchone()[0] == 0


def test_builds_are_cached_and_keyed_by_their_inputs(
    synthetic_db: EhrDatabase, eicu_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object) -> None:
        raise AssertionError("rebuilt a cached database")

    seed, patients = synthetic_db.params["seed"], synthetic_db.params["patients"]
    monkeypatch.setattr(eicu_database, "synthetic_rows", fail)
    again = build_synthetic(seed, patients, eicu_cache)
    assert again == synthetic_db
    assert again.params == {"seed": seed, "patients": patients, "synthetic": 1}
    monkeypatch.undo()
    other = build_synthetic(seed + 1, 40, eicu_cache)
    assert other.key != synthetic_db.key and other.sha256 != synthetic_db.sha256
    for bad in ({"seed": -1}, {"patients": 5}, {"patients": True}):
        with pytest.raises(TaskError):
            build_synthetic(**bad, cache_dir=eicu_cache)
