"""Correlation, k-group and descriptive families on packaged data (scipy.stats, pandas).

Pearson and Spearman correlation with their p-values, one-way ANOVA and
Kruskal-Wallis across the levels of a grouping, and summaries of one column
(mean, sample SD, median, Tukey's 1.5 IQR fences, the Shapiro-Wilk test),
each the scipy or pandas function the question names.
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.biods.common import ds_of, prelude, prelude_text, subgroups
from arollout.tasks.biods.family import Family, Output, Params, code, fmt
from arollout.tasks.biods.packaged import DATASETS, Dataset

__all__ = ("FAMILIES",)


def _numeric(ds: Dataset) -> list[str]:
    return list(ds.numeric)


def _pre(p: Params, columns: list[str], *imports: str) -> list[str]:
    return prelude(ds_of(p), p.get("sub"), columns, imports=(*imports, ""))


def _intro(p: Params, columns: list[str]) -> str:
    return prelude_text(ds_of(p), p.get("sub"), columns)


def _num_pairs() -> list[Params]:
    out: list[Params] = []
    for ds in DATASETS.values():
        nums = _numeric(ds)
        for i, x in enumerate(nums):
            for y in nums[i + 1 :]:
                out.extend({"ds": ds.key, "x": x, "y": y, "sub": s} for s in subgroups(ds)[:3])
    return out


def _corr(category: str, function: str, stat: str, label: str) -> Family:
    return Family(
        category=category,
        outputs=(
            Output(stat, "number", f"the {label} correlation coefficient"),
            Output("pvalue", "number", "its two-sided p-value"),
        ),
        variants=_num_pairs,
        question=lambda p: (
            f"{_intro(p, [p['x'], p['y']])} Compute the {label} correlation between `{p['x']}` and "
            f"`{p['y']}` with `scipy.stats.{function}`."
        ),
        solution=lambda p, root: code(
            _pre(p, [p["x"], p["y"]], "from scipy import stats"),
            f"result = stats.{function}(df[{p['x']!r}], df[{p['y']!r}])",
            f"{stat} = float(result.statistic)",
            "pvalue = float(result.pvalue)",
        ),
        guard=lambda p: "_keep = len(df) >= 20\n",
    )


pearson_correlation = _corr("pearson_correlation", "pearsonr", "r", "Pearson")
spearman_correlation = _corr("spearman_correlation", "spearmanr", "rho", "Spearman")


def _num_by_levels() -> list[Params]:
    out: list[Params] = []
    for ds in DATASETS.values():
        for lv in ds.levels:
            for x in _numeric(ds):
                if x != "age" or lv.column != "age_group":
                    out.extend(
                        {"ds": ds.key, "x": x, "by": lv.column, "sub": s} for s in subgroups(ds)
                    )
    return out


def _kgroups(p: Params) -> list[str]:
    lv = next(lv for lv in ds_of(p).levels if lv.column == p["by"])
    return [
        f"groups = [df.loc[df[{p['by']!r}] == level, {p['x']!r}] for level in {list(lv.values)!r}]"
    ]


def _kgroups_text(p: Params) -> str:
    lv = next(lv for lv in ds_of(p).levels if lv.column == p["by"])
    return f"the groups `{p['by']}` == {', '.join(fmt(v) for v in lv.values)} (in that order)"


def _kfamily(category: str, function: str, stat: str, label: str) -> Family:
    return Family(
        category=category,
        outputs=(
            Output(stat, "number", f"the {label} statistic"),
            Output("pvalue", "number", "its p-value"),
        ),
        variants=_num_by_levels,
        question=lambda p: (
            f"{_intro(p, [p['x'], p['by']])} Compare `{p['x']}` across {_kgroups_text(p)} with "
            f"`scipy.stats.{function}(*groups)`."
        ),
        solution=lambda p, root: code(
            _pre(p, [p["x"], p["by"]], "from scipy import stats"),
            _kgroups(p),
            f"result = stats.{function}(*groups)",
            f"{stat} = float(result.statistic)",
            "pvalue = float(result.pvalue)",
        ),
        guard=lambda p: (
            "_keep = min(len(g) for g in groups) >= 5 and all(g.nunique() > 1 for g in groups)\n"
        ),
    )


one_way_anova = _kfamily("one_way_anova", "f_oneway", "f_statistic", "one-way ANOVA F")
kruskal_wallis = _kfamily("kruskal_wallis", "kruskal", "h_statistic", "Kruskal-Wallis H")


def _num_in_subgroup() -> list[Params]:
    return [
        {"ds": ds.key, "x": x, "sub": s}
        for ds in DATASETS.values()
        for x in _numeric(ds)
        for s in subgroups(ds)
    ]


group_summary = Family(
    category="group_summary",
    outputs=(
        Output("mean", "number", "the mean"),
        Output("std", "number", "the sample standard deviation (ddof = 1)"),
        Output("median", "number", "the median"),
    ),
    variants=_num_in_subgroup,
    question=lambda p: f"{_intro(p, [p['x']])} Summarise `{p['x']}`.",
    solution=lambda p, root: code(
        _pre(p, [p["x"]]),
        f"mean = float(df[{p['x']!r}].mean())",
        f"std = float(df[{p['x']!r}].std(ddof=1))",
        f"median = float(df[{p['x']!r}].median())",
    ),
    guard=lambda p: f"_keep = len(df) >= 10 and df[{p['x']!r}].nunique() > 3\n",
)

iqr_outlier_count = Family(
    category="iqr_outlier_count",
    outputs=(
        Output("upper_fence", "number", "Q3 + 1.5 IQR"),
        Output("n_outliers", "integer", "the number of rows outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR]"),
    ),
    variants=_num_in_subgroup,
    question=lambda p: (
        f"{_intro(p, [p['x']])} With Q1 and Q3 the 0.25 and 0.75 quantiles of `{p['x']}` (pandas "
        "`Series.quantile`, linear interpolation) and IQR = Q3 - Q1, count the rows whose value lies "
        "strictly below Q1 - 1.5 IQR or strictly above Q3 + 1.5 IQR."
    ),
    solution=lambda p, root: code(
        _pre(p, [p["x"]]),
        f"q1, q3 = df[{p['x']!r}].quantile([0.25, 0.75])",
        "iqr = q3 - q1",
        "upper_fence = float(q3 + 1.5 * iqr)",
        f"n_outliers = int(((df[{p['x']!r}] < q1 - 1.5 * iqr) | (df[{p['x']!r}] > upper_fence)).sum())",
    ),
    guard=lambda p: f"_keep = len(df) >= 20 and df[{p['x']!r}].nunique() > 5\n",
)

shapiro_normality = Family(
    category="shapiro_normality",
    outputs=(
        Output("w_statistic", "number", "the Shapiro-Wilk W statistic"),
        Output("pvalue", "number", "its p-value"),
    ),
    variants=_num_in_subgroup,
    question=lambda p: (
        f"{_intro(p, [p['x']])} Test `{p['x']}` for normality with `scipy.stats.shapiro`."
    ),
    solution=lambda p, root: code(
        _pre(p, [p["x"]], "from scipy import stats"),
        f"result = stats.shapiro(df[{p['x']!r}])",
        "w_statistic = float(result.statistic)",
        "pvalue = float(result.pvalue)",
    ),
    guard=lambda p: f"_keep = 20 <= len(df) <= 5000 and df[{p['x']!r}].nunique() > 5\n",
)

FAMILIES: Final = (
    pearson_correlation,
    spearman_correlation,
    one_way_anova,
    kruskal_wallis,
    group_summary,
    iqr_outlier_count,
    shapiro_normality,
)
