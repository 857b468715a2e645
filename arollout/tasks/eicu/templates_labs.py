"""eICU question templates about lab results (``lab``) and vital signs (``vitalperiodic``).

Written for arollout after EHRSQL's eICU question kinds (glee4810/EHRSQL):
first/last values, aggregates over a stay or a day, the change between the
last two results, whether a value ever crossed a threshold, when it first
did, and windows that end at "now" for patients still in the ICU. In both
eICU databases these two tables are synthetic (see
:mod:`~arollout.tasks.eicu.signals`), so thresholds can be taken from the
generator's reference ranges. Vital-sign columns are chosen from the
whitelist :data:`~arollout.tasks.eicu.slots.VITALS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.ehr.templates import AGGREGATES, Template, with_aggregate
from arollout.tasks.eicu.slots import (
    NOW,
    NOW_COLUMN,
    VITALS,
    lab_cut,
    lab_threshold,
    vital_alarm,
    vital_threshold,
    with_vital,
    with_window,
)

if TYPE_CHECKING:
    import random

    from arollout.tasks.ehr.templates import Slots

__all__ = ("LAB_TEMPLATES",)

_LAB = "lab l JOIN patient p ON p.patientunitstayid = l.patientunitstayid"
_STAY_LABS = f"SELECT DISTINCT p.uniquepid, p.patientunitstayid AS stay, l.labname FROM {_LAB}"
_VITAL_EXTREMES = " UNION ALL ".join(
    f"SELECT p.uniquepid, v.patientunitstayid AS stay, '{c}' AS vital_key, MAX(v.{c}) AS peak "
    f"FROM vitalperiodic v JOIN patient p ON p.patientunitstayid = v.patientunitstayid "
    f"WHERE v.{c} IS NOT NULL GROUP BY 1, 2"
    for c in VITALS
)
_VITAL_STAYS = """
SELECT DISTINCT p.uniquepid, v.patientunitstayid AS stay
FROM vitalperiodic v JOIN patient p ON p.patientunitstayid = v.patientunitstayid"""


def _vital_aggregate(slots: Slots, rng: random.Random) -> Slots | None:
    """A whitelisted vital sign and an aggregate."""
    return with_aggregate(with_vital(slots, rng), rng)


def _vital_recent(slots: Slots, rng: random.Random) -> Slots | None:
    """A whitelisted vital sign, an aggregate and a window that ends at "now"."""
    word, fn = rng.choice(AGGREGATES)
    chosen = with_window(with_vital(slots, rng), rng)
    return None if chosen is None else {**chosen, "agg_word": word, "agg": fn}


LAB_TEMPLATES: Final[tuple[Template, ...]] = (
    Template(
        name="lab_first_value_stay",
        category="lab_first_value",
        question=(
            "What was the first '{labname}' lab result of patient {uniquepid} during ICU stay "
            "{stay}?"
        ),
        sql="""
SELECT labresult FROM lab WHERE patientunitstayid = :stay AND labname = :labname
ORDER BY labresulttime LIMIT 1""",
        kind="number",
        candidates=f"{_STAY_LABS} ORDER BY 2, 3",
        ambiguous="""
SELECT COUNT(DISTINCT labresult) > 1 FROM lab WHERE patientunitstayid = :stay
  AND labname = :labname AND labresulttime = (
    SELECT MIN(labresulttime) FROM lab WHERE patientunitstayid = :stay AND labname = :labname)""",
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="lab_aggregate_stay",
        category="lab_aggregate",
        question=(
            "What was the {agg_word} '{labname}' lab result of patient {uniquepid} during ICU "
            "stay {stay}?"
        ),
        sql="""
SELECT {agg}(labresult) FROM lab WHERE patientunitstayid = :stay AND labname = :labname""",
        kind="number",
        candidates=f"{_STAY_LABS} ORDER BY 2, 3",
        refine=with_aggregate,
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="lab_last_time_patient",
        category="lab_last_time",
        question="When was the last '{labname}' lab result of patient {uniquepid} recorded?",
        sql=f"""
SELECT MAX(l.labresulttime) FROM {_LAB} WHERE p.uniquepid = :uniquepid AND l.labname = :labname""",
        kind="date",
        candidates=f"SELECT DISTINCT p.uniquepid, l.labname FROM {_LAB} ORDER BY 1, 2",
    ),
    Template(
        name="lab_change_last_two",
        category="lab_change",
        question=(
            "During ICU stay {stay} of patient {uniquepid}, what was the last '{labname}' result "
            "minus the second-to-last one?"
        ),
        sql="""
