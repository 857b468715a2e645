"""The suite as the engine sees it: size, ids, splits, caching, prompt, protocols, registry."""

from __future__ import annotations

import collections
import importlib
import pkgutil
import time
from typing import TYPE_CHECKING

import pytest

import arollout.tasks.fhir as package
from arollout.errors import ConfigError, TaskError
from arollout.tasks import grading
from arollout.tasks.base import EpisodeSuite, HarnessSuite
from arollout.tasks.fhir import CATEGORIES, FhirSuite, codes
from arollout.tasks.fhir.build import SUITE_NAME, WRITE_CATEGORIES, split_of, task_id
from arollout.tasks.registry import get_suite, list_suites
from sandboxes.api import ExecResult, ExecStatus

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def full(fhir_cache: Path) -> FhirSuite:
    """The default-size suite (built once into the session cache)."""
    suite = FhirSuite(cache_dir=fhir_cache)
    suite.tasks()
    return suite


def test_default_size_categories_and_balance(full: FhirSuite) -> None:
    tasks = full.tasks()
    per = collections.Counter(t.category for t in tasks)
    assert len(tasks) >= 2000 and len(per) >= 10 and set(per) == set(CATEGORIES)
    assert min(per.values()) >= 150
    for category in ("magnesium_replacement", "potassium_replacement", "a1c_reorder"):
        ordered = sum(1 for t in tasks if t.category == category and t.meta["expect"])
        assert 0.25 <= ordered / per[category] <= 0.75, category  # both branches of the rule
    splits = collections.Counter(t.split for t in tasks)
    assert (
        set(splits) == {"train", "valid", "test"}
        and splits["train"] > splits["test"] > splits["valid"]
    )


def test_ids_questions_and_splits(full: FhirSuite) -> None:
    tasks = full.tasks()
    assert len({t.id for t in tasks}) == len({t.question for t in tasks}) == len(tasks)
    for t in tasks[:: max(1, len(tasks) // 200)]:
        assert t.suite == SUITE_NAME and t.id.startswith(f"fhir/{t.category}/")
        assert t.id == task_id(0, t.category, t.meta["params"]) and t.split == split_of(t.id)
        assert not grading.guessable(t.answer)
        assert t.meta["writes"] is (t.category in WRITE_CATEGORIES)
        assert "fhir_" in t.reference_solution
        assert t.meta["mrn"] in t.question or t.category == "mrn_lookup"
    assert full.tasks("test") == tuple(t for t in tasks if t.split == "test")
    with pytest.raises(TaskError, match="unknown split"):
        full.tasks("dev")


def test_the_same_seed_gives_the_same_tasks_and_another_differs(tmp_path: Path) -> None:
    first = FhirSuite(patients=60, per_category=5, cache_dir=tmp_path / "a").tasks()
    again = FhirSuite(patients=60, per_category=5, cache_dir=tmp_path / "b").tasks()  # built afresh
    assert first == again and len(first) > 40
    other = FhirSuite(seed=1, patients=60, per_category=5, cache_dir=tmp_path / "a").tasks()
    assert {t.id for t in other}.isdisjoint({t.id for t in first})


def test_loading_from_the_cache_is_fast(full: FhirSuite, fhir_cache: Path) -> None:
    t0 = time.perf_counter()
    suite = FhirSuite(cache_dir=fhir_cache)
    assert len(suite.tasks()) == len(full.tasks())
    tasks_s = time.perf_counter() - t0
    _ = suite.store
    assert tasks_s < 1.0 and time.perf_counter() - t0 < 2.0


def test_protocols_and_the_prompt(small_suite: FhirSuite) -> None:
    assert isinstance(small_suite, HarnessSuite) and isinstance(small_suite, EpisodeSuite)
    assert grading.is_episodic(small_suite) and small_suite.mounts() == ()
    text = small_suite.instructions()
    for words in (
        codes.FHIR_BASE,
        codes.NOW_TEXT,
        "fhir_post",
        "identifier=<MRN>",
        "_sort=-date",
        "cannot be undone",
    ):
        assert words in text, words
    assert "terminal" not in text and small_suite.allow_terminal is False
    task = small_suite.tasks()[0]
    program = small_suite.program(task, "print(1)", "nonce")
    assert program.code.startswith("import _fhir_prelude\n") and "print(1)" in program.code
    assert b"def fhir_get" in program.files["_fhir_prelude.py"]


def test_request_info_describes_the_api_not_the_answers(small_suite: FhirSuite) -> None:
    task = small_suite.tasks()[0]
    assert "clinical-status" in small_suite.request_info(task, "condition")
    assert "writable" in small_suite.request_info(task, "ServiceRequest")
    assert "2601-3" in small_suite.request_info(task, "magnesium")
    assert "RxNorm 8591" in small_suite.request_info(task, "codes")
    assert "nothing matches" in small_suite.request_info(task, "zebra")
    for t in small_suite.tasks():
        assert str(t.meta["params"]["pid"]) not in small_suite.request_info(t, t.category)


def test_grading_outside_an_episode_is_refused(small_suite: FhirSuite) -> None:
    write = next(t for t in small_suite.tasks() if t.meta["writes"])
    read = next(t for t in small_suite.tasks() if t.category == "patient_age")
    with pytest.raises(TaskError, match="open_episode"):
        small_suite.grade(write, ExecResult(status=ExecStatus.OK), "n")
    with pytest.raises(TaskError, match="write task"):
        small_suite.verify(write, "x")
    assert small_suite.verify(read, str(read.answer.value)).correct
    foreign = read.__class__(
        **{**{f: getattr(read, f) for f in read.__struct_fields__}, "suite": "other"}
    )
    with pytest.raises(TaskError, match="belongs to suite"):
        small_suite.program(foreign, "", "")


def test_registry_entry(fhir_cache: Path) -> None:
    assert "fhir" in list_suites()
    suite = get_suite("fhir", patients=150, per_category=10, cache_dir=str(fhir_cache))
    assert isinstance(suite, FhirSuite) and suite.name == "fhir"
    with pytest.raises(ConfigError, match="patients"):
        get_suite("fhir", patients=3)
    with pytest.raises(ConfigError, match="no option"):
        get_suite("fhir", data_root="/x")


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then the rest (ruff's RUF022 order)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2), name


def test_package_exports() -> None:
    public = {
        n
        for n, v in vars(package).items()
        if not n.startswith("_") and not isinstance(v, type(package))
    }
    assert public - {"annotations"} == set(package.__all__)
    assert list(package.__all__) == sorted(package.__all__, key=_isort_key)
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        assert isinstance(module.__all__, tuple), info.name
        assert list(module.__all__) == sorted(module.__all__, key=_isort_key), info.name
        for name in module.__all__:
            assert hasattr(module, name), (info.name, name)
