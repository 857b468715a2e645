"""eICU question templates about diagnoses and treatments.

Written for arollout after the kinds of question EHRSQL asks of eICU
(glee4810/EHRSQL): counts of patients with a diagnosis or treatment (overall,
in a year, since a year), first and last times, the diagnoses of a stay,
top-k rankings, existence, ICD-9 lookups, and "X after Y in the same
hospital stay" joins. Rankings count distinct patients (or rows, where said)
and are dropped when a tie sits at the cut.
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.ehr.templates import Template
from arollout.tasks.eicu.slots import DECADES, TOP_K, last_year_or_later, top_k, top_k_tie

__all__ = ("EVENT_TEMPLATES",)

_DX = "diagnosis d JOIN patient p ON p.patientunitstayid = d.patientunitstayid"
_TX = "treatment t JOIN patient p ON p.patientunitstayid = t.patientunitstayid"

_DX_YEAR_COUNTS = f"""
SELECT d.diagnosisname AS item, COUNT(DISTINCT p.uniquepid) AS n FROM {_DX}
WHERE strftime('%Y', d.diagnosistime) = :year GROUP BY 1"""
_DX_AGE_COUNTS = f"""
SELECT d.diagnosisname AS item, COUNT(DISTINCT p.uniquepid) AS n FROM {_DX}
WHERE CAST(p.age AS INTEGER) BETWEEN :lo AND :hi GROUP BY 1"""
_DX_HOSPITAL_COUNTS = f"""
SELECT d.diagnosisname AS item, COUNT(DISTINCT p.uniquepid) AS n FROM {_DX}
WHERE p.hospitalid = :hospitalid GROUP BY 1"""
_TX_YEAR_COUNTS = """
SELECT treatmentname AS item, COUNT(*) AS n FROM treatment
WHERE strftime('%Y', treatmenttime) = :year GROUP BY 1"""
_TX_AGE_COUNTS = f"""
SELECT t.treatmentname AS item, COUNT(DISTINCT p.uniquepid) AS n FROM {_TX}
WHERE CAST(p.age AS INTEGER) BETWEEN :lo AND :hi GROUP BY 1"""
_TX_DX_COUNTS = """
SELECT treatmentname AS item, COUNT(DISTINCT patientunitstayid) AS n FROM treatment
WHERE patientunitstayid IN (SELECT patientunitstayid FROM diagnosis WHERE diagnosisname = :dx)
GROUP BY 1"""

_FREQUENT_DX = f"""
SELECT d.diagnosisname AS dx FROM {_DX} GROUP BY 1 HAVING COUNT(DISTINCT p.uniquepid) >= 20"""


def _ordered_pairs(first: str, second: str, name: str, when: str) -> str:
    """Candidates of an "X after Y in the same hospital stay" count: every (diagnosis,
    ``second``-table name) pair that at least ten patients have in that order."""
    return f"""
SELECT a.diagnosisname AS dx, b.{name} AS {first} FROM diagnosis a
JOIN patient pa ON pa.patientunitstayid = a.patientunitstayid
JOIN patient pb ON pb.patienthealthsystemstayid = pa.patienthealthsystemstayid
JOIN {second} b ON b.patientunitstayid = pb.patientunitstayid
WHERE a.diagnosistime < b.{when}
GROUP BY 1, 2 HAVING COUNT(DISTINCT pa.uniquepid) >= 10 ORDER BY 1, 2"""


_TOP_TX = "SELECT treatmentname FROM treatment GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 25"


EVENT_TEMPLATES: Final[tuple[Template, ...]] = (
    Template(
        name="diagnosis_patient_count",
        category="diagnosis_patient_count",
        question="How many distinct patients have been diagnosed with '{dx}'?",
        sql=f"SELECT COUNT(DISTINCT p.uniquepid) FROM {_DX} WHERE d.diagnosisname = :dx",
        kind="integer",
        candidates="SELECT DISTINCT diagnosisname AS dx FROM diagnosis ORDER BY 1",
    ),
    Template(
        name="diagnosis_patient_count_year",
        category="diagnosis_patient_count",
        question="How many distinct patients were diagnosed with '{dx}' in the year {year}?",
        sql=f"""
