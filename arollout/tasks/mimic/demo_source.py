"""The MIMIC-III Clinical Database Demo 1.4, read into the EHRSQL MIMIC-III schema.

Input: a folder with the demo's tables, ``ADMISSIONS.csv`` or
``ADMISSIONS.csv.gz`` and so on (the PhysioNet release, or the gzipped copy
``arollout data fetch mimic-iii-demo`` installs; ODbL 1.0, see the folder's
``LICENSE``). The rows are transformed the way EHRSQL's builder does
(``glee4810/EHRSQL``, ``preprocess/preprocess_db_mimic_iii.py``), with the
differences noted:

* strings lower-cased; ``admissions.age`` computed at admission (ages above
  89, which MIMIC-III encodes as a date of birth 300 years back, are stored
  as 90, where EHRSQL drops those admissions);
* lab rows without an admission, a value or a unit are dropped (as EHRSQL);
  ``chartevents`` keeps the vital signs of
  :data:`~arollout.tasks.mimic.schema.VITAL_ITEMS` with a value;
  ``inputevents_cv`` takes the ml amounts of both ``INPUTEVENTS_CV`` and
  ``INPUTEVENTS_MV`` (``starttime`` as its ``charttime``); prescriptions keep
  their dose text as it is (EHRSQL keeps integer doses only); microbiology
  rows are one per (time, specimen, organism), not one per antibiotic;
* **per-patient time shifts** in whole days, from a seeded RNG: each
  patient's last discharge lands in the four years before
  :data:`~arollout.tasks.ehr.CURRENT_TIME` (never before 2100), and one
  patient in ten is shifted so that "now" falls inside their last admission,
  which then has no discharge yet (events after "now" are dropped, and so is
  that patient's death date). Questions about "now" are then well defined.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any, Final

from arollout.errors import TaskError
from arollout.tasks.ehr.database import CURRENT_TIME
from arollout.tasks.ehr.tables import format_ts, lower, parse_ts, read_csv_gz
from arollout.tasks.mimic.cost import cost_rows
from arollout.tasks.mimic.schema import VITAL_ITEMS

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from arollout.tasks.ehr.tables import Rows

__all__ = ("DEMO_TABLES", "DEMO_VERSION", "demo_rows", "source_file")

DEMO_VERSION: Final = 1
"""Bump whenever the transformation changes (it keys the database cache)."""

DEMO_TABLES: Final = (
    "PATIENTS", "ADMISSIONS", "ICUSTAYS", "TRANSFERS", "D_ICD_DIAGNOSES", "D_ICD_PROCEDURES",
    "D_ITEMS", "D_LABITEMS", "DIAGNOSES_ICD", "PROCEDURES_ICD", "LABEVENTS", "PRESCRIPTIONS",
    "CHARTEVENTS", "INPUTEVENTS_CV", "INPUTEVENTS_MV", "OUTPUTEVENTS", "MICROBIOLOGYEVENTS",
)  # fmt: skip
"""The demo tables the builder reads (file stems, as PhysioNet names them)."""

_NOW: Final = dt.datetime.fromisoformat(CURRENT_TIME)
_START: Final = dt.datetime(2100, 1, 1)
_CURRENT_SHARE: Final = 0.1


def source_file(data_dir: Path, table: str) -> Path:
    """``<TABLE>.csv.gz`` or ``<TABLE>.csv`` in ``data_dir``."""
    for name in (f"{table}.csv.gz", f"{table}.csv"):
        if (data_dir / name).is_file():
            return data_dir / name
    raise TaskError(f"{data_dir} has no {table}.csv(.gz); is it the MIMIC-III demo 1.4 folder?")


def _read(data_dir: Path, table: str) -> Iterator[dict[str, str | None]]:
    return read_csv_gz(source_file(data_dir, table))


def _int(value: str | None) -> int | None:
    return None if value is None else int(float(value))


def _float(value: str | None) -> float | None:
    return None if value is None else float(value)


class _Shifts:
    """Per-patient day offsets and the open admission of "current" patients."""

    def __init__(self, admissions: list[dict[str, Any]], seed: int) -> None:
        rng = random.Random(f"mimic-iii-demo/{DEMO_VERSION}/{seed}")
        by_subject: dict[int, list[dict[str, Any]]] = {}
        for a in admissions:
            by_subject.setdefault(a["subject_id"], []).append(a)
        self.days: dict[int, int] = {}
        self.open_hadm: set[int] = set()
        for subject in sorted(by_subject):
            stays = sorted(by_subject[subject], key=lambda a: a["admittime"])
            first, last = stays[0]["admittime"], stays[-1]
            if rng.random() < _CURRENT_SHARE:
                span = last["dischtime"] - last["admittime"]
                now_at = last["admittime"] + span * rng.uniform(0.3, 0.9)
                days = (_NOW - now_at).days
                self.open_hadm.add(last["hadm_id"])
            else:
                target = _NOW - dt.timedelta(days=rng.uniform(1, 4 * 365))
                days = (target - last["dischtime"]).days
            days = max(days, (_START - first).days + 1)  # never before 2100
            self.days[subject] = days

    def shift(self, subject: int, value: str | None) -> dt.datetime | None:
        when = parse_ts(value)
        return None if when is None else when + dt.timedelta(days=self.days[subject])

    def keep(self, subject: int, value: str | None) -> str | None:
        """The shifted time as text, or ``None`` when it lies after "now"."""
        when = self.shift(subject, value)
        return None if when is None or when > _NOW else format_ts(when)


def _age(admit: dt.datetime, dob: dt.datetime) -> int:
    return min(90, int((admit - dob).days / 365.25))


def demo_rows(data_dir: Path, *, seed: int = 0) -> Rows:
    """Every EHRSQL-schema table built from the demo folder ``data_dir``."""
    patients = {int(r["subject_id"] or 0): r for r in _read(data_dir, "PATIENTS")}
    admissions: list[dict[str, Any]] = [
        {
            **r,
            "subject_id": int(r["subject_id"] or 0),
            "hadm_id": int(r["hadm_id"] or 0),
            "admittime": parse_ts(r["admittime"]),
            "dischtime": parse_ts(r["dischtime"]),
        }
        for r in _read(data_dir, "ADMISSIONS")
    ]
    shifts = _Shifts(admissions, seed)
    rows: dict[str, list[list[Any]]] = {}

    def add(table: str, *values: Any) -> None:
        out = rows.setdefault(table, [])
        out.append([len(out) + 1, *values])

    for subject in sorted(patients):
        p = patients[subject]
        current = any(
            a["hadm_id"] in shifts.open_hadm for a in admissions if a["subject_id"] == subject
        )
        dod = None if current else shifts.keep(subject, p["dod"])
        add(
            "patients", subject, lower(p["gender"]), format_ts(shifts.shift(subject, p["dob"])), dod
        )
    hadm_times: dict[int, tuple[str, str | None]] = {}
    for a in sorted(admissions, key=lambda a: int(a["row_id"])):
        subject, hadm = a["subject_id"], a["hadm_id"]
        admit = shifts.keep(subject, format_ts(a["admittime"]))
        if admit is None:
            continue
        is_open = hadm in shifts.open_hadm
        disch = None if is_open else shifts.keep(subject, format_ts(a["dischtime"]))
        hadm_times[hadm] = (admit, disch)
        dob = shifts.shift(subject, patients[subject]["dob"])
        assert dob is not None
        add(
            "admissions",
            subject,
            hadm,
            admit,
            disch,
            lower(a["admission_type"]),
            lower(a["admission_location"]),
            None if is_open else lower(a["discharge_location"]),
            lower(a["insurance"]),
            lower(a["language"]),
            lower(a["marital_status"]),
            lower(a["ethnicity"]),
            _age(dt.datetime.fromisoformat(admit), dob),
        )
    for r in _read(data_dir, "ICUSTAYS"):
        subject, hadm = int(r["subject_id"] or 0), int(r["hadm_id"] or 0)
        intime = shifts.keep(subject, r["intime"])
        if hadm in hadm_times and intime is not None:
            add(
                "icustays",
                subject,
                hadm,
                _int(r["icustay_id"]),
                lower(r["first_careunit"]),
                lower(r["last_careunit"]),
                _int(r["first_wardid"]),
                _int(r["last_wardid"]),
                intime,
                shifts.keep(subject, r["outtime"]),
            )
    for r in _read(data_dir, "TRANSFERS"):
        subject, hadm = int(r["subject_id"] or 0), int(r["hadm_id"] or 0)
        intime = shifts.keep(subject, r["intime"])
        if hadm in hadm_times and intime is not None:
            add(
                "transfers",
                subject,
                hadm,
                _int(r["icustay_id"]),
                lower(r["eventtype"]),
                lower(r["curr_careunit"]),
                _int(r["curr_wardid"]),
                intime,
                shifts.keep(subject, r["outtime"]),
            )
    _dictionaries(data_dir, add)
    _events(data_dir, shifts, hadm_times, add)
    out: Rows = {table: [tuple(r) for r in table_rows] for table, table_rows in rows.items()}
    out["cost"] = cost_rows(out, seed=seed)
    return out


def _dictionaries(data_dir: Path, add: Any) -> None:
    for table, target in (
        ("D_ICD_DIAGNOSES", "d_icd_diagnoses"),
        ("D_ICD_PROCEDURES", "d_icd_procedures"),
    ):
        seen: set[str] = set()
        for r in _read(data_dir, table):
            code = r["icd9_code"]
            if code is not None and code not in seen:
                seen.add(code)
                add(target, code, lower(r["short_title"]), lower(r["long_title"]))
    for r in _read(data_dir, "D_LABITEMS"):
        add("d_labitems", _int(r["itemid"]), lower(r["label"]))
    linked = {"chartevents", "inputevents_cv", "inputevents_mv", "outputevents"}
    for r in _read(data_dir, "D_ITEMS"):
        links = lower(r["linksto"])
        if r["label"] is not None and links in linked:
            links = "inputevents_cv" if links == "inputevents_mv" else links
            add("d_items", _int(r["itemid"]), lower(r["label"]), links)


def _events(
    data_dir: Path, shifts: _Shifts, hadm_times: dict[int, tuple[str, str | None]], add: Any
) -> None:
    def ids(r: dict[str, str | None]) -> tuple[int, int] | None:
        hadm = _int(r["hadm_id"])
        return None if hadm is None or hadm not in hadm_times else (int(r["subject_id"] or 0), hadm)

    for table, target, col in (
        ("DIAGNOSES_ICD", "diagnoses_icd", 0),
        ("PROCEDURES_ICD", "procedures_icd", 1),
    ):
        for r in _read(data_dir, table):
            key = ids(r)
            when = None if key is None else hadm_times[key[1]][col]
            if key is not None and when is not None and r["icd9_code"] is not None:
                add(target, *key, r["icd9_code"], when)
    for r in _read(data_dir, "LABEVENTS"):
        key = ids(r)
        if key is None or r["valuenum"] is None or r["valueuom"] is None:
            continue
        when = shifts.keep(key[0], r["charttime"])
        if when is not None:
            add(
                "labevents",
                *key,
                _int(r["itemid"]),
                when,
                _float(r["valuenum"]),
                lower(r["valueuom"]),
            )
    for r in _read(data_dir, "PRESCRIPTIONS"):
        key = ids(r)
        start = None if key is None else shifts.keep(key[0], r["startdate"])
        if key is None or start is None or r["drug"] is None:
            continue
        add(
            "prescriptions",
            *key,
            start,
            shifts.keep(key[0], r["enddate"]),
            lower(r["drug"]),
            r["dose_val_rx"],
            lower(r["dose_unit_rx"]),
            lower(r["route"]),
        )
    vitals = [str(item) for item in VITAL_ITEMS]
    charted = sorted(
        (int(r["row_id"] or 0), r)
        for r in read_csv_gz(source_file(data_dir, "CHARTEVENTS"), where=("itemid", vitals))
        if r["valuenum"] is not None and r["icustay_id"] is not None
    )
    for _, r in charted:
        key = ids(r)
        when = None if key is None else shifts.keep(key[0], r["charttime"])
        if key is not None and when is not None:
            add(
                "chartevents",
                *key,
                _int(r["icustay_id"]),
                _int(r["itemid"]),
                when,
                _float(r["valuenum"]),
                lower(r["valueuom"]),
            )
    intake: list[tuple[str, int, int, int, int, float]] = []
    for table, time_col in (("INPUTEVENTS_CV", "charttime"), ("INPUTEVENTS_MV", "starttime")):
        for r in _read(data_dir, table):
            key = ids(r)
            if (
                key is None
                or r["icustay_id"] is None
                or r["amount"] is None
                or lower(r["amountuom"]) != "ml"
            ):
                continue
            when = shifts.keep(key[0], r[time_col])
            if when is not None:
                intake.append(
                    (
                        when,
                        *key,
                        int(r["icustay_id"] or 0),
                        int(r["itemid"] or 0),
                        float(r["amount"]),
                    )
                )
    for when, subject, hadm, stay, itemid, amount in sorted(intake):
        add("inputevents_cv", subject, hadm, stay, when, itemid, amount)
    for r in _read(data_dir, "OUTPUTEVENTS"):
        key = ids(r)
        if key is None or r["icustay_id"] is None or r["value"] is None:
            continue
        when = shifts.keep(key[0], r["charttime"])
        if when is not None:
            add(
                "outputevents",
                *key,
                _int(r["icustay_id"]),
                when,
                _int(r["itemid"]),
                _float(r["value"]),
            )
    seen: set[tuple[Any, ...]] = set()
    for r in _read(data_dir, "MICROBIOLOGYEVENTS"):
        key = ids(r)
        when = None if key is None else shifts.keep(key[0], r["charttime"] or r["chartdate"])
        if key is None or when is None:
            continue
        row = (*key, when, lower(r["spec_type_desc"]), lower(r["org_name"]))
        if row not in seen:
            seen.add(row)
            add("microbiologyevents", *row)
