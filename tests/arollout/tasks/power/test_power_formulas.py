"""Known values for every test type, checked two independent ways.

Each size is compared with a textbook figure (Cohen 1988 tables, which round
to the nearest whole number, so within one) and with a brute-force search
that needs no statsmodels: the smallest whole number whose power, computed
here straight from scipy's noncentral distributions (or the closed forms with
the standard library's NormalDist), reaches the target.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import pytest
from scipy import stats  # type: ignore[import-untyped]

from arollout.tasks.power.anova import OneWayAnova
from arollout.tasks.power.chisquare import ChiSquareGof, ChiSquareIndependence
from arollout.tasks.power.proportions import OneProportion, TwoProportions
from arollout.tasks.power.survival import CoxSchoenfeld, LogRankFreedman, LogRankSchoenfeld
from arollout.tasks.power.ttests import OneSampleT, PairedT, TwoSampleT, UnequalTwoSampleT

if TYPE_CHECKING:
    from arollout.tasks.power.design import Design

Z = NormalDist()
LEVEL = {"alpha": 0.05, "sided": 2, "power": 0.8}


def t_power(d: float, n1: int, alpha: float, sided: int, *, ratio: float | None) -> float:
    """Exact t-test power from the noncentral t (one sample when ``ratio`` is None)."""
    if ratio is None:
        df, nc = float(n1 - 1), d * math.sqrt(n1)
    else:
        n2 = ratio * n1
        df, nc = n1 + n2 - 2, d / math.sqrt(1 / n1 + 1 / n2)
    crit = stats.t.ppf(1 - alpha / sided, df)
    far = stats.nct.cdf(-crit, df, nc) if sided == 2 else 0.0
    return float(stats.nct.sf(crit, df, nc) + far)


def anova_power(f: float, per_group: int, k: int, alpha: float) -> float:
    n = k * per_group
    crit = stats.f.ppf(1 - alpha, k - 1, n - k)
    return float(stats.ncf.sf(crit, k - 1, n - k, f * f * n))


def chisq_power(w: float, n: int, df: int, alpha: float) -> float:
    return float(stats.ncx2.sf(stats.chi2.ppf(1 - alpha, df), df, w * w * n))


def z_power(h: float, n_eff: float, alpha: float = 0.05) -> float:
    """Two-sided z-test power, both rejection regions, for ``h * sqrt(n_eff)``."""
    shift, crit = h * math.sqrt(n_eff), Z.inv_cdf(1 - alpha / 2)
    return Z.cdf(shift - crit) + Z.cdf(-shift - crit)


def smallest(power_at: Any, goal: float) -> int:
    """The smallest n >= 2 with ``power_at(n) >= goal`` (power grows with n)."""
    lo, hi = 2, 4
    while power_at(hi) < goal:
        lo, hi = hi, hi * 2
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (mid + 1, hi) if power_at(mid) < goal else (lo, mid)
    return lo


@pytest.mark.parametrize(
    ("design", "values", "cohen", "brute"),
    [
        # Cohen 1988 Table 2.4.1: d = 0.5, two-sided 0.05, power 0.80 -> 64 per group
        (
            TwoSampleT(),
            {"d": 0.5, "ask": "per_group"},
            64,
            lambda n: t_power(0.5, n, 0.05, 2, ratio=1),
        ),
        (
            TwoSampleT(),
            {"diff": 5.0, "sd": 10.0, "ask": "per_group"},
            64,
            lambda n: t_power(0.5, n, 0.05, 2, ratio=1),
        ),
        (
            OneSampleT(),
            {"mu0": 142.0, "mu1": 137.0, "sd": 10.0},
            None,
            lambda n: t_power(0.5, n, 0.05, 2, ratio=None),
        ),
        # sd of the changes = sqrt(100 + 100 - 2 * 0.5 * 100) = 10, so d_z = 0.5
        (
            PairedT(),
            {"diff": 5.0, "sd1": 10.0, "sd2": 10.0, "rho": 0.5},
            None,
            lambda n: t_power(0.5, n, 0.05, 2, ratio=None),
        ),
        (
            UnequalTwoSampleT(),
            {"d": 0.5, "ratio": 2, "ask": "control"},
            None,
            lambda n: t_power(0.5, n, 0.05, 2, ratio=2),
        ),
        # Cohen Table 8.4.4: f = 0.25, u = 3 (k = 4), alpha 0.05, power 0.80 -> 45 per group
        (
            OneWayAnova(),
            {"f": 0.25, "k": 4, "ask": "per_group"},
            45,
            lambda n: anova_power(0.25, n, 4, 0.05),
        ),
        # Cohen Table 7.4.6: w = 0.3, u = 3 -> 121; u = 1 -> 87
        (ChiSquareGof(), {"w": 0.3, "bins": 4}, 121, lambda n: chisq_power(0.3, n, 3, 0.05)),
        (
            ChiSquareIndependence(),
            {"w": 0.3, "rows": 2, "cols": 2},
            87,
            lambda n: chisq_power(0.3, n, 1, 0.05),
        ),
        (
            ChiSquareIndependence(),
            {"w": 0.3, "rows": 2, "cols": 4},
            121,
            lambda n: chisq_power(0.3, n, 3, 0.05),
        ),
        # Cohen Table 6.4.1: h = 0.2, two-sided 0.05, power 0.80 -> 392 per group
        (TwoProportions(), {"h": 0.2, "ask": "per_group"}, 392, lambda n: z_power(0.2, n / 2)),
    ],
)
def test_sizes_match_textbooks_and_brute_force(
    design: Design, values: dict[str, Any], cohen: int | None, brute: Any
) -> None:
    v = {**LEVEL, **values}
    got = design.solve(v, "size")
    assert isinstance(got, int)
    if cohen is not None:
        assert abs(got - cohen) <= 1
    if brute is not None:
        assert got == smallest(brute, 0.8)


def test_totals_are_whole_groups() -> None:
    per_arm = TwoSampleT().solve({**LEVEL, "d": 0.5, "ask": "per_group"}, "size")
    assert isinstance(per_arm, int)
    assert TwoSampleT().solve({**LEVEL, "d": 0.5, "ask": "total"}, "size") == 2 * per_arm == 128
    per_group = OneWayAnova().solve({**LEVEL, "f": 0.25, "k": 4, "ask": "per_group"}, "size")
    assert isinstance(per_group, int)
    assert (
        OneWayAnova().solve({**LEVEL, "f": 0.25, "k": 4, "ask": "total"}, "size") == 4 * per_group
    )
    control = UnequalTwoSampleT().solve({**LEVEL, "d": 0.5, "ratio": 2, "ask": "control"}, "size")
    assert control == 48  # statsmodels: nobs1 = 47.74 with twice as many on treatment
    for ask, factor in (("treatment", 2), ("total", 3)):
        assert (
            UnequalTwoSampleT().solve({**LEVEL, "d": 0.5, "ratio": 2, "ask": ask}, "size")
            == factor * 48
        )


def test_anova_f_from_means_uses_the_population_sd_of_the_means() -> None:
    # means 0, 0, 0, 10 around 2.5: population SD = sqrt((3 * 6.25 + 56.25) / 4) = 4.33
    values = {**LEVEL, "means": [0.0, 0.0, 0.0, 10.0], "sd": 20.0, "k": 4, "ask": "per_group"}
    f = math.sqrt(75.0 / 4) / 20.0
    assert OneWayAnova().effect(values) == pytest.approx(f)
    assert OneWayAnova().solve(values, "size") == smallest(
        lambda n: anova_power(f, n, 4, 0.05), 0.8
    )


def test_chi_square_w_from_proportions() -> None:
    gof = {"null": [0.5, 0.3, 0.2], "alt": [0.4, 0.35, 0.25], "bins": 3}
    w = math.sqrt(0.01 / 0.5 + 0.0025 / 0.3 + 0.0025 / 0.2)
    assert ChiSquareGof().effect(gof) == pytest.approx(w)
    # 2 x 2, equal groups, 20 % vs 40 %: w equals the phi coefficient of the joint
    # table [[0.1, 0.4], [0.2, 0.3]] (rows 0.5 / 0.5, columns 0.3 / 0.7)
    table = {"table": [[0.2, 0.8], [0.4, 0.6]], "rows": 2, "cols": 2}
    phi = (0.1 * 0.3 - 0.4 * 0.2) / math.sqrt(0.5 * 0.5 * 0.3 * 0.7)
    assert ChiSquareIndependence().effect(table) == pytest.approx(abs(phi))


def test_one_proportion_is_a_single_sample_z_test() -> None:
    # h = 0.2, two-sided 0.05, 80 %: ((1.96 + 0.8416) / 0.2)^2 = 196.2 -> 197
    got = OneProportion().solve({**LEVEL, "h": 0.2}, "size")
    assert got == math.ceil(((Z.inv_cdf(0.975) + Z.inv_cdf(0.8)) / 0.2) ** 2) == 197
    h = abs(2 * math.asin(math.sqrt(0.35)) - 2 * math.asin(math.sqrt(0.2)))
    assert OneProportion().effect({"p0": 0.2, "p1": 0.35}) == pytest.approx(h)


def _schoenfeld(hr: float, share: float, alpha: float, sided: int, power: float) -> float:
    z = Z.inv_cdf(1 - alpha / sided) + Z.inv_cdf(power)
    return z * z / (share * (1 - share) * math.log(hr) ** 2)


def test_survival_closed_forms() -> None:
    # Schoenfeld 1983, HR 0.7, 1:1, two-sided 0.05, 80 %: 246.8 events
    assert _schoenfeld(0.7, 0.5, 0.05, 2, 0.8) == pytest.approx(246.8, abs=0.05)
    assert LogRankSchoenfeld().solve({**LEVEL, "hr": 0.7, "alloc": 1}, "size") == 247
    two_to_one = math.ceil(_schoenfeld(0.7, 2 / 3, 0.05, 2, 0.8))
    assert LogRankSchoenfeld().solve({**LEVEL, "hr": 0.7, "alloc": 2}, "size") == two_to_one == 278
    # Freedman 1982: (z_a + z_b)^2 (1 + HR)^2 / (1 - HR)^2 = 252.0 events for HR 0.7
    z = Z.inv_cdf(0.975) + Z.inv_cdf(0.8)
    freedman = z * z * 1.7**2 / 0.3**2
    assert LogRankFreedman().solve({**LEVEL, "hr": 0.7}, "size") == math.ceil(freedman) == 253
    # Cox, binary covariate with prevalence 0.5 = Schoenfeld's events over P(event)
    cox = {**LEVEL, "hr": 0.7, "prev": 0.5, "pe": 0.35}
    assert CoxSchoenfeld().solve(cox, "size") == math.ceil(
        _schoenfeld(0.7, 0.5, 0.05, 2, 0.8) / 0.35
    )
    # continuous covariate (Hsieh & Lavori 2000): D = z^2 / (sd^2 log(HR)^2)
    cont = {**LEVEL, "hr": 1.25, "sd": 1.2, "pe": 0.2}
    expected = z * z / (1.2**2 * math.log(1.25) ** 2) / 0.2
    assert CoxSchoenfeld().solve(cont, "size") == math.ceil(expected)


@pytest.mark.parametrize(
    ("design", "values", "expected"),
    [
        (TwoSampleT(), {"d": 0.5, "n": 64}, t_power(0.5, 64, 0.05, 2, ratio=1)),  # Cohen: 0.80
        (OneSampleT(), {"d": 0.5, "n": 34}, t_power(0.5, 34, 0.05, 2, ratio=None)),
        (UnequalTwoSampleT(), {"d": 0.5, "n1": 48, "n2": 96}, t_power(0.5, 48, 0.05, 2, ratio=2)),
        (OneWayAnova(), {"f": 0.25, "k": 4, "n": 45}, anova_power(0.25, 45, 4, 0.05)),
        (
            ChiSquareIndependence(),
            {"w": 0.3, "rows": 2, "cols": 3, "n": 108},
            chisq_power(0.3, 108, 2, 0.05),
        ),
        (
            LogRankSchoenfeld(),
            {"hr": 0.7, "alloc": 1, "n": 247},
            Z.cdf(math.sqrt(247 / 4) * -math.log(0.7) - 1.959964),
        ),
        (LogRankFreedman(), {"hr": 0.7, "n": 253}, Z.cdf(math.sqrt(253) * 0.3 / 1.7 - 1.959964)),
        (
            CoxSchoenfeld(),
            {"hr": 0.7, "prev": 0.5, "pe": 0.35, "n": 706},
            Z.cdf(math.sqrt(706 * 0.35 / 4) * -math.log(0.7) - 1.959964),
        ),
    ],
)
def test_powers(design: Design, values: dict[str, Any], expected: float) -> None:
    got = design.solve({"alpha": 0.05, "sided": 2, **values}, "power")
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-6)
    assert 0.79 < got < 0.82  # each design above sits at its 80 % size


def test_one_sided_tests_need_fewer_subjects() -> None:
    two = TwoSampleT().solve({**LEVEL, "d": 0.5, "ask": "per_group"}, "size")
    one = TwoSampleT().solve({**LEVEL, "sided": 1, "d": 0.5, "ask": "per_group"}, "size")
    assert isinstance(one, int) and isinstance(two, int) and one < two
    assert one == smallest(lambda n: t_power(0.5, n, 0.05, 1, ratio=1), 0.8)  # 51


def test_sizes_too_close_to_a_whole_number_are_refused() -> None:
    # choose the power that makes Schoenfeld's events exactly 200: the ceiling is ambiguous
    share, hr = 0.5, 0.7
    z_b = math.sqrt(200 * share * (1 - share) * math.log(hr) ** 2) - Z.inv_cdf(0.975)
    exact = {**LEVEL, "hr": hr, "alloc": 1, "power": Z.cdf(z_b)}
    assert LogRankSchoenfeld().solve(exact, "size") is None
