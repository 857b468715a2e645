"""The ``treqs`` suite: MIMICSQL-style questions on the five TREQS tables.

The database is derived from a MIMIC-III-schema database (:mod:`.build`):
the seeded synthetic hospital by default (runs anywhere), or the one built
from the MIMIC-III demo with ``source=demo``. Answers are recomputed by
executing the gold SQL on that database, never copied from MedAgentGym's
TREQS answers (which came from the full, credentialed MIMIC-III).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from arollout.errors import ConfigError
from arollout.tasks.ehr.suite import EhrSuite, SuiteSpec
from arollout.tasks.mimic.build import build_demo, build_synthetic
from arollout.tasks.mimic.suite import DEFAULT_PATIENTS
from arollout.tasks.registry import int_option, path_option, root_option
from arollout.tasks.treqs.build import SCHEMA, build_treqs
from arollout.tasks.treqs.templates import TEMPLATES

if TYPE_CHECKING:
    from collections.abc import Mapping

    from arollout.tasks.ehr.database import EhrDatabase

__all__ = ("DEFAULT_PER_CATEGORY", "NOTES", "SPEC", "make_suite")

DEFAULT_PER_CATEGORY: Final = 300
INSTANCE_VERSION: Final = 1

NOTES: Final = (
    "Strings are stored in lower case. demographic has one row per\n"
    "hospital admission (hadm_id), with the patient's columns repeated on each; the other tables link\n"
    "to it by subject_id and hadm_id. lab.flag is 'abnormal' for abnormal results, NULL otherwise. "
)

SPEC: Final = SuiteSpec(
    name="treqs",
    schema=SCHEMA,
    templates=TEMPLATES,
    data_root="/data/treqs",
    notes=NOTES,
    version=INSTANCE_VERSION,
)


def make_suite(options: Mapping[str, Any]) -> EhrSuite:
    """``treqs``: options ``source`` (synthetic|demo), ``patients``, ``seed``,
    ``per_category``, ``data_dir`` (demo folder), ``cache_dir``, ``data_root``."""
    source = options.get("source", "synthetic")
    if source not in ("synthetic", "demo"):
        raise ConfigError(f"option 'source' must be 'synthetic' or 'demo', got {source!r}")
    seed = int_option(options, "seed", 0, minimum=0)
    per_category = int_option(options, "per_category", DEFAULT_PER_CATEGORY, minimum=1)
    patients = int_option(options, "patients", DEFAULT_PATIENTS, minimum=10)
    cache_dir = path_option(options, "cache_dir")
    data_dir = path_option(options, "data_dir")
    data_root = root_option(options, "data_root", SPEC.data_root)

    def database() -> EhrDatabase:
        if source == "demo":
            mimic = build_demo(data_dir, seed=seed, cache_dir=cache_dir)
        else:
            mimic = build_synthetic(seed, patients, cache_dir)
        return build_treqs(mimic, seed=seed, cache_dir=cache_dir)

    return EhrSuite(
        SPEC,
        database,
        per_category=per_category,
        data_root=data_root,
        options={
            "source": source,
            "seed": seed,
            "patients": patients if source != "demo" else None,
        },
    )
