"""The ``ehr-demo`` suite: a seeded synthetic mini-EHR with EHRSQL-style tasks.

A thin instance of the EHR framework (:mod:`arollout.tasks.ehr`): the
generator and the templates are the demo's own; instance building, the
``request_info`` index and the suite class are the framework's.

Layout:

* ``vocab``: diagnosis, lab and drug code lists the generator draws from.
* ``generator``: the seeded SQLite (+ CSV) database, built once into a cache.
* ``templates``: question templates with gold SQL, slot samplers and answer kinds.
* ``instances``: templates -> verified tasks (the framework's builder, the demo's ids).
* ``info``: the framework's ``request_info`` index, under its old names.
* ``suite``: :class:`EhrDemoSuite`, an :class:`~arollout.tasks.ehr.suite.EhrSuite`.
"""

from __future__ import annotations

from arollout.tasks.demo.generator import (
    CURRENT_TIME as CURRENT_TIME,
    GENERATOR_VERSION as GENERATOR_VERSION,
    SCHEMA as SCHEMA,
    EhrDatabase as EhrDatabase,
    build_database as build_database,
    database_key as database_key,
)
from arollout.tasks.demo.info import SchemaIndex as SchemaIndex
from arollout.tasks.demo.suite import (
    DEFAULT_DATA_ROOT as DEFAULT_DATA_ROOT,
    EhrDemoSuite as EhrDemoSuite,
)
from arollout.tasks.demo.templates import TEMPLATES as TEMPLATES, Template as Template

__all__ = (
    "CURRENT_TIME",
    "DEFAULT_DATA_ROOT",
    "GENERATOR_VERSION",
    "SCHEMA",
    "TEMPLATES",
    "EhrDatabase",
    "EhrDemoSuite",
    "SchemaIndex",
    "Template",
    "build_database",
    "database_key",
)
