"""Specs of the cardiovascular and thromboembolic risk scores (answered as points lists)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.medcalc.formulas import cardiac
from arollout.tasks.medcalc.spec import Spec, pick_int

if TYPE_CHECKING:
    from arollout.tasks.medcalc.spec import Draw

__all__ = ("CARDIAC_SPECS",)

_HEART_RISKS: Final = (
    "hypertension",
    "hyperlipidemia",
    "diabetes",
    "obesity",
    "smoking",
    "family_history_cad",
)
_TROPONINS: Final = (
    ("high-sensitivity troponin T", 14),
    ("high-sensitivity troponin I", 26),
    ("high-sensitivity troponin I", 34),
)


def _draw_chads(d: Draw) -> None:
    d.patient(pick_int(d.rng, 40, 95, snaps=(65, 75), p=0.3))
    for key, p in (
        ("chf", 0.3),
        ("hypertension", 0.5),
        ("diabetes", 0.3),
        ("vascular_disease", 0.3),
    ):
        d.flag(key, p)
    d.flag("stroke_tia", 0.25, arg="stroke_tia_thromboembolism")
    if d.rng.random() < 0.5:
        d.fact("history", "{He} also has hyperlipidemia treated with atorvastatin.")


def _draw_hasbled(d: Draw) -> None:
    d.patient(pick_int(d.rng, 40, 95, snaps=(65, 66), p=0.3))
    rng = d.rng
    d.flag("uncontrolled_hypertension", 0.3)
    d.flag("renal_disease_hb", 0.2, arg="renal_disease")
    d.flag("liver_disease_hb", 0.15, arg="liver_disease")
    d.flag("stroke", 0.2)
    d.flag("major_bleeding", 0.2, arg="bleeding")
    d.flag("labile_inr", 0.25)
    d.flag("drugs_antiplatelet", 0.3, arg="drugs")
    drinks = rng.choice((0, 0, pick_int(rng, 1, 20, snaps=(8,), p=0.4)))
    said = (
        "does not drink alcohol"
        if drinks == 0
        else f"drinks about {drinks} alcoholic drinks per week"
    )
    d.set("alcohol_drinks_per_week", drinks, said)
    d.fact("social", f"{{He}} {said}.")
    d.med("warfarin 5 mg daily")


def _draw_heart(d: Draw) -> None:
    d.patient(pick_int(d.rng, 25, 90, snaps=(45, 65), p=0.3))
    rng = d.rng
    d.grade("heart_history", rng.choice("012"), arg="history", section="hpi")
    d.grade("heart_ecg", rng.choice("012"), arg="ecg", section="ecg")
    d.set("history", int(d.args["history"]))
    d.set("ecg", int(d.args["ecg"]))
    count = sum(d.flag(key, 0.3, record=False) for key in _HEART_RISKS)
    d.set("risk_factors", count)
    d.flag("atherosclerotic_disease", 0.2)
    name, uln = rng.choice(_TROPONINS)
    band = rng.randrange(3)
    value = (
        rng.randint(2, uln),
        rng.randint(uln + 1, 3 * uln),
        rng.randint(3 * uln + 1, 12 * uln),
    )[band]
    if rng.random() < 0.25:
        value = rng.choice((uln, 3 * uln))
    d.set("troponin", value, f"{value} ng/L")
    d.set("troponin_uln", uln)
    d.item("labs", (name,), f"{value} ng/L (upper reference limit {uln} ng/L)")


def _draw_wells_pe(d: Draw) -> None:
    d.patient(pick_int(d.rng, 18, 90))
    d.flag("dvt_signs", 0.3)
    d.flag("pe_most_likely", 0.45, omit=0.0)
    d.measure("heart_rate", pick_int(d.rng, 58, 140, snaps=(100,), p=0.3))
    d.flag("immobilization_surgery", 0.25, arg="immobilization_or_surgery")
    d.flag("previous_vte", 0.2)
    d.flag("hemoptysis", 0.2)
    d.flag("malignancy_pe", 0.2, arg="malignancy")


def _draw_wells_dvt(d: Draw) -> None:
    d.patient(pick_int(d.rng, 18, 90))
    rng = d.rng
    d.flag("active_cancer", 0.2)
    d.flag("bedridden_surgery", 0.25, arg="bedridden_or_surgery")
    diff = rng.choice((0.0, 3.0, rng.randint(1, 14) / 2))
    if diff == 0:
        said = "equal on both sides"
        d.fact("exam", "Calf circumferences are equal on both sides.")
    else:
        said = f"{diff:g} cm"
        d.fact(
            "exam",
            f"The symptomatic calf measures {said} more in circumference than the other calf.",
        )
    d.set("calf_difference_cm", diff, said)
    for key, p in (
        ("collateral_veins", 0.2),
        ("entire_leg_swollen", 0.3),
        ("localized_tenderness", 0.4),
        ("pitting_edema", 0.35),
    ):
        d.flag(key, p)
    d.flag("paralysis_cast", 0.15, arg="paralysis_or_cast")
    d.flag("previous_dvt", 0.2)
    d.flag("alternative_diagnosis", 0.4, arg="alternative_diagnosis_likely", omit=0.0)


def _draw_perc(d: Draw) -> None:
    d.patient(pick_int(d.rng, 18, 85, snaps=(50,), p=0.3))
    rng = d.rng
    d.measure("heart_rate", pick_int(rng, 55, 135, snaps=(100,), p=0.3))
    d.measure("oxygen_saturation", pick_int(rng, 86, 100, snaps=(95,), p=0.35))
    d.flag("unilateral_leg_swelling", 0.25)
    d.flag("hemoptysis", 0.2)
    d.flag("recent_surgery_trauma", 0.25, arg="recent_surgery_or_trauma")
    d.flag("previous_vte", 0.2, arg="prior_vte")
    d.flag("hormone_use", 0.35 if d.female else 0.0)


def _draw_rcri(d: Draw) -> None:
    d.patient(pick_int(d.rng, 40, 90))
    d.flag("high_risk_surgery", 0.45, omit=0.0)
    for key, p in (
        ("ischemic_heart_disease", 0.3),
        ("heart_failure", 0.25),
        ("cerebrovascular_disease", 0.2),
    ):
        d.flag(key, p)
    d.flag("insulin_diabetes", 0.3, arg="insulin_treated_diabetes")
    if not d.args["insulin_treated_diabetes"] and d.rng.random() < 0.3:
        d.fact("history", "{He} has type 2 diabetes controlled with metformin alone.")
    value = d.rng.choice((d.rng.uniform(0.6, 1.8), d.rng.uniform(1.5, 4.5), 2.0))
    d.measure("creatinine", value, arg="creatinine_mg_dl")


CARDIAC_SPECS: Final[tuple[Spec, ...]] = (
    Spec(
        key="cha2ds2_vasc",
        title="CHA2DS2-VASc score",
        func=cardiac.cha2ds2_vasc,
        kind="points",
        draw=_draw_chads,
        ask="What is the patient's CHA2DS2-VASc score for stroke risk in atrial fibrillation?",
        criteria=(
            "Congestive heart failure (1)",
            "Hypertension (1)",
            "Age: 65-74 years (1), 75 years or older (2)",
            "Diabetes mellitus (1)",
            "Prior stroke, TIA or thromboembolism (2)",
            "Vascular disease: prior myocardial infarction, peripheral artery disease or aortic plaque (1)",
            "Sex category: female (1)",
        ),
        exclude=frozenset({"blood_pressure", "glucose", "hba1c"}),
        complaints=(
            "for newly diagnosed atrial fibrillation",
            "with palpitations from atrial fibrillation",
        ),
    ),
    Spec(
        key="has_bled",
        title="HAS-BLED score",
        func=cardiac.has_bled,
        kind="points",
        draw=_draw_hasbled,
        ask="What is the patient's HAS-BLED score for major bleeding risk?",
        criteria=(
            "Hypertension: uncontrolled, systolic > 160 mmHg (1)",
            "Abnormal renal function: dialysis, transplant or creatinine >= 2.26 mg/dL (1)",
            "Abnormal liver function: cirrhosis, or bilirubin > 2 x normal with AST/ALT/ALP > 3 x normal (1)",
            "Prior stroke (1)",
            "Prior major bleeding or predisposition to bleeding (1)",
            "Labile INR (1)",
            "Elderly: age > 65 years (1)",
            "Drugs: antiplatelet agents or NSAIDs (1)",
            "Alcohol: 8 or more drinks per week (1)",
        ),
        exclude=frozenset(
            {
                "blood_pressure",
                "creatinine",
                "bilirubin",
                "ast",
                "alt",
                "alkaline_phosphatase",
                "inr",
            }
        ),
        complaints=(
            "for follow-up of atrial fibrillation on warfarin",
            "for an anticoagulation review",
        ),
    ),
    Spec(
        key="heart_score",
        title="HEART score",
        func=cardiac.heart_score,
        kind="points",
        draw=_draw_heart,
        ask="What is the patient's HEART score for major cardiac events?",
        criteria=(
            "History: slightly (0), moderately (1) or highly (2) suspicious",
            "ECG: normal (0), non-specific repolarization disturbance (1), significant ST deviation (2)",
            "Age: under 45 (0), 45-64 (1), 65 or older (2)",
            "Risk factors (hypertension, hypercholesterolemia, diabetes, obesity, current smoking, "
            "family history of premature coronary disease): none (0), one or two (1), three or more "
            "or known atherosclerotic disease (2)",
            "Troponin: at or below the upper reference limit (0), above it up to 3 times it (1), "
            "more than 3 times it (2)",
        ),
        exclude=frozenset({"blood_pressure", "glucose", "hba1c", "weight", "height"}),
        complaints=("with chest pain",),
    ),
    Spec(
        key="wells_pe",
        title="Wells' criteria for pulmonary embolism",
        func=cardiac.wells_pe,
        kind="points",
        draw=_draw_wells_pe,
        ask="What is the patient's Wells score for pulmonary embolism?",
        criteria=(
            "Clinical signs and symptoms of DVT (3)",
            "PE is the most likely diagnosis or equally likely (3)",
            "Heart rate > 100 beats/min (1.5)",
            "Immobilization at least 3 days or surgery in the previous 4 weeks (1.5)",
            "Previous, objectively diagnosed PE or DVT (1.5)",
            "Hemoptysis (1)",
            "Malignancy with treatment within 6 months or palliative (1)",
        ),
        complaints=("with shortness of breath", "with pleuritic chest pain and dyspnea"),
    ),
    Spec(
        key="wells_dvt",
        title="Wells' criteria for DVT",
        func=cardiac.wells_dvt,
        kind="points",
        draw=_draw_wells_dvt,
        ask="What is the patient's Wells score for deep vein thrombosis?",
        criteria=(
            "Active cancer (treatment within 6 months or palliative) (1)",
            "Bedridden recently > 3 days or major surgery within 12 weeks (1)",
            "Calf swelling > 3 cm compared with the other leg (1)",
            "Collateral (non-varicose) superficial veins present (1)",
            "Entire leg swollen (1)",
            "Localized tenderness along the deep venous system (1)",
            "Pitting edema confined to the symptomatic leg (1)",
            "Paralysis, paresis or recent plaster immobilization of the leg (1)",
            "Previously documented DVT (1)",
            "Alternative diagnosis to DVT as likely or more likely (-2)",
        ),
        complaints=("with left leg pain", "with calf pain"),
    ),
    Spec(
        key="perc_rule",
        title="PERC rule for pulmonary embolism",
        func=cardiac.perc_rule,
        kind="points",
        draw=_draw_perc,
        ask="Apply the PERC rule for pulmonary embolism: which criteria does the patient meet?",
        criteria=(
            "Age >= 50 years (1)",
            "Heart rate >= 100 beats/min (1)",
            "Oxygen saturation < 95 % (1)",
            "Unilateral leg swelling (1)",
            "Hemoptysis (1)",
            "Surgery or trauma within 4 weeks (1)",
            "Prior PE or DVT (1)",
            "Hormone use: oral contraceptives, hormone replacement or estrogen (1)",
        ),
        complaints=("with chest pain and mild dyspnea", "with pleuritic chest pain"),
    ),
    Spec(
        key="rcri",
        title="Revised Cardiac Risk Index",
        func=cardiac.rcri,
        kind="points",
        draw=_draw_rcri,
        ask="What is the patient's Revised Cardiac Risk Index (Lee) for the planned surgery?",
        criteria=(
            "High-risk surgery: intraperitoneal, intrathoracic or suprainguinal vascular (1)",
            "History of ischemic heart disease (1)",
            "History of congestive heart failure (1)",
            "History of cerebrovascular disease (1)",
            "Preoperative treatment with insulin (1)",
            "Preoperative creatinine > 2 mg/dL (1)",
        ),
        complaints=("for a preoperative evaluation",),
    ),
)
"""The specs of this module, in category order."""
