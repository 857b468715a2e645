"""A generic EHR question suite: one database, a set of templates, typed answers.

:class:`EhrSuite` is what every SQL-over-EHR family shares (``ehr-demo``,
MIMIC-III, TREQS, eICU, sequences of questions): a :class:`SuiteSpec` says
what the data look like (schema, notes for the prompt, templates) and a
``database`` callable builds or finds the database. The suite builds its
tasks on first use, keeps them in a msgpack file beside the database
(:mod:`arollout.tasks.ehr.cache`), mounts the database directory read-only,
answers ``request_info`` from an index built once, and grades with the typed
verifier. Families that need more (several questions per task) subclass it
and override :meth:`EhrSuite.build_tasks` and :meth:`EhrSuite.verify`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from arollout.errors import TaskError
from arollout.tasks import verify
from arollout.tasks.ehr.cache import cached_tasks, index_cache_path, tasks_cache_path
from arollout.tasks.ehr.database import CURRENT_TIME, DB_FILENAME
from arollout.tasks.ehr.info import SEARCH_CAP, SchemaIndex
from arollout.tasks.ehr.instances import SPLITS, build_instances
from sandboxes.api import Mount

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from arollout.tasks.base import Task, Verdict
    from arollout.tasks.ehr.database import DatabaseLike
    from arollout.tasks.ehr.tables import Schema
    from arollout.tasks.ehr.templates import Template

__all__ = (
    "ANSWER_SECTION",
    "EhrSuite",
    "INSTRUCTIONS",
    "SuiteSpec",
)

ANSWER_SECTION: Final = """\
The LAST non-empty line your code prints to stdout is your answer; earlier lines may be anything.
Print only the answer on that line, in the format the question asks for (a number, true/false,
a timestamp, or a JSON list of strings). Your answer is checked as soon as code prints it."""

INSTRUCTIONS: Final = """\
You are a data scientist answering questions about a hospital's electronic health records (EHR).
You answer by writing Python code that runs in a sandbox; the sandbox has Python 3 with sqlite3,
pandas and numpy, no network, and the data below mounted read-only.

## Data
SQLite database: {db_path}  (open it read-only:
    sqlite3.connect("file:{db_path}?mode=ro", uri=True))
The same tables as CSV files (one per table, with a header row): {data_root}/<table>.csv

Tables and columns:
{schema}

Times are text 'YYYY-MM-DD HH:MM:SS'. {notes}Questions about "now" give the current
time explicitly (it is {current_time}); never use the clock of the machine you run on.

## Actions
Reply with exactly one action per turn, as a single fenced json block:

```json
{{"action": "validate_code", "params": {{"code": "<python code>"}}}}
```
runs the code and shows you its stdout and stderr.

Other actions:
- {{"action": "request_info", "params": {{"query": "<table name, or table.column>"}}}}
  describes the data without running code: a table name lists its columns, table.column lists up to
  20 frequent values, any other term is searched in the text columns (e.g. a drug or lab name).
- {{"action": "debug", "params": {{"code": "<python code>", "error_msg": "<the error you got>"}}}}
  asks for help with an error.
- {{"action": "terminal", "params": {{"cmd": "<shell command>"}}}}
  runs a shell command in the sandbox.

