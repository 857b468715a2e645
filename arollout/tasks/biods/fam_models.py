"""Model-fitting families on packaged data: logistic and linear regression, AUC, PCA.

statsmodels for inference (``Logit`` and ``OLS`` with an intercept, so odds
ratios and p-values are the textbook maximum-likelihood ones) and
scikit-learn for prediction (a seeded stratified split, ``StandardScaler``
fitted on the training part, ``LogisticRegression`` with its defaults,
``roc_auc_score``; ``PCA`` on standardised features).
"""

from __future__ import annotations

import itertools
from typing import Final

from arollout.tasks.biods.common import combos, ds_of, prelude, prelude_text, subgroups
from arollout.tasks.biods.family import Family, Output, Params, code
from arollout.tasks.biods.packaged import DATASETS, Binary, Dataset

__all__ = ("FAMILIES",)

_OUTCOMES: Final[dict[str, tuple[str, str]]] = {
    "breast_cancer": ("malignant", "`malignant` = 1 where `target` == 0 (malignant), else 0"),
    "diabetes": ("high_progression", "`high_progression` = 1 where `target` > 140, else 0"),
}
_DERIVE: Final[dict[str, str]] = {
    "breast_cancer": 'df["malignant"] = (df["target"] == 0).astype(int)',
    "diabetes": 'df["high_progression"] = (df["target"] > 140).astype(int)',
}


def _outcome(ds: Dataset) -> tuple[str, str, str]:
    """Outcome column, its description and the line deriving it ('' when it exists)."""
    if ds.key in _OUTCOMES:
        name, text = _OUTCOMES[ds.key]
        return name, f" Define {text}.", _DERIVE[ds.key]
    return ds.event, "", ""


def _predictors(ds: Dataset) -> list[str]:
    return [b.column for b in ds.binaries if b.column != "target"] + [
        c for c in ds.numeric if c != "target"
    ]


def _encode(ds: Dataset, xs: list[str]) -> list[Binary]:
    return [b for b in ds.binaries if b.column in xs and (b.positive, b.negative) != (1, 0)]


def _pre(p: Params, xs: list[str], *imports: str) -> list[str]:
    ds = ds_of(p)
    y, _, derive = _outcome(ds)
    columns = [*xs, *(["target"] if derive else [])]
    lines = prelude(ds, p.get("sub"), columns, imports=(*imports, ""), encode=xs)
    return [*lines, *([derive] if derive else [])]


def _intro(p: Params, xs: list[str]) -> str:
    ds = ds_of(p)
    return prelude_text(ds, p.get("sub"), xs, encode=xs) + _outcome(ds)[1]


def _covs(xs: list[str]) -> str:
    return ", ".join(f"`{x}`" for x in xs)


def _logit_variants() -> list[Params]:
    out: list[Params] = []
    for ds in DATASETS.values():
        preds = _predictors(ds)
        sizes = (1, 2) if len(preds) > 12 else (1, 2, 3)
        out.extend({"ds": ds.key, "xs": xs} for xs in combos(preds, sizes))
    return out


logistic_regression = Family(
    category="logistic_regression",
    outputs=(
        Output("odds_ratio", "number", "exp(coef) of the first predictor"),
        Output("pvalue", "number", "its Wald test p-value"),
    ),
    variants=_logit_variants,
    question=lambda p: (
        f"{_intro(p, p['xs'])} Fit a logistic regression of `{_outcome(ds_of(p))[0]}` on "
        f"{_covs(p['xs'])} plus an intercept by maximum likelihood (statsmodels "
        "`sm.Logit(y, sm.add_constant(X)).fit(disp=0)`). Report the results for "
        f"`{p['xs'][0]}`."
    ),
    solution=lambda p, root: code(
        _pre(p, p["xs"], "import numpy as np", "import statsmodels.api as sm"),
        f"X = sm.add_constant(df[{p['xs']!r}].astype(float))",
        f"y = df[{_outcome(ds_of(p))[0]!r}]",
        "fit = sm.Logit(y, X).fit(disp=0)",
        f"odds_ratio = float(np.exp(fit.params[{p['xs'][0]!r}]))",
        f"pvalue = float(fit.pvalues[{p['xs'][0]!r}])",
    ),
    guard=lambda p: "_keep = bool(fit.mle_retvals['converged']) and len(df) >= 40\n",
)


