"""MIMIC-III templates about measurements: lab tests (``labevents``) and vital signs (``chartevents``).

Aggregates (min/max/average), first and last values, counts, threshold
existence, changes between measurements, windows relative to "now", and
rankings. A "first"/"last" value is dropped when several different values
share that instant; a threshold is drawn just above or below the observed
extreme and dropped when it equals a measured value, so no answer depends on
a tie.
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.ehr.templates import Template, with_aggregate
from arollout.tasks.mimic.slots import (
    LAB,
    NOW,
    NUMBER,
    VITAL,
    chain,
    months_back,
    ranks,
    threshold,
    top_k,
    top_k_tie,
)

__all__ = ("MEASURE_TEMPLATES",)

_L = f"FROM labevents WHERE subject_id = :subject_id AND hadm_id = :hadm_id AND itemid IN ({LAB})"
_LP = f"FROM labevents WHERE subject_id = :subject_id AND itemid IN ({LAB})"
_LAB_PAIRS = (
    "SELECT DISTINCT l.subject_id, l.hadm_id, d.label AS lab FROM labevents l "
    "JOIN d_labitems d ON d.itemid = l.itemid ORDER BY 1, 2, 3"
)
_LAB_PATIENTS = (
    "SELECT DISTINCT l.subject_id, d.label AS lab FROM labevents l "
    "JOIN d_labitems d ON d.itemid = l.itemid ORDER BY 1, 2"
)
_V = f"FROM chartevents WHERE subject_id = :subject_id AND icustay_id = :icustay_id AND itemid IN ({VITAL})"
_VITAL_PAIRS = (
    "SELECT DISTINCT c.subject_id, c.icustay_id, d.label AS vital FROM chartevents c "
    "JOIN d_items d ON d.itemid = c.itemid ORDER BY 1, 2, 3"
)


def _tied(source: str, order: str) -> str:
    """True when the first row of ``source`` by ``order`` shares its instant with a different value."""
    return (
        f"SELECT COUNT(DISTINCT valuenum) > 1 {source} AND charttime = "
        f"(SELECT charttime {source} ORDER BY charttime {order} LIMIT 1)"
    )


_LAB_TOP_MONTH = (
    "SELECT d.label AS title, COUNT(*) AS n FROM labevents l JOIN d_labitems d ON d.itemid = l.itemid "
    "WHERE l.charttime >= :month || '-01' AND l.charttime < date(:month || '-01', '+1 month') GROUP BY 1"
)

MEASURE_TEMPLATES: Final[tuple[Template, ...]] = (
    Template(
        name="lab_aggregate_admission",
        category="lab_aggregate",
        question=(
            "What was the {agg_word} value of the lab test '{lab}' for patient {subject_id} during "
            "hospital admission {hadm_id}?"
        ),
        sql=f"SELECT {{agg}}(valuenum) {_L}",
        kind="number",
        candidates=_LAB_PAIRS,
        refine=with_aggregate,
        **NUMBER,
    ),
    Template(
        name="lab_first_value_admission",
        category="lab_first_value",
        question=(
            "What was the first measured value of the lab test '{lab}' for patient {subject_id} during "
            "hospital admission {hadm_id}?"
        ),
        sql=f"SELECT valuenum {_L} ORDER BY charttime LIMIT 1",
        kind="number",
        candidates=_LAB_PAIRS,
        ambiguous=_tied(_L, "ASC"),
        **NUMBER,
    ),
    Template(
        name="lab_last_value_patient",
        category="lab_last_value",
        question="What was the most recent value of the lab test '{lab}' for patient {subject_id}?",
        sql=f"SELECT valuenum {_LP} ORDER BY charttime DESC LIMIT 1",
        kind="number",
        candidates=_LAB_PATIENTS,
        ambiguous=_tied(_LP, "DESC"),
        **NUMBER,
    ),
    Template(
        name="lab_last_time_patient",
        category="lab_time",
        question="When was the lab test '{lab}' last measured for patient {subject_id}?",
        sql=f"SELECT MAX(charttime) {_LP}",
        kind="date",
        candidates=_LAB_PATIENTS,
    ),
    Template(
        name="lab_first_time_admission",
        category="lab_time",
        question=(
            "When was the lab test '{lab}' first measured for patient {subject_id} during hospital "
            "admission {hadm_id}?"
        ),
        sql=f"SELECT MIN(charttime) {_L}",
        kind="date",
        candidates=_LAB_PAIRS,
    ),
    Template(
        name="lab_count_patient",
        category="lab_count",
        question="How many times in total has the lab test '{lab}' been measured for patient {subject_id}?",
        sql=f"SELECT COUNT(*) {_LP}",
        kind="integer",
        candidates=_LAB_PATIENTS,
    ),
    Template(
        name="lab_above_threshold",
        category="lab_threshold",
        question=(
            "Did patient {subject_id} have any value of the lab test '{lab}' greater than {threshold} "
            "during hospital admission {hadm_id}?"
        ),
        sql=f"SELECT EXISTS (SELECT 1 {_L} AND valuenum > :threshold)",
        kind="bool",
        candidates=(
            "SELECT l.subject_id, l.hadm_id, d.label AS lab, MAX(l.valuenum) AS ref FROM labevents l "
            "JOIN d_labitems d ON d.itemid = l.itemid GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ),
        refine=threshold(),
        ambiguous=f"SELECT EXISTS (SELECT 1 {_L} AND valuenum = :threshold)",
    ),
    Template(
        name="lab_change_first_two",
        category="lab_change",
        question=(
            "What was the difference between the second and the first measured values of the lab test "
            "'{lab}' (second minus first) for patient {subject_id} during hospital admission {hadm_id}?"
        ),
        sql=(
            f"SELECT (SELECT valuenum {_L} ORDER BY charttime LIMIT 1 OFFSET 1) - "
            f"(SELECT valuenum {_L} ORDER BY charttime LIMIT 1)"
        ),
        kind="number",
        candidates=(
            "SELECT l.subject_id, l.hadm_id, d.label AS lab FROM labevents l JOIN d_labitems d "
            "ON d.itemid = l.itemid GROUP BY 1, 2, 3 HAVING COUNT(*) >= 2 ORDER BY 1, 2, 3"
        ),
        ambiguous=(
            f"WITH f AS (SELECT charttime {_L} ORDER BY charttime LIMIT 3) "
            "SELECT COUNT(*) < 2 OR COUNT(DISTINCT charttime) < COUNT(*) FROM f"
        ),
        signed=True,
        **NUMBER,
    ),
    Template(
        name="lab_last_above_first",
        category="lab_comparison",
        question=(
            "Was the last value of the lab test '{lab}' for patient {subject_id} during hospital "
            "admission {hadm_id} greater than the first value during that admission?"
        ),
        sql=(
            f"SELECT (SELECT valuenum {_L} ORDER BY charttime DESC LIMIT 1) > "
            f"(SELECT valuenum {_L} ORDER BY charttime LIMIT 1)"
        ),
        kind="bool",
        candidates=(
            "SELECT l.subject_id, l.hadm_id, d.label AS lab FROM labevents l JOIN d_labitems d "
            "ON d.itemid = l.itemid GROUP BY 1, 2, 3 HAVING COUNT(DISTINCT l.charttime) >= 2 ORDER BY 1, 2, 3"
        ),
        ambiguous=(
            f"SELECT ({_tied(_L, 'ASC')}) OR ({_tied(_L, 'DESC')}) OR "
            f"(SELECT valuenum {_L} ORDER BY charttime DESC LIMIT 1) = "
            f"(SELECT valuenum {_L} ORDER BY charttime LIMIT 1)"
        ),
    ),
    Template(
        name="topk_labs_month",
        category="top_labs",
        question="What were the {k_word} most frequently performed lab tests (labels) in the month {month} (YYYY-MM)?",
        sql=top_k(_LAB_TOP_MONTH),
        kind="set",
        candidates="SELECT DISTINCT strftime('%Y-%m', charttime) AS month FROM labevents ORDER BY 1",
        refine=ranks,
        ambiguous=top_k_tie(_LAB_TOP_MONTH),
    ),
    Template(
        name="lab_unit",
        category="lab_unit",
        question="In what unit are the values of the lab test '{lab}' recorded?",
        sql=f"SELECT DISTINCT valueuom FROM labevents WHERE itemid IN ({LAB})",
        kind="text",
        candidates="SELECT DISTINCT d.label AS lab FROM labevents l JOIN d_labitems d ON d.itemid = l.itemid ORDER BY 1",
    ),
    Template(
        name="lab_patients_above_year",
        category="lab_patients_threshold",
        question=(
            "How many distinct patients had a value of the lab test '{lab}' greater than {threshold} "
            "in the year {year}?"
        ),
        sql=(
            f"SELECT COUNT(DISTINCT subject_id) FROM labevents WHERE itemid IN ({LAB}) "
            "AND valuenum > :threshold AND strftime('%Y', charttime) = :year"
        ),
        kind="integer",
        candidates=(
            "SELECT d.label AS lab, strftime('%Y', l.charttime) AS year, AVG(l.valuenum) AS ref "
            "FROM labevents l JOIN d_labitems d ON d.itemid = l.itemid GROUP BY 1, 2 "
            "HAVING COUNT(DISTINCT l.subject_id) >= 10 ORDER BY 1, 2"
        ),
        refine=threshold(),
        ambiguous=(
            f"SELECT EXISTS (SELECT 1 FROM labevents WHERE itemid IN ({LAB}) AND valuenum = :threshold "
            "AND strftime('%Y', charttime) = :year)"
        ),
    ),
    Template(
        name="lab_last_value_current",
        category="lab_current_value",
        question=(
            "What is the most recent value of the lab test '{lab}' for patient {subject_id} during their "
            "current (not yet discharged) hospital admission?"
        ),
        sql=(
            f"SELECT valuenum {_LP} AND hadm_id IN (SELECT hadm_id FROM admissions WHERE "
            "subject_id = :subject_id AND dischtime IS NULL) ORDER BY charttime DESC LIMIT 1"
        ),
        kind="number",
        candidates=(
            "SELECT DISTINCT l.subject_id, d.label AS lab FROM labevents l JOIN d_labitems d "
            "ON d.itemid = l.itemid JOIN admissions a ON a.hadm_id = l.hadm_id WHERE a.dischtime IS NULL "
            "ORDER BY 1, 2"
        ),
        ambiguous=_tied(
            f"{_LP} AND hadm_id IN (SELECT hadm_id FROM admissions WHERE subject_id = :subject_id "
            "AND dischtime IS NULL)",
            "DESC",
        ),
        **NUMBER,
    ),
    Template(
        name="lab_max_window",
        category="lab_window",
        question=(
            "What was the maximum value of the lab test '{lab}' for patient {subject_id} in the last "
            "{months} months (since {months} months before now)?"
        ),
        sql=f"SELECT MAX(valuenum) {_LP} AND charttime >= datetime({NOW}, :window)",
        kind="number",
        candidates=_LAB_PATIENTS,
        refine=months_back,
        **NUMBER,
    ),
    # -- vital signs ---------------------------------------------------------------------
    Template(
        name="vital_aggregate_icustay",
        category="vital_aggregate",
        question=(
            "What was the {agg_word} '{vital}' value recorded for patient {subject_id} during ICU stay "
            "{icustay_id}?"
        ),
        sql=f"SELECT {{agg}}(valuenum) {_V}",
        kind="number",
        candidates=_VITAL_PAIRS,
        refine=with_aggregate,
        **NUMBER,
    ),
    Template(
        name="vital_last_value_icustay",
        category="vital_last_value",
        question=(
            "What was the last '{vital}' value recorded for patient {subject_id} during ICU stay {icustay_id}?"
        ),
        sql=f"SELECT valuenum {_V} ORDER BY charttime DESC LIMIT 1",
        kind="number",
        candidates=_VITAL_PAIRS,
        ambiguous=_tied(_V, "DESC"),
        **NUMBER,
    ),
    Template(
        name="vital_first_time_icustay",
        category="vital_time",
        question="When was '{vital}' first recorded for patient {subject_id} during ICU stay {icustay_id}?",
        sql=f"SELECT MIN(charttime) {_V}",
        kind="date",
        candidates=_VITAL_PAIRS,
    ),
    Template(
        name="vital_above_threshold",
        category="vital_threshold",
        question=(
            "Was any '{vital}' value of patient {subject_id} greater than {threshold} during ICU stay "
            "{icustay_id}?"
        ),
        sql=f"SELECT EXISTS (SELECT 1 {_V} AND valuenum > :threshold)",
        kind="bool",
        candidates=(
            "SELECT c.subject_id, c.icustay_id, d.label AS vital, MAX(c.valuenum) AS ref FROM chartevents c "
            "JOIN d_items d ON d.itemid = c.itemid GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ),
        refine=threshold(),
        ambiguous=f"SELECT EXISTS (SELECT 1 {_V} AND valuenum = :threshold)",
    ),
    Template(
        name="vital_change_icustay",
        category="vital_change",
        question=(
            "By how much did the '{vital}' of patient {subject_id} change from its first to its last "
            "recorded value during ICU stay {icustay_id} (last minus first)?"
        ),
        sql=(
            f"SELECT (SELECT valuenum {_V} ORDER BY charttime DESC LIMIT 1) - "
            f"(SELECT valuenum {_V} ORDER BY charttime LIMIT 1)"
        ),
        kind="number",
        candidates=(
            "SELECT c.subject_id, c.icustay_id, d.label AS vital FROM chartevents c JOIN d_items d "
            "ON d.itemid = c.itemid GROUP BY 1, 2, 3 HAVING COUNT(DISTINCT c.charttime) >= 2 ORDER BY 1, 2, 3"
        ),
        ambiguous=f"SELECT ({_tied(_V, 'ASC')}) OR ({_tied(_V, 'DESC')})",
        signed=True,
        **NUMBER,
    ),
    Template(
        name="vital_count_below",
        category="vital_count",
        question=(
            "How many '{vital}' values below {threshold} were recorded for patient {subject_id} during "
            "ICU stay {icustay_id}?"
        ),
        sql=f"SELECT COUNT(*) {_V} AND valuenum < :threshold",
        kind="integer",
        candidates=(
            "SELECT c.subject_id, c.icustay_id, d.label AS vital, AVG(c.valuenum) AS ref FROM chartevents c "
            "JOIN d_items d ON d.itemid = c.itemid GROUP BY 1, 2, 3 HAVING COUNT(*) >= 20 ORDER BY 1, 2, 3"
        ),
        refine=chain(threshold()),
        ambiguous=f"SELECT EXISTS (SELECT 1 {_V} AND valuenum = :threshold)",
    ),
    Template(
        name="vital_last_current_icu",
        category="vital_current_value",
        question=(
            "What is the most recent '{vital}' value of patient {subject_id} in their current ICU stay "
            "(one that has not ended yet)?"
        ),
        sql=(
            f"SELECT valuenum FROM chartevents WHERE subject_id = :subject_id AND itemid IN ({VITAL}) "
            "AND icustay_id IN (SELECT icustay_id FROM icustays WHERE subject_id = :subject_id AND outtime IS NULL) "
            "ORDER BY charttime DESC LIMIT 1"
        ),
        kind="number",
        candidates=(
            "SELECT DISTINCT c.subject_id, d.label AS vital FROM chartevents c JOIN d_items d "
            "ON d.itemid = c.itemid JOIN icustays i ON i.icustay_id = c.icustay_id WHERE i.outtime IS NULL "
            "ORDER BY 1, 2"
        ),
        ambiguous=_tied(
            f"FROM chartevents WHERE subject_id = :subject_id AND itemid IN ({VITAL}) AND icustay_id IN "
            "(SELECT icustay_id FROM icustays WHERE subject_id = :subject_id AND outtime IS NULL)",
            "DESC",
        ),
        **NUMBER,
    ),
)
