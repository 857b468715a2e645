"""Organ failure and liver disease: SOFA, Child-Pugh, MELD-Na and Charlson.

Scores return per-criterion points (see :mod:`.cardiac`); MELD-Na is a single
integer because its total is never guessable from the criteria alone.
"""

from __future__ import annotations

import math
from typing import Literal

from arollout.tasks.medcalc.formulas.body import mean_arterial_pressure

__all__ = (
    "Ascites",
    "DiabetesGrade",
    "Encephalopathy",
    "LiverGrade",
    "TumorGrade",
    "charlson_index",
    "child_pugh",
    "meld_na",
    "sofa",
)

Ascites = Literal["absent", "slight", "moderate"]
Encephalopathy = Literal["none", "grade_1_2", "grade_3_4"]
LiverGrade = Literal["none", "mild", "moderate_severe"]
DiabetesGrade = Literal["none", "uncomplicated", "end_organ"]
TumorGrade = Literal["none", "localized", "metastatic"]


def sofa(
    *,
    pao2_mmhg: float,
    fio2: float,
    ventilated: bool,
    platelets: float,
    bilirubin_mg_dl: float,
    sbp: float,
    dbp: float,
    dopamine: float,
    dobutamine: float,
    epinephrine: float,
    norepinephrine: float,
    gcs: int,
    creatinine_mg_dl: float,
    urine_output_ml_day: float | None,
) -> tuple[int, ...]:
    """SOFA points (0-4 each): respiration, coagulation, liver, cardiovascular, CNS, renal.

    Respiration by PaO2/FiO2: >= 400: 0, < 400: 1, < 300: 2, < 200 with
    respiratory support: 3, < 100 with support: 4 (without support at most 2).
    Platelets (10^9/L) >= 150: 0, < 150: 1, < 100: 2, < 50: 3, < 20: 4.
    Bilirubin (mg/dL) < 1.2: 0, < 2: 1, < 6: 2, < 12: 3, else 4. Cardiovascular:
    MAP >= 70: 0, MAP < 70: 1, dopamine <= 5 or any dobutamine: 2, dopamine > 5
    or (nor)epinephrine <= 0.1: 3, dopamine > 15 or (nor)epinephrine > 0.1: 4
    (doses in µg/kg/min). GCS 15: 0, 13-14: 1, 10-12: 2, 6-9: 3, < 6: 4.
    Renal: creatinine (mg/dL) < 1.2: 0, < 2: 1, < 3.5: 2, < 5: 3, else 4, or
    urine output < 500 mL/day: 3, < 200 mL/day: 4 (the worse of the two).

    Source: Vincent JL, Moreno R, Takala J, et al. The SOFA (Sepsis-related
    Organ Failure Assessment) score to describe organ dysfunction/failure.
    Intensive Care Med 1996;22:707-10.
    """
    ratio = pao2_mmhg / fio2
    if ratio < 100 and ventilated:
        resp = 4
    elif ratio < 200 and ventilated:
        resp = 3
    else:
        resp = 2 if ratio < 300 else 1 if ratio < 400 else 0
    coag = next((p for limit, p in ((20, 4), (50, 3), (100, 2), (150, 1)) if platelets < limit), 0)
    liver = next(
        (p for limit, p in ((1.2, 0), (2.0, 1), (6.0, 2), (12.0, 3)) if bilirubin_mg_dl < limit), 4
    )
    if dopamine > 15 or epinephrine > 0.1 or norepinephrine > 0.1:
        cardio = 4
    elif dopamine > 5 or epinephrine > 0 or norepinephrine > 0:
        cardio = 3
    elif dopamine > 0 or dobutamine > 0:
        cardio = 2
    else:
        cardio = 1 if mean_arterial_pressure(sbp=sbp, dbp=dbp) < 70 else 0
    cns = next((p for limit, p in ((6, 4), (10, 3), (13, 2), (15, 1)) if gcs < limit), 0)
    renal = next(
        (p for limit, p in ((1.2, 0), (2.0, 1), (3.5, 2), (5.0, 3)) if creatinine_mg_dl < limit), 4
    )
    if urine_output_ml_day is not None:
        renal = max(
            renal, 4 if urine_output_ml_day < 200 else 3 if urine_output_ml_day < 500 else 0
        )
    return (resp, coag, liver, cardio, cns, renal)


def child_pugh(
    *,
    bilirubin_mg_dl: float,
    albumin_g_dl: float,
    inr: float,
    ascites: Ascites,
    encephalopathy: Encephalopathy,
) -> tuple[int, ...]:
    """Child-Pugh points (1-3 each): bilirubin, albumin, INR, ascites, encephalopathy.

    Bilirubin (mg/dL) < 2: 1, 2-3: 2, > 3: 3. Albumin (g/dL) > 3.5: 1,
    2.8-3.5: 2, < 2.8: 3. INR < 1.7: 1, 1.7-2.3: 2, > 2.3: 3. Ascites absent 1,
    slight 2, moderate to severe 3. Encephalopathy none 1, grade 1-2: 2,
    grade 3-4: 3.

    Source: Pugh RN, Murray-Lyon IM, Dawson JL, Pietroni MC, Williams R.
    Transection of the oesophagus for bleeding oesophageal varices. Br J Surg
    1973;60:646-9.
    """
    bili = 1 if bilirubin_mg_dl < 2 else 2 if bilirubin_mg_dl <= 3 else 3
    alb = 1 if albumin_g_dl > 3.5 else 2 if albumin_g_dl >= 2.8 else 3
    inr_points = 1 if inr < 1.7 else 2 if inr <= 2.3 else 3
    ascites_points = {"absent": 1, "slight": 2, "moderate": 3}[ascites]
    enceph_points = {"none": 1, "grade_1_2": 2, "grade_3_4": 3}[encephalopathy]
    return (bili, alb, inr_points, ascites_points, enceph_points)