SELECT COUNT(DISTINCT p.uniquepid) FROM {_DX}
WHERE d.diagnosisname = :dx AND strftime('%Y', d.diagnosistime) = :year""",
        kind="integer",
        candidates="""
SELECT DISTINCT diagnosisname AS dx, strftime('%Y', diagnosistime) AS year FROM diagnosis
ORDER BY 1, 2""",
    ),
    Template(
        name="diagnosis_first_time",
        category="diagnosis_first_time",
        question="When was patient {uniquepid} first diagnosed with '{dx}'?",
        sql=f"""
SELECT MIN(d.diagnosistime) FROM {_DX}
WHERE p.uniquepid = :uniquepid AND d.diagnosisname = :dx""",
        kind="date",
        candidates=f"SELECT DISTINCT p.uniquepid, d.diagnosisname AS dx FROM {_DX} ORDER BY 1, 2",
    ),
    Template(
        name="diagnosis_icd9_code",
        category="diagnosis_code",
        question="What is the ICD-9 code recorded for the diagnosis '{dx}'?",
        sql="""
SELECT DISTINCT icd9code FROM diagnosis WHERE diagnosisname = :dx AND icd9code IS NOT NULL""",
        kind="text",
        candidates="""
SELECT DISTINCT diagnosisname AS dx FROM diagnosis WHERE icd9code IS NOT NULL ORDER BY 1""",
    ),
    Template(
        name="diagnoses_of_stay",
        category="stay_diagnoses",
        question="Which diagnoses were recorded for patient {uniquepid} during ICU stay {stay}?",
        sql="""
SELECT DISTINCT diagnosisname FROM diagnosis WHERE patientunitstayid = :stay ORDER BY 1""",
        kind="set",
        candidates=f"SELECT DISTINCT p.uniquepid, p.patientunitstayid AS stay FROM {_DX} ORDER BY 2",
    ),
    Template(
        name="diagnosis_rows_of_stay",
        category="stay_diagnosis_count",
        question=(
            "How many diagnosis entries (rows of the diagnosis table) were recorded for patient "
            "{uniquepid} during ICU stay {stay}?"
        ),
        sql="SELECT COUNT(*) FROM diagnosis WHERE patientunitstayid = :stay",
        kind="integer",
        candidates=f"SELECT DISTINCT p.uniquepid, p.patientunitstayid AS stay FROM {_DX} ORDER BY 2",
    ),
    Template(
        name="last_diagnosis_of_stay",
        category="stay_last_diagnosis",
        question=(
            "What was the last diagnosis recorded for patient {uniquepid} during ICU stay {stay}?"
        ),
        sql="""
SELECT diagnosisname FROM diagnosis WHERE patientunitstayid = :stay
ORDER BY diagnosistime DESC LIMIT 1""",
        kind="text",
        candidates=f"SELECT DISTINCT p.uniquepid, p.patientunitstayid AS stay FROM {_DX} ORDER BY 2",
        ambiguous="""
SELECT COUNT(DISTINCT diagnosisname) > 1 FROM diagnosis WHERE patientunitstayid = :stay
  AND diagnosistime = (SELECT MAX(diagnosistime) FROM diagnosis WHERE patientunitstayid = :stay)""",
    ),
    Template(
        name="top_diagnoses_year",
        category="top_diagnoses",
        question="Which {k} diagnoses were given to the most distinct patients in the year {year}?",
        sql=top_k(_DX_YEAR_COUNTS),
        kind="set",
        candidates=f"""
SELECT DISTINCT strftime('%Y', diagnosistime) AS year, k FROM diagnosis CROSS JOIN {TOP_K}
ORDER BY 1, 2""",
        ambiguous=top_k_tie(_DX_YEAR_COUNTS),
    ),
    Template(
        name="top_diagnoses_age",
        category="top_diagnoses",
        question=(
            "Which {k} diagnoses were given to the most distinct patients aged {lo} to {hi} "
            "(inclusive, age at the ICU stay)?"
        ),
        sql=top_k(_DX_AGE_COUNTS),
        kind="set",
        candidates=f"SELECT lo, hi, k FROM ({DECADES}) CROSS JOIN {TOP_K} ORDER BY 1, 3",
        ambiguous=top_k_tie(_DX_AGE_COUNTS),
    ),
    Template(
        name="top_diagnoses_hospital",
        category="top_diagnoses",
        question=(
            "Which {k} diagnoses were given to the most distinct patients at hospital {hospitalid}?"
        ),
        sql=top_k(_DX_HOSPITAL_COUNTS),
        kind="set",
        candidates=f"""
