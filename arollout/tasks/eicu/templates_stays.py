"""eICU question templates about patients, stays and their timing (``patient`` table).

Written for arollout in the style of EHRSQL's eICU questions (glee4810/EHRSQL:
demographics, "how many hours since the ICU admission of a current patient",
counts of admissions by year and source); the SQL, the wording and the slot
samplers are our own. Durations are computed from ``strftime('%s', ...)``
(whole seconds) with integer division, never from floating ``julianday``
differences, so "full hours" means the same to SQLite and to pandas.
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.ehr.templates import Template
from arollout.tasks.eicu.slots import DECADES, NOW, NOW_COLUMN

__all__ = ("STAY_TEMPLATES",)


STAY_TEMPLATES: Final[tuple[Template, ...]] = (
    Template(
        name="age_first_hospital_stay",
        category="patient_age",
        question="How old was patient {uniquepid} at their first hospital stay?",
        sql="""
SELECT CAST(age AS INTEGER) FROM patient WHERE uniquepid = :uniquepid
ORDER BY hospitaladmittime, unitadmittime LIMIT 1""",
        kind="integer",
        candidates="SELECT DISTINCT uniquepid FROM patient ORDER BY 1",
    ),
    Template(
        name="age_last_icu_stay",
        category="patient_age",
        question="How old was patient {uniquepid} at their most recent ICU stay?",
        sql="""
SELECT CAST(age AS INTEGER) FROM patient WHERE uniquepid = :uniquepid
ORDER BY unitadmittime DESC LIMIT 1""",
        kind="integer",
        candidates="SELECT DISTINCT uniquepid FROM patient ORDER BY 1",
    ),
    Template(
        name="weight_change_stay",
        category="weight_change",
        question=(
            "What was the change in body weight (discharge weight minus admission weight, in kg) "
            "of patient {uniquepid} during ICU stay {stay}?"
        ),
        sql="SELECT dischargeweight - admissionweight FROM patient WHERE patientunitstayid = :stay",
        kind="number",
        candidates="""
SELECT uniquepid, patientunitstayid AS stay FROM patient
WHERE admissionweight IS NOT NULL AND dischargeweight IS NOT NULL ORDER BY 2""",
        signed=True,
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="admission_height_last_stay",
        category="admission_measure",
        question="What was the admission height (cm) of patient {uniquepid} at their last ICU stay?",
        sql="""
SELECT admissionheight FROM patient WHERE uniquepid = :uniquepid
ORDER BY unitadmittime DESC LIMIT 1""",
        kind="number",
        candidates="SELECT DISTINCT uniquepid FROM patient ORDER BY 1",
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="admission_weight_first_stay",
        category="admission_measure",
        question="What was the admission weight (kg) of patient {uniquepid} at their first ICU stay?",
        sql="""
SELECT admissionweight FROM patient WHERE uniquepid = :uniquepid
ORDER BY unitadmittime LIMIT 1""",
        kind="number",
        candidates="SELECT DISTINCT uniquepid FROM patient ORDER BY 1",
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="weight_first_vs_last_stay",
        category="weight_compare",
        question=(
            "Was the admission weight of patient {uniquepid} at their last ICU stay greater than "
            "at their first ICU stay?"
        ),
        sql="""
SELECT (SELECT admissionweight FROM patient WHERE uniquepid = :uniquepid
        ORDER BY unitadmittime DESC LIMIT 1)
     > (SELECT admissionweight FROM patient WHERE uniquepid = :uniquepid
        ORDER BY unitadmittime LIMIT 1)""",
        kind="bool",
        candidates="""
SELECT uniquepid FROM patient GROUP BY uniquepid HAVING COUNT(*) > 1 ORDER BY 1""",
        ambiguous="""
SELECT (SELECT admissionweight FROM patient WHERE uniquepid = :uniquepid
        ORDER BY unitadmittime DESC LIMIT 1)
     = (SELECT admissionweight FROM patient WHERE uniquepid = :uniquepid
        ORDER BY unitadmittime LIMIT 1)""",
    ),
    Template(
        name="unit_stay_hours",
        category="stay_length",
        question=(
            "How many full hours did ICU stay {stay} of patient {uniquepid} last, from unit "
            "admission to unit discharge?"
        ),
        sql="""
