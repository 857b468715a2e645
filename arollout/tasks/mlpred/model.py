"""The known generating model of the synthetic ICU cohorts.

Every cohort stay is drawn from one explicit model, so its outcomes have known
probabilities and a pipeline that reads the right signals from the database
can be told apart from one that guesses:

1. **Baseline features**: age, sex, admission type, chronic conditions
   (:data:`COMORBIDITIES`, coded in ``diagnoses_icd``) and the number of prior
   admissions.
2. **Latent physiology**: an overall severity ``s`` and five organ components
   (cardiovascular ``c``, respiratory ``r``, renal ``k``, infection ``i``,
   hepatic ``h``), each a linear mix of ``s``, the chronic conditions and
   Gaussian noise (:func:`draw`).
3. **Observations** in the database are noisy readings of the latents (vital
   signs and labs, written by :mod:`.cohort`): heart rate and blood pressure
   track ``c``, respiratory rate and SpO2 track ``r``, creatinine and urea
   ``k``, white cells and temperature ``i``, bilirubin ``h``.
4. **Outcomes** are drawn from logistic models of the latents and baseline
   features (coefficients in this module), interventions from constant
   hazards (vasopressors rise with ``c``, ventilation with ``r``), lengths of
   stay from log-normal models.

The true probability of each binary outcome is kept on the :class:`Stay`
(``p_*`` fields) for diagnostics: the AUROC of those probabilities is the
ceiling any pipeline can reach. The model is invented for this suite; its
shapes follow the usual ICU picture (older, sicker, multi-organ patients die
more and stay longer) without claiming calibration to any real cohort.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import random

__all__ = (
    "COMORBIDITIES",
    "FACILITY_LOCATIONS",
    "HOME_LOCATIONS",
    "Stay",
    "draw",
    "sigmoid",
)

COMORBIDITIES: Final[dict[str, tuple[str, float]]] = {
    # name: (ICD-9 code as in mimic.vocab, prevalence at age 60)
    "chf": ("4280", 0.17),
    "ckd": ("5859", 0.12),
    "copd": ("496", 0.12),
    "diabetes": ("25000", 0.24),
    "cirrhosis": ("5712", 0.05),
    "afib": ("42731", 0.18),
    "hypertension": ("4019", 0.42),
}
"""Chronic conditions (each coded on the index and prior admissions)."""

SEPSIS_CODE: Final = "0389"
"""Coded at admission when the infection component exceeds 1."""

HOME_LOCATIONS: Final = (("home", 0.55), ("home health care", 0.45))
FACILITY_LOCATIONS: Final = (
    ("snf", 0.6),
    ("rehab/distinct part hosp", 0.3),
    ("long term care hospital", 0.1),
)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(kw_only=True)
class Stay:
    """One index ICU stay: what was drawn and what happened (hours from ICU admission)."""

    age: int
    male: bool
    admission_type: str
    conditions: frozenset[str]
    prior: int
    s: float
    c: float
    r: float
    k: float
    i: float
    h: float
    pre_icu_h: float
    icu_h: float
    post_h: float
    death_h: float | None
    died_in_icu: bool
    location: str
    vaso_h: float | None
    vaso_end_h: float | None
    vent_h: float | None
    vent_end_h: float | None
    readmit_days: float | None
    later_days: float | None
    death_after_days: float | None
    p: dict[str, float] = field(default_factory=dict)

    @property
    def died(self) -> bool:
        return self.death_h is not None

    @property
    def sepsis(self) -> bool:
        return self.i > 1.0


def _choice(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]


def _onset(rng: random.Random, rate: float, duration_median: float) -> tuple[float, float]:
    start = rng.expovariate(rate)
    return start, start + max(2.0, rng.lognormvariate(math.log(duration_median), 0.6))


def draw(rng: random.Random, window_h: int) -> Stay:
    """One stay alive and in the ICU at ``window_h`` hours (the prediction time)."""
    age = int(rng.triangular(18, 91, 66))
    male = rng.random() < 0.56
    admission_type = _choice(rng, (("emergency", 0.72), ("urgent", 0.12), ("elective", 0.16)))
    elective = admission_type == "elective"
    conditions = frozenset(
        name
        for name, (_code, rate) in COMORBIDITIES.items()
        if rng.random() < min(0.9, rate * (1.0 + 0.02 * (age - 60)))
    )
    chf, ckd, copd = ("chf" in conditions), ("ckd" in conditions), ("copd" in conditions)
    cirrhosis = "cirrhosis" in conditions
    lam = 0.25 + 0.35 * (chf + ckd + copd) + max(0.0, 0.01 * (age - 60))
    prior = min(4, _poisson(rng, lam))
    s = rng.gauss(0.0, 1.0) - (0.7 if elective else 0.0)
    c = 0.7 * s + 0.7 * rng.gauss(0.0, 1.0) + 0.35 * chf
    r = 0.6 * s + 0.8 * rng.gauss(0.0, 1.0) + 0.45 * copd
    k = 0.5 * s + 0.7 * rng.gauss(0.0, 1.0) + 0.9 * ckd
    i = 0.5 * s + 0.85 * rng.gauss(0.0, 1.0)
    h = 0.3 * s + 0.5 * rng.gauss(0.0, 1.0) + 1.4 * cirrhosis

    vaso, vaso_end = _onset(rng, math.exp(-4.6 + 1.0 * c), 30.0)
    vent, vent_end = _onset(rng, math.exp(-4.5 + 1.05 * r), 48.0)

    old = (age - 65) / 10.0
    logit_death = (
        -2.7 + 0.8 * s + 0.35 * old + 0.3 * c + 0.3 * r + 0.25 * k + 0.45 * h
        + 0.35 * chf + 0.5 * cirrhosis
    )  # fmt: skip
    p_death = sigmoid(logit_death)
    died = rng.random() < p_death
    in_icu = died and rng.random() < 0.65
    los_mu = math.log(36.0) + 0.35 * s + 0.3 * r + 0.2 * c + 0.15 * k
    icu_h = window_h + max(2.0, math.exp(los_mu + 0.7 * rng.gauss(0.0, 1.0)))
    death_h: float | None = None
    if in_icu:
        death_h = window_h + 1.0 + rng.expovariate(1 / 60.0)
        icu_h = death_h
    pre_icu_h = rng.uniform(1.0, 30.0) if elective else min(48.0, rng.expovariate(1 / 6.0))
    post_h = max(12.0, math.exp(math.log(84.0) + 0.3 * s + 0.1 * old + 0.5 * rng.gauss(0, 1)))
    if died and not in_icu:
        post_h = max(12.0, post_h * rng.uniform(0.3, 1.0))
        death_h = icu_h + post_h
    if in_icu:
        post_h = 0.0

    p_facility = sigmoid(-0.6 + 1.3 * old + 0.9 * s + 0.5 * k + 0.5 * r + 0.6 * copd)
    p_readmit = sigmoid(
        -2.8 + 1.1 * prior + 1.0 * chf + 0.9 * copd + 0.7 * ckd + 0.7 * s + 0.3 * old
    )
    p_late_death = sigmoid(-3.0 + 0.6 * s + 0.4 * old + 0.5 * chf + 0.6 * cirrhosis)
    if died:
        location = "dead/expired"
        readmit = later = late_death = None
    else:
        facility = rng.random() < p_facility
        location = _choice(rng, FACILITY_LOCATIONS if facility else HOME_LOCATIONS)
        readmit = rng.uniform(1.0, 29.5) if rng.random() < p_readmit else None
        later = rng.uniform(40.0, 400.0) if readmit is None and rng.random() < 0.3 else None
        late_death = rng.uniform(1.0, 120.0) if rng.random() < p_late_death else None
        if late_death is not None:
            if readmit is not None and readmit >= late_death:
                readmit = None
            if later is not None and later >= late_death:
                later = None
    end = icu_h
    return Stay(
        age=age,
        male=male,
        admission_type=admission_type,
        conditions=conditions,
        prior=prior,
        s=s,
        c=c,
        r=r,
        k=k,
        i=i,
        h=h,
        pre_icu_h=pre_icu_h,
        icu_h=icu_h,
        post_h=post_h,
        death_h=death_h,
        died_in_icu=in_icu,
        location=location,
        vaso_h=vaso if vaso < end else None,
        vaso_end_h=min(vaso_end, end) if vaso < end else None,
        vent_h=vent if vent < end else None,
        vent_end_h=min(vent_end, end) if vent < end else None,
        readmit_days=readmit,
        later_days=later,
        death_after_days=late_death,
        p={
            "death": p_death,
            "facility": (1 - p_death) * p_facility,
            "readmit": (1 - p_death) * p_readmit,
        },
    )


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method (small ``lam`` only)."""
    limit, n, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        n += 1
        prod *= rng.random()
    return n
