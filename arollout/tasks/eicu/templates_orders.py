"""eICU question templates about drug orders (``medication``) and charges (``cost``).

Written for arollout after EHRSQL's eICU question kinds (glee4810/EHRSQL):
the routes and dosages of a drug, the first drug of a stay, counts and
rankings of orders, drugs started soon after a diagnosis, and the synthetic
``cost`` table's lookups (the price of one named event; a hospital stay's
total; the average total of stays with a diagnosis). Drug names are matched
exactly as stored (eICU keeps brand, generic and formulation strings apart).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.ehr.templates import Template, with_aggregate
from arollout.tasks.eicu.slots import DECADES, TOP_K, top_k, top_k_tie

if TYPE_CHECKING:
    import random

    from arollout.tasks.ehr.templates import Slots

__all__ = ("ORDER_TEMPLATES",)

_MED = "medication m JOIN patient p ON p.patientunitstayid = m.patientunitstayid"
_DX = "diagnosis d JOIN patient p ON p.patientunitstayid = d.patientunitstayid"
_TOP_DRUGS = "SELECT drugname FROM medication GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 25"
_DRUG_YEAR_COUNTS = """
SELECT drugname AS item, COUNT(*) AS n FROM medication
WHERE strftime('%Y', drugstarttime) = :year GROUP BY 1"""
_DRUG_DX_COUNTS = """
SELECT m.drugname AS item, COUNT(DISTINCT m.patientunitstayid) AS n FROM medication m
WHERE m.patientunitstayid IN (SELECT patientunitstayid FROM diagnosis WHERE diagnosisname = :dx)
GROUP BY 1"""
_DRUG_AGE_COUNTS = f"""
SELECT m.drugname AS item, COUNT(DISTINCT p.uniquepid) AS n FROM {_MED}
WHERE CAST(p.age AS INTEGER) BETWEEN :lo AND :hi GROUP BY 1"""
_FREQUENT_DX = f"""
SELECT d.diagnosisname AS dx FROM {_DX} GROUP BY 1 HAVING COUNT(DISTINCT p.uniquepid) >= 20"""

_EVENTS: Final = (
    ("drug", "medication", "medication", "medicationid", "drugname"),
    ("lab test", "lab", "lab", "labid", "labname"),
    ("treatment", "treatment", "treatment", "treatmentid", "treatmentname"),
    ("diagnosis", "diagnosis", "diagnosis", "diagnosisid", "diagnosisname"),
)

_STAY_TOTALS = """
SELECT SUM(c.cost) AS total FROM cost c
WHERE c.patienthealthsystemstayid IN (
  SELECT p.patienthealthsystemstayid FROM patient p
  JOIN diagnosis d ON d.patientunitstayid = p.patientunitstayid WHERE d.diagnosisname = :dx)
GROUP BY c.patienthealthsystemstayid"""


def _with_hours(slots: Slots, rng: random.Random) -> Slots | None:
    """Draw the window length (hours) of a "within N hours after" question."""
    return {**slots, "hours": rng.choice(("12", "24", "48"))}


def _price_template(word: str, eventtype: str, table: str, key: str, column: str) -> Template:
    return Template(
        name=f"cost_of_{eventtype}",
        category="event_cost",
        question=f"What is the cost of a {word} named '{{name}}'?",
        sql=f"""
SELECT DISTINCT cost FROM cost WHERE eventtype = '{eventtype}'
  AND eventid IN (SELECT {key} FROM {table} WHERE {column} = :name)""",
        kind="number",
        candidates=f"SELECT DISTINCT {column} AS name FROM {table} ORDER BY 1",
        rel_tol=1e-6,
        abs_tol=0.006,
    )


ORDER_TEMPLATES: Final[tuple[Template, ...]] = (
    Template(
        name="drug_routes",
        category="drug_routes",
        question="Through which routes of administration has '{drug}' been given?",
        sql="SELECT DISTINCT routeadmin FROM medication WHERE drugname = :drug ORDER BY 1",
        kind="set",
        candidates="SELECT DISTINCT drugname AS drug FROM medication ORDER BY 1",
    ),
    Template(
        name="last_dosage_of_drug",
        category="drug_dosage",
        question="What was the dosage of the most recent '{drug}' order of patient {uniquepid}?",
        sql=f"""
SELECT m.dosage FROM {_MED} WHERE p.uniquepid = :uniquepid AND m.drugname = :drug
ORDER BY m.drugstarttime DESC LIMIT 1""",
        kind="text",
        candidates=f"SELECT DISTINCT p.uniquepid, m.drugname AS drug FROM {_MED} ORDER BY 1, 2",
        ambiguous=f"""
