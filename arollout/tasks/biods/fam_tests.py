"""Cohort comparison and association families on packaged data (scipy.stats).

Two-group comparisons (Student or Welch t-test, Mann-Whitney U, Cohen's d)
and 2 x 2 contingency tables (chi-squared with or without Yates'
correction, Fisher's exact test, the Woolf interval of an odds ratio). Every
test is the scipy.stats function the question names, with its defaults
unless stated.
"""

from __future__ import annotations

from typing import Any, Final

from arollout.tasks.biods.common import ds_of, prelude, prelude_text, subgroups
from arollout.tasks.biods.family import Family, Output, Params, code, fmt
from arollout.tasks.biods.packaged import DATASETS, Binary, Dataset

__all__ = ("FAMILIES",)


def _binaries(ds: Dataset) -> list[Binary]:
    """The dataset's binary columns plus, for survival data, the event indicator."""
    out = list(ds.binaries)
    if ds.survival:
        out.append(Binary(ds.event, 1, 0))
    return out


def _binary(ds: Dataset, column: str) -> Binary:
    return next(b for b in _binaries(ds) if b.column == column)


def _numeric(ds: Dataset) -> list[str]:
    return list(ds.numeric)


def _groups_text(ds: Dataset, column: str) -> str:
    b = _binary(ds, column)
    return f"group A = rows with `{column}` == {fmt(b.positive)}, group B = rows with `{column}` == {fmt(b.negative)}"


def _ab(ds: Dataset, x: str, column: str) -> list[str]:
    b = _binary(ds, column)
    return [
        f"a = df.loc[df[{column!r}] == {b.positive!r}, {x!r}]",
        f"b = df.loc[df[{column!r}] == {b.negative!r}, {x!r}]",
    ]


def _pre(p: Params, columns: list[str], *imports: str) -> list[str]:
    return prelude(ds_of(p), p.get("sub"), columns, imports=(*imports, ""))


def _intro(p: Params, columns: list[str]) -> str:
    return prelude_text(ds_of(p), p.get("sub"), columns)


def _num_by_binary() -> list[Params]:
    out: list[Params] = []
    for ds in DATASETS.values():
        for b in _binaries(ds):
            for x in _numeric(ds):
                subs = subgroups(ds, exclude=(b.column,))
                out.extend({"ds": ds.key, "x": x, "by": b.column, "sub": s} for s in subs[:3])
    return out


_AB_GUARD: Final = "_keep = len(a) >= 10 and len(b) >= 10 and a.nunique() > 2 and b.nunique() > 2\n"


def _ttest_variants() -> list[Params]:
    return [{**p, "equal_var": ev} for p in _num_by_binary() for ev in (False, True)]


two_sample_ttest = Family(
    category="two_sample_ttest",
    outputs=(
        Output("t_statistic", "number", "the t statistic (group A minus group B)"),
        Output("pvalue", "number", "the two-sided p-value"),
    ),
    variants=_ttest_variants,
    question=lambda p: (
        f"{_intro(p, [p['x'], p['by']])} Compare `{p['x']}` between {_groups_text(ds_of(p), p['by'])} "
        f"with {'Student' if p['equal_var'] else 'Welch'}'s two-sample t-test "
        f"(`scipy.stats.ttest_ind(a, b, equal_var={p['equal_var']})`)."
    ),
    solution=lambda p, root: code(
        _pre(p, [p["x"], p["by"]], "from scipy import stats"),
        _ab(ds_of(p), p["x"], p["by"]),
        f"result = stats.ttest_ind(a, b, equal_var={p['equal_var']!r})",
        "t_statistic = float(result.statistic)",
        "pvalue = float(result.pvalue)",
    ),
    guard=lambda p: _AB_GUARD,
)

mann_whitney = Family(
    category="mann_whitney",
    outputs=(
        Output("u_statistic", "number", "the Mann-Whitney U statistic of group A"),
        Output("pvalue", "number", "the two-sided p-value"),
    ),
    variants=_num_by_binary,
    question=lambda p: (
        f"{_intro(p, [p['x'], p['by']])} Compare `{p['x']}` between {_groups_text(ds_of(p), p['by'])} "
        "with a Mann-Whitney U test (`scipy.stats.mannwhitneyu(a, b, alternative='two-sided')`, "
        "other settings default)."
    ),
    solution=lambda p, root: code(
        _pre(p, [p["x"], p["by"]], "from scipy import stats"),
        _ab(ds_of(p), p["x"], p["by"]),
        "result = stats.mannwhitneyu(a, b, alternative='two-sided')",
        "u_statistic = float(result.statistic)",
        "pvalue = float(result.pvalue)",
    ),
    guard=lambda p: _AB_GUARD,
)

cohens_d = Family(
    category="cohens_d",
    outputs=(Output("cohens_d", "number", "Cohen's d of group A versus group B"),),
    variants=_num_by_binary,
    question=lambda p: (
        f"{_intro(p, [p['x'], p['by']])} Compute Cohen's d for `{p['x']}` between "
        f"{_groups_text(ds_of(p), p['by'])}: (mean A - mean B) / pooled SD, where the pooled "
        "variance is ((nA - 1) sA^2 + (nB - 1) sB^2) / (nA + nB - 2) with sample variances (ddof = 1)."
    ),
    solution=lambda p, root: code(
        _pre(p, [p["x"], p["by"]], "import math"),
        _ab(ds_of(p), p["x"], p["by"]),
        "pooled = ((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2)",
        "cohens_d = float((a.mean() - b.mean()) / math.sqrt(pooled))",
    ),
    guard=lambda p: _AB_GUARD,
)


