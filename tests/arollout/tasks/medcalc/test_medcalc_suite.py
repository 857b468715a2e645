"""The suite as the engine sees it: registry, mounts, prompts, lookups, and a real sandbox check."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

import pytest

from arollout.errors import ConfigError, TaskError
from arollout.tasks import get_suite, run_checks
from arollout.tasks.base import Answer, Suite, Task
from arollout.tasks.medcalc import DEFAULT_DATA_ROOT, MedCalcSuite
from sandboxes import ExecRequest, ExecStatus, SandboxPool

if TYPE_CHECKING:
    from pathlib import Path


def test_registry_builds_the_suite_and_checks_options(medcalc_cache: Path) -> None:
    suite = get_suite("medcalc", per_category=12, cache_dir=str(medcalc_cache))
    assert isinstance(suite, MedCalcSuite)
    protocol: Suite = suite
    assert protocol.name == "medcalc"
    with pytest.raises(ConfigError, match="per_category"):
        get_suite("medcalc", per_category=0)
    with pytest.raises(ConfigError, match="no option"):
        get_suite("medcalc", patients=10)
    with pytest.raises(ConfigError, match="absolute"):
        get_suite("medcalc", data_root="relative/path")
    with pytest.raises(TaskError):
        MedCalcSuite(seed=-1)


def test_mount_exposes_the_notes_and_nothing_else(small_suite: MedCalcSuite) -> None:
    (mount,) = small_suite.mounts()
    assert mount.target == DEFAULT_DATA_ROOT
    from pathlib import Path

    files = {p.name for p in Path(mount.source).iterdir()}
    assert all(name.endswith(".txt") for name in files)  # no task file with gold answers
    tasks = small_suite.tasks()
    assert files == {t.meta["note_file"] for t in tasks}
    for task in tasks[::25]:
        text = (Path(mount.source) / task.meta["note_file"]).read_text(encoding="utf-8")
        assert task.question.startswith(text.rstrip("\n") + "\n\nTask:")
        assert f"{DEFAULT_DATA_ROOT}/{task.meta['note_file']}" in task.question


def test_instructions_and_request_info(small_suite: MedCalcSuite) -> None:
    text = small_suite.instructions()
    assert DEFAULT_DATA_ROOT in text and "validate_code" in text and "LAST non-empty line" in text
    task = next(t for t in small_suite.tasks() if t.category == "creatinine_clearance")
    listing = small_suite.request_info(task, "calculators")
    assert "Cockcroft-Gault" in listing and "CHA2DS2-VASc" in listing and listing.count("\n") >= 44
    about = small_suite.request_info(task, "Cockcroft-Gault")
    assert "Nephron 1976" in about and "creatinine_mg_dl" in about
    assert repr(task.answer.value) not in about and str(round(task.answer.value, 1)) not in about
    assert "divide by 88.4" in small_suite.request_info(task, "creatinine")
    assert "multiply by 2.54" in small_suite.request_info(task, "height")
    assert "Several calculators" in small_suite.request_info(task, "qtc")
    assert "Nothing matches" in small_suite.request_info(task, "zzzz")


def test_verify_is_the_typed_checker(small_suite: MedCalcSuite) -> None:
    task = next(t for t in small_suite.tasks() if t.answer.kind == "number")
    assert small_suite.verify(task, f"working...\n{task.answer.value}\n").correct
    assert not small_suite.verify(task, f"{task.answer.value}\ndone\n").correct
    foreign = Task(
        id="x",
        suite="other",
        category="c",
        split="test",
        question="?",
        answer=Answer(kind="integer", value=42),
        reference_solution="print(42)",
    )
    with pytest.raises(TaskError, match="belongs to suite"):
        small_suite.verify(foreign, "42")


@pytest.mark.anyio
async def test_tasks_check_and_note_files_in_a_real_sandbox(small_suite: MedCalcSuite) -> None:
    """Reference solutions pass in the jail and no trivial answer does; the note files are
    readable (and read-only) at the path the question names."""
    async with SandboxPool(slots=2, preload=()) as pool:
        report = await run_checks(small_suite, pool, sample=52, concurrency=2)
        task = small_suite.tasks()[0]
        path = f"{DEFAULT_DATA_ROOT}/{task.meta['note_file']}"
        code = (
            f"text = open({path!r}, encoding='utf-8').read()\nprint(len(text.strip()))\n"
            f"try:\n    open({path!r}, 'a')\nexcept OSError as exc:\n    print(type(exc).__name__)"
        )
        run = await pool.exec(ExecRequest(code=code, mounts=small_suite.mounts()))
    assert report.checked == 52
    assert report.oracle_pass_rate == 1.0, report.failures
    assert report.trivial_checked >= 52 * 14
    assert report.trivial_pass_rate == 0.0, report.trivial_passes
    assert run.status is ExecStatus.OK, run
    length, error = run.stdout.split()
    assert int(length) == len(task.question.split("\n\nTask:", 1)[0]) and error.endswith("Error")


def test_package_exports() -> None:
    import arollout.tasks.medcalc as package

    public = {
        n
        for n, v in vars(package).items()
        if not n.startswith("_") and not isinstance(v, type(package))
    }
    assert public - {"annotations"} == set(package.__all__)
    for parent in (package, importlib.import_module("arollout.tasks.medcalc.formulas")):
        for info in pkgutil.iter_modules(parent.__path__):
            module = importlib.import_module(f"{parent.__name__}.{info.name}")
            assert isinstance(module.__all__, tuple), info.name
            assert list(module.__all__) == sorted(module.__all__), info.name
