"""The ``biods`` suite: survival and data analysis tasks graded by a harness.

BioDSBench-style (Wang et al., arXiv 2410.21591): each task asks for an
analysis of a real dataset shipped with lifelines or scikit-learn, or of a
seeded synthetic study in cBioPortal's format, and names the variables (and
plot files) the agent's code must leave behind. The suite is a
:class:`~arollout.tasks.base.HarnessSuite`: every submission runs inside the
harness of :mod:`~arollout.tasks.biods.harness`, and only its nonce-carrying
report, checked on the host against expected values the agent's process
never sees, can make a run correct.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Final, final

from arollout.errors import TaskError
from arollout.tasks.base import Verdict
from arollout.tasks.biods.build import SPLITS, SUITE_NAME, build_tasks, library_versions
from arollout.tasks.biods.catalog import FAMILIES
from arollout.tasks.biods.cbio_format import build_studies, cache_root
from arollout.tasks.biods.harness import build_program, grade_run
from arollout.tasks.biods.info import DataIndex, describe_datasets
from arollout.tasks.biods.prompt import instructions_text
from arollout.tasks.biods.tricks import trivial_codes_for
from sandboxes.api import Mount

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from arollout.tasks.base import Program, Task
    from arollout.tasks.grading import Trivial
    from sandboxes.api import ExecResult

__all__ = ("DEFAULT_DATA_ROOT", "DEFAULT_PER_CATEGORY", "BiodsSuite", "make_suite")

DEFAULT_DATA_ROOT: Final = "/data/biods"
"""Where the synthetic studies appear inside the sandbox."""

DEFAULT_PER_CATEGORY: Final = 50


@final
class BiodsSuite:
    """Survival and data analysis tasks over packaged and synthetic cBioPortal data.

    The studies and the tasks are built on first use and cached (see
    ``build``); every method is safe to call from worker threads.

    Args:
        seed: seed of the synthetic studies (package datasets do not depend on it).
        per_category: target number of instances per category.
        cache_dir: cache root (default ``$AROLLOUT_CACHE`` or ``~/.cache/arollout``).
        data_root: where the studies appear in the sandbox; reference
            solutions read ``<data_root>/<study>/``. Point it at
            :attr:`studies_dir` to run them without a mount.
        workers: processes that compute expected values on a first build
            (default: the usable CPUs, at most 4).
    """

    allow_terminal = False
    """Shell commands would bypass the harness; exploring the data is done with code."""

    def __init__(
        self,
        *,
        seed: int = 0,
        per_category: int = DEFAULT_PER_CATEGORY,
        cache_dir: str | os.PathLike[str] | None = None,
        data_root: str = DEFAULT_DATA_ROOT,
        workers: int | None = None,
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise TaskError(f"seed must be an int >= 0, got {seed!r}")
        if isinstance(per_category, bool) or not isinstance(per_category, int) or per_category < 1:
            raise TaskError(f"per_category must be a positive int, got {per_category!r}")
        if not data_root.startswith("/"):
            raise TaskError(f"data_root must be an absolute path, got {data_root!r}")
        self._seed = seed
        self._per_category = per_category
        self._cache_dir = cache_dir
        self._data_root = data_root.rstrip("/") or "/"
        self._workers = workers if workers is not None else min(4, len(os.sched_getaffinity(0)))
        self._lock = threading.Lock()
        self._studies: str | None = None
        self._tasks: tuple[Task, ...] | None = None
        self._index: DataIndex | None = None

    @property
    def name(self) -> str:
        return SUITE_NAME

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(f.category for f in FAMILIES)

    @property
    def data_root(self) -> str:
        return self._data_root

    @property
    def studies_dir(self) -> str:
        """The host directory holding the synthetic studies (built on first access)."""
        with self._lock:
            if self._studies is None:
                self._studies = str(build_studies(self._seed, self._cache_dir))
            return self._studies

    def tasks(self, split: str | None = None) -> Sequence[Task]:
        """Every task, or those of ``split``, in a stable order."""
        if split is not None and split not in SPLITS:
            raise TaskError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
        studies = self.studies_dir
        with self._lock:
            if self._tasks is None:
                self._tasks = tuple(
                    build_tasks(
                        FAMILIES,
                        seed=self._seed,
                        per_category=self._per_category,
                        host_root=studies,
                        data_root=self._data_root,
                        cache=cache_root(self._cache_dir) / "biods",
                        workers=self._workers,
                    )
                )
            everything = self._tasks
        self._build_index()  # off the event loop, with the tasks
        return everything if split is None else tuple(t for t in everything if t.split == split)

    def _build_index(self) -> DataIndex:
        studies = self.studies_dir
        with self._lock:
            if self._index is None:
                cache = cache_root(self._cache_dir) / "biods"
                datasets = describe_datasets(cache, repr(sorted(library_versions().items())))
                self._index = DataIndex(studies, self._data_root, datasets)
            return self._index

    def mounts(self) -> tuple[Mount, ...]:
        return (Mount(source=self.studies_dir, target=self._data_root),)

    def instructions(self) -> str:
        return instructions_text(self._data_root)

    def request_info(self, task: Task, query: str) -> str:
        """Describe a dataset, a study or one of its files (from the index ``tasks()`` built)."""
        return self._build_index().answer(query)

    def verify(self, task: Task, stdout: str) -> Verdict:
        """Printed output is never an answer here: grading needs the harness run."""
        self._own(task)
        return Verdict(
            correct=False,
            reason="biods tasks are graded by their checks: define the variables the question names",
        )

    def program(self, task: Task, code: str, nonce: str) -> Program:
        self._own(task)
        return build_program(task, code, nonce)

    def grade(self, task: Task, result: ExecResult, nonce: str) -> Verdict:
        self._own(task)
        return grade_run(task, result, nonce)

    def trivial_codes(self, task: Task) -> Sequence[Trivial]:
        """Tricks the self-check runs besides the generic ones (see ``tricks``)."""
        return trivial_codes_for(task)

    def _own(self, task: Task) -> None:
        if task.suite != SUITE_NAME:
            raise TaskError(f"task {task.id!r} belongs to suite {task.suite!r}, not {SUITE_NAME!r}")


def make_suite(options: Mapping[str, Any]) -> BiodsSuite:
    """The registry's factory: ``seed``, ``per_category``, ``cache_dir``, ``data_root``, ``workers``."""
    from arollout.tasks.registry import int_option, path_option, root_option

    workers = options.get("workers")
    return BiodsSuite(
        seed=int_option(options, "seed", 0, minimum=0),
        per_category=int_option(options, "per_category", DEFAULT_PER_CATEGORY, minimum=1),
        cache_dir=path_option(options, "cache_dir"),
        data_root=root_option(options, "data_root", DEFAULT_DATA_ROOT),
        workers=None if workers is None else int_option(options, "workers", 1, minimum=1),
    )