SELECT (strftime('%s', unitdischargetime) - strftime('%s', unitadmittime)) / 3600
FROM patient WHERE patientunitstayid = :stay""",
        kind="integer",
        candidates="""
SELECT uniquepid, patientunitstayid AS stay FROM patient
WHERE unitdischargetime IS NOT NULL ORDER BY 2""",
    ),
    Template(
        name="hospital_stay_days",
        category="stay_length",
        question=(
            "How many full days did hospital stay {hss} of patient {uniquepid} last, from "
            "hospital admission to hospital discharge?"
        ),
        sql="""
SELECT DISTINCT (strftime('%s', hospitaldischargetime) - strftime('%s', hospitaladmittime)) / 86400
FROM patient WHERE patienthealthsystemstayid = :hss""",
        kind="integer",
        candidates="""
SELECT DISTINCT uniquepid, patienthealthsystemstayid AS hss FROM patient
WHERE hospitaldischargetime IS NOT NULL ORDER BY 2""",
        ambiguous="""
SELECT COUNT(DISTINCT hospitaladmittime) > 1 OR COUNT(DISTINCT hospitaldischargetime) > 1
FROM patient WHERE patienthealthsystemstayid = :hss""",
    ),
    Template(
        name="hours_since_unit_admission",
        category="time_since_admission",
        question=(
            NOW + " Patient {uniquepid} is still in the ICU. How many full hours have passed "
            "since their admission to the current ICU stay?"
        ),
        sql="""
SELECT (strftime('%s', :current_time) - strftime('%s', unitadmittime)) / 3600
FROM patient WHERE uniquepid = :uniquepid AND unitdischargetime IS NULL""",
        kind="integer",
        candidates=f"""
SELECT DISTINCT uniquepid, {NOW_COLUMN} FROM patient WHERE unitdischargetime IS NULL ORDER BY 1""",
    ),
    Template(
        name="hours_since_hospital_admission",
        category="time_since_admission",
        question=(
            NOW + " Patient {uniquepid} is still in the hospital. How many full hours have passed "
            "since the admission of their current hospital stay?"
        ),
        sql="""
SELECT DISTINCT (strftime('%s', :current_time) - strftime('%s', hospitaladmittime)) / 3600
FROM patient WHERE uniquepid = :uniquepid AND hospitaldischargetime IS NULL""",
        kind="integer",
        candidates=f"""
SELECT DISTINCT uniquepid, {NOW_COLUMN} FROM patient WHERE hospitaldischargetime IS NULL
ORDER BY 1""",
        ambiguous="""
SELECT COUNT(DISTINCT hospitaladmittime) > 1 FROM patient
WHERE uniquepid = :uniquepid AND hospitaldischargetime IS NULL""",
    ),
    Template(
        name="days_since_last_discharge",
        category="time_since_discharge",
        question=(
            NOW + " How many full days have passed since patient {uniquepid} was last "
            "discharged from the hospital?"
        ),
        sql="""
SELECT (strftime('%s', :current_time) - strftime('%s', MAX(hospitaldischargetime))) / 86400
FROM patient WHERE uniquepid = :uniquepid""",
        kind="integer",
        candidates=f"""
SELECT DISTINCT uniquepid, {NOW_COLUMN} FROM patient WHERE hospitaldischargetime IS NOT NULL
ORDER BY 1""",
    ),
    Template(
        name="first_unit_admission_time",
        category="admission_time",
        question="When was patient {uniquepid} first admitted to an ICU?",
        sql="SELECT MIN(unitadmittime) FROM patient WHERE uniquepid = :uniquepid",
        kind="date",
        candidates="SELECT DISTINCT uniquepid FROM patient ORDER BY 1",
    ),
    Template(
        name="last_hospital_discharge_time",
        category="discharge_time",
        question="When was patient {uniquepid} last discharged from the hospital?",
        sql="SELECT MAX(hospitaldischargetime) FROM patient WHERE uniquepid = :uniquepid",
        kind="date",
        candidates="""
SELECT DISTINCT uniquepid FROM patient WHERE hospitaldischargetime IS NOT NULL ORDER BY 1""",
    ),
    Template(
        name="admit_source_first_stay",
        category="admit_source",
        question=(
            "What was the hospital admission source of patient {uniquepid} at their first "
            "hospital stay?"
        ),
        sql="""
