"""Specs -> verified task instances (answers, questions, ids, splits).

For every calculator, patients are drawn from one seeded RNG per category
until the category holds ``per_category`` instances. A draw is dropped when

* its arguments are degenerate (``Spec.valid``) or the formula fails;
* its readings or the spec's variants disagree (see :mod:`.spec`): numbers by
  more than 1 % (a fifth of the grading tolerance), anything else at all;
* a data-free answer passes it (:func:`~arollout.tasks.grading.guessable`),
  or so does printing every answer of its category at once;
* its answer already fills :data:`MAX_SHARE` of the category, so no single
  answer (an all-zero points list, say) can be guessed for many instances.

Ids hash the suite, the category, the arguments and the note text; the split
is a pure function of the id (70 % train, 10 % valid, 20 % test).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import math
import random
from typing import TYPE_CHECKING, Any, Final

from arollout.tasks import grading, verify
from arollout.tasks.base import Answer, AnswerKind, Task
from arollout.tasks.medcalc.catalog import SPECS
from arollout.tasks.medcalc.notes import add_distractors, render_note
from arollout.tasks.medcalc.source import reference_solution
from arollout.tasks.medcalc.spec import Draw

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from arollout.tasks.medcalc.spec import Spec

__all__ = (
    "BuiltTasks",
    "MAX_SHARE",
    "SPLITS",
    "SUITE_NAME",
    "TOLERANCE",
    "answer_of",
    "build_tasks",
    "question_text",
    "split_of",
)

SUITE_NAME: Final = "medcalc"
SPLITS: Final = ("train", "valid", "test")
TOLERANCE: Final = 0.05
"""MedCalc-Bench's rule for decimal answers: within 5 % of the gold value."""
MAX_SHARE: Final = 0.15
"""No answer value may make up more than this share of a category."""
_AGREE: Final = 0.01
_ATTEMPTS: Final = 60
_FAILURES: Final = (ArithmeticError, ValueError)

_OUTPUT: Final[dict[str, str]] = {
    "number": (
        "Print the answer{unit} as a single number on the last line of output. It is accepted "
        "within ±5 % (relative) of the reference value."
    ),
    "integer": "Print the score as a single integer on the last line of output; it must match exactly.",
    "date": "Print the date as YYYY-MM-DD on the last line of output; it must match exactly.",
    "weeks_days": (
        "Print the gestational age as (weeks, days), completed weeks and remaining days "
        "(0-6), on the last line of output, in the form (W, D); both must match exactly."
    ),
    "points": (
        "On the last line of output, print a JSON list of {count} numbers: the points of each "
        "criterion below, in this order, followed by the total score (their sum). Every entry "
        "must match exactly. A criterion the note does not mention counts as absent (0 points)."
    ),
}


class BuiltTasks:
    """The tasks of the suite and the note files they refer to (file name -> text)."""

    def __init__(self, tasks: list[Task], notes: dict[str, str]) -> None:
        self.tasks = tasks
        self.notes = notes


def split_of(tid: str) -> str:
    """The split of a task id (70 % train, 10 % valid, 20 % test)."""
    bucket = int(hashlib.sha256(f"split|{tid}".encode()).hexdigest()[:8], 16) % 100
    return "train" if bucket < 70 else "valid" if bucket < 80 else "test"


def answer_of(spec: Spec, result: Any) -> Answer:
    """The typed gold answer of a formula result."""
    if spec.kind == "number":
        return Answer(kind="number", value=float(result), rel_tol=TOLERANCE)
    if spec.kind == "integer":
        return Answer(kind="integer", value=int(result))
    if spec.kind == "points":
        points = list(result)
        return Answer(kind="list", value=[*points, sum(points)])
    if spec.kind == "date":
        return Answer(kind="date", value=result.isoformat())
    return Answer(kind="list", value=[int(v) for v in result])


def question_text(spec: Spec, note: str, args: dict[str, Any], note_path: str) -> str:
    """The agent-facing question: the note, the task, its rules and the output format."""
    unit = f" in {spec.unit}" if spec.unit else ""
    lines = [note, "", f"Task: {spec.ask.format_map(args)}"]
    if spec.rules:
        lines.append(spec.rules)
    lines.append(_OUTPUT[spec.kind].format(unit=unit, count=len(spec.criteria) + 1))
    lines.extend(f"{i}. {name}" for i, name in enumerate(spec.criteria, 1))
    lines.append(f"(The note is also in the file {note_path}.)")
    return "\n".join(lines)


def _agree(kind: str, results: Sequence[Any]) -> bool:
    first = results[0]
    if kind != "number":
        return all(r == first for r in results)
    if not all(math.isfinite(r) for r in results) or first == 0:
        return False
    return all(abs(r - first) <= _AGREE * abs(first) for r in results)


@functools.cache
def _parameters(func: Callable[..., Any]) -> frozenset[str]:
    return frozenset(inspect.signature(func).parameters)


