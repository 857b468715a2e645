"""The TREQS / MIMICSQL five-table database, derived from a MIMIC-III-schema database.

TREQS (``wangpinggl/TREQS``, MIT; ``evaluation/process_mimic_db/process_tables.py``)
flattens MIMIC-III into five tables: DEMOGRAPHIC (one row per admission,
patient columns joined in, plus ``age``, ``days_stay``, ``admityear``,
``dob_year``, ``dod_year`` and a fake patient ``name``), DIAGNOSES and
PROCEDURES (codes joined with their titles), PRESCRIPTIONS (``drug_dose`` =
dose value and unit run together) and LAB (``value_unit`` = value and unit
run together, joined with the lab label). Here the five tables are derived
from one of this project's MIMIC-III databases (synthetic or demo-built), so
they hold the same patients:

* strings stay lower-cased, as in the source database;
* columns the source does not hold are left out: ``religion`` (DEMOGRAPHIC),
  ``drug_type`` and ``formulary_drug_cd`` (PRESCRIPTIONS), ``fluid`` and
  ``category`` (LAB);
* ``diagnosis`` (MIMIC-III's admitting diagnosis text) is the short title of
  the admission's first coded diagnosis; ``flag`` is ``'abnormal'`` for a lab
  value outside the central 90 % of that test's values in the database;
* ``name`` comes from :mod:`.names` (invented names, seeded by subject id),
  not from TREQS's ``id2name.csv``;
* an admission still open at "now" has NULL ``dischtime`` and ``days_stay``.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.ehr.database import build_cached
from arollout.tasks.ehr.tables import write_database
from arollout.tasks.treqs.names import patient_name

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from arollout.tasks.ehr.database import DatabaseLike, EhrDatabase
    from arollout.tasks.ehr.tables import Indexes, Rows, Schema

__all__ = ("INDEXES", "SCHEMA", "TREQS_VERSION", "build_treqs", "treqs_rows")

TREQS_VERSION: Final = 1
"""Bump whenever the derived rows change (it keys the database cache)."""

_I, _T, _R = "INTEGER", "TEXT", "REAL"

SCHEMA: Final[Schema] = {
    "demographic": (
        ("subject_id", _I), ("hadm_id", _I), ("name", _T), ("marital_status", _T), ("age", _I),
        ("dob", _T), ("gender", _T), ("language", _T), ("admission_type", _T),
        ("days_stay", _I), ("insurance", _T), ("ethnicity", _T), ("expire_flag", _I),
        ("admission_location", _T), ("discharge_location", _T), ("diagnosis", _T),
        ("dod", _T), ("dob_year", _I), ("dod_year", _I), ("admittime", _T),
        ("dischtime", _T), ("admityear", _I),
    ),
    "diagnoses": (
        ("subject_id", _I), ("hadm_id", _I), ("icd9_code", _T), ("short_title", _T),
        ("long_title", _T),
    ),
    "procedures": (
        ("subject_id", _I), ("hadm_id", _I), ("icd9_code", _T), ("short_title", _T),
        ("long_title", _T),
    ),
    "prescriptions": (
        ("subject_id", _I), ("hadm_id", _I), ("icustay_id", _I), ("drug", _T), ("route", _T),
        ("drug_dose", _T),
    ),
    "lab": (
        ("subject_id", _I), ("hadm_id", _I), ("itemid", _I), ("charttime", _T), ("flag", _T),
        ("value_unit", _T), ("label", _T),
    ),
}  # fmt: skip
"""The TREQS tables (lower-case names) and the columns kept."""

INDEXES: Final[Indexes] = (
    ("demographic", "subject_id"),
    ("demographic", "hadm_id"),
    ("demographic", "name"),
    ("diagnoses", "hadm_id"),
    ("diagnoses", "short_title"),
    ("diagnoses", "icd9_code"),
    ("procedures", "hadm_id"),
    ("procedures", "short_title"),
    ("prescriptions", "hadm_id"),
    ("prescriptions", "drug"),
    ("lab", "hadm_id"),
    ("lab", "label"),
)

_DEMOGRAPHIC: Final = """
SELECT a.subject_id, a.hadm_id, a.marital_status, a.age, p.dob, p.gender, a.language,
       a.admission_type,
       CASE WHEN a.dischtime IS NULL THEN NULL
            ELSE CAST(julianday(date(a.dischtime)) - julianday(date(a.admittime)) AS INTEGER) END,
       a.insurance, a.ethnicity, p.dod IS NOT NULL, a.admission_location, a.discharge_location,
       (SELECT d.short_title FROM diagnoses_icd x JOIN d_icd_diagnoses d ON d.icd9_code = x.icd9_code
        WHERE x.hadm_id = a.hadm_id ORDER BY x.row_id LIMIT 1),
       p.dod, CAST(strftime('%Y', p.dob) AS INTEGER), CAST(strftime('%Y', p.dod) AS INTEGER),
       a.admittime, a.dischtime, CAST(strftime('%Y', a.admittime) AS INTEGER)
