"""Invariants of every design: a larger effect never needs more subjects, a
larger sample never has less power, and a reported size is the smallest one."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, reject, settings, strategies as st

from arollout.tasks.power.anova import OneWayAnova
from arollout.tasks.power.chisquare import ChiSquareGof, ChiSquareIndependence
from arollout.tasks.power.design import Design, Target, execute
from arollout.tasks.power.proportions import OneProportion, TwoProportions
from arollout.tasks.power.survival import CoxSchoenfeld, LogRankFreedman, LogRankSchoenfeld
from arollout.tasks.power.ttests import OneSampleT, PairedT, TwoSampleT, UnequalTwoSampleT

# Each design with the value key its effect size enters through, the range of
# that effect (hazard ratios below 1: smaller is a larger effect), and the
# other values it needs.
CASES: list[tuple[Design, str, float, float, dict[str, Any]]] = [
    (OneSampleT(), "d", 0.15, 1.2, {}),
    (PairedT(), "d", 0.15, 1.2, {}),
    (TwoSampleT(), "d", 0.15, 1.2, {"ask": "per_group"}),
    (UnequalTwoSampleT(), "d", 0.15, 1.2, {"ratio": 2, "ask": "total"}),
    (OneWayAnova(), "f", 0.1, 0.6, {"k": 3, "ask": "per_group"}),
    (ChiSquareGof(), "w", 0.1, 0.6, {"bins": 4}),
    (ChiSquareIndependence(), "w", 0.1, 0.6, {"rows": 3, "cols": 3}),
    (TwoProportions(), "h", 0.1, 0.8, {"ask": "per_group"}),
    (OneProportion(), "h", 0.1, 0.8, {}),
    (LogRankSchoenfeld(), "hr", 0.4, 0.9, {"alloc": 2}),
    (LogRankFreedman(), "hr", 0.4, 0.9, {}),
    (CoxSchoenfeld(), "hr", 0.4, 0.9, {"prev": 0.3, "pe": 0.4}),
]
IDS = [case[0].name for case in CASES]
LEVELS = st.fixed_dictionaries(
    {
        "alpha": st.sampled_from((0.01, 0.025, 0.05, 0.1)),
        "sided": st.sampled_from((1, 2)),
        "power": st.sampled_from((0.7, 0.8, 0.85, 0.9, 0.95)),
    }
)


def _stronger(key: str, a: float, b: float) -> tuple[float, float]:
    """(weaker, stronger) of two effect values for ``key``."""
    lo, hi = sorted((round(a, 4), round(b, 4)))
    return (hi, lo) if key == "hr" else (lo, hi)


@pytest.mark.parametrize(("design", "key", "low", "high", "extra"), CASES, ids=IDS)
@settings(max_examples=8)
@given(data=st.data())
def test_more_effect_never_needs_more_subjects(
    design: Design, key: str, low: float, high: float, extra: dict[str, Any], data: st.DataObject
) -> None:
    effects = st.floats(low, high, allow_nan=False)
    weak, strong = _stronger(key, data.draw(effects), data.draw(effects))
    level = data.draw(LEVELS)
    n_weak = design.solve({**level, **extra, key: weak}, "size")
    n_strong = design.solve({**level, **extra, key: strong}, "size")
    if n_weak is None or n_strong is None:
        reject()  # too close to a whole number, or conventions disagree
    assert n_strong <= n_weak


@pytest.mark.parametrize(("design", "key", "low", "high", "extra"), CASES, ids=IDS)
@settings(max_examples=6)
@given(data=st.data())
def test_more_subjects_never_lose_power(
    design: Design, key: str, low: float, high: float, extra: dict[str, Any], data: st.DataObject
) -> None:
    effect = round(data.draw(st.floats(low, high, allow_nan=False)), 4)
    level = {k: v for k, v in data.draw(LEVELS).items() if k != "power"}
    n = data.draw(st.integers(10, 2000))
    more = n + data.draw(st.integers(1, 500))
    values = {**level, **extra, key: effect}
    sizes = (
        ({"n1": n, "n2": 2 * n}, {"n1": more, "n2": 2 * more})
        if "ratio" in extra
        else ({"n": n}, {"n": more})
    )
    base = {k: v for k, v in values.items() if k not in ("ratio", "ask")}
    low_power = design.solve({**base, **sizes[0]}, "power")
    high_power = design.solve({**base, **sizes[1]}, "power")
    if low_power is None or high_power is None:
        reject()  # conventions disagree, or out of scipy's numeric range
    assert 0 < low_power <= high_power <= 1


def _power_at(design: Design, values: dict[str, Any], target: Target, m: int) -> float:
    plan = design.plan(values, target)
    assert plan.power_of is not None
    return float(eval(plan.power_of, execute(plan.lines), {"m": m}))


@pytest.mark.parametrize(("design", "key", "low", "high", "extra"), CASES[:9], ids=IDS[:9])
@settings(max_examples=5)
@given(data=st.data())
def test_reported_size_is_the_smallest_that_reaches_the_power(
    design: Design, key: str, low: float, high: float, extra: dict[str, Any], data: st.DataObject
) -> None:
    values = {**data.draw(LEVELS), **extra, key: round(data.draw(st.floats(low, high)), 4)}
    values.pop("ask", None)  # report the first group (or the group), the unit power_of takes
    if "ratio" in extra:
        values["ask"] = "control"
    if design.name == "one_way_anova":
        values["ask"] = "total"
    n = design.solve(values, "size")
    if not isinstance(n, int):
        reject()
    step = values.get("k", 1)
    assert _power_at(design, values, "size", n) >= values["power"]
    assert _power_at(design, values, "size", n - step) < values["power"]