def _draw(spec: Spec, rng: random.Random) -> tuple[Draw, dict[str, Any], Any] | None:
    """One patient: the draw, the formula's exact arguments and its result (or ``None``)."""
    draw = Draw(rng)
    spec.draw(draw)
    add_distractors(draw, spec.exclude)
    wanted = _parameters(spec.func)
    readings = [{k: v for k, v in r.items() if k in wanted} for r in draw.readings]
    args = readings[0]
    if spec.valid is not None and not spec.valid(args):
        return None
    try:
        results = [spec.func(**reading) for reading in readings]
        results += [variant(args) for variant in spec.variants]
    except _FAILURES:
        return None
    if not _agree(spec.kind, results):
        return None
    return draw, args, results[0]


def _task_id(spec: Spec, args: dict[str, Any], note: str) -> str:
    blob = repr((SUITE_NAME, spec.key, sorted(args.items()), note))
    return f"{SUITE_NAME}/{spec.key}/{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


def _category(
    spec: Spec, seed: int, quota: int, data_root: str
) -> tuple[list[Task], dict[str, str]]:
    rng = random.Random(f"{SUITE_NAME}/{seed}/{spec.key}")
    cap = max(1, math.ceil(MAX_SHARE * quota))
    counts: dict[str, int] = {}
    tasks: list[Task] = []
    notes: dict[str, str] = {}
    for _ in range(_ATTEMPTS * quota):
        if len(tasks) >= quota:
            break
        drawn = _draw(spec, rng)
        if drawn is None:
            continue
        draw, args, result = drawn
        answer = answer_of(spec, result)
        key = json.dumps(answer.value)
        if counts.get(key, 0) >= cap or _guessable(answer, key):
            continue
        note = render_note(draw, rng.choice(spec.complaints))
        tid = _task_id(spec, args, note)
        if tid in notes:
            continue
        counts[key] = counts.get(key, 0) + 1
        filename = f"{tid.rsplit('/', 2)[1]}-{tid.rsplit('/', 1)[1]}.txt"
        note_path = f"{data_root}/{filename}"
        notes[tid] = note
        tasks.append(
            Task(
                id=tid,
                suite=SUITE_NAME,
                category=spec.key,
                split=split_of(tid),
                question=question_text(spec, note, args, note_path),
                answer=answer,
                reference_solution=reference_solution(
                    spec.func.__name__, spec.kind, args, draw.shown
                ),
                meta={
                    "calculator": spec.title,
                    "note_file": filename,
                    "shown": {k: v for k, v in draw.shown.items() if k in args},
                },
            )
        )
    return _drop_candidate_hits(tasks), notes


@functools.cache
def _trivial_numbers() -> tuple[float, ...]:
    """The numbers the trivial answer lines parse to (what can hit a ``number`` answer)."""
    probe = Answer(kind="number", value=1.0)
    parsed = (verify.check(probe, line).parsed for line in grading.TRIVIAL_OUTPUTS)
    return tuple(p for p in parsed if p is not None)


@functools.cache
def _guessable_key(kind: AnswerKind, key: str) -> bool:
    return grading.guessable(Answer(kind=kind, value=json.loads(key)))


def _guessable(answer: Answer, key: str) -> bool:
    """:func:`grading.guessable`, fast for numbers (the same test, on pre-parsed lines)."""
    if answer.kind == "number":
        g = float(answer.value)
        limit = max(answer.rel_tol * abs(g), answer.abs_tol)
        return any(abs(p - g) <= limit for p in _trivial_numbers())
    return _guessable_key(answer.kind, key)


def _drop_candidate_hits(tasks: list[Task]) -> list[Task]:
    """Drop tasks that printing every answer of the category at once would pass.

    Only a list of the answer's own length can pass a list answer, and only a
    single candidate can pass a scalar one, so other tasks are not re-checked.
    """
    while True:
        candidates = grading.category_candidates(tasks)
        kept = []
        for task in tasks:
            items = candidates[task.category]
            size = len(task.answer.value) if task.answer.kind == "list" else 1
            lines = (json.dumps(items), ", ".join(items)) if len(items) == size else ()
            if not any(verify.check(task.answer, line).correct for line in lines):
                kept.append(task)
        if len(kept) == len(tasks):
            return kept
        tasks = kept


def build_tasks(*, seed: int, per_category: int, data_root: str) -> BuiltTasks:
    """Every task of the suite: up to ``per_category`` per calculator.

    Args:
        seed: the generator seed (same seed, same tasks).
        per_category: instances per calculator.
        data_root: where the note files appear inside the sandbox.
    """
    tasks: list[Task] = []
    notes: dict[str, str] = {}
    for spec in SPECS:
        made, texts = _category(spec, seed, per_category, data_root)
        tasks.extend(made)
        for task in made:
            notes[task.meta["note_file"]] = texts[task.id]
    return BuiltTasks(tasks, notes)
