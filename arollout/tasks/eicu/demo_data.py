"""Reading the eICU-CRD Demo 2.0 tables (the raw input of the ``eicu-demo`` suite).

The demo (PhysioNet, https://physionet.org/content/eicu-crd-demo/2.0/, ODbL
v1.0; Pollard et al., Sci Data 5:180178, 2018) has one ``<table>.csv.gz`` per
table with lower-case headers, empty fields for NULL, integer minute offsets
and ``HH:MM:SS`` clock times. Only the columns the EHRSQL schema is built from
(:data:`~arollout.tasks.eicu.schema.RAW_COLUMNS`) are read, typed as they are
in the source tables. The data are never part of this repository: a user
points ``data_dir`` at a copy or installs one with ``arollout data fetch
eicu-demo`` (:mod:`arollout.data`), and the error says so when it is missing.

``lab`` and ``vitalperiodic`` are not read (the shared copy lacks them; see
``notes/data-sources.md`` §1.2): :mod:`~arollout.tasks.eicu.signals` writes
synthetic rows for them instead.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from arollout.data.sources import DataMissingError, dataset_dir
from arollout.errors import TaskError
from arollout.tasks.eicu.schema import RAW_COLUMNS

if TYPE_CHECKING:
    import os
    from collections.abc import Callable

    from arollout.tasks.eicu.schema import RawTables

__all__ = (
    "DEMO_DATASET",
    "DEMO_ROW_COUNTS",
    "DEMO_TABLES",
    "demo_digest",
    "read_demo",
    "require_demo",
    "source_file",
)

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