SELECT (SELECT labresult FROM lab WHERE patientunitstayid = :stay AND labname = :labname
        ORDER BY labresulttime DESC LIMIT 1)
     - (SELECT labresult FROM lab WHERE patientunitstayid = :stay AND labname = :labname
        ORDER BY labresulttime DESC LIMIT 1 OFFSET 1)""",
        kind="number",
        candidates=f"""
SELECT p.uniquepid, p.patientunitstayid AS stay, l.labname FROM {_LAB}
GROUP BY 1, 2, 3 HAVING COUNT(*) >= 2 ORDER BY 2, 3""",
        ambiguous="""
WITH t AS (SELECT labresulttime FROM lab WHERE patientunitstayid = :stay AND labname = :labname
           ORDER BY labresulttime DESC LIMIT 3)
SELECT COUNT(DISTINCT labresulttime) < COUNT(*) FROM t""",
        signed=True,
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="lab_above_threshold_stay",
        category="lab_threshold",
        question=(
            "Did patient {uniquepid} have any '{labname}' lab result greater than {threshold} "
            "during ICU stay {stay}?"
        ),
        sql="""
SELECT EXISTS (SELECT 1 FROM lab WHERE patientunitstayid = :stay AND labname = :labname
  AND labresult > :threshold)""",
        kind="bool",
        candidates=f"""
SELECT p.uniquepid, p.patientunitstayid AS stay, l.labname, MAX(l.labresult) AS peak
FROM {_LAB} GROUP BY 1, 2, 3 ORDER BY 2, 3""",
        refine=lab_threshold,
        ambiguous="""
SELECT EXISTS (SELECT 1 FROM lab WHERE patientunitstayid = :stay AND labname = :labname
  AND labresult = :threshold)""",
    ),
    Template(
        name="lab_patients_above_year",
        category="lab_patient_count",
        question=(
            "How many distinct patients had at least one '{labname}' lab result greater than "
            "{threshold} in the year {year}?"
        ),
        sql=f"""
SELECT COUNT(DISTINCT p.uniquepid) FROM {_LAB}
WHERE l.labname = :labname AND l.labresult > :threshold
  AND strftime('%Y', l.labresulttime) = :year""",
        kind="integer",
        candidates="""
SELECT DISTINCT labname, strftime('%Y', labresulttime) AS year FROM lab ORDER BY 1, 2""",
        refine=lab_cut,
    ),
    Template(
        name="lab_results_of_stay",
        category="stay_lab_count",
        question=(
            "How many '{labname}' lab results were recorded for patient {uniquepid} during ICU "
            "stay {stay}?"
        ),
        sql="SELECT COUNT(*) FROM lab WHERE patientunitstayid = :stay AND labname = :labname",
        kind="integer",
        candidates=f"""
SELECT p.uniquepid, p.patientunitstayid AS stay, l.labname FROM {_LAB}
GROUP BY 1, 2, 3 HAVING COUNT(*) >= 10 ORDER BY 2, 3""",
    ),
    Template(
        name="lab_day_average",
        category="lab_day_average",
        question=(
            "What was the average '{labname}' lab result of patient {uniquepid} on {day} "
            "(over that calendar day)?"
        ),
        sql=f"""
SELECT AVG(l.labresult) FROM {_LAB}
WHERE p.uniquepid = :uniquepid AND l.labname = :labname AND date(l.labresulttime) = :day""",
        kind="number",
        candidates=f"""
SELECT p.uniquepid, l.labname, date(l.labresulttime) AS day FROM {_LAB}
GROUP BY 1, 2, 3 HAVING COUNT(*) >= 2 ORDER BY 1, 2, 3""",
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="lab_last_above_first",
        category="lab_trend",
        question=(
            "During ICU stay {stay} of patient {uniquepid}, was the last '{labname}' lab result "
            "higher than the first one?"
        ),
        sql="""
SELECT (SELECT labresult FROM lab WHERE patientunitstayid = :stay AND labname = :labname
        ORDER BY labresulttime DESC LIMIT 1)
     > (SELECT labresult FROM lab WHERE patientunitstayid = :stay AND labname = :labname
        ORDER BY labresulttime LIMIT 1)""",
        kind="bool",
        candidates=f"""
SELECT p.uniquepid, p.patientunitstayid AS stay, l.labname FROM {_LAB}
GROUP BY 1, 2, 3 HAVING COUNT(*) >= 2 ORDER BY 2, 3""",
        ambiguous="""
WITH r AS (SELECT labresult, labresulttime FROM lab
           WHERE patientunitstayid = :stay AND labname = :labname)
