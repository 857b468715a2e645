"""Wording of clinical facts: conditions, findings and graded descriptions.

A :class:`Phrase` says one fact in several ways, present or absent. History
phrases are noun phrases that the note builder lists ("a history of A, B and
C"; "no history of D or E"); other sections hold whole sentences with pronoun
slots (``{he}``, ``{He}``, ``{his}``, ``{His}``, ``{him}``). Graded facts and
distractor pools live in :mod:`.wording`.
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = ("CONDITIONS", "Phrase")


class Phrase(NamedTuple):
    """One fact; ``section`` is "history" (noun phrases) or a sentence section."""

    section: str
    present: tuple[str, ...]
    absent: tuple[str, ...]


def _h(present: tuple[str, ...], absent: tuple[str, ...]) -> Phrase:
    return Phrase("history", present, absent)


CONDITIONS: Final[dict[str, Phrase]] = {
    # -- history items shared by several scores ------------------------------------------
    "chf": _h(
        (
            "congestive heart failure",
            "heart failure with reduced ejection fraction",
            "chronic systolic heart failure",
        ),
        ("heart failure", "congestive heart failure"),
    ),
    "hypertension": _h(
        ("hypertension", "essential hypertension treated with amlodipine", "high blood pressure"),
        ("hypertension", "high blood pressure"),
    ),
    "diabetes": _h(
        ("type 2 diabetes mellitus", "diabetes mellitus on metformin", "type 1 diabetes"),
        ("diabetes", "diabetes mellitus"),
    ),
    "stroke_tia": _h(
        (
            "a prior ischemic stroke",
            "a transient ischemic attack two years ago",
            "a previous embolic stroke",
            "a peripheral arterial thromboembolism",
        ),
        ("stroke or TIA", "stroke, TIA or thromboembolism"),
    ),
    "vascular_disease": _h(
        (
            "a prior myocardial infarction",
            "peripheral artery disease",
            "complex aortic plaque on a previous echocardiogram",
        ),
        ("myocardial infarction or peripheral artery disease", "vascular disease"),
    ),
    "hyperlipidemia": _h(
        ("hyperlipidemia", "hypercholesterolemia treated with a statin"),
        ("hyperlipidemia", "high cholesterol"),
    ),
    "obesity": _h(("obesity (BMI 34 kg/m²)", "class II obesity"), ("obesity",)),
    "family_history_cad": Phrase(
        "social",
        (
            "{His} father had a myocardial infarction at age 48.",
            "{His} brother had coronary bypass surgery at 52.",
        ),
        ("There is no family history of premature coronary disease.",),
    ),
    "smoking": Phrase(
        "social",
        (
            "{He} currently smokes a pack of cigarettes a day.",
            "{He} is an active smoker with a 30 pack-year history.",
        ),
        ("{He} has never smoked.", "{He} quit smoking 15 years ago."),
    ),
    "atherosclerotic_disease": _h(
        (
            "coronary artery disease with a stent placed in 2019",
            "prior coronary artery bypass grafting",
            "peripheral arterial disease",
        ),
        ("known coronary or peripheral arterial disease", "prior revascularization"),
    ),
    # -- HAS-BLED --------------------------------------------------------------------------
    "uncontrolled_hypertension": _h(
        (
            "poorly controlled hypertension with office systolic pressures above 170 mmHg",
            "uncontrolled hypertension (systolic readings of 165-180 mmHg)",
        ),
        ("uncontrolled hypertension",),
    ),
    "renal_disease_hb": _h(
        (
            "end-stage renal disease on hemodialysis",
            "a kidney transplant",
            "chronic kidney disease with a baseline creatinine of 2.9 mg/dL",
        ),
        ("kidney disease", "renal impairment"),
    ),
    "liver_disease_hb": _h(
        ("alcoholic cirrhosis", "chronic hepatitis C with cirrhosis"),
        ("liver disease", "cirrhosis"),
    ),
    "stroke": _h(("a prior ischemic stroke", "a hemorrhagic stroke in 2018"), ("stroke",)),
    "major_bleeding": _h(
        ("a major gastrointestinal bleed requiring transfusion", "a prior intracranial hemorrhage"),
        ("major bleeding", "bleeding problems"),
    ),
    "labile_inr": Phrase(
        "history",
        ("labile INRs on warfarin (time in therapeutic range about 40 %)",),
        ("labile INRs",),
    ),
    "drugs_antiplatelet": Phrase(
        "meds",
        (
            "aspirin 81 mg daily",
            "clopidogrel 75 mg daily",
            "ibuprofen 400 mg most days for knee pain",
        ),
        (),
    ),
    # -- PE, DVT and PERC ------------------------------------------------------------------
    "dvt_signs": Phrase(
        "exam",
        (
            "The left calf is swollen and tender along the deep veins.",
            "There is unilateral right leg swelling with pain on palpation of the deep veins.",
        ),
        (
            "There is no leg swelling or calf tenderness.",
            "The lower extremities show no signs of deep vein thrombosis.",
        ),
    ),
    "pe_most_likely": Phrase(
        "assessment",
        (
            "The team considers pulmonary embolism the most likely diagnosis.",
            "Pulmonary embolism is felt to be more likely than any alternative diagnosis.",
        ),
        (
            "An alternative diagnosis (pneumonia) is felt to be more likely than pulmonary embolism.",
            "Pulmonary embolism is considered less likely than an acute COPD exacerbation.",
        ),
    ),
    "immobilization_surgery": Phrase(
        "hpi",
        (
            "{He} underwent a hip replacement 2 weeks ago.",
            "{He} has been bedridden for 5 days with a back injury.",
        ),
        ("{He} has had no recent surgery or immobilization.",),
    ),
    "previous_vte": _h(
        ("a prior deep vein thrombosis", "a pulmonary embolism 3 years ago"),
        ("venous thromboembolism", "DVT or PE"),
    ),
    "hemoptysis": Phrase(
        "hpi",
        (
            "{He} reports coughing up blood-streaked sputum.",
            "{He} has had two episodes of hemoptysis.",
        ),
        ("{He} denies hemoptysis.",),
    ),
    "malignancy_pe": _h(
        (
            "metastatic breast cancer on chemotherapy",
            "lung cancer currently receiving palliative treatment",
        ),
        ("cancer", "malignancy"),
    ),
    "recent_surgery_trauma": Phrase(
        "hpi",
        (
            "{He} had knee arthroscopy under general anesthesia 10 days ago.",
            "{He} was hospitalized for a femur fracture 3 weeks ago.",
        ),
        ("There is no recent surgery or trauma.",),
    ),
    "hormone_use": Phrase(
        "meds",
        ("an oral contraceptive pill", "estradiol hormone replacement therapy"),
        (),
    ),
    "unilateral_leg_swelling": Phrase(
        "exam",
        ("The right leg is visibly swollen compared with the left.",),
        ("There is no leg swelling.", "The legs are symmetric without edema."),
    ),
    "active_cancer": _h(
        (
            "pancreatic cancer on active chemotherapy",
            "prostate cancer treated within the last 6 months",
        ),
        ("cancer",),
    ),
    "bedridden_surgery": Phrase(
        "hpi",
        (
            "{He} had abdominal surgery under general anesthesia 3 weeks ago.",
            "{He} was confined to bed for 4 days with influenza.",
        ),
        ("{He} has been fully mobile with no recent surgery.",),
    ),
    "collateral_veins": Phrase(
        "exam",
        ("Dilated collateral superficial (non-varicose) veins are visible over the affected leg.",),
        ("No collateral superficial veins are seen.",),
    ),
    "entire_leg_swollen": Phrase(
        "exam",
        ("The entire leg is swollen from thigh to ankle.",),
        ("The swelling does not involve the entire leg.",),
    ),
    "localized_tenderness": Phrase(
        "exam",
        ("There is tenderness along the distribution of the deep venous system.",),
        ("There is no tenderness along the deep veins.",),
    ),
    "pitting_edema": Phrase(
        "exam",
        ("Pitting edema is confined to the symptomatic leg.",),
        ("There is no pitting edema.",),
    ),
    "paralysis_cast": Phrase(
        "hpi",
        (
            "{His} leg has been in a plaster cast since an ankle fracture 10 days ago.",
            "{He} has right-sided paresis after a recent stroke.",
        ),
        ("There is no paralysis, paresis or recent casting of the legs.",),
    ),
    "previous_dvt": _h(
        ("a documented deep vein thrombosis 4 years ago",), ("deep vein thrombosis",)
    ),
    "alternative_diagnosis": Phrase(
        "assessment",
        (
            "A ruptured Baker cyst is considered at least as likely as DVT.",
            "Cellulitis is felt to be at least as likely as a DVT.",
        ),
        ("No alternative diagnosis seems as likely as DVT.",),
    ),
    # -- RCRI ------------------------------------------------------------------------------
    "high_risk_surgery": Phrase(
        "hpi",
        (
            "{He} is scheduled for an open colectomy.",
            "{He} is scheduled for a lobectomy via thoracotomy.",
            "{He} is scheduled for an open abdominal aortic aneurysm repair.",
        ),
        (
            "{He} is scheduled for a total knee arthroplasty.",
            "{He} is scheduled for cataract surgery.",
            "{He} is scheduled for an inguinal hernia repair.",
        ),
    ),
    "ischemic_heart_disease": _h(
        (
            "coronary artery disease with a prior myocardial infarction",
            "stable angina with a positive stress test",
        ),
        ("ischemic heart disease", "coronary artery disease"),
    ),
    "heart_failure": _h(
        (
            "heart failure with reduced ejection fraction",
            "a history of pulmonary edema from heart failure",
        ),
        ("heart failure",),
    ),
    "cerebrovascular_disease": _h(
        ("a prior stroke", "a transient ischemic attack"),
        ("stroke or TIA", "cerebrovascular disease"),
    ),
    "insulin_diabetes": Phrase(
        "history",
        ("type 2 diabetes treated with insulin glargine", "type 1 diabetes on an insulin pump"),
        (),
    ),
    # -- pneumonia, pharyngitis, sepsis, bleeding --------------------------------------------
    "confusion": Phrase(
        "exam",
        (
            "{He} is confused and disoriented to time and place.",
            "{He} is newly confused according to family.",
        ),
        ("{He} is alert and oriented.", "Mental status is at baseline; {he} is fully oriented."),
    ),
    "tonsillar_exudate": Phrase(
        "exam",
        ("The tonsils are swollen with white exudate.", "There is tonsillar exudate bilaterally."),
        (
            "There is no tonsillar swelling or exudate.",
            "The tonsils are not enlarged and have no exudate.",
        ),
    ),
    "tender_nodes": Phrase(
        "exam",
        ("Tender, swollen anterior cervical lymph nodes are palpable.",),
        ("There is no anterior cervical lymphadenopathy.",),
    ),
    "cough": Phrase(
        "hpi",
        ("{He} also has a dry cough.", "{He} reports a cough for 3 days."),
        ("{He} denies cough.", "There is no cough."),
    ),
    "altered_mentation": Phrase(
        "exam",
        ("{He} is drowsy and confused (GCS 13).", "{He} has altered mentation and is disoriented."),
        ("{He} is alert and oriented (GCS 15).",),
    ),
    "melena": Phrase(
        "hpi",
        ("{He} reports black, tarry stools.", "{He} has had melena since yesterday."),
        ("{He} denies melena.",),
    ),
    "syncope": Phrase(
        "hpi",
        ("{He} fainted at home this morning.", "{He} had a syncopal episode before arrival."),
        ("There was no syncope.",),
    ),
    "hepatic_disease": _h(("cirrhosis", "chronic liver disease"), ("liver disease",)),
    "cardiac_failure": _h(("congestive heart failure", "heart failure"), ("heart failure",)),
    "dialysis": Phrase(
        "hpi",
        (
            "{He} has received hemodialysis three times in the past week.",
            "{He} was on continuous veno-venous hemodialysis in the past 24 hours.",
        ),
        ("{He} has not received any dialysis.",),
    ),
    "ventilated": Phrase(
        "exam",
        (
            "{He} is intubated and mechanically ventilated.",
            "{He} is on invasive mechanical ventilation.",
        ),
        ("{He} is breathing spontaneously without respiratory support.",),
    ),
    # -- Charlson ----------------------------------------------------------------------------
    "mi": _h(("a myocardial infarction in 2015", "a prior NSTEMI"), ("myocardial infarction",)),
    "pvd": _h(
        ("peripheral vascular disease with claudication", "a prior femoral-popliteal bypass"),
        ("peripheral vascular disease",),
    ),
    "cva_tia": _h(
        ("a prior stroke without residual deficit", "a transient ischemic attack"),
        ("stroke or TIA",),
    ),
    "dementia": _h(
        ("Alzheimer dementia", "vascular dementia"), ("dementia", "cognitive impairment")
    ),
    "copd": _h(
        ("COPD", "chronic obstructive pulmonary disease on inhalers"),
        ("chronic lung disease", "COPD"),
    ),
    "ctd": _h(
        ("rheumatoid arthritis", "systemic lupus erythematosus"), ("connective tissue disease",)
    ),
    "pud": _h(
        ("peptic ulcer disease", "a duodenal ulcer treated 2 years ago"), ("peptic ulcer disease",)
    ),
    "hemiplegia": _h(
        ("left hemiplegia after a traumatic brain injury", "paraplegia after a spinal cord injury"),
        ("hemiplegia or paraplegia",),
    ),
    "ckd": _h(
        ("stage 4 chronic kidney disease", "end-stage renal disease on dialysis"),
        ("chronic kidney disease",),
    ),
    "leukemia": _h(("chronic lymphocytic leukemia",), ("leukemia",)),
    "lymphoma": _h(("non-Hodgkin lymphoma",), ("lymphoma",)),
    "aids": _h(("AIDS",), ("HIV infection",)),
}
"""Every condition a calculator asks about, by key."""
