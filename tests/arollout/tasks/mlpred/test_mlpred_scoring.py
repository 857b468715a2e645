"""Scoring the files runs write: full-list denominators, strict parsing, no leaked values."""

from __future__ import annotations

import math
import random

import pytest
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

from arollout.tasks.mlpred import scoring


def _csv(header: str, rows: list[tuple[object, ...]]) -> bytes:
    return ("\n".join([header, *(",".join(map(str, r)) for r in rows)]) + "\n").encode()


def test_auroc_matches_sklearn_with_ties() -> None:
    rng = random.Random(3)
    for _ in range(20):
        labels = [int(rng.random() < 0.3) for _ in range(200)]
        labels[:2] = [0, 1]
        scores = [round(rng.random(), 1) for _ in labels]  # many ties
        assert scoring.auroc(labels, scores) == pytest.approx(
            roc_auc_score(labels, scores), abs=1e-12
        )
    with pytest.raises(ValueError, match="both classes"):
        scoring.auroc([1, 1], [0.2, 0.3])


def test_missing_predictions_count_as_ranked_wrong() -> None:
    """The denominator is the full held-out list: predicting one stay scores 0, not 1."""
    ids = list(range(100))
    labels = [int(i % 4 == 0) for i in ids]
    perfect = {i: float(y) for i, y in zip(ids, labels, strict=True)}
    assert scoring.worst_case_auroc(ids, labels, perfect) == 1.0
    assert scoring.worst_case_auroc(ids, labels, {0: 1.0}) < 0.05
    assert scoring.worst_case_auroc(ids, labels, {}) == 0.0
    assert scoring.worst_case_auroc(ids, labels, dict.fromkeys(ids, 0.5)) == 0.5
    half = {i: v for i, v in perfect.items() if i < 50}
    assert scoring.worst_case_auroc(ids, labels, half) < 0.6  # half the stays missing
    assert scoring.accuracy(ids, labels, {i: labels[i] for i in ids[:10]}) == 0.1


def test_read_values_flags_every_kind_of_invalid_row() -> None:
    ids = [10, 11, 12, 13]
    data = _csv(
        "icustay_id,probability,extra",
        [
            (10, 0.2, "x"),
            (11, 1.5, "x"),
            (12, 0.3, "x"),
            (12, 0.4, "x"),
            (99, 0.1, "x"),
            ("abc", 0.1, "x"),
        ],
    )
    parsed = scoring.read_values(data, "predictions.csv", "probability", ids, scoring.probability)
    assert parsed.values == {10: 0.2}  # 11 invalid, 12 twice, 13 absent
    text = "; ".join(parsed.problems)
    for fragment in (
        "not on the task's list",
        "more than once",
        "invalid probability",
        "1 of the 4",
    ):
        assert fragment in text
    header_case = _csv(" ICUSTAY_ID , Probability", [(10, 0.1), (11, 0.2), (12, 0.3), (13, 0.4)])
    ok = scoring.read_values(
        header_case, "predictions.csv", "probability", ids, scoring.probability
    )
    assert not ok.problems and len(ok.values) == 4
    assert scoring.read_values(None, "p.csv", "probability", ids, scoring.probability).problems == [
        "the run wrote no p.csv in its working directory"
    ]
    wrong_columns = scoring.read_values(b"id,prob\n10,0.1\n", "p.csv", "probability", ids, float)
    assert "no column icustay_id, probability" in wrong_columns.problems[0]
    assert scoring.read_values(b"\xff\xfe", "p.csv", "probability", ids, float).problems
    assert scoring.probability("nan") is None and scoring.probability("inf") is None


def test_compare_features_is_exact_within_the_tolerance() -> None:
    gold = [[1, 0, "heart rate", 80.5], [1, 1, "heart rate", 82.0], [2, 0, "lactate", 1.25]]
    header = "icustay_id,hour,variable,value"
    exact = _csv(
        header,
        [(1, 0, "heart rate", 80.5), (1, 1, "Heart Rate", 82.00001), (2, 0, "lactate", 1.25)],
    )
    assert scoring.compare_features(exact, gold, 1e-6, 1e-4) == (1.0, [])
    off = _csv(header, [(1, 0, "heart rate", 80.6), (1, 1, "heart rate", 82.0)])
    score, problems = scoring.compare_features(off, gold, 1e-6, 1e-4)
    assert score == pytest.approx(1 / 3) and any("missing" in p for p in problems)
    assert any("outside the tolerance" in p for p in problems)
    extra = _csv(header, [*((g[0], g[1], g[2], g[3]) for g in gold), (3, 0, "lactate", 2.0)])
    score, problems = scoring.compare_features(extra, gold, 1e-6, 1e-4)
    assert score == 0.75 and any("should have no value" in p for p in problems)
    dup = _csv(header, [*((g[0], g[1], g[2], g[3]) for g in gold), (1, 0, "heart rate", 80.5)])
    assert scoring.compare_features(dup, gold, 1e-6, 1e-4)[1]
    assert scoring.compare_features(_csv(header, []), gold, 1e-6, 1e-4)[0] == 0.0
    assert not math.isnan(
        scoring.compare_features(
            b"icustay_id,hour,variable,value\n1,0,heart rate,nan\n", gold, 0, 0
        )[0]
    )


def test_public_names_are_exported_and_sorted() -> None:
    import arollout.tasks.mlpred as package

    assert list(package.__all__) == sorted(package.__all__)
    assert all(hasattr(package, name) for name in package.__all__)
    public = {
        n
        for n, v in vars(package).items()
        if not n.startswith("_") and not isinstance(v, type(package))
    }
    assert public - {"annotations"} == set(package.__all__)
