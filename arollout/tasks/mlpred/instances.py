"""Cohort databases -> verified ``mlpred`` tasks.

Three kinds of task, each with its gold computed on the host by the very
code its reference solution runs (:mod:`.reference`, embedded verbatim):

* **prediction** (one category per outcome): the reference pipeline is fit
  on the task's training file and scored on the hidden held-out labels; the
  task's threshold is that score minus a margin (:data:`AUROC_MARGIN`,
  :data:`ACCURACY_MARGIN`), rounded down to two decimals. A task is kept only
  when the threshold is far from what data-free answers reach: at least
  :data:`MIN_AUROC` for AUROC (random scores stay near 0.5), at least the
  majority-class share plus :data:`MIN_OVER_MAJORITY` for accuracy, and at
  least :data:`MIN_POSITIVES` positive held-out stays;
* **hourly features** (``hourly_vitals``, ``hourly_labs``): seeded stay lists,
  variable subsets, horizons and aggregates; the gold rows are kept in the task;
* **labels** (``cohort_labels``): stay lists stratified so that constant
  answers fail, gold labels from the outcome definitions on complete records.

Ids hash the suite, the database key and the parameters; splits are a pure
function of the id (the EHR framework's :func:`~arollout.tasks.ehr.split_of`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import random
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.base import Answer, Task
from arollout.tasks.ehr.database import DB_FILENAME
from arollout.tasks.ehr.instances import split_of
from arollout.tasks.mlpred import prompt, reference, scoring
from arollout.tasks.mlpred.build import split, train_file, train_sizes
from arollout.tasks.mlpred.outcomes import PREDICTED

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    from arollout.tasks.ehr.database import DatabaseLike
    from arollout.tasks.mlpred.cohort import CohortSpec, Record
    from arollout.tasks.mlpred.outcomes import Outcome

__all__ = (
    "ACCURACY_MARGIN",
    "AUROC_MARGIN",
    "MIN_AUROC",
    "hourly_tasks",
    "label_tasks",
    "prediction_tasks",
    "reference_source",
    "source_digest",
)

AUROC_MARGIN: Final = 0.05
ACCURACY_MARGIN: Final = 0.02
MIN_AUROC: Final = 0.65
MIN_OVER_MAJORITY: Final = 0.03
MIN_POSITIVES: Final = 30
AGGREGATES: Final = ("mean", "min", "max", "count")


@functools.cache
def reference_source() -> str:
    """The text of :mod:`.reference` as it is on disk (embedded in every reference solution)."""
    return Path(reference.__file__).read_text(encoding="utf-8")


def source_digest(package: Path) -> str:
    """A digest of every module of ``package`` (tasks are rebuilt when the code changes)."""
    h = hashlib.sha256()
    for path in sorted(package.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _solution(call: str) -> str:
    return f"{reference_source()}\n\n{call}\n"


def _task(suite: str, db_key: str, category: str, params: dict[str, Any], **fields: Any) -> Task:
    blob = json.dumps([suite, db_key, category, params], sort_keys=True)
    tid = f"{suite}/{category}/{hashlib.sha256(blob.encode()).hexdigest()[:12]}"
    return Task(id=tid, suite=suite, category=category, split=split_of(tid), **fields)


def _threshold(outcome: Outcome, score: float, labels: list[Any]) -> float | None:
    """The task's pass mark for a reference ``score``, or ``None`` when the task is too weak."""
    if outcome.kind == "binary":
        mark = math.floor((score - AUROC_MARGIN) * 100) / 100
        return mark if mark >= MIN_AUROC and sum(labels) >= MIN_POSITIVES else None
    mark = math.floor((score - ACCURACY_MARGIN) * 100) / 100
    majority = Counter(labels).most_common(1)[0][1] / len(labels)
    return mark if mark >= majority + MIN_OVER_MAJORITY else None


