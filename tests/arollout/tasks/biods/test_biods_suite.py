"""The ``biods`` suite as the engine sees it: registry, prompt, lookups, self-check in a real sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from arollout.errors import ConfigError, TaskError
from arollout.tasks import get_suite
from arollout.tasks.base import HarnessSuite
from arollout.tasks.biods import DEFAULT_PER_CATEGORY, FAMILIES, BiodsSuite
from arollout.tasks.check import run_checks
from sandboxes import SandboxPool

if TYPE_CHECKING:
    from arollout.tasks.base import Task


def test_registry_builds_it_and_checks_options(biods_cache: Path) -> None:
    suite = get_suite("biods", per_category=1, cache_dir=str(biods_cache), workers=2)
    assert isinstance(suite, BiodsSuite) and isinstance(suite, HarnessSuite)
    for bad, needle in (
        ({"per_category": 0}, "'per_category'"),
        ({"data_root": "data"}, "'data_root'"),
        ({"workers": 0}, "'workers'"),
        ({"genes": 3}, "'genes'"),
    ):
        with pytest.raises(ConfigError, match=needle):
            get_suite("biods", **bad)


def test_one_task_per_category_with_unique_ids_and_questions(small_suite: BiodsSuite) -> None:
    tasks = small_suite.tasks()
    assert len(FAMILIES) >= 50 and small_suite.categories == tuple(f.category for f in FAMILIES)
    assert [t.category for t in tasks] == list(small_suite.categories)
    assert len({t.id for t in tasks}) == len({t.question for t in tasks}) == len(tasks)
    assert {t.split for t in small_suite.tasks("test")} == {"test"}
    with pytest.raises(TaskError, match="split"):
        small_suite.tasks("dev")


def test_the_variant_space_can_reach_the_suite_size() -> None:
    room = 0
    for family in FAMILIES:
        candidates = len(family.variants())
        assert candidates >= 20, family.category  # no category is a handful of fixed questions
        room += min(candidates, round(DEFAULT_PER_CATEGORY * family.quota_scale))
    assert room >= 3300  # drops (degenerate or guessable answers) cost well under 10 %


def test_no_expected_value_is_inside_the_program(small_suite: BiodsSuite) -> None:
    for task in small_suite.tasks():
        program = small_suite.program(task, "pass", "f" * 32)
        for out in task.meta["outputs"]:
            if out["kind"] == "number" and len(repr(out["value"])) > 6:
                assert repr(out["value"]) not in program.code, task.id
            if out["kind"] in ("list", "text"):
                assert repr(out["value"]) not in program.code, task.id
        assert not small_suite.verify(task, "anything\n").correct


def test_prompt_and_lookups_describe_the_data(small_suite: BiodsSuite) -> None:
    text = small_suite.instructions()
    assert "/data/biods/<study>/" in text and "luad_synth_2024" in text and "rossi" in text
    task = small_suite.tasks()[0]
    assert "week" in small_suite.request_info(task, "rossi")
    assert "mean radius" in small_suite.request_info(task, "breast_cancer")
    study = small_suite.request_info(task, "gbm_synth_2021")
    assert "data_mutations.txt" in study
    patient = small_suite.request_info(task, "gbm_synth_2021/data_clinical_patient.txt")
    assert "OS_STATUS" in patient and "1:DECEASED" in patient
    assert "Did you mean" in small_suite.request_info(task, "rosi")
    mount = small_suite.mounts()[0]
    assert mount.target == "/data/biods" and (Path(mount.source) / "gbm_synth_2021").is_dir()


def _picked(suite: BiodsSuite) -> list[Task]:
    """A package-data fit and plot, a text answer, a synthetic study's list answer and plot."""
    wanted = ("cox_adjusted_hr", "km_plot", "parametric_model_selection", "cbio_gene_barplot")
    return [t for t in suite.tasks() if t.category in wanted]


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_self_check_in_a_real_sandbox(small_suite: BiodsSuite) -> None:
    tasks = _picked(small_suite)
    assert len(tasks) == 4
    async with SandboxPool(slots=2) as pool:
        report = await run_checks(small_suite, pool, tasks, concurrency=2)
    assert report.checked == 4
    assert report.oracle_pass_rate == 1.0, report.failures
    assert report.trivial_checked >= 4 * 20
    assert report.trivial_pass_rate == 0.0, report.trivial_passes