def meld_na(
    *, creatinine_mg_dl: float, bilirubin_mg_dl: float, inr: float, sodium: float, dialysis: bool
) -> int:
    """MELD-Na score (6-40) as in the 2016 OPTN policy.

    Values below 1 are set to 1; creatinine is capped at 4 mg/dL and set to 4
    after dialysis twice in the past week (or CVVHD within 24 h); sodium is
    bounded to 125-137 mmol/L. MELD(i) = 0.957 ln(Cr) + 0.378 ln(bili) + 1.120
    ln(INR) + 0.643, rounded to the tenth and multiplied by 10; when above 11,
    MELD = MELD(i) + 1.32 x (137 - Na) - 0.033 x MELD(i) x (137 - Na). The
    result is rounded to the nearest integer and capped at 40.

    Source: Kim WR, Biggins SW, Kremers WK, et al. Hyponatremia and mortality
    among patients on the liver-transplant waiting list. N Engl J Med
    2008;359:1018-26; OPTN Policy 9.1 (MELD-Na, 2016), as in MDCalc.
    """
    creatinine = 4.0 if dialysis else min(max(creatinine_mg_dl, 1.0), 4.0)
    bilirubin = max(bilirubin_mg_dl, 1.0)
    inr = max(inr, 1.0)
    sodium = min(max(sodium, 125.0), 137.0)
    meld_i = (
        0.957 * math.log(creatinine) + 0.378 * math.log(bilirubin) + 1.120 * math.log(inr) + 0.643
    )
    # Rounding to the tenth and multiplying by 10 is rounding 10 x MELD(i) to an
    # integer; doing it in that order keeps the "> 11" test free of float noise.
    meld: float = math.floor(meld_i * 10 + 0.5)
    if meld > 11:
        meld = meld + 1.32 * (137 - sodium) - 0.033 * meld * (137 - sodium)
    return min(math.floor(meld + 0.5), 40)


def charlson_index(
    *,
    age: int,
    myocardial_infarction: bool,
    heart_failure: bool,
    peripheral_vascular_disease: bool,
    cerebrovascular_disease: bool,
    dementia: bool,
    chronic_pulmonary_disease: bool,
    connective_tissue_disease: bool,
    peptic_ulcer_disease: bool,
    liver_disease: LiverGrade,
    diabetes: DiabetesGrade,
    hemiplegia: bool,
    renal_disease: bool,
    solid_tumor: TumorGrade,
    leukemia: bool,
    lymphoma: bool,
    aids: bool,
) -> tuple[int, ...]:
    """Charlson Comorbidity Index points, age first, then the 16 conditions in argument order.

    Age < 50: 0, 50-59: 1, 60-69: 2, 70-79: 3, >= 80: 4. One point each:
    myocardial infarction, heart failure, peripheral vascular disease,
    cerebrovascular accident or TIA, dementia, chronic pulmonary disease,
    connective tissue disease, peptic ulcer disease. Liver disease mild 1,
    moderate to severe 3; diabetes uncomplicated 1, with end-organ damage 2;
    hemiplegia 2; moderate to severe chronic kidney disease 2; solid tumour
    localised 2, metastatic 6; leukaemia 2; lymphoma 2; AIDS 6.

    Source: Charlson ME, Pompei P, Ales KL, MacKenzie CR. A new method of
    classifying prognostic comorbidity in longitudinal studies. J Chronic Dis
    1987;40:373-83; age points of Charlson M, Szatrowski TP, Peterson J, Gold J.
    J Clin Epidemiol 1994;47:1245-51 (the MDCalc form).
    """
    age_points = 0 if age < 50 else 1 if age < 60 else 2 if age < 70 else 3 if age < 80 else 4
    return (
        age_points,
        int(myocardial_infarction),
        int(heart_failure),
        int(peripheral_vascular_disease),
        int(cerebrovascular_disease),
        int(dementia),
        int(chronic_pulmonary_disease),
        int(connective_tissue_disease),
        int(peptic_ulcer_disease),
        {"none": 0, "mild": 1, "moderate_severe": 3}[liver_disease],
        {"none": 0, "uncomplicated": 1, "end_organ": 2}[diabetes],
        2 if hemiplegia else 0,
        2 if renal_disease else 0,
        {"none": 0, "localized": 2, "metastatic": 6}[solid_tumor],
        2 if leukemia else 0,
        2 if lymphoma else 0,
        6 if aids else 0,
    )
