"""Clinical settings with categorical and time-to-event endpoints.

The counterpart of :mod:`~arollout.tasks.power.scenarios` for the chi-square,
log-rank and Cox designs: populations, outcome categories with a reference
distribution and ways it may shift, trial arms, and Cox covariates with
plausible prevalences or standard deviations. As there, the numbers are
illustrative planning values chosen for this suite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = (
    "CATEGORICAL",
    "COX",
    "Categorical",
    "CoxSetting",
    "SURVIVAL",
    "Survival",
)


@dataclass(frozen=True, kw_only=True)
class Categorical:
    """A categorical outcome (chi-square tests).

    Attributes:
        levels: the outcome categories.
        base: the reference distribution in whole percent (sums to 100).
        shifts: integer percent vectors summing to zero; an alternative is
            ``base + m * shift`` for a small multiplier ``m``.
        groups: how the independence question splits patients (arm labels).
    """

    outcome: str
    population: str
    levels: tuple[str, ...]
    base: tuple[int, ...]
    shifts: tuple[tuple[int, ...], ...]
    groups: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Survival:
    """A time-to-event endpoint compared between two arms (log-rank)."""

    endpoint: str
    population: str
    treatment: str
    control: str


@dataclass(frozen=True, kw_only=True)
class CoxSetting:
    """A Cox model covariate: binary (exposed vs not) or continuous (per unit).

    Attributes:
        covariate: what the hazard ratio is about (``"current smoking"``).
        hrs: plausible hazard ratios to detect (exposed vs unexposed, or per unit).
        prevalences: for binary covariates, plausible shares of exposed people.
        unit / units: for continuous covariates, the unit the hazard ratio
            refers to (singular and plural).
        sds: for continuous covariates, plausible standard deviations in ``units``.
    """

    endpoint: str
    population: str
    covariate: str
    hrs: tuple[float, ...]
    prevalences: tuple[float, ...] = ()
    unit: str = ""
    units: str = ""
    sds: tuple[float, ...] = ()


CATEGORICAL: Final[tuple[Categorical, ...]] = (
    Categorical(
        outcome="ABO blood group",
        population="donors at a regional blood bank",
        levels=("O", "A", "B", "AB"),
        base=(45, 40, 11, 4),
        shifts=((-3, 1, 1, 1), (2, -3, 1, 0), (-2, -1, 2, 1)),
        groups=("first-time donors", "repeat donors"),
    ),
    Categorical(
        outcome="tumour response",
        population="patients with metastatic colorectal cancer",
        levels=("complete", "partial", "stable", "progressive"),
        base=(5, 25, 40, 30),
        shifts=((1, 3, -1, -3), (2, 2, 0, -4), (0, 4, -2, -2)),
        groups=("the new regimen", "the standard regimen", "the dose-reduced regimen"),
    ),
    Categorical(
        outcome="genotype at a candidate SNP",
        population="unrelated adults in a genetic association study",
        levels=("AA", "Aa", "aa"),
        base=(49, 42, 9),
        shifts=((3, -4, 1), (-2, 1, 1), (4, -3, -1)),
        groups=("cases", "controls"),
    ),
    Categorical(
        outcome="pain relief at 24 hours",
        population="adults after knee replacement surgery",
        levels=("none", "partial", "complete"),
        base=(30, 45, 25),
        shifts=((-3, 0, 3), (-2, -1, 3), (-4, 2, 2)),
        groups=("a nerve block", "local infiltration", "oral opioids"),
    ),
    Categorical(
        outcome="discharge destination",
        population="older patients treated for hip fracture",
        levels=("home", "rehabilitation", "nursing home"),
        base=(50, 35, 15),
        shifts=((3, -1, -2), (2, 1, -3), (4, -3, -1)),
        groups=("orthogeriatric co-management", "standard orthopaedic care"),
    ),
    Categorical(
        outcome="triage category",
        population="emergency department attendances",
        levels=("immediate", "urgent", "standard", "non-urgent"),
        base=(10, 30, 40, 20),
        shifts=((1, 2, -1, -2), (-1, 3, 0, -2), (2, 0, 1, -3)),
        groups=("weekday attendances", "weekend attendances"),
    ),
)


SURVIVAL: Final[tuple[Survival, ...]] = (
    Survival(
        endpoint="overall survival",
        population="patients with metastatic pancreatic cancer",
        treatment="a new chemotherapy combination",
        control="gemcitabine alone",
    ),
    Survival(
        endpoint="progression-free survival",
        population="patients with relapsed multiple myeloma",
        treatment="an anti-CD38 antibody added to standard therapy",
        control="standard therapy",
    ),
    Survival(
        endpoint="time to first hospitalisation for heart failure",
        population="patients with heart failure and reduced ejection fraction",
        treatment="an SGLT2 inhibitor",
        control="placebo",
    ),
    Survival(
        endpoint="disease-free survival",
        population="patients with resected stage III colon cancer",
        treatment="adjuvant chemotherapy plus a targeted agent",
        control="adjuvant chemotherapy alone",
    ),
    Survival(
        endpoint="time to first relapse",
        population="patients with relapsing-remitting multiple sclerosis",
        treatment="a high-efficacy monoclonal antibody",
        control="an oral first-line therapy",
    ),
    Survival(
        endpoint="time to kidney allograft failure",
        population="kidney transplant recipients",
        treatment="a belatacept-based regimen",
        control="a calcineurin-inhibitor-based regimen",
    ),
    Survival(
        endpoint="time to the first major adverse cardiovascular event",
        population="patients after an acute coronary syndrome",
        treatment="an anti-inflammatory therapy",
        control="placebo",
    ),
    Survival(
        endpoint="time to recurrence of atrial fibrillation",
        population="patients after catheter ablation",
        treatment="a structured risk-factor management programme",
        control="usual follow-up",
    ),
)


COX: Final[tuple[CoxSetting, ...]] = (
    CoxSetting(
        endpoint="incident coronary heart disease",
        population="a community cohort of middle-aged adults",
        covariate="current smoking",
        hrs=(1.3, 1.4, 1.5, 1.6, 1.75, 2.0),
        prevalences=(0.15, 0.2, 0.25, 0.3),
    ),
    CoxSetting(
        endpoint="progression to end-stage kidney disease",
        population="a registry of patients with IgA nephropathy",
        covariate="carrying the high-risk APOL1 genotype",
        hrs=(1.5, 1.6, 1.8, 2.0, 2.2),
        prevalences=(0.1, 0.15, 0.2),
    ),
    CoxSetting(
        endpoint="death from any cause",
        population="patients admitted with community-acquired pneumonia",
        covariate="frailty at admission",
        hrs=(1.3, 1.4, 1.5, 1.75),
        prevalences=(0.3, 0.35, 0.4, 0.45),
    ),
    CoxSetting(
        endpoint="first hospitalisation for heart failure",
        population="a cohort of patients with type 2 diabetes",
        covariate="log-transformed NT-proBNP",
        hrs=(1.1, 1.15, 1.2, 1.25, 1.3, 1.4),
        unit="log unit",
        units="log units",
        sds=(0.8, 1.0, 1.2, 1.5),
    ),
    CoxSetting(
        endpoint="cancer recurrence",
        population="women treated for early breast cancer",
        covariate="the Ki-67 proliferation index",
        hrs=(1.01, 1.015, 1.02, 1.025, 1.03),
        unit="percentage point",
        units="percentage points",
        sds=(8.0, 10.0, 12.0, 15.0),
    ),
    CoxSetting(
        endpoint="incident dementia",
        population="a cohort of adults aged 65 and over",
        covariate="systolic blood pressure",
        hrs=(1.005, 1.01, 1.015, 1.02),
        unit="mmHg",
        units="mmHg",
        sds=(16.0, 18.0, 20.0),
    ),
)
