"""eICU question templates about intake/output, cultures and allergies.

Written for arollout after EHRSQL's eICU question kinds (glee4810/EHRSQL):
totals of a named output over a stay or of all intake over a day (EHRSQL
tells intake from output by ``cellpath``, as here), the fluid balance of a
stay, the organism of the first culture from a site, the culture sites of a
patient, and allergy lookups. Existence questions about allergies sample the
patient/allergy pairs from a cross product, so "no" answers are as common as
"yes" ones.
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.ehr.templates import Template

__all__ = ("CHART_TEMPLATES",)

_IO = "intakeoutput i JOIN patient p ON p.patientunitstayid = i.patientunitstayid"
_MICRO = "microlab m JOIN patient p ON p.patientunitstayid = m.patientunitstayid"
_ALLERGY = "allergy a JOIN patient p ON p.patientunitstayid = a.patientunitstayid"
_TOP_ALLERGIES = (
    "SELECT allergyname FROM allergy GROUP BY 1 ORDER BY COUNT(DISTINCT patientunitstayid) DESC, 1 "
    "LIMIT 15"
)

CHART_TEMPLATES: Final[tuple[Template, ...]] = (
    Template(
        name="output_total_stay",
        category="output_total",
        question=(
            "What was the total '{label}' output (in ml; output cells are those whose cellpath "
            "contains 'output') of patient {uniquepid} during ICU stay {stay}?"
        ),
        sql="""
SELECT SUM(cellvaluenumeric) FROM intakeoutput
WHERE patientunitstayid = :stay AND celllabel = :label AND cellpath LIKE '%output%'""",
        kind="number",
        candidates=f"""
SELECT DISTINCT p.uniquepid, p.patientunitstayid AS stay, i.celllabel AS label FROM {_IO}
WHERE i.cellpath LIKE '%output%' ORDER BY 2, 3""",
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="intake_total_day",
        category="intake_day_total",
        question=(
            "What was the total intake (in ml, over all cells whose cellpath contains 'intake') "
            "of patient {uniquepid} on {day}?"
        ),
        sql=f"""
SELECT SUM(i.cellvaluenumeric) FROM {_IO}
WHERE p.uniquepid = :uniquepid AND i.cellpath LIKE '%intake%' AND date(i.intakeoutputtime) = :day""",
        kind="number",
        candidates=f"""
SELECT DISTINCT p.uniquepid, date(i.intakeoutputtime) AS day FROM {_IO}
WHERE i.cellpath LIKE '%intake%' ORDER BY 1, 2""",
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="fluid_balance_stay",
        category="fluid_balance",
        question=(
            "What was the fluid balance (total intake minus total output, in ml; intake cells "
            "have 'intake' in their cellpath, output cells 'output') of patient {uniquepid} "
            "during ICU stay {stay}?"
        ),
        sql="""
SELECT TOTAL(CASE WHEN cellpath LIKE '%intake%' THEN cellvaluenumeric END)
     - TOTAL(CASE WHEN cellpath LIKE '%output%' THEN cellvaluenumeric END)
FROM intakeoutput WHERE patientunitstayid = :stay""",
        kind="number",
        candidates=f"SELECT DISTINCT p.uniquepid, p.patientunitstayid AS stay FROM {_IO} ORDER BY 2",
        signed=True,
        rel_tol=1e-6,
        abs_tol=0.006,
    ),
    Template(
        name="output_last_time",
        category="output_last_time",
        question=(
            "When was the last '{label}' output (a cell whose cellpath contains 'output') of "
            "patient {uniquepid} recorded?"
        ),
        sql=f"""
SELECT MAX(i.intakeoutputtime) FROM {_IO}
WHERE p.uniquepid = :uniquepid AND i.celllabel = :label AND i.cellpath LIKE '%output%'""",
        kind="date",
        candidates=f"""
SELECT DISTINCT p.uniquepid, i.celllabel AS label FROM {_IO}
WHERE i.cellpath LIKE '%output%' ORDER BY 1, 2""",
    ),
    Template(
        name="first_intake_of_stay",
        category="stay_first_intake",
        question=(
            "What was the label of the first intake (a cell whose cellpath contains 'intake') "
            "recorded for patient {uniquepid} during ICU stay {stay}?"
        ),
        sql="""
SELECT celllabel FROM intakeoutput WHERE patientunitstayid = :stay AND cellpath LIKE '%intake%'
ORDER BY intakeoutputtime LIMIT 1""",
        kind="text",
        candidates=f"""
SELECT DISTINCT p.uniquepid, p.patientunitstayid AS stay FROM {_IO}
WHERE i.cellpath LIKE '%intake%' ORDER BY 2""",
        ambiguous="""
SELECT COUNT(DISTINCT celllabel) > 1 FROM intakeoutput
WHERE patientunitstayid = :stay AND cellpath LIKE '%intake%' AND intakeoutputtime = (
  SELECT MIN(intakeoutputtime) FROM intakeoutput
  WHERE patientunitstayid = :stay AND cellpath LIKE '%intake%')""",
    ),
    Template(
        name="first_culture_organism",
        category="culture_organism",
        question=(
            "What organism was reported for the first '{site}' culture taken from patient "
            "{uniquepid}?"
        ),
        sql=f"""
