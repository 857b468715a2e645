"""The ``ehr-demo`` suite: EHRSQL-style questions over a synthetic mini-EHR.

It runs offline and needs nothing but the standard library: the database is
generated from a seed (see ``generator``), the tasks are instantiated from
templates with gold SQL (see ``templates`` and ``instances``), and answers are
graded by the typed verifier. It is the smallest real suite, meant for tests,
benchmarks and first experiments, and the model for the larger EHR families.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Final, final

from arollout.errors import TaskError
from arollout.tasks import verify
from arollout.tasks.demo.generator import (
    CURRENT_TIME,
    DB_FILENAME,
    SCHEMA,
    EhrDatabase,
    build_database,
)
from arollout.tasks.demo.info import SchemaIndex
from arollout.tasks.demo.instances import SPLITS, SUITE_NAME, build_tasks
from arollout.tasks.demo.templates import TEMPLATES
from sandboxes.api import Mount

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

    from arollout.tasks.base import Task, Verdict

__all__ = ("DEFAULT_DATA_ROOT", "EhrDemoSuite")

DEFAULT_DATA_ROOT: Final = "/data/ehr-demo"
"""Where the database directory appears inside the sandbox."""

_INSTRUCTIONS: Final = """\
You are a data scientist answering questions about a hospital's electronic health records (EHR).
You answer by writing Python code that runs in a sandbox; the sandbox has Python 3 with sqlite3,
pandas and numpy, no network, and the data below mounted read-only.

## Data
SQLite database: {db_path}  (open it read-only:
    sqlite3.connect("file:{db_path}?mode=ro", uri=True))
The same tables as CSV files (one per table, with a header row): {data_root}/<table>.csv

Tables and columns:
{schema}

Times are text 'YYYY-MM-DD HH:MM:SS'. Lab labels are in d_labitems.label, diagnosis titles in
d_icd_diagnoses.short_title, drug names in prescriptions.drug. Questions about "now" give the current
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
The LAST non-empty line your code prints to stdout is your answer; earlier lines may be anything.
Print only the answer on that line, in the format the question asks for (a number, true/false,
a timestamp, or a JSON list of strings). Your answer is checked as soon as code prints it.
"""


@final
class EhrDemoSuite:
    """Synthetic mini-EHR questions with gold-SQL answers.

    Building the database and the tasks is deferred to first use (it touches
    the disk) and happens once per instance; every method is safe to call from
    worker threads.

    Args:
        seed: generator seed; the same seed gives the same database and tasks.
        patients: number of synthetic patients.
        per_category: maximum number of tasks per category (before splitting).
        cache_dir: cache root for the built database (default ``$AROLLOUT_CACHE``
            or ``~/.cache/arollout``).
        data_root: the directory where sandboxes see the database; reference
            solutions open ``<data_root>/ehr.sqlite``. Point it at the host
            cache directory to run reference solutions without a mount.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        patients: int = 200,
        per_category: int = 40,
        cache_dir: str | os.PathLike[str] | None = None,
        data_root: str = DEFAULT_DATA_ROOT,
    ) -> None:
        if isinstance(per_category, bool) or not isinstance(per_category, int) or per_category < 1:
            raise TaskError(f"per_category must be a positive int, got {per_category!r}")
        if not data_root.startswith("/"):
            raise TaskError(f"data_root must be an absolute path, got {data_root!r}")
        self._seed = seed
        self._patients = patients
        self._per_category = per_category
        self._cache_dir = cache_dir
        self._data_root = data_root.rstrip("/") or "/"
        self._lock = threading.Lock()
        self._db: EhrDatabase | None = None
        self._tasks: tuple[Task, ...] | None = None
        self._index: SchemaIndex | None = None

    @property
    def name(self) -> str:
        return SUITE_NAME

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.category for t in TEMPLATES))

    @property
    def database(self) -> EhrDatabase:
        """The built database (built on first access)."""
        with self._lock:
            if self._db is None:
                self._db = build_database(self._seed, self._patients, self._cache_dir)
            return self._db

    @property
    def data_root(self) -> str:
        return self._data_root

    def tasks(self, split: str | None = None) -> Sequence[Task]:
        """Every task, or those of ``split`` (``train``, ``valid`` or ``test``), in a stable order."""
        if split is not None and split not in SPLITS:
            raise TaskError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
        db = self.database
        with self._lock:
            if self._tasks is None:
                built = build_tasks(db, per_category=self._per_category, data_root=self._data_root)
                self._tasks = tuple(built)
            everything = self._tasks
        return everything if split is None else tuple(t for t in everything if t.split == split)

    def mounts(self) -> tuple[Mount, ...]:
        return (Mount(source=self.database.directory, target=self._data_root),)

    def instructions(self) -> str:
        schema = "\n".join(
            f"- {table}({', '.join(c for c, _ in cols)})" for table, cols in SCHEMA.items()
        )
        return _INSTRUCTIONS.format(
            db_path=f"{self._data_root}/{DB_FILENAME}",
            data_root=self._data_root,
            schema=schema,
            current_time=CURRENT_TIME,
        )

    def request_info(self, task: Task, query: str) -> str:
        """Answer a data lookup from the index built once for this database."""
        db = self.database
        with self._lock:
            if self._index is None:
                self._index = SchemaIndex.build(db.sqlite_path, data_path=self._data_root)
            index = self._index
        return index.answer(query)

    def verify(self, task: Task, stdout: str) -> Verdict:
        if task.suite != SUITE_NAME:
            raise TaskError(f"task {task.id!r} belongs to suite {task.suite!r}, not {SUITE_NAME!r}")
        return verify.check(task.answer, stdout)