FROM admissions a JOIN patients p ON p.subject_id = a.subject_id ORDER BY a.hadm_id
"""

_CODES: Final = """
SELECT x.subject_id, x.hadm_id, x.icd9_code, d.short_title, d.long_title
FROM {events} x JOIN {dictionary} d ON d.icd9_code = x.icd9_code ORDER BY x.hadm_id, x.row_id
"""

_PRESCRIPTIONS: Final = """
SELECT r.subject_id, r.hadm_id,
       (SELECT i.icustay_id FROM icustays i WHERE i.hadm_id = r.hadm_id AND r.startdate >= i.intime
        AND (i.outtime IS NULL OR r.startdate <= i.outtime) ORDER BY i.intime LIMIT 1),
       r.drug, r.route, COALESCE(r.dose_val_rx, '') || COALESCE(r.dose_unit_rx, '')
FROM prescriptions r ORDER BY r.row_id
"""

_LAB: Final = """
WITH ranked AS (
  SELECT l.row_id, l.itemid, l.valuenum,
         PERCENT_RANK() OVER (PARTITION BY l.itemid ORDER BY l.valuenum) AS pr
  FROM labevents l)
SELECT l.subject_id, l.hadm_id, l.itemid, l.charttime,
       CASE WHEN r.pr < 0.05 OR r.pr > 0.95 THEN 'abnormal' ELSE NULL END,
       CASE WHEN l.valuenum = CAST(l.valuenum AS INTEGER) THEN CAST(CAST(l.valuenum AS INTEGER) AS TEXT)
            ELSE CAST(l.valuenum AS TEXT) END || COALESCE(l.valueuom, ''),
       d.label
FROM labevents l JOIN ranked r ON r.row_id = l.row_id JOIN d_labitems d ON d.itemid = l.itemid
ORDER BY l.row_id
"""


def treqs_rows(source_sqlite: str, *, seed: int = 0) -> Rows:
    """The five TREQS tables derived from the MIMIC-III-schema database at ``source_sqlite``."""
    con = sqlite3.connect(f"file:{source_sqlite}?mode=ro", uri=True)
    try:
        demographic: list[tuple[Any, ...]] = []
        for row in con.execute(_DEMOGRAPHIC):
            subject_id, hadm_id, *rest = row
            demographic.append((subject_id, hadm_id, patient_name(subject_id, seed), *rest))
        return {
            "demographic": demographic,
            "diagnoses": con.execute(
                _CODES.format(events="diagnoses_icd", dictionary="d_icd_diagnoses")
            ).fetchall(),
            "procedures": con.execute(
                _CODES.format(events="procedures_icd", dictionary="d_icd_procedures")
            ).fetchall(),
            "prescriptions": con.execute(_PRESCRIPTIONS).fetchall(),
            "lab": con.execute(_LAB).fetchall(),
        }
    finally:
        con.close()


def build_treqs(
    source: DatabaseLike, *, seed: int = 0, cache_dir: str | os.PathLike[str] | None = None
) -> EhrDatabase:
    """The TREQS database derived from ``source`` (a built MIMIC-III database), on first use."""

    def write(directory: Path) -> dict[str, int]:
        return write_database(directory, SCHEMA, treqs_rows(source.sqlite_path, seed=seed), INDEXES)

    return build_cached(
        "treqs", TREQS_VERSION, {"source": source.key, "seed": seed}, write, cache_dir
    )