SELECT m.organism FROM {_MICRO} WHERE p.uniquepid = :uniquepid AND m.culturesite = :site
ORDER BY m.culturetakentime LIMIT 1""",
        kind="text",
        candidates=f"SELECT DISTINCT p.uniquepid, m.culturesite AS site FROM {_MICRO} ORDER BY 1, 2",
        ambiguous=f"""
SELECT COUNT(DISTINCT m.organism) > 1 FROM {_MICRO}
WHERE p.uniquepid = :uniquepid AND m.culturesite = :site AND m.culturetakentime = (
  SELECT MIN(m.culturetakentime) FROM {_MICRO}
  WHERE p.uniquepid = :uniquepid AND m.culturesite = :site)""",
    ),
    Template(
        name="culture_sites_of_patient",
        category="culture_sites",
        question="From which culture sites have cultures been taken from patient {uniquepid}?",
        sql=f"SELECT DISTINCT m.culturesite FROM {_MICRO} WHERE p.uniquepid = :uniquepid ORDER BY 1",
        kind="set",
        candidates=f"SELECT DISTINCT p.uniquepid FROM {_MICRO} ORDER BY 1",
    ),
    Template(
        name="cultures_with_organism",
        category="culture_counts",
        question="How many cultures (rows of microlab) have reported the organism '{organism}'?",
        sql="SELECT COUNT(*) FROM microlab WHERE organism = :organism",
        kind="integer",
        candidates="SELECT DISTINCT organism FROM microlab ORDER BY 1",
    ),
    Template(
        name="patients_with_culture_site",
        category="culture_counts",
        question="How many distinct patients have had a '{site}' culture taken?",
        sql=f"SELECT COUNT(DISTINCT p.uniquepid) FROM {_MICRO} WHERE m.culturesite = :site",
        kind="integer",
        candidates="SELECT DISTINCT culturesite AS site FROM microlab ORDER BY 1",
    ),
    Template(
        name="patients_with_organism_site",
        category="culture_counts",
        question=(
            "How many distinct patients have had a '{site}' culture that reported '{organism}'?"
        ),
        sql=f"""
SELECT COUNT(DISTINCT p.uniquepid) FROM {_MICRO}
WHERE m.culturesite = :site AND m.organism = :organism""",
        kind="integer",
        candidates="SELECT DISTINCT culturesite AS site, organism FROM microlab ORDER BY 1, 2",
    ),
    Template(
        name="last_culture_time",
        category="culture_last_time",
        question="When was the last culture taken from patient {uniquepid}?",
        sql=f"SELECT MAX(m.culturetakentime) FROM {_MICRO} WHERE p.uniquepid = :uniquepid",
        kind="date",
        candidates=f"SELECT DISTINCT p.uniquepid FROM {_MICRO} ORDER BY 1",
    ),
    Template(
        name="allergies_of_patient",
        category="patient_allergies",
        question="Which allergies (allergy names) have been recorded for patient {uniquepid}?",
        sql=f"SELECT DISTINCT a.allergyname FROM {_ALLERGY} WHERE p.uniquepid = :uniquepid ORDER BY 1",
        kind="set",
        candidates=f"SELECT DISTINCT p.uniquepid FROM {_ALLERGY} ORDER BY 1",
    ),
    Template(
        name="allergy_patient_count",
        category="allergy_patient_count",
        question="How many distinct patients have a recorded allergy to '{allergy}'?",
        sql=f"SELECT COUNT(DISTINCT p.uniquepid) FROM {_ALLERGY} WHERE a.allergyname = :allergy",
        kind="integer",
        candidates="SELECT DISTINCT allergyname AS allergy FROM allergy ORDER BY 1",
    ),
    Template(
        name="allergy_of_patient",
        category="allergy_check",
        question="Has an allergy to '{allergy}' been recorded for patient {uniquepid}?",
        sql=f"""
SELECT EXISTS (SELECT 1 FROM {_ALLERGY} WHERE p.uniquepid = :uniquepid AND a.allergyname = :allergy)""",
        kind="bool",
        candidates=f"""
SELECT u.uniquepid, x.allergyname AS allergy
FROM (SELECT DISTINCT uniquepid FROM patient) u CROSS JOIN ({_TOP_ALLERGIES}) x ORDER BY 1, 2""",
    ),
    Template(
        name="allergy_first_recorded",
        category="allergy_first_time",
        question="When was an allergy to '{allergy}' first recorded for patient {uniquepid}?",
        sql=f"""
SELECT MIN(a.allergytime) FROM {_ALLERGY} WHERE p.uniquepid = :uniquepid AND a.allergyname = :allergy""",
        kind="date",
        candidates=f"SELECT DISTINCT p.uniquepid, a.allergyname AS allergy FROM {_ALLERGY} ORDER BY 1, 2",
    ),
)
"""Templates over ``intakeoutput``, ``microlab`` and ``allergy``."""
