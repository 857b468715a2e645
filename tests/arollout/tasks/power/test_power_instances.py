"""The built suite: size, categories, filters, determinism, references, cache."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections import Counter
from typing import TYPE_CHECKING

from arollout.tasks import grading, verify
from arollout.tasks.power import instances
from arollout.tasks.power.design import MAX_POWER, MAX_SIZE, MIN_POWER, MIN_SIZE
from arollout.tasks.power.instances import build_tasks, guesses, load_or_build, split_of

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import pytest

    from arollout.tasks.base import Task
    from arollout.tasks.power import PowerSuite


def _run(source: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<reference>", "exec"), {"__name__": "__main__"})
    return out.getvalue()


def _per_category(tasks: Sequence[Task], k: int) -> list[Task]:
    seen: Counter[str] = Counter()
    picked = []
    for task in tasks:
        if seen[task.category] < k:
            seen[task.category] += 1
            picked.append(task)
    return picked


def test_scale_categories_and_splits(full_suite: PowerSuite) -> None:
    tasks = full_suite.tasks()
    assert len(tasks) >= 3000
    counts = Counter(t.category for t in tasks)
    assert len(counts) >= 14 and set(counts) == set(full_suite.categories)
    assert min(counts.values()) >= 100  # no category starved by the filters
    assert len({t.id for t in tasks}) == len(tasks)
    assert all(t.split == split_of(t.id) for t in tasks)
    shares = Counter(t.split for t in tasks)
    assert 0.6 < shares["train"] / len(tasks) < 0.8 and shares["valid"] > 0 and shares["test"] > 0
    assert {t.split for t in full_suite.tasks("test")} == {"test"}


def test_answers_are_typed_in_range_and_not_guessable(full_suite: PowerSuite) -> None:
    for task in full_suite.tasks():
        answer = task.answer
        if task.category.endswith("_size"):
            assert answer.kind == "integer" and isinstance(answer.value, int)
            assert MIN_SIZE <= answer.value <= MAX_SIZE
            assert "round" in task.question.lower()
        else:
            assert answer.kind == "number" and answer.rel_tol == 0.01
            assert MIN_POWER <= answer.value <= MAX_POWER
            assert "between 0 and 1" in task.question
        assert not grading.guessable(answer, guesses(task.question, task.meta["target"]))


def test_no_problem_repeats_within_a_category(full_suite: PowerSuite) -> None:
    by_design = {d.name: d for d in instances.DESIGNS}
    seen: set[tuple[object, ...]] = set()
    for task in full_suite.tasks():
        signature = (task.category, *by_design[task.meta["design"]].signature(task.meta["values"]))
        assert signature not in seen
        seen.add(signature)


def test_questions_state_sidedness_and_level(full_suite: PowerSuite) -> None:
    for task in _per_category(full_suite.tasks(), 10):
        values = task.meta["values"]
        if "sided" in values:
            word = "two-sided" if values["sided"] == 2 else "one-sided"
            assert word in task.question
        alpha = values["alpha"]
        assert repr(alpha) in task.question or f"{round(alpha * 100, 6):g}%" in task.question


def test_build_is_deterministic_and_a_prefix_of_a_larger_build(full_suite: PowerSuite) -> None:
    small = build_tasks(seed=0, per_category=3)
    assert small == build_tasks(seed=0, per_category=3)
    assert small == _per_category(full_suite.tasks(), 3)  # ids do not depend on the size
    other = build_tasks(seed=1, per_category=3)
    assert not {t.id for t in small} & {t.id for t in other}


def test_reference_solutions_print_the_answer(full_suite: PowerSuite) -> None:
    for task in _per_category(full_suite.tasks(), 2):
        stdout = _run(task.reference_solution)
        assert verify.check(task.answer, stdout).correct, (task.id, stdout)
        if task.answer.kind == "integer":
            for wrong in (task.answer.value - 1, task.answer.value + 1):
                assert not verify.check(task.answer, f"{wrong}\n").correct
        else:
            value = task.answer.value
            assert verify.check(task.answer, f"{value * 1.005}\n").correct
            assert not verify.check(task.answer, f"{value * 1.015}\n").correct
            assert not verify.check(task.answer, f"{value * 100:.1f}%\n").correct


def test_guesses_read_numbers_and_percentages() -> None:
    text = "Alpha is 0.05, the SD is 12 mmHg, 35% respond; randomized 2:1."
    found = guesses(text, "size")
    assert {"0.05", "12", "35", "0.35", "2", "1"} <= set(found)
    assert "0.8" not in found and "0.8" in guesses(text, "power")


def test_cache_round_trip_and_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = load_or_build(tmp_path, seed=0, per_category=2)
    path = instances.cache_path(tmp_path, seed=0, per_category=2)
    assert path.is_file()

    def refuse(**_: object) -> list[Task]:
        raise AssertionError("a cached suite must not be rebuilt")

    monkeypatch.setattr(instances, "build_tasks", refuse)
    assert load_or_build(tmp_path, seed=0, per_category=2) == built
    monkeypatch.undo()
    path.write_bytes(b"[{not json")
    assert load_or_build(tmp_path, seed=0, per_category=2) == built
    assert json.loads(path.read_bytes())[0]["id"] == built[0].id
    assert instances.cache_path(tmp_path, seed=1, per_category=2) != path


def test_loading_a_cached_suite_is_fast_and_never_imports_statsmodels(
    full_suite: PowerSuite, power_cache: Path
) -> None:
    code = (
        "import sys, time\n"
        "t = time.perf_counter()\n"
        "from arollout.tasks import get_suite\n"
        "n = len(get_suite('power').tasks())\n"
        "print(n, time.perf_counter() - t, 'statsmodels' in sys.modules)\n"
    )
    env = {**os.environ, "AROLLOUT_CACHE": str(power_cache)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    n, elapsed, imported = done.stdout.split()
    assert int(n) == len(full_suite.tasks())
    assert float(elapsed) < 2.0
    assert imported == "False"
