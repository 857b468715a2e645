"""Building instances: expected values, drops, stable ids and splits, the caches."""

from __future__ import annotations

import collections
import csv
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, strategies as st

from arollout.tasks import grading
from arollout.tasks.biods import build_studies
from arollout.tasks.biods.build import build_tasks, split_of, task_id
from arollout.tasks.biods.evaluate import Evaluator
from arollout.tasks.biods.fam_cbio_mut import mutation_frequency
from arollout.tasks.biods.fam_km import incidence_rate
from arollout.tasks.biods.fam_models import correlation_ranking
from arollout.tasks.biods.family import Family, Output, code
from arollout.tasks.biods.harness import answer_of

if TYPE_CHECKING:
    from pathlib import Path

    from arollout.tasks.base import Task


def _constant(category: str, value: str) -> Family:
    return Family(
        category=category,
        outputs=(Output("x", "number", "x"),),
        variants=lambda: [{"k": k} for k in range(6)],
        question=lambda p: f"Set x ({category}, {p['k']}).",
        solution=lambda p, root: code(f"x = {value}"),
    )


FAMILIES = (
    incidence_rate,
    mutation_frequency,
    correlation_ranking,
    _constant("test_kept", "123.25"),
    _constant("test_guessable", "7"),  # "7" is a data-free answer: every instance is dropped
    _constant("test_raises", "1 / 0"),
    _constant("test_nan", "float('nan')"),
)


class _Counting:
    """Counts the reference runs the build asks for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.jobs = 0
        original = Evaluator.run

        def run(evaluator: Evaluator, jobs: Any) -> Any:
            self.jobs += len(jobs)
            return original(evaluator, jobs)

        monkeypatch.setattr(Evaluator, "run", run)


def _build(cache: Path, studies: Path, per_category: int) -> list[Task]:
    return build_tasks(
        FAMILIES,
        seed=0,
        per_category=per_category,
        host_root=str(studies),
        data_root="/data/biods",
        cache=cache,
        workers=1,
    )


@pytest.fixture(scope="module")
def studies(biods_cache: Path) -> Path:
    return build_studies(0, biods_cache)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, studies: Path) -> tuple[Path, list[Task]]:
    cache = tmp_path_factory.mktemp("build")
    return cache, _build(cache, studies, 3)


def test_quota_drops_and_order(built: tuple[Path, list[Task]]) -> None:
    _, tasks = built
    counts = collections.Counter(t.category for t in tasks)
    assert counts == {
        "incidence_rate": 3,
        "cbio_mutation_frequency": 3,
        "correlation_ranking": 3,
        "test_kept": 3,
    }
    assert [t.category for t in tasks] == sorted(
        (t.category for t in tasks), key=[f.category for f in FAMILIES].index
    )
    assert len({t.question for t in tasks}) == len(tasks)
    for task in tasks:
        for out in task.meta["outputs"]:
            if out["kind"] != "png":
                assert not grading.guessable(answer_of(out)), task.id
        assert task.split == split_of(task.id) and task.id.startswith(f"biods/{task.category}/")
        assert "/data/biods" in task.reference_solution or task.meta["synthetic"] is False


def test_expected_values_match_an_independent_computation(
    built: tuple[Path, list[Task]], studies: Path
) -> None:
    import lifelines.datasets  # type: ignore[import-untyped]

    _, tasks = built
    for task in (t for t in tasks if t.category == "incidence_rate"):
        p = task.meta["params"]
        from arollout.tasks.biods.packaged import dataset

        ds = dataset(p["ds"])
        df = getattr(lifelines.datasets, ds.loader)().dropna(subset=[ds.duration, ds.event])
        if p["sub"]:
            df = df[df[p["sub"][0]] == p["sub"][1]]
        per = 1000 if ds.unit == "days" else 100
        values = {o["name"]: o["value"] for o in task.meta["outputs"]}
        assert values["events"] == int(df[ds.event].sum())
        assert values["rate"] == pytest.approx(per * df[ds.event].sum() / df[ds.duration].sum())
    for task in (t for t in tasks if t.category == "cbio_mutation_frequency"):
        p = task.meta["params"]
        folder = studies / p["study"]
        with (folder / "data_mutations.txt").open() as handle:
            rows = list(
                csv.DictReader((r for r in handle if not r.startswith("#")), delimiter="\t")
            )
        hit = {
            r["Tumor_Sample_Barcode"]
            for r in rows
            if r["Hugo_Symbol"] == p["gene"]
            and r["Variant_Classification"] not in ("Silent", "Intron", "3'UTR", "5'UTR")
        }
        samples = [
            line
            for line in (folder / "data_clinical_sample.txt").read_text().splitlines()[5:]
            if line
        ]
        values = {o["name"]: o["value"] for o in task.meta["outputs"]}
        assert values == {
            "n_mutated": len(hit),
            "frequency": pytest.approx(len(hit) / len(samples)),
        }


def test_caches_make_rebuilds_cheap_and_identical(
    built: tuple[Path, list[Task]],
    studies: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache, first = built
    counter = _Counting(monkeypatch)
    assert _build(cache, studies, 3) == first and counter.jobs == 0  # the task cache
    assert _build(tmp_path, studies, 3) == first  # a fresh cache computes the same tasks
    fresh = counter.jobs
    more = _build(cache, studies, 4)
    assert counter.jobs - fresh < fresh / 2  # only the new candidates were run
    kept = {t.id for t in more}
    assert {t.id for t in first} <= kept


def test_ids_hash_the_seed_only_for_synthetic_studies() -> None:
    rossi = {"ds": "rossi", "sub": None}
    assert task_id(incidence_rate, rossi, 0) == task_id(incidence_rate, rossi, 1)
    tp53 = {"study": "luad_synth_2024", "gene": "TP53"}
    assert task_id(mutation_frequency, tp53, 0) != task_id(mutation_frequency, tp53, 1)
    assert task_id(mutation_frequency, tp53, 0) == task_id(mutation_frequency, dict(tp53), 0)


@given(st.text(min_size=1, max_size=40))
def test_splits_are_a_pure_function_of_the_id(name: str) -> None:
    tid = f"biods/x/{name}"
    assert split_of(tid) == split_of(str(tid)) in {"train", "valid", "test"}


def test_splits_are_about_70_10_20() -> None:
    share = collections.Counter(split_of(f"biods/x/{i}") for i in range(5000))
    assert 0.67 < share["train"] / 5000 < 0.73
    assert 0.08 < share["valid"] / 5000 < 0.12
