"""MIMIC-III templates about orders and fluids: prescriptions, ICU intake and output.

Drug questions read ``prescriptions.drug`` (lower-cased names, EHRSQL style);
intake and output resolve their item labels through ``d_items`` with
``linksto`` (``inputevents_cv`` holds both ICU systems' intake in ml here,
see :mod:`arollout.tasks.mimic.schema`). Joins across tables (a drug given in
an admission with a given diagnosis) and fluid balances (intake minus
output) are the multi-table questions of this family.
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.ehr.templates import Template
from arollout.tasks.mimic.slots import INPUT, NUMBER, OUTPUT, ranks, top_k, top_k_tie

__all__ = ("ORDER_TEMPLATES",)

_RX = "FROM prescriptions WHERE subject_id = :subject_id AND hadm_id = :hadm_id"
_RX_PAIRS = "SELECT DISTINCT subject_id, hadm_id FROM prescriptions ORDER BY 1, 2"
_RX_DRUGS = "SELECT DISTINCT subject_id, hadm_id, drug FROM prescriptions ORDER BY 1, 2, 3"
_TOP_DRUGS = "SELECT drug AS title, COUNT(*) AS n FROM prescriptions WHERE subject_id = :subject_id GROUP BY 1"
_TOP_INPUTS = (
    "SELECT d.label AS title, COUNT(*) AS n FROM inputevents_cv i JOIN d_items d ON d.itemid = i.itemid "
    "WHERE i.charttime >= :month || '-01' AND i.charttime < date(:month || '-01', '+1 month') GROUP BY 1"
)
_IN = f"FROM inputevents_cv WHERE subject_id = :subject_id AND icustay_id = :icustay_id AND itemid IN ({INPUT})"
_OUT = f"FROM outputevents WHERE subject_id = :subject_id AND icustay_id = :icustay_id AND itemid IN ({OUTPUT})"

ORDER_TEMPLATES: Final[tuple[Template, ...]] = (
    Template(
        name="first_drug_admission",
        category="first_drug",
        question="What was the first drug prescribed to patient {subject_id} during hospital admission {hadm_id}?",
        sql=f"SELECT drug {_RX} ORDER BY startdate LIMIT 1",
        kind="text",
        candidates=_RX_PAIRS,
        ambiguous=(
            f"SELECT COUNT(DISTINCT drug) > 1 {_RX} AND startdate = (SELECT MIN(startdate) {_RX})"
        ),
    ),
    Template(
        name="drug_prescribed_admission",
        category="drug_existence",
        question="Was patient {subject_id} prescribed '{drug}' during hospital admission {hadm_id}?",
        sql=f"SELECT EXISTS (SELECT 1 {_RX} AND drug = :drug)",
        kind="bool",
        candidates=(
            "SELECT a.subject_id, a.hadm_id, d.drug FROM (SELECT DISTINCT subject_id, hadm_id FROM prescriptions) a, "
            "(SELECT drug FROM prescriptions GROUP BY 1 ORDER BY COUNT(*) DESC, drug LIMIT 12) d ORDER BY 1, 2, 3"
        ),
    ),
    Template(
        name="first_dose_admission",
        category="drug_dose",
        question=(
            "What was the dose (numeric value, in the prescription's dose unit) of the first '{drug}' "
            "prescription of patient {subject_id} during hospital admission {hadm_id}?"
        ),
        sql=f"SELECT CAST(dose_val_rx AS REAL) {_RX} AND drug = :drug ORDER BY startdate LIMIT 1",
        kind="number",
        candidates=_RX_DRUGS,
        ambiguous=(
            f"SELECT COUNT(DISTINCT dose_val_rx) > 1 OR MAX(dose_val_rx GLOB '*[^0-9.]*') {_RX} AND drug = :drug "
            f"AND startdate = (SELECT MIN(startdate) {_RX} AND drug = :drug)"
        ),
        **NUMBER,
    ),
    Template(
        name="drug_route_admission",
        category="drug_route",
        question="By what route was '{drug}' given to patient {subject_id} during hospital admission {hadm_id}?",
        sql=f"SELECT DISTINCT route {_RX} AND drug = :drug AND route IS NOT NULL",
        kind="text",
        candidates=_RX_DRUGS,
    ),
    Template(
        name="distinct_drugs_admission",
        category="drug_count",
        question="How many different drugs were prescribed to patient {subject_id} during hospital admission {hadm_id}?",
        sql=f"SELECT COUNT(DISTINCT drug) {_RX}",
        kind="integer",
        candidates=_RX_PAIRS,
    ),
    Template(
        name="top3_drugs_patient",
        category="top_drugs",
        question=(
            "Which three drugs were prescribed most often to patient {subject_id} across all of their "
            "hospital admissions (counting prescription rows)?"
        ),
        sql=top_k(_TOP_DRUGS, 3),
        kind="set",
        candidates="SELECT DISTINCT subject_id FROM prescriptions ORDER BY 1",
        ambiguous=top_k_tie(_TOP_DRUGS, 3),
    ),
    Template(
        name="first3_drugs_admission",
        category="drug_sequence",
        question=(
            "List the first three prescriptions (drug names) of patient {subject_id} during hospital "
            "admission {hadm_id}, in order of their start time."
        ),
        sql=f"SELECT drug {_RX} ORDER BY startdate LIMIT 3",
        kind="list",
        candidates=_RX_PAIRS,
        ambiguous=(
            f"WITH f AS (SELECT startdate {_RX} ORDER BY startdate LIMIT 4) "
            "SELECT COUNT(*) < 3 OR COUNT(DISTINCT startdate) < COUNT(*) FROM f"
        ),
    ),
    Template(
        name="drug_patients_year",
        category="drug_patients",
        question="How many distinct patients were prescribed '{drug}' in the year {year}?",
        sql=(
            "SELECT COUNT(DISTINCT subject_id) FROM prescriptions WHERE drug = :drug "
            "AND strftime('%Y', startdate) = :year"
        ),
        kind="integer",
        candidates="SELECT DISTINCT drug, strftime('%Y', startdate) AS year FROM prescriptions ORDER BY 1, 2",
    ),
    Template(
        name="drug_with_diagnosis_patients",
        category="drug_diagnosis_patients",
        question=(
            "How many distinct patients were prescribed '{drug}' during a hospital admission in which "
            "they were diagnosed with '{title}'?"
        ),
        sql=(
            "SELECT COUNT(DISTINCT p.subject_id) FROM prescriptions p JOIN diagnoses_icd d ON d.hadm_id = p.hadm_id "
            "WHERE p.drug = :drug AND d.icd9_code IN (SELECT icd9_code FROM d_icd_diagnoses WHERE short_title = :title)"
        ),
        kind="integer",
        candidates=(
            "SELECT t.short_title AS title, r.drug FROM (SELECT icd9_code FROM diagnoses_icd GROUP BY 1 "
            "ORDER BY COUNT(*) DESC LIMIT 15) x JOIN d_icd_diagnoses t ON t.icd9_code = x.icd9_code, "
            "(SELECT drug FROM prescriptions GROUP BY 1 ORDER BY COUNT(*) DESC, drug LIMIT 15) r ORDER BY 1, 2"
        ),
        ambiguous="SELECT COUNT(*) > 1 FROM d_icd_diagnoses WHERE short_title = :title",
    ),
    Template(
        name="last_drug_start",
        category="drug_time",
        question="When did the most recent prescription of '{drug}' for patient {subject_id} start?",
        sql="SELECT MAX(startdate) FROM prescriptions WHERE subject_id = :subject_id AND drug = :drug",
        kind="date",
        candidates="SELECT DISTINCT subject_id, drug FROM prescriptions ORDER BY 1, 2",
    ),
    # -- ICU intake and output -----------------------------------------------------------
    Template(
        name="input_total_icustay",
        category="input_total",
        question=(
            "What was the total amount (ml) of '{item}' given to patient {subject_id} during ICU stay {icustay_id}?"
        ),
        sql=f"SELECT SUM(amount) {_IN}",
        kind="number",
        candidates=(
            "SELECT DISTINCT i.subject_id, i.icustay_id, d.label AS item FROM inputevents_cv i "
            "JOIN d_items d ON d.itemid = i.itemid WHERE d.linksto = 'inputevents_cv' ORDER BY 1, 2, 3"
        ),
        **NUMBER,
    ),
    Template(
        name="first_input_icustay",
        category="input_first",
        question="What was the first intake item (label) recorded for patient {subject_id} during ICU stay {icustay_id}?",
        sql=(
            "SELECT d.label FROM inputevents_cv i JOIN d_items d ON d.itemid = i.itemid "
            "WHERE i.subject_id = :subject_id AND i.icustay_id = :icustay_id ORDER BY i.charttime LIMIT 1"
        ),
        kind="text",
        candidates="SELECT DISTINCT subject_id, icustay_id FROM inputevents_cv ORDER BY 1, 2",
        ambiguous=(
            "SELECT COUNT(DISTINCT d.label) > 1 FROM inputevents_cv i JOIN d_items d ON d.itemid = i.itemid "
            "WHERE i.icustay_id = :icustay_id AND i.charttime = "
            "(SELECT MIN(charttime) FROM inputevents_cv WHERE icustay_id = :icustay_id)"
        ),
    ),
    Template(
        name="output_total_icustay",
        category="output_total",
        question=(
            "What was the total output (ml) of '{item}' recorded for patient {subject_id} during ICU stay "
            "{icustay_id}?"
        ),
        sql=f"SELECT SUM(value) {_OUT}",
        kind="number",
        candidates=(
            "SELECT DISTINCT o.subject_id, o.icustay_id, d.label AS item FROM outputevents o "
            "JOIN d_items d ON d.itemid = o.itemid WHERE d.linksto = 'outputevents' ORDER BY 1, 2, 3"
        ),
        **NUMBER,
    ),
    Template(
        name="last_output_time",
        category="output_time",
        question="When was output of '{item}' last recorded for patient {subject_id} during ICU stay {icustay_id}?",
        sql=f"SELECT MAX(charttime) {_OUT}",
        kind="date",
        candidates=(
            "SELECT DISTINCT o.subject_id, o.icustay_id, d.label AS item FROM outputevents o "
            "JOIN d_items d ON d.itemid = o.itemid WHERE d.linksto = 'outputevents' ORDER BY 1, 2, 3"
        ),
    ),
    Template(
        name="topk_inputs_month",
        category="top_inputs",
        question="What were the {k_word} most frequently charted intake items (labels) in the month {month} (YYYY-MM)?",
        sql=top_k(_TOP_INPUTS),
        kind="set",
        candidates="SELECT DISTINCT strftime('%Y-%m', charttime) AS month FROM inputevents_cv ORDER BY 1",
        refine=ranks,
        ambiguous=top_k_tie(_TOP_INPUTS),
    ),
    Template(
        name="fluid_balance_icustay",
        category="fluid_balance",
        question=(
            "What was the fluid balance (total intake in inputevents_cv minus total output in outputevents, "
            "in ml) of patient {subject_id} during ICU stay {icustay_id}?"
        ),
        sql=(
            "SELECT (SELECT COALESCE(SUM(amount), 0) FROM inputevents_cv WHERE subject_id = :subject_id "
            "AND icustay_id = :icustay_id) - (SELECT COALESCE(SUM(value), 0) FROM outputevents "
            "WHERE subject_id = :subject_id AND icustay_id = :icustay_id)"
        ),
        kind="number",
        candidates=(
            "SELECT DISTINCT subject_id, icustay_id FROM inputevents_cv "
            "WHERE icustay_id IN (SELECT icustay_id FROM outputevents) ORDER BY 1, 2"
        ),
        signed=True,
        **NUMBER,
    ),
)