def _auc_variants() -> list[Params]:
    out: list[Params] = []
    for key in ("breast_cancer", "diabetes"):
        preds = [c for c in _predictors(DATASETS[key]) if not c.startswith(("worst", "sex"))]
        preds = [c for c in preds if not c.endswith("error")]
        for size, seed in itertools.product((2, 3, 4), (0, 1, 2)):
            out.extend({"ds": key, "xs": xs, "seed": seed} for xs in combos(preds, (size,)))
    return out


logistic_auc = Family(
    category="logistic_auc",
    outputs=(
        Output("auc", "number", "the ROC AUC on the test part", abs_tol=1e-4),
        Output(
            "accuracy",
            "number",
            "the accuracy on the test part at the default 0.5 threshold",
            abs_tol=1e-4,
        ),
    ),
    variants=_auc_variants,
    question=lambda p: (
        f"{_intro(p, p['xs'])} Predict `{_outcome(ds_of(p))[0]}` from {_covs(p['xs'])}: split with "
        f"`train_test_split(X, y, test_size=0.3, random_state={p['seed']}, stratify=y)`, "
        "standardise with a `StandardScaler` fitted on the training part, fit "
        "`LogisticRegression()` (scikit-learn defaults) on it and evaluate on the test part."
    ),
    solution=lambda p, root: code(
        _pre(
            p,
            p["xs"],
            "from sklearn.linear_model import LogisticRegression",
            "from sklearn.metrics import accuracy_score, roc_auc_score",
            "from sklearn.model_selection import train_test_split",
            "from sklearn.preprocessing import StandardScaler",
        ),
        f"X = df[{p['xs']!r}]",
        f"y = df[{_outcome(ds_of(p))[0]!r}]",
        f"X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state={p['seed']}, stratify=y)",
        "scaler = StandardScaler().fit(X_train)",
        "model = LogisticRegression().fit(scaler.transform(X_train), y_train)",
        "scores = model.predict_proba(scaler.transform(X_test))[:, 1]",
        "auc = float(roc_auc_score(y_test, scores))",
        "accuracy = float(accuracy_score(y_test, model.predict(scaler.transform(X_test))))",
    ),
    guard=lambda p: "_keep = 0.55 < auc < 0.999\n",
)


def _feature_auc_variants() -> list[Params]:
    out: list[Params] = []
    for ds in DATASETS.values():
        for x in (c for c in ds.numeric if c != "target"):
            out.extend(
                {"ds": ds.key, "x": x, "sub": s} for s in subgroups(ds, exclude=("target",))[:3]
            )
    return out


feature_auc = Family(
    category="feature_auc",
    outputs=(Output("auc", "number", "the ROC AUC of the raw feature as a score for the outcome"),),
    variants=_feature_auc_variants,
    question=lambda p: (
        f"{_intro(p, [p['x']])} Use `{p['x']}` itself as a score for `{_outcome(ds_of(p))[0]}` and "
        "compute the ROC AUC (`sklearn.metrics.roc_auc_score(y, score)`)."
    ),
    solution=lambda p, root: code(
        _pre(p, [p["x"]], "from sklearn.metrics import roc_auc_score"),
        f"auc = float(roc_auc_score(df[{_outcome(ds_of(p))[0]!r}], df[{p['x']!r}]))",
    ),
    guard=lambda p: f"_keep = df[{_outcome(ds_of(p))[0]!r}].nunique() == 2 and len(df) >= 30\n",
)


def _ols_variants() -> list[Params]:
    ds = DATASETS["diabetes"]
    preds = [c for c in ds.numeric if c != "target"] + ["sex"]
    out: list[Params] = [
        {"ds": "diabetes", "y": "target", "xs": xs} for xs in combos(preds, (1, 2, 3))
    ]
    bc = [c for c in DATASETS["breast_cancer"].numeric if c.startswith("mean")]
    out.extend(
        {"ds": "breast_cancer", "y": y, "xs": xs}
        for y in ("mean area", "mean concavity")
        for xs in combos([c for c in bc if c != y], (1, 2))
    )
    return out


