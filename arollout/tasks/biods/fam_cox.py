"""Cox proportional-hazards families on packaged data.

Every model is lifelines' ``CoxPHFitter`` (Efron's method for ties, Newton-
Raphson, the defaults unless a question says otherwise): hazard ratios and
their 95 % intervals from ``summary``, Harrell's concordance
(``concordance_index_``), the likelihood-ratio test against the null model,
the partial AIC, stratified and ridge-penalised fits, the Schoenfeld-residual
test of proportional hazards (``proportional_hazard_test`` with the rank
time transform) and predicted survival for a covariate profile.
"""

from __future__ import annotations

import itertools
from typing import Final

from arollout.tasks.biods.common import (
    combos,
    covariates,
    ds_of,
    prelude,
    prelude_text,
    subgroups,
    survival_sets,
)
from arollout.tasks.biods.family import Family, Output, Params, code, fmt

__all__ = ("FAMILIES",)

_COX: Final = "from lifelines import CoxPHFitter"


def _fit_lines(p: Params, xs: list[str], extra: str = "", strata: str | None = None) -> list[str]:
    ds = ds_of(p)
    cols = [ds.duration, ds.event, *xs, *([strata] if strata else [])]
    fit = f"cph.fit(data, duration_col={ds.duration!r}, event_col={ds.event!r}"
    fit += f", strata=[{strata!r}])" if strata else ")"
    return [f"data = df[{cols!r}]", f"cph = CoxPHFitter({extra})", fit]


def _pre(p: Params, xs: list[str], *imports: str, strata: str | None = None) -> list[str]:
    used = [*xs, *([strata] if strata else [])]
    return prelude(ds_of(p), p.get("sub"), used, imports=(_COX, *imports, ""), encode=used)


def _text(p: Params, xs: list[str], strata: str | None = None) -> str:
    used = [*xs, *([strata] if strata else [])]
    return prelude_text(ds_of(p), p.get("sub"), used, encode=used)


def _covs(xs: list[str]) -> str:
    return ", ".join(f"`{x}`" for x in xs)


def _guard(p: Params) -> str:
    return f"_keep = len(data) >= 30 and int(data[{ds_of(p).event!r}].sum()) >= 10\n"


def _univariate_variants() -> list[Params]:
    return [
        {"ds": ds.key, "x": x, "sub": sub}
        for ds in survival_sets()
        for x in covariates(ds)
        for sub in subgroups(ds, exclude=(x,))
    ]


cox_univariate = Family(
    category="cox_univariate",
    outputs=(
        Output("hazard_ratio", "number", "the hazard ratio exp(coef) of the covariate"),
        Output("pvalue", "number", "its Wald test p-value"),
    ),
    variants=_univariate_variants,
    question=lambda p: (
        f"{_text(p, [p['x']])} Fit a Cox proportional-hazards model (lifelines `CoxPHFitter`, default "
        f"settings) with the single covariate `{p['x']}`."
    ),
    solution=lambda p, root: code(
        _pre(p, [p["x"]]),
        _fit_lines(p, [p["x"]]),
        f"hazard_ratio = float(cph.hazard_ratios_[{p['x']!r}])",
        f"pvalue = float(cph.summary.loc[{p['x']!r}, 'p'])",
    ),
    guard=_guard,
)


def _adjusted_variants() -> list[Params]:
    out: list[Params] = []
    for ds in survival_sets():
        cov = covariates(ds)
        for x in cov:
            others = [c for c in cov if c != x]
            out.extend({"ds": ds.key, "x": x, "adj": adj} for adj in combos(others, (1, 2, 3)))
    return out


def _model(p: Params) -> list[str]:
    return [p["x"], *p["adj"]]


cox_adjusted_hr = Family(
    category="cox_adjusted_hr",
    outputs=(
        Output(
            "hazard_ratio",
            "number",
            "the adjusted hazard ratio exp(coef) of the covariate of interest",
        ),
        Output("pvalue", "number", "its Wald test p-value"),
    ),
    variants=_adjusted_variants,
    question=lambda p: (
        f"{_text(p, _model(p))} Fit a Cox proportional-hazards model (lifelines `CoxPHFitter`, default "
        f"settings) with covariates {_covs(_model(p))}. Report the results for `{p['x']}`."
    ),
    solution=lambda p, root: code(
        _pre(p, _model(p)),
        _fit_lines(p, _model(p)),
        f"hazard_ratio = float(cph.hazard_ratios_[{p['x']!r}])",
        f"pvalue = float(cph.summary.loc[{p['x']!r}, 'p'])",
    ),
    guard=_guard,
)

