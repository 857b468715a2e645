"""Question templates of the ehr-demo suite: question text, gold SQL, slots, answer kind.

Each template is an EHR framework :class:`~arollout.tasks.ehr.templates.Template`
(an EHRSQL-style pattern with gold SQL and a slot sampler) over the demo's
seven tables. Templates carry an ``ambiguous`` SQL check: instances whose
answer depends on an unstated tie-break (two drugs started at the same minute,
tied prescription counts, a threshold equal to a measured value) are dropped
rather than graded against an arbitrary choice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.demo.generator import CURRENT_TIME
from arollout.tasks.demo.vocab import LABS
from arollout.tasks.ehr.templates import (
    FORMAT_HINTS as FORMAT_HINTS,
    Slots as Slots,
    Template as Template,
    run_gold as run_gold,
    sql_params as sql_params,
    with_aggregate as _with_aggregate,
)

if TYPE_CHECKING:
    import random

__all__ = (
    "FORMAT_HINTS",
    "Slots",
    "TEMPLATES",
    "Template",
    "run_gold",
    "sql_params",
)

_LAB_BY_LABEL: Final = {lab.label: lab for lab in LABS}


def _with_threshold(slots: Slots, rng: random.Random) -> Slots | None:
    """Pick a threshold just above or just below the stay's maximum, 50/50."""
    slots = dict(slots)
    lab = _LAB_BY_LABEL[slots.pop("lab_label_key")]
    top = slots.pop("max_value")
    step = 10.0**-lab.decimals
    delta = max(step, round(rng.uniform(0.05, 0.6) * lab.sd, lab.decimals))
    value = top - delta if rng.random() < 0.5 else top + delta
    threshold: float | int = round(value, lab.decimals) if lab.decimals else int(round(value))
    if threshold <= 0:
        return None
    return {**slots, "threshold": threshold, "unit": lab.unit}


_LAB_JOIN = "FROM labevents l JOIN d_labitems d ON d.itemid = l.itemid"

