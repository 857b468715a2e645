"""Survival families on the synthetic cBioPortal studies (OS and PFS).

Survival endpoints are cBioPortal's ``OS_*``/``PFS_*`` column pairs (status
``1:`` = event, per cBioPortal's File Formats documentation), analysed with
lifelines as in the packaged-data families: Kaplan-Meier medians and
probabilities, log-rank tests between mutated and other patients (patient
level: any sample mutated), between copy-number groups and between clinical
groups, and Cox models of mutation status adjusted for age, sex or stage.
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.biods.cbio_code import (
    NON_SILENT_TEXT,
    all_studies,
    cna_lines,
    group_filter_lines,
    group_text,
    load_lines,
    mutated_patients_lines,
    patient_groups,
    study_text,
    survival_lines,
)
from arollout.tasks.biods.family import Family, Output, Params, code

__all__ = ("FAMILIES",)

_TAGS: Final = ("cbio",)
_STATUS: Final = (
    "An OS (PFS) event is an OS_STATUS (PFS_STATUS) value starting with '1:'; use patients with "
    "both the months and the status present."
)


def _intro(p: Params) -> str:
    return f"{study_text(p)} Here {NON_SILENT_TEXT}; a patient is mutated when any of their samples is."


def _genes() -> list[Params]:
    return [{"study": d.study_id, "gene": g} for d in all_studies() for g in d.genes]


def _groups() -> list[Params]:
    return [{"study": d.study_id, "group": g} for d in all_studies() for g in patient_groups(d)]


os_median = Family(
    category="cbio_os_median",
    outputs=(Output("median_os", "number", "the Kaplan-Meier median overall survival in months"),),
    variants=_groups,
    question=lambda p: (
        f"{study_text(p)} {_STATUS} {group_text(p['group'])} Fit a Kaplan-Meier estimator (lifelines "
        "`KaplanMeierFitter`) to overall survival (OS_MONTHS, OS_STATUS) and report the median."
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("patients", "samples"), "from lifelines import KaplanMeierFitter"),
        group_filter_lines(p["group"]),
        survival_lines("OS"),
        "kmf = KaplanMeierFitter()",
        'kmf.fit(surv["time"], event_observed=surv["event"])',
        "median_os = float(kmf.median_survival_time_)",
    ),
    guard=lambda p: '_keep = len(surv) >= 20 and int(surv["event"].sum()) >= 8\n',
    tags=_TAGS,
)


def _pfs_variants() -> list[Params]:
    return [{**p, "t": t} for p in _groups() for t in (6.0, 12.0, 24.0)]


pfs_survival_at = Family(
    category="cbio_pfs_survival_at",
    outputs=(
        Output(
            "pfs_probability",
            "number",
            "the Kaplan-Meier progression-free survival probability at t",
        ),
    ),
    variants=_pfs_variants,
    question=lambda p: (
        f"{study_text(p)} {_STATUS} {group_text(p['group'])} Fit a Kaplan-Meier estimator (lifelines "
        "`KaplanMeierFitter`) to progression-free survival (PFS_MONTHS, PFS_STATUS) and report the "
        f"estimated probability at t = {p['t']:g} months."
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("patients", "samples"), "from lifelines import KaplanMeierFitter"),
        group_filter_lines(p["group"]),
        survival_lines("PFS"),
        "kmf = KaplanMeierFitter()",
        'kmf.fit(surv["time"], event_observed=surv["event"])',
        f"pfs_probability = float(kmf.survival_function_at_times({p['t']!r}).iloc[0])",
    ),
    guard=lambda p: '_keep = len(surv) >= 20 and int(surv["event"].sum()) >= 8\n',
    tags=_TAGS,
)


def _lr_lines(column: str = "mutated") -> list[str]:
    return [
        f"a = surv[surv[{column!r}] == 1]",
        f"b = surv[surv[{column!r}] == 0]",
        'result = logrank_test(a["time"], b["time"], event_observed_A=a["event"], event_observed_B=b["event"])',
        "pvalue = float(result.p_value)",
        "test_statistic = float(result.test_statistic)",
    ]


_LR_GUARD: Final = (
    '_keep = min(len(a), len(b)) >= 8 and min(int(a["event"].sum()), int(b["event"].sum())) >= 3\n'
)
_LR_OUT: Final = (
    Output("pvalue", "number", "the log-rank test p-value"),
    Output("test_statistic", "number", "the log-rank test statistic"),
)


def _endpoint_variants() -> list[Params]:
    return [{**p, "endpoint": e} for p in _genes() for e in ("OS", "PFS")]


os_logrank_mutation = Family(
    category="cbio_logrank_mutation",
    outputs=_LR_OUT,
    variants=_endpoint_variants,
    question=lambda p: (
        f"{_intro(p)} {_STATUS} Compare {p['endpoint']} between patients mutated in {p['gene']} "
        "(group A) and the other patients (group B) with a log-rank test (lifelines `logrank_test`)."
    ),
    solution=lambda p, root: code(
        load_lines(
            p,
            root,
            ("patients", "samples", "mutations"),
            "from lifelines.statistics import logrank_test",
        ),
        mutated_patients_lines(p["gene"]),
        survival_lines(p["endpoint"]),
        _lr_lines(),
    ),
    guard=lambda p: _LR_GUARD,
    tags=_TAGS,
)


def _cna_variants() -> list[Params]:
    return [
        {"study": d.study_id, "gene": g.symbol, "value": v}
        for d in all_studies()
        for g in d.drivers
        for v in (2, -2)
        if (g.amp if v == 2 else g.deep_del) >= 0.05
    ]


cna_logrank = Family(
    category="cbio_cna_logrank",
    outputs=_LR_OUT,
    variants=_cna_variants,
    question=lambda p: (
        f"{study_text(p)} {_STATUS} Keep patients with at least one sample in data_cna.txt. Group A: "
        f"patients with a sample whose {p['gene']} copy-number value is {p['value']}; group B: the "
        "others. Compare overall survival between the groups with a log-rank test (lifelines "
        "`logrank_test`)."
    ),
    solution=lambda p, root: code(
        load_lines(
            p, root, ("patients", "samples", "cna"), "from lifelines.statistics import logrank_test"
        ),
        cna_lines(p["gene"], p["value"]),
        'profiled = set(samples.loc[samples["SAMPLE_ID"].isin(cna.columns), "PATIENT_ID"])',
        'hit = set(samples.loc[samples["SAMPLE_ID"].isin(cna_altered), "PATIENT_ID"])',
        'patients = patients[patients["PATIENT_ID"].isin(profiled)].copy()',
        'patients["mutated"] = patients["PATIENT_ID"].isin(hit).astype(int)',
        survival_lines("OS"),
        _lr_lines(),
    ),
    guard=lambda p: _LR_GUARD,
    tags=_TAGS,
)

_ADJUST: Final = {
    "age": (["AGE"], "AGE"),
    "age_sex": (["AGE", "male"], "AGE, `male` (1 if SEX is 'Male', else 0)"),
    "age_stage": (["AGE", "stage"], "AGE, `stage` (STAGE I, II, III, IV coded 1, 2, 3, 4)"),
}


def _cox_variants() -> list[Params]:
    return [{**p, "adj": a} for p in _genes() for a in _ADJUST]


cox_mutation = Family(
    category="cbio_cox_mutation",
    outputs=(
        Output("hazard_ratio", "number", "the hazard ratio exp(coef) of `mutated`"),
        Output("pvalue", "number", "its Wald test p-value"),
    ),
    variants=_cox_variants,
    question=lambda p: (
        f"{_intro(p)} {_STATUS} Fit a Cox proportional-hazards model of overall survival (lifelines "
        f"`CoxPHFitter`, default settings) with covariates `mutated` (1 if the patient is mutated in "
        f"{p['gene']}, else 0), {_ADJUST[p['adj']][1]}, on the patients with none of these values "
        "missing."
    ),
    solution=lambda p, root: code(
        load_lines(
            p, root, ("patients", "samples", "mutations"), "from lifelines import CoxPHFitter"
        ),
        mutated_patients_lines(p["gene"]),
        'patients["male"] = (patients["SEX"] == "Male").astype(int)',
        'patients["stage"] = patients["STAGE"].map({"I": 1, "II": 2, "III": 3, "IV": 4})',
        survival_lines("OS"),
        f'data = surv[["time", "event", "mutated", *{_ADJUST[p["adj"]][0]!r}]].dropna()',
        "cph = CoxPHFitter()",
        'cph.fit(data, duration_col="time", event_col="event")',
        'hazard_ratio = float(cph.hazard_ratios_["mutated"])',
        'pvalue = float(cph.summary.loc["mutated", "p"])',
    ),
    guard=lambda p: '_keep = data["mutated"].sum() >= 8 and (1 - data["mutated"]).sum() >= 8\n',
    tags=_TAGS,
)

_CLIN_SPLITS: Final = {
    "sex": ("SEX is 'Male'", 'patients["SEX"] == "Male"', "SEX"),
    "late_stage": ("STAGE is 'III' or 'IV'", 'patients["STAGE"].isin(["III", "IV"])', "STAGE"),
    "elderly": ("AGE is at least 70", 'patients["AGE"] >= 70', "AGE"),
    "smoker": (
        "SMOKING_HISTORY is 'Current'",
        'patients["SMOKING_HISTORY"] == "Current"',
        "SMOKING_HISTORY",
    ),
}


def _clin_variants() -> list[Params]:
    return [
        {"study": d.study_id, "split": s, "endpoint": e}
        for d in all_studies()
        for s in _CLIN_SPLITS
        if s != "smoker" or d.smoking
        for e in ("OS", "PFS")
    ]


logrank_clinical = Family(
    category="cbio_logrank_clinical",
    outputs=_LR_OUT,
    variants=_clin_variants,
    question=lambda p: (
        f"{study_text(p)} {_STATUS} Drop patients with a missing {_CLIN_SPLITS[p['split']][2]}. "
        f"Compare {p['endpoint']} between patients whose {_CLIN_SPLITS[p['split']][0]} (group A) and "
        "the others (group B) with a log-rank test (lifelines `logrank_test`)."
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("patients",), "from lifelines.statistics import logrank_test"),
        f"patients = patients.dropna(subset=[{_CLIN_SPLITS[p['split']][2]!r}]).copy()",
        f'patients["group_a"] = ({_CLIN_SPLITS[p["split"]][1]}).astype(int)',
        survival_lines(p["endpoint"]),
        _lr_lines("group_a"),
    ),
    guard=lambda p: _LR_GUARD,
    tags=_TAGS,
)

FAMILIES: Final = (
    os_median,
    pfs_survival_at,
    os_logrank_mutation,
    cna_logrank,
    cox_mutation,
    logrank_clinical,
)