cox_hr_ci = Family(
    category="cox_hr_ci",
    outputs=(
        Output(
            "hr_lower",
            "number",
            "the lower bound of the 95% confidence interval of the hazard ratio",
        ),
        Output("hr_upper", "number", "the upper bound of that interval"),
    ),
    variants=_adjusted_variants,
    question=lambda p: (
        f"{_text(p, _model(p))} Fit a Cox proportional-hazards model (lifelines `CoxPHFitter`, default "
        f"settings) with covariates {_covs(_model(p))}. Report the 95% confidence interval of the "
        f"hazard ratio of `{p['x']}` (the `exp(coef) lower 95%` and `exp(coef) upper 95%` columns of "
        "`summary`)."
    ),
    solution=lambda p, root: code(
        _pre(p, _model(p)),
        _fit_lines(p, _model(p)),
        f"hr_lower = float(cph.summary.loc[{p['x']!r}, 'exp(coef) lower 95%'])",
        f"hr_upper = float(cph.summary.loc[{p['x']!r}, 'exp(coef) upper 95%'])",
    ),
    guard=_guard,
)


def _model_variants() -> list[Params]:
    return [
        {"ds": ds.key, "xs": xs}
        for ds in survival_sets()
        for xs in combos(covariates(ds), (1, 2, 3, 4))
    ]


cox_concordance = Family(
    category="cox_concordance",
    outputs=(
        Output(
            "concordance", "number", "the model's concordance index on the data it was fitted to"
        ),
    ),
    variants=_model_variants,
    question=lambda p: (
        f"{_text(p, p['xs'])} Fit a Cox proportional-hazards model (lifelines `CoxPHFitter`, default "
        f"settings) with covariates {_covs(p['xs'])} and report its concordance index "
        "(`concordance_index_`)."
    ),
    solution=lambda p, root: code(
        _pre(p, p["xs"]), _fit_lines(p, p["xs"]), "concordance = float(cph.concordance_index_)"
    ),
    guard=_guard,
)

cox_likelihood_ratio = Family(
    category="cox_likelihood_ratio",
    outputs=(
        Output(
            "lr_statistic",
            "number",
            "the likelihood-ratio test statistic against the model without covariates",
        ),
        Output("lr_pvalue", "number", "its p-value"),
    ),
    variants=_model_variants,
    question=lambda p: (
        f"{_text(p, p['xs'])} Fit a Cox proportional-hazards model (lifelines `CoxPHFitter`, default "
        f"settings) with covariates {_covs(p['xs'])} and run its likelihood-ratio test "
        "(`log_likelihood_ratio_test()`)."
    ),
    solution=lambda p, root: code(
        _pre(p, p["xs"]),
        _fit_lines(p, p["xs"]),
        "test = cph.log_likelihood_ratio_test()",
        "lr_statistic = float(test.test_statistic)",
        "lr_pvalue = float(test.p_value)",
    ),
    guard=_guard,
)

cox_aic = Family(
    category="cox_aic",
    outputs=(Output("aic", "number", "the partial AIC of the model"),),
    variants=_model_variants,
    question=lambda p: (
        f"{_text(p, p['xs'])} Fit a Cox proportional-hazards model (lifelines `CoxPHFitter`, default "
        f"settings) with covariates {_covs(p['xs'])} and report its partial AIC (`AIC_partial_`)."
    ),
    solution=lambda p, root: code(
        _pre(p, p["xs"]), _fit_lines(p, p["xs"]), "aic = float(cph.AIC_partial_)"
    ),
    guard=_guard,
)


def _strata_variants() -> list[Params]:
    out: list[Params] = []
    for ds in survival_sets():
        cov = covariates(ds)
        for strata in (b.column for b in ds.binaries):
            others = [c for c in cov if c != strata]
            out.extend({"ds": ds.key, "x": x, "strata": strata} for x in others)
            out.extend(
                {"ds": ds.key, "x": a, "adj": [b], "strata": strata}
                for a, b in itertools.permutations(others, 2)
            )
    return out


def _smodel(p: Params) -> list[str]:
    return [p["x"], *p.get("adj", [])]


cox_stratified = Family(
    category="cox_stratified",
    outputs=(
        Output("hazard_ratio", "number", "the hazard ratio exp(coef) of the covariate of interest"),
    ),
    variants=_strata_variants,
    question=lambda p: (
        f"{_text(p, _smodel(p), p['strata'])} Fit a Cox proportional-hazards model stratified by "
        f"`{p['strata']}` (lifelines `CoxPHFitter`, `strata=[{p['strata']!r}]`, otherwise default "
        f"settings) with covariates {_covs(_smodel(p))}. Report the hazard ratio of `{p['x']}`."
    ),
    solution=lambda p, root: code(
        _pre(p, _smodel(p), strata=p["strata"]),
        _fit_lines(p, _smodel(p), strata=p["strata"]),
        f"hazard_ratio = float(cph.hazard_ratios_[{p['x']!r}])",
    ),
    guard=_guard,
)