SELECT hospitaladmitsource FROM patient WHERE uniquepid = :uniquepid
ORDER BY hospitaladmittime, unitadmittime LIMIT 1""",
        kind="text",
        candidates="SELECT DISTINCT uniquepid FROM patient ORDER BY 1",
    ),
    Template(
        name="patients_by_source_year",
        category="admission_counts",
        question=(
            "How many distinct patients were admitted to the hospital from the admission source "
            "'{source}' in the year {year}?"
        ),
        sql="""
SELECT COUNT(DISTINCT uniquepid) FROM patient
WHERE hospitaladmitsource = :source AND strftime('%Y', hospitaladmittime) = :year""",
        kind="integer",
        candidates="""
SELECT DISTINCT hospitaladmitsource AS source, strftime('%Y', hospitaladmittime) AS year
FROM patient WHERE hospitaladmitsource IS NOT NULL ORDER BY 1, 2""",
    ),
    Template(
        name="patients_by_age_year",
        category="admission_counts",
        question=(
            "How many distinct patients aged {lo} to {hi} (inclusive) were admitted to an ICU in "
            "the year {year}?"
        ),
        sql="""
SELECT COUNT(DISTINCT uniquepid) FROM patient
WHERE CAST(age AS INTEGER) BETWEEN :lo AND :hi AND strftime('%Y', unitadmittime) = :year""",
        kind="integer",
        candidates=f"""
SELECT d.lo, d.hi, y.year FROM ({DECADES}) d
CROSS JOIN (SELECT DISTINCT strftime('%Y', unitadmittime) AS year FROM patient) y
ORDER BY 1, 3""",
    ),
    Template(
        name="discharge_status_by_year",
        category="admission_counts",
        question=(
            "How many distinct patients discharged from the hospital in the year {year} had the "
            "discharge status '{status}'?"
        ),
        sql="""
SELECT COUNT(DISTINCT uniquepid) FROM patient
WHERE hospitaldischargestatus = :status AND strftime('%Y', hospitaldischargetime) = :year""",
        kind="integer",
        candidates="""
SELECT DISTINCT hospitaldischargestatus AS status, strftime('%Y', hospitaldischargetime) AS year
FROM patient WHERE hospitaldischargestatus IS NOT NULL ORDER BY 1, 2""",
    ),
    Template(
        name="stays_by_gender_ethnicity",
        category="admission_counts",
        question=(
            "How many ICU stays of {gender} patients of {ethnicity} ethnicity began in the year "
            "{year}?"
        ),
        sql="""
SELECT COUNT(*) FROM patient
WHERE gender = :gender AND ethnicity = :ethnicity AND strftime('%Y', unitadmittime) = :year""",
        kind="integer",
        candidates="""
SELECT DISTINCT gender, ethnicity, strftime('%Y', unitadmittime) AS year FROM patient
WHERE ethnicity IS NOT NULL ORDER BY 1, 2, 3""",
    ),
    Template(
        name="stays_at_hospital",
        category="hospital_stays",
        question="How many ICU stays were recorded at hospital {hospitalid}?",
        sql="SELECT COUNT(*) FROM patient WHERE hospitalid = :hospitalid",
        kind="integer",
        candidates="SELECT DISTINCT hospitalid FROM patient ORDER BY 1",
    ),
    Template(
        name="patients_at_hospital_since",
        category="hospital_stays",
        question=(
            "How many distinct patients were admitted to hospital {hospitalid} since the start of "
            "the year {year}?"
        ),
        sql="""
SELECT COUNT(DISTINCT uniquepid) FROM patient
WHERE hospitalid = :hospitalid AND hospitaladmittime >= :year || '-01-01 00:00:00'""",
        kind="integer",
        candidates="""
SELECT DISTINCT hospitalid, strftime('%Y', hospitaladmittime) AS year FROM patient ORDER BY 1, 2""",
    ),
    Template(
        name="wards_of_patient",
        category="patient_wards",
        question="In which wards (ward ids) has patient {uniquepid} stayed in an ICU?",
        sql="SELECT DISTINCT wardid FROM patient WHERE uniquepid = :uniquepid ORDER BY 1",
        kind="set",
        candidates="""
SELECT uniquepid FROM patient GROUP BY uniquepid HAVING COUNT(DISTINCT wardid) > 1 ORDER BY 1""",
        hint="Print the ward ids as a JSON list of integers (any order) on the last line of stdout.",
    ),
)
"""Templates over the ``patient`` table."""
