"""Templates -> verified :class:`~arollout.tasks.base.Task` objects.

For each category the template's candidates are shuffled with a seeded RNG
(seeded by the suite seed and the category, so categories do not disturb one
another), those whose printed answer a data-free line would hit are dropped
(:func:`arollout.tasks.grading.guessable`), and the first ``per_category``
are kept. Ids hash the suite, the generator version, the seed, the category
and the instance's parameters, so they are stable across runs, machines and
population sizes; the split is a pure function of the id.
"""

from __future__ import annotations

import hashlib
import json
import random
from typing import TYPE_CHECKING, Final

from arollout.errors import TaskError
from arollout.tasks import grading
from arollout.tasks.base import Task
from arollout.tasks.fhir import facts
from arollout.tasks.fhir.generator import GENERATOR_VERSION
from arollout.tasks.fhir.reads import READS
from arollout.tasks.fhir.writes import WRITES

if TYPE_CHECKING:
    from arollout.tasks.fhir.store import BaseStore
    from arollout.tasks.fhir.templates import Instance

__all__ = (
    "CATEGORIES",
    "SPLITS",
    "SUITE_NAME",
    "TEMPLATES_VERSION",
    "build_tasks",
    "split_of",
    "task_id",
)

SUITE_NAME: Final = "fhir"
SPLITS: Final = ("train", "valid", "test")
TEMPLATES_VERSION: Final = 1
"""Bump whenever a question, answer or reference solution changes (caches depend on it)."""
TEMPLATES: Final = (*READS, *WRITES)
CATEGORIES: Final = tuple(name for name, _ in TEMPLATES)
WRITE_CATEGORIES: Final = frozenset(name for name, _ in WRITES)
_SPLIT_EDGES: Final = ((70, "train"), (80, "valid"), (100, "test"))


def task_id(seed: int, category: str, params: dict[str, object]) -> str:
    """``fhir/<category>/<hash of suite, generator, seed, category and parameters>``."""
    blob = json.dumps([SUITE_NAME, GENERATOR_VERSION, seed, category, params], sort_keys=True)
    return f"{SUITE_NAME}/{category}/{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


def split_of(tid: str) -> str:
    """The split of a task id (70 % train, 10 % valid, 20 % test)."""
    bucket = int(hashlib.sha256(f"split|{tid}".encode()).hexdigest()[:8], 16) % 100
    return next(name for edge, name in _SPLIT_EDGES if bucket < edge)


def _task(seed: int, inst: Instance, mrns: dict[str, str]) -> Task:
    tid = task_id(seed, inst.category, inst.params)
    return Task(
        id=tid,
        suite=SUITE_NAME,
        category=inst.category,
        split=split_of(tid),
        question=inst.question,
        answer=inst.answer,
        reference_solution=inst.solution,
        meta={
            "writes": inst.category in WRITE_CATEGORIES,
            "expect": [dict(e) for e in inst.expect],
            "params": inst.params,
            "mrn": mrns[str(inst.params["pid"])],
        },
    )


def build_tasks(store: BaseStore, *, seed: int, per_category: int) -> list[Task]:
    """Every task of the suite on ``store``, category by category."""
    people = facts.people(store)
    mrns = {p.pid: p.mrn for p in people}
    out: list[Task] = []
    for category, template in TEMPLATES:
        rng = random.Random(f"arollout-fhir-tasks|{seed}|{category}")
        candidates = [i for i in template(store, people, rng) if not grading.guessable(i.answer)]
        rng.shuffle(candidates)
        out.extend(_task(seed, inst, mrns) for inst in candidates[:per_category])
    questions = [t.question for t in out]
    if len(set(questions)) != len(questions):  # the oracle policy keys on the question
        raise TaskError("two fhir tasks share a question; make the templates more specific")
    if len({t.id for t in out}) != len(out):
        raise TaskError("two fhir tasks share an id")
    return out
