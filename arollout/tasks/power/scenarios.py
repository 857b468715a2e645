"""Clinical settings with continuous and binary outcomes, and plausible parameter grids.

Each setting pairs a population, an intervention and a comparator with the
values a trial statistician would plausibly assume for it (standard
deviations, clinically relevant differences, control-group rates, hazard
ratios). The numbers are illustrative planning values chosen for this suite,
not estimates from any particular study. Designs combine a setting with the
shared phrases of :mod:`~arollout.tasks.power.wording`; categorical and
time-to-event settings are in :mod:`~arollout.tasks.power.endpoints`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = (
    "BINARY",
    "Binary",
    "CONTINUOUS",
    "Continuous",
)


@dataclass(frozen=True, kw_only=True)
class Continuous:
    """A continuous outcome (t-tests, ANOVA).

    Attributes:
        reference: the usual mean in the untreated population (the null value
            of one-sample questions).
        lower_is_better: whether the intervention is expected to lower it.
        decimals: how many decimals derived means are rounded to.
    """

    outcome: str
    unit: str
    population: str
    treatment: str
    control: str
    reference: float
    sds: tuple[float, ...]
    diffs: tuple[float, ...]
    lower_is_better: bool
    decimals: int


@dataclass(frozen=True, kw_only=True)
class Binary:
    """A binary outcome (two proportions, one proportion against a benchmark)."""

    event: str
    population: str
    treatment: str
    control: str
    rates: tuple[float, ...]
    changes: tuple[float, ...]
    lower_is_better: bool


CONTINUOUS: Final[tuple[Continuous, ...]] = (
    Continuous(
        outcome="systolic blood pressure",
        unit="mmHg",
        population="adults with stage 1 hypertension",
        treatment="a once-daily angiotensin receptor blocker",
        control="placebo",
        reference=142.0,
        sds=(10.0, 12.0, 14.0, 15.0, 16.0, 18.0, 20.0),
        diffs=(3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0),
        lower_is_better=True,
        decimals=1,
    ),
    Continuous(
        outcome="HbA1c",
        unit="%",
        population="adults with type 2 diabetes on metformin",
        treatment="an add-on SGLT2 inhibitor",
        control="placebo",
        reference=8.1,
        sds=(0.8, 0.9, 1.0, 1.1, 1.2, 1.4),
        diffs=(0.25, 0.3, 0.4, 0.5, 0.6, 0.7),
        lower_is_better=True,
        decimals=2,
    ),
    Continuous(
        outcome="LDL cholesterol",
        unit="mg/dL",
        population="patients with familial hypercholesterolaemia",
        treatment="a PCSK9 inhibitor",
        control="standard statin therapy",
        reference=160.0,
        sds=(20.0, 25.0, 30.0, 35.0, 40.0),
        diffs=(8.0, 10.0, 12.0, 15.0, 20.0),
        lower_is_better=True,
        decimals=1,
    ),
    Continuous(
        outcome="pain intensity on a 0-10 numeric rating scale",
        unit="points",
        population="adults with chronic low back pain",
        treatment="a 12-week physiotherapy programme",
        control="usual care",
        reference=6.2,
        sds=(1.6, 1.8, 2.0, 2.2, 2.5, 3.0),
        diffs=(0.6, 0.8, 1.0, 1.2, 1.5),
        lower_is_better=True,
        decimals=2,
    ),
    Continuous(
        outcome="FEV1",
        unit="mL",
        population="adults with moderate COPD",
        treatment="an inhaled long-acting bronchodilator",
        control="placebo",
        reference=1450.0,
        sds=(180.0, 200.0, 220.0, 250.0, 300.0, 350.0),
        diffs=(50.0, 60.0, 80.0, 100.0, 120.0, 150.0),
        lower_is_better=False,
        decimals=0,
    ),
    Continuous(
        outcome="Hamilton Depression Rating Scale (HAM-D) score",
        unit="points",
        population="outpatients with major depressive disorder",
        treatment="a novel antidepressant",
        control="placebo",
        reference=22.0,
        sds=(5.0, 6.0, 7.0, 8.0, 9.0),
        diffs=(1.5, 2.0, 2.5, 3.0, 4.0),
        lower_is_better=True,
        decimals=1,
    ),
    Continuous(
        outcome="six-minute walk distance",
        unit="m",
        population="patients with pulmonary arterial hypertension",
        treatment="an oral endothelin receptor antagonist",
        control="placebo",
        reference=380.0,
        sds=(50.0, 60.0, 70.0, 80.0, 90.0),
        diffs=(15.0, 20.0, 25.0, 30.0, 40.0),
        lower_is_better=False,
        decimals=0,
    ),
    Continuous(
        outcome="body weight",
        unit="kg",
        population="adults with obesity",
        treatment="a weekly GLP-1 receptor agonist",
        control="placebo",
        reference=98.0,
        sds=(4.0, 5.0, 6.0, 8.0, 10.0),
        diffs=(1.5, 2.0, 2.5, 3.0, 4.0, 5.0),
        lower_is_better=True,
        decimals=1,
    ),
    Continuous(
        outcome="serum 25-hydroxyvitamin D",
        unit="ng/mL",
        population="older nursing-home residents",
        treatment="daily vitamin D3 supplementation",
        control="no supplementation",
        reference=18.0,
        sds=(6.0, 7.0, 8.0, 9.0, 10.0),
        diffs=(2.0, 3.0, 4.0, 5.0),
        lower_is_better=False,
        decimals=1,
    ),
    Continuous(
        outcome="estimated glomerular filtration rate (eGFR)",
        unit="mL/min/1.73 m2",
        population="patients with diabetic kidney disease",
        treatment="a mineralocorticoid receptor antagonist",
        control="placebo",
        reference=55.0,
        sds=(10.0, 12.0, 14.0, 16.0),
        diffs=(2.0, 3.0, 4.0, 5.0),
        lower_is_better=False,
        decimals=1,
    ),
    Continuous(
        outcome="Montreal Cognitive Assessment (MoCA) score",
        unit="points",
        population="older adults with mild cognitive impairment",
        treatment="a computerised cognitive training programme",
        control="crossword puzzles",
        reference=23.0,
        sds=(2.5, 3.0, 3.5, 4.0),
        diffs=(0.8, 1.0, 1.2, 1.5, 2.0),
        lower_is_better=False,
        decimals=1,
    ),
    Continuous(
        outcome="length of hospital stay",
        unit="days",
        population="patients undergoing elective colorectal surgery",
        treatment="an enhanced-recovery pathway",
        control="standard perioperative care",
        reference=7.5,
        sds=(2.0, 2.5, 3.0, 3.5, 4.0),
        diffs=(0.5, 0.75, 1.0, 1.5),
        lower_is_better=True,
        decimals=2,
    ),
)


BINARY: Final[tuple[Binary, ...]] = (
    Binary(
        event="surgical site infection within 30 days",
        population="patients undergoing abdominal surgery",
        treatment="triclosan-coated sutures",
        control="standard sutures",
        rates=(0.08, 0.1, 0.12, 0.15),
        changes=(0.03, 0.04, 0.05, 0.06),
        lower_is_better=True,
    ),
    Binary(
        event="readmission within 30 days",
        population="patients discharged after a heart-failure admission",
        treatment="a nurse-led transitional care programme",
        control="usual discharge care",
        rates=(0.2, 0.22, 0.25, 0.28, 0.3),
        changes=(0.05, 0.06, 0.08, 0.1),
        lower_is_better=True,
    ),
    Binary(
        event="smoking abstinence at 6 months",
        population="adult daily smokers",
        treatment="varenicline plus counselling",
        control="counselling alone",
        rates=(0.1, 0.12, 0.15, 0.18, 0.2),
        changes=(0.06, 0.08, 0.1, 0.12),
        lower_is_better=False,
    ),
    Binary(
        event="clinical remission at week 8",
        population="patients with moderate ulcerative colitis",
        treatment="an anti-integrin biologic",
        control="placebo",
        rates=(0.1, 0.15, 0.2),
        changes=(0.08, 0.1, 0.12, 0.15),
        lower_is_better=False,
    ),
    Binary(
        event="objective tumour response",
        population="patients with advanced melanoma",
        treatment="a checkpoint-inhibitor combination",
        control="the single checkpoint inhibitor",
        rates=(0.2, 0.25, 0.3, 0.35, 0.4),
        changes=(0.1, 0.12, 0.15, 0.2),
        lower_is_better=False,
    ),
    Binary(
        event="postoperative nausea and vomiting",
        population="adults having laparoscopic surgery under general anaesthesia",
        treatment="prophylactic dexamethasone",
        control="no prophylaxis",
        rates=(0.3, 0.35, 0.4),
        changes=(0.08, 0.1, 0.12, 0.15),
        lower_is_better=True,
    ),
    Binary(
        event="sustained virological response",
        population="patients with chronic hepatitis C",
        treatment="a pangenotypic direct-acting antiviral regimen",
        control="the current standard regimen",
        rates=(0.6, 0.65, 0.7, 0.75),
        changes=(0.1, 0.12, 0.15),
        lower_is_better=False,
    ),
    Binary(
        event="delirium during the ICU stay",
        population="mechanically ventilated ICU patients",
        treatment="dexmedetomidine sedation",
        control="propofol sedation",
        rates=(0.25, 0.3, 0.35, 0.4),
        changes=(0.08, 0.1, 0.12),
        lower_is_better=True,
    ),
)