TEMPLATES: Final[tuple[Template, ...]] = (
    Template(
        name="admission_count_type_year",
        category="admission_count",
        question="How many hospital admissions of type {admission_type} began in the year {year}?",
        sql="""
SELECT COUNT(*) FROM admissions
WHERE admission_type = :admission_type AND strftime('%Y', admittime) = :year""",
        kind="integer",
        candidates="SELECT DISTINCT admission_type, strftime('%Y', admittime) AS year FROM admissions ORDER BY 1, 2",
    ),
    Template(
        name="admission_count_type_insurance_year",
        category="admission_count",
        question=(
            "How many hospital admissions of type {admission_type} for patients with {insurance} "
            "insurance began in the year {year}?"
        ),
        sql="""
SELECT COUNT(*) FROM admissions
WHERE admission_type = :admission_type AND insurance = :insurance
  AND strftime('%Y', admittime) = :year""",
        kind="integer",
        candidates="""
SELECT DISTINCT admission_type, insurance, strftime('%Y', admittime) AS year FROM admissions
ORDER BY 1, 2, 3""",
    ),
    Template(
        name="admission_count_insurance_year",
        category="admission_count",
        question="How many hospital admissions of patients with {insurance} insurance began in the year {year}?",
        sql="""
SELECT COUNT(*) FROM admissions
WHERE insurance = :insurance AND strftime('%Y', admittime) = :year""",
        kind="integer",
        candidates="SELECT DISTINCT insurance, strftime('%Y', admittime) AS year FROM admissions ORDER BY 1, 2",
    ),
    Template(
        name="lab_aggregate_admission",
        category="lab_aggregate",
        question=(
            "What was the {agg_word} {lab_label} value of patient {subject_id} "
            "during hospital admission {hadm_id}?"
        ),
        sql=f"""
SELECT {{agg}}(l.valuenum) {_LAB_JOIN}
WHERE l.subject_id = :subject_id AND l.hadm_id = :hadm_id AND d.label = :lab_label""",
        kind="number",
        candidates=f"""
SELECT DISTINCT l.subject_id, l.hadm_id, d.label AS lab_label {_LAB_JOIN}
WHERE l.valuenum IS NOT NULL ORDER BY 1, 2, 3""",
        refine=_with_aggregate,
        rel_tol=1e-4,
        abs_tol=0.006,
    ),
    Template(
        name="first_drug_admission",
        category="first_drug",
        question="What was the first drug prescribed to patient {subject_id} during hospital admission {hadm_id}?",
        sql="""
SELECT drug FROM prescriptions
WHERE subject_id = :subject_id AND hadm_id = :hadm_id
ORDER BY startdate LIMIT 1""",
        kind="text",
        candidates="SELECT DISTINCT subject_id, hadm_id FROM prescriptions ORDER BY 1, 2",
        ambiguous="""
SELECT COUNT(DISTINCT drug) > 1 FROM prescriptions
WHERE hadm_id = :hadm_id
  AND startdate = (SELECT MIN(startdate) FROM prescriptions WHERE hadm_id = :hadm_id)""",
    ),
    Template(
        name="diagnosis_patient_count",
        category="diagnosis_patients",
        question="How many distinct patients have been diagnosed with '{short_title}'?",
        sql="""
SELECT COUNT(DISTINCT di.subject_id)
FROM diagnoses_icd di JOIN d_icd_diagnoses dd ON dd.icd_code = di.icd_code
WHERE dd.short_title = :short_title""",
        kind="integer",
        candidates="SELECT short_title FROM d_icd_diagnoses ORDER BY 1",
    ),
    Template(
        name="diagnosis_patient_count_year",
        category="diagnosis_patients",
        question="How many distinct patients were diagnosed with '{short_title}' in the year {year}?",
        sql="""
SELECT COUNT(DISTINCT di.subject_id)
FROM diagnoses_icd di JOIN d_icd_diagnoses dd ON dd.icd_code = di.icd_code
WHERE dd.short_title = :short_title AND strftime('%Y', di.charttime) = :year""",
        kind="integer",
        candidates="""
SELECT DISTINCT dd.short_title, strftime('%Y', di.charttime) AS year
FROM diagnoses_icd di JOIN d_icd_diagnoses dd ON dd.icd_code = di.icd_code ORDER BY 1, 2""",
    ),
    Template(
        name="lab_above_threshold",
        category="lab_threshold",
        question=(
            "Did patient {subject_id} have any {lab_label} value greater than {threshold} {unit} "
            "during hospital admission {hadm_id}?"
        ),
        sql=f"""
SELECT EXISTS (
  SELECT 1 {_LAB_JOIN}
  WHERE l.subject_id = :subject_id AND l.hadm_id = :hadm_id AND d.label = :lab_label
    AND l.valuenum > :threshold)""",
        kind="bool",
        candidates=f"""
SELECT l.subject_id, l.hadm_id, d.label AS lab_label, d.label AS lab_label_key, MAX(l.valuenum) AS max_value
{_LAB_JOIN} WHERE l.valuenum IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
        refine=_with_threshold,
        ambiguous=f"""
SELECT EXISTS (
  SELECT 1 {_LAB_JOIN}
  WHERE l.hadm_id = :hadm_id AND d.label = :lab_label AND l.valuenum = :threshold)""",
    ),
    Template(
        name="diagnoses_of_admission",
        category="diagnoses_set",
        question=(
            "Which diagnoses (short titles) were recorded for patient {subject_id} "
            "during hospital admission {hadm_id}?"
        ),
        sql="""
SELECT DISTINCT dd.short_title
FROM diagnoses_icd di JOIN d_icd_diagnoses dd ON dd.icd_code = di.icd_code
WHERE di.subject_id = :subject_id AND di.hadm_id = :hadm_id ORDER BY 1""",
        kind="set",
        candidates="SELECT DISTINCT subject_id, hadm_id FROM diagnoses_icd ORDER BY 1, 2",
    ),
    Template(
        name="days_since_first_admission",
        category="days_since_admission",
        question=(
            "The current time is {current_time}. How many full days have passed since the "
            "admission time of the first hospital admission of patient {subject_id}?"
        ),
        sql="""
SELECT CAST(julianday(:current_time) - julianday(MIN(admittime)) AS INTEGER)
FROM admissions WHERE subject_id = :subject_id""",
        kind="integer",
        candidates=f"SELECT DISTINCT subject_id, '{CURRENT_TIME}' AS current_time FROM admissions ORDER BY 1",
    ),
    Template(
        name="top3_drugs_patient",
        category="top_drugs",
        question=(
            "Which three drugs were prescribed most often to patient {subject_id} across all of their "
            "hospital admissions (counting prescription rows)?"
        ),
        sql="""
SELECT drug FROM prescriptions WHERE subject_id = :subject_id
GROUP BY drug ORDER BY COUNT(*) DESC, drug LIMIT 3""",
        kind="set",
        candidates="SELECT DISTINCT subject_id FROM prescriptions ORDER BY 1",
        ambiguous="""
WITH c AS (
  SELECT COUNT(*) AS n FROM prescriptions WHERE subject_id = :subject_id
  GROUP BY drug ORDER BY n DESC LIMIT 4)
SELECT COUNT(*) < 3 OR (COUNT(*) = 4 AND (SELECT n FROM c LIMIT 1 OFFSET 2) = MIN(n)) FROM c""",
    ),
    Template(
        name="first3_drugs_admission",
        category="drug_sequence",
        question=(
            "List the first three prescriptions (drug names) of patient {subject_id} during hospital "
            "admission {hadm_id}, in order of their start date."
        ),
        sql="""
SELECT drug FROM prescriptions
WHERE subject_id = :subject_id AND hadm_id = :hadm_id
ORDER BY startdate LIMIT 3""",
        kind="list",
        candidates="SELECT DISTINCT subject_id, hadm_id FROM prescriptions ORDER BY 1, 2",
        ambiguous="""
WITH f AS (
  SELECT startdate FROM prescriptions WHERE hadm_id = :hadm_id ORDER BY startdate LIMIT 4)
SELECT COUNT(*) < 3 OR COUNT(DISTINCT startdate) < COUNT(*) FROM f""",
    ),
    Template(
        name="last_lab_time_patient",
        category="last_lab_time",
        question="When was the last {lab_label} measurement of patient {subject_id} taken, across all admissions?",
        sql=f"""
SELECT MAX(l.charttime) {_LAB_JOIN}
WHERE l.subject_id = :subject_id AND d.label = :lab_label""",
        kind="date",
        candidates=f"SELECT DISTINCT l.subject_id, d.label AS lab_label {_LAB_JOIN} ORDER BY 1, 2",
    ),
)
