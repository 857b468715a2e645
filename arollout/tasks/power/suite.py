"""The ``power`` suite: statistical power and sample-size questions (N-PowerAI style).

MedAgentGym's N-PowerAI items are parameter sweeps over a few fixed scenario
texts whose answers come from textbook formulas; its data has no licence, so
this suite regenerates the idea from scratch: clinical-trial stories written
for it, parameter grids, and answers computed with statsmodels and scipy (see
the design modules for each formula and its source). Nothing is mounted: every
number a task needs is in its question, and the agent computes in the
sandbox, where statsmodels and scipy are installed.

Grading is the typed verifier on the last stdout line: sizes are exact
integers, powers numbers within 1 % relative. Trivial answers the framework
tries (digits, constants, every answer of a category at once) are joined by
the suite's own: each number the question states and the conventional
powers, which :mod:`~arollout.tasks.power.instances` already keeps from being
right.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Final, final

from arollout.errors import TaskError
from arollout.tasks import grading, verify
from arollout.tasks.power.design import TARGETS
from arollout.tasks.power.instances import DESIGNS, SPLITS, SUITE_NAME, guesses, load_or_build

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping, Sequence

    from arollout.tasks.base import Task, Verdict
    from arollout.tasks.power.design import Target
    from sandboxes.api import Mount

__all__ = ("DEFAULT_PER_CATEGORY", "PowerSuite", "make_suite")

DEFAULT_PER_CATEGORY: Final = 140
"""Instances per category by default (24 categories: 3,360 tasks)."""

_INSTRUCTIONS: Final = """\
You are a biostatistician planning clinical studies: each task asks for the sample size a study
needs or the power a planned study has. You answer by writing Python code that runs in a sandbox
with Python 3, numpy, scipy and statsmodels (statsmodels.stats.power, scipy.stats) and no network.
There is no data to load: every number you need is in the question.

## Conventions
- A required sample size (or number of events) is the smallest whole number that reaches the
  target power: round any fractional result UP. The question says whether it wants the size per
  group, of one arm, or in total.
- A power is a probability: print it as a decimal between 0 and 1, not as a percentage.
- One-sided tests are in the direction of the expected effect.

## Actions
Reply with exactly one action per turn, as a single fenced json block:

```json
{"action": "validate_code", "params": {"code": "<python code>"}}
```
runs the code and shows you its stdout and stderr.

Other actions:
- {"action": "request_info", "params": {"query": "<topic>"}} describes the sandbox and the answer
  format (there are no tables to inspect).
- {"action": "debug", "params": {"code": "<python code>", "error_msg": "<the error you got>"}}
  asks for help with an error.
- {"action": "terminal", "params": {"cmd": "<shell command>"}} runs a shell command in the sandbox.

## Answer
The LAST non-empty line your code prints to stdout is your answer; earlier lines may be anything.
Print only the number on that line: an integer for a sample size, a decimal for a power. Your
answer is checked as soon as code prints it.
"""

_INFO: Final = (
    "This suite has no data tables: every value a task needs is stated in its question. "
    "The sandbox has numpy, scipy (scipy.stats.norm, nct, ncf, ncx2) and statsmodels "
    "(statsmodels.stats.power: TTestPower, TTestIndPower, FTestAnovaPower, GofChisquarePower, "
    "NormalIndPower). Print a sample size as a whole number rounded up, and a power as a "
    "decimal between 0 and 1, on the last line of output."
)


@final
class PowerSuite:
    """Power and sample-size tasks over 12 test types, for both targets.

    Building takes about ten seconds (statsmodels solves every instance) and
    happens once per option set: the tasks are cached under the cache
    directory, and later loads only decode that file.

    Args:
        seed: generator seed; the same seed gives the same tasks.
        per_category: instances per category (before splitting).
        cache_dir: cache root (default ``$AROLLOUT_CACHE`` or ``~/.cache/arollout``).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        per_category: int = DEFAULT_PER_CATEGORY,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        for name, value, least in (("seed", seed, 0), ("per_category", per_category, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise TaskError(f"{name} must be an int >= {least}, got {value!r}")
        self._seed = seed
        self._per_category = per_category
        self._cache_dir = cache_dir
        self._lock = threading.Lock()
        self._tasks: tuple[Task, ...] | None = None

    @property
    def name(self) -> str:
        return SUITE_NAME

    @property
    def categories(self) -> tuple[str, ...]:
        targets: tuple[Target, ...] = TARGETS
        return tuple(design.category(target) for design in DESIGNS for target in targets)

    def tasks(self, split: str | None = None) -> Sequence[Task]:
        """Every task, or those of ``split`` (``train``, ``valid`` or ``test``), in a stable order."""
        if split is not None and split not in SPLITS:
            raise TaskError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
        with self._lock:
            if self._tasks is None:
                built = load_or_build(
                    self._cache_dir, seed=self._seed, per_category=self._per_category
                )
                self._tasks = tuple(built)
            everything = self._tasks
        return everything if split is None else tuple(t for t in everything if t.split == split)

    def mounts(self) -> tuple[Mount, ...]:
        return ()

    def instructions(self) -> str:
        return _INSTRUCTIONS

    def request_info(self, task: Task, query: str) -> str:
        return _INFO

    def verify(self, task: Task, stdout: str) -> Verdict:
        if task.suite != SUITE_NAME:
            raise TaskError(f"task {task.id!r} belongs to suite {task.suite!r}, not {SUITE_NAME!r}")
        return verify.check(task.answer, stdout)

    def trivial_codes(self, task: Task) -> list[grading.Trivial]:
        """Answers read off the question without computing (see :func:`guesses`)."""
        target: Target = "size" if task.answer.kind == "integer" else "power"
        return [
            grading.Trivial(f"guess {line!r} without computing", f"print({line!r})", line + "\n")
            for line in guesses(task.question, target)
        ]


def make_suite(options: Mapping[str, Any]) -> PowerSuite:
    """The registry's factory: ``seed``, ``per_category`` and ``cache_dir`` options."""
    from arollout.tasks.registry import int_option, path_option

    return PowerSuite(
        seed=int_option(options, "seed", 0, minimum=0),
        per_category=int_option(options, "per_category", DEFAULT_PER_CATEGORY, minimum=1),
        cache_dir=path_option(options, "cache_dir"),
    )
