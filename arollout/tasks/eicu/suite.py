"""The ``eicu`` and ``eicu-demo`` suites: EHRSQL-style questions over eICU databases.

Both are thin instances of the EHR framework's
:class:`~arollout.tasks.ehr.suite.EhrSuite` with the same templates
(:data:`TEMPLATES`); they differ in the database:

* ``eicu`` (the default): the seeded synthetic database
  (:func:`~arollout.tasks.eicu.database.build_synthetic`), no download;
* ``eicu-demo``: the eICU-CRD Demo 2.0 (ODbL) from ``data_dir``, with
  synthetic ``lab``/``vitalperiodic`` rows, which the demo lacks; building
  it without the demo raises an error that says how to fetch it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, final

from arollout.tasks.ehr.database import EhrDatabase
from arollout.tasks.ehr.suite import EhrSuite, SuiteSpec
from arollout.tasks.eicu.database import build_demo, build_synthetic
from arollout.tasks.eicu.schema import SCHEMA
from arollout.tasks.eicu.templates_charts import CHART_TEMPLATES
from arollout.tasks.eicu.templates_events import EVENT_TEMPLATES
from arollout.tasks.eicu.templates_labs import LAB_TEMPLATES
from arollout.tasks.eicu.templates_orders import ORDER_TEMPLATES
from arollout.tasks.eicu.templates_stays import STAY_TEMPLATES

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from arollout.tasks.base import Suite

__all__ = (
    "DEFAULT_PATIENTS",
    "DEFAULT_PER_CATEGORY",
    "DEMO_DATA_ROOT",
    "DEMO_SPEC",
    "SYNTHETIC_DATA_ROOT",
    "SYNTHETIC_SPEC",
    "TASKS_VERSION",
    "TEMPLATES",
    "EicuDemoSuite",
    "EicuSuite",
    "make_demo_suite",
    "make_suite",
)

TEMPLATES: Final = (
    *STAY_TEMPLATES,
    *EVENT_TEMPLATES,
    *ORDER_TEMPLATES,
    *LAB_TEMPLATES,
    *CHART_TEMPLATES,
)
"""Every eICU template, in the suite's stable order."""

TASKS_VERSION: Final = 1
"""The instance generator's version (templates, samplers); bump it whenever the
tasks built from the same database change, so cached task lists are rebuilt."""

DEFAULT_PATIENTS: Final = 1000
DEFAULT_PER_CATEGORY: Final = 250
SYNTHETIC_DATA_ROOT: Final = "/data/eicu"
DEMO_DATA_ROOT: Final = "/data/eicu-demo"

_NOTES: Final = (
    "uniquepid identifies a patient, patienthealthsystemstayid a\n"
    "hospital stay and patientunitstayid an ICU unit stay (every event table refers to it). Strings\n"
    "are stored lower-case; names are matched exactly as stored (diagnosis.diagnosisname,\n"
    "treatment.treatmentname, medication.drugname, lab.labname, intakeoutput.celllabel). "
)
_SYNTHETIC_NOTES: Final = _NOTES + "All rows are synthetic. "
_DEMO_NOTES: Final = _NOTES + (
    "The data come from the eICU-CRD Demo 2.0 (ODbL), with\n"
    "invented dates; the lab, vitalperiodic and cost tables are synthetic. "
)

SYNTHETIC_SPEC: Final = SuiteSpec(
    name="eicu",
    schema=SCHEMA,
    templates=TEMPLATES,
    data_root=SYNTHETIC_DATA_ROOT,
    notes=_SYNTHETIC_NOTES,
    version=TASKS_VERSION,
)
DEMO_SPEC: Final = SuiteSpec(
    name="eicu-demo",
    schema=SCHEMA,
    templates=TEMPLATES,
    data_root=DEMO_DATA_ROOT,
    notes=_DEMO_NOTES,
    version=TASKS_VERSION,
)


@final
class EicuSuite(EhrSuite):
    """eICU-style questions over a seeded synthetic eICU database.

    Args:
        seed: generator seed; the same seed gives the same database and tasks.
        patients: number of synthetic persons (about 1.35 ICU stays each).
        per_category: the most tasks per category (before splitting).
        cache_dir: cache root (default ``$AROLLOUT_CACHE`` or ``~/.cache/arollout``).
        data_root: where sandboxes see the database directory.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        patients: int = DEFAULT_PATIENTS,
        per_category: int = DEFAULT_PER_CATEGORY,
        cache_dir: str | os.PathLike[str] | None = None,
        data_root: str = SYNTHETIC_DATA_ROOT,
    ) -> None:
        super().__init__(
            SYNTHETIC_SPEC,
            lambda: build_synthetic(seed, patients, cache_dir),
            per_category=per_category,
            data_root=data_root,
            options={"seed": seed, "patients": patients},
        )

    @property
    def database(self) -> EhrDatabase:
        """The built database (built on first access)."""
        db = super().database
        assert isinstance(db, EhrDatabase)
        return db


@final
class EicuDemoSuite(EhrSuite):
    """eICU-style questions over the eICU-CRD Demo 2.0.

    Args:
        data_dir: the demo folder (``patient.csv.gz``, ...); default where
            ``arollout data fetch eicu-demo`` puts it.
        seed: seed of the calendar shift and of the synthetic lab, vital and cost rows.
        per_category: the most tasks per category (before splitting).
        cache_dir: cache root (default ``$AROLLOUT_CACHE`` or ``~/.cache/arollout``).
        data_root: where sandboxes see the database directory.

    The demo is looked up when the database is first needed (``tasks()``,
    ``mounts()``), so listing or configuring suites works without it; then a
    missing or incomplete folder raises
    :class:`~arollout.data.DataMissingError`, which names
    ``arollout data fetch eicu-demo``.
    """

    def __init__(
        self,
        *,
        data_dir: str | os.PathLike[str] | None = None,
        seed: int = 0,
        per_category: int = DEFAULT_PER_CATEGORY,
        cache_dir: str | os.PathLike[str] | None = None,
        data_root: str = DEMO_DATA_ROOT,
    ) -> None:
        super().__init__(
            DEMO_SPEC,
            lambda: build_demo(data_dir, seed, cache_dir),
            per_category=per_category,
            data_root=data_root,
            options={"seed": seed},
        )

    @property
    def database(self) -> EhrDatabase:
        """The built database (built on first access)."""
        db = super().database
        assert isinstance(db, EhrDatabase)
        return db


def make_suite(options: Mapping[str, Any]) -> Suite:
    """Registry factory of ``eicu``."""
    from arollout.tasks.registry import int_option, path_option, root_option

    return EicuSuite(
        seed=int_option(options, "seed", 0, minimum=0),
        patients=int_option(options, "patients", DEFAULT_PATIENTS, minimum=20),
        per_category=int_option(options, "per_category", DEFAULT_PER_CATEGORY, minimum=1),
        cache_dir=path_option(options, "cache_dir"),
        data_root=root_option(options, "data_root", SYNTHETIC_DATA_ROOT),
    )


def make_demo_suite(options: Mapping[str, Any]) -> Suite:
    """Registry factory of ``eicu-demo``."""
    from arollout.tasks.registry import int_option, path_option, root_option

    return EicuDemoSuite(
        data_dir=path_option(options, "data_dir"),
        seed=int_option(options, "seed", 0, minimum=0),
        per_category=int_option(options, "per_category", DEFAULT_PER_CATEGORY, minimum=1),
        cache_dir=path_option(options, "cache_dir"),
        data_root=root_option(options, "data_root", DEMO_DATA_ROOT),
    )
