"""The MIMIC-III suites: EHRSQL-style questions on a synthetic or demo-built database.

Layout:

* ``schema``: the 17-table EHRSQL MIMIC-III schema and its conventions.
* ``vocab``: code lists of the synthetic generator (no download needed).
* ``synthetic``: the seeded synthetic hospital, any size.
* ``demo_source``: the MIMIC-III Clinical Database Demo 1.4 read into the
  schema (EHRSQL conventions, per-patient time shifts).
* ``cost``: the invented, seeded ``cost`` table.
* ``build``: both databases built once into the cache; where the demo is found.
* ``slots``: shared slot samplers and SQL pieces.
* ``templates_stays`` / ``templates_codes`` / ``templates_measures`` /
  ``templates_orders``: the question templates; ``templates`` orders them.
* ``suite``: the ``mimic-iii`` and ``mimic-iii-demo`` suite factories.
"""

from __future__ import annotations

from arollout.tasks.mimic.build import (
    build_demo as build_demo,
    build_synthetic as build_synthetic,
    find_demo as find_demo,
)
from arollout.tasks.mimic.schema import INDEXES as INDEXES, SCHEMA as SCHEMA
from arollout.tasks.mimic.suite import (
    make_demo_suite as make_demo_suite,
    make_suite as make_suite,
    mimic_spec as mimic_spec,
)
from arollout.tasks.mimic.templates import CATEGORIES as CATEGORIES, TEMPLATES as TEMPLATES

__all__ = (
    "CATEGORIES",
    "INDEXES",
    "SCHEMA",
    "TEMPLATES",
    "build_demo",
    "build_synthetic",
    "find_demo",
    "make_demo_suite",
    "make_suite",
    "mimic_spec",
)
