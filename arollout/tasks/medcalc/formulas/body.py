"""Body size, blood pressure and maintenance fluid formulas.

Every function is pure and keyword-only, takes the units its published source
uses (kg, cm, mmHg) and depends on nothing but its arguments and the other
formula functions, so the reference solutions can carry its source verbatim.
"""

from __future__ import annotations

import math

__all__ = (
    "adjusted_body_weight",
    "body_mass_index",
    "bsa_dubois",
    "bsa_mosteller",
    "ideal_body_weight",
    "maintenance_fluids",
    "mean_arterial_pressure",
)


def body_mass_index(*, weight_kg: float, height_cm: float) -> float:
    """Body mass index in kg/m²: weight divided by the square of height.

    Source: Quetelet's index as adopted by WHO, "Obesity: preventing and
    managing the global epidemic", WHO Technical Report Series 894 (2000).
    """
    metres = height_cm / 100
    return weight_kg / (metres * metres)


def bsa_mosteller(*, weight_kg: float, height_cm: float) -> float:
    """Body surface area in m²: sqrt(height cm x weight kg / 3600).

    Source: Mosteller RD. Simplified calculation of body-surface area.
    N Engl J Med 1987;317:1098.
    """
    return math.sqrt(height_cm * weight_kg / 3600)


def bsa_dubois(*, weight_kg: float, height_cm: float) -> float:
    """Body surface area in m²: 0.007184 x W^0.425 x H^0.725 (kg, cm).

    Source: Du Bois D, Du Bois EF. A formula to estimate the approximate surface
    area if height and weight be known. Arch Intern Med 1916;17:863-71.
    """
    return 0.007184 * math.pow(weight_kg, 0.425) * math.pow(height_cm, 0.725)


def ideal_body_weight(*, height_cm: float, female: bool) -> float:
    """Ideal body weight in kg: 50 kg (men) or 45.5 kg (women) + 2.3 kg per inch over 60 in.

    Source: Devine BJ. Gentamicin therapy. Drug Intell Clin Pharm 1974;8:650-5
    (the weights MDCalc and MedCalc-Bench's ``ideal_body_weight.py`` use).
    """
    inches = height_cm / 2.54
    return (45.5 if female else 50.0) + 2.3 * (inches - 60)


def adjusted_body_weight(*, weight_kg: float, height_cm: float, female: bool) -> float:
    """Adjusted body weight in kg: IBW + 0.4 x (actual weight - IBW).

    Source: the 0.4 correction factor of Bauer LA, Applied Clinical
    Pharmacokinetics (aminoglycoside dosing in obesity), as used by MDCalc's
    "Ideal Body Weight and Adjusted Body Weight" calculator.
    """
    ibw = ideal_body_weight(height_cm=height_cm, female=female)
    return ibw + 0.4 * (weight_kg - ibw)


def mean_arterial_pressure(*, sbp: float, dbp: float) -> float:
    """Mean arterial pressure in mmHg: (SBP + 2 x DBP) / 3.

    Source: the standard one-third pulse pressure estimate (e.g. MDCalc "Mean
    Arterial Pressure (MAP)"); diastole lasts about two thirds of the cycle.
    """
    return (sbp + 2 * dbp) / 3


def maintenance_fluids(*, weight_kg: float) -> float:
    """Maintenance IV fluid rate in mL/h by the 4-2-1 rule.

    4 mL/kg/h for the first 10 kg, 2 mL/kg/h for the next 10 kg and 1 mL/kg/h
    for every kg above 20.

    Source: Holliday MA, Segar WE. The maintenance need for water in parenteral
    fluid therapy. Pediatrics 1957;19:823-32.
    """
    if weight_kg <= 10:
        return 4 * weight_kg
    if weight_kg <= 20:
        return 40 + 2 * (weight_kg - 10)
    return 60 + (weight_kg - 20)
