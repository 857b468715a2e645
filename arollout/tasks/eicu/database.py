"""The two eICU databases: where their raw rows come from, and building them into the cache.

Both go through the EHR framework's :func:`~arollout.tasks.ehr.database.build_cached`
(one directory per family, version and parameters, built once, atomically)
and :func:`~arollout.tasks.ehr.tables.write_database` (``ehr.sqlite`` plus
one CSV per table):

* ``eicu-synthetic``: :func:`~arollout.tasks.eicu.synthetic.generate_raw` for
  ``(seed, patients)``; needs nothing but the standard library.
* ``eicu-demo``: the eICU-CRD Demo 2.0 tables read from ``data_dir``, with
  synthetic ``lab`` and ``vitalperiodic`` rows for its stays; keyed by the
  SHA-256 of the source files, so another copy of the demo is another database.

The demo (PhysioNet, https://physionet.org/content/eicu-crd-demo/2.0/, ODbL
v1.0; Pollard et al., Sci Data 5:180178, 2018) has one ``<table>.csv.gz`` per
table with lower-case headers, empty fields for NULL, integer minute offsets
and ``HH:MM:SS`` clock times. Only the columns the EHRSQL schema is built from
(:data:`~arollout.tasks.eicu.schema.RAW_COLUMNS`) are read, typed as in the
source tables. The data are never part of this repository: a user points
``data_dir`` at a copy or installs one with ``arollout data fetch eicu-demo``
(:mod:`arollout.data`), and the error says so when it is missing. The shared
copy lacks ``lab`` and ``vitalperiodic`` (``notes/data-sources.md`` §1.2), so
:mod:`~arollout.tasks.eicu.signals` writes synthetic rows for them.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from arollout.data.sources import DataMissingError, dataset_dir
from arollout.errors import TaskError
from arollout.tasks.ehr.database import build_cached
from arollout.tasks.ehr.tables import write_database
from arollout.tasks.eicu.convert import convert, keep_patient
from arollout.tasks.eicu.schema import INDEXES, RAW_COLUMNS, SCHEMA
from arollout.tasks.eicu.signals import Stay, lab_rows, vital_rows
from arollout.tasks.eicu.synthetic import SYNTHETIC_VERSION, generate_raw

if TYPE_CHECKING:
    import os
    from collections.abc import Callable

    from arollout.tasks.ehr.database import EhrDatabase
    from arollout.tasks.eicu.schema import RawTables, Rows

__all__ = (
    "DEMO_DATASET",
    "DEMO_FAMILY",
    "DEMO_ROW_COUNTS",
    "DEMO_TABLES",
    "SYNTHETIC_FAMILY",
    "VERSION",
    "build_demo",
    "build_synthetic",
    "demo_digest",
    "demo_rows",
    "read_demo",
    "require_demo",
    "source_file",
    "synthetic_rows",
)

VERSION: Final = 1
"""The conversion's version; bump it whenever the rows built from the same input change."""

SYNTHETIC_FAMILY: Final = "eicu-synthetic"
DEMO_FAMILY: Final = "eicu-demo"

_P = {name: i for i, name in enumerate(RAW_COLUMNS["patient"])}


# -- the demo source -------------------------------------------------------------------

DEMO_DATASET: Final = "eicu-demo"
"""The name of the demo in :data:`arollout.data.DATASETS` (``arollout data fetch eicu-demo``)."""

DEMO_TABLES: Final = (
    "patient",
    "diagnosis",
    "treatment",
    "medication",
    "allergy",
    "intakeoutput",
    "microlab",
)
"""The demo tables the EHRSQL schema is built from (``lab``/``vitalperiodic`` are synthetic)."""

DEMO_ROW_COUNTS: Final[dict[str, int]] = {
    "patient": 2520,
    "diagnosis": 24978,
    "treatment": 38290,
    "medication": 75604,
    "allergy": 2475,
    "intakeoutput": 100466,
    "microlab": 342,
}
"""Rows per source table in the demo release (its README); a mismatch means another copy."""

_INTEGER: Final = frozenset(
    {
        "patientunitstayid",
        "patienthealthsystemstayid",
        "hospitalid",
        "wardid",
        "hospitaladmitoffset",
        "hospitaldischargeyear",
        "hospitaldischargeoffset",
        "unitdischargeoffset",
        "diagnosisoffset",
        "treatmentoffset",
        "drugstartoffset",
        "drugstopoffset",
        "allergyoffset",
        "intakeoutputoffset",
        "culturetakenoffset",
    }
)
_REAL: Final = frozenset(
    {"admissionheight", "admissionweight", "dischargeweight", "cellvaluenumeric"}
)


def source_file(folder: Path, table: str) -> Path:
    """``<table>.csv.gz`` in ``folder``, or ``<table>.csv`` where only that exists."""
    packed = folder / f"{table}.csv.gz"
    plain = folder / f"{table}.csv"
    return plain if not packed.is_file() and plain.is_file() else packed


