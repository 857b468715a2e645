"""Drug dose conversions: morphine milligram equivalents and corticosteroids."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = (
    "MME_FACTORS",
    "STEROID_EQUIVALENT_MG",
    "morphine_milligram_equivalents",
    "steroid_conversion",
)

MME_FACTORS: Final[dict[str, float]] = {
    "codeine": 0.15,
    "fentanyl_patch": 2.4,
    "hydrocodone": 1.0,
    "hydromorphone": 5.0,
    "methadone": 4.7,
    "morphine": 1.0,
    "oxycodone": 1.5,
    "oxymorphone": 3.0,
    "tapentadol": 0.4,
    "tramadol": 0.2,
}
"""MME per mg of each oral opioid (per µg/h for the fentanyl patch).

Source: Dowell D, Ragan KR, Jones CM, Baldwin GT, Chou R. CDC Clinical Practice
Guideline for Prescribing Opioids for Pain, United States, 2022. MMWR Recomm
Rep 2022;71(RR-3):1-95, Table 5 (the factors MedCalc-Bench's ``mme.py`` uses).
"""

STEROID_EQUIVALENT_MG: Final[dict[str, float]] = {
    "betamethasone": 0.75,
    "cortisone": 25.0,
    "dexamethasone": 0.75,
    "hydrocortisone": 20.0,
    "methylprednisolone": 4.0,
    "prednisolone": 5.0,
    "prednisone": 5.0,
    "triamcinolone": 4.0,
}
"""Dose (mg) of each glucocorticoid equivalent in anti-inflammatory effect.

Source: Liu D, Ahmet A, Ward L, et al. A practical guide to the monitoring and
management of the complications of systemic corticosteroid therapy. Allergy
Asthma Clin Immunol 2013;9:30, Table 1 (the ratios of MDCalc's "Steroid
Conversion Calculator" and MedCalc-Bench's ``steroid_conversion_calculator.py``).
"""


def morphine_milligram_equivalents(*, regimen: Sequence[tuple[str, float, float]]) -> float:
    """Total daily MME of a regimen of ``(drug, dose, doses per day)`` entries.

    Each entry contributes dose x doses per day x its CDC 2022 factor; a
    fentanyl patch's dose is its rate in µg/h with 1 "dose" per day (the
    factor 2.4 already converts a continuous µg/h rate to MME/day).

    Source: CDC 2022 guideline (see :data:`MME_FACTORS`).
    """
    return sum(MME_FACTORS[drug] * dose * per_day for drug, dose, per_day in regimen)


def steroid_conversion(*, drug: str, dose_mg: float, target: str) -> float:
    """The dose (mg) of ``target`` equivalent to ``dose_mg`` of ``drug``.

    Source: Liu et al. 2013 (see :data:`STEROID_EQUIVALENT_MG`).
    """
    return dose_mg / STEROID_EQUIVALENT_MG[drug] * STEROID_EQUIVALENT_MG[target]
