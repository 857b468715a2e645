"""Clinical and burden families on the synthetic cBioPortal studies.

Patient-level mutation status is "any sample of the patient mutated";
tumour mutational burden is the ``TMB_NONSYNONYMOUS`` sample attribute or the
per-sample count of non-silent mutations (zero for samples absent from the
MAF); associations with clinical attributes use chi-squared tests on
``pd.crosstab`` tables, logistic regression uses statsmodels, and variant
allele fractions are ``t_alt_count / (t_alt_count + t_ref_count)``.
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.biods.cbio_code import (
    NON_SILENT_TEXT,
    all_studies,
    design_of,
    load_lines,
    mutated_patients_lines,
    study_text,
)
from arollout.tasks.biods.family import Family, Output, Params, code

__all__ = ("FAMILIES",)

_TAGS: Final = ("cbio",)


def _intro(p: Params) -> str:
    return f"{study_text(p)} Here {NON_SILENT_TEXT}; a patient is mutated when any of their samples is."


def _genes() -> list[Params]:
    return [{"study": d.study_id, "gene": g} for d in all_studies() for g in d.genes]


age_by_mutation = Family(
    category="cbio_age_by_mutation",
    outputs=(
        Output("u_statistic", "number", "the Mann-Whitney U statistic of the mutated group"),
        Output("pvalue", "number", "the two-sided p-value"),
    ),
    variants=_genes,
    question=lambda p: (
        f"{_intro(p)} Compare AGE between patients mutated in {p['gene']} (group A) and the other "
        "patients (group B), leaving out missing ages, with "
        "`scipy.stats.mannwhitneyu(a, b, alternative='two-sided')`."
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("patients", "samples", "mutations"), "from scipy import stats"),
        mutated_patients_lines(p["gene"]),
        'known = patients.dropna(subset=["AGE"])',
        'a = known.loc[known["mutated"] == 1, "AGE"]',
        'b = known.loc[known["mutated"] == 0, "AGE"]',
        "result = stats.mannwhitneyu(a, b, alternative='two-sided')",
        "u_statistic = float(result.statistic)",
        "pvalue = float(result.pvalue)",
    ),
    guard=lambda p: "_keep = min(len(a), len(b)) >= 8\n",
    tags=_TAGS,
)


def _burden_variants() -> list[Params]:
    out: list[Params] = []
    for d in all_studies():
        out.append({"study": d.study_id, "filter": None})
        out.extend(
            {"study": d.study_id, "filter": ["SAMPLE_TYPE", t]} for t in ("Primary", "Metastasis")
        )
        out.extend(
            {"study": d.study_id, "filter": ["CANCER_TYPE_DETAILED", n]} for n, _, _ in d.subtypes
        )
    return out


def _filter_text(f: list[str] | None) -> str:
    return "all samples" if f is None else f"the samples whose {f[0]} is {f[1]!r}"


mutation_burden = Family(
    category="cbio_mutation_burden",
    outputs=(
        Output("mean_count", "number", "the mean number of non-silent mutations per sample"),
        Output("sd_count", "number", "the sample standard deviation of those counts (ddof = 1)"),
    ),
    variants=_burden_variants,
    question=lambda p: (
        f"{_intro(p)} Count the non-silent mutations of each sample in data_clinical_sample.txt "
        f"(0 for samples without any) and summarise the counts over {_filter_text(p['filter'])}."
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("samples", "mutations")),
        *(
            [f"samples = samples[samples[{p['filter'][0]!r}] == {p['filter'][1]!r}]"]
            if p["filter"]
            else []
        ),
        'per_sample = mutations.groupby("Tumor_Sample_Barcode").size()',
        'counts = samples["SAMPLE_ID"].map(per_sample).fillna(0)',
        "mean_count = float(counts.mean())",
        "sd_count = float(counts.std(ddof=1))",
    ),
    guard=lambda p: "_keep = len(samples) >= 15\n",
    tags=_TAGS,
)


def _tmb_variants() -> list[Params]:
    out: list[Params] = [{"study": d.study_id, "by": "SAMPLE_TYPE"} for d in all_studies()]
    out.extend({"study": p["study"], "by": p["gene"]} for p in _genes())
    return out


def _tmb(p: Params, root: str) -> str:
    lines = load_lines(p, root, ("samples", "mutations"), "from scipy import stats")
    if p["by"] == "SAMPLE_TYPE":
        lines.append('in_a = samples["SAMPLE_TYPE"] == "Metastasis"')
    else:
        lines.append(
            f'in_a = samples["SAMPLE_ID"].isin(set(mutations.loc[mutations["Hugo_Symbol"] == {p["by"]!r}, "Tumor_Sample_Barcode"]))'
        )
    return code(
        lines,
        'a = samples.loc[in_a, "TMB_NONSYNONYMOUS"]',
        'b = samples.loc[~in_a, "TMB_NONSYNONYMOUS"]',
        "pvalue = float(stats.mannwhitneyu(a, b, alternative='two-sided').pvalue)",
        "median_a = float(a.median())",
    )


def _tmb_groups_text(p: Params) -> str:
    if p["by"] == "SAMPLE_TYPE":
        return "samples whose SAMPLE_TYPE is 'Metastasis' (group A) and the other samples (group B)"
    return f"samples with a non-silent {p['by']} mutation (group A) and the other samples (group B)"


tmb_groups = Family(
    category="cbio_tmb_groups",
    outputs=(
        Output("pvalue", "number", "the two-sided Mann-Whitney U test p-value"),
        Output("median_a", "number", "the median TMB_NONSYNONYMOUS of group A"),
    ),
    variants=_tmb_variants,
    question=lambda p: (
        f"{_intro(p)} Compare TMB_NONSYNONYMOUS (data_clinical_sample.txt) between "
        f"{_tmb_groups_text(p)} with `scipy.stats.mannwhitneyu(a, b, alternative='two-sided')`."
    ),
    solution=_tmb,
    guard=lambda p: "_keep = min(len(a), len(b)) >= 8\n",
    tags=_TAGS,
)


def _assoc_variants() -> list[Params]:
    out: list[Params] = []
    for p in _genes():
        smoking = ("SMOKING_HISTORY",) if design_of(p).smoking else ()
        variables = ("SEX", "STAGE", "CANCER_TYPE_DETAILED", *smoking)
        out.extend({**p, "var": var} for var in variables)
    return out


def _assoc(p: Params, root: str) -> str:
    lines = load_lines(p, root, ("patients", "samples", "mutations"), "from scipy import stats")
    lines += mutated_patients_lines(p["gene"])
    if p["var"] == "CANCER_TYPE_DETAILED":
        lines += [
            'subtype = samples.drop_duplicates("PATIENT_ID").set_index("PATIENT_ID")["CANCER_TYPE_DETAILED"]',
            'patients["CANCER_TYPE_DETAILED"] = patients["PATIENT_ID"].map(subtype)',
        ]
    return code(
        lines,
        f"known = patients.dropna(subset=[{p['var']!r}])",
        f'table = pd.crosstab(known[{p["var"]!r}], known["mutated"])',
        "result = stats.chi2_contingency(table, correction=False)",
        "chi2 = float(result.statistic)",
        "pvalue = float(result.pvalue)",
    )


clinical_association = Family(
    category="cbio_clinical_association",
    outputs=(
        Output("chi2", "number", "the chi-squared statistic"),
        Output("pvalue", "number", "its p-value"),
    ),
    variants=_assoc_variants,
    question=lambda p: (
        f"{_intro(p)} Test whether {p['gene']} mutation status (patient level) is associated with "
        f"{p['var']}"
        + (
            " (a patient's subtype is that of their samples)"
            if p["var"] == "CANCER_TYPE_DETAILED"
            else ""
        )
        + f": drop patients with a missing {p['var']}, cross-tabulate {p['var']} against mutation "
        "status (`pd.crosstab`) and run `scipy.stats.chi2_contingency(table, correction=False)`."
    ),
    solution=_assoc,
    guard=lambda p: (
        "_keep = table.shape == (table.shape[0], 2) and table.shape[0] >= 2 and int(table.to_numpy().min()) >= 2\n"
    ),
    tags=_TAGS,
)

logistic_mutation = Family(
    category="cbio_logistic_mutation",
    outputs=(
        Output("odds_ratio", "number", "exp(coef) of AGE (per year)"),
        Output("pvalue", "number", "its Wald test p-value"),
    ),
    variants=_genes,
    question=lambda p: (
        f"{_intro(p)} On patients with AGE and SEX present, fit a logistic regression of `mutated` "
        f"(1 if the patient is mutated in {p['gene']}) on AGE and `male` (1 if SEX is 'Male') plus an "
        "intercept (statsmodels `sm.Logit(y, sm.add_constant(X)).fit(disp=0)`). Report the results "
        "for AGE."
    ),
    solution=lambda p, root: code(
        load_lines(
            p,
            root,
            ("patients", "samples", "mutations"),
            "import numpy as np",
            "import statsmodels.api as sm",
        ),
        mutated_patients_lines(p["gene"]),
        'known = patients.dropna(subset=["AGE", "SEX"]).copy()',
        'known["male"] = (known["SEX"] == "Male").astype(int)',
        'fit = sm.Logit(known["mutated"], sm.add_constant(known[["AGE", "male"]].astype(float))).fit(disp=0)',
        'odds_ratio = float(np.exp(fit.params["AGE"]))',
        'pvalue = float(fit.pvalues["AGE"])',
    ),
    guard=lambda p: (
        "_keep = bool(fit.mle_retvals['converged']) and 10 <= known['mutated'].sum() <= len(known) - 10 "
        "and known['male'].nunique() == 2\n"
    ),
    tags=_TAGS,
)

vaf_summary = Family(
    category="cbio_vaf",
    outputs=(
        Output(
            "mean_vaf",
            "number",
            "the mean variant allele fraction of the gene's non-silent mutations",
        ),
        Output("median_vaf", "number", "their median"),
    ),
    variants=_genes,
    question=lambda p: (
        f"{_intro(p)} For the non-silent {p['gene']} mutations, compute each variant allele fraction "
        "t_alt_count / (t_alt_count + t_ref_count) and summarise them."
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("mutations",)),
        f'rows = mutations[mutations["Hugo_Symbol"] == {p["gene"]!r}]',
        'vaf = rows["t_alt_count"] / (rows["t_alt_count"] + rows["t_ref_count"])',
        "mean_vaf = float(vaf.mean())",
        "median_vaf = float(vaf.median())",
    ),
    guard=lambda p: "_keep = len(rows) >= 8\n",
    tags=_TAGS,
)

_COUNTS: Final = {
    "multi_sample_patients": (
        "the number of patients with more than one sample in data_clinical_sample.txt",
        ('n = int((samples.groupby("PATIENT_ID").size() > 1).sum())',),
    ),
    "metastasis_samples": (
        "the number of samples whose SAMPLE_TYPE is 'Metastasis'",
        ('n = int((samples["SAMPLE_TYPE"] == "Metastasis").sum())',),
    ),
    "deceased_patients": (
        "the number of patients whose OS_STATUS is '1:DECEASED'",
        ('n = int((patients["OS_STATUS"] == "1:DECEASED").sum())',),
    ),
    "stage_iv_patients": (
        "the number of patients whose STAGE is 'IV'",
        ('n = int((patients["STAGE"] == "IV").sum())',),
    ),
    "unmutated_samples": (
        "the number of samples without any non-silent mutation",
        ('n = int((~samples["SAMPLE_ID"].isin(set(mutations["Tumor_Sample_Barcode"]))).sum())',),
    ),
    "female_deceased": (
        "the number of female patients whose OS_STATUS is '1:DECEASED'",
        (
            'n = int(((patients["SEX"] == "Female") & (patients["OS_STATUS"] == "1:DECEASED")).sum())',
        ),
    ),
    "missing_stage": (
        "the number of patients whose STAGE is missing (NA)",
        ('n = int(patients["STAGE"].isna().sum())',),
    ),
}


def _count_variants() -> list[Params]:
    return [{"study": d.study_id, "what": w} for d in all_studies() for w in _COUNTS]


cohort_counts = Family(
    category="cbio_cohort_counts",
    outputs=(Output("n", "integer", "the count"),),
    variants=_count_variants,
    question=lambda p: f"{_intro(p)} Report {_COUNTS[p['what']][0]}.",
    solution=lambda p, root: code(
        load_lines(p, root, ("patients", "samples", "mutations")), _COUNTS[p["what"]][1]
    ),
    tags=_TAGS,
)

FAMILIES: Final = (
    age_by_mutation,
    mutation_burden,
    tmb_groups,
    clinical_association,
    logistic_mutation,
    vaf_summary,
    cohort_counts,
)
