"""Non-parametric survival families on packaged data: Kaplan-Meier, Nelson-Aalen, RMST, counts.

Estimators and their conventions are lifelines' (Davidson-Pilon, "lifelines:
survival analysis in Python", JOSS 2019): ``KaplanMeierFitter`` with its
exponential-Greenwood ("log(-log)") 95 % intervals, ``median_survival_times``
for the median's interval, ``percentile(p)`` for the first time the estimate
reaches ``p``, ``NelsonAalenFitter`` for the cumulative hazard and
``restricted_mean_survival_time`` for the area under the curve up to ``t``.
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

_KM: Final = "from lifelines import KaplanMeierFitter"


def _fit(p: Params, name: str = "kmf", frame: str = "df") -> list[str]:
    ds = ds_of(p)
    return [
        f"{name} = KaplanMeierFitter()",
        f"{name}.fit({frame}[{ds.duration!r}], event_observed={frame}[{ds.event!r}])",
    ]


def _guard(p: Params) -> str:
    ds = ds_of(p)
    return f"_keep = len(df) >= 20 and int(df[{ds.event!r}].sum()) >= 5\n"


def _by_subgroup() -> list[Params]:
    return [{"ds": ds.key, "sub": sub} for ds in survival_sets() for sub in subgroups(ds)]


def _by_time() -> list[Params]:
    return [{**p, "t": t} for p in _by_subgroup() for t in ds_of(p).times]


def _intro(p: Params) -> str:
    return prelude_text(ds_of(p), p["sub"])


def _pre(p: Params, *imports: str) -> list[str]:
    columns = [p["by"]] if "by" in p else []
    return prelude(ds_of(p), p["sub"], columns, imports=(*imports, ""))


def _unit(p: Params) -> str:
    return ds_of(p).unit


km_median = Family(
    category="km_median",
    outputs=(Output("median_survival", "number", "the Kaplan-Meier median survival time"),),
    variants=_by_subgroup,
    question=lambda p: (
        f"{_intro(p)} Fit a Kaplan-Meier estimator (lifelines `KaplanMeierFitter`) and report the median survival time (in {_unit(p)})."
    ),
    solution=lambda p, root: code(
        _pre(p, _KM), _fit(p), "median_survival = float(kmf.median_survival_time_)"
    ),
    guard=_guard,
)

km_survival_at = Family(
    category="km_survival_at",
    outputs=(Output("survival_probability", "number", "the Kaplan-Meier estimate S(t)"),),
    variants=_by_time,
    question=lambda p: (
        f"{_intro(p)} Fit a Kaplan-Meier estimator (lifelines `KaplanMeierFitter`) and report the estimated survival probability at t = {fmt(p['t'])} {_unit(p)}."
    ),
    solution=lambda p, root: code(
        _pre(p, _KM),
        _fit(p),
        f"survival_probability = float(kmf.survival_function_at_times({p['t']!r}).iloc[0])",
    ),
    guard=_guard,
)

km_survival_ci = Family(
    category="km_survival_ci",
    outputs=(
        Output("ci_lower", "number", "the lower bound of the 95% confidence interval of S(t)"),
        Output("ci_upper", "number", "the upper bound of the 95% confidence interval of S(t)"),
    ),
    variants=_by_time,
    question=lambda p: (
        f"{_intro(p)} Fit a Kaplan-Meier estimator (lifelines `KaplanMeierFitter`, default 95% "
        "exponential-Greenwood intervals) and report the confidence interval of the survival "
        f"probability at t = {fmt(p['t'])} {_unit(p)}: the row of "
        "`confidence_interval_survival_function_` at the last time point at or before t."
    ),
    solution=lambda p, root: code(
        _pre(p, _KM),
        _fit(p),
        "ci = kmf.confidence_interval_survival_function_",
        f"row = ci[ci.index <= {p['t']!r}].iloc[-1]",
        "ci_lower = float(row.iloc[0])",
        "ci_upper = float(row.iloc[1])",
    ),
    guard=_guard,
)

km_median_ci = Family(
    category="km_median_ci",
    outputs=(
        Output(
            "median_lower",
            "number",
            "the lower bound of the 95% confidence interval of the median survival time",
        ),
        Output("median_upper", "number", "the upper bound of that interval"),
    ),
    variants=_by_subgroup,
    question=lambda p: (
        f"{_intro(p)} Fit a Kaplan-Meier estimator (lifelines `KaplanMeierFitter`) and compute the 95% "
        "confidence interval of the median survival time with "
        "`lifelines.utils.median_survival_times(kmf.confidence_interval_)`."
    ),
    solution=lambda p, root: code(
        _pre(p, _KM, "from lifelines.utils import median_survival_times"),
        _fit(p),
        "interval = median_survival_times(kmf.confidence_interval_)",
        "median_lower = float(interval.iloc[0, 0])",
        "median_upper = float(interval.iloc[0, 1])",
    ),
    guard=_guard,
)


def _percentiles() -> list[Params]:
    return [{**p, "q": q} for p in _by_subgroup() for q in (0.9, 0.75, 0.25)]


km_percentile = Family(
    category="km_percentile",
    outputs=(
        Output(
            "time_at_quantile",
            "number",
            "the time at which the survival estimate reaches the given level",
        ),
    ),
    variants=_percentiles,
    question=lambda p: (
        f"{_intro(p)} Fit a Kaplan-Meier estimator (lifelines `KaplanMeierFitter`) and report the "
        f"first time (in {_unit(p)}) at which the estimated survival probability is at or below "
        f"{p['q']} (lifelines `kmf.percentile({p['q']})`)."
    ),
    solution=lambda p, root: code(
        _pre(p, _KM), _fit(p), f"time_at_quantile = float(kmf.percentile({p['q']!r}))"
    ),
    guard=_guard,
)

nelson_aalen_cumhaz = Family(
    category="nelson_aalen_cumhaz",
    outputs=(Output("cumulative_hazard", "number", "the Nelson-Aalen cumulative hazard H(t)"),),
    variants=_by_time,
    question=lambda p: (
        f"{_intro(p)} Fit a Nelson-Aalen estimator (lifelines `NelsonAalenFitter`, default settings) "
        f"and report the estimated cumulative hazard at t = {fmt(p['t'])} {_unit(p)}."
    ),
    solution=lambda p, root: code(
        _pre(p, "from lifelines import NelsonAalenFitter"),
        "naf = NelsonAalenFitter()",
        f"naf.fit(df[{ds_of(p).duration!r}], event_observed=df[{ds_of(p).event!r}])",
        f"cumulative_hazard = float(naf.cumulative_hazard_at_times({p['t']!r}).iloc[0])",
    ),
    guard=_guard,
)

rmst = Family(
    category="rmst",
    outputs=(Output("rmst", "number", "the restricted mean survival time up to t"),),
    variants=_by_time,
    question=lambda p: (
        f"{_intro(p)} Fit a Kaplan-Meier estimator (lifelines `KaplanMeierFitter`) and compute the "
        f"restricted mean survival time up to t = {fmt(p['t'])} {_unit(p)} with "
        "`lifelines.utils.restricted_mean_survival_time(kmf, t=t)`."
    ),
    solution=lambda p, root: code(
        _pre(p, _KM, "from lifelines.utils import restricted_mean_survival_time"),
        _fit(p),
        f"rmst = float(restricted_mean_survival_time(kmf, t={p['t']!r}))",
    ),
    guard=_guard,
)


def _group_times() -> list[Params]:
    return [
        {"ds": ds.key, "sub": None, "by": b.column, "t": t}
        for ds in survival_sets()
        for b in ds.binaries
        for t in ds.times
    ]


def _rmst_diff(p: Params, root: str) -> str:
    ds, b = ds_of(p), binary_of(ds_of(p), p["by"])
    return code(
        _pre(p, _KM, "from lifelines.utils import restricted_mean_survival_time"),
        "values = []",
        f"for level in ({b.positive!r}, {b.negative!r}):",
        f"    part = df[df[{b.column!r}] == level]",
        "    kmf = KaplanMeierFitter()",
        f"    kmf.fit(part[{ds.duration!r}], event_observed=part[{ds.event!r}])",
        f"    values.append(restricted_mean_survival_time(kmf, t={p['t']!r}))",
        "rmst_difference = float(values[0] - values[1])",
    )


def _two_group_guard(p: Params) -> str:
    ds, b = ds_of(p), binary_of(ds_of(p), p["by"])
    return (
        f"_sizes = [df[df[{b.column!r}] == v] for v in ({b.positive!r}, {b.negative!r})]\n"
        f"_keep = all(len(g) >= 10 and int(g[{ds.event!r}].sum()) >= 3 for g in _sizes)\n"
    )


rmst_difference = Family(
    category="rmst_difference",
    outputs=(Output("rmst_difference", "number", "RMST(group A) minus RMST(group B)"),),
    variants=_group_times,
    question=lambda p: (
        f"{_intro(p)} Compare {group_text(ds_of(p), p['by'])}. Fit a Kaplan-Meier estimator to each "
        f"group and compute each group's restricted mean survival time up to t = {fmt(p['t'])} "
        f"{_unit(p)} with `lifelines.utils.restricted_mean_survival_time(kmf, t=t)`; report "
        "RMST(A) - RMST(B)."
    ),
    solution=_rmst_diff,
    guard=_two_group_guard,
)


def _per(p: Params) -> int:
    return 1000 if ds_of(p).unit == "days" else 100


incidence_rate = Family(
    category="incidence_rate",
    outputs=(
        Output("events", "integer", "the number of observed events"),
        Output("rate", "number", "the number of events per the given amount of follow-up time"),
    ),
    variants=_by_subgroup,
    question=lambda p: (
        f"{_intro(p)} Report the number of observed events and the crude event rate per "
        f"{_per(p)} {_unit(p)} of follow-up, i.e. {_per(p)} x (number of events) / (sum of all "
        "durations)."
    ),
    solution=lambda p, root: code(
        _pre(p),
        f"events = int(df[{ds_of(p).event!r}].sum())",
        f"rate = float({_per(p)} * events / df[{ds_of(p).duration!r}].sum())",
    ),
    guard=_guard,
)

risk_set_counts = Family(
    category="risk_set_counts",
    outputs=(
        Output("n_at_risk", "integer", "the number of subjects still at risk at t (duration >= t)"),
        Output("n_events", "integer", "the number of events observed at or before t"),
    ),
    variants=_by_time,
    question=lambda p: (
        f"{_intro(p)} At t = {fmt(p['t'])} {_unit(p)}, count the subjects still at risk "
        "(duration >= t) and the events observed at or before t (duration <= t and event = 1)."
    ),
    solution=lambda p, root: code(
        _pre(p),
        f"n_at_risk = int((df[{ds_of(p).duration!r}] >= {p['t']!r}).sum())",
        f"n_events = int(((df[{ds_of(p).duration!r}] <= {p['t']!r}) & (df[{ds_of(p).event!r}] == 1)).sum())",
    ),
    guard=_guard,
)

FAMILIES: Final = (
    km_median,
    km_survival_at,
    km_survival_ci,
    km_median_ci,
    km_percentile,
    nelson_aalen_cumhaz,
    rmst,
    rmst_difference,
    incidence_rate,
    risk_set_counts,
)
