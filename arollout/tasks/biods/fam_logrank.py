"""Log-rank families on packaged data: two groups, a cut-off, several groups, weightings.

Tests are lifelines' (``lifelines.statistics``): ``logrank_test`` for two
groups (with its ``weightings`` for the Wilcoxon/Gehan, Tarone-Ware, Peto and
Fleming-Harrington variants) and ``multivariate_logrank_test`` for k groups.
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.biods.common import (
    ds_of,
    group_text,
    prelude,
    prelude_text,
    subgroups,
    survival_sets,
)
from arollout.tasks.biods.family import Family, Output, Params, code, fmt
from arollout.tasks.biods.packaged import binary_of

__all__ = ("FAMILIES",)

_LR: Final = "from lifelines.statistics import logrank_test"
_OUTPUTS: Final = (
    Output("pvalue", "number", "the p-value of the test"),
    Output("test_statistic", "number", "the test statistic (chi-squared)"),
)


def _two(p: Params, weighting: str = "") -> list[str]:
    ds, b = ds_of(p), binary_of(ds_of(p), p["by"])
    extra = f", weightings={weighting!r}" if weighting else ""
    if weighting == "fleming-harrington":
        extra += ", p=1, q=1"
    return [
        f"a = df[df[{b.column!r}] == {b.positive!r}]",
        f"b = df[df[{b.column!r}] == {b.negative!r}]",
        "result = logrank_test(",
        f"    a[{ds.duration!r}], b[{ds.duration!r}],",
        f"    event_observed_A=a[{ds.event!r}], event_observed_B=b[{ds.event!r}]{extra},",
        ")",
        "pvalue = float(result.p_value)",
        "test_statistic = float(result.test_statistic)",
    ]


def _two_guard(p: Params) -> str:
    ds = ds_of(p)
    return f"_keep = all(len(g) >= 10 and int(g[{ds.event!r}].sum()) >= 3 for g in (a, b))\n"


def _binary_variants() -> list[Params]:
    return [
        {"ds": ds.key, "by": b.column, "sub": sub}
        for ds in survival_sets()
        for b in ds.binaries
        for sub in subgroups(ds, exclude=(b.column,))
    ]


logrank_binary = Family(
    category="logrank_binary",
    outputs=_OUTPUTS,
    variants=_binary_variants,
    question=lambda p: (
        f"{prelude_text(ds_of(p), p['sub'], (p['by'],))} Compare the survival of "
        f"{group_text(ds_of(p), p['by'])} with a log-rank test "
        "(lifelines `logrank_test`, default settings)."
    ),
    solution=lambda p, root: code(
        prelude(ds_of(p), p["sub"], (p["by"],), imports=(_LR, "")), _two(p)
    ),
    guard=_two_guard,
)

_WEIGHTINGS: Final = {
    "wilcoxon": "Wilcoxon (Gehan-Breslow) weights: `weightings='wilcoxon'`",
    "tarone-ware": "Tarone-Ware weights: `weightings='tarone-ware'`",
    "peto": "Peto-Peto weights: `weightings='peto'`",
    "fleming-harrington": "Fleming-Harrington weights with p = 1, q = 1: `weightings='fleming-harrington', p=1, q=1`",
}


def _weighted_variants() -> list[Params]:
    return [
        {"ds": ds.key, "by": b.column, "sub": None, "w": w}
        for ds in survival_sets()
        for b in ds.binaries
        for w in _WEIGHTINGS
    ]


logrank_weighted = Family(
    category="logrank_weighted",
    outputs=_OUTPUTS,
    variants=_weighted_variants,
    question=lambda p: (
        f"{prelude_text(ds_of(p), p['sub'], (p['by'],))} Compare the survival of "
        f"{group_text(ds_of(p), p['by'])} with a weighted log-rank test: lifelines "
        f"`logrank_test` with {_WEIGHTINGS[p['w']]}."
    ),
    solution=lambda p, root: code(
        prelude(ds_of(p), p["sub"], (p["by"],), imports=(_LR, "")), _two(p, p["w"])
    ),
    guard=_two_guard,
)


def _threshold_variants() -> list[Params]:
    return [
        {"ds": ds.key, "x": x, "q": q, "sub": sub}
        for ds in survival_sets()
        for x in ds.numeric
        for q in (0.25, 0.5, 0.75)
        for sub in subgroups(ds)[:3]
    ]


def _threshold(p: Params, root: str) -> str:
    ds, x = ds_of(p), p["x"]
    return code(
        prelude(ds, p["sub"], (x,), imports=(_LR, "")),
        f"cutoff = float(df[{x!r}].quantile({p['q']!r}))",
        f"high = df[df[{x!r}] > cutoff]",
        f"low = df[df[{x!r}] <= cutoff]",
        "result = logrank_test(",
        f"    high[{ds.duration!r}], low[{ds.duration!r}],",
        f"    event_observed_A=high[{ds.event!r}], event_observed_B=low[{ds.event!r}],",
        ")",
        "pvalue = float(result.p_value)",
        "test_statistic = float(result.test_statistic)",
    )


logrank_threshold = Family(
    category="logrank_threshold",
    outputs=(Output("cutoff", "number", "the cut-off value"), *_OUTPUTS),
    variants=_threshold_variants,
    question=lambda p: (
        f"{prelude_text(ds_of(p), p['sub'], (p['x'],))} Let the cut-off be the {p['q']} quantile of "
        f"`{p['x']}` (pandas `Series.quantile`, default linear interpolation), computed on the "
        f"rows used. Compare the survival of rows with `{p['x']}` above the cut-off against rows "
        "at or below it with a log-rank test (lifelines `logrank_test`, default settings)."
    ),
    solution=_threshold,
    guard=lambda p: (
        f"_keep = all(len(g) >= 10 and int(g[{ds_of(p).event!r}].sum()) >= 3 for g in (high, low))\n"
    ),
)


def _multi_variants() -> list[Params]:
    out: list[Params] = []
    for ds in survival_sets():
        for lv in ds.levels:
            out.extend({"ds": ds.key, "by": lv.column, "k": 0, "sub": sub} for sub in subgroups(ds))
        for x in ds.numeric:
            out.extend({"ds": ds.key, "by": x, "k": k, "sub": None} for k in (3, 4))
    return out


def _multi_text(p: Params) -> str:
    ds = ds_of(p)
    if p["k"]:
        return (
            f"Group the rows into {p['k']} quantile groups of `{p['by']}` with "
            f"`pd.qcut(df[{p['by']!r}], {p['k']}, labels=False)` (on the rows used)."
        )
    lv = next(lv for lv in ds.levels if lv.column == p["by"])
    return f"Group the rows by `{p['by']}`, keeping only rows whose `{p['by']}` is one of {', '.join(fmt(v) for v in lv.values)}."


def _multi(p: Params, root: str) -> str:
    ds = ds_of(p)
    lines = prelude(
        ds,
        p["sub"],
        (p["by"],),
        imports=(
            "import pandas as pd",
            "from lifelines.statistics import multivariate_logrank_test",
            "",
        ),
    )
    if p["k"]:
        lines.append(f"groups = pd.qcut(df[{p['by']!r}], {p['k']}, labels=False)")
    else:
        lv = next(lv for lv in ds.levels if lv.column == p["by"])
        lines.append(f"df = df[df[{p['by']!r}].isin({list(lv.values)!r})]")
        lines.append(f"groups = df[{p['by']!r}]")
    return code(
        lines,
        f"result = multivariate_logrank_test(df[{ds.duration!r}], groups, df[{ds.event!r}])",
        "pvalue = float(result.p_value)",
        "test_statistic = float(result.test_statistic)",
    )


logrank_multigroup = Family(
    category="logrank_multigroup",
    outputs=_OUTPUTS,
    variants=_multi_variants,
    question=lambda p: (
        f"{prelude_text(ds_of(p), p['sub'], (p['by'],))} {_multi_text(p)} Test whether survival "
        "differs between the groups with a multivariate log-rank test (lifelines "
        "`multivariate_logrank_test`, default settings)."
    ),
    solution=_multi,
    guard=lambda p: (
        f"_keep = groups.nunique() == {p['k'] or len(next(lv for lv in ds_of(p).levels if lv.column == p['by']).values)} "
        f"and groups.value_counts().min() >= 8 and int(df[{ds_of(p).event!r}].sum()) >= 10\n"
    ),
)

FAMILIES: Final = (logrank_binary, logrank_weighted, logrank_threshold, logrank_multigroup)
