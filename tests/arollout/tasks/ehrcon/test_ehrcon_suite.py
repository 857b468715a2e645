"""The ``ehrcon`` suite as the engine sees it: strict set answers, trivial answers, sandbox check."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from arollout.errors import ConfigError
from arollout.tasks import get_suite, grading, run_checks
from arollout.tasks.ehrcon.suite import form_guesses, make_suite
from sandboxes import SandboxPool

if TYPE_CHECKING:
    from pathlib import Path

    from arollout.tasks.ehrcon.suite import EhrconSuite


def test_answers_are_exact_sets_of_tags(host_suite: EhrconSuite) -> None:
    task = next(t for t in host_suite.tasks() if len(t.answer.value) >= 2)
    gold = list(task.answer.value)
    tags = [f"E{i + 1}" for i in range(len(task.meta["mentions"]))]
    assert host_suite.verify(task, "checking...\n" + json.dumps(gold[::-1])).correct
    assert host_suite.verify(task, ", ".join(g.lower() for g in gold)).correct
    assert not host_suite.verify(task, json.dumps(gold[:-1])).correct  # one missed
    extra = next(t for t in tags if t not in gold)
    assert not host_suite.verify(task, json.dumps([*gold, extra])).correct  # one too many
    assert not host_suite.verify(task, json.dumps(tags)).correct  # every candidate at once
    assert not host_suite.verify(task, "[]").correct
    assert not host_suite.verify(task, json.dumps([g.removeprefix("E") for g in gold])).correct


def test_no_answer_read_off_the_note_is_right(host_suite: EhrconSuite) -> None:
    tasks = host_suite.tasks()
    candidates = grading.category_candidates(tasks)
    for task in tasks:
        assert not grading.guessable(task.answer)
        for trivial in grading.trivial_submissions(host_suite, task, candidates[task.category]):
            if trivial.stdout is not None:
                assert not host_suite.verify(task, trivial.stdout).correct, (task.id, trivial.label)
        assert all(
            set(g) != set(task.answer.value) for g in form_guesses(task.meta["mentions"]).values()
        )


def test_prompt_states_the_rules_and_the_data(host_suite: EhrconSuite) -> None:
    text = host_suite.instructions()
    assert "## Consistency rules" in text and "HR means 'heart rate'" in text
    assert text.index("## Consistency rules") < text.index("## Actions")
    task = host_suite.tasks()[0]
    assert "prescriptions" in host_suite.request_info(task, "prescriptions")
    with pytest.raises(ConfigError, match="'source'"):
        get_suite("ehrcon", source="notes")


@pytest.mark.anyio
async def test_tasks_check_in_a_real_sandbox(jail_suite: EhrconSuite) -> None:
    async with SandboxPool(slots=2, preload=("sqlite3", "json")) as pool:
        report = await run_checks(jail_suite, pool, sample=36, concurrency=2)
    assert report.checked == 36
    assert report.oracle_pass_rate == 1.0, report.failures
    assert report.trivial_pass_rate == 0.0, report.trivial_passes


def test_demo_source(demo_dir: Path, con_cache: Path) -> None:
    suite = make_suite(
        {
            "source": "demo",
            "data_dir": str(demo_dir),
            "per_category": 8,
            "cache_dir": str(con_cache),
        }
    )
    tasks = suite.tasks()
    assert len(tasks) == 8 * 12
    assert all(1 <= len(t.answer.value) < len(t.meta["mentions"]) for t in tasks)


def test_public_names_are_exported_and_sorted() -> None:
    import arollout.tasks.ehrcon as package

    assert list(package.__all__) == sorted(package.__all__)
    public = {
        n
        for n, v in vars(package).items()
        if not n.startswith("_") and not isinstance(v, type(package))
    }
    assert public - {"annotations"} == set(package.__all__)
