"""MIMIC-III templates about patients, hospital admissions, ICU stays, transfers and cost.

EHRSQL-style question families (``glee4810/EHRSQL``, the ``q_tag`` templates
of ``dataset/ehrsql/mimic_iii``) rewritten for this schema: demographic
lookups, counts over a year, durations, "since the current admission"
(relative to the fixed now), existence and ICU movement questions. Every
question names the patient or admission it is about, and the answer is the
gold SQL's result on the agent's own database.
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.ehr.templates import Template
from arollout.tasks.mimic.slots import NOW, NUMBER

__all__ = ("STAY_TEMPLATES",)

_YEARS = "strftime('%Y', admittime)"

STAY_TEMPLATES: Final[tuple[Template, ...]] = (
    Template(
        name="patient_dob",
        category="patient_dob",
        question="What is the date of birth of patient {subject_id}?",
        sql="SELECT dob FROM patients WHERE subject_id = :subject_id",
        kind="date",
        candidates="SELECT subject_id FROM patients ORDER BY 1",
    ),
    Template(
        name="patient_dod",
        category="patient_dod",
        question="On what date did patient {subject_id} die?",
        sql="SELECT dod FROM patients WHERE subject_id = :subject_id",
        kind="date",
        candidates="SELECT subject_id FROM patients WHERE dod IS NOT NULL ORDER BY 1",
    ),
    Template(
        name="age_first_admission",
        category="patient_age",
        question="What was the age of patient {subject_id} at their first hospital admission?",
        sql="SELECT age FROM admissions WHERE subject_id = :subject_id ORDER BY admittime LIMIT 1",
        kind="integer",
        candidates="SELECT DISTINCT subject_id FROM admissions ORDER BY 1",
    ),
    Template(
        name="age_current_admission",
        category="patient_age",
        question="What is the age of patient {subject_id} during their current hospital admission?",
        sql="SELECT age FROM admissions WHERE subject_id = :subject_id AND dischtime IS NULL",
        kind="integer",
        candidates="SELECT DISTINCT subject_id FROM admissions WHERE dischtime IS NULL ORDER BY 1",
    ),
    Template(
        name="admissions_type_year",
        category="admission_count",
        question="How many hospital admissions of type '{admission_type}' began in the year {year}?",
        sql=f"SELECT COUNT(*) FROM admissions WHERE admission_type = :admission_type AND {_YEARS} = :year",
        kind="integer",
        candidates=f"SELECT DISTINCT admission_type, {_YEARS} AS year FROM admissions ORDER BY 1, 2",
    ),
    Template(
        name="admissions_insurance_year",
        category="admission_count",
        question="How many hospital admissions with '{insurance}' insurance began in the year {year}?",
        sql=f"SELECT COUNT(*) FROM admissions WHERE insurance = :insurance AND {_YEARS} = :year",
        kind="integer",
        candidates=f"SELECT DISTINCT insurance, {_YEARS} AS year FROM admissions ORDER BY 1, 2",
    ),
    Template(
        name="patients_age_band_year",
        category="patient_count_age",
        question=(
            "How many distinct patients aged {lo} to {hi} (age at admission) were admitted to the "
            "hospital in the year {year}?"
        ),
        sql=f"SELECT COUNT(DISTINCT subject_id) FROM admissions WHERE age BETWEEN :lo AND :hi AND {_YEARS} = :year",
        kind="integer",
        candidates=(
            f"SELECT DISTINCT {_YEARS} AS year, (age / 10) * 10 AS lo FROM admissions "
            "WHERE age BETWEEN 20 AND 89 ORDER BY 1, 2"
        ),
        refine=lambda s, _rng: {**s, "hi": s["lo"] + 9},
    ),
    Template(
        name="admission_type_first",
        category="admission_type",
        question="What was the admission type of the first hospital admission of patient {subject_id}?",
        sql="SELECT admission_type FROM admissions WHERE subject_id = :subject_id ORDER BY admittime LIMIT 1",
        kind="text",
        candidates="SELECT DISTINCT subject_id FROM admissions ORDER BY 1",
    ),
    Template(
        name="admission_location_of",
        category="admission_location",
        question="Where was patient {subject_id} admitted from (the admission location) for hospital admission {hadm_id}?",
        sql="SELECT admission_location FROM admissions WHERE subject_id = :subject_id AND hadm_id = :hadm_id",
        kind="text",
        candidates="SELECT subject_id, hadm_id FROM admissions WHERE admission_location IS NOT NULL ORDER BY 1, 2",
    ),
    Template(
        name="discharge_location_last",
        category="discharge_location",
        question=(
            "What was the discharge location of the most recent hospital admission of patient "
            "{subject_id} that has ended?"
        ),
        sql=(
            "SELECT discharge_location FROM admissions WHERE subject_id = :subject_id "
            "AND dischtime IS NOT NULL ORDER BY admittime DESC LIMIT 1"
        ),
        kind="text",
        candidates="SELECT DISTINCT subject_id FROM admissions WHERE dischtime IS NOT NULL ORDER BY 1",
    ),
    Template(
        name="insurance_of_admission",
        category="admission_insurance",
        question="What insurance did patient {subject_id} have during hospital admission {hadm_id}?",
        sql="SELECT insurance FROM admissions WHERE subject_id = :subject_id AND hadm_id = :hadm_id",
        kind="text",
        candidates="SELECT subject_id, hadm_id FROM admissions ORDER BY 1, 2",
    ),
    Template(
        name="marital_status_last",
        category="patient_marital_status",
        question="What was the marital status of patient {subject_id} at their last hospital admission?",
        sql=(
            "SELECT marital_status FROM admissions WHERE subject_id = :subject_id "
            "ORDER BY admittime DESC LIMIT 1"
        ),
        kind="text",
        candidates="SELECT DISTINCT subject_id FROM admissions WHERE marital_status IS NOT NULL ORDER BY 1",
    ),
    Template(
        name="ethnicity_first",
        category="patient_ethnicity",
        question="What ethnicity was recorded for patient {subject_id} at their first hospital admission?",
        sql="SELECT ethnicity FROM admissions WHERE subject_id = :subject_id ORDER BY admittime LIMIT 1",
        kind="text",
        candidates="SELECT DISTINCT subject_id FROM admissions ORDER BY 1",
    ),
    Template(
        name="hospital_stay_hours",
        category="hospital_stay_length",
        question=(
            "How many full hours did hospital admission {hadm_id} of patient {subject_id} last, "
            "from admission to discharge?"
        ),
        sql=(
            "SELECT CAST((julianday(dischtime) - julianday(admittime)) * 24 AS INTEGER) "
            "FROM admissions WHERE subject_id = :subject_id AND hadm_id = :hadm_id"
        ),
        kind="integer",
        candidates="SELECT subject_id, hadm_id FROM admissions WHERE dischtime IS NOT NULL ORDER BY 1, 2",
    ),
    Template(
        name="hours_since_current_admission",
        category="hours_since_admission",
        question=(
            "How many full hours have passed since patient {subject_id} was admitted to the hospital "
            "for their current (not yet discharged) admission?"
        ),
        sql=(
            f"SELECT CAST((julianday({NOW}) - julianday(admittime)) * 24 AS INTEGER) "
            "FROM admissions WHERE subject_id = :subject_id AND dischtime IS NULL"
        ),
        kind="integer",
        candidates="SELECT DISTINCT subject_id FROM admissions WHERE dischtime IS NULL ORDER BY 1",
    ),
    Template(
        name="days_since_first_admission",
        category="hours_since_admission",
        question="How many full days have passed since patient {subject_id} was first admitted to the hospital?",
        sql=(
            f"SELECT CAST(julianday({NOW}) - julianday(MIN(admittime)) AS INTEGER) "
            "FROM admissions WHERE subject_id = :subject_id"
        ),
        kind="integer",
        candidates="SELECT DISTINCT subject_id FROM admissions ORDER BY 1",
    ),
    Template(
        name="first_admission_time",
        category="admission_time",
        question="When was patient {subject_id} first admitted to the hospital?",
        sql="SELECT MIN(admittime) FROM admissions WHERE subject_id = :subject_id",
        kind="date",
        candidates="SELECT DISTINCT subject_id FROM admissions ORDER BY 1",
    ),
    Template(
        name="last_discharge_time",
        category="discharge_time",
        question="When was patient {subject_id} most recently discharged from the hospital?",
        sql="SELECT MAX(dischtime) FROM admissions WHERE subject_id = :subject_id",
        kind="date",
        candidates="SELECT DISTINCT subject_id FROM admissions WHERE dischtime IS NOT NULL ORDER BY 1",
    ),
    Template(
        name="discharged_to_year",
        category="discharge_count",
        question="How many hospital admissions that ended in the year {year} were discharged to '{location}'?",
        sql=(
            "SELECT COUNT(*) FROM admissions WHERE discharge_location = :location "
            "AND strftime('%Y', dischtime) = :year"
        ),
        kind="integer",
        candidates=(
            "SELECT DISTINCT discharge_location AS location, strftime('%Y', dischtime) AS year "
            "FROM admissions WHERE dischtime IS NOT NULL AND discharge_location IS NOT NULL ORDER BY 1, 2"
        ),
    ),
    Template(
        name="admitted_in_year",
        category="admission_existence",
        question="Was patient {subject_id} admitted to the hospital at any time in the year {year}?",
        sql=f"SELECT EXISTS (SELECT 1 FROM admissions WHERE subject_id = :subject_id AND {_YEARS} = :year)",
        kind="bool",
        candidates=(
            f"SELECT p.subject_id, y.year FROM patients p, (SELECT DISTINCT {_YEARS} AS year FROM admissions) y "
            "ORDER BY 1, 2"
        ),
    ),
    Template(
        name="readmitted_within",
        category="readmission",
        question=(
            "Was patient {subject_id} admitted to the hospital again within {days} days after being "
            "discharged from hospital admission {hadm_id}?"
        ),
        sql=(
            "SELECT EXISTS (SELECT 1 FROM admissions a JOIN admissions b ON b.subject_id = a.subject_id "
            "WHERE a.hadm_id = :hadm_id AND a.subject_id = :subject_id AND b.admittime > a.dischtime "
            "AND julianday(b.admittime) - julianday(a.dischtime) <= :days)"
        ),
        kind="bool",
        candidates=(
            "SELECT a.subject_id, a.hadm_id, (SELECT MIN(julianday(b.admittime) - julianday(a.dischtime)) "
            "FROM admissions b WHERE b.subject_id = a.subject_id AND b.admittime > a.dischtime) AS gap "
            "FROM admissions a WHERE a.dischtime IS NOT NULL ORDER BY 1, 2"
        ),
        refine=lambda s, rng: {
            "subject_id": s["subject_id"],
            "hadm_id": s["hadm_id"],
            "days": rng.choice((30, 90, 180, 365)),
        },
        ambiguous=(
            "SELECT EXISTS (SELECT 1 FROM admissions a JOIN admissions b ON b.subject_id = a.subject_id "
            "WHERE a.hadm_id = :hadm_id AND b.admittime > a.dischtime "
            "AND abs(julianday(b.admittime) - julianday(a.dischtime) - :days) < 1)"
        ),
    ),
    Template(
        name="days_between_first_two_admissions",
        category="days_between_admissions",
        question=(
            "How many full days passed between the discharge from the first hospital admission of "
            "patient {subject_id} and the start of their second one?"
        ),
        sql=(
            "WITH a AS (SELECT admittime, dischtime FROM admissions WHERE subject_id = :subject_id "
            "ORDER BY admittime LIMIT 2) SELECT CAST(julianday(MAX(admittime)) - "
            "julianday((SELECT dischtime FROM a ORDER BY admittime LIMIT 1)) AS INTEGER) FROM a "
            "HAVING COUNT(*) = 2"
        ),
        kind="integer",
        candidates="SELECT subject_id FROM admissions GROUP BY 1 HAVING COUNT(*) >= 2 ORDER BY 1",
    ),
    # -- ICU stays and transfers ---------------------------------------------------------
    Template(
        name="first_icu_careunit",
        category="icu_careunit",
        question="In which care unit did the first ICU stay of patient {subject_id} begin?",
        sql="SELECT first_careunit FROM icustays WHERE subject_id = :subject_id ORDER BY intime LIMIT 1",
        kind="text",
        candidates="SELECT DISTINCT subject_id FROM icustays ORDER BY 1",
    ),
    Template(
        name="last_icu_careunit_admission",
        category="icu_careunit",
        question=(
            "In which care unit did patient {subject_id} end their last ICU stay during hospital "
            "admission {hadm_id}?"
        ),
        sql=(
            "SELECT last_careunit FROM icustays WHERE subject_id = :subject_id AND hadm_id = :hadm_id "
            "ORDER BY intime DESC LIMIT 1"
        ),
        kind="text",
        candidates="SELECT DISTINCT subject_id, hadm_id FROM icustays ORDER BY 1, 2",
    ),
    Template(
        name="icu_stay_hours",
        category="icu_stay_length",
        question="How many full hours did ICU stay {icustay_id} of patient {subject_id} last?",
        sql=(
            "SELECT CAST((julianday(outtime) - julianday(intime)) * 24 AS INTEGER) FROM icustays "
            "WHERE subject_id = :subject_id AND icustay_id = :icustay_id"
        ),
        kind="integer",
        candidates="SELECT subject_id, icustay_id FROM icustays WHERE outtime IS NOT NULL ORDER BY 1, 2",
    ),
    Template(
        name="first_icu_intime",
        category="icu_admission_time",
        question="When was patient {subject_id} first admitted to an intensive care unit?",
        sql="SELECT MIN(intime) FROM icustays WHERE subject_id = :subject_id",
        kind="date",
        candidates="SELECT DISTINCT subject_id FROM icustays ORDER BY 1",
    ),
    Template(
        name="icu_stays_unit_year",
        category="icu_stay_count",
        question="How many ICU stays began in the care unit '{careunit}' in the year {year}?",
        sql="SELECT COUNT(*) FROM icustays WHERE first_careunit = :careunit AND strftime('%Y', intime) = :year",
        kind="integer",
        candidates=(
            "SELECT DISTINCT first_careunit AS careunit, strftime('%Y', intime) AS year FROM icustays ORDER BY 1, 2"
        ),
    ),
    Template(
        name="icu_during_admission",
        category="icu_existence",
        question="Did patient {subject_id} stay in an intensive care unit during hospital admission {hadm_id}?",
        sql="SELECT EXISTS (SELECT 1 FROM icustays WHERE subject_id = :subject_id AND hadm_id = :hadm_id)",
        kind="bool",
        candidates="SELECT subject_id, hadm_id FROM admissions ORDER BY 1, 2",
    ),
    Template(
        name="wards_of_admission",
        category="transfer_wards",
        question="Which ward ids did patient {subject_id} stay in during hospital admission {hadm_id}?",
        sql=(
            "SELECT DISTINCT wardid FROM transfers WHERE subject_id = :subject_id AND hadm_id = :hadm_id "
            "AND wardid IS NOT NULL ORDER BY 1"
        ),
        kind="set",
        candidates="SELECT DISTINCT subject_id, hadm_id FROM transfers WHERE wardid IS NOT NULL ORDER BY 1, 2",
        hint="Print the answer as a JSON list of integers (any order, no duplicates) on the last line of stdout.",
    ),
    Template(
        name="careunits_in_order",
        category="transfer_careunits",
        question=(
            "List the care units patient {subject_id} was transferred into during hospital admission "
            "{hadm_id}, in the order of the transfers (skip transfers without a care unit)."
        ),
        sql=(
            "SELECT careunit FROM transfers WHERE subject_id = :subject_id AND hadm_id = :hadm_id "
            "AND careunit IS NOT NULL ORDER BY intime"
        ),
        kind="list",
        candidates=(
            "SELECT subject_id, hadm_id FROM transfers WHERE careunit IS NOT NULL "
            "GROUP BY 1, 2 HAVING COUNT(*) >= 1 ORDER BY 1, 2"
        ),
        ambiguous=(
            "SELECT COUNT(*) > COUNT(DISTINCT intime) FROM transfers WHERE hadm_id = :hadm_id "
            "AND careunit IS NOT NULL"
        ),
    ),
    Template(
        name="hours_since_current_icu",
        category="hours_since_icu_admission",
        question=(
            "How many full hours have passed since patient {subject_id} was admitted to their current "
            "ICU stay (one that has not ended yet)?"
        ),
        sql=(
            f"SELECT CAST((julianday({NOW}) - julianday(intime)) * 24 AS INTEGER) FROM icustays "
            "WHERE subject_id = :subject_id AND outtime IS NULL"
        ),
        kind="integer",
        candidates="SELECT subject_id FROM icustays WHERE outtime IS NULL GROUP BY 1 HAVING COUNT(*) = 1 ORDER BY 1",
    ),
    # -- cost ------------------------------------------------------------------------------
    Template(
        name="admission_total_cost",
        category="admission_cost",
        question="What was the total cost of hospital admission {hadm_id} of patient {subject_id}?",
        sql="SELECT SUM(cost) FROM cost WHERE subject_id = :subject_id AND hadm_id = :hadm_id",
        kind="number",
        candidates="SELECT DISTINCT subject_id, hadm_id FROM cost ORDER BY 1, 2",
        **NUMBER,
    ),
    Template(
        name="admission_cost_by_type",
        category="admission_cost",
        question=(
            "What was the total cost of the {label} charges ('{event_type}' in the cost table) of hospital "
            "admission {hadm_id} of patient {subject_id}?"
        ),
        sql=(
            "SELECT SUM(cost) FROM cost WHERE subject_id = :subject_id AND hadm_id = :hadm_id "
            "AND event_type = :event_type"
        ),
        kind="number",
        candidates="SELECT DISTINCT subject_id, hadm_id, event_type FROM cost ORDER BY 1, 2, 3",
        refine=lambda s, _rng: {
            **s,
            "label": {
                "diagnoses_icd": "diagnosis",
                "procedures_icd": "procedure",
                "labevents": "lab test",
                "prescriptions": "prescription",
            }[s["event_type"]],
        },
        **NUMBER,
    ),
    Template(
        name="diagnosis_cost",
        category="event_cost",
        question="What is the cost of a diagnosis of '{title}'?",
        sql=(
            "SELECT DISTINCT c.cost FROM cost c JOIN diagnoses_icd d ON d.row_id = c.event_id "
            "WHERE c.event_type = 'diagnoses_icd' AND d.icd9_code IN "
            "(SELECT icd9_code FROM d_icd_diagnoses WHERE short_title = :title)"
        ),
        kind="number",
        candidates=(
            "SELECT DISTINCT t.short_title AS title FROM diagnoses_icd d JOIN d_icd_diagnoses t "
            "ON t.icd9_code = d.icd9_code ORDER BY 1"
        ),
        ambiguous="SELECT COUNT(*) > 1 FROM d_icd_diagnoses WHERE short_title = :title",
        **NUMBER,
    ),
    Template(
        name="drug_cost",
        category="event_cost",
        question="What is the cost of one prescription of '{drug}'?",
        sql=(
            "SELECT DISTINCT c.cost FROM cost c JOIN prescriptions p ON p.row_id = c.event_id "
            "WHERE c.event_type = 'prescriptions' AND p.drug = :drug"
        ),
        kind="number",
        candidates="SELECT DISTINCT drug FROM prescriptions ORDER BY 1",
        **NUMBER,
    ),
    Template(
        name="procedure_cost",
        category="event_cost",
        question="What is the cost of the procedure '{title}'?",
        sql=(
            "SELECT DISTINCT c.cost FROM cost c JOIN procedures_icd p ON p.row_id = c.event_id "
            "WHERE c.event_type = 'procedures_icd' AND p.icd9_code IN "
            "(SELECT icd9_code FROM d_icd_procedures WHERE short_title = :title)"
        ),
        kind="number",
        candidates=(
            "SELECT DISTINCT t.short_title AS title FROM procedures_icd p JOIN d_icd_procedures t "
            "ON t.icd9_code = p.icd9_code ORDER BY 1"
        ),
        ambiguous="SELECT COUNT(*) > 1 FROM d_icd_procedures WHERE short_title = :title",
        **NUMBER,
    ),
    Template(
        name="admissions_cost_above",
        category="admission_cost_count",
        question=(
            "How many hospital admissions that began in the year {year} had a total cost above {threshold}?"
        ),
        sql=(
            "SELECT COUNT(*) FROM (SELECT c.hadm_id FROM cost c JOIN admissions a ON a.hadm_id = c.hadm_id "
            "WHERE strftime('%Y', a.admittime) = :year GROUP BY c.hadm_id HAVING SUM(c.cost) > :threshold)"
        ),
        kind="integer",
        candidates=(
            "SELECT strftime('%Y', a.admittime) AS year, CAST(AVG(t.total) AS INTEGER) AS ref FROM admissions a "
            "JOIN (SELECT hadm_id, SUM(cost) AS total FROM cost GROUP BY 1) t ON t.hadm_id = a.hadm_id "
            "GROUP BY 1 ORDER BY 1"
        ),
        refine=lambda s, rng: {
            "year": s["year"],
            "threshold": int(round(s["ref"] * rng.uniform(0.5, 1.5), -2)),
        },
    ),
)
