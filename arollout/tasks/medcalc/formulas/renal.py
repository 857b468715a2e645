"""Kidney function: Cockcroft-Gault clearance, CKD-EPI 2021 and MDRD eGFR.

Creatinine is in mg/dL throughout (1 mg/dL = 88.4 µmol/L); the suite converts
notes that report µmol/L before calling these functions.
"""

from __future__ import annotations

import math

from arollout.tasks.medcalc.formulas.body import (
    adjusted_body_weight,
    body_mass_index,
    ideal_body_weight,
)

__all__ = ("ckd_epi_2021", "cockcroft_gault", "cockcroft_gault_weight", "mdrd_gfr")


def cockcroft_gault_weight(*, weight_kg: float, height_cm: float, female: bool) -> float:
    """The body weight (kg) that goes into the Cockcroft-Gault equation.

    Underweight (BMI < 18.5): actual weight; normal (18.5 <= BMI < 25): the
    lower of ideal and actual weight; overweight or obese (BMI >= 25):
    adjusted body weight.

    Source: the weight rule of MDCalc's "Creatinine Clearance (Cockcroft-Gault
    Equation)" and of MedCalc-Bench's ``creatinine_clearance.py``; it exists
    because the 1976 equation was derived on actual weights of non-obese men.
    """
    bmi = body_mass_index(weight_kg=weight_kg, height_cm=height_cm)
    if bmi < 18.5:
        return weight_kg
    if bmi < 25:
        return min(ideal_body_weight(height_cm=height_cm, female=female), weight_kg)
    return adjusted_body_weight(weight_kg=weight_kg, height_cm=height_cm, female=female)


def cockcroft_gault(
    *, age: float, female: bool, weight_kg: float, height_cm: float, creatinine_mg_dl: float
) -> float:
    """Creatinine clearance in mL/min: (140 - age) x weight / (72 x SCr), x 0.85 for women.

    The weight is chosen by :func:`cockcroft_gault_weight`.

    Source: Cockcroft DW, Gault MH. Prediction of creatinine clearance from
    serum creatinine. Nephron 1976;16:31-41.
    """
    weight = cockcroft_gault_weight(weight_kg=weight_kg, height_cm=height_cm, female=female)
    clearance = (140 - age) * weight / (72 * creatinine_mg_dl)
    return clearance * 0.85 if female else clearance


def ckd_epi_2021(*, age: float, female: bool, creatinine_mg_dl: float) -> float:
    """eGFR in mL/min/1.73 m² by the race-free 2021 CKD-EPI creatinine equation.

    142 x min(SCr/k, 1)^a x max(SCr/k, 1)^-1.200 x 0.9938^age (x 1.012 for
    women), with k = 0.7 (women) or 0.9 (men) and a = -0.241 (women) or
    -0.302 (men).

    Source: Inker LA, Eneanya ND, Coresh J, et al. New creatinine- and cystatin
    C-based equations to estimate GFR without race. N Engl J Med
    2021;385:1737-49.
    """
    kappa = 0.7 if female else 0.9
    alpha = -0.241 if female else -0.302
    ratio = creatinine_mg_dl / kappa
    egfr = (
        142
        * math.pow(min(ratio, 1.0), alpha)
        * math.pow(max(ratio, 1.0), -1.200)
        * math.pow(0.9938, age)
    )
    return egfr * 1.012 if female else egfr


def mdrd_gfr(*, age: float, female: bool, black: bool, creatinine_mg_dl: float) -> float:
    """eGFR in mL/min/1.73 m² by the 4-variable IDMS-traceable MDRD equation.

    175 x SCr^-1.154 x age^-0.203 (x 0.742 for women, x 1.212 for Black patients).

    Source: Levey AS, Coresh J, Greene T, et al. Using standardized serum
    creatinine values in the Modification of Diet in Renal Disease study
    equation for estimating glomerular filtration rate. Ann Intern Med
    2006;145:247-54.
    """
    egfr = 175 * math.pow(creatinine_mg_dl, -1.154) * math.pow(age, -0.203)
    if female:
        egfr *= 0.742
    if black:
        egfr *= 1.212
    return egfr
