"""The ``power`` suite as the engine sees it: registry, grading, self-check in a real sandbox."""

from __future__ import annotations

import msgspec
import pytest

from arollout.errors import ConfigError, TaskError
from arollout.tasks import get_suite, grading, run_checks
from arollout.tasks.power import PowerSuite
from arollout.tasks.verify import WRONG
from sandboxes import SandboxPool


@pytest.fixture(scope="module")
def small_suite(tmp_path_factory: pytest.TempPathFactory) -> PowerSuite:
    suite = get_suite("power", per_category=4, cache_dir=str(tmp_path_factory.mktemp("small")))
    assert isinstance(suite, PowerSuite)
    suite.tasks()
    return suite


def test_registry_options(small_suite: PowerSuite) -> None:
    assert small_suite.name == "power"
    assert len(small_suite.tasks()) == 4 * len(small_suite.categories) == 96
    with pytest.raises(ConfigError, match="'per_family'"):
        get_suite("power", per_family=3)
    with pytest.raises(ConfigError, match="'per_category'"):
        get_suite("power", per_category=0)
    with pytest.raises(TaskError, match="split"):
        small_suite.tasks("dev")


def test_verify_is_strict(small_suite: PowerSuite) -> None:
    size = next(t for t in small_suite.tasks() if t.answer.kind == "integer")
    power = next(t for t in small_suite.tasks() if t.answer.kind == "number")
    n, p = size.answer.value, power.answer.value
    assert small_suite.verify(size, f"working...\n{n}\n").correct
    assert small_suite.verify(size, f"{n}.0\n").correct
    assert not small_suite.verify(size, f"{n + 1}\n").correct
    assert not small_suite.verify(size, f"{n - 0.5}\n").correct  # an unrounded size
    assert small_suite.verify(power, f"{p * 0.995:.6f}\n").correct
    wrong = small_suite.verify(power, f"{p * 0.985:.6f}\n")
    assert not wrong.correct and wrong.reason == WRONG and str(p) not in wrong.reason
    assert not small_suite.verify(power, f"{p} {p}\n").correct
    other = msgspec.structs.replace(size, suite="ehr-demo")
    with pytest.raises(TaskError, match="belongs to suite"):
        small_suite.verify(other, "1\n")


def test_suite_tricks_are_all_rejected(small_suite: PowerSuite) -> None:
    for task in small_suite.tasks():
        tricks = small_suite.trivial_codes(task)
        assert tricks  # every question states numbers
        for trick in tricks:
            assert trick.stdout is not None
            assert not small_suite.verify(task, trick.stdout).correct, (task.id, trick.label)
    power = next(t for t in small_suite.tasks() if t.answer.kind == "number")
    labels = {trick.label for trick in grading.trivial_submissions(small_suite, power)}
    assert "guess '0.8' without computing" in labels


def test_prompt_and_info_describe_the_task_without_data(small_suite: PowerSuite) -> None:
    assert small_suite.mounts() == ()
    text = small_suite.instructions()
    assert "round any fractional result UP" in text and "validate_code" in text
    task = small_suite.tasks()[0]
    info = small_suite.request_info(task, "patients")
    assert "statsmodels" in info and str(task.answer.value) not in info


@pytest.mark.anyio
async def test_tasks_check_in_a_real_sandbox(small_suite: PowerSuite) -> None:
    """Reference solutions run in the jail (statsmodels inside) and pass; nothing trivial does."""
    async with SandboxPool(
        slots=2, preload=("numpy", "scipy.stats", "statsmodels.stats.power")
    ) as pool:
        report = await run_checks(small_suite, pool, sample=48, concurrency=2)
    assert report.checked == 48
    assert report.oracle_pass_rate == 1.0, report.failures
    assert report.trivial_checked > 48 * 10
    assert report.trivial_pass_rate == 0.0, report.trivial_passes


def test_package_exports() -> None:
    import importlib
    import pkgutil

    import arollout.tasks.power as package

    public = {
        n
        for n, v in vars(package).items()
        if not n.startswith("_") and not isinstance(v, type(package))
    }
    assert public - {"annotations"} == set(package.__all__)
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        assert isinstance(module.__all__, tuple), info.name
        assert list(module.__all__) == sorted(module.__all__), info.name
        assert all(hasattr(module, name) for name in module.__all__), info.name
