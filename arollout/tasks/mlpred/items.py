"""What the synthetic cohorts chart, measure and prescribe, and how each reading
depends on the latent physiology of :mod:`.model`.

Item numbers and labels are MIMIC-III's (``d_items``, ``d_labitems``; the
public dictionary tables), chosen so the variable map of :mod:`.reference`
(several items per variable, as in MIMIC-Extract) is needed to read them:
a stay is charted either with CareVue or with MetaVision numbers, its
temperature in Celsius or Fahrenheit, and glucose, haemoglobin and white
cells come under two lab items each. Labels are lower-cased (the EHRSQL
convention of the MIMIC-III databases).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

    from arollout.tasks.mlpred.model import Stay

__all__ = (
    "CHART_ITEMS",
    "FLUIDS",
    "LAB_ITEMS",
    "PRESCRIBED",
    "Prescribed",
    "VITAL_SERIES",
    "Vital",
    "lab_value",
)

CHART_ITEMS: Final[dict[int, tuple[str, str]]] = {
    211: ("heart rate", "bpm"),
    51: ("arterial bp [systolic]", "mmhg"),
    8368: ("arterial bp [diastolic]", "mmhg"),
    52: ("arterial bp mean", "mmhg"),
    618: ("respiratory rate", "bpm"),
    646: ("spo2", "%"),
    677: ("temperature c (calc)", "deg. c"),
    678: ("temperature f", "deg. f"),
    220045: ("heart rate", "bpm"),
    220050: ("arterial blood pressure systolic", "mmhg"),
    220051: ("arterial blood pressure diastolic", "mmhg"),
    220052: ("arterial blood pressure mean", "mmhg"),
    220210: ("respiratory rate", "insp/min"),
    220277: ("o2 saturation pulseoxymetry", "%"),
    223761: ("temperature fahrenheit", "?f"),
    223762: ("temperature celsius", "?c"),
    220339: ("peep set", "cmh2o"),
    224684: ("tidal volume (set)", "ml"),
}
"""itemid -> (label, unit) of every ``chartevents`` item the cohorts write."""

LAB_ITEMS: Final[dict[int, tuple[str, str]]] = {
    50912: ("creatinine", "mg/dl"),
    51006: ("urea nitrogen", "mg/dl"),
    50971: ("potassium", "meq/l"),
    50983: ("sodium", "meq/l"),
    50882: ("bicarbonate", "meq/l"),
    50809: ("glucose", "mg/dl"),
    50931: ("glucose", "mg/dl"),
    51300: ("wbc count", "k/ul"),
    51301: ("white blood cells", "k/ul"),
    50811: ("hemoglobin", "g/dl"),
    51222: ("hemoglobin", "g/dl"),
    51265: ("platelet count", "k/ul"),
    50813: ("lactate", "mmol/l"),
    50885: ("bilirubin, total", "mg/dl"),
}

FLUIDS: Final[dict[int, str]] = {
    221906: "norepinephrine",
    221749: "phenylephrine",
    222315: "vasopressin",
    222168: "propofol",
    225158: "nacl 0.9%",
    226559: "foley",
}
"""``d_items`` of the input (``inputevents_cv``) and output (``outputevents``) items."""


@dataclass(frozen=True)
class Vital:
    """One charted vital sign: a noisy AR(1) series around ``mean(stay)``."""

    name: str
    items: tuple[int, int]  # (CareVue, MetaVision)
    mean: Callable[[Stay], float]
    sd: float
    low: float
    high: float
    decimals: int
    share: float  # chance it is charted at a charting time
    fahrenheit: tuple[int, int] = (0, 0)


def _old(m: Stay) -> float:
    return (m.age - 65) / 10.0


VITAL_SERIES: Final = (
    Vital("heart rate", (211, 220045), lambda m: 84 + 8 * m.c + 5 * m.i, 6.0, 35, 180, 0, 0.95),
    Vital("sbp", (51, 220050), lambda m: 120 - 10 * m.c + 3 * _old(m), 8.0, 60, 220, 0, 0.9),
    Vital("dbp", (8368, 220051), lambda m: 62 - 5 * m.c, 5.0, 25, 130, 0, 0.9),
    Vital("mbp", (52, 220052), lambda m: 80 - 7 * m.c, 5.0, 35, 150, 0, 0.9),
    Vital("resp rate", (618, 220210), lambda m: 18 + 3.2 * m.r, 2.5, 6, 50, 0, 0.93),
    Vital("spo2", (646, 220277), lambda m: 97 - 1.6 * m.r, 1.0, 70, 100, 0, 0.93),
    Vital(
        "temperature",
        (677, 223762),
        lambda m: 37 + 0.45 * m.i,
        0.25,
        34,
        41,
        1,
        0.35,
        (678, 223761),
    ),
)


def _ln(rng: random.Random, sd: float) -> float:
    return math.exp(rng.gauss(0.0, sd))


def lab_value(rng: random.Random, m: Stay) -> list[tuple[int, float]]:
    """One draw of the lab panel: ``(itemid, value)`` for each test taken.

    The number of random numbers used does not depend on which tests are
    taken, so the draws of a stay line up however long it is followed.
    """
    diabetes = "diabetes" in m.conditions
    out: list[tuple[int, float]] = []
    panel: list[tuple[int, float, float, int]] = [  # (itemid, value, chance, decimals)
        (50912, math.exp(0.38 * m.k) * _ln(rng, 0.08), 0.97, 1),
        (51006, math.exp(math.log(18) + 0.4 * m.k + 0.1 * m.c) * _ln(rng, 0.1), 0.97, 0),
        (50971, 4.1 + 0.15 * m.k + rng.gauss(0, 0.35), 0.97, 1),
        (50983, 139 + rng.gauss(0, 3), 0.97, 0),
        (50882, min(40.0, max(8.0, 24 - 2 * m.c - 1.2 * m.k + rng.gauss(0, 1.5))), 0.97, 0),
        (50809 if rng.random() < 0.3 else 50931,
         min(600.0, max(40.0, 125 + 35 * diabetes + 8 * m.s + rng.gauss(0, 20))), 0.95, 0),
        (51300 if rng.random() < 0.3 else 51301, max(0.5, 9 + 3.2 * m.i + rng.gauss(0, 1.2)), 0.95, 1),
        (50811 if rng.random() < 0.2 else 51222, 11 - 0.5 * m.s + rng.gauss(0, 0.6), 0.95, 1),
        (51265, max(10.0, 230 - 35 * m.i - 40 * m.h + rng.gauss(0, 25)), 0.95, 0),
        (50813, math.exp(math.log(1.4) + 0.33 * m.c + 0.12 * m.i) * _ln(rng, 0.12),
         0.25 + 0.35 * (m.c > 0.5), 1),
        (50885, math.exp(math.log(0.8) + 0.7 * m.h) * _ln(rng, 0.15), 0.2 + 0.4 * (m.h > 1), 1),
    ]  # fmt: skip
    for itemid, value, chance, decimals in panel:
        if rng.random() < chance:
            out.append((itemid, round(value, decimals)))
    return out


@dataclass(frozen=True)
class Prescribed:
    """A drug the cohort may prescribe, and how likely a stay gets it."""

    name: str
    doses: tuple[str, ...]
    unit: str
    routes: tuple[str, ...]
    chance: Callable[[Stay], float]
    onset: str = ""  # "vasopressor"/"ventilation": started with that intervention


PRESCRIBED: Final = (
    Prescribed("heparin", ("5000",), "unit", ("sc",), lambda m: 0.7),
    Prescribed("pantoprazole", ("40",), "mg", ("iv", "po"), lambda m: 0.5),
    Prescribed("acetaminophen", ("650", "1000"), "mg", ("po",), lambda m: 0.5),
    Prescribed(
        "insulin",
        ("2", "4", "6"),
        "unit",
        ("sc",),
        lambda m: 0.85 if "diabetes" in m.conditions else 0.15,
    ),  # fmt: skip
    Prescribed("vancomycin", ("1000", "1250"), "mg", ("iv",), lambda m: 0.8 * (m.i > 0.4)),
    Prescribed("piperacillin-tazobactam", ("4.5",), "g", ("iv",), lambda m: 0.75 * (m.i > 0.4)),
    Prescribed(
        "furosemide",
        ("20", "40"),
        "mg",
        ("iv", "po"),
        lambda m: 0.6 if "chf" in m.conditions else 0.1,
    ),  # fmt: skip
    Prescribed(
        "metoprolol tartrate",
        ("12.5", "25"),
        "mg",
        ("po",),
        lambda m: 0.5 if "afib" in m.conditions else 0.1,
    ),  # fmt: skip
    Prescribed("potassium chloride", ("20", "40"), "meq", ("po", "iv"), lambda m: 0.3),
    Prescribed("docusate sodium", ("100",), "mg", ("po",), lambda m: 0.3),
    Prescribed(
        "lactulose", ("30",), "ml", ("po",), lambda m: 0.7 if "cirrhosis" in m.conditions else 0.02
    ),  # fmt: skip
    Prescribed("norepinephrine", ("4",), "mg", ("iv drip",), lambda m: 0.9, "vasopressor"),
    Prescribed("propofol", ("100",), "mg", ("iv drip",), lambda m: 0.8, "ventilation"),
)