## Answer
{answer}
"""
"""The system prompt of every EHR suite; ``notes`` and ``answer`` are per family."""


@dataclass(frozen=True, kw_only=True)
class SuiteSpec:
    """What one EHR family looks like to the agent and to the instance builder.

    Attributes:
        name: the registered suite name (the first part of every task id).
        schema: the tables and columns listed in the prompt.
        templates: the question templates (may be empty when a subclass
            builds its tasks otherwise).
        data_root: the default in-sandbox directory of the database.
        notes: a sentence or two for the prompt's data section (where labels
            live, how strings are stored); ends with a space when non-empty.
        answer: the prompt's answer section.
        version: the instance generator's version; bump it whenever the
            tasks built from the same database change (it keys the task cache).
        search_cap: ``request_info`` searches text columns with at most this
            many distinct values.
    """

    name: str
    schema: Schema
    templates: tuple[Template, ...]
    data_root: str
    notes: str = ""
    answer: str = ANSWER_SECTION
    version: int = 1
    search_cap: int = SEARCH_CAP


def _templates_digest(templates: Sequence[Template]) -> str:
    """A digest of the templates' text (a changed question or SQL is never served
    from a stale cache; changes to ``refine`` code still need a version bump)."""
    blob = json.dumps(
        [
            [
                t.name,
                t.category,
                t.question,
                t.sql,
                t.kind,
                t.candidates,
                t.ambiguous,
                t.rel_tol,
                t.abs_tol,
                t.signed,
                t.max_items,
                t.hint,
            ]
            for t in templates
        ]
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class EhrSuite:
    """EHRSQL-style questions with gold-SQL answers over one database.

    Building the database and the tasks is deferred to first use (it touches
    the disk) and happens once per instance; every method is safe to call
    from worker threads.

    Args:
        spec: the family.
        database: returns the built database (called once, on first use).
        per_category: the most tasks per category (before splitting).
        data_root: where sandboxes see the database directory (default
            ``spec.data_root``); reference solutions open
            ``<data_root>/ehr.sqlite``. Point it at the host directory to run
            reference solutions without a mount.
        options: everything else the tasks depend on (seed, size, source);
            part of the task cache key.
        cache_tasks: keep built tasks in a msgpack file beside the database.
        cache_index: keep the ``request_info`` index beside the database.
    """

    def __init__(
        self,
        spec: SuiteSpec,
        database: Callable[[], DatabaseLike],
        *,
        per_category: int,
        data_root: str | None = None,
        options: Mapping[str, Any] | None = None,
        cache_tasks: bool = True,
        cache_index: bool = True,
    ) -> None:
        if isinstance(per_category, bool) or not isinstance(per_category, int) or per_category < 1:
            raise TaskError(f"per_category must be a positive int, got {per_category!r}")
        root = spec.data_root if data_root is None else data_root
        if not isinstance(root, str) or not root.startswith("/"):
            raise TaskError(f"data_root must be an absolute path, got {root!r}")
        self._spec = spec
        self._make_database = database
        self._per_category = per_category
        self._data_root = root.rstrip("/") or "/"
        self._options = dict(options or {})
        self._cache_tasks = cache_tasks
        self._cache_index = cache_index
        self._lock = threading.RLock()
        self._db: DatabaseLike | None = None
        self._tasks: tuple[Task, ...] | None = None
        self._index: SchemaIndex | None = None

    @property
    def name(self) -> str:
        return self._spec.name

    @property
    def spec(self) -> SuiteSpec:
        return self._spec

    @property
    def categories(self) -> tuple[str, ...]:
        """Every category the templates can produce, in template order."""
        return tuple(dict.fromkeys(t.category for t in self._spec.templates))

    @property
    def per_category(self) -> int:
        return self._per_category

    @property
    def data_root(self) -> str:
        return self._data_root

    @property
    def database(self) -> DatabaseLike:
        """The built database (built on first access)."""
        with self._lock:
            if self._db is None:
                self._db = self._make_database()
            return self._db

    def build_tasks(self, con: sqlite3.Connection, db: DatabaseLike) -> Sequence[Task]:
        """Instantiate every task on ``db`` (``con`` is open on it, read-only)."""
        return build_instances(
            con,
            self._spec.templates,
            suite=self.name,
            database_key=db.key,
            per_category=self._per_category,
            data_root=self._data_root,
        )

    def _build(self, db: DatabaseLike) -> Sequence[Task]:
        con = sqlite3.connect(f"file:{db.sqlite_path}?mode=ro", uri=True)
        try:
            return self.build_tasks(con, db)
        finally:
            con.close()

    def _build_with_index(self, db: DatabaseLike) -> Sequence[Task]:
        """Build the tasks, and the ``request_info`` index with them: the index
        is then on disk before any episode asks (a first build on the event
        loop would stall it for seconds on a large database)."""
        tasks = self._build(db)
        if self._cache_index:
            self._load_index(db)
        return tasks

    def tasks(self, split: str | None = None) -> Sequence[Task]:
        """Every task, or those of ``split`` (``train``, ``valid`` or ``test``), in a stable order."""
        if split is not None and split not in SPLITS:
            raise TaskError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
        db = self.database
        with self._lock:
            if self._tasks is None:
                if self._cache_tasks:
                    options = {
                        **self._options,
                        "per_category": self._per_category,
                        "data_root": self._data_root,
                        "templates": _templates_digest(self._spec.templates),
                    }
                    path = tasks_cache_path(db, self.name, self._spec.version, options)
                    self._tasks = cached_tasks(path, lambda: self._build_with_index(db))
                else:
                    self._tasks = tuple(self._build(db))
            everything = self._tasks
        return everything if split is None else tuple(t for t in everything if t.split == split)

    def mounts(self) -> tuple[Mount, ...]:
        return (Mount(source=self.database.directory, target=self._data_root),)

    def instructions(self) -> str:
        schema = "\n".join(
            f"- {table}({', '.join(c for c, _ in cols)})"
            for table, cols in self._spec.schema.items()
        )
        return INSTRUCTIONS.format(
            db_path=f"{self._data_root}/{DB_FILENAME}",
            data_root=self._data_root,
            schema=schema,
            notes=self._spec.notes,
            current_time=CURRENT_TIME,
            answer=self._spec.answer,
        )

    def request_info(self, task: Task, query: str) -> str:
        """Answer a data lookup from the index built once for this database."""
        return self._load_index(self.database).answer(query)

    def _load_index(self, db: DatabaseLike) -> SchemaIndex:
        with self._lock:
            if self._index is None:
                if self._cache_index:
                    self._index = SchemaIndex.load_or_build(
                        db.sqlite_path,
                        index_cache_path(db),
                        data_path=self._data_root,
                        search_cap=self._spec.search_cap,
                    )
                else:
                    self._index = SchemaIndex.build(db.sqlite_path, data_path=self._data_root)
            return self._index

    def verify(self, task: Task, stdout: str) -> Verdict:
        if task.suite != self.name:
            raise TaskError(f"task {task.id!r} belongs to suite {task.suite!r}, not {self.name!r}")
        return verify.check(task.answer, stdout)
