"""Parametric survival families on packaged data (lifelines' univariate and AFT fitters).

Parametrisations are lifelines': ``WeibullFitter`` S(t) = exp(-(t/lambda)^rho),
``ExponentialFitter`` S(t) = exp(-t/lambda), ``LogNormalFitter`` log T ~ N(mu,
sigma^2), ``LogLogisticFitter`` S(t) = 1 / (1 + (t/alpha)^beta), and the
Weibull accelerated-failure-time model, whose ``exp(coef)`` on ``lambda_`` is
a time ratio.
"""

from __future__ import annotations

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
from arollout.tasks.biods.family import Family, Output, Params, code

__all__ = ("FAMILIES",)


def _by_subgroup() -> list[Params]:
    return [{"ds": ds.key, "sub": sub} for ds in survival_sets() for sub in subgroups(ds)]


def _fit(p: Params, fitter: str) -> list[str]:
    ds = ds_of(p)
    return [
        *prelude(ds, p["sub"], (), imports=(f"from lifelines import {fitter}", "")),
        f"model = {fitter}()",
        f"model.fit(df[{ds.duration!r}], event_observed=df[{ds.event!r}])",
    ]


def _guard(p: Params) -> str:
    return f"_keep = len(df) >= 20 and int(df[{ds_of(p).event!r}].sum()) >= 8\n"


def _univariate(
    category: str, fitter: str, params: tuple[tuple[str, str], ...], what: str
) -> Family:
    outputs = tuple(Output(name, "number", f"the fitted `{attr}`") for name, attr in params)
    return Family(
        category=category,
        outputs=outputs,
        variants=_by_subgroup,
        question=lambda p: (
            f"{prelude_text(ds_of(p), p['sub'])} Fit {what} by maximum likelihood (lifelines "
            f"`{fitter}`, default settings) and report its parameters."
        ),
        solution=lambda p, root: code(
            _fit(p, fitter), *(f"{name} = float(model.{attr})" for name, attr in params)
        ),
        guard=_guard,
        quota_scale=0.7,  # iterative fits: the costliest instances to build after plots
    )


weibull_fit = _univariate(
    "weibull_fit",
    "WeibullFitter",
    (("lambda_", "lambda_"), ("rho_", "rho_")),
    "a Weibull model S(t) = exp(-(t / lambda)^rho)",
)
exponential_fit = _univariate(
    "exponential_fit",
    "ExponentialFitter",
    (("lambda_", "lambda_"),),
    "an exponential model S(t) = exp(-t / lambda)",
)
lognormal_fit = _univariate(
    "lognormal_fit",
    "LogNormalFitter",
    (("mu_", "mu_"), ("sigma_", "sigma_")),
    "a log-normal model (log T normal with mean mu and standard deviation sigma)",
)
loglogistic_fit = _univariate(
    "loglogistic_fit",
    "LogLogisticFitter",
    (("alpha_", "alpha_"), ("beta_", "beta_")),
    "a log-logistic model S(t) = 1 / (1 + (t / alpha)^beta)",
)

_CANDIDATES: Final = ("WeibullFitter", "ExponentialFitter", "LogNormalFitter", "LogLogisticFitter")


def _selection(p: Params, root: str) -> str:
    ds = ds_of(p)
    return code(
        prelude(ds, p["sub"], (), imports=(f"from lifelines import {', '.join(_CANDIDATES)}", "")),
        "scores = {}",
        f"for fitter in ({', '.join(_CANDIDATES)}):",
        "    model = fitter()",
        f"    model.fit(df[{ds.duration!r}], event_observed=df[{ds.event!r}])",
        "    scores[fitter.__name__] = model.AIC_",
        "best_model = min(scores, key=scores.get)",
        "best_aic = float(scores[best_model])",
    )


parametric_model_selection = Family(
    category="parametric_model_selection",
    outputs=(
        Output(
            "best_model",
            "text",
            "the class name of the fitter with the lowest AIC, e.g. 'WeibullFitter'",
        ),
        Output("best_aic", "number", "that model's AIC (`AIC_`)"),
    ),
    variants=_by_subgroup,
    question=lambda p: (
        f"{prelude_text(ds_of(p), p['sub'])} Fit each of lifelines' {', '.join(f'`{c}`' for c in _CANDIDATES)} "
        "(default settings) and pick the one with the lowest AIC (`AIC_`)."
    ),
    solution=_selection,
    quota_scale=0.5,
    guard=lambda p: (
        _guard(p)
        + "_ranked = sorted(scores.values())\n_keep = _keep and _ranked[1] - _ranked[0] > 0.01\n"
    ),
)


def _aft_variants() -> list[Params]:
    out = []
    for ds in survival_sets():
        cov = covariates(ds)
        for x in cov:
            out.append({"ds": ds.key, "x": x, "adj": []})
            out.extend(
                {"ds": ds.key, "x": x, "adj": adj}
                for adj in combos([c for c in cov if c != x], (1, 2))
            )
    return out


def _aft(p: Params, root: str) -> str:
    ds = ds_of(p)
    xs = [p["x"], *p["adj"]]
    return code(
        prelude(ds, None, xs, imports=("from lifelines import WeibullAFTFitter", ""), encode=xs),
        f"data = df[{[ds.duration, ds.event, *xs]!r}]",
        "aft = WeibullAFTFitter()",
        f"aft.fit(data, duration_col={ds.duration!r}, event_col={ds.event!r})",
        f"time_ratio = float(aft.summary.loc[('lambda_', {p['x']!r}), 'exp(coef)'])",
    )


weibull_aft_time_ratio = Family(
    category="weibull_aft_time_ratio",
    outputs=(
        Output("time_ratio", "number", "exp(coef) of the covariate on `lambda_` (a time ratio)"),
    ),
    variants=_aft_variants,
    question=lambda p: (
        f"{prelude_text(ds_of(p), None, [p['x'], *p['adj']], encode=[p['x'], *p['adj']])} Fit a "
        "Weibull accelerated-failure-time model (lifelines `WeibullAFTFitter`, default settings) "
        f"with covariates {', '.join(f'`{c}`' for c in [p['x'], *p['adj']])}. Report exp(coef) of "
        f"`{p['x']}` in the `lambda_` part of the model (`summary.loc[('lambda_', {p['x']!r}), "
        "'exp(coef)']`)."
    ),
    solution=_aft,
    guard=lambda p: f"_keep = len(data) >= 30 and int(data[{ds_of(p).event!r}].sum()) >= 10\n",
    quota_scale=0.5,
)

FAMILIES: Final = (
    weibull_fit,
    exponential_fit,
    lognormal_fit,
    loglogistic_fit,
    parametric_model_selection,
    weibull_aft_time_ratio,
)
