"""Cardiovascular and thromboembolic risk scores, as per-criterion points.

Each score returns a tuple with the points of every criterion in the order its
docstring lists (the order the suite's questions state); the score itself is
the sum. Returning the breakdown rather than the total is what lets the suite
grade a score whose total is a single digit without it being guessable.
"""

from __future__ import annotations

__all__ = ("cha2ds2_vasc", "has_bled", "heart_score", "perc_rule", "rcri", "wells_dvt", "wells_pe")


def cha2ds2_vasc(
    *,
    age: int,
    female: bool,
    chf: bool,
    hypertension: bool,
    diabetes: bool,
    stroke_tia_thromboembolism: bool,
    vascular_disease: bool,
) -> tuple[int, ...]:
    """CHA2DS2-VASc points: CHF, hypertension, age, diabetes, stroke/TIA/TE, vascular, sex.

    Age scores 1 at 65-74 and 2 from 75; prior stroke, TIA or thromboembolism
    scores 2; female sex 1; every other criterion 1.

    Source: Lip GYH, Nieuwlaat R, Pisters R, Lane DA, Crijns HJGM. Refining
    clinical risk stratification for predicting stroke and thromboembolism in
    atrial fibrillation using a novel risk factor-based approach. Chest
    2010;137:263-72.
    """
    age_points = 2 if age >= 75 else 1 if age >= 65 else 0
    return (
        int(chf),
        int(hypertension),
        age_points,
        int(diabetes),
        2 if stroke_tia_thromboembolism else 0,
        int(vascular_disease),
        int(female),
    )


def has_bled(
    *,
    uncontrolled_hypertension: bool,
    renal_disease: bool,
    liver_disease: bool,
    stroke: bool,
    bleeding: bool,
    labile_inr: bool,
    age: int,
    drugs: bool,
    alcohol_drinks_per_week: float,
) -> tuple[int, ...]:
    """HAS-BLED points: hypertension, renal, liver, stroke, bleeding, labile INR, elderly, drugs, alcohol.

    One point each: uncontrolled hypertension (systolic > 160 mmHg), abnormal
    renal function (dialysis, transplant or creatinine >= 2.26 mg/dL),
    abnormal liver function (cirrhosis, or bilirubin > 2x with AST/ALT/ALP >
    3x normal), prior stroke, prior major bleeding or predisposition, labile
    INR, age > 65, antiplatelet or NSAID use, and >= 8 alcoholic drinks a week.

    Source: Pisters R, Lane DA, Nieuwlaat R, et al. A novel user-friendly score
    (HAS-BLED) to assess 1-year risk of major bleeding in patients with atrial
    fibrillation. Chest 2010;138:1093-100.
    """
    return (
        int(uncontrolled_hypertension),
        int(renal_disease),
        int(liver_disease),
        int(stroke),
        int(bleeding),
        int(labile_inr),
        int(age > 65),
        int(drugs),
        int(alcohol_drinks_per_week >= 8),
    )


def heart_score(
    *,
    history: int,
    ecg: int,
    age: int,
    risk_factors: int,
    atherosclerotic_disease: bool,
    troponin: float,
    troponin_uln: float,
) -> tuple[int, ...]:
    """HEART points: history, ECG, age, risk factors, troponin (each 0-2).

    ``history`` and ``ecg`` are the 0/1/2 grades (slightly / moderately /
    highly suspicious history; normal / non-specific repolarisation / significant
    ST deviation). Age < 45: 0, 45-64: 1, >= 65: 2. Risk factors (hypertension,
    hypercholesterolaemia, diabetes, obesity, smoking, family history): none 0,
    one or two 1, three or more, or known atherosclerotic disease, 2. Troponin
    at or below the upper reference limit 0, up to three times it 1, above 2.

    Source: Six AJ, Backus BE, Kelder JC. Chest pain in the emergency room:
    value of the HEART score. Neth Heart J 2008;16:191-6.
    """
    age_points = 2 if age >= 65 else 1 if age >= 45 else 0
    if risk_factors >= 3 or atherosclerotic_disease:
        risk_points = 2
    else:
        risk_points = 1 if risk_factors >= 1 else 0
    if troponin <= troponin_uln:
        troponin_points = 0
    else:
        troponin_points = 1 if troponin <= 3 * troponin_uln else 2
    return (history, ecg, age_points, risk_points, troponin_points)