def require_demo(data_dir: str | os.PathLike[str] | None) -> Path:
    """The demo folder to read: ``data_dir``, else the installed ``eicu-demo`` dataset.

    Raises:
        DataMissingError: the folder lacks a table (the message names
            ``arollout data fetch eicu-demo``).
    """
    if data_dir is None:
        return dataset_dir(DEMO_DATASET)
    folder = Path(data_dir)
    missing = [t for t in DEMO_TABLES if not source_file(folder, t).is_file()]
    if missing:
        detail = f"{folder} lacks {', '.join(f'{t}.csv.gz' for t in missing)}"
        raise DataMissingError(DEMO_DATASET, detail)
    return folder


def demo_digest(folder: Path) -> str:
    """SHA-256 over the source files read, so another copy gets another cache key."""
    digest = hashlib.sha256()
    for table in DEMO_TABLES:
        digest.update(table.encode())
        digest.update(hashlib.sha256(source_file(folder, table).read_bytes()).digest())
    return digest.hexdigest()


def _parser(column: str) -> Callable[[str], Any]:
    if column in _INTEGER:
        return lambda v: int(v) if v else None
    if column in _REAL:
        return lambda v: float(v) if v else None
    return lambda v: v or None


def _read_table(path: Path, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        try:
            positions = [header.index(c) for c in columns]
        except ValueError as exc:
            raise TaskError(f"{path} lacks an expected column: {exc}") from None
        parsers = [_parser(c) for c in columns]
        pairs = list(zip(positions, parsers, strict=True))
        return [tuple(parse(row[i]) for i, parse in pairs) for row in reader]


def read_demo(folder: Path) -> RawTables:
    """Read the demo tables of :data:`DEMO_TABLES` from ``folder`` (see :func:`require_demo`).

    Raises:
        TaskError: a file is unreadable, or lacks a column the schema needs.
    """
    tables: RawTables = {}
    for table in DEMO_TABLES:
        try:
            path = source_file(folder, table)
            tables[table] = _read_table(path, RAW_COLUMNS[table])
        except (OSError, EOFError, csv.Error, UnicodeDecodeError) as exc:
            raise TaskError(
                f"cannot read {path}: {exc}; 'arollout data fetch {DEMO_DATASET}' installs a "
                "verified copy"
            ) from exc
    return tables


# -- building ----------------------------------------------------------------------------


def synthetic_rows(seed: int, patients: int) -> Rows:
    """The synthetic database's tables (pure and deterministic)."""
    return convert(generate_raw(seed, patients), seed)


def demo_rows(raw: RawTables, seed: int) -> Rows:
    """The demo database's tables from the demo's raw tables.

    ``lab`` and ``vitalperiodic`` rows are generated for every stay that
    passes the patient filter (they are synthetic; the demo lacks them).
    """
    stays = [
        Stay(r[_P["patientunitstayid"]], r[_P["hospitaladmitoffset"]], r[_P["unitdischargeoffset"]])
        for r in raw["patient"]
        if keep_patient(r)
    ]
    filled = {**raw, "lab": lab_rows(seed, stays), "vitalperiodic": vital_rows(seed, stays)}
    return convert(filled, seed)


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise TaskError(f"seed must be an int >= 0, got {seed!r}")


def build_synthetic(
    seed: int = 0, patients: int = 1000, cache_dir: str | os.PathLike[str] | None = None
) -> EhrDatabase:
    """The synthetic eICU database for ``(seed, patients)``, built on first use."""
    _check_seed(seed)
    if isinstance(patients, bool) or not isinstance(patients, int) or patients < 20:
        raise TaskError(f"patients must be an int >= 20, got {patients!r}")

    def write(directory: Path) -> dict[str, int]:
        return write_database(directory, SCHEMA, synthetic_rows(seed, patients), INDEXES)

    params = {"seed": seed, "patients": patients, "synthetic": SYNTHETIC_VERSION}
    return build_cached(SYNTHETIC_FAMILY, VERSION, params, write, cache_dir)


def build_demo(
    data_dir: str | os.PathLike[str] | None = None,
    seed: int = 0,
    cache_dir: str | os.PathLike[str] | None = None,
) -> EhrDatabase:
    """The eICU demo database (real demo tables + synthetic labs/vitals), built on first use.

    Raises:
        TaskError: the demo folder is missing or incomplete; the message names
            ``arollout data fetch eicu-demo``.
    """
    _check_seed(seed)
    folder = require_demo(data_dir)

    def write(directory: Path) -> dict[str, int]:
        return write_database(directory, SCHEMA, demo_rows(read_demo(folder), seed), INDEXES)

    params = {"seed": seed, "source_sha256": demo_digest(folder), "synthetic": SYNTHETIC_VERSION}
    return build_cached(DEMO_FAMILY, VERSION, params, write, cache_dir)
