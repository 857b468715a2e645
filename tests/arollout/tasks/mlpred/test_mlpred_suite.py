"""The ``mlpred`` suites as the engine sees them: hidden labels, grading, self-check in a sandbox."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import pytest

from arollout.errors import ConfigError
from arollout.tasks import get_suite, grading, run_checks
from arollout.tasks.mlpred import reference
from arollout.tasks.mlpred.suite import MlpredSuite, make_demo_suite
from sandboxes import SandboxPool
from sandboxes.api import ExecResult, ExecStatus

if TYPE_CHECKING:
    from arollout.tasks.base import Task

_PRELOAD = ("numpy", "sqlite3", "sklearn.linear_model")


def _host(suite: MlpredSuite, sandbox_path: str) -> str:
    """The host path of a path the tasks name inside the sandbox."""
    folder, _, rest = sandbox_path.removeprefix("/data/mlpred/").partition("/")
    return str(Path(suite.databases[folder].directory) / rest)


def _ran(files: dict[str, bytes]) -> ExecResult:
    return ExecResult(status=ExecStatus.OK, returncode=0, files=files)


def _of(suite: MlpredSuite, kind: str) -> list[Task]:
    return [t for t in suite.tasks() if t.meta["kind"] == kind]


def test_hidden_labels_never_enter_the_mount(small_suite: MlpredSuite) -> None:
    predict = _of(small_suite, "predict")
    assert len({t.category for t in predict}) >= 4
    heldout = set(predict[0].meta["heldout"])
    assert all(set(t.meta["heldout"]) == heldout for t in predict)  # one split per cohort
    for mount in small_suite.mounts():
        for path in Path(mount.source).glob("*.csv"):
            with path.open(newline="") as fh:
                rows = list(csv.DictReader(fh))
            if path.name == "heldout.csv":
                assert (
                    set(rows[0]) == {"icustay_id"}
                    and {int(r["icustay_id"]) for r in rows} == heldout
                )
            elif rows and {"label", "icustay_id"} <= set(rows[0]):
                assert not heldout & {int(r["icustay_id"]) for r in rows}, path.name
    for task in predict:
        assert len(task.meta["labels"]) == len(task.meta["heldout"])
        assert (
            "heldout.csv" in task.question and f">= {task.meta['threshold']:.2f}" in task.question
        )
        assert task.meta["threshold"] >= 0.65 or task.meta["metric"] == "accuracy"


def _reference_predictions(suite: MlpredSuite, task: Task) -> list[list[object]]:
    db = suite.databases[task.meta["database"]]
    con = reference.connect(db.sqlite_path)
    window = int(task.question.split("prediction time: ")[1].split(" hours")[0])
    ids, _names, matrix = reference.features(con, window)
    con.close()
    train = reference.read_train(_host(suite, task.meta["train_path"]))
    out = reference.predict(ids, matrix, train, task.meta["heldout"])
    return [[i, p] for i, p in zip(task.meta["heldout"], out, strict=True)]


def _predictions(column: str, rows: list[list[object]]) -> bytes:
    return ("\n".join([f"icustay_id,{column}", *(f"{i},{p!r}" for i, p in rows)]) + "\n").encode()


def test_predictions_are_scored_over_every_heldout_stay(small_suite: MlpredSuite) -> None:
    task = next(t for t in _of(small_suite, "predict") if t.meta["metric"] == "auroc")
    rows = _reference_predictions(small_suite, task)
    good = small_suite.grade(task, _ran({"predictions.csv": _predictions("probability", rows)}), "")
    assert good.correct and good.score == pytest.approx(task.meta["reference_score"], abs=1e-3)
    assert str(task.meta["labels"][:5]) not in good.reason
    partial = small_suite.grade(
        task, _ran({"predictions.csv": _predictions("probability", rows[:-20])}), ""
    )
    assert not partial.correct and "20 of the" in partial.reason
    assert partial.score is not None and good.score is not None and partial.score < good.score
    one = small_suite.grade(
        task, _ran({"predictions.csv": _predictions("probability", rows[:1])}), ""
    )
    assert not one.correct and one.score is not None and one.score < 0.1
    flat = small_suite.grade(
        task,
        _ran({"predictions.csv": _predictions("probability", [[i, 0.5] for i, _ in rows])}),
        "",
    )
    assert not flat.correct and flat.score == 0.5 and "below" in flat.reason
    missing = small_suite.grade(task, _ran({}), "")
    assert not missing.correct and missing.score == 0.0 and "no predictions.csv" in missing.reason
    timeout = msgspec.structs.replace(_ran({}), status=ExecStatus.TIMEOUT)
    assert "timeout" in small_suite.grade(task, timeout, "").reason
    assert not small_suite.verify(task, "AUROC 1.0").correct


def test_feature_and_label_tasks_must_match_row_for_row(
    small_suite: MlpredSuite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    hourly = _of(small_suite, "hourly")[0]
    m = hourly.meta
    reference.main_hourly(
        small_suite.databases[m["database"]].sqlite_path,
        m["ids"],
        m["variables"],
        m["hours"],
        m["agg"],
    )
    data = (tmp_path / "features.csv").read_bytes()
    assert small_suite.grade(hourly, _ran({"features.csv": data}), "").correct
    lines = data.decode().splitlines()
    short = small_suite.grade(hourly, _ran({"features.csv": "\n".join(lines[:-1]).encode()}), "")
    assert not short.correct and short.score is not None and 0 < short.score < 1
    labels = _of(small_suite, "labels")[0]
    m = labels.meta
    reference.main_labels(
        small_suite.databases[m["database"]].sqlite_path, m["ids"], m["outcome"], 12, 12
    )
    data = (tmp_path / "labels.csv").read_bytes()
    assert small_suite.grade(labels, _ran({"labels.csv": data}), "").correct
    first, *rest = data.decode().splitlines()[1:]
    stay, value = first.split(",")
    flipped = "\n".join(["icustay_id,label", f"{stay},{'1' if value == '0' else '0'}", *rest])
    wrong = small_suite.grade(labels, _ran({"labels.csv": flipped.encode()}), "")
    assert not wrong.correct and wrong.score == pytest.approx(1 - 1 / len(m["ids"]))


def test_suite_tricks_are_known_to_the_checker(small_suite: MlpredSuite) -> None:
    task = _of(small_suite, "predict")[0]
    labels = {t.label for t in grading.trivial_submissions(small_suite, task)}
    assert {"predictions: seeded random", "a single row", "printing a perfect score"} <= labels
    assert small_suite.instructions().count("predictions.csv") >= 1
    info = small_suite.request_info(task, "icustays")
    assert "intime" in info and "outtime" in info


@pytest.mark.anyio
async def test_tasks_check_in_a_real_sandbox(small_suite: MlpredSuite) -> None:
    """Reference pipelines run in the jail (sklearn inside) and pass; no trivial answer does."""
    async with SandboxPool(slots=2, preload=_PRELOAD) as pool:
        report = await run_checks(small_suite, pool, sample=16, concurrency=2)
    assert report.checked == 16
    assert report.oracle_pass_rate == 1.0, report.failures
    assert report.trivial_passed == 0, report.trivial_passes


@pytest.mark.anyio
async def test_registry_and_demo_suite(ml_cache: Path, demo_dir: Path) -> None:
    """``mlpred-demo`` builds on the workspace's demo, and its references pass in the jail."""
    with pytest.raises(ConfigError, match="'per_category'"):
        get_suite("mlpred", per_category=3)
    suite = make_demo_suite({"data_dir": str(demo_dir), "cache_dir": str(ml_cache)})
    tasks = suite.tasks()
    assert {t.category for t in tasks} == {"hourly_vitals", "hourly_labs", "cohort_labels"}
    assert len(tasks) >= 150 and "Demo 1.4" in suite.instructions()
    for task in tasks:
        if task.meta["kind"] == "labels":
            assert len(set(task.meta["gold"])) > 1  # a constant answer cannot be right
    async with SandboxPool(slots=2, preload=_PRELOAD) as pool:
        report = await run_checks(suite, pool, sample=6, concurrency=2)
    assert report.oracle_pass_rate == 1.0, report.failures
    assert report.trivial_passed == 0, report.trivial_passes
