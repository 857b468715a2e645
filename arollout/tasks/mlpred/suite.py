"""The ``mlpred`` and ``mlpred-demo`` suites: clinical prediction and feature extraction.

``mlpred`` is the EHRSHOT / MIMIC-Extract substitute of notes/data-sources.md
§7 on synthetic cohorts with a known generating model (:mod:`.model`): six
prediction cohorts cut at their prediction time (12, 24 or 48 hours after
ICU admission), each with its held-out stays and per-task training files,
and two complete cohorts for label derivation. ``mlpred-demo`` runs the
pipeline-correctness tasks (hourly features, labels) on the database built
from the MIMIC-III demo, whose 136 stays are too few, and too uniformly fatal,
to score predictions on.

Both are :class:`~arollout.tasks.base.HarnessSuite`\\ s: the agent's code runs
as it is and the file it writes comes back to :mod:`.grader`; the held-out
labels and gold rows live in ``Task.meta`` on the host and never enter the
sandbox. On first use the cohort databases are built into the cache and the
tasks beside the first one (the reference pipeline is fit for every
prediction task to set its threshold): about 20 s of one core for ``mlpred``
(13 s databases, 6 s tasks), 10 s for ``mlpred-demo`` with the demo database;
later loads decode the tasks from msgpack in about 0.1 s.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

from arollout.errors import TaskError
from arollout.tasks.base import Verdict
from arollout.tasks.ehr.cache import cached_tasks, index_cache_path, tasks_cache_path
from arollout.tasks.ehr.info import SchemaIndex
from arollout.tasks.ehr.instances import SPLITS
from arollout.tasks.mimic.build import build_demo
from arollout.tasks.mimic.schema import SCHEMA
from arollout.tasks.mlpred import grader, instances, prompt
from arollout.tasks.mlpred.build import (
    build_cohort,
    cohort_records,
    complete_cohorts,
    prediction_cohorts,
)
from arollout.tasks.mlpred.outcomes import DEMO_LABELLED, LABELLED
from arollout.tasks.registry import int_option, path_option, root_option
from sandboxes.api import Mount

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Mapping, Sequence

    from arollout.tasks.base import Program, Task
    from arollout.tasks.ehr.database import DatabaseLike
    from arollout.tasks.grading import Trivial
    from arollout.tasks.mlpred.cohort import CohortSpec
    from sandboxes.api import ExecResult

__all__ = ("INSTANCE_VERSION", "MlpredSuite", "make_demo_suite", "make_suite", "synthetic_suite")

INSTANCE_VERSION: Final = 1
"""Bump whenever the tasks built from the same databases change (keys the task cache)."""

HOURLY_PER_COHORT: Final = 8
LABELS_PER_OUTCOME: Final = 2
DEMO_HOURLY: Final = 60
DEMO_LABELS_PER_OUTCOME: Final = 6


@final
class MlpredSuite:
    """Prediction, hourly-feature and label tasks over one or more MIMIC-III-schema databases.

    Use :func:`make_suite` / :func:`make_demo_suite` (or the registry) rather
    than the constructor. Every method is safe to call from worker threads.

    Args:
        name: the suite name (first part of every task id).
        databases: builds ``{folder name: database}`` (called once, on first use).
        build: makes the tasks from the databases (called once, when not cached).
        data_root: where sandboxes see the databases (``<data_root>/<folder>``).
        options: everything else the tasks depend on (part of the task cache key).
        demo: whether the data are the MIMIC-III demo (the prompt says so).
    """

    allow_terminal = True

    def __init__(
        self,
        *,
        name: str,
        databases: Callable[[], dict[str, DatabaseLike]],
        build: Callable[[dict[str, DatabaseLike]], Sequence[Task]],
        data_root: str,
        options: Mapping[str, Any],
        demo: bool = False,
    ) -> None:
        self._name = name
        self._make_databases = databases
        self._build = build
        self._data_root = data_root.rstrip("/") or "/"
        self._options = dict(options)
        self._demo = demo
        self._lock = threading.RLock()
        self._dbs: dict[str, DatabaseLike] | None = None
        self._tasks: tuple[Task, ...] | None = None
        self._indexes: dict[str, SchemaIndex] = {}

    @property
    def name(self) -> str:
        return self._name

    @property
    def databases(self) -> dict[str, DatabaseLike]:
        """Folder name -> built database (built on first access)."""
        with self._lock:
            if self._dbs is None:
                self._dbs = self._make_databases()
            return self._dbs

    def tasks(self, split: str | None = None) -> Sequence[Task]:
        """Every task, or those of ``split`` (``train``, ``valid`` or ``test``), in a stable order."""
        if split is not None and split not in SPLITS:
            raise TaskError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
        dbs = self.databases
        with self._lock:
            if self._tasks is None:
                first = dbs[next(iter(dbs))]
                options = {
                    **self._options,
                    "code": instances.source_digest(Path(__file__).parent),
                    "data_root": self._data_root,
                    "databases": sorted(d.key for d in dbs.values()),
                }
                path = tasks_cache_path(first, self._name, INSTANCE_VERSION, options)
                self._tasks = cached_tasks(path, lambda: self._build(dbs))
            everything = self._tasks
        return everything if split is None else tuple(t for t in everything if t.split == split)

    def mounts(self) -> tuple[Mount, ...]:
        return tuple(
            Mount(source=db.directory, target=f"{self._data_root}/{folder}")
            for folder, db in self.databases.items()
        )

    def instructions(self) -> str:
        return prompt.instructions(SCHEMA, self._data_root, demo=self._demo)

    def request_info(self, task: Task, query: str) -> str:
        """Answer a lookup about the task's database from an index built once per database."""
        folder = task.meta["database"]
        db = self.databases[folder]
        with self._lock:
            index = self._indexes.get(folder)
            if index is None:
                index = SchemaIndex.load_or_build(
                    db.sqlite_path, index_cache_path(db), data_path=f"{self._data_root}/{folder}"
                )
                self._indexes[folder] = index
        return index.answer(query)

    def verify(self, task: Task, stdout: str) -> Verdict:
        """Printed output is never graded here: the task's file is (see :meth:`grade`)."""
        return Verdict(
            correct=False,
            reason=f"this task is graded from the {grader.OUTPUT[task.meta['kind']]} the run writes",
            score=0.0,
        )

    def program(self, task: Task, code: str, nonce: str) -> Program:
        if task.suite != self._name:
            raise TaskError(f"task {task.id!r} belongs to suite {task.suite!r}, not {self._name!r}")
        return grader.program(task, code)

    def grade(self, task: Task, result: ExecResult, nonce: str) -> Verdict:
        return grader.grade(task, result)

    def trivial_codes(self, task: Task) -> list[Trivial]:
        return grader.trivial_codes(task)


