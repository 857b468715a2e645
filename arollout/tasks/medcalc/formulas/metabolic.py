"""Lipids, insulin resistance, sodium excretion and liver fibrosis.

Cholesterol and triglycerides in mg/dL, glucose in mg/dL, insulin in µIU/mL,
AST/ALT in U/L and platelets in 10^9/L (= 10^3/µL).
"""

from __future__ import annotations

import math

__all__ = ("fena", "fib4", "homa_ir", "ldl_friedewald")


def ldl_friedewald(
    *, total_cholesterol_mg_dl: float, hdl_mg_dl: float, triglycerides_mg_dl: float
) -> float:
    """LDL cholesterol in mg/dL: total cholesterol - HDL - triglycerides / 5.

    Valid for triglycerides below 400 mg/dL (the suite never asks otherwise).

    Source: Friedewald WT, Levy RI, Fredrickson DS. Estimation of the
    concentration of low-density lipoprotein cholesterol in plasma, without use
    of the preparative ultracentrifuge. Clin Chem 1972;18:499-502.
    """
    return total_cholesterol_mg_dl - hdl_mg_dl - triglycerides_mg_dl / 5


def homa_ir(*, insulin_uiu_ml: float, glucose_mg_dl: float) -> float:
    """HOMA insulin resistance: fasting insulin (µIU/mL) x fasting glucose (mg/dL) / 405.

    (405 is 22.5 x 18, the glucose form of the original mmol/L constant.)

    Source: Matthews DR, Hosker JP, Rudenski AS, et al. Homeostasis model
    assessment: insulin resistance and beta-cell function from fasting plasma
    glucose and insulin concentrations in man. Diabetologia 1985;28:412-9.
    """
    return insulin_uiu_ml * glucose_mg_dl / 405


def fena(
    *,
    urine_sodium: float,
    serum_sodium: float,
    urine_creatinine_mg_dl: float,
    serum_creatinine_mg_dl: float,
) -> float:
    """Fractional excretion of sodium in percent: (UNa x SCr) / (SNa x UCr) x 100.

    Source: Espinel CH. The FENa test: use in the differential diagnosis of
    acute renal failure. JAMA 1976;236:579-81.
    """
    return urine_sodium * serum_creatinine_mg_dl / (serum_sodium * urine_creatinine_mg_dl) * 100


def fib4(*, age: float, ast: float, alt: float, platelets: float) -> float:
    """Fibrosis-4 index: age x AST / (platelets x sqrt(ALT)).

    Source: Sterling RK, Lissen E, Clumeck N, et al. Development of a simple
    noninvasive index to predict significant fibrosis in patients with
    HIV/HCV coinfection. Hepatology 2006;43:1317-25.
    """
    return age * ast / (platelets * math.sqrt(alt))
