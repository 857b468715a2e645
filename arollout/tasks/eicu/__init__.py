"""The eICU suites: EHRSQL-style questions over eICU-CRD-shaped databases.

Layout:

* ``schema``: the ten EHRSQL eICU tables and the raw eICU-CRD columns they come from.
* ``vocab``, ``drugs``: term lists of the synthetic generator.
* ``signals``: seeded synthetic ``lab`` and ``vitalperiodic`` rows for unit stays.
* ``synthetic``: a seeded generator of raw eICU tables of any size.
* ``demo_data``: reading the eICU-CRD Demo 2.0 tables (never shipped here).
* ``timeline``: minute offsets -> one calendar that ends at the fixed "now".
* ``cost``: the synthetic ``cost`` table.
* ``convert``: raw tables -> EHRSQL tables (the one conversion both databases use).
* ``database``: building both databases into the cache.
"""

from __future__ import annotations

from arollout.tasks.eicu.database import (
    DEMO_FAMILY as DEMO_FAMILY,
    SYNTHETIC_FAMILY as SYNTHETIC_FAMILY,
    build_demo as build_demo,
    build_synthetic as build_synthetic,
)
from arollout.tasks.eicu.schema import CURRENT_TIME as CURRENT_TIME, SCHEMA as SCHEMA

__all__ = (
    "CURRENT_TIME",
    "DEMO_FAMILY",
    "SCHEMA",
    "SYNTHETIC_FAMILY",
    "build_demo",
    "build_synthetic",
)