SELECT COUNT(DISTINCT m.dosage) > 1 FROM {_MED} WHERE p.uniquepid = :uniquepid
  AND m.drugname = :drug AND m.drugstarttime = (
    SELECT MAX(m.drugstarttime) FROM {_MED} WHERE p.uniquepid = :uniquepid AND m.drugname = :drug)""",
    ),
    Template(
        name="first_drug_of_stay",
        category="stay_first_drug",
        question="Which drug was started first for patient {uniquepid} during ICU stay {stay}?",
        sql="""
SELECT drugname FROM medication WHERE patientunitstayid = :stay
ORDER BY drugstarttime LIMIT 1""",
        kind="text",
        candidates=f"SELECT DISTINCT p.uniquepid, p.patientunitstayid AS stay FROM {_MED} ORDER BY 2",
        ambiguous="""
SELECT COUNT(DISTINCT drugname) > 1 FROM medication WHERE patientunitstayid = :stay
  AND drugstarttime = (SELECT MIN(drugstarttime) FROM medication WHERE patientunitstayid = :stay)""",
    ),
    Template(
        name="first_three_drugs_of_stay",
        category="stay_drug_sequence",
        question=(
            "List the first three drug orders (drug names) of patient {uniquepid} during ICU stay "
            "{stay}, in order of their start time."
        ),
        sql="""
SELECT drugname FROM medication WHERE patientunitstayid = :stay
ORDER BY drugstarttime LIMIT 3""",
        kind="list",
        candidates=f"""
SELECT p.uniquepid, p.patientunitstayid AS stay FROM {_MED}
GROUP BY 1, 2 HAVING COUNT(*) >= 3 ORDER BY 2""",
        ambiguous="""
WITH f AS (SELECT drugstarttime FROM medication WHERE patientunitstayid = :stay
           ORDER BY drugstarttime LIMIT 4)
SELECT COUNT(DISTINCT drugstarttime) < COUNT(*) FROM f""",
    ),
    Template(
        name="distinct_drugs_of_stay",
        category="stay_drug_count",
        question=(
            "How many distinct drugs (distinct drug names) were ordered for patient {uniquepid} "
            "during ICU stay {stay}?"
        ),
        sql="SELECT COUNT(DISTINCT drugname) FROM medication WHERE patientunitstayid = :stay",
        kind="integer",
        candidates=f"SELECT DISTINCT p.uniquepid, p.patientunitstayid AS stay FROM {_MED} ORDER BY 2",
    ),
    Template(
        name="drug_patient_count_year",
        category="drug_patient_count",
        question="How many distinct patients were given '{drug}' in the year {year}?",
        sql=f"""
SELECT COUNT(DISTINCT p.uniquepid) FROM {_MED}
WHERE m.drugname = :drug AND strftime('%Y', m.drugstarttime) = :year""",
        kind="integer",
        candidates="""
SELECT DISTINCT drugname AS drug, strftime('%Y', drugstarttime) AS year FROM medication
ORDER BY 1, 2""",
    ),
    Template(
        name="top_drugs_year",
        category="top_drugs",
        question=(
            "Which {k} drugs (drug names) were ordered most often (counting orders) in the year "
            "{year}?"
        ),
        sql=top_k(_DRUG_YEAR_COUNTS),
        kind="set",
        candidates=f"""
SELECT DISTINCT strftime('%Y', drugstarttime) AS year, k FROM medication CROSS JOIN {TOP_K}
ORDER BY 1, 2""",
        ambiguous=top_k_tie(_DRUG_YEAR_COUNTS),
    ),
    Template(
        name="top_drugs_with_diagnosis",
        category="top_drugs",
        question=(
            "Which {k} drugs were ordered in the most ICU stays that have a diagnosis of '{dx}' "
            "(counting distinct stays)?"
        ),
        sql=top_k(_DRUG_DX_COUNTS),
        kind="set",
        candidates=f"SELECT dx, k FROM ({_FREQUENT_DX}) CROSS JOIN {TOP_K} ORDER BY 1, 2",
        ambiguous=top_k_tie(_DRUG_DX_COUNTS),
    ),
    Template(
        name="top_drugs_age",
        category="top_drugs",
        question=(
            "Which {k} drugs were given to the most distinct patients aged {lo} to {hi} "
            "(inclusive, age at the ICU stay)?"
        ),
        sql=top_k(_DRUG_AGE_COUNTS),
        kind="set",
        candidates=f"SELECT lo, hi, k FROM ({DECADES}) CROSS JOIN {TOP_K} ORDER BY 1, 3",
        ambiguous=top_k_tie(_DRUG_AGE_COUNTS),
    ),
    Template(
        name="drugs_after_diagnosis",
        category="drugs_after_diagnosis",
        question=(
            "Which drugs were started for patient {uniquepid} during ICU stay {stay} within "
            "{hours} hours after their first diagnosis of '{dx}' in that stay (start time after "
            "the diagnosis, at most {hours} hours later)?"
        ),
        sql="""
