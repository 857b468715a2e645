"""The ``treqs`` suite: TREQS / MIMICSQL-style questions on five flattened MIMIC-III tables.

Layout:

* ``names``: invented patient names (the ``demographic.name`` column).
* ``build``: the five tables derived from a MIMIC-III-schema database.
* ``templates``: the MIMICSQL-style question templates.
* ``suite``: the ``treqs`` suite factory.
"""

from __future__ import annotations

from arollout.tasks.treqs.build import SCHEMA as SCHEMA, build_treqs as build_treqs
from arollout.tasks.treqs.suite import SPEC as SPEC, make_suite as make_suite
from arollout.tasks.treqs.templates import TEMPLATES as TEMPLATES

__all__ = ("SCHEMA", "SPEC", "TEMPLATES", "build_treqs", "make_suite")
