"""Families -> verified task instances, with the expensive part cached on disk.

For each family the candidate variants are shuffled with a seeded RNG and
taken in that order until the family's quota is met. A candidate becomes a
task when its reference solution, run on the host (``evaluate``), yields
usable outputs, none of which a data-free answer would hit
(:func:`arollout.tasks.grading.guessable`), and its question is new.

Caches, under ``<cache>/biods/``:

* ``evals-<key>.json``: the outcome of every reference run, keyed by a hash
  of the family, the parameters and the exact solution and guard source, in
  a file keyed by the library versions and the seed. Changing one family's
  code re-runs only that family; upgrading lifelines re-runs everything.
* ``tasks-<key>.msgpack``: the finished task list for one
  ``(seed, per_category, data_root)`` and this package's source; loading it
  is the fast path (well under a second for the full suite).

Ids hash the suite, the category and the parameters (plus the seed for the
synthetic studies, whose data depend on it); the split is a pure function of
the id (70 % train, 10 % valid, 20 % test).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import random
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import msgspec

from arollout.tasks.base import Task
from arollout.tasks.biods.cbio_code import QUESTION_ROOT
from arollout.tasks.biods.evaluate import Evaluator
from arollout.tasks.biods.harness import answer_of
from arollout.tasks.grading import guessable

if TYPE_CHECKING:
    from arollout.tasks.biods.family import Family, Params

__all__ = ("SPLITS", "SUITE_NAME", "build_tasks", "library_versions", "split_of", "task_id")

SUITE_NAME: Final = "biods"
SPLITS: Final = ("train", "valid", "test")
_SPLIT_EDGES: Final = ((70, "train"), (80, "valid"), (100, "test"))
_LIBRARIES: Final = (
    "lifelines",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "scikit-learn",
    "matplotlib",
)
_TASKS: Final = msgspec.msgpack.Decoder(list[Task])


def library_versions() -> dict[str, str]:
    """Versions of the libraries the expected values depend on."""
    out = {}
    for name in _LIBRARIES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


def _synthetic(family: Family) -> bool:
    return "cbio" in family.tags


def task_id(family: Family, params: Params, seed: int) -> str:
    """``biods/<category>/<hash of suite, category, parameters (and seed for studies)>``."""
    parts: list[Any] = [SUITE_NAME, family.category, params]
    if _synthetic(family):
        parts.append(seed)
    blob = json.dumps(parts, sort_keys=True)
    return f"{SUITE_NAME}/{family.category}/{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


def split_of(tid: str) -> str:
    bucket = int(hashlib.sha256(f"split|{tid}".encode()).hexdigest()[:8], 16) % 100
    return next(name for edge, name in _SPLIT_EDGES if bucket < edge)


def _source_digest() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(here.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class _Candidate:
    __slots__ = ("family", "key", "params")

    def __init__(self, family: Family, params: Params, host_root: str) -> None:
        self.family = family
        self.params = params
        source = family.solution(params, host_root)
        guard = family.guard(params) if family.guard else ""
        blob = json.dumps([family.category, params, source, guard], sort_keys=True)
        self.key = hashlib.sha256(blob.encode()).hexdigest()[:24]


def _accept(family: Family, outcome: dict[str, Any]) -> list[dict[str, Any]] | None:
    values = outcome.get("values")
    if values is None:
        return None
    outputs = [
        {
            "name": o.name,
            "kind": o.kind,
            "rel_tol": o.rel_tol if o.kind == "number" else 0.0,
            "abs_tol": o.abs_tol if o.kind == "number" else 0.0,
            "value": values[o.name],
        }
        for o in family.outputs
    ]
    for out in outputs:
        if out["kind"] != "png" and guessable(answer_of(out)):
            return None
    return outputs


def _make_task(
    family: Family, params: Params, outputs: list[dict[str, Any]], seed: int, data_root: str
) -> Task:
    tid = task_id(family, params, seed)
    primary = next(o for o in outputs if o["kind"] != "png")
    return Task(
        id=tid,
        suite=SUITE_NAME,
        category=family.category,
        split=split_of(tid),
        question=family.full_question(params).replace(
            QUESTION_ROOT + "/", data_root.rstrip("/") + "/"
        ),
        answer=answer_of(primary),
        reference_solution=family.solution(params, data_root),
        meta={"params": params, "outputs": outputs, "synthetic": _synthetic(family)},
    )


def _select(
    families: tuple[Family, ...],
    per_category: int,
    seed: int,
    host_root: str,
    data_root: str,
    evals: dict[str, dict[str, Any]],
    workers: int,
) -> list[Task]:
    plans: list[tuple[Family, list[Params], int]] = []
    for family in families:
        seen: dict[str, Params] = {}
        for params in family.variants():
            seen.setdefault(json.dumps(params, sort_keys=True), params)
        candidates = list(seen.values())
        random.Random(f"{SUITE_NAME}|{seed}|{family.category}").shuffle(candidates)
        plans.append((family, candidates, max(1, round(per_category * family.quota_scale))))
    accepted: dict[str, list[Task]] = {f.category: [] for f in families}
    positions = dict.fromkeys(accepted, 0)
    questions: set[str] = set()
    with Evaluator(workers) as evaluator:
        while True:
            batch: list[tuple[Family, list[_Candidate]]] = []
            for family, candidates, quota in plans:
                need = quota - len(accepted[family.category])
                pos = positions[family.category]
                if need <= 0 or pos >= len(candidates):
                    continue
                take = candidates[pos : pos + need + max(2, need // 8)]
                positions[family.category] = pos + len(take)
                batch.append((family, [_Candidate(family, p, host_root) for p in take]))
            if not batch:
                break
            jobs = [
                (
                    c.key,
                    family.solution(c.params, host_root),
                    [(o.name, o.kind) for o in family.outputs],
                    family.guard(c.params) if family.guard else "",
                )
                for family, cands in batch
                for c in cands
                if c.key not in evals
            ]
            evals.update(evaluator.run(jobs))
            for family, cands in batch:
                quota = next(q for f, _, q in plans if f is family)
                for cand in cands:
                    if len(accepted[family.category]) >= quota:
                        break
                    outputs = _accept(family, evals[cand.key])
                    if outputs is None:
                        continue
                    task = _make_task(family, cand.params, outputs, seed, data_root)
                    if task.question in questions:
                        continue
                    questions.add(task.question)
                    accepted[family.category].append(task)
    return [task for family in families for task in accepted[family.category]]


def build_tasks(
    families: tuple[Family, ...],
    *,
    seed: int,
    per_category: int,
    host_root: str,
    data_root: str,
    cache: Path,
    workers: int,
) -> list[Task]:
    """Every task of the suite, from the cache when this exact build was done before.

    Args:
        families: the families, in category order.
        seed: the synthetic studies' seed.
        per_category: target number of instances per category.
        host_root: where the synthetic studies are on the host (reference runs).
        data_root: where they appear in the sandbox (the tasks' reference solutions).
        cache: the ``<cache>/biods`` directory.
        workers: processes that run reference solutions.
    """
    versions = json.dumps(library_versions(), sort_keys=True)
    ekey = hashlib.sha256(f"{versions}|seed={seed}".encode()).hexdigest()[:16]
    tkey = hashlib.sha256(
        f"{ekey}|{per_category}|{data_root}|{_source_digest()}|{[f.category for f in families]}".encode()
    ).hexdigest()[:16]
    tasks_path = cache / f"tasks-{tkey}.msgpack"
    if tasks_path.is_file():
        return _TASKS.decode(tasks_path.read_bytes())
    evals_path = cache / f"evals-{ekey}.json"
    evals: dict[str, dict[str, Any]] = {}
    if evals_path.is_file():
        evals = msgspec.json.decode(evals_path.read_bytes())
    before = len(evals)
    tasks = _select(families, per_category, seed, host_root, data_root, evals, workers)
    if len(evals) != before:
        _atomic_write(evals_path, msgspec.json.encode(evals))
    _atomic_write(tasks_path, msgspec.msgpack.encode(tasks))
    return tasks
