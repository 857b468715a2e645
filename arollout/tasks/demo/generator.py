"""A seeded synthetic mini-EHR, built once into a cache directory.

The schema is a small subset of MIMIC-III in the EHRSQL style (lower-case
column names, ``YYYY-MM-DD HH:MM:SS`` text timestamps, all times between 2100
and the fixed "now" :data:`CURRENT_TIME`), so EHRSQL-like questions and gold
SQL run on it unchanged. Everything comes from one ``random.Random(seed)``:
the same seed and size always give the same rows and the same file bytes,
which is what makes the task answers reproducible ground truth.

The database is written to ``<cache>/ehr-demo/<key>/`` where ``key`` hashes
the generator version, the seed and the patient count. The directory is
assembled under a temporary name and renamed into place, so a reader never
sees a half-written database, and two processes building the same key at
once both end up using one complete copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any, Final, final

import msgspec

from arollout.errors import TaskError
from arollout.tasks.demo.vocab import ADMISSION_TYPES, DIAGNOSES, DRUGS, INSURANCES, LABS
from arollout.tasks.ehr.database import CURRENT_TIME, DB_FILENAME, default_cache_root
from arollout.tasks.ehr.tables import write_database

__all__ = (
    "CURRENT_TIME",
    "DB_FILENAME",
    "EhrDatabase",
    "GENERATOR_VERSION",
    "SCHEMA",
    "build_database",
    "database_key",
    "default_cache_root",
    "generate_rows",
)

GENERATOR_VERSION: Final = 1
"""Bump whenever the generated rows change, so old caches are not reused."""

SCHEMA: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "patients": (("subject_id", "INTEGER"), ("gender", "TEXT"), ("dob", "TEXT"), ("dod", "TEXT")),
    "admissions": (
        ("hadm_id", "INTEGER"),
        ("subject_id", "INTEGER"),
        ("admittime", "TEXT"),
        ("dischtime", "TEXT"),
        ("admission_type", "TEXT"),
        ("insurance", "TEXT"),
    ),
    "diagnoses_icd": (
        ("hadm_id", "INTEGER"),
        ("subject_id", "INTEGER"),
        ("icd_code", "TEXT"),
        ("charttime", "TEXT"),
    ),
    "d_icd_diagnoses": (("icd_code", "TEXT"), ("short_title", "TEXT")),
    "labevents": (
        ("subject_id", "INTEGER"),
        ("hadm_id", "INTEGER"),
        ("itemid", "INTEGER"),
        ("charttime", "TEXT"),
        ("valuenum", "REAL"),
        ("valueuom", "TEXT"),
    ),
    "d_labitems": (("itemid", "INTEGER"), ("label", "TEXT")),
    "prescriptions": (
        ("subject_id", "INTEGER"),
        ("hadm_id", "INTEGER"),
        ("startdate", "TEXT"),
        ("drug", "TEXT"),
        ("dose_val_rx", "TEXT"),
        ("dose_unit_rx", "TEXT"),
        ("route", "TEXT"),
    ),
}
"""Table -> ((column, SQLite type), ...), in creation order."""

_INDEXES = (
    ("admissions", "subject_id"),
    ("diagnoses_icd", "hadm_id"),
    ("diagnoses_icd", "icd_code"),
    ("labevents", "hadm_id"),
    ("labevents", "subject_id, itemid"),
    ("prescriptions", "subject_id"),
    ("prescriptions", "hadm_id"),
)

_START = dt.datetime(2100, 1, 1)
_NOW = dt.datetime.fromisoformat(CURRENT_TIME)
_FMT = "%Y-%m-%d %H:%M:%S"

Rows = dict[str, list[tuple[Any, ...]]]


@final
class EhrDatabase(msgspec.Struct, frozen=True, kw_only=True):
    """A built database directory: ``ehr.sqlite`` plus one CSV per table.

    Attributes:
        directory: the folder to mount read-only into sandboxes.
        key: the cache key (generator version, seed and size hashed).
        seed / patients: what it was generated from.
        row_counts: rows per table.
        sha256: digest of each file in the directory (for manifests and tests).
    """

    directory: str
    key: str
    seed: int
    patients: int
    row_counts: dict[str, int]
    sha256: dict[str, str]

    @property
    def sqlite_path(self) -> str:
        return str(Path(self.directory) / DB_FILENAME)


def database_key(seed: int, patients: int) -> str:
    """Stable cache key of a database (16 hex digits)."""
    text = f"ehr-demo|v{GENERATOR_VERSION}|seed={seed}|patients={patients}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_database(
    seed: int = 0, patients: int = 200, cache_dir: str | os.PathLike[str] | None = None
) -> EhrDatabase:
    """Return the database for ``(seed, patients)``, building it on first use.

    Args:
        seed: RNG seed; the same seed always gives the same bytes.
        patients: number of patients (>= 10).
        cache_dir: cache root; defaults to :func:`default_cache_root`.

    Raises:
        TaskError: invalid arguments, or the cache directory cannot be written.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TaskError(f"seed must be an int, got {seed!r}")
    if isinstance(patients, bool) or not isinstance(patients, int) or patients < 10:
        raise TaskError(f"patients must be an int >= 10, got {patients!r}")
    key = database_key(seed, patients)
    root = Path(cache_dir) if cache_dir is not None else default_cache_root()
    final_dir = root / "ehr-demo" / key
    manifest = final_dir / "manifest.json"
    if manifest.is_file():
        return msgspec.json.decode(manifest.read_bytes(), type=EhrDatabase)
    try:
        final_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=final_dir.parent))
    except OSError as exc:
        raise TaskError(
            f"cannot write the ehr-demo cache under {root}: {exc}; set AROLLOUT_CACHE or cache_dir"
        ) from exc
    try:
        rows = generate_rows(seed, patients)
        write_database(tmp, SCHEMA, rows, _INDEXES)
        digests = {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(tmp.iterdir())
        }
        db = EhrDatabase(
            directory=str(final_dir),
            key=key,
            seed=seed,
            patients=patients,
            row_counts={t: len(r) for t, r in rows.items()},
            sha256=digests,
        )
        (tmp / "manifest.json").write_bytes(msgspec.json.format(msgspec.json.encode(db)))
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700; sandboxes read it as another uid
        try:
            os.rename(tmp, final_dir)
        except OSError:
            if not manifest.is_file():  # not a lost race: a real failure
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return msgspec.json.decode(manifest.read_bytes(), type=EhrDatabase)


