"""The eicu and eicu-demo suites: registry, ids and splits, caching, oracle and sandbox checks."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import time
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from arollout.data.sources import DataMissingError
from arollout.errors import ConfigError, TaskError
from arollout.tasks import run_checks
from arollout.tasks.ehr import suite as ehr_suite
from arollout.tasks.ehr.instances import split_of
from arollout.tasks.eicu import SCHEMA, EicuDemoSuite, EicuSuite
from arollout.tasks.registry import get_suite
from sandboxes import SandboxPool
from sandboxes.api import Mount

if TYPE_CHECKING:
    from pathlib import Path

    from arollout.tasks.base import Answer, Task


def run_in_process(task: Task, data_dir: str, data_root: str) -> str:
    """Run a reference solution here, against the host copy of the database."""
    code = task.reference_solution.replace(f"{data_root}/", f"{data_dir}/")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<reference>", "exec"), {"__name__": "__main__"})
    return out.getvalue()


def wrong_outputs(answer: Answer) -> list[str]:
    value = answer.value
    if answer.kind == "integer":
        return [str(value + 1), str(value - 1), str(value * 10)]
    if answer.kind == "number":
        return [repr(value + 0.5), repr(value * 1.1 + 1), f"{value} {value}"]
    if answer.kind == "bool":
        return ["false" if value else "true"]
    if answer.kind == "text":
        return [value + " x", value[:-1]]
    if answer.kind == "date":
        moved = dt.datetime.fromisoformat(value) + dt.timedelta(minutes=1)
        return [str(moved), value[:10]]
    encode = msgspec.json.encode
    outs = [encode([*value, "not a value"]).decode()]
    if len(value) > 1:
        outs.append(encode(value[1:]).decode())
        if answer.kind == "list" and list(reversed(value)) != value:
            outs.append(encode(list(reversed(value))).decode())
    return outs


@pytest.mark.parametrize("which", ["synthetic", "demo"])
def test_reference_solutions_pass_and_wrong_answers_fail(
    which: str, synthetic_suite: EicuSuite, demo_suite: EicuDemoSuite
) -> None:
    suite = synthetic_suite if which == "synthetic" else demo_suite
    for task in suite.tasks():
        stdout = run_in_process(task, suite.database.directory, suite.data_root)
        assert suite.verify(task, stdout).correct, (task.id, stdout)
        for wrong in wrong_outputs(task.answer):
            assert not suite.verify(task, wrong).correct, (task.id, wrong)


def _size(suite: EicuSuite) -> dict[str, Any]:
    params = suite.database.params
    return {"seed": params["seed"], "patients": params["patients"]}


def test_registry_builds_both_suites_and_checks_options(
    synthetic_suite: EicuSuite, eicu_cache: Path, tmp_path: Path, demo_dir: Path
) -> None:
    suite = get_suite("eicu", **_size(synthetic_suite), per_category=6, cache_dir=str(eicu_cache))
    assert isinstance(suite, EicuSuite) and suite.name == "eicu"
    assert [t.id for t in suite.tasks()] == [t.id for t in synthetic_suite.tasks()]
    demo = get_suite("eicu-demo", data_dir=str(demo_dir), cache_dir=str(eicu_cache))
    assert isinstance(demo, EicuDemoSuite) and demo.name == "eicu-demo"
    with pytest.raises(ConfigError, match="'patients'"):
        get_suite("eicu", patients=5)
    with pytest.raises(ConfigError, match="'source'"):
        get_suite("eicu-demo", source="demo")
    with pytest.raises(ConfigError, match="'data_root'"):
        get_suite("eicu", data_root="relative")
    absent = get_suite("eicu-demo", data_dir=str(tmp_path))  # configuring needs no data
    with pytest.raises(DataMissingError, match="arollout data fetch eicu-demo"):
        absent.tasks()
    with pytest.raises(TaskError, match="split"):
        synthetic_suite.tasks("dev")


def test_ids_are_stable_and_splits_are_a_function_of_the_id(
    synthetic_suite: EicuSuite, tmp_path: Path
) -> None:
    tasks = synthetic_suite.tasks()
    assert len({t.id for t in tasks}) == len(tasks)
    size = _size(synthetic_suite)
    rebuilt = EicuSuite(**size, per_category=6, cache_dir=tmp_path).tasks()
    assert [msgspec.json.encode(t) for t in rebuilt] == [msgspec.json.encode(t) for t in tasks]
    other = EicuSuite(
        seed=size["seed"] + 1, patients=60, per_category=2, cache_dir=tmp_path
    ).tasks()
    assert other and not {t.id for t in other} & {t.id for t in tasks}
    parts = {s: {t.id for t in synthetic_suite.tasks(s)} for s in ("train", "valid", "test")}
    assert sum(map(len, parts.values())) == len(tasks) == len(set().union(*parts.values()))
    assert all(t.split == split_of(t.id) for t in tasks)
    assert len(parts["train"]) > len(parts["test"]) > len(parts["valid"]) > 0


def test_built_tasks_load_from_the_cache(
    synthetic_suite: EicuSuite, eicu_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the tasks were rebuilt instead of loaded")

    monkeypatch.setattr(ehr_suite, "build_instances", refuse)
    started = time.perf_counter()
    again = EicuSuite(**_size(synthetic_suite), per_category=6, cache_dir=eicu_cache)
    assert [t.id for t in again.tasks()] == [t.id for t in synthetic_suite.tasks()]
    assert time.perf_counter() - started < 2.0


def test_mounts_instructions_and_request_info(
    synthetic_suite: EicuSuite, demo_suite: EicuDemoSuite
) -> None:
    assert synthetic_suite.mounts() == (
        Mount(source=synthetic_suite.database.directory, target="/data/eicu"),
    )
    assert demo_suite.mounts()[0].target == "/data/eicu-demo"
    text = demo_suite.instructions()
    assert "/data/eicu-demo/ehr.sqlite" in text and "eICU-CRD Demo 2.0 (ODbL)" in text
    for table, columns in SCHEMA.items():
        assert f"- {table}({', '.join(c for c, _ in columns)})" in text
    assert "All rows are synthetic" in synthetic_suite.instructions()
    task = synthetic_suite.tasks()[0]
    assert "labresulttime" in synthetic_suite.request_info(task, "lab")
    assert "'sodium'" in synthetic_suite.request_info(task, "lab.labname")
    assert "diagnosis.diagnosisname = 'acute respiratory failure'" in synthetic_suite.request_info(
        task, "respiratory failure"
    )
    for t in synthetic_suite.tasks()[:5]:
        assert "/data/eicu/ehr.sqlite?mode=ro" in t.reference_solution


@pytest.mark.anyio
async def test_tasks_check_in_a_real_sandbox(
    synthetic_suite: EicuSuite, demo_suite: EicuDemoSuite
) -> None:
    """Reference solutions pass in the jail with the database mounted; trivial answers fail."""
    async with SandboxPool(slots=2, preload=("sqlite3", "json")) as pool:
        for suite in (synthetic_suite, demo_suite):
            report = await run_checks(suite, pool, sample=80, concurrency=2)
            assert report.checked == 80
            assert report.oracle_pass_rate == 1.0, report.failures
            assert report.trivial_checked > 80 * 10
            assert report.trivial_pass_rate == 0.0, report.trivial_passes


def test_package_exports() -> None:
    import arollout.tasks.eicu as package

    public = {
        n
        for n, v in vars(package).items()
        if not n.startswith("_") and not isinstance(v, type(package))
    }
    assert public - {"annotations"} == set(package.__all__)
    assert list(package.__all__) == sorted(package.__all__, key=lambda n: (not n.isupper(), n))
