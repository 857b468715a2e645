"""Acid-base, osmolality, calcium, sodium and free water formulas.

Electrolytes are in mmol/L (= mEq/L for the monovalent ions), albumin in g/dL,
glucose and BUN in mg/dL and calcium in mg/dL. The "normal" constants (anion
gap 12, bicarbonate 24, albumin 4 g/dL) are the ones MDCalc and
MedCalc-Bench use; they are stated in every question that depends on them.
"""

from __future__ import annotations

__all__ = (
    "albumin_corrected_anion_gap",
    "albumin_corrected_delta_gap",
    "albumin_corrected_delta_ratio",
    "anion_gap",
    "corrected_calcium",
    "corrected_sodium_hyperglycemia",
    "delta_gap",
    "delta_ratio",
    "free_water_deficit",
    "osmolal_gap",
    "serum_osmolality",
    "total_body_water_fraction",
)


def anion_gap(*, sodium: float, chloride: float, bicarbonate: float) -> float:
    """Serum anion gap in mEq/L: Na - (Cl + HCO3), potassium not included.

    Source: Emmett M, Narins RG. Clinical use of the anion gap. Medicine
    (Baltimore) 1977;56:38-54.
    """
    return sodium - (chloride + bicarbonate)


def delta_gap(*, sodium: float, chloride: float, bicarbonate: float) -> float:
    """Delta gap in mEq/L: anion gap - 12 (the excess over a normal gap).

    Source: Wrenn K. The delta (delta) gap: an approach to mixed acid-base
    disorders. Ann Emerg Med 1990;19:1310-3.
    """
    return anion_gap(sodium=sodium, chloride=chloride, bicarbonate=bicarbonate) - 12


def delta_ratio(*, sodium: float, chloride: float, bicarbonate: float) -> float:
    """Delta ratio: (anion gap - 12) / (24 - HCO3).

    Source: Rastegar A. Use of the delta-AG/delta-HCO3- ratio in the diagnosis
    of mixed acid-base disorders. J Am Soc Nephrol 2007;18:2429-31.
    """
    gap = delta_gap(sodium=sodium, chloride=chloride, bicarbonate=bicarbonate)
    return gap / (24 - bicarbonate)


def albumin_corrected_anion_gap(
    *, sodium: float, chloride: float, bicarbonate: float, albumin_g_dl: float
) -> float:
    """Anion gap corrected for albumin in mEq/L: AG + 2.5 x (4 - albumin g/dL).

    Source: Figge J, Jabor A, Kazda A, Fencl V. Anion gap and hypoalbuminemia.
    Crit Care Med 1998;26:1807-10.
    """
    gap = anion_gap(sodium=sodium, chloride=chloride, bicarbonate=bicarbonate)
    return gap + 2.5 * (4 - albumin_g_dl)


def albumin_corrected_delta_gap(
    *, sodium: float, chloride: float, bicarbonate: float, albumin_g_dl: float
) -> float:
    """Albumin-corrected delta gap in mEq/L: corrected anion gap - 12.

    Source: Figge et al. 1998 (correction) with Wrenn 1990 (delta gap).
    """
    corrected = albumin_corrected_anion_gap(
        sodium=sodium, chloride=chloride, bicarbonate=bicarbonate, albumin_g_dl=albumin_g_dl
    )
    return corrected - 12


def albumin_corrected_delta_ratio(
    *, sodium: float, chloride: float, bicarbonate: float, albumin_g_dl: float
) -> float:
    """Albumin-corrected delta ratio: (corrected anion gap - 12) / (24 - HCO3).

    Source: Figge et al. 1998 (correction) with Rastegar 2007 (delta ratio).
    """
    gap = albumin_corrected_delta_gap(
        sodium=sodium, chloride=chloride, bicarbonate=bicarbonate, albumin_g_dl=albumin_g_dl
    )
    return gap / (24 - bicarbonate)


def serum_osmolality(*, sodium: float, bun_mg_dl: float, glucose_mg_dl: float) -> float:
    """Calculated serum osmolality in mOsm/kg: 2 x Na + BUN / 2.8 + glucose / 18.

    Source: Dorwart WV, Chalmers L. Comparison of methods for calculating serum
    osmolality from chemical concentrations. Clin Chem 1975;21:190-4.
    """
    return 2 * sodium + bun_mg_dl / 2.8 + glucose_mg_dl / 18


def osmolal_gap(
    *, measured_osmolality: float, sodium: float, bun_mg_dl: float, glucose_mg_dl: float
) -> float:
    """Osmolal gap in mOsm/kg: measured minus calculated serum osmolality.

    Source: Purssell RA, Lynd LD, Koga Y. The use of the osmole gap as a
    screening test for the presence of exogenous substances. Toxicol Rev
    2004;23:189-202 (with the Dorwart-Chalmers calculated osmolality).
    """
    calculated = serum_osmolality(sodium=sodium, bun_mg_dl=bun_mg_dl, glucose_mg_dl=glucose_mg_dl)
    return measured_osmolality - calculated


def corrected_calcium(*, calcium_mg_dl: float, albumin_g_dl: float) -> float:
    """Albumin-corrected total calcium in mg/dL: Ca + 0.8 x (4 - albumin g/dL).

    Source: Payne RB, Little AJ, Williams RB, Milner JR. Interpretation of
    serum calcium in patients with abnormal serum proteins. Br Med J
    1973;4:643-6.
    """
    return calcium_mg_dl + 0.8 * (4 - albumin_g_dl)


def corrected_sodium_hyperglycemia(*, sodium: float, glucose_mg_dl: float) -> float:
    """Sodium corrected for hyperglycemia in mEq/L: Na + 0.024 x (glucose - 100).

    Source: Hillier TA, Abbott RD, Barrett EJ. Hyponatremia: evaluating the
    correction factor for hyperglycemia. Am J Med 1999;106:399-403 (the factor
    MedCalc-Bench uses; Katz 1973 proposed 0.016).
    """
    return sodium + 0.024 * (glucose_mg_dl - 100)


def total_body_water_fraction(*, age: float, female: bool) -> float:
    """Total body water as a fraction of weight, by age and sex.

    Children (< 18 y) 0.6; adult men 0.6, adult women 0.5; from 65 y men 0.5
    and women 0.45.

    Source: the fractions of MDCalc's "Free Water Deficit" calculator and
    MedCalc-Bench's ``free_water_deficit.py``.
    """
    if age < 18:
        return 0.6
    if age < 65:
        return 0.5 if female else 0.6
    return 0.45 if female else 0.5


def free_water_deficit(*, sodium: float, weight_kg: float, age: float, female: bool) -> float:
    """Free water deficit in litres: TBW fraction x weight x (Na / 140 - 1).

    Source: Adrogué HJ, Madias NE. Hypernatremia. N Engl J Med
    2000;342:1493-9.
    """
    fraction = total_body_water_fraction(age=age, female=female)
    return fraction * weight_kg * (sodium / 140 - 1)