SELECT DISTINCT hospitalid, k FROM patient CROSS JOIN {TOP_K} ORDER BY 1, 2""",
        ambiguous=top_k_tie(_DX_HOSPITAL_COUNTS),
    ),
    Template(
        name="diagnosis_since_year",
        category="diagnosis_since",
        question=(
            "Has patient {uniquepid} been diagnosed with '{dx}' at any time since the start of the "
            "year {year}?"
        ),
        sql=f"""
SELECT EXISTS (SELECT 1 FROM {_DX} WHERE p.uniquepid = :uniquepid AND d.diagnosisname = :dx
  AND strftime('%Y', d.diagnosistime) >= :year)""",
        kind="bool",
        candidates=f"""
SELECT p.uniquepid, d.diagnosisname AS dx, MAX(strftime('%Y', d.diagnosistime)) AS last_year
FROM {_DX} GROUP BY 1, 2 ORDER BY 1, 2""",
        refine=last_year_or_later,
    ),
    Template(
        name="diagnosis_after_diagnosis",
        category="diagnosis_after_diagnosis",
        question=(
            "How many distinct patients were diagnosed with '{dx2}' after being diagnosed with "
            "'{dx1}' during the same hospital stay?"
        ),
        sql=f"""
SELECT COUNT(DISTINCT a.uniquepid) FROM
  (SELECT p.uniquepid, p.patienthealthsystemstayid AS hss, d.diagnosistime AS t FROM {_DX}
   WHERE d.diagnosisname = :dx1) a
JOIN
  (SELECT p.patienthealthsystemstayid AS hss, d.diagnosistime AS t FROM {_DX}
   WHERE d.diagnosisname = :dx2) b
ON a.hss = b.hss AND a.t < b.t""",
        kind="integer",
        candidates=f"""
SELECT dx AS dx1, dx2 FROM ({_ordered_pairs("dx2", "diagnosis", "diagnosisname", "diagnosistime")})
WHERE dx <> dx2""",
    ),
    Template(
        name="treatment_patient_count_year",
        category="treatment_patient_count",
        question="How many distinct patients received the treatment '{tx}' in the year {year}?",
        sql=f"""
SELECT COUNT(DISTINCT p.uniquepid) FROM {_TX}
WHERE t.treatmentname = :tx AND strftime('%Y', t.treatmenttime) = :year""",
        kind="integer",
        candidates="""
SELECT DISTINCT treatmentname AS tx, strftime('%Y', treatmenttime) AS year FROM treatment
ORDER BY 1, 2""",
    ),
    Template(
        name="treatment_patient_count_since",
        category="treatment_patient_count",
        question=(
            "How many distinct patients have received the treatment '{tx}' since the start of the "
            "year {year}?"
        ),
        sql=f"""
SELECT COUNT(DISTINCT p.uniquepid) FROM {_TX}
WHERE t.treatmentname = :tx AND t.treatmenttime >= :year || '-01-01 00:00:00'""",
        kind="integer",
        candidates="""
SELECT DISTINCT treatmentname AS tx, strftime('%Y', treatmenttime) AS year FROM treatment
ORDER BY 1, 2""",
    ),
    Template(
        name="treatment_last_time",
        category="treatment_last_time",
        question="When did patient {uniquepid} last receive the treatment '{tx}'?",
        sql=f"""
SELECT MAX(t.treatmenttime) FROM {_TX} WHERE p.uniquepid = :uniquepid AND t.treatmentname = :tx""",
        kind="date",
        candidates=f"SELECT DISTINCT p.uniquepid, t.treatmentname AS tx FROM {_TX} ORDER BY 1, 2",
    ),
    Template(
        name="top_treatments_year",
        category="top_treatments",
        question=(
            "Which {k} treatments were recorded most often (counting treatment rows) in the "
            "year {year}?"
        ),
        sql=top_k(_TX_YEAR_COUNTS),
        kind="set",
        candidates=f"""