def wells_pe(
    *,
    dvt_signs: bool,
    pe_most_likely: bool,
    heart_rate: float,
    immobilization_or_surgery: bool,
    previous_vte: bool,
    hemoptysis: bool,
    malignancy: bool,
) -> tuple[float, ...]:
    """Wells PE points: DVT signs 3, PE most likely 3, HR > 100 1.5, immobilisation/surgery 1.5,
    previous PE/DVT 1.5, haemoptysis 1, malignancy 1.

    Source: Wells PS, Anderson DR, Rodger M, et al. Derivation of a simple
    clinical model to categorize patients probability of pulmonary embolism.
    Thromb Haemost 2000;83:416-20.
    """
    return (
        3.0 if dvt_signs else 0.0,
        3.0 if pe_most_likely else 0.0,
        1.5 if heart_rate > 100 else 0.0,
        1.5 if immobilization_or_surgery else 0.0,
        1.5 if previous_vte else 0.0,
        1.0 if hemoptysis else 0.0,
        1.0 if malignancy else 0.0,
    )


def wells_dvt(
    *,
    active_cancer: bool,
    bedridden_or_surgery: bool,
    calf_difference_cm: float,
    collateral_veins: bool,
    entire_leg_swollen: bool,
    localized_tenderness: bool,
    pitting_edema: bool,
    paralysis_or_cast: bool,
    previous_dvt: bool,
    alternative_diagnosis_likely: bool,
) -> tuple[int, ...]:
    """Wells DVT points: nine criteria of 1 point and an alternative diagnosis of -2.

    Order: active cancer, bedridden > 3 days or major surgery within 12 weeks,
    calf swelling > 3 cm versus the other leg, collateral superficial veins,
    entire leg swollen, localised tenderness along the deep veins, pitting
    oedema of the symptomatic leg, paralysis/paresis/recent cast, previous
    DVT, alternative diagnosis at least as likely (-2).

    Source: Wells PS, Anderson DR, Rodger M, et al. Evaluation of D-dimer in
    the diagnosis of suspected deep-vein thrombosis. N Engl J Med
    2003;349:1227-35.
    """
    return (
        int(active_cancer),
        int(bedridden_or_surgery),
        int(calf_difference_cm > 3),
        int(collateral_veins),
        int(entire_leg_swollen),
        int(localized_tenderness),
        int(pitting_edema),
        int(paralysis_or_cast),
        int(previous_dvt),
        -2 if alternative_diagnosis_likely else 0,
    )


def perc_rule(
    *,
    age: int,
    heart_rate: float,
    oxygen_saturation: float,
    unilateral_leg_swelling: bool,
    hemoptysis: bool,
    recent_surgery_or_trauma: bool,
    prior_vte: bool,
    hormone_use: bool,
) -> tuple[int, ...]:
    """PERC criteria met (1 each): age >= 50, HR >= 100, SaO2 < 95 %, unilateral leg swelling,
    haemoptysis, surgery/trauma within 4 weeks, prior PE/DVT, hormone use.

    Source: Kline JA, Mitchell AM, Kabrhel C, Richman PB, Courtney DM. Clinical
    criteria to prevent unnecessary diagnostic testing in emergency department
    patients with suspected pulmonary embolism. J Thromb Haemost
    2004;2:1247-55.
    """
    return (
        int(age >= 50),
        int(heart_rate >= 100),
        int(oxygen_saturation < 95),
        int(unilateral_leg_swelling),
        int(hemoptysis),
        int(recent_surgery_or_trauma),
        int(prior_vte),
        int(hormone_use),
    )


def rcri(
    *,
    high_risk_surgery: bool,
    ischemic_heart_disease: bool,
    heart_failure: bool,
    cerebrovascular_disease: bool,
    insulin_treated_diabetes: bool,
    creatinine_mg_dl: float,
) -> tuple[int, ...]:
    """Revised Cardiac Risk Index (1 each): high-risk surgery, ischaemic heart disease,
    heart failure, cerebrovascular disease, insulin therapy, creatinine > 2 mg/dL.

    Source: Lee TH, Marcantonio ER, Mangione CM, et al. Derivation and
    prospective validation of a simple index for prediction of cardiac risk of
    major noncardiac surgery. Circulation 1999;100:1043-9.
    """
    return (
        int(high_risk_surgery),
        int(ischemic_heart_disease),
        int(heart_failure),
        int(cerebrovascular_disease),
        int(insulin_treated_diabetes),
        int(creatinine_mg_dl > 2),
    )
