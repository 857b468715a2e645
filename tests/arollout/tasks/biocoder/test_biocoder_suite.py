"""The suite object: registry options, prompts, lookups, and the self-check in the real jail."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

import pytest

from arollout.errors import ConfigError, TaskError
from arollout.tasks import HarnessSuite, check_suite, get_suite, grading, run_checks
from arollout.tasks.biocoder import BiocoderSuite, harness
from arollout.tasks.biocoder.instances import hidden_tests
from sandboxes import SandboxPool

if TYPE_CHECKING:
    from pathlib import Path

    from arollout.tasks.base import Task


def test_registry_builds_it_and_checks_options(biocoder_cache: Path) -> None:
    suite = get_suite("biocoder", per_family=2, cache_dir=str(biocoder_cache), test_timeout_s=1, budget_s=4.5)
    assert isinstance(suite, BiocoderSuite) and isinstance(suite, HarnessSuite)
    assert suite.name == "biocoder" and "1 s" in suite.instructions() and "4.5 s" in suite.instructions()
    for bad in ({"per_family": 0}, {"test_timeout_s": 0}, {"test_timeout_s": 5, "budget_s": 2}, {"budget_s": "3"}):
        with pytest.raises(ConfigError):
            get_suite("biocoder", **bad)
    with pytest.raises(ConfigError, match="per_category"):
        get_suite("biocoder", per_category=3)
    with pytest.raises(TaskError, match="split"):
        suite.tasks("dev")


def test_request_info_answers_reference_lookups(small_suite: BiocoderSuite) -> None:
    task = small_suite.tasks()[0]
    mito = small_suite.request_info(task, "genetic code 2")
    assert "AGA=*" in mito and "TGA=W" in mito and "Vertebrate Mitochondrial" in mito
    assert "known ids" in small_suite.request_info(task, "table 99")
    assert "R = A/G" in small_suite.request_info(task, "IUPAC codes")
    assert "offset 64" in small_suite.request_info(task, "phred")
    assert "0x400" in small_suite.request_info(task, "sam flags")
    assert "soft clip" in small_suite.request_info(task, "cigar")
    assert str(task.meta["n_tests"]) in small_suite.request_info(task, "harness")
    assert task.meta["function"] in small_suite.request_info(task, "something else")


def test_stdout_is_not_an_answer_channel(small_suite: BiocoderSuite) -> None:
    task = small_suite.tasks()[0]
    assert not small_suite.verify(task, task.answer.value).correct


def test_program_keeps_expected_values_out_of_the_sandbox(small_suite: BiocoderSuite) -> None:
    for task in small_suite.tasks()[::9]:
        program = small_suite.program(task, "pass", "f00d")
        assert set(program.files) == {harness.SUBMISSION_FILE}
        assert "f00d" in program.code and '"expect"' not in program.code
        assert task.answer.value not in program.code
        for test in hidden_tests(task):
            assert repr(test["label"])[1:-1] in program.code


def test_foreign_tasks_are_refused(small_suite: BiocoderSuite) -> None:
    import msgspec

    task = msgspec.structs.replace(small_suite.tasks()[0], suite="other")
    with pytest.raises(TaskError):
        small_suite.program(task, "pass", "n")


def test_trivial_submissions_include_the_suite_tricks(small_suite: BiocoderSuite) -> None:
    task = small_suite.tasks()[0]
    labels = [t.label for t in grading.trivial_submissions(small_suite, task)]
    for needle in ("function returning None", "forged report with a made-up nonce", "sys.exit(0) at import", "os._exit(0) at import"):
        assert needle in labels


@pytest.mark.anyio
async def test_tasks_check_in_a_real_sandbox(small_suite: BiocoderSuite) -> None:
    """Every family's reference passes in the jail; no trivial submission passes anything."""
    per_family: dict[str, Task] = {}
    for task in small_suite.tasks():
        per_family.setdefault(task.category, task)
    async with SandboxPool(slots=2, preload=("numpy", "json")) as pool:
        oracle = await check_suite(small_suite, pool, list(per_family.values()), concurrency=4)
        report = await run_checks(small_suite, pool, sample=8, concurrency=4)
    failed = [(t.id, v.reason) for t, v, _ in oracle if not v.correct]
    assert not failed and len(oracle) >= 60
    assert report.oracle_pass_rate == 1.0, report.failures
    assert report.trivial_checked >= 8 * 25
    assert report.trivial_pass_rate == 0.0, report.trivial_passes


def test_package_exports() -> None:
    import arollout.tasks.biocoder as package

    public = {n for n, v in vars(package).items() if not n.startswith("_") and not isinstance(v, type(package))}
    assert public - {"annotations"} == set(package.__all__)
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        assert isinstance(module.__all__, tuple), info.name
        assert list(module.__all__) == sorted(module.__all__), info.name