SELECT DISTINCT strftime('%Y', treatmenttime) AS year, k FROM treatment CROSS JOIN {TOP_K}
ORDER BY 1, 2""",
        ambiguous=top_k_tie(_TX_YEAR_COUNTS),
    ),
    Template(
        name="top_treatments_age",
        category="top_treatments",
        question=(
            "Which {k} treatments were given to the most distinct patients aged {lo} to {hi} "
            "(inclusive, age at the ICU stay)?"
        ),
        sql=top_k(_TX_AGE_COUNTS),
        kind="set",
        candidates=f"SELECT lo, hi, k FROM ({DECADES}) CROSS JOIN {TOP_K} ORDER BY 1, 3",
        ambiguous=top_k_tie(_TX_AGE_COUNTS),
    ),
    Template(
        name="top_treatments_with_diagnosis",
        category="top_treatments",
        question=(
            "Which {k} treatments were given in the most ICU stays that have a diagnosis of "
            "'{dx}' (counting distinct stays)?"
        ),
        sql=top_k(_TX_DX_COUNTS),
        kind="set",
        candidates=f"SELECT dx, k FROM ({_FREQUENT_DX}) CROSS JOIN {TOP_K} ORDER BY 1, 2",
        ambiguous=top_k_tie(_TX_DX_COUNTS),
    ),
    Template(
        name="treatment_rows_of_stay",
        category="stay_treatment_count",
        question=(
            "How many treatment entries were recorded for patient {uniquepid} during ICU stay "
            "{stay}?"
        ),
        sql="SELECT COUNT(*) FROM treatment WHERE patientunitstayid = :stay",
        kind="integer",
        candidates=f"SELECT DISTINCT p.uniquepid, p.patientunitstayid AS stay FROM {_TX} ORDER BY 2",
    ),
    Template(
        name="first_treatment_of_stay",
        category="stay_first_treatment",
        question="What was the first treatment patient {uniquepid} received during ICU stay {stay}?",
        sql="""
SELECT treatmentname FROM treatment WHERE patientunitstayid = :stay
ORDER BY treatmenttime LIMIT 1""",
        kind="text",
        candidates=f"SELECT DISTINCT p.uniquepid, p.patientunitstayid AS stay FROM {_TX} ORDER BY 2",
        ambiguous="""
SELECT COUNT(DISTINCT treatmentname) > 1 FROM treatment WHERE patientunitstayid = :stay
  AND treatmenttime = (SELECT MIN(treatmenttime) FROM treatment WHERE patientunitstayid = :stay)""",
    ),
    Template(
        name="treatment_in_stay",
        category="treatment_in_stay",
        question="Did patient {uniquepid} receive the treatment '{tx}' during ICU stay {stay}?",
        sql="""
SELECT EXISTS (SELECT 1 FROM treatment WHERE patientunitstayid = :stay AND treatmentname = :tx)""",
        kind="bool",
        candidates=f"""
SELECT p.uniquepid, p.patientunitstayid AS stay, x.treatmentname AS tx
FROM patient p CROSS JOIN ({_TOP_TX}) x ORDER BY 2, 3""",
    ),
    Template(
        name="treatment_after_diagnosis",
        category="treatment_after_diagnosis",
        question=(
            "How many distinct patients received the treatment '{tx}' after being diagnosed with "
            "'{dx}' during the same hospital stay?"
        ),
        sql=f"""
SELECT COUNT(DISTINCT a.uniquepid) FROM
  (SELECT p.uniquepid, p.patienthealthsystemstayid AS hss, d.diagnosistime AS t FROM {_DX}
   WHERE d.diagnosisname = :dx) a
JOIN
  (SELECT p.patienthealthsystemstayid AS hss, t.treatmenttime AS t FROM {_TX}
   WHERE t.treatmentname = :tx) b
ON a.hss = b.hss AND a.t < b.t""",
        kind="integer",
        candidates=_ordered_pairs("tx", "treatment", "treatmentname", "treatmenttime"),
    ),
)
"""Templates over ``diagnosis`` and ``treatment``."""
