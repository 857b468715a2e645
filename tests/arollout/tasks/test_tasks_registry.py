from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from arollout.errors import ConfigError
from arollout.tasks import EhrDemoSuite, check_suite, get_suite, list_suites
from arollout.tasks.verify import WRONG

from ..helpers import SubprocessPool


def test_list_and_get() -> None:
    assert "ehr-demo" in list_suites()
    assert list(list_suites()) == sorted(list_suites())


def test_get_suite_builds_with_options(tmp_path: Path) -> None:
    suite = get_suite("ehr-demo", seed=3, patients=30, per_category=2, cache_dir=str(tmp_path))
    assert isinstance(suite, EhrDemoSuite)
    assert suite.name == "ehr-demo"
    assert suite.database.seed == 3 and suite.database.patients == 30
    assert Path(suite.database.directory).is_relative_to(tmp_path)


def test_unknown_suite_lists_known_ones() -> None:
    with pytest.raises(ConfigError, match="ehr-demo"):
        get_suite("mimic-iv-full")


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"sed": 1}, "'sed'"),
        ({"seed": "1"}, "'seed'"),
        ({"patients": 3}, "'patients'"),
        ({"per_category": 0}, "'per_category'"),
        ({"cache_dir": 5}, "'cache_dir'"),
        ({"data_root": "data"}, "'data_root'"),
    ],
)
def test_bad_options_are_config_errors(options: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        get_suite("ehr-demo", **options)


@pytest.fixture(scope="module")
def small_suite(tmp_path_factory: pytest.TempPathFactory) -> EhrDemoSuite:
    cache = tmp_path_factory.mktemp("small-cache")
    probe = EhrDemoSuite(seed=11, patients=120, cache_dir=cache)
    suite = EhrDemoSuite(
        seed=11, patients=120, per_category=5, cache_dir=cache, data_root=probe.database.directory
    )
    suite.tasks()
    return suite


@pytest.mark.anyio
async def test_check_suite_runs_every_reference_solution_in_a_subprocess(
    small_suite: EhrDemoSuite, tmp_path: Path
) -> None:
    pool = SubprocessPool(tmp_path)
    results = await check_suite(small_suite, pool, concurrency=4)
    tasks = small_suite.tasks()
    assert [t.id for t, _, _ in results] == [t.id for t in tasks]
    assert len({t.category for t in tasks}) >= 6
    for task, verdict, run in results:
        assert run.ok, run.stderr
        assert verdict.correct, (task.id, run.stdout, verdict.reason)
    assert all(r.mounts == small_suite.mounts() for r in pool.requests)
    assert len(pool.requests) == len(tasks)


@pytest.mark.anyio
async def test_check_suite_reports_broken_solutions(
    small_suite: EhrDemoSuite, tmp_path: Path
) -> None:
    good, bad_code = small_suite.tasks()[:2]
    bad_answer = next(t for t in small_suite.tasks() if t.answer.kind == "integer")
    broken = [
        good,
        msgspec.structs.replace(bad_code, reference_solution="raise SystemExit('boom')"),
        msgspec.structs.replace(
            bad_answer, reference_solution=f"print({bad_answer.answer.value + 1})"
        ),
    ]
    results = await check_suite(small_suite, SubprocessPool(tmp_path), broken)
    assert [v.correct for _, v, _ in results] == [True, False, False]
    assert "runtime_error" in results[1][1].reason and "boom" in results[1][1].reason
    assert results[2][1].reason == WRONG
    assert str(bad_answer.answer.value) not in results[2][1].reason


def test_package_exports() -> None:
    import arollout.tasks
    import arollout.tasks.demo

    for module in (arollout.tasks, arollout.tasks.demo):
        assert isinstance(module.__all__, tuple)
        assert all(hasattr(module, name) for name in module.__all__)
