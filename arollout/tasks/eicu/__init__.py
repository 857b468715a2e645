"""The eICU suites: EHRSQL-style questions over eICU-CRD-shaped databases.

Layout:

* ``schema``: the ten EHRSQL eICU tables and the raw eICU-CRD columns they come from.
* ``vocab``, ``charts``: term lists of the synthetic generator.
* ``signals``: seeded synthetic ``lab`` and ``vitalperiodic`` rows for unit stays.
* ``synthetic``: a seeded generator of raw eICU tables of any size.
* ``timeline``: minute offsets -> one calendar that ends at the fixed "now".
* ``convert``: raw tables -> EHRSQL tables (the one conversion both databases use),
  with the synthetic ``cost`` table.
* ``database``: reading the eICU-CRD Demo 2.0 (never shipped here) and building
  both databases into the cache.
* ``slots``: slot samplers and SQL pieces of the templates.
* ``templates_stays``, ``templates_events``, ``templates_orders``,
  ``templates_labs``, ``templates_charts``: the question templates by table.
* ``suite``: :class:`EicuSuite` (``eicu``) and :class:`EicuDemoSuite` (``eicu-demo``).
"""

from __future__ import annotations

from arollout.tasks.eicu.database import (
    DEMO_FAMILY as DEMO_FAMILY,
    SYNTHETIC_FAMILY as SYNTHETIC_FAMILY,
    build_demo as build_demo,
    build_synthetic as build_synthetic,
)
from arollout.tasks.eicu.schema import CURRENT_TIME as CURRENT_TIME, SCHEMA as SCHEMA
from arollout.tasks.eicu.suite import (
    TEMPLATES as TEMPLATES,
    EicuDemoSuite as EicuDemoSuite,
    EicuSuite as EicuSuite,
    make_demo_suite as make_demo_suite,
    make_suite as make_suite,
)

__all__ = (
    "CURRENT_TIME",
    "DEMO_FAMILY",
    "SCHEMA",
    "SYNTHETIC_FAMILY",
    "TEMPLATES",
    "EicuDemoSuite",
    "EicuSuite",
    "build_demo",
    "build_synthetic",
    "make_demo_suite",
    "make_suite",
)
