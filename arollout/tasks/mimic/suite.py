"""The ``mimic-iii`` and ``mimic-iii-demo`` suites: EHRSQL-style questions on MIMIC-III.

``mimic-iii`` runs anywhere: by default its database is the seeded synthetic
hospital (:mod:`.synthetic`), and ``source=demo`` switches it to the
database built from the MIMIC-III demo. ``mimic-iii-demo`` is the demo-built
database only, and says how to fetch the demo when it is not installed.
Both are :class:`~arollout.tasks.ehr.suite.EhrSuite` instances over the same
schema and templates; their task ids differ by suite name and database key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from arollout.errors import ConfigError
from arollout.tasks.ehr.suite import EhrSuite, SuiteSpec
from arollout.tasks.mimic.build import build_demo, build_synthetic
from arollout.tasks.mimic.schema import SCHEMA
from arollout.tasks.mimic.templates import TEMPLATES
from arollout.tasks.registry import int_option, path_option, root_option

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = (
    "DEFAULT_PATIENTS",
    "DEFAULT_PER_CATEGORY",
    "NOTES",
    "make_demo_suite",
    "make_suite",
    "mimic_spec",
)

DEFAULT_PATIENTS: Final = 1000
DEFAULT_PER_CATEGORY: Final = 300
INSTANCE_VERSION: Final = 3
"""Bump whenever the templates or the instance rules change (keys the task cache)."""

NOTES: Final = (
    "Strings are stored in lower case (e.g. 'emergency',\n"
    "'heart rate'). Lab test labels are in d_labitems.label; vital-sign, intake and output item labels\n"
    "in d_items.label (d_items.linksto names the table); diagnosis and procedure titles in\n"
    "d_icd_diagnoses / d_icd_procedures (short_title, long_title); drug names in prescriptions.drug.\n"
    "cost holds one charge per diagnosis, procedure, lab test and prescription (event_type names the\n"
    "table, event_id its row_id). An admission with a NULL dischtime is the patient's current one;\n"
    "an ICU stay with a NULL outtime is still going on. "
)


def mimic_spec(name: str, data_root: str) -> SuiteSpec:
    """The MIMIC-III-schema suite description under another name (used by derived suites)."""
    return SuiteSpec(
        name=name,
        schema=SCHEMA,
        templates=TEMPLATES,
        data_root=data_root,
        notes=NOTES,
        version=INSTANCE_VERSION,
        search_cap=20_000,
    )


def make_suite(options: Mapping[str, Any]) -> EhrSuite:
    """``mimic-iii``: options ``source`` (synthetic|demo), ``patients``, ``seed``,
    ``per_category``, ``data_dir`` (demo folder), ``cache_dir``, ``data_root``."""
    source = options.get("source", "synthetic")
    if source not in ("synthetic", "demo"):
        raise ConfigError(f"option 'source' must be 'synthetic' or 'demo', got {source!r}")
    seed = int_option(options, "seed", 0, minimum=0)
    per_category = int_option(options, "per_category", DEFAULT_PER_CATEGORY, minimum=1)
    cache_dir = path_option(options, "cache_dir")
    data_root = root_option(options, "data_root", "/data/mimic-iii")
    if source == "demo":
        data_dir = path_option(options, "data_dir")
        return EhrSuite(
            mimic_spec("mimic-iii", data_root),
            lambda: build_demo(data_dir, seed=seed, cache_dir=cache_dir),
            per_category=per_category,
            options={"source": "demo", "seed": seed},
        )
    patients = int_option(options, "patients", DEFAULT_PATIENTS, minimum=10)
    return EhrSuite(
        mimic_spec("mimic-iii", data_root),
        lambda: build_synthetic(seed, patients, cache_dir),
        per_category=per_category,
        options={"source": "synthetic", "seed": seed, "patients": patients},
    )


def make_demo_suite(options: Mapping[str, Any]) -> EhrSuite:
    """``mimic-iii-demo``: options ``data_dir``, ``seed``, ``per_category``,
    ``cache_dir``, ``data_root``. Needs the MIMIC-III demo (see ``arollout data fetch``)."""
    seed = int_option(options, "seed", 0, minimum=0)
    per_category = int_option(options, "per_category", DEFAULT_PER_CATEGORY, minimum=1)
    cache_dir = path_option(options, "cache_dir")
    data_dir = path_option(options, "data_dir")
    data_root = root_option(options, "data_root", "/data/mimic-iii-demo")
    return EhrSuite(
        mimic_spec("mimic-iii-demo", data_root),
        lambda: build_demo(data_dir, seed=seed, cache_dir=cache_dir),
        per_category=per_category,
        options={"seed": seed},
    )
