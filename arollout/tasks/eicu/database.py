"""Building the two eICU databases into the cache (synthetic and demo).

Both go through the EHR framework's :func:`~arollout.tasks.ehr.database.build_cached`
(one directory per family, version and parameters, built once, atomically)
and :func:`~arollout.tasks.ehr.tables.write_database` (``ehr.sqlite`` plus
one CSV per table):

* ``eicu-synthetic``: :func:`~arollout.tasks.eicu.synthetic.generate_raw` for
  ``(seed, patients)``; needs nothing but the standard library.
* ``eicu-demo``: the eICU-CRD Demo 2.0 tables read from ``data_dir``, with
  synthetic ``lab`` and ``vitalperiodic`` rows for its stays; keyed by the
  SHA-256 of the source files, so another copy of the demo is another database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.errors import TaskError
from arollout.tasks.ehr.database import build_cached
from arollout.tasks.ehr.tables import write_database
from arollout.tasks.eicu.convert import convert, keep_patient
from arollout.tasks.eicu.demo_data import demo_digest, read_demo, require_demo
from arollout.tasks.eicu.schema import INDEXES, RAW_COLUMNS, SCHEMA
from arollout.tasks.eicu.signals import Stay, lab_rows, vital_rows
from arollout.tasks.eicu.synthetic import SYNTHETIC_VERSION, generate_raw

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from arollout.tasks.ehr.database import EhrDatabase
    from arollout.tasks.eicu.schema import RawTables, Rows

__all__ = (
    "DEMO_FAMILY",
    "SYNTHETIC_FAMILY",
    "VERSION",
    "build_demo",
    "build_synthetic",
    "demo_rows",
    "synthetic_rows",
)

VERSION: Final = 1
"""The conversion's version; bump it whenever the rows built from the same input change."""

SYNTHETIC_FAMILY: Final = "eicu-synthetic"
DEMO_FAMILY: Final = "eicu-demo"

_P = {name: i for i, name in enumerate(RAW_COLUMNS["patient"])}


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
