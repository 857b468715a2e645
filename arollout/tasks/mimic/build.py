"""Building the MIMIC-III databases (synthetic or from the demo) into the cache.

Both builders write the same EHRSQL schema (:mod:`.schema`) through the EHR
framework's :func:`~arollout.tasks.ehr.build_cached`, so one set of templates
serves both. The demo-built database is keyed by the demo files' digests as
well as the seed, so a different copy of the demo never reuses a stale build.
:func:`find_demo` resolves where the demo folder is: an explicit path, else
``$AROLLOUT_DATA/mimic-iii-demo-1.4``, else the folder ``arollout data fetch
mimic-iii-demo`` installs to.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Final

from arollout.data import DataMissingError, dataset_dir
from arollout.errors import TaskError
from arollout.tasks.ehr.database import build_cached
from arollout.tasks.ehr.tables import write_database
from arollout.tasks.mimic.demo_source import DEMO_TABLES, DEMO_VERSION, demo_rows, source_file
from arollout.tasks.mimic.schema import INDEXES, SCHEMA
from arollout.tasks.mimic.synthetic import SYNTHETIC_VERSION, generate

if TYPE_CHECKING:
    import os

    from arollout.tasks.ehr.database import EhrDatabase

__all__ = (
    "DEMO_DATASET",
    "DEMO_FAMILY",
    "SYNTHETIC_FAMILY",
    "build_demo",
    "build_synthetic",
    "find_demo",
)

SYNTHETIC_FAMILY: Final = "mimic-iii-synthetic"
DEMO_FAMILY: Final = "mimic-iii-demo"
DEMO_DATASET: Final = "mimic-iii-demo"
"""The name ``arollout data fetch`` knows the demo by."""


def _layout() -> str:
    """A digest of the schema and indexes: a changed layout is a new database."""
    blob = repr((sorted(SCHEMA.items()), INDEXES)).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def build_synthetic(
    seed: int = 0, patients: int = 1000, cache_dir: str | os.PathLike[str] | None = None
) -> EhrDatabase:
    """The synthetic MIMIC-III database for ``(seed, patients)``, built on first use."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise TaskError(f"seed must be an int >= 0, got {seed!r}")
    if isinstance(patients, bool) or not isinstance(patients, int) or patients < 10:
        raise TaskError(f"patients must be an int >= 10, got {patients!r}")

    def write(directory: Path) -> dict[str, int]:
        return write_database(directory, SCHEMA, generate(seed, patients), INDEXES)

    return build_cached(
        SYNTHETIC_FAMILY,
        SYNTHETIC_VERSION,
        {"seed": seed, "patients": patients, "layout": _layout()},
        write,
        cache_dir,
    )


def find_demo(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The MIMIC-III demo folder, or a :class:`~arollout.data.DataMissingError`
    that names ``arollout data fetch mimic-iii-demo``."""
    if data_dir is not None:
        path = Path(data_dir)
        try:
            source_file(path, "ADMISSIONS")
        except TaskError:
            raise DataMissingError(
                DEMO_DATASET, f"{path} holds no MIMIC-III demo tables (ADMISSIONS.csv[.gz])"
            ) from None
        return path
    return dataset_dir(DEMO_DATASET)


def _digest(data_dir: Path) -> str:
    """One digest over the source files the builder reads (name and bytes)."""
    h = hashlib.sha256()
    for table in DEMO_TABLES:
        path = source_file(data_dir, table)
        h.update(path.name.encode())
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


def build_demo(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    seed: int = 0,
    cache_dir: str | os.PathLike[str] | None = None,
) -> EhrDatabase:
    """The EHRSQL-schema database built from the MIMIC-III demo, on first use.

    Raises:
        DataMissingError: the demo folder is not there (the message says how
            to fetch it).
    """
    source = find_demo(data_dir)
    params = {"seed": seed, "source": _digest(source), "layout": _layout()}

    def write(directory: Path) -> dict[str, int]:
        return write_database(directory, SCHEMA, demo_rows(source, seed=seed), INDEXES)

    return build_cached(DEMO_FAMILY, DEMO_VERSION, params, write, cache_dir)