# -- generation ------------------------------------------------------------------------------


def _ts(value: dt.datetime) -> str:
    return value.strftime(_FMT)


def _weighted_sample(
    rng: random.Random, items: list[Any], weights: list[float], k: int
) -> list[Any]:
    """``k`` distinct items, drawn with probability proportional to weight."""
    pool, w = list(items), list(weights)
    chosen: list[Any] = []
    for _ in range(min(k, len(pool))):
        i = rng.choices(range(len(pool)), weights=w)[0]
        chosen.append(pool.pop(i))
        w.pop(i)
    return chosen


def _admission_windows(rng: random.Random, count: int) -> list[tuple[dt.datetime, dt.datetime]]:
    """Non-overlapping stays between 2100 and shortly before the fixed "now"."""
    span_min = int((_NOW - _START).total_seconds() // 60) - 60 * 24 * 40
    starts = sorted(rng.randrange(span_min) for _ in range(count))
    windows: list[tuple[dt.datetime, dt.datetime]] = []
    earliest = _START
    for offset in starts:
        admit = max(_START + dt.timedelta(minutes=offset), earliest)
        los_hours = min(24 * 60, max(6.0, rng.lognormvariate(math.log(24 * 4.5), 0.7)))
        disch = admit + dt.timedelta(minutes=int(los_hours * 60))
        if disch >= _NOW - dt.timedelta(days=1):
            break
        windows.append((admit, disch))
        earliest = disch + dt.timedelta(days=rng.randint(2, 120))
    return windows


def generate_rows(seed: int, patients: int) -> Rows:
    """Generate every table's rows for ``(seed, patients)`` (pure and deterministic)."""
    rng = random.Random(f"ehr-demo/{GENERATOR_VERSION}/{seed}")
    rows: Rows = {table: [] for table in SCHEMA}
    rows["d_icd_diagnoses"] = [(d.icd_code, d.short_title) for d in DIAGNOSES]
    rows["d_labitems"] = [(lab.itemid, lab.label) for lab in LABS]
    dx_codes, dx_weights = [d.icd_code for d in DIAGNOSES], [d.weight for d in DIAGNOSES]
    drug_weights = [d.weight for d in DRUGS]
    subject_ids = sorted(rng.sample(range(10_000, 99_999), patients))
    hadm_ids = iter(sorted(rng.sample(range(100_000, 199_999), patients * 8)))
    for subject_id in subject_ids:
        windows = _admission_windows(
            rng, rng.choices((1, 2, 3, 4, 5, 6), (40, 25, 15, 10, 6, 4))[0]
        )
        if not windows:
            windows = _admission_windows(rng, 1) or [(_START, _START + dt.timedelta(days=3))]
        age_years = rng.uniform(20, 92)
        dob = (windows[0][0] - dt.timedelta(days=age_years * 365.25)).replace(
            hour=0, minute=0, second=0
        )
        dod: str | None = None
        if rng.random() < 0.18:
            death = windows[-1][1] + dt.timedelta(days=rng.choice((0, 0, rng.randint(1, 900))))
            if death < _NOW:
                dod = _ts(death.replace(hour=0, minute=0, second=0))
        rows["patients"].append(
            (subject_id, rng.choices(("M", "F"), (0.55, 0.45))[0], _ts(dob), dod)
        )
        chronic_dx = _weighted_sample(rng, dx_codes, dx_weights, rng.randint(0, 3))
        chronic_rx = _weighted_sample(rng, list(DRUGS), drug_weights, rng.randint(1, 4))
        bias = {lab.itemid: rng.gauss(0.0, 0.5 * lab.sd) for lab in LABS}
        insurance = rng.choices([i for i, _ in INSURANCES], [w for _, w in INSURANCES])[0]
        for admit, disch in windows:
            hadm_id = next(hadm_ids)
            kind = rng.choices([a for a, _ in ADMISSION_TYPES], [w for _, w in ADMISSION_TYPES])[0]
            rows["admissions"].append(
                (hadm_id, subject_id, _ts(admit), _ts(disch), kind, insurance)
            )
            stay_min = max(60, int((disch - admit).total_seconds() // 60))
            codes = list(chronic_dx)
            codes += [
                c
                for c in _weighted_sample(rng, dx_codes, dx_weights, rng.randint(1, 7))
                if c not in codes
            ]
            rows["diagnoses_icd"] += [(hadm_id, subject_id, code, _ts(admit)) for code in codes]
            for lab in LABS:
                if rng.random() >= lab.weight:
                    continue
                for _ in range(rng.randint(1, min(8, 1 + stay_min // (60 * 24)))):
                    when = admit + dt.timedelta(minutes=rng.randrange(stay_min))
                    raw = rng.gauss(lab.mean + bias[lab.itemid], 0.7 * lab.sd)
                    value: float | None = round(min(lab.high, max(lab.low, raw)), lab.decimals)
                    if rng.random() < 0.01:
                        value = None  # a lost specimen: real tables have NULL values
                    rows["labevents"].append(
                        (subject_id, hadm_id, lab.itemid, _ts(when), value, lab.unit)
                    )
            acute = _weighted_sample(rng, list(DRUGS), drug_weights, rng.randint(1, 6))
            stay_drugs = [d for d in chronic_rx if rng.random() < 0.85] + [
                d for d in acute if d not in chronic_rx
            ]
            for drug in stay_drugs:
                for _ in range(rng.choices((1, 2, 3), (60, 28, 12))[0]):
                    start = admit + dt.timedelta(minutes=rng.randrange(stay_min))
                    dose, route = rng.choice(drug.doses), rng.choice(drug.routes)
                    rows["prescriptions"].append(
                        (subject_id, hadm_id, _ts(start), drug.name, dose, drug.unit, route)
                    )
    rows["labevents"].sort(key=lambda r: (r[1], r[3], r[2]))
    rows["prescriptions"].sort(key=lambda r: (r[1], r[2], r[3]))
    return rows
