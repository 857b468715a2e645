"""MIMIC-III templates about coded events: diagnoses, procedures and microbiology.

Diagnosis and procedure questions go through the ``d_icd_*`` dictionaries by
short title (the EHRSQL idiom ``icd9_code IN (SELECT icd9_code FROM
d_icd_diagnoses WHERE short_title = ...)``); rankings ("the three most
frequent") are dropped when a tie straddles the cut, existence questions are
balanced between yes and no.
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.ehr.templates import Template
from arollout.tasks.mimic.slots import ranks, top_k, top_k_tie

__all__ = ("CODE_TEMPLATES",)

_DX = "SELECT icd9_code FROM d_icd_diagnoses WHERE short_title = :title"
_PX = "SELECT icd9_code FROM d_icd_procedures WHERE short_title = :title"


def _titles(table: str, dictionary: str) -> str:
    """Titles that occur in ``table`` and name exactly one code."""
    return (
        f"SELECT t.short_title AS title FROM {dictionary} t WHERE t.icd9_code IN "
        f"(SELECT icd9_code FROM {table}) GROUP BY 1 HAVING COUNT(*) = 1 ORDER BY 1"
    )


_DX_TOP_YEAR = (
    "SELECT d.short_title AS title, COUNT(DISTINCT x.subject_id) AS n FROM diagnoses_icd x "
    "JOIN d_icd_diagnoses d ON d.icd9_code = x.icd9_code WHERE strftime('%Y', x.charttime) = :year "
    "GROUP BY 1"
)
_DX_TOP_AGE = (
    "SELECT d.short_title AS title, COUNT(DISTINCT x.hadm_id) AS n FROM diagnoses_icd x "
    "JOIN d_icd_diagnoses d ON d.icd9_code = x.icd9_code JOIN admissions a ON a.hadm_id = x.hadm_id "
    "WHERE a.age BETWEEN :lo AND :hi GROUP BY 1"
)
_PX_TOP_YEAR = (
    "SELECT d.short_title AS title, COUNT(*) AS n FROM procedures_icd x "
    "JOIN d_icd_procedures d ON d.icd9_code = x.icd9_code JOIN patients p ON p.subject_id = x.subject_id "
    "WHERE strftime('%Y', x.charttime) = :year AND p.gender = :gender GROUP BY 1"
)
_DX_TOP_GENDER = (
    "SELECT d.short_title AS title, COUNT(DISTINCT x.subject_id) AS n FROM diagnoses_icd x "
    "JOIN d_icd_diagnoses d ON d.icd9_code = x.icd9_code JOIN patients p ON p.subject_id = x.subject_id "
    "WHERE strftime('%Y', x.charttime) = :year AND p.gender = :gender GROUP BY 1"
)
_MICRO_TOP = (
    "SELECT m.spec_type_desc AS title, COUNT(*) AS n FROM microbiologyevents m "
    "JOIN patients p ON p.subject_id = m.subject_id WHERE strftime('%Y', m.charttime) = :year "
    "AND p.gender = :gender AND m.spec_type_desc IS NOT NULL GROUP BY 1"
)


CODE_TEMPLATES: Final[tuple[Template, ...]] = (
    Template(
        name="diagnoses_of_admission",
        category="diagnoses_set",
        question="Which diagnoses (short titles) were recorded for patient {subject_id} during hospital admission {hadm_id}?",
        sql=(
            "SELECT DISTINCT d.short_title FROM diagnoses_icd x JOIN d_icd_diagnoses d "
            "ON d.icd9_code = x.icd9_code WHERE x.subject_id = :subject_id AND x.hadm_id = :hadm_id ORDER BY 1"
        ),
        kind="set",
        candidates="SELECT DISTINCT subject_id, hadm_id FROM diagnoses_icd ORDER BY 1, 2",
        max_items=30,
    ),
    Template(
        name="diagnosis_patient_count",
        category="diagnosis_patients",
        question="How many distinct patients have been diagnosed with '{title}'?",
        sql=f"SELECT COUNT(DISTINCT subject_id) FROM diagnoses_icd WHERE icd9_code IN ({_DX})",
        kind="integer",
        candidates=_titles("diagnoses_icd", "d_icd_diagnoses"),
    ),
    Template(
        name="diagnosis_patient_count_year",
        category="diagnosis_patients",
        question="How many distinct patients were diagnosed with '{title}' in the year {year}?",
        sql=(
            f"SELECT COUNT(DISTINCT subject_id) FROM diagnoses_icd WHERE icd9_code IN ({_DX}) "
            "AND strftime('%Y', charttime) = :year"
        ),
        kind="integer",
        candidates=(
            "SELECT DISTINCT d.short_title AS title, strftime('%Y', x.charttime) AS year FROM diagnoses_icd x "
            "JOIN d_icd_diagnoses d ON d.icd9_code = x.icd9_code ORDER BY 1, 2"
        ),
        ambiguous="SELECT COUNT(*) > 1 FROM d_icd_diagnoses WHERE short_title = :title",
    ),
    Template(
        name="diagnosed_ever",
        category="diagnosis_existence",
        question="Has patient {subject_id} ever been diagnosed with '{title}'?",
        sql=f"SELECT EXISTS (SELECT 1 FROM diagnoses_icd WHERE subject_id = :subject_id AND icd9_code IN ({_DX}))",
        kind="bool",
        candidates=(
            "SELECT p.subject_id, t.title FROM (SELECT DISTINCT subject_id FROM diagnoses_icd) p, "
            "(SELECT d.short_title AS title FROM d_icd_diagnoses d JOIN diagnoses_icd x "
            "ON x.icd9_code = d.icd9_code GROUP BY 1 HAVING COUNT(DISTINCT d.icd9_code) = 1 "
            "ORDER BY COUNT(*) DESC LIMIT 25) t ORDER BY 1, 2"
        ),
    ),
    Template(
        name="first_diagnosis_time",
        category="diagnosis_time",
        question="When was patient {subject_id} first diagnosed with '{title}'?",
        sql=f"SELECT MIN(charttime) FROM diagnoses_icd WHERE subject_id = :subject_id AND icd9_code IN ({_DX})",
        kind="date",
        candidates=(
            "SELECT DISTINCT x.subject_id, d.short_title AS title FROM diagnoses_icd x "
            "JOIN d_icd_diagnoses d ON d.icd9_code = x.icd9_code ORDER BY 1, 2"
        ),
        ambiguous="SELECT COUNT(*) > 1 FROM d_icd_diagnoses WHERE short_title = :title",
    ),
    Template(
        name="diagnosis_code_of_title",
        category="diagnosis_lookup",
        question="What is the ICD-9 code of the diagnosis with the short title '{title}'?",
        sql="SELECT icd9_code FROM d_icd_diagnoses WHERE short_title = :title",
        kind="text",
        candidates=_titles("diagnoses_icd", "d_icd_diagnoses"),
    ),
    Template(
        name="diagnosis_long_title",
        category="diagnosis_lookup",
        question="What is the long title of the ICD-9 diagnosis code '{code}'?",
        sql="SELECT long_title FROM d_icd_diagnoses WHERE icd9_code = :code",
        kind="text",
        candidates="SELECT DISTINCT icd9_code AS code FROM diagnoses_icd ORDER BY 1",
    ),
    Template(
        name="topk_diagnoses_year",
        category="top_diagnoses",
        question=(
            "What were the {k_word} most frequent diagnoses (short titles) in the year {year}, counting "
            "distinct patients diagnosed?"
        ),
        sql=top_k(_DX_TOP_YEAR),
        kind="set",
        candidates="SELECT DISTINCT strftime('%Y', charttime) AS year FROM diagnoses_icd ORDER BY 1",
        refine=ranks,
        ambiguous=top_k_tie(_DX_TOP_YEAR),
    ),
    Template(
        name="topk_diagnoses_gender_year",
        category="top_diagnoses",
        question=(
            "What were the {k_word} most frequent diagnoses (short titles) in the year {year} among "
            "patients of gender '{gender}', counting distinct patients diagnosed?"
        ),
        sql=top_k(_DX_TOP_GENDER),
        kind="set",
        candidates=(
            "SELECT DISTINCT strftime('%Y', x.charttime) AS year, p.gender FROM diagnoses_icd x "
            "JOIN patients p ON p.subject_id = x.subject_id ORDER BY 1, 2"
        ),
        refine=ranks,
        ambiguous=top_k_tie(_DX_TOP_GENDER),
    ),
    Template(
        name="topk_diagnoses_age",
        category="top_diagnoses",
        question=(
            "What were the {k_word} most frequent diagnoses (short titles) among hospital admissions of "
            "patients aged {lo} to {hi}, counting admissions?"
        ),
        sql=top_k(_DX_TOP_AGE),
        kind="set",
        candidates="SELECT DISTINCT (age / 10) * 10 AS lo FROM admissions WHERE age BETWEEN 20 AND 89 ORDER BY 1",
        refine=lambda s, rng: ranks({"lo": s["lo"], "hi": s["lo"] + 9}, rng),
        ambiguous=top_k_tie(_DX_TOP_AGE),
    ),
    Template(
        name="procedures_of_admission",
        category="procedures_set",
        question="Which procedures (short titles) were performed on patient {subject_id} during hospital admission {hadm_id}?",
        sql=(
            "SELECT DISTINCT d.short_title FROM procedures_icd x JOIN d_icd_procedures d "
            "ON d.icd9_code = x.icd9_code WHERE x.subject_id = :subject_id AND x.hadm_id = :hadm_id ORDER BY 1"
        ),
        kind="set",
        candidates="SELECT DISTINCT subject_id, hadm_id FROM procedures_icd ORDER BY 1, 2",
    ),
    Template(
        name="procedure_patient_count",
        category="procedure_patients",
        question="How many distinct patients have undergone the procedure '{title}'?",
        sql=f"SELECT COUNT(DISTINCT subject_id) FROM procedures_icd WHERE icd9_code IN ({_PX})",
        kind="integer",
        candidates=_titles("procedures_icd", "d_icd_procedures"),
    ),
    Template(
        name="procedure_ever",
        category="procedure_existence",
        question="Has patient {subject_id} ever undergone the procedure '{title}'?",
        sql=f"SELECT EXISTS (SELECT 1 FROM procedures_icd WHERE subject_id = :subject_id AND icd9_code IN ({_PX}))",
        kind="bool",
        candidates=(
            "SELECT p.subject_id, t.title FROM (SELECT DISTINCT subject_id FROM procedures_icd) p, "
            "(SELECT d.short_title AS title FROM d_icd_procedures d JOIN procedures_icd x "
            "ON x.icd9_code = d.icd9_code GROUP BY 1 HAVING COUNT(DISTINCT d.icd9_code) = 1 "
            "ORDER BY COUNT(*) DESC LIMIT 15) t ORDER BY 1, 2"
        ),
    ),
    Template(
        name="last_procedure_time",
        category="procedure_time",
        question="When did patient {subject_id} most recently undergo the procedure '{title}'?",
        sql=f"SELECT MAX(charttime) FROM procedures_icd WHERE subject_id = :subject_id AND icd9_code IN ({_PX})",
        kind="date",
        candidates=(
            "SELECT DISTINCT x.subject_id, d.short_title AS title FROM procedures_icd x "
            "JOIN d_icd_procedures d ON d.icd9_code = x.icd9_code ORDER BY 1, 2"
        ),
        ambiguous="SELECT COUNT(*) > 1 FROM d_icd_procedures WHERE short_title = :title",
    ),
    Template(
        name="procedure_code_of_title",
        category="procedure_lookup",
        question="What is the ICD-9 code of the procedure with the short title '{title}'?",
        sql="SELECT icd9_code FROM d_icd_procedures WHERE short_title = :title",
        kind="text",
        candidates=_titles("procedures_icd", "d_icd_procedures"),
    ),
    Template(
        name="procedure_long_title",
        category="procedure_lookup",
        question="What is the long title of the ICD-9 procedure code '{code}'?",
        sql="SELECT long_title FROM d_icd_procedures WHERE icd9_code = :code",
        kind="text",
        candidates="SELECT DISTINCT icd9_code AS code FROM procedures_icd ORDER BY 1",
    ),
    Template(
        name="topk_procedures_gender_year",
        category="top_procedures",
        question=(
            "What were the {k_word} most frequently performed procedures (short titles) in the year {year} "
            "among patients of gender '{gender}'?"
        ),
        sql=top_k(_PX_TOP_YEAR),
        kind="set",
        candidates=(
            "SELECT DISTINCT strftime('%Y', x.charttime) AS year, p.gender FROM procedures_icd x "
            "JOIN patients p ON p.subject_id = x.subject_id ORDER BY 1, 2"
        ),
        refine=ranks,
        ambiguous=top_k_tie(_PX_TOP_YEAR),
    ),
    Template(
        name="diagnosis_and_procedure_count",
        category="diagnosis_procedure_patients",
        question=(
            "How many distinct patients were diagnosed with '{title}' and underwent the procedure "
            "'{procedure}' during the same hospital admission?"
        ),
        sql=(
            f"SELECT COUNT(DISTINCT d.subject_id) FROM diagnoses_icd d JOIN procedures_icd p "
            f"ON p.hadm_id = d.hadm_id WHERE d.icd9_code IN ({_DX}) AND p.icd9_code IN "
            "(SELECT icd9_code FROM d_icd_procedures WHERE short_title = :procedure)"
        ),
        kind="integer",
        candidates=(
            "SELECT DISTINCT dd.short_title AS title, pd.short_title AS procedure FROM diagnoses_icd d "
            "JOIN procedures_icd p ON p.hadm_id = d.hadm_id JOIN d_icd_diagnoses dd ON dd.icd9_code = d.icd9_code "
            "JOIN d_icd_procedures pd ON pd.icd9_code = p.icd9_code ORDER BY 1, 2"
        ),
        ambiguous=(
            "SELECT (SELECT COUNT(*) FROM d_icd_diagnoses WHERE short_title = :title) > 1 OR "
            "(SELECT COUNT(*) FROM d_icd_procedures WHERE short_title = :procedure) > 1"
        ),
    ),
    # -- microbiology ----------------------------------------------------------------------
    Template(
        name="specimens_of_admission",
        category="micro_specimens",
        question=(
            "Which specimen types were sent for microbiology testing for patient {subject_id} during "
            "hospital admission {hadm_id}?"
        ),
        sql=(
            "SELECT DISTINCT spec_type_desc FROM microbiologyevents WHERE subject_id = :subject_id "
            "AND hadm_id = :hadm_id AND spec_type_desc IS NOT NULL ORDER BY 1"
        ),
        kind="set",
        candidates="SELECT DISTINCT subject_id, hadm_id FROM microbiologyevents ORDER BY 1, 2",
    ),
    Template(
        name="last_organism",
        category="micro_organism",
        question=(
            "What organism grew in the most recent microbiology test of patient {subject_id} that "
            "found an organism?"
        ),
        sql=(
            "SELECT org_name FROM microbiologyevents WHERE subject_id = :subject_id AND org_name IS NOT NULL "
            "ORDER BY charttime DESC LIMIT 1"
        ),
        kind="text",
        candidates="SELECT DISTINCT subject_id FROM microbiologyevents WHERE org_name IS NOT NULL ORDER BY 1",
        ambiguous=(
            "SELECT COUNT(DISTINCT org_name) > 1 FROM microbiologyevents WHERE subject_id = :subject_id "
            "AND org_name IS NOT NULL AND charttime = (SELECT MAX(charttime) FROM microbiologyevents "
            "WHERE subject_id = :subject_id AND org_name IS NOT NULL)"
        ),
    ),
    Template(
        name="specimen_tested_admission",
        category="micro_existence",
        question=(
            "Was a '{specimen}' specimen tested in the microbiology lab for patient {subject_id} during "
            "hospital admission {hadm_id}?"
        ),
        sql=(
            "SELECT EXISTS (SELECT 1 FROM microbiologyevents WHERE subject_id = :subject_id "
            "AND hadm_id = :hadm_id AND spec_type_desc = :specimen)"
        ),
        kind="bool",
        candidates=(
            "SELECT DISTINCT m.subject_id, m.hadm_id, s.specimen FROM microbiologyevents m, "
            "(SELECT spec_type_desc AS specimen FROM microbiologyevents WHERE spec_type_desc IS NOT NULL "
            "GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 6) s ORDER BY 1, 2, 3"
        ),
    ),
    Template(
        name="topk_specimens_gender_year",
        category="top_specimens",
        question=(
            "What were the {k_word} most frequently tested microbiology specimen types in the year {year} "
            "among patients of gender '{gender}'?"
        ),
        sql=top_k(_MICRO_TOP),
        kind="set",
        candidates=(
            "SELECT DISTINCT strftime('%Y', m.charttime) AS year, p.gender FROM microbiologyevents m "
            "JOIN patients p ON p.subject_id = m.subject_id ORDER BY 1, 2"
        ),
        refine=ranks,
        ambiguous=top_k_tie(_MICRO_TOP),
    ),
)
