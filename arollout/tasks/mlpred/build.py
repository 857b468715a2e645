"""The cohort databases of the ``mlpred`` suite, built once into the cache.

A prediction cohort's directory is what the agent sees: ``ehr.sqlite`` and
one CSV per table (written by the EHR framework's
:func:`~arollout.tasks.ehr.write_database`), ``heldout.csv`` (the held-out
stay ids, no labels) and one ``train_<outcome>_<n>.csv`` per prediction
task (``icustay_id,label`` for ``n`` training stays). Every cohort's stays
are split once into a training pool and a held-out set shared by all its
tasks: no file ever carries the label of a held-out stay, whatever outcome
it is for. The held-out labels stay on the host, inside the tasks.

Cohorts are independent draws (their own seeds), so the complete cohorts
that label-derivation tasks read reveal nothing about the held-out stays of
the cut ones.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import threading
from dataclasses import asdict
from typing import TYPE_CHECKING, Final, NamedTuple

from arollout.errors import TaskError
from arollout.tasks.ehr.database import build_cached
from arollout.tasks.ehr.tables import write_database
from arollout.tasks.mimic.schema import INDEXES, SCHEMA
from arollout.tasks.mlpred.cohort import COHORT_VERSION, CohortSpec, Record, generate
from arollout.tasks.mlpred.outcomes import PREDICTED

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from arollout.tasks.ehr.database import EhrDatabase

__all__ = (
    "COHORT_FAMILY",
    "build_cohort",
    "cohort_records",
    "complete_cohorts",
    "prediction_cohorts",
    "split",
    "train_file",
    "train_sizes",
)

COHORT_FAMILY: Final = "mlpred-cohort"
SPLIT_VERSION: Final = 1
"""Bump whenever the held-out/training split rules change (keys the cache)."""

_PREDICTION: Final = (  # (stays, window hours)
    (1500, 24),
    (1300, 48),
    (1500, 12),
    (1200, 24),
    (1100, 48),
    (1700, 24),
)
_COMPLETE: Final = ((400, 24), (400, 12))

_LAYOUT: Final = hashlib.sha256(json.dumps([SCHEMA, INDEXES]).encode()).hexdigest()[:12]

_records: dict[str, list[Record]] = {}
_lock = threading.Lock()


def prediction_cohorts(seed: int) -> tuple[CohortSpec, ...]:
    """The cut cohorts of suite seed ``seed`` (names ``cohort-1`` ...)."""
    return tuple(
        CohortSpec(name=f"cohort-{n}", seed=1000 * seed + n, stays=stays, window=window)
        for n, (stays, window) in enumerate(_PREDICTION, start=1)
    )


def complete_cohorts(seed: int) -> tuple[CohortSpec, ...]:
    """The complete cohorts (names ``complete-1`` ...) of label-derivation tasks."""
    return tuple(
        CohortSpec(
            name=f"complete-{n}",
            seed=1000 * seed + 100 + n,
            stays=stays,
            window=window,
            complete=True,
        )
        for n, (stays, window) in enumerate(_COMPLETE, start=1)
    )


def train_sizes(pool: int) -> tuple[int, ...]:
    """Training-set sizes offered from a pool of ``pool`` stays."""
    return tuple(n for n in (300, 600) if n < pool - 50) + (pool,)


def train_file(outcome: str, n: int) -> str:
    return f"train_{outcome}_{n}.csv"


class Split(NamedTuple):
    heldout: list[int]
    pool: list[int]  # training order: the first n make the size-n training set


def split(spec: CohortSpec, records: list[Record]) -> Split:
    """The held-out stays and the training pool of a cut cohort (seeded, stable)."""
    ids = sorted(r.icustay_id for r in records)
    random.Random(f"mlpred-split/{SPLIT_VERSION}/{spec.seed}").shuffle(ids)
    return Split(heldout=sorted(ids[: spec.heldout]), pool=ids[spec.heldout :])


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


def build_cohort(spec: CohortSpec, cache_dir: str | os.PathLike[str] | None = None) -> EhrDatabase:
    """The database of ``spec``, built on first use (later calls read its manifest)."""
    if spec.stays <= spec.heldout + 100 and not spec.complete:
        raise TaskError(
            f"a prediction cohort needs over 100 stays beyond its {spec.heldout} held-out ones, "
            f"got {spec.stays}"
        )
    params = {
        **asdict(spec),
        "generator": COHORT_VERSION,
        "splits": SPLIT_VERSION,
        "layout": _LAYOUT,  # the MIMIC-III schema and indexes the rows are written to
    }
    made: list[Record] = []

    def write(directory: Path) -> dict[str, int]:
        rows, records = generate(spec)
        made.extend(records)
        counts = write_database(directory, SCHEMA, rows, INDEXES)
        if not spec.complete:
            parts = split(spec, records)
            labels = {r.icustay_id: r.labels for r in records}
            _write_csv(directory / "heldout.csv", ["icustay_id"], [[i] for i in parts.heldout])
            for outcome in PREDICTED:
                for n in train_sizes(len(parts.pool)):
                    rows_ = [[i, labels[i][outcome.name]] for i in sorted(parts.pool[:n])]
                    _write_csv(
                        directory / train_file(outcome.name, n), ["icustay_id", "label"], rows_
                    )
        return counts

    db = build_cached(COHORT_FAMILY, COHORT_VERSION, params, write, cache_dir)
    if made:
        with _lock:
            _records[db.key] = made
    return db


def cohort_records(spec: CohortSpec, db: EhrDatabase) -> list[Record]:
    """The records of ``db``'s stays: kept from the build when this process
    built it, regenerated (deterministically, about a second) otherwise; the
    cache entry is dropped, since only task building needs them."""
    with _lock:
        kept = _records.pop(db.key, None)
    return kept if kept is not None else generate(spec)[1]
