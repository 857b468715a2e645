"""The ``biocoder`` suite: bioinformatics functions graded by hidden unit tests.

BioCoder (Tang et al. 2024, "BioCoder: a benchmark for bioinformatics code
generation with large language models", Bioinformatics 40:i266;
github.com/gersteinlab/BioCoder) asks for one function from its signature and
description and grades it by running it. This suite keeps that shape with
tasks of its own: every family is parameterised, so instances differ in the
spec, and the grader is a :class:`~arollout.tasks.base.HarnessSuite` whose
expected values never enter the sandbox (see ``harness`` and ``runtime``).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Final, final

from arollout.errors import ConfigError, TaskError
from arollout.tasks.biocoder import harness
from arollout.tasks.biocoder.build import FAMILIES, load_tasks
from arollout.tasks.biocoder.instances import SPLITS, SUITE_NAME
from arollout.tasks.biocoder.prompt import INSTRUCTIONS, answer_query
from arollout.tasks.registry import int_option, path_option

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping, Sequence

    from arollout.tasks import grading
    from arollout.tasks.base import Program, Task, Verdict
    from sandboxes.api import ExecResult, Mount

__all__ = ("BiocoderSuite", "DEFAULT_PER_FAMILY", "make_suite")

DEFAULT_PER_FAMILY: Final = 100
"""Instances per family at most (families with a smaller grid have fewer)."""


@final
class BiocoderSuite:
    """Parameterised bioinformatics function-writing tasks with hidden tests.

    Tasks are built on first use (a few seconds) and cached under the cache
    directory, keyed by the generator version, the options and the source of
    the families; later loads read the cache. Every method is safe to call
    from worker threads.

    Args:
        seed: seed of the hidden random test inputs and of the instance order.
        per_family: instances per family at most.
        cache_dir: cache root (default ``$AROLLOUT_CACHE`` or ``~/.cache/arollout``).
        test_timeout_s: time limit of one hidden test call.
        budget_s: time limit of all hidden test calls of one run together.
    """

    allow_terminal = False

    def __init__(
        self,
        *,
        seed: int = 0,
        per_family: int = DEFAULT_PER_FAMILY,
        cache_dir: str | os.PathLike[str] | None = None,
        test_timeout_s: float = 2.0,
        budget_s: float = 6.0,
    ) -> None:
        if isinstance(per_family, bool) or not isinstance(per_family, int) or per_family < 1:
            raise TaskError(f"per_family must be a positive int, got {per_family!r}")
        if not 0 < test_timeout_s <= budget_s:
            raise TaskError(
                f"need 0 < test_timeout_s <= budget_s, got {test_timeout_s} and {budget_s}"
            )
        self._seed = seed
        self._per_family = per_family
        self._cache_dir = cache_dir
        self._timing = harness.Timing(test_timeout_s=test_timeout_s, budget_s=budget_s)
        self._lock = threading.Lock()
        self._tasks: tuple[Task, ...] | None = None

    @property
    def name(self) -> str:
        return SUITE_NAME

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(f.name for f in FAMILIES)

    def tasks(self, split: str | None = None) -> Sequence[Task]:
        """Every task, or those of ``split``, in a stable order."""
        if split is not None and split not in SPLITS:
            raise TaskError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
        with self._lock:
            if self._tasks is None:
                self._tasks = load_tasks(
                    per_family=self._per_family, seed=self._seed, cache_dir=self._cache_dir
                )
            everything = self._tasks
        return everything if split is None else tuple(t for t in everything if t.split == split)

    def mounts(self) -> tuple[Mount, ...]:
        return ()

    def instructions(self) -> str:
        return INSTRUCTIONS.format(
            test_timeout_s=self._timing.test_timeout_s, budget_s=self._timing.budget_s
        )

    def request_info(self, task: Task, query: str) -> str:
        return answer_query(task, query, self._timing)

    def verify(self, task: Task, stdout: str) -> Verdict:
        """Printed answers are not how this suite grades; see :meth:`grade`."""
        self._own(task)
        from arollout.tasks.base import Verdict

        return Verdict(
            correct=False, reason="this task is graded by hidden tests of the function, not stdout"
        )

    def program(self, task: Task, code: str, nonce: str) -> Program:
        self._own(task)
        return harness.program(task, code, nonce, self._timing)

    def grade(self, task: Task, result: ExecResult, nonce: str) -> Verdict:
        self._own(task)
        return harness.grade(task, result, nonce)

    def trivial_codes(self, task: Task) -> list[grading.Trivial]:
        """Suite-specific data-free submissions (all must fail)."""
        return harness.trivial_codes(task)

    def _own(self, task: Task) -> None:
        if task.suite != SUITE_NAME:
            raise TaskError(f"task {task.id!r} belongs to suite {task.suite!r}, not {SUITE_NAME!r}")


def _seconds(options: Mapping[str, Any], name: str, default: float) -> float:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 600:
        raise ConfigError(f"option {name!r} must be a number of seconds in (0, 600], got {value!r}")
    return float(value)


def make_suite(options: Mapping[str, Any]) -> BiocoderSuite:
    """The registry factory: ``get_suite("biocoder", seed=..., per_family=..., ...)``."""
    test_timeout_s = _seconds(options, "test_timeout_s", 2.0)
    budget_s = _seconds(options, "budget_s", 6.0)
    if test_timeout_s > budget_s:
        raise ConfigError("option 'test_timeout_s' must not exceed option 'budget_s'")
    return BiocoderSuite(
        seed=int_option(options, "seed", 0, minimum=0),
        per_family=int_option(options, "per_family", DEFAULT_PER_FAMILY, minimum=1),
        cache_dir=path_option(options, "cache_dir"),
        test_timeout_s=test_timeout_s,
        budget_s=budget_s,
    )