SELECT (SELECT COUNT(*) FROM r WHERE labresulttime = (SELECT MIN(labresulttime) FROM r)) > 1
    OR (SELECT COUNT(*) FROM r WHERE labresulttime = (SELECT MAX(labresulttime) FROM r)) > 1
    OR (SELECT labresult FROM r ORDER BY labresulttime LIMIT 1)
     = (SELECT labresult FROM r ORDER BY labresulttime DESC LIMIT 1)""",
    ),
    Template(
        name="vital_aggregate_stay",
        category="vital_aggregate",
        question=(
            "What was the {agg_word} {vital_word} of patient {uniquepid} during ICU stay {stay}, "
            "over the periodic vital-sign records?"
        ),
        sql="SELECT {agg}({vital}) FROM vitalperiodic WHERE patientunitstayid = :stay",
        kind="number",
        candidates=f"{_VITAL_STAYS} ORDER BY 2",
        refine=_vital_aggregate,
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="vital_first_time_beyond",
        category="vital_first_time",
        question=(
            "When was the {vital_word} of patient {uniquepid} first {direction} {threshold} "
            "during ICU stay {stay}?"
        ),
        sql="""
SELECT MIN(observationtime) FROM vitalperiodic
WHERE patientunitstayid = :stay AND {vital} {op} :threshold""",
        kind="date",
        candidates=f"{_VITAL_STAYS} ORDER BY 2",
        refine=vital_alarm,
    ),
    Template(
        name="vital_ever_above",
        category="vital_threshold",
        question=(
            "Was the {vital_word} of patient {uniquepid} ever greater than {threshold} during ICU "
            "stay {stay}?"
        ),
        sql="""
SELECT EXISTS (SELECT 1 FROM vitalperiodic
  WHERE patientunitstayid = :stay AND {vital} > :threshold)""",
        kind="bool",
        candidates=f"SELECT * FROM ({_VITAL_EXTREMES}) ORDER BY 2, 3",
        refine=vital_threshold,
        ambiguous="""
SELECT EXISTS (SELECT 1 FROM vitalperiodic
  WHERE patientunitstayid = :stay AND {vital} = :threshold)""",
    ),
    Template(
        name="vital_day_maximum",
        category="vital_day_max",
        question="What was the maximum {vital_word} of patient {uniquepid} on {day}?",
        sql="""
SELECT MAX(v.{vital}) FROM vitalperiodic v
JOIN patient p ON p.patientunitstayid = v.patientunitstayid
WHERE p.uniquepid = :uniquepid AND date(v.observationtime) = :day""",
        kind="number",
        candidates="""
SELECT DISTINCT p.uniquepid, date(v.observationtime) AS day FROM vitalperiodic v
JOIN patient p ON p.patientunitstayid = v.patientunitstayid ORDER BY 1, 2""",
        refine=with_vital,
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="vital_last_value_stay",
        category="vital_last_value",
        question=(
            "What was the last recorded {vital_word} of patient {uniquepid} during ICU stay {stay}?"
        ),
        sql="""
SELECT {vital} FROM vitalperiodic WHERE patientunitstayid = :stay AND {vital} IS NOT NULL
ORDER BY observationtime DESC LIMIT 1""",
        kind="number",
        candidates=f"{_VITAL_STAYS} ORDER BY 2",
        refine=with_vital,
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="vital_recent_window",
        category="vital_recent",
        question=(
            NOW + " Patient {uniquepid} is still in the ICU. What was their {agg_word} "
            "{vital_word} over the last {window_word} (observations at or after that time)?"
        ),
        sql="""
SELECT {agg}(v.{vital}) FROM vitalperiodic v
JOIN patient p ON p.patientunitstayid = v.patientunitstayid
WHERE p.uniquepid = :uniquepid AND p.unitdischargetime IS NULL
  AND v.observationtime >= datetime(:current_time, '{window}')""",
        kind="number",
        candidates=f"""
SELECT DISTINCT uniquepid, {NOW_COLUMN} FROM patient WHERE unitdischargetime IS NULL ORDER BY 1""",
        refine=_vital_recent,
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="vital_count_beyond",
        category="vital_count",
        question=(
            "How many periodic vital-sign records of patient {uniquepid} during ICU stay {stay} "
            "have a {vital_word} {direction} {threshold}?"
        ),
        sql="""
SELECT COUNT(*) FROM vitalperiodic WHERE patientunitstayid = :stay AND {vital} {op} :threshold""",
        kind="integer",
        candidates=f"{_VITAL_STAYS} ORDER BY 2",
        refine=vital_alarm,
    ),
)
"""Templates over ``lab`` and ``vitalperiodic``."""
