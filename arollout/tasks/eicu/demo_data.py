"""Reading the eICU-CRD Demo 2.0 tables (the raw input of the ``eicu-demo`` suite).

The demo (PhysioNet, https://physionet.org/content/eicu-crd-demo/2.0/, ODbL
v1.0; Pollard et al., Sci Data 5:180178, 2018) has one ``<table>.csv.gz`` per
table with lower-case headers, empty fields for NULL, integer minute offsets
and ``HH:MM:SS`` clock times. Only the columns the EHRSQL schema is built from
(:data:`~arollout.tasks.eicu.schema.RAW_COLUMNS`) are read, typed as they are
in the source tables. The data are never part of this repository: a user
points ``data_dir`` at a copy (``arollout data fetch eicu-demo`` downloads
one), and the error says so when the folder is missing.

``lab`` and ``vitalperiodic`` are not read (the shared copy lacks them; see
``notes/data-sources.md`` §1.2): :mod:`~arollout.tasks.eicu.signals` writes
synthetic rows for them instead.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from arollout.errors import TaskError
from arollout.tasks.eicu.schema import RAW_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Callable

    from arollout.tasks.eicu.schema import RawTables

__all__ = (
    "DEMO_DIRNAME",
    "DEMO_ROW_COUNTS",
    "DEMO_TABLES",
    "default_demo_dir",
    "demo_digest",
    "read_demo",
    "require_demo",
)

DEMO_DIRNAME: Final = "eicu-demo-2.0"

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

_FETCH_HINT: Final = (
    "run 'arollout data fetch eicu-demo' to download it (PhysioNet, open access, ODbL), "
    "or pass the option data_dir=<folder holding patient.csv.gz, diagnosis.csv.gz, ...>"
)


def default_demo_dir() -> Path:
    """Where ``arollout data fetch eicu-demo`` puts the demo.

    ``$AROLLOUT_DATA/eicu-demo-2.0`` when ``AROLLOUT_DATA`` is set, else
    ``eicu-demo-2.0`` under the arollout cache (``$AROLLOUT_CACHE/data`` or
    ``~/.cache/arollout/data``).
    """
    data = os.environ.get("AROLLOUT_DATA")
    if data:
        return Path(data) / DEMO_DIRNAME
    cache = os.environ.get("AROLLOUT_CACHE")
    root = Path(cache) if cache else Path.home() / ".cache" / "arollout"
    return root / "data" / DEMO_DIRNAME


def require_demo(data_dir: str | os.PathLike[str] | None) -> Path:
    """The demo folder to read, or a :class:`TaskError` that says how to get one."""
    folder = Path(data_dir) if data_dir is not None else default_demo_dir()
    missing = [t for t in DEMO_TABLES if not (folder / f"{t}.csv.gz").is_file()]
    if missing:
        what = "is missing" if not folder.is_dir() else f"lacks {', '.join(missing)} (.csv.gz)"
        raise TaskError(f"the eICU-CRD demo 2.0 folder {str(folder)!r} {what}; {_FETCH_HINT}")
    return folder


def demo_digest(folder: Path) -> str:
    """SHA-256 over the source files read, so another copy gets another cache key."""
    digest = hashlib.sha256()
    for table in DEMO_TABLES:
        digest.update(table.encode())
        digest.update(hashlib.sha256((folder / f"{table}.csv.gz").read_bytes()).digest())
    return digest.hexdigest()


def _parser(column: str) -> Callable[[str], Any]:
    if column in _INTEGER:
        return lambda v: int(v) if v else None
    if column in _REAL:
        return lambda v: float(v) if v else None
    return lambda v: v or None


def _read_table(path: Path, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
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
            tables[table] = _read_table(folder / f"{table}.csv.gz", RAW_COLUMNS[table])
        except (OSError, EOFError, csv.Error, UnicodeDecodeError) as exc:
            raise TaskError(f"cannot read {folder / table}.csv.gz: {exc}; {_FETCH_HINT}") from exc
    return tables
