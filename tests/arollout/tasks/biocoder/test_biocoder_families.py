"""The built suite: scale, ids, splits, discriminating tests, mutants, determinism, cache."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from typing import TYPE_CHECKING

import msgspec

from arollout.tasks.biocoder import FAMILIES, build
from arollout.tasks.biocoder.family import mutate, reference_source
from arollout.tasks.biocoder.instances import hidden_tests, load_function, passes, split_of, task_id

if TYPE_CHECKING:
    from pathlib import Path

    from arollout.tasks.base import Task
    from arollout.tasks.biocoder import BiocoderSuite

_RAISES = "__raises__"


def test_scale_categories_and_splits(full_suite: BiocoderSuite) -> None:
    tasks = full_suite.tasks()
    assert len(tasks) >= 3000
    counts = Counter(t.category for t in tasks)
    assert len(counts) >= 60 and set(counts) == set(full_suite.categories)
    assert min(counts.values()) >= 4
    assert len({t.id for t in tasks}) == len(tasks)
    assert len({t.question for t in tasks}) == len(tasks)  # the oracle maps questions to code
    assert all(t.split == split_of(t.id) for t in tasks)
    shares = Counter(t.split for t in tasks)
    assert 0.6 < shares["train"] / len(tasks) < 0.8 and shares["valid"] > 0 and shares["test"] > 0
    assert {t.split for t in full_suite.tasks("valid")} == {"valid"}


def test_ids_are_a_function_of_family_and_params(full_suite: BiocoderSuite) -> None:
    by_name = {f.name: f for f in FAMILIES}
    for task in full_suite.tasks()[::37]:
        assert task.id == task_id(by_name[task.category], task.meta["params"], 0)
        assert task.id.startswith(f"biocoder/{task.category}/")


def test_tests_are_rich_enough_that_constants_and_identity_fail(full_suite: BiocoderSuite) -> None:
    for task in full_suite.tasks():
        tests = hidden_tests(task)
        assert len(tests) >= 8, task.id
        values = [json.dumps(t["expect"], sort_keys=True) for t in tests if not (isinstance(t["expect"], dict) and _RAISES in t["expect"])]
        assert len(set(values)) >= 2, task.id  # no constant function passes
        assert any(t["label"].startswith("random") for t in tests), task.id
        assert len({t["label"] for t in tests}) == len(tests), task.id


def test_every_family_states_its_params_in_the_question(full_suite: BiocoderSuite) -> None:
    for task in full_suite.tasks()[::11]:
        assert f"`{task.meta['function']}`" in task.question
        assert f"def {task.meta['function']}(" in task.question
        assert "Rules:" in task.question
        for value in task.meta["params"].values():
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2:
                assert str(value) in task.question, (task.id, value)


def _by_family(suite: BiocoderSuite) -> dict[str, list[Task]]:
    out: dict[str, list[Task]] = {}
    for task in suite.tasks():
        out.setdefault(task.category, []).append(task)
    return out


def test_every_mutant_of_every_family_is_caught(full_suite: BiocoderSuite) -> None:
    """A subtly wrong implementation (an off-by-one, a forgotten case rule, a swapped
    sign) fails the hidden tests of at least one instance where it changes the code."""
    metas = _by_family(full_suite)
    rng = random.Random(0)
    for family in FAMILIES:
        sample = rng.sample(metas[family.name], min(12, len(metas[family.name])))
        for old, new in family.mutants:
            changed = caught = 0
            for task in sample:
                params = task.meta["params"]
                body = family.body_of(params)
                if old not in body:
                    continue
                source = reference_source(family, params, mutate(body, old, new))
                if source == reference_source(family, params):
                    continue
                changed += 1
                fn = load_function(source, family.func, "mutant")
                caught += not passes(family, fn, hidden_tests(task))
            assert changed, (family.name, old)
            assert caught, (family.name, old, new)


def test_references_pass_and_neighbouring_specs_fail(full_suite: BiocoderSuite) -> None:
    """An agent that ignores one parameter of the description (implements a neighbouring
    spec: another table, k, threshold or border rule) fails the hidden tests."""
    metas = _by_family(full_suite)
    told = compared = 0
    for family in FAMILIES:
        fam_told = fam_compared = 0
        for task in metas[family.name][:3]:
            params = task.meta["params"]
            tests = hidden_tests(task)
            source = reference_source(family, params)
            assert passes(family, load_function(source, family.func), tests)
            for other in family.variants:
                if sum(other[k] != params[k] for k in params) != 1:
                    continue
                other_source = reference_source(family, other)
                if other_source == source:
                    continue
                fam_compared += 1
                fam_told += not passes(family, load_function(other_source, family.func), tests)
        assert fam_compared == 0 or fam_told / fam_compared >= 0.75, (family.name, fam_told, fam_compared)
        told += fam_told
        compared += fam_compared
    assert compared > 1000 and told / compared >= 0.97


def test_building_is_deterministic_and_quick_to_reload(tmp_path: Path) -> None:
    picked = [f for f in FAMILIES if f.name in ("translate", "otsu_threshold", "semiglobal_alignment_score")]
    first, _ = build.build_tasks(per_family=3, seed=5, families=picked)
    second, _ = build.build_tasks(per_family=3, seed=5, families=picked)
    assert msgspec.msgpack.encode(first) == msgspec.msgpack.encode(second)
    other, _ = build.build_tasks(per_family=3, seed=6, families=picked)
    assert [t.id for t in other] != [t.id for t in first]  # the seed changes ids and inputs


def test_the_cache_serves_the_built_tasks(full_suite: BiocoderSuite, biocoder_cache: Path) -> None:
    path = build.cache_path(biocoder_cache, per_family=100, seed=0)
    assert path.is_file()
    t0 = time.perf_counter()
    again = build.load_tasks(per_family=100, seed=0, cache_dir=biocoder_cache)
    assert time.perf_counter() - t0 < 2.0
    assert [t.id for t in again] == [t.id for t in full_suite.tasks()]


def test_a_corrupt_cache_is_rebuilt_and_stale_ones_dropped(tmp_path: Path) -> None:
    path = build.cache_path(tmp_path, per_family=1, seed=0)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00 not msgpack")
    stale = path.with_name(path.name.rsplit("-", 1)[0] + "-0123456789abcdef.msgpack")
    other_options = build.cache_path(tmp_path, per_family=2, seed=0)
    stale.write_bytes(b"old")
    other_options.write_bytes(b"kept")
    tasks = build.load_tasks(per_family=1, seed=0, cache_dir=tmp_path)
    assert len(tasks) >= 60
    assert build.load_tasks(per_family=1, seed=0, cache_dir=tmp_path) == tasks
    assert not stale.exists() and other_options.exists()