def prediction_tasks(
    suite: str, data_root: str, spec: CohortSpec, db: DatabaseLike, records: list[Record]
) -> list[Task]:
    """The prediction tasks of one cut cohort (every outcome x training size that is kept)."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(limits=1):  # as in the sandbox: one BLAS thread
        return _prediction_tasks(suite, data_root, spec, db, records)


def _prediction_tasks(
    suite: str, data_root: str, spec: CohortSpec, db: DatabaseLike, records: list[Record]
) -> list[Task]:
    folder = f"{data_root}/{spec.name}"
    con = reference.connect(db.sqlite_path)
    try:
        ids, _names, matrix = reference.features(con, spec.window)
    finally:
        con.close()
    parts = split(spec, records)
    labels = {r.icustay_id: r.labels for r in records}
    tasks: list[Task] = []
    for outcome in PREDICTED:
        held = [labels[i][outcome.name] for i in parts.heldout]
        for n in train_sizes(len(parts.pool)):
            train = {i: labels[i][outcome.name] for i in sorted(parts.pool[:n])}
            out = reference.predict(ids, matrix, train, parts.heldout)
            values = dict(zip(parts.heldout, out, strict=True))
            if outcome.kind == "binary":
                score = scoring.worst_case_auroc(parts.heldout, held, values)
            else:
                score = scoring.accuracy(parts.heldout, held, values)
            mark = _threshold(outcome, score, held)
            if mark is None:
                continue
            name = train_file(outcome.name, n)
            call = (
                f"main_predict({folder + '/' + DB_FILENAME!r}, {spec.window}, "
                f"{folder + '/' + name!r}, {folder + '/heldout.csv'!r})"
            )
            tasks.append(
                _task(
                    suite,
                    db.key,
                    outcome.category,
                    {"outcome": outcome.name, "train": n},
                    question=prompt.prediction_question(
                        outcome,
                        folder=folder,
                        stays=spec.stays,
                        window=spec.window,
                        train=name,
                        n_train=n,
                        n_heldout=len(parts.heldout),
                        threshold=mark,
                    ),
                    answer=Answer(kind="number", value=mark, rel_tol=0.0),
                    reference_solution=_solution(call),
                    meta={
                        "kind": "predict",
                        "database": spec.name,
                        "outcome": outcome.name,
                        "metric": "auroc" if outcome.kind == "binary" else "accuracy",
                        "threshold": mark,
                        "reference_score": round(score, 4),
                        "train_size": n,
                        "train_path": f"{folder}/{name}",
                        "heldout_path": f"{folder}/heldout.csv",
                        "heldout": parts.heldout,
                        "labels": held,
                    },
                )
            )
    return tasks


def hourly_tasks(
    suite: str,
    data_root: str,
    name: str,
    db: DatabaseLike,
    *,
    per_category: int,
    max_hours: int,
    min_rows: int = 8,
) -> list[Task]:
    """``per_category`` hourly-feature tasks per variable family on one database."""
    folder = f"{data_root}/{name}"
    con = reference.connect(db.sqlite_path)
    tasks: list[Task] = []
    try:
        stays = [s for (s,) in con.execute("SELECT icustay_id FROM icustays ORDER BY icustay_id")]
        for category, pool in (
            ("hourly_vitals", list(reference.CHART_VARIABLES)),
            ("hourly_labs", list(reference.LAB_VARIABLES)),
        ):
            rng = random.Random(f"mlpred-hourly/{db.key}/{category}")
            made: dict[str, Task] = {}
            for _ in range(per_category * 20):
                if len(made) >= per_category:
                    break
                ids = sorted(rng.sample(stays, rng.randint(5, 9)))
                chosen = set(rng.sample(pool, rng.randint(3, 5)))
                variables = [v for v in pool if v in chosen]
                hours = rng.choice([h for h in (6, 12, 24, 48) if h <= max_hours])
                agg = rng.choice(AGGREGATES)
                gold = reference.hourly(con, ids, variables, hours, agg)
                if len(gold) < min_rows or len({k[0] for k in gold}) < 3:
                    continue
                params = {"ids": ids, "variables": variables, "hours": hours, "agg": agg}
                call = f"main_hourly({folder + '/' + DB_FILENAME!r}, {ids!r}, {variables!r}, {hours}, {agg!r})"
                task = _task(
                    suite,
                    db.key,
                    category,
                    params,
                    question=prompt.hourly_question(
                        folder=folder, ids=ids, variables=variables, hours=hours, agg=agg
                    ),
                    answer=Answer(kind="integer", value=len(gold)),
                    reference_solution=_solution(call),
                    meta={
                        "kind": "hourly",
                        "database": name,
                        **params,
                        "gold": [[s, h, v, x] for (s, h, v), x in gold.items()],
                    },
                )
                made.setdefault(task.id, task)
            tasks.extend(made.values())
    finally:
        con.close()
    return tasks


def _stratified(rng: random.Random, labels: dict[int, Any], size: int) -> list[int] | None:
    """About ``size`` stays with at least three of every label (two on small data), or ``None``."""
    groups: dict[Any, list[int]] = {}
    for stay in sorted(labels):
        groups.setdefault(labels[stay], []).append(stay)
    least = 3 if len(labels) > 200 else 2
    if len(groups) < 2 or any(len(g) < least for g in groups.values()):
        return None
    picked = [s for g in groups.values() for s in rng.sample(g, least)]
    rest = [s for s in sorted(labels) if s not in set(picked)]
    picked += rng.sample(rest, max(0, min(len(rest), size - len(picked))))
    return sorted(picked)


def label_tasks(
    suite: str,
    data_root: str,
    name: str,
    db: DatabaseLike,
    outcomes: Sequence[Outcome],
    *,
    window: int,
    per_outcome: int,
    size: int,
    demo: bool,
) -> list[Task]:
    """``per_outcome`` label-derivation tasks per outcome on one complete database."""
    folder = f"{data_root}/{name}"
    con: sqlite3.Connection = reference.connect(db.sqlite_path)
    tasks: list[Task] = []
    try:
        for outcome in outcomes:
            labels = reference.stay_labels(con, outcome.name, window, outcome.horizon)
            rng = random.Random(f"mlpred-labels/{db.key}/{outcome.name}")
            made: dict[str, Task] = {}
            for _ in range(per_outcome * 5):
                ids = _stratified(rng, labels, size)
                if ids is None or len(made) >= per_outcome:
                    break
                gold = [labels[i] for i in ids]
                params = {"outcome": outcome.name, "ids": ids, "window": window}
                call = (
                    f"main_labels({folder + '/' + DB_FILENAME!r}, {ids!r}, {outcome.name!r}, "
                    f"{window}, {outcome.horizon})"
                )
                task = _task(
                    suite,
                    db.key,
                    "cohort_labels",
                    params,
                    question=prompt.labels_question(
                        folder=folder, ids=ids, outcome=outcome, window=window, demo=demo
                    ),
                    answer=Answer(kind="integer", value=len(ids)),
                    reference_solution=_solution(call),
                    meta={
                        "kind": "labels",
                        "database": name,
                        "outcome": outcome.name,
                        "ids": ids,
                        "gold": gold,
                    },
                )
                made.setdefault(task.id, task)
            tasks.extend(made.values())
    finally:
        con.close()
    return tasks
