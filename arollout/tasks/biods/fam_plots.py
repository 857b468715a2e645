"""Plot families: a figure saved to a file, plus the numbers it shows.

A plot alone cannot be graded beyond "a real, non-blank PNG" (see ``png``),
so every plot task also asks for a value the figure displays (a log-rank
p-value, group medians, a correlation, the plotted genes): drawing the right
picture and reporting what it shows go together, and an image file alone
never passes.
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.biods.cbio_code import (
    NON_SILENT_TEXT,
    all_studies,
    load_lines,
    mutated_patients_lines,
    study_text,
    survival_lines,
)
from arollout.tasks.biods.common import (
    ds_of,
    group_text,
    prelude,
    prelude_text,
    subgroups,
    survival_sets,
)
from arollout.tasks.biods.family import Family, Output, Params, code, fmt
from arollout.tasks.biods.packaged import DATASETS, binary_of

__all__ = ("FAMILIES",)

_PLOT_SHARE: Final = 0.6
"""Plots cost the most to build (a figure per reference run); 30 per family is plenty."""

_MPL: Final = ("import matplotlib", 'matplotlib.use("Agg")', "import matplotlib.pyplot as plt")


def _km_variants() -> list[Params]:
    return [
        {"ds": ds.key, "by": b.column, "sub": sub}
        for ds in survival_sets()
        for b in ds.binaries
        for sub in subgroups(ds, exclude=(b.column,))
    ]


def _km_plot(p: Params, root: str) -> str:
    ds, b = ds_of(p), binary_of(ds_of(p), p["by"])
    return code(
        prelude(
            ds,
            p["sub"],
            (p["by"],),
            imports=(
                *_MPL,
                "from lifelines import KaplanMeierFitter",
                "from lifelines.statistics import logrank_test",
                "",
            ),
        ),
        "fig, ax = plt.subplots(figsize=(7, 5))",
        "groups = {}",
        f"for label, level in (('A', {b.positive!r}), ('B', {b.negative!r})):",
        f"    part = df[df[{b.column!r}] == level]",
        "    groups[label] = part",
        f"    KaplanMeierFitter(label=f'{b.column} = {{level}}').fit(part[{ds.duration!r}], part[{ds.event!r}]).plot_survival_function(ax=ax)",
        f"ax.set_xlabel({ds.unit!r})",
        "ax.set_ylabel('survival probability')",
        "fig.savefig('km.png', dpi=80)",
        "a, b = groups['A'], groups['B']",
        f"result = logrank_test(a[{ds.duration!r}], b[{ds.duration!r}], event_observed_A=a[{ds.event!r}], event_observed_B=b[{ds.event!r}])",
        "pvalue = float(result.p_value)",
    )


km_plot = Family(
    category="km_plot",
    outputs=(
        Output("km.png", "png", "a figure with the Kaplan-Meier curves of both groups"),
        Output("pvalue", "number", "the log-rank test p-value between the groups"),
    ),
    variants=_km_variants,
    question=lambda p: (
        f"{prelude_text(ds_of(p), p['sub'], (p['by'],))} For {group_text(ds_of(p), p['by'])}, plot "
        "both groups' Kaplan-Meier survival curves (lifelines `KaplanMeierFitter`) in one figure "
        "and compare the groups with a log-rank test (lifelines `logrank_test`, default settings)."
    ),
    solution=_km_plot,
    guard=lambda p: (
        f"_keep = all(len(g) >= 10 and int(g[{ds_of(p).event!r}].sum()) >= 3 for g in (a, b))\n"
    ),
    quota_scale=_PLOT_SHARE,
)


def _cumhaz_variants() -> list[Params]:
    return [
        {"ds": ds.key, "sub": sub, "t": t}
        for ds in survival_sets()
        for sub in subgroups(ds)
        for t in ds.times[1:3]
    ]


cumhaz_plot = Family(
    category="cumhaz_plot",
    outputs=(
        Output("cumhaz.png", "png", "a figure of the Nelson-Aalen cumulative hazard"),
        Output("cumulative_hazard", "number", "the estimated cumulative hazard at t"),
    ),
    variants=_cumhaz_variants,
    question=lambda p: (
        f"{prelude_text(ds_of(p), p['sub'])} Fit a Nelson-Aalen estimator (lifelines "
        "`NelsonAalenFitter`, default settings), plot its cumulative hazard and report its value at "
        f"t = {fmt(p['t'])} {ds_of(p).unit}."
    ),
    solution=lambda p, root: code(
        prelude(
            ds_of(p), p["sub"], (), imports=(*_MPL, "from lifelines import NelsonAalenFitter", "")
        ),
        "naf = NelsonAalenFitter()",
        f"naf.fit(df[{ds_of(p).duration!r}], event_observed=df[{ds_of(p).event!r}])",
        "ax = naf.plot_cumulative_hazard()",
        "ax.figure.savefig('cumhaz.png', dpi=80)",
        f"cumulative_hazard = float(naf.cumulative_hazard_at_times({p['t']!r}).iloc[0])",
    ),
    guard=lambda p: f"_keep = len(df) >= 20 and int(df[{ds_of(p).event!r}].sum()) >= 5\n",
    quota_scale=_PLOT_SHARE,
)


def _box_variants() -> list[Params]:
    out: list[Params] = []
    for ds in DATASETS.values():
        for b in ds.binaries:
            out.extend({"ds": ds.key, "x": x, "by": b.column} for x in ds.numeric)
    return out


boxplot_groups = Family(
    category="boxplot_groups",
    outputs=(
        Output("boxplot.png", "png", "a box plot of the column in both groups"),
        Output("median_a", "number", "the median in group A"),
        Output("median_b", "number", "the median in group B"),
    ),
    variants=_box_variants,
    question=lambda p: (
        f"{prelude_text(ds_of(p), None, (p['x'], p['by']))} For {group_text(ds_of(p), p['by'])}, draw "
        f"side-by-side box plots of `{p['x']}` and report each group's median."
    ),
    solution=lambda p, root: code(
        prelude(ds_of(p), None, (p["x"], p["by"]), imports=(*_MPL, "")),
        f"a = df.loc[df[{p['by']!r}] == {binary_of(ds_of(p), p['by']).positive!r}, {p['x']!r}]",
        f"b = df.loc[df[{p['by']!r}] == {binary_of(ds_of(p), p['by']).negative!r}, {p['x']!r}]",
        "fig, ax = plt.subplots(figsize=(6, 5))",
        "ax.boxplot([a, b])",
        "ax.set_xticks([1, 2], ['A', 'B'])",
        f"ax.set_ylabel({p['x']!r})",
        "fig.savefig('boxplot.png', dpi=80)",
        "median_a = float(a.median())",
        "median_b = float(b.median())",
    ),
    guard=lambda p: "_keep = len(a) >= 10 and len(b) >= 10 and a.median() != b.median()\n",
    quota_scale=_PLOT_SHARE,
)


def _scatter_variants() -> list[Params]:
    out: list[Params] = []
    for key in ("breast_cancer", "diabetes", "gbsg2", "lung", "lymph_node"):
        nums = list(DATASETS[key].numeric)
        out.extend({"ds": key, "x": x, "y": y} for i, x in enumerate(nums) for y in nums[i + 1 :])
    return out


scatter_plot = Family(
    category="scatter_plot",
    outputs=(
        Output("scatter.png", "png", "a scatter plot of the two columns"),
        Output(
            "slope",
            "number",
            "the slope of the least-squares line of y on x (`numpy.polyfit(x, y, 1)`)",
        ),
        Output("r", "number", "the Pearson correlation"),
    ),
    variants=_scatter_variants,
    question=lambda p: (
        f"{prelude_text(ds_of(p), None, (p['x'], p['y']))} Draw a scatter plot of `{p['y']}` (y) "
        f"against `{p['x']}` (x) with its least-squares line, and report the line's slope and the "
        "Pearson correlation (`scipy.stats.pearsonr`)."
    ),
    solution=lambda p, root: code(
        prelude(
            ds_of(p),
            None,
            (p["x"], p["y"]),
            imports=(*_MPL, "import numpy as np", "from scipy import stats", ""),
        ),
        f"x, y = df[{p['x']!r}], df[{p['y']!r}]",
        "slope, intercept = np.polyfit(x, y, 1)",
        "fig, ax = plt.subplots(figsize=(6, 5))",
        "ax.scatter(x, y, s=8)",
        "ax.plot(np.sort(x), slope * np.sort(x) + intercept, color='red')",
        "fig.savefig('scatter.png', dpi=80)",
        "slope = float(slope)",
        "r = float(stats.pearsonr(x, y).statistic)",
    ),
    guard=lambda p: "_keep = len(df) >= 20\n",
    quota_scale=_PLOT_SHARE,
)


def _cbio_km_variants() -> list[Params]:
    return [{"study": d.study_id, "gene": g} for d in all_studies() for g in d.genes]


cbio_km_plot = Family(
    category="cbio_km_plot",
    outputs=(
        Output(
            "os_km.png",
            "png",
            "a figure with the overall-survival Kaplan-Meier curves of both groups",
        ),
        Output(
            "median_os_mutated",
            "number",
            "the Kaplan-Meier median OS (months) of the mutated patients",
        ),
        Output("pvalue", "number", "the log-rank test p-value"),
    ),
    variants=_cbio_km_variants,
    question=lambda p: (
        f"{study_text(p)} Here {NON_SILENT_TEXT}; a patient is mutated when any of their samples is. "
        "An OS event is an OS_STATUS starting with '1:'; use patients with OS_MONTHS and OS_STATUS "
        f"present. Plot the overall-survival Kaplan-Meier curves of {p['gene']}-mutated and other "
        "patients in one figure (lifelines `KaplanMeierFitter`) and compare them with a log-rank test "
        "(lifelines `logrank_test`)."
    ),
    solution=lambda p, root: code(
        load_lines(
            p,
            root,
            ("patients", "samples", "mutations"),
            *_MPL,
            "from lifelines import KaplanMeierFitter",
            "from lifelines.statistics import logrank_test",
        ),
        mutated_patients_lines(p["gene"]),
        survival_lines("OS"),
        'a = surv[surv["mutated"] == 1]',
        'b = surv[surv["mutated"] == 0]',
        "fig, ax = plt.subplots(figsize=(7, 5))",
        f"km_a = KaplanMeierFitter(label={p['gene'] + ' mutated'!r}).fit(a['time'], a['event'])",
        "km_a.plot_survival_function(ax=ax)",
        "KaplanMeierFitter(label='other').fit(b['time'], b['event']).plot_survival_function(ax=ax)",
        "ax.set_xlabel('months')",
        "fig.savefig('os_km.png', dpi=80)",
        "median_os_mutated = float(km_a.median_survival_time_)",
        'pvalue = float(logrank_test(a["time"], b["time"], a["event"], b["event"]).p_value)',
    ),
    guard=lambda p: (
        '_keep = min(len(a), len(b)) >= 10 and min(int(a["event"].sum()), int(b["event"].sum())) >= 5\n'
    ),
    tags=("cbio",),
    quota_scale=_PLOT_SHARE,
)


def _barplot_variants() -> list[Params]:
    return [{"study": d.study_id, "k": k} for d in all_studies() for k in (5, 6, 8, 10, 12)]


cbio_gene_barplot = Family(
    category="cbio_gene_barplot",
    outputs=(
        Output("genes.png", "png", "a bar chart of the genes' mutation frequencies"),
        Output("top_genes", "list", "the plotted genes, most frequently mutated first"),
        Output("top_frequency", "number", "the mutation frequency of the first gene"),
    ),
    variants=_barplot_variants,
    question=lambda p: (
        f"{study_text(p)} Here {NON_SILENT_TEXT}. The mutation frequency of a gene is the number of "
        "samples with a non-silent mutation in it divided by the number of samples in "
        f"data_clinical_sample.txt. Draw a bar chart of the {p['k']} most frequently mutated genes' "
        "frequencies, most frequent first."
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("samples", "mutations"), *_MPL),
        'freq = mutations.groupby("Hugo_Symbol")["Tumor_Sample_Barcode"].nunique() / len(samples)',
        f"freq = freq.sort_values(ascending=False).head({p['k']})",
        "fig, ax = plt.subplots(figsize=(8, 5))",
        "ax.bar(freq.index, freq.to_numpy())",
        "ax.set_ylabel('mutation frequency')",
        "fig.savefig('genes.png', dpi=80)",
        "top_genes = list(freq.index)",
        "top_frequency = float(freq.iloc[0])",
    ),
    guard=lambda p: (
        'counts = mutations.groupby("Hugo_Symbol")["Tumor_Sample_Barcode"].nunique().sort_values(ascending=False).to_numpy()\n'
        f"_keep = bool(all(counts[i] > counts[i + 1] for i in range({p['k']})))\n"
    ),
    tags=("cbio",),
    quota_scale=_PLOT_SHARE,
)

FAMILIES: Final = (
    km_plot,
    cumhaz_plot,
    boxplot_groups,
    scatter_plot,
    cbio_km_plot,
    cbio_gene_barplot,
)
