"""Specs of the organ-failure and liver scores and the Charlson index."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.medcalc.formulas import metabolic, organ
from arollout.tasks.medcalc.spec import Spec, jittered, pick, pick_int

if TYPE_CHECKING:
    from arollout.tasks.medcalc.spec import Draw

__all__ = ("ORGAN_SPECS",)

_PRESSORS: Final = (
    ("dopamine", 2.0, 20.0, (5.0, 15.0)),
    ("dobutamine", 2.0, 10.0, ()),
    ("norepinephrine", 0.02, 0.5, (0.1,)),
    ("epinephrine", 0.02, 0.3, (0.1,)),
)
_CHARLSON_FLAGS: Final = (
    ("mi", "myocardial_infarction"),
    ("chf", "heart_failure"),
    ("pvd", "peripheral_vascular_disease"),
    ("cva_tia", "cerebrovascular_disease"),
    ("dementia", "dementia"),
    ("copd", "chronic_pulmonary_disease"),
    ("ctd", "connective_tissue_disease"),
    ("pud", "peptic_ulcer_disease"),
)
_CHARLSON_LATE: Final = (("hemiplegia", "hemiplegia"), ("ckd", "renal_disease"))
_CHARLSON_BLOOD: Final = (("leukemia", "leukemia"), ("lymphoma", "lymphoma"), ("aids", "aids"))


def _draw_sofa(d: Draw) -> None:
    d.patient(pick_int(d.rng, 18, 92))
    rng = d.rng
    d.flag("ventilated", 0.5, omit=0.0)
    d.measure("pao2", pick(rng, 45, 160, snaps=(60.0, 80.0, 90.0)), arg="pao2_mmhg")
    fio2 = (
        rng.choice((0.21, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0))
        if d.args["ventilated"]
        else rng.choice((0.21, 0.28, 0.32, 0.36, 0.4))
    )
    said = rng.choice((f"{fio2:g}", f"{round(fio2 * 100)}%"))
    d.set("fio2", fio2, said)
    d.item("labs", ("FiO2",), said)
    d.measure("platelets", pick(rng, 8, 320, snaps=(150.0, 100.0, 50.0, 20.0)))
    d.measure("bilirubin", pick(rng, 0.3, 16.0, snaps=(1.2, 2.0, 6.0, 12.0)), arg="bilirubin_mg_dl")
    dbp = pick_int(rng, 30, 85)
    d.blood_pressure(max(dbp + 20, pick_int(rng, 65, 150)), dbp)
    doses = {name: 0.0 for name, *_ in _PRESSORS}
    if rng.random() < 0.5:
        name, lo, hi, snaps = rng.choice(_PRESSORS)
        dose = round(pick(rng, lo, hi, snaps=snaps, p=0.3), 2)
        doses[name] = dose
        d.fact("exam", f"{{He}} is receiving {name} at {dose:g} mcg/kg/min.")
    elif rng.random() < 0.5:
        d.fact("exam", "{He} is not receiving any vasopressors.")
    for name, dose in doses.items():
        d.set(name, dose)
    gcs = pick_int(rng, 3, 15, snaps=(15, 13, 10, 6), p=0.3)
    d.set("gcs", min(gcs, 15))
    d.fact("exam", f"The Glasgow Coma Scale score is {min(gcs, 15)}.")
    d.measure("creatinine", pick(rng, 0.5, 6.5, snaps=(1.2, 2.0, 3.5, 5.0)), arg="creatinine_mg_dl")
    if rng.random() < 0.6:
        output = pick_int(rng, 80, 2600, snaps=(200, 500), p=0.3)
        d.set("urine_output_ml_day", output, f"{output} mL")
        d.fact("exam", f"Urine output over the last 24 hours was {output} mL.")
    else:
        d.set("urine_output_ml_day", None)


def _draw_child_pugh(d: Draw) -> None:
    d.patient(pick_int(d.rng, 30, 85))
    rng = d.rng
    d.measure("bilirubin", pick(rng, 0.4, 8.0, snaps=(2.0, 3.0), p=0.25), arg="bilirubin_mg_dl")
    d.measure("albumin", pick(rng, 1.8, 4.8, snaps=(2.8, 3.5), p=0.25), arg="albumin_g_dl")
    d.measure("inr", pick(rng, 0.9, 3.6, snaps=(1.7, 2.3), p=0.25))
    d.grade("ascites", rng.choice(("absent", "slight", "moderate")))
    d.grade("encephalopathy", rng.choice(("none", "grade_1_2", "grade_3_4")))


def _draw_meld(d: Draw) -> None:
    d.patient(pick_int(d.rng, 25, 80))
    rng = d.rng
    d.measure(
        "creatinine",
        rng.choice((rng.uniform(0.5, 1.6), rng.uniform(0.8, 6.0))),
        arg="creatinine_mg_dl",
    )
    d.measure(
        "bilirubin",
        rng.choice((rng.uniform(0.5, 4.0), rng.uniform(1.0, 35.0))),
        arg="bilirubin_mg_dl",
    )
    d.measure("inr", rng.uniform(0.9, 4.2))
    d.measure("sodium", pick_int(rng, 118, 145, snaps=(125, 137), p=0.2))
    d.flag("dialysis", 0.15)


def _draw_fib4(d: Draw) -> None:
    d.patient(pick_int(d.rng, 25, 85))
    rng = d.rng
    d.measure("ast", rng.choice((rng.uniform(12, 60), rng.uniform(12, 320))))
    d.measure("alt", rng.choice((rng.uniform(10, 60), rng.uniform(10, 320))))
    d.measure("platelets", rng.uniform(35, 420))


def _draw_charlson(d: Draw) -> None:
    d.patient(pick_int(d.rng, 30, 95, snaps=(50, 60, 70, 80), p=0.35))
    rng = d.rng
    for key, arg in _CHARLSON_FLAGS:
        d.flag(key, 0.2, arg=arg)
    d.grade(
        "liver",
        rng.choice(("none", "none", "mild", "moderate_severe")),
        arg="liver_disease",
        section="history",
    )
    d.grade(
        "diabetes_grade",
        rng.choice(("none", "none", "uncomplicated", "end_organ")),
        arg="diabetes",
        section="history",
    )
    for key, arg in _CHARLSON_LATE:
        d.flag(key, 0.15, arg=arg)
    d.grade(
        "tumor",
        rng.choice(("none", "none", "localized", "metastatic")),
        arg="solid_tumor",
        section="history",
    )
    for key, arg in _CHARLSON_BLOOD:
        d.flag(key, 0.08, arg=arg)


ORGAN_SPECS: Final[tuple[Spec, ...]] = (
    Spec(
        key="sofa",
        title="SOFA score",
        func=organ.sofa,
        kind="points",
        draw=_draw_sofa,
        ask="What is the patient's Sequential Organ Failure Assessment (SOFA) score?",
        criteria=(
            "Respiration, PaO2/FiO2 (mmHg): >= 400 (0), < 400 (1), < 300 (2), < 200 with "
            "mechanical ventilation (3), < 100 with mechanical ventilation (4); without ventilation at most 2",
            "Coagulation, platelets (x10^3/µL): >= 150 (0), < 150 (1), < 100 (2), < 50 (3), < 20 (4)",
            "Liver, bilirubin (mg/dL): < 1.2 (0), 1.2 to < 2.0 (1), 2.0 to < 6.0 (2), 6.0 to < 12.0 (3), >= 12 (4)",
            "Cardiovascular: MAP >= 70 mmHg (0), MAP < 70 (1), dopamine <= 5 or any dobutamine (2), "
            "dopamine > 5 or norepinephrine/epinephrine <= 0.1 (3), dopamine > 15 or "
            "norepinephrine/epinephrine > 0.1 mcg/kg/min (4); MAP = (SBP + 2 x DBP) / 3",
            "CNS, Glasgow Coma Scale: 15 (0), 13-14 (1), 10-12 (2), 6-9 (3), < 6 (4)",
            "Renal, creatinine (mg/dL): < 1.2 (0), 1.2 to < 2.0 (1), 2.0 to < 3.5 (2), 3.5 to < 5.0 (3), "
            ">= 5.0 (4); or urine output < 500 mL/day (3), < 200 mL/day (4), whichever is worse",
        ),
        variants=jittered(organ.sofa, ("pao2_mmhg", "sbp", "dbp")),
        exclude=frozenset({"oxygen_saturation"}),
        complaints=(
            "was admitted to the ICU with septic shock",
            "was admitted to the ICU with acute respiratory failure",
            "is in the ICU with severe pneumonia",
        ),
    ),
    Spec(
        key="child_pugh",
        title="Child-Pugh score",
        func=organ.child_pugh,
        kind="points",
        draw=_draw_child_pugh,
        ask="What is the patient's Child-Pugh score for cirrhosis?",
        criteria=(
            "Total bilirubin (mg/dL): < 2 (1), 2-3 (2), > 3 (3)",
            "Albumin (g/dL): > 3.5 (1), 2.8-3.5 (2), < 2.8 (3)",
            "INR: < 1.7 (1), 1.7-2.3 (2), > 2.3 (3)",
            "Ascites: absent (1), slight (2), moderate to severe (3)",
            "Hepatic encephalopathy: none (1), grade 1-2 (2), grade 3-4 (3)",
        ),
        complaints=(
            "for cirrhosis follow-up",
            "with increasing abdominal girth",
            "for a hepatology review",
        ),
    ),
    Spec(
        key="meld_na",
        title="MELD-Na score",
        func=organ.meld_na,
        kind="integer",
        draw=_draw_meld,
        ask="What is the patient's MELD-Na score (UNOS/OPTN 2016)?",
        rules=(
            "Set creatinine, bilirubin and INR below 1.0 to 1.0; cap creatinine at 4.0 mg/dL and use "
            "4.0 if the patient had dialysis twice in the past week or CVVHD in the past 24 hours; "
            "bound sodium to 125-137 mmol/L. MELD(i) = 0.957 ln(Cr) + 0.378 ln(bilirubin) + 1.120 "
            "ln(INR) + 0.643, rounded to the tenth and multiplied by 10; if MELD(i) > 11, MELD-Na "
            "= MELD(i) + 1.32 x (137 - Na) - 0.033 x MELD(i) x (137 - Na). Round to the nearest "
            "integer; the maximum is 40."
        ),
        variants=jittered(organ.meld_na, ("creatinine_mg_dl", "bilirubin_mg_dl", "inr"), 1e-3),
        complaints=("with decompensated cirrhosis", "for a transplant evaluation", "with jaundice"),
    ),
    Spec(
        key="fib4",
        title="Fibrosis-4 (FIB-4) index",
        func=metabolic.fib4,
        kind="number",
        draw=_draw_fib4,
        ask="What is the patient's FIB-4 index, age x AST / (platelets x sqrt(ALT)), platelets in 10^9/L?",
        complaints=(
            "for elevated liver enzymes",
            "for chronic hepatitis C follow-up",
            "for follow-up of fatty liver disease",
        ),
    ),
    Spec(
        key="charlson_index",
        title="Charlson Comorbidity Index",
        func=organ.charlson_index,
        kind="points",
        draw=_draw_charlson,
        ask="What is the patient's Charlson Comorbidity Index?",
        criteria=(
            "Age: < 50 (0), 50-59 (1), 60-69 (2), 70-79 (3), >= 80 (4)",
            "Myocardial infarction (1)",
            "Congestive heart failure (1)",
            "Peripheral vascular disease (1)",
            "Cerebrovascular accident or TIA (1)",
            "Dementia (1)",
            "Chronic pulmonary disease (1)",
            "Connective tissue disease (1)",
            "Peptic ulcer disease (1)",
            "Liver disease: mild (1), moderate to severe, i.e. cirrhosis with portal hypertension (3)",
            "Diabetes mellitus: none or diet-controlled (0), uncomplicated (1), with end-organ damage (2)",
            "Hemiplegia (2)",
            "Moderate to severe chronic kidney disease (2)",
            "Solid tumor: localized (2), metastatic (6)",
            "Leukemia (2)",
            "Lymphoma (2)",
            "AIDS (6)",
        ),
        exclude=frozenset(
            {
                "creatinine",
                "bilirubin",
                "ast",
                "alt",
                "alkaline_phosphatase",
                "inr",
                "glucose",
                "hba1c",
                "albumin",
            }
        ),
        complaints=(
            "for a pre-admission assessment",
            "for a geriatric assessment",
            "for a medication review",
        ),
    ),
)
"""The specs of this module, in category order."""