SELECT DISTINCT m.drugname FROM medication m
WHERE m.patientunitstayid = :stay
  AND m.drugstarttime > (SELECT MIN(diagnosistime) FROM diagnosis
                         WHERE patientunitstayid = :stay AND diagnosisname = :dx)
  AND m.drugstarttime <= datetime((SELECT MIN(diagnosistime) FROM diagnosis
                         WHERE patientunitstayid = :stay AND diagnosisname = :dx),
                         '+' || :hours || ' hours')
ORDER BY 1""",
        kind="set",
        candidates=f"""
SELECT DISTINCT p.uniquepid, p.patientunitstayid AS stay, d.diagnosisname AS dx FROM {_DX}
ORDER BY 2, 3""",
        refine=_with_hours,
    ),
    Template(
        name="order_hours",
        category="order_duration",
        question=(
            "For how many full hours was the '{drug}' order of patient {uniquepid} that started at "
            "{start} scheduled to run (from its start time to its stop time)?"
        ),
        sql=f"""
SELECT (strftime('%s', m.drugstoptime) - strftime('%s', m.drugstarttime)) / 3600 FROM {_MED}
WHERE p.uniquepid = :uniquepid AND m.drugname = :drug AND m.drugstarttime = :start""",
        kind="integer",
        candidates=f"""
SELECT p.uniquepid, m.drugname AS drug, m.drugstarttime AS start FROM {_MED}
WHERE m.drugstoptime > m.drugstarttime GROUP BY 1, 2, 3 HAVING COUNT(*) = 1 ORDER BY 1, 2, 3""",
    ),
    Template(
        name="drug_in_stay",
        category="drug_in_stay",
        question="Was '{drug}' ordered for patient {uniquepid} during ICU stay {stay}?",
        sql="""
SELECT EXISTS (SELECT 1 FROM medication WHERE patientunitstayid = :stay AND drugname = :drug)""",
        kind="bool",
        candidates=f"""
SELECT p.uniquepid, p.patientunitstayid AS stay, x.drugname AS drug
FROM patient p CROSS JOIN ({_TOP_DRUGS}) x ORDER BY 2, 3""",
    ),
    *(_price_template(*event) for event in _EVENTS),
    Template(
        name="hospital_stay_total_cost",
        category="stay_cost",
        question="What was the total cost of hospital stay {hss} of patient {uniquepid}?",
        sql="SELECT SUM(cost) FROM cost WHERE patienthealthsystemstayid = :hss",
        kind="number",
        candidates="SELECT DISTINCT uniquepid, patienthealthsystemstayid AS hss FROM cost ORDER BY 2",
        rel_tol=1e-6,
        abs_tol=0.01,
    ),
    Template(
        name="hospital_stay_cost_by_type",
        category="stay_cost",
        question=(
            "What was the total cost of the {eventtype} charges of hospital stay {hss} of patient "
            "{uniquepid}?"
        ),
        sql="""
SELECT SUM(cost) FROM cost WHERE patienthealthsystemstayid = :hss AND eventtype = :eventtype""",
        kind="number",
        candidates="""
SELECT DISTINCT uniquepid, patienthealthsystemstayid AS hss, eventtype FROM cost ORDER BY 2, 3""",
        rel_tol=1e-6,
        abs_tol=0.01,
    ),
    Template(
        name="stay_cost_with_diagnosis",
        category="diagnosis_stay_cost",
        question=(
            "Over the hospital stays with a diagnosis of '{dx}', what is the {agg_word} total "
            "cost of a hospital stay (summing all of its charges)?"
        ),
        sql=f"SELECT {{agg}}(total) FROM ({_STAY_TOTALS})",
        kind="number",
        candidates=f"{_FREQUENT_DX} ORDER BY 1",
        refine=with_aggregate,
        rel_tol=1e-6,
        abs_tol=0.01,
    ),
)
"""Templates over ``medication`` and ``cost``."""