def _pairs() -> list[Params]:
    """Two binary columns of one dataset, or a binary and a numeric column split at its median."""
    out: list[Params] = []
    for ds in DATASETS.values():
        bins = _binaries(ds)
        for i, a in enumerate(bins):
            out.extend({"ds": ds.key, "a": a.column, "b": b.column} for b in bins[i + 1 :])
        for a in bins:
            out.extend({"ds": ds.key, "a": a.column, "b": f"{x}>median"} for x in _numeric(ds))
    return out


def _split(p: Params) -> tuple[list[str], list[str], str]:
    """Lines that add a median-split column, the columns used, the text describing them."""
    b = p["b"]
    if not b.endswith(">median"):
        return [], [p["a"], b], ""
    x = b.removesuffix(">median")
    return (
        [f"df[{b!r}] = (df[{x!r}] > df[{x!r}].median()).astype(int)"],
        [p["a"], x],
        f" Define the binary column `{b}` as 1 where `{x}` is above its median (over the rows used) and 0 otherwise.",
    )


def _levels(ds: Dataset, p: Params) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    a = _binary(ds, p["a"])
    if p["b"].endswith(">median"):
        return (a.positive, a.negative), (1, 0)
    b = _binary(ds, p["b"])
    return (a.positive, a.negative), (b.positive, b.negative)


def _table_lines(p: Params) -> list[str]:
    ds = ds_of(p)
    (pa, na), (pb, nb) = _levels(ds, p)
    a, b = p["a"], p["b"]
    return [
        "table = [",
        f"    [int(((df[{a!r}] == {pa!r}) & (df[{b!r}] == {pb!r})).sum()), int(((df[{a!r}] == {pa!r}) & (df[{b!r}] == {nb!r})).sum())],",
        f"    [int(((df[{a!r}] == {na!r}) & (df[{b!r}] == {pb!r})).sum()), int(((df[{a!r}] == {na!r}) & (df[{b!r}] == {nb!r})).sum())],",
        "]",
    ]


def _table_text(p: Params) -> str:
    (pa, na), (pb, nb) = _levels(ds_of(p), p)
    a, b = p["a"], p["b"]
    return (
        f"Build the 2 x 2 table [[n(A1, B1), n(A1, B0)], [n(A0, B1), n(A0, B0)]] where A1 means "
        f"`{a}` == {fmt(pa)}, A0 `{a}` == {fmt(na)}, B1 `{b}` == {fmt(pb)} and B0 `{b}` == {fmt(nb)}."
    )


_CELL_GUARD: Final = "_keep = min(min(row) for row in table) >= 3\n"


def _chi2_variants() -> list[Params]:
    return [{**p, "correction": c} for p in _pairs() for c in (True, False)]


chi2_independence = Family(
    category="chi2_independence",
    outputs=(
        Output("chi2", "number", "the chi-squared statistic"),
        Output("pvalue", "number", "its p-value"),
    ),
    variants=_chi2_variants,
    question=lambda p: (
        f"{_intro(p, _split(p)[1])}{_split(p)[2]} {_table_text(p)} Test independence with "
        f"`scipy.stats.chi2_contingency(table, correction={p['correction']})`."
    ),
    solution=lambda p, root: code(
        _pre(p, _split(p)[1], "from scipy import stats"),
        _split(p)[0],
        _table_lines(p),
        f"result = stats.chi2_contingency(table, correction={p['correction']!r})",
        "chi2 = float(result.statistic)",
        "pvalue = float(result.pvalue)",
    ),
    guard=lambda p: _CELL_GUARD,
)

fisher_exact = Family(
    category="fisher_exact",
    outputs=(
        Output("odds_ratio", "number", "the sample odds ratio"),
        Output("pvalue", "number", "the two-sided p-value"),
    ),
    variants=_pairs,
    question=lambda p: (
        f"{_intro(p, _split(p)[1])}{_split(p)[2]} {_table_text(p)} Run Fisher's exact test "
        "(`scipy.stats.fisher_exact(table)`, two-sided)."
    ),
    solution=lambda p, root: code(
        _pre(p, _split(p)[1], "from scipy import stats"),
        _split(p)[0],
        _table_lines(p),
        "result = stats.fisher_exact(table)",
        "odds_ratio = float(result.statistic)",
        "pvalue = float(result.pvalue)",
    ),
    guard=lambda p: _CELL_GUARD,
)

odds_ratio_ci = Family(
    category="odds_ratio_ci",
    outputs=(
        Output("odds_ratio", "number", "the sample odds ratio (n11 n00) / (n10 n01)"),
        Output("ci_lower", "number", "the lower bound of its 95% Woolf confidence interval"),
        Output("ci_upper", "number", "the upper bound"),
    ),
    variants=_pairs,
    question=lambda p: (
        f"{_intro(p, _split(p)[1])}{_split(p)[2]} {_table_text(p)} Compute the odds ratio and its "
        "95% Woolf (logit) interval exp(log OR -/+ 1.96 * sqrt(sum of 1/n over the four cells))."
    ),
    solution=lambda p, root: code(
        _pre(p, _split(p)[1], "import math"),
        _split(p)[0],
        _table_lines(p),
        "(n11, n10), (n01, n00) = table",
        "odds_ratio = n11 * n00 / (n10 * n01)",
        "se = math.sqrt(1 / n11 + 1 / n10 + 1 / n01 + 1 / n00)",
        "ci_lower = math.exp(math.log(odds_ratio) - 1.96 * se)",
        "ci_upper = math.exp(math.log(odds_ratio) + 1.96 * se)",
    ),
    guard=lambda p: _CELL_GUARD,
)


FAMILIES: Final = (
    two_sample_ttest,
    mann_whitney,
    cohens_d,
    chi2_independence,
    fisher_exact,
    odds_ratio_ci,
)
