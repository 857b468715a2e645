"""The ``medcalc`` suite: clinical calculators on template patient notes (MedCalc-Bench style).

Each task gives a patient note and names a calculator; the agent writes code
that reads the values it needs (converting units: µmol/L creatinine, pounds,
inches, Fahrenheit, mmol/L glucose) and prints the answer. Grading follows
MedCalc-Bench's published rules (ncbi-nlp/MedCalc-Bench,
``evaluation/evaluate.py``): decimals within 5 %, integer scores, dates and
(weeks, days) exactly; point scores are answered as the list of every
criterion's points plus the total, which is stricter than the benchmark and
keeps single-digit totals from being guessed. The suite runs offline and needs
nothing but the standard library.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Final, final

from arollout.errors import TaskError
from arollout.tasks import verify
from arollout.tasks.medcalc.catalog import SPECS
from arollout.tasks.medcalc.info import CalculatorIndex
from arollout.tasks.medcalc.instances import SPLITS, SUITE_NAME
from arollout.tasks.medcalc.store import BuiltSuite, load_suite
from sandboxes.api import Mount

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping, Sequence

    from arollout.tasks.base import Task, Verdict

__all__ = ("DEFAULT_DATA_ROOT", "DEFAULT_PER_CATEGORY", "MedCalcSuite", "make_suite")

DEFAULT_DATA_ROOT: Final = "/data/medcalc"
"""Where the note files appear inside the sandbox."""
DEFAULT_PER_CATEGORY: Final = 220
"""Instances per calculator by default (52 calculators: 11,440 tasks)."""

_INSTRUCTIONS: Final = """\
You are a clinical data scientist. Each task gives a patient note and asks for one medical
calculation (a renal function equation, an electrolyte formula, a QTc correction, a risk score,
a dose conversion or a pregnancy date). You answer by writing Python code that runs in a sandbox
with Python 3 (math, datetime, re, json, numpy, pandas), no network, and the notes mounted
read-only under {data_root}/ (the question names the file).

Read the values the calculator needs from the note yourself; notes mix units (mg/dL and µmol/L,
lb and kg, in and cm, °F and °C, mmol/L and mg/dL) and contain facts the calculator does not use.
Follow the rules the question states; they settle the conventions that differ between sources.

## Actions
Reply with exactly one action per turn, as a single fenced json block:

```json
{{"action": "validate_code", "params": {{"code": "<python code>"}}}}
```
runs the code and shows you its stdout and stderr.

Other actions:
- {{"action": "request_info", "params": {{"query": "<calculator or measurement name>"}}}}
  describes a calculator (inputs, formula, source) or a measurement's unit conversions;
  "calculators" lists them all.
- {{"action": "debug", "params": {{"code": "<python code>", "error_msg": "<the error you got>"}}}}
  asks for help with an error.
- {{"action": "terminal", "params": {{"cmd": "<shell command>"}}}}
  runs a shell command in the sandbox.

## Answer
The LAST non-empty line your code prints to stdout is your answer; earlier lines may be anything.
Print it in exactly the format the question asks for: one number (accepted within 5 %), one
integer, a date as YYYY-MM-DD, (weeks, days), or a JSON list of points per criterion followed by
the total. Your answer is checked as soon as code prints it.
"""


@final
class MedCalcSuite:
    """Template-note calculator tasks with computed ground truth.

    Building happens on first use and is cached on disk (see :mod:`.store`);
    every method is safe to call from worker threads.

    Args:
        seed: generator seed; the same seed gives the same tasks.
        per_category: instances per calculator.
        cache_dir: cache root (default ``$AROLLOUT_CACHE`` or ``~/.cache/arollout``).
        data_root: where sandboxes see the note files (questions name
            ``<data_root>/<file>``).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        per_category: int = DEFAULT_PER_CATEGORY,
        cache_dir: str | os.PathLike[str] | None = None,
        data_root: str = DEFAULT_DATA_ROOT,
    ) -> None:
        if isinstance(per_category, bool) or not isinstance(per_category, int) or per_category < 1:
            raise TaskError(f"per_category must be a positive int, got {per_category!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise TaskError(f"seed must be a non-negative int, got {seed!r}")
        if not data_root.startswith("/"):
            raise TaskError(f"data_root must be an absolute path, got {data_root!r}")
        self._seed = seed
        self._per_category = per_category
        self._cache_dir = cache_dir
        self._data_root = data_root.rstrip("/") or "/"
        self._lock = threading.Lock()
        self._built: BuiltSuite | None = None
        self._by_split: dict[str, tuple[Task, ...]] = {}
        self._index: CalculatorIndex | None = None

    @property
    def name(self) -> str:
        return SUITE_NAME

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in SPECS)

    @property
    def data_root(self) -> str:
        return self._data_root

    @property
    def built(self) -> BuiltSuite:
        """The built suite (built or loaded on first access)."""
        with self._lock:
            if self._built is None:
                self._built = load_suite(
                    seed=self._seed,
                    per_category=self._per_category,
                    data_root=self._data_root,
                    cache_dir=self._cache_dir,
                )
            return self._built

    def tasks(self, split: str | None = None) -> Sequence[Task]:
        """Every task, or those of ``split`` (``train``, ``valid`` or ``test``), in a stable order."""
        if split is not None and split not in SPLITS:
            raise TaskError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
        built = self.built
        key = split or "all"
        with self._lock:
            if key not in self._by_split:
                chosen = (
                    built.tasks if split is None else [t for t in built.tasks if t.split == split]
                )
                self._by_split[key] = tuple(chosen)
            return self._by_split[key]

    def mounts(self) -> tuple[Mount, ...]:
        """The note files only (the gold answers stay on the host)."""
        return (Mount(source=str(self.built.notes_dir), target=self._data_root),)

    def instructions(self) -> str:
        return _INSTRUCTIONS.format(data_root=self._data_root)

    def request_info(self, task: Task, query: str) -> str:
        with self._lock:
            if self._index is None:
                self._index = CalculatorIndex()
            index = self._index
        return index.answer(query)

    def verify(self, task: Task, stdout: str) -> Verdict:
        if task.suite != SUITE_NAME:
            raise TaskError(f"task {task.id!r} belongs to suite {task.suite!r}, not {SUITE_NAME!r}")
        return verify.check(task.answer, stdout)


def make_suite(options: Mapping[str, Any]) -> MedCalcSuite:
    """The registry factory (options ``seed``, ``per_category``, ``cache_dir``, ``data_root``)."""
    from arollout.tasks.registry import int_option, path_option, root_option

    return MedCalcSuite(
        seed=int_option(options, "seed", 0, minimum=0),
        per_category=int_option(options, "per_category", DEFAULT_PER_CATEGORY, minimum=1),
        cache_dir=path_option(options, "cache_dir"),
        data_root=root_option(options, "data_root", DEFAULT_DATA_ROOT),
    )