ols_regression = Family(
    category="ols_regression",
    outputs=(
        Output("coefficient", "number", "the coefficient of the first predictor"),
        Output("r_squared", "number", "the model's R-squared"),
    ),
    variants=_ols_variants,
    question=lambda p: (
        f"{prelude_text(ds_of(p), None, [p['y'], *p['xs']])} Fit an ordinary least-squares "
        f"regression of `{p['y']}` on {_covs(p['xs'])} plus an intercept (statsmodels "
        "`sm.OLS(y, sm.add_constant(X)).fit()`, with `sex` left as coded if used). Report the "
        f"coefficient of `{p['xs'][0]}`."
    ),
    solution=lambda p, root: code(
        prelude(ds_of(p), None, [p["y"], *p["xs"]], imports=("import statsmodels.api as sm", "")),
        f"fit = sm.OLS(df[{p['y']!r}], sm.add_constant(df[{p['xs']!r}])).fit()",
        f"coefficient = float(fit.params[{p['xs'][0]!r}])",
        "r_squared = float(fit.rsquared)",
    ),
)


def _pca_variants() -> list[Params]:
    bc = DATASETS["breast_cancer"].numeric
    out: list[Params] = []
    for prefix in ("mean ", "worst ", " error"):
        group = [c for c in bc if c.startswith(prefix) or c.endswith(prefix)]
        out.extend({"ds": "breast_cancer", "xs": group[:k]} for k in range(3, len(group) + 1))
    out.extend({"ds": "breast_cancer", "xs": list(bc[:k])} for k in (12, 15, 20, 25, 30))
    db = [c for c in DATASETS["diabetes"].numeric if c != "target"]
    out.extend({"ds": "diabetes", "xs": db[:k]} for k in range(3, len(db) + 1))
    return out


pca_variance = Family(
    category="pca_variance",
    outputs=(
        Output(
            "pc1_ratio", "number", "the explained variance ratio of the first principal component"
        ),
        Output(
            "pc2_cumulative",
            "number",
            "the cumulative explained variance ratio of the first two components",
        ),
    ),
    variants=_pca_variants,
    question=lambda p: (
        f"{prelude_text(ds_of(p), None, p['xs'])} Standardise {_covs(p['xs'])} with `StandardScaler` "
        "and fit scikit-learn `PCA()` (all components) on the result."
    ),
    solution=lambda p, root: code(
        prelude(
            ds_of(p),
            None,
            p["xs"],
            imports=(
                "from sklearn.decomposition import PCA",
                "from sklearn.preprocessing import StandardScaler",
                "",
            ),
        ),
        f"scaled = StandardScaler().fit_transform(df[{p['xs']!r}])",
        "pca = PCA().fit(scaled)",
        "pc1_ratio = float(pca.explained_variance_ratio_[0])",
        "pc2_cumulative = float(pca.explained_variance_ratio_[:2].sum())",
    ),
)


def _ranking_variants() -> list[Params]:
    out: list[Params] = []
    for key in ("breast_cancer", "diabetes"):
        nums = list(DATASETS[key].numeric)
        out.extend(
            {"ds": key, "x": x, "method": m, "k": 3} for x in nums for m in ("pearson", "spearman")
        )
    return out


correlation_ranking = Family(
    category="correlation_ranking",
    outputs=(
        Output(
            "top_features",
            "list",
            "the other columns most correlated with the column, strongest first",
        ),
    ),
    variants=_ranking_variants,
    question=lambda p: (
        f"{prelude_text(ds_of(p), None, list(DATASETS[p['ds']].numeric))} Among the other columns in "
        f"{_covs(list(DATASETS[p['ds']].numeric))}, find the {p['k']} with the largest absolute "
        f"{p['method'].capitalize()} correlation with `{p['x']}` (`DataFrame.corr(method="
        f"{p['method']!r})`) and list their names from the strongest to the weakest."
    ),
    solution=lambda p, root: code(
        prelude(ds_of(p), None, list(DATASETS[p["ds"]].numeric)),
        f"columns = {list(DATASETS[p['ds']].numeric)!r}",
        f"strength = df[columns].corr(method={p['method']!r})[{p['x']!r}].drop({p['x']!r}).abs()",
        f"top_features = list(strength.sort_values(ascending=False).index[:{p['k']}])",
    ),
    guard=lambda p: (
        "_ordered = strength.sort_values(ascending=False).to_numpy()\n"
        f"_keep = bool(min(_ordered[i] - _ordered[i + 1] for i in range({p['k']})) > 1e-4)\n"
    ),
)

FAMILIES: Final = (
    logistic_regression,
    logistic_auc,
    feature_auc,
    ols_regression,
    pca_variance,
    correlation_ranking,
)
