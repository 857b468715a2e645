"""Reading the files a run writes and scoring them against hidden labels.

Everything here runs on the host, on bytes the sandbox handed back, in pure
Python (no numpy on the grading path). The rules follow MedAgentGym's own
flaw list (notes/data-sources.md §10: its EHRSHOT and MIMIC-Extract graders
divide by the predicted rows only, so one predicted row can score 1.0):

* the denominator is always the **full** list the task names: a held-out
  stay without a valid prediction is scored as wrong, not skipped. For AUROC
  "wrong" means ranked worst: below every other stay when its label is 1,
  above every other when it is 0; for accuracy and exact files it is a miss;
* a row is valid when its id is one the task asked for, appears once, and
  its value parses (a probability in [0, 1], a known class, a finite
  number); anything else only makes the file incomplete;
* reasons say what was wrong with the file, never a hidden label or value.
"""

from __future__ import annotations

import csv
import io
import math
from typing import TYPE_CHECKING, Any, Final, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = (
    "MAX_LISTED",
    "Parsed",
    "accuracy",
    "auroc",
    "compare_features",
    "probability",
    "read_rows",
    "read_values",
    "worst_case_auroc",
)

MAX_LISTED: Final = 3


class Parsed(NamedTuple):
    """Valid values by id, and what made the rest invalid (empty when the file is complete)."""

    values: dict[int, Any]
    problems: list[str]


def read_rows(
    data: bytes | None, name: str, columns: Sequence[str]
) -> tuple[list[dict[str, str]], str]:
    """The rows of a CSV file with the required ``columns``, or ``([], why not)``."""
    if data is None:
        return [], f"the run wrote no {name} in its working directory"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], f"{name} is not UTF-8 text"
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or ()]
    missing = [c for c in columns if c not in header]
    if missing:
        return (
            [],
            f"{name} has no column {', '.join(missing)} (header: {', '.join(header) or 'none'})",
        )
    rows = [
        {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader
    ]
    return rows, ""


def _int(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if math.isfinite(value) and value.is_integer() else None


def _probability(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


def read_values(
    data: bytes | None,
    name: str,
    column: str,
    ids: Sequence[int],
    parse: Any,
) -> Parsed:
    """One value per id of ``ids`` from ``name``'s ``icustay_id`` and ``column``
    columns; ``parse(text)`` returns the value or ``None`` when it is invalid."""
    rows, why = read_rows(data, name, ("icustay_id", column))
    if why:
        return Parsed({}, [why])
    wanted = set(ids)
    seen: dict[int, int] = {}
    values: dict[int, Any] = {}
    unknown = bad = 0
    for row in rows:
        stay = _int(row.get("icustay_id", ""))
        if stay is None or stay not in wanted:
            unknown += 1
            continue
        seen[stay] = seen.get(stay, 0) + 1
        value = parse(row.get(column, ""))
        if value is None:
            bad += 1
        else:
            values[stay] = value
    twice = [stay for stay, n in seen.items() if n > 1]
    for stay in twice:
        values.pop(stay, None)
    problems = []
    if unknown:
        problems.append(f"{unknown} row(s) name an icustay_id that is not on the task's list")
    if twice:
        problems.append(f"{len(twice)} icustay_id(s) appear more than once (those count as wrong)")
    if bad:
        problems.append(f"{bad} row(s) have an invalid {column}")
    absent = len(wanted) - len(seen)
    if absent:
        problems.append(f"{absent} of the {len(wanted)} listed stays have no row")
    return Parsed(values, problems)


def probability(text: str) -> float | None:
    return _probability(text)


def auroc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties counted half); infinite
    scores are allowed. Needs at least one label of each class."""
    n1 = sum(1 for y in labels if y == 1)
    n0 = len(labels) - n1
    if n1 == 0 or n0 == 0:
        raise ValueError("AUROC needs both classes")
    order = sorted(range(len(scores)), key=lambda j: scores[j])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        mid = (i + j) / 2.0 + 1.0
        for m in range(i, j + 1):
            ranks[order[m]] = mid
        i = j + 1
    positive = sum(r for r, y in zip(ranks, labels, strict=True) if y == 1)
    return (positive - n1 * (n1 + 1) / 2.0) / (n1 * n0)


def worst_case_auroc(ids: Sequence[int], labels: Sequence[int], values: dict[int, float]) -> float:
    """AUROC over every id, a missing prediction ranked as wrongly as possible."""
    scores = [
        values[i] if i in values else (-math.inf if y == 1 else math.inf)
        for i, y in zip(ids, labels, strict=True)
    ]
    return auroc(labels, scores)


def accuracy(ids: Sequence[int], labels: Sequence[Any], values: dict[int, Any]) -> float:
    """Share of ``ids`` whose value equals the label (a missing value is a miss)."""
    hits = sum(1 for i, y in zip(ids, labels, strict=True) if i in values and values[i] == y)
    return hits / len(ids)


def compare_features(
    data: bytes | None, gold: Sequence[Sequence[Any]], rel_tol: float, abs_tol: float
) -> tuple[float, list[str]]:
    """Score of ``features.csv`` against the gold ``(stay, hour, variable, value)`` rows:
    matching rows over the larger of the two row counts, and the problems found."""
    rows, why = read_rows(data, "features.csv", ("icustay_id", "hour", "variable", "value"))
    if why:
        return 0.0, [why]
    expected = {(int(s), int(h), str(v)): float(x) for s, h, v, x in gold}
    got: dict[tuple[int, int, str], float] = {}
    twice = bad = 0
    for row in rows:
        stay, hour = _int(row["icustay_id"]), _int(row["hour"])
        try:
            value = float(row["value"])
        except ValueError:
            value = math.nan
        if stay is None or hour is None or not math.isfinite(value):
            bad += 1
            continue
        key = (stay, hour, " ".join(row["variable"].lower().split()))
        if key in got:
            twice += 1
        got[key] = value
    hits = sum(
        1
        for key, value in got.items()
        if key in expected
        and abs(value - expected[key]) <= max(abs_tol, rel_tol * abs(expected[key]))
    )
    problems = []
    if bad:
        problems.append(
            f"{bad} row(s) could not be read (icustay_id and hour integers, value a number)"
        )
    if twice:
        problems.append(f"{twice} (icustay_id, hour, variable) key(s) appear more than once")
    extra = sum(1 for key in got if key not in expected)
    missing = sum(1 for key in expected if key not in got)
    wrong = len(got) - extra - hits
    if missing:
        problems.append(f"{missing} expected (stay, hour, variable) row(s) are missing")
    if extra:
        problems.append(f"{extra} row(s) are for keys that should have no value")
    if wrong:
        problems.append(f"{wrong} row(s) have a value outside the tolerance")
    return hits / max(len(expected), len(got) + twice + bad), problems