def _penalized_variants() -> list[Params]:
    return [
        {"ds": ds.key, "xs": xs, "penalizer": pen}
        for ds in survival_sets()
        for xs in combos(covariates(ds), (2, 3))
        for pen in (0.05, 0.1, 0.5)
    ]


cox_penalized = Family(
    category="cox_penalized",
    outputs=(
        Output(
            "hazard_ratio", "number", "the penalised hazard ratio exp(coef) of the first covariate"
        ),
    ),
    variants=_penalized_variants,
    question=lambda p: (
        f"{_text(p, p['xs'])} Fit a ridge-penalised Cox model (lifelines `CoxPHFitter(penalizer="
        f"{p['penalizer']})`, `l1_ratio` left at 0) with covariates {_covs(p['xs'])}. Report the hazard "
        f"ratio of `{p['xs'][0]}`."
    ),
    solution=lambda p, root: code(
        _pre(p, p["xs"]),
        _fit_lines(p, p["xs"], f"penalizer={p['penalizer']!r}"),
        f"hazard_ratio = float(cph.hazard_ratios_[{p['xs'][0]!r}])",
    ),
    guard=_guard,
)


def _ph_variants() -> list[Params]:
    return [{**p, "x": x} for p in _model_variants() for x in p["xs"] if len(p["xs"]) <= 3]


cox_ph_test = Family(
    category="cox_ph_test",
    outputs=(
        Output(
            "ph_pvalue", "number", "the p-value of the proportional-hazards test for the covariate"
        ),
    ),
    variants=_ph_variants,
    question=lambda p: (
        f"{_text(p, p['xs'])} Fit a Cox proportional-hazards model (lifelines `CoxPHFitter`, default "
        f"settings) with covariates {_covs(p['xs'])}, then test the proportional-hazards assumption "
        "with `lifelines.statistics.proportional_hazard_test(cph, data, time_transform='rank')`, "
        f"where `data` is the frame the model was fitted on. Report the p-value for `{p['x']}`."
    ),
    solution=lambda p, root: code(
        _pre(p, p["xs"], "from lifelines.statistics import proportional_hazard_test"),
        _fit_lines(p, p["xs"]),
        "test = proportional_hazard_test(cph, data, time_transform='rank')",
        f"ph_pvalue = float(test.summary.loc[{p['x']!r}, 'p'])",
    ),
    guard=_guard,
)


def _predict_variants() -> list[Params]:
    out: list[Params] = []
    for p in _model_variants():
        ds = ds_of(p)
        binaries = [x for x in p["xs"] if x in {b.column for b in ds.binaries}]
        levels = (1, 0) if binaries else (None,)
        out.extend({**p, "t": t, "level": level} for t in ds.times[1:3] for level in levels)
    return out


def _profile_text(p: Params) -> str:
    ds = ds_of(p)
    binaries = [x for x in p["xs"] if x in {b.column for b in ds.binaries}]
    parts = ["every numeric covariate at its median over the rows used"]
    if binaries:
        parts.append(f"{_covs(binaries)} set to {p['level']}")
    return " and ".join(parts)


def _predict(p: Params, root: str) -> str:
    ds = ds_of(p)
    binaries = [x for x in p["xs"] if x in {b.column for b in ds.binaries}]
    return code(
        _pre(p, p["xs"]),
        _fit_lines(p, p["xs"]),
        f"profile = data[{p['xs']!r}].median().to_frame().T",
        *(f"profile[{b!r}] = {p['level']!r}" for b in binaries),
        f"curve = cph.predict_survival_function(profile, times=[{p['t']!r}])",
        "predicted_survival = float(curve.iloc[0, 0])",
    )


cox_predict_survival = Family(
    category="cox_predict_survival",
    outputs=(
        Output(
            "predicted_survival",
            "number",
            "the model's predicted survival probability at t for the profile",
        ),
    ),
    variants=_predict_variants,
    question=lambda p: (
        f"{_text(p, p['xs'])} Fit a Cox proportional-hazards model (lifelines `CoxPHFitter`, default "
        f"settings) with covariates {_covs(p['xs'])}. Predict, with `predict_survival_function`, the "
        f"survival probability at t = {fmt(p['t'])} {ds_of(p).unit} of a subject with "
        f"{_profile_text(p)}."
    ),
    solution=_predict,
    guard=_guard,
)

FAMILIES: Final = (
    cox_univariate,
    cox_adjusted_hr,
    cox_hr_ci,
    cox_concordance,
    cox_likelihood_ratio,
    cox_aic,
    cox_stratified,
    cox_penalized,
    cox_ph_test,
    cox_predict_survival,
)
