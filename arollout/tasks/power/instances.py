"""Designs -> verified task instances, and the on-disk cache of a built suite.

For every category (design x target) a seeded RNG draws instances until the
category has ``per_category`` of them. A draw is dropped when

* it repeats an earlier problem of the category (same effect size and
  settings, whatever the story: see ``Design.signature``), so the same problem
  never sits in two splits;
* its answer is degenerate (``Design`` rules: out of range, or a size whose
  real solution is too close to a whole number to round safely);
* a data-free answer would pass it (:func:`arollout.tasks.grading.guessable`,
  plus :func:`guesses`: every number the question itself states and the
  conventional powers 0.5-0.95, which a model could print without computing).

Ids hash the suite, the category and the draw (values and wording), so they
are stable across runs and machines; the split is a pure function of the id.
Answers depend on the statsmodels and scipy versions, so the cache key holds
them next to the generator version, the options and a digest of this
package's source.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import tempfile
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Final

import msgspec

from arollout.tasks import grading
from arollout.tasks.base import Answer, Task
from arollout.tasks.power import anova, chisquare, proportions, survival, ttests
from arollout.tasks.power.design import TARGETS, evaluate, in_range

if TYPE_CHECKING:
    from arollout.tasks.power.design import Design, Draw, Target

__all__ = (
    "COMMON_POWERS",
    "DESIGNS",
    "GENERATOR_VERSION",
    "POWER_REL_TOL",
    "SPLITS",
    "SUITE_NAME",
    "build_tasks",
    "cache_path",
    "guesses",
    "load_or_build",
    "split_of",
    "task_id",
)

SUITE_NAME: Final = "power"
GENERATOR_VERSION: Final = 1
"""Bump whenever a change alters any task (text, values, answers or ids)."""

SPLITS: Final = ("train", "valid", "test")
_SPLIT_EDGES: Final = ((70, "train"), (80, "valid"), (100, "test"))

POWER_REL_TOL: Final = 0.01
"""Power answers pass within 1 % (relative), as in MedAgentGym's N-PowerAI grader."""

COMMON_POWERS: Final = ("0.5", "0.8", "0.85", "0.9", "0.95")
"""Powers a model might print from habit; instances they would pass are dropped."""

DESIGNS: Final[tuple[Design, ...]] = (
    *ttests.DESIGNS,
    *anova.DESIGNS,
    *chisquare.DESIGNS,
    *proportions.DESIGNS,
    *survival.DESIGNS,
)

_NUMBER: Final = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(%?)")
_MAX_TRIES: Final = 25
"""Draws per wanted instance before a category gives up (it then has fewer)."""

_TASKS: Final = msgspec.json.Decoder(list[Task])


def task_id(category: str, draw: Draw) -> str:
    """``power/<category>/<12 hex digits>`` from the suite, category and draw."""
    blob = json.dumps([SUITE_NAME, category, draw.values, draw.wording], sort_keys=True)
    return f"{SUITE_NAME}/{category}/{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


def split_of(tid: str) -> str:
    """The split of a task id (70 % train, 10 % valid, 20 % test)."""
    bucket = int(hashlib.sha256(f"split|{tid}".encode()).hexdigest()[:8], 16) % 100
    return next(name for edge, name in _SPLIT_EDGES if bucket < edge)


def guesses(question: str, target: Target) -> tuple[str, ...]:
    """Answer lines that need no computation: every number the question
    states (a percentage also as a fraction), and for powers the usual levels."""
    found: dict[str, None] = {}
    for match in _NUMBER.finditer(question):
        text = match.group(0).rstrip("%")
        found[text] = None
        if match.group(1):
            found[repr(float(text) / 100)] = None
    if target == "power":
        found.update(dict.fromkeys(COMMON_POWERS))
    return tuple(found)


def _near(lines: tuple[str, ...], value: float) -> tuple[str, ...]:
    """The guesses within 2 % of ``value``: the only ones that could pass a size
    (exact) or a power (1 %), so the grader need not parse the rest."""
    return tuple(line for line in lines if abs(float(line) - value) <= 0.02 * abs(value))


def _answer(target: Target, value: int | float) -> Answer:
    if target == "size":
        return Answer(kind="integer", value=int(value))
    return Answer(kind="number", value=float(value), rel_tol=POWER_REL_TOL)


def _category_tasks(design: Design, target: Target, seed: int, quota: int) -> list[Task]:
    category = design.category(target)
    rng = random.Random(f"{SUITE_NAME}/{seed}/{category}")
    seen: set[tuple[object, ...]] = set()
    tasks: list[Task] = []
    for _ in range(quota * _MAX_TRIES):
        if len(tasks) >= quota:
            break
        draw = design.draw(rng, target)
        try:
            signature = design.signature(draw.values)
        except (ArithmeticError, ValueError):
            continue
        if signature in seen:
            continue
        seen.add(signature)
        plan = design.plan(draw.values, target)
        value = evaluate(plan, target, draw.values.get("power"))
        if value is None or not in_range(target, value):
            continue
        answer = _answer(target, value)
        question = design.question(draw, target)
        if grading.guessable(answer, _near(guesses(question, target), float(value))):
            continue
        tid = task_id(category, draw)
        tasks.append(
            Task(
                id=tid,
                suite=SUITE_NAME,
                category=category,
                split=split_of(tid),
                question=question,
                answer=answer,
                reference_solution=plan.program,
                meta={
                    "design": design.name,
                    "target": target,
                    "values": draw.values,
                    "wording": draw.wording,
                },
            )
        )
    return tasks


def build_tasks(*, seed: int, per_category: int) -> list[Task]:
    """Every task of the suite: up to ``per_category`` per category, in a
    stable order (designs in :data:`DESIGNS` order, size before power)."""
    # Imported here, with the caller's warning filters, rather than first inside
    # ``evaluate``: there warnings are errors, and an import-time warning must
    # not drop whichever instance happens to come first.
    import scipy.stats  # type: ignore[import-untyped]  # noqa: F401
    import statsmodels.stats.power  # type: ignore[import-untyped]  # noqa: F401

    return [
        task
        for design in DESIGNS
        for target in TARGETS
        for task in _category_tasks(design, target, seed, per_category)
    ]


def cache_path(cache_dir: str | os.PathLike[str] | None, *, seed: int, per_category: int) -> Path:
    """Where the built suite for these options is cached."""
    root = Path(
        cache_dir or os.environ.get("AROLLOUT_CACHE") or Path.home() / ".cache" / "arollout"
    )
    versions = "|".join(metadata.version(dist) for dist in ("statsmodels", "scipy", "numpy"))
    blob = f"{GENERATOR_VERSION}|{seed}|{per_category}|{versions}|{_source_digest()}"
    key = hashlib.sha256(blob.encode()).hexdigest()[:16]
    return root / SUITE_NAME / f"tasks-{key}.json"


def _source_digest() -> str:
    """A hash of this package's source: an edit that forgets to bump
    :data:`GENERATOR_VERSION` still never serves tasks from the old code."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def load_or_build(
    cache_dir: str | os.PathLike[str] | None, *, seed: int, per_category: int
) -> list[Task]:
    """The built suite from the cache, building (and caching) it when missing.

    The file is written to a temporary name and renamed, so concurrent
    builders never leave a torn cache behind; an unreadable cache is rebuilt.
    """
    path = cache_path(cache_dir, seed=seed, per_category=per_category)
    try:
        return _TASKS.decode(path.read_bytes())
    except (OSError, msgspec.DecodeError):
        pass
    tasks = build_tasks(seed=seed, per_category=per_category)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tasks-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(msgspec.json.encode(tasks))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tasks