def synthetic_suite(
    *,
    cohorts: Sequence[CohortSpec],
    complete: Sequence[CohortSpec],
    data_root: str,
    cache_dir: str | os.PathLike[str] | None,
    options: Mapping[str, Any],
    name: str = "mlpred",
    hourly_per_cohort: int = HOURLY_PER_COHORT,
    labels_per_outcome: int = LABELS_PER_OUTCOME,
) -> MlpredSuite:
    """A suite over the given cut ``cohorts`` (prediction and hourly tasks) and
    ``complete`` cohorts (label tasks); :func:`make_suite` picks the default ones."""

    def databases() -> dict[str, DatabaseLike]:
        return {spec.name: build_cohort(spec, cache_dir) for spec in (*cohorts, *complete)}

    def build(dbs: dict[str, DatabaseLike]) -> list[Task]:
        tasks: list[Task] = []
        for spec in cohorts:
            db = build_cohort(spec, cache_dir)
            tasks += instances.prediction_tasks(name, data_root, spec, db, cohort_records(spec, db))
        for spec in cohorts:
            tasks += instances.hourly_tasks(
                name, data_root, spec.name, dbs[spec.name],
                per_category=hourly_per_cohort, max_hours=spec.window,
            )  # fmt: skip
        for spec in complete:
            tasks += instances.label_tasks(
                name, data_root, spec.name, dbs[spec.name], LABELLED,
                window=spec.window, per_outcome=labels_per_outcome, size=20, demo=False,
            )  # fmt: skip
        return sorted(tasks, key=lambda t: t.category)

    return MlpredSuite(
        name=name, databases=databases, build=build, data_root=data_root, options=options
    )


def make_suite(options: Mapping[str, Any]) -> MlpredSuite:
    """``mlpred``: options ``seed``, ``cache_dir``, ``data_root``."""
    seed = int_option(options, "seed", 0, minimum=0)
    return synthetic_suite(
        cohorts=prediction_cohorts(seed),
        complete=complete_cohorts(seed),
        data_root=root_option(options, "data_root", "/data/mlpred"),
        cache_dir=path_option(options, "cache_dir"),
        options={"seed": seed},
    )


def make_demo_suite(options: Mapping[str, Any]) -> MlpredSuite:
    """``mlpred-demo``: options ``data_dir`` (the demo folder), ``seed``, ``cache_dir``,
    ``data_root``. Needs the MIMIC-III demo (``arollout data fetch mimic-iii-demo``)."""
    seed = int_option(options, "seed", 0, minimum=0)
    cache_dir = path_option(options, "cache_dir")
    data_dir = path_option(options, "data_dir")
    data_root = root_option(options, "data_root", "/data/mlpred-demo")

    def databases() -> dict[str, DatabaseLike]:
        return {"demo": build_demo(data_dir, seed=seed, cache_dir=cache_dir)}

    def build(dbs: dict[str, DatabaseLike]) -> list[Task]:
        db = dbs["demo"]
        tasks = instances.hourly_tasks(
            "mlpred-demo", data_root, "demo", db, per_category=DEMO_HOURLY, max_hours=48
        )
        tasks += instances.label_tasks(
            "mlpred-demo", data_root, "demo", db, DEMO_LABELLED,
            window=24, per_outcome=DEMO_LABELS_PER_OUTCOME, size=15, demo=True,
        )  # fmt: skip
        return sorted(tasks, key=lambda t: t.category)

    return MlpredSuite(
        name="mlpred-demo", databases=databases, build=build, data_root=data_root,
        options={"seed": seed}, demo=True,
    )  # fmt: skip
