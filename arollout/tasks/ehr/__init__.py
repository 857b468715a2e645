"""The shared framework of the EHR question suites (SQL over a hospital database).

Layout:

* ``database``: :func:`build_cached` builds a database directory once per
  (family, version, parameters) into the cache, atomically, with a manifest
  (:class:`EhrDatabase`); :data:`CURRENT_TIME` is the fixed "now".
* ``tables``: :func:`write_database` writes rows to ``ehr.sqlite`` plus one CSV
  per table; :func:`read_csv_gz` streams source tables; EHRSQL value helpers.
* ``templates``: :class:`Template`, a question with gold SQL, a slot sampler
  (``candidates`` SQL + ``refine``), a tie check and an answer kind.
* ``instances``: templates -> verified tasks (:func:`build_instances`): gold SQL
  run on the agent's database; empty, degenerate, guessable and tie-dependent
  answers dropped; stable ids (:func:`task_id`), hash splits (:func:`split_of`),
  sqlite3 reference solutions.
* ``info``: :class:`SchemaIndex`, the ``request_info`` index built once per database.
* ``cache``: built tasks (and the index) in msgpack files beside the database.
* ``suite``: :class:`EhrSuite`, the generic ``Suite``, parameterised by a
  :class:`SuiteSpec` (name, schema, templates, prompt notes) and a database.

A new family (see ``arollout.tasks.mimic`` or ``arollout.tasks.demo``) needs:

1. a builder: ``build_cached(family, VERSION, params, write)`` where ``write(dir)``
   calls ``write_database(dir, SCHEMA, rows, INDEXES)`` and returns its counts;
2. templates: ``Template(name=..., category=..., question=..., sql=...,
   kind=..., candidates=..., refine=..., ambiguous=...)``;
3. a suite: ``EhrSuite(SuiteSpec(name=..., schema=SCHEMA, templates=TEMPLATES,
   data_root="/data/<name>", notes=...), lambda: build(...), per_category=N,
   options={...})``, registered in ``arollout.tasks.registry``.
"""

from __future__ import annotations

from arollout.tasks.ehr.cache import (
    cached_tasks as cached_tasks,
    index_cache_path as index_cache_path,
    tasks_cache_path as tasks_cache_path,
)
from arollout.tasks.ehr.database import (
    CURRENT_TIME as CURRENT_TIME,
    DB_FILENAME as DB_FILENAME,
    DatabaseLike as DatabaseLike,
    EhrDatabase as EhrDatabase,
    build_cached as build_cached,
    database_key as database_key,
    default_cache_root as default_cache_root,
)
from arollout.tasks.ehr.info import SchemaIndex as SchemaIndex
from arollout.tasks.ehr.instances import (
    SPLITS as SPLITS,
    build_instances as build_instances,
    drop_catch_alls as drop_catch_alls,
    evaluate as evaluate,
    gold_value as gold_value,
    reference_solution as reference_solution,
    split_of as split_of,
    task_id as task_id,
    template_instances as template_instances,
)
from arollout.tasks.ehr.suite import (
    ANSWER_SECTION as ANSWER_SECTION,
    EhrSuite as EhrSuite,
    SuiteSpec as SuiteSpec,
)
from arollout.tasks.ehr.tables import (
    Indexes as Indexes,
    Rows as Rows,
    Schema as Schema,
    export_csv as export_csv,
    format_ts as format_ts,
    lower as lower,
    parse_ts as parse_ts,
    read_csv_gz as read_csv_gz,
    write_database as write_database,
    write_sqlite as write_sqlite,
)
from arollout.tasks.ehr.templates import (
    AGGREGATES as AGGREGATES,
    FORMAT_HINTS as FORMAT_HINTS,
    Slots as Slots,
    Template as Template,
    keep as keep,
    run_gold as run_gold,
    sql_params as sql_params,
    with_aggregate as with_aggregate,
    with_choice as with_choice,
)

__all__ = (
    "AGGREGATES",
    "ANSWER_SECTION",
    "CURRENT_TIME",
    "DB_FILENAME",
    "DatabaseLike",
    "EhrDatabase",
    "EhrSuite",
    "FORMAT_HINTS",
    "Indexes",
    "Rows",
    "SPLITS",
    "Schema",
    "SchemaIndex",
    "Slots",
    "SuiteSpec",
    "Template",
    "build_cached",
    "build_instances",
    "cached_tasks",
    "database_key",
    "default_cache_root",
    "drop_catch_alls",
    "evaluate",
    "export_csv",
    "format_ts",
    "gold_value",
    "index_cache_path",
    "keep",
    "lower",
    "parse_ts",
    "read_csv_gz",
    "reference_solution",
    "run_gold",
    "split_of",
    "sql_params",
    "task_id",
    "tasks_cache_path",
    "template_instances",
    "with_aggregate",
    "with_choice",
    "write_database",
    "write_sqlite",
)
