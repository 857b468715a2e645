"""TREQS / MIMICSQL-style question templates over the five flattened tables.

MIMICSQL's questions (``wangpinggl/TREQS``, ``mimicsql_data``) are counts of
patients under one or two conditions (a demographic value, a diagnosis or
procedure title, a drug, a lab test), aggregates of ``age`` or ``days_stay``,
and lookups of one patient's attributes, codes, drugs or lab results. Each
item there is a structured ``format`` (tables, conditions, aggregate); here
each template is that structure with the condition column drawn from a fixed
whitelist (a keyword field of the SQL) and the condition value drawn from the
database (a parameter), so every question is about values that exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.ehr.templates import Template, with_aggregate
from arollout.tasks.mimic.slots import NUMBER

if TYPE_CHECKING:
    import random

    from arollout.tasks.ehr.templates import Slots

__all__ = ("CONDITION_COLUMNS", "TEMPLATES")

CONDITION_COLUMNS: Final[dict[str, str]] = {
    "gender": "gender",
    "marital_status": "marital status",
    "language": "language",
    "admission_type": "admission type",
    "insurance": "insurance",
    "ethnicity": "ethnicity",
    "admission_location": "admission location",
    "discharge_location": "discharge location",
    "diagnosis": "primary disease",
}
"""DEMOGRAPHIC columns a condition may test, with their question wording."""

_PAIRS: Final = (
    ("gender", "admission_type"),
    ("gender", "insurance"),
    ("insurance", "admission_type"),
    ("marital_status", "gender"),
    ("ethnicity", "admission_type"),
    ("admission_location", "insurance"),
    ("discharge_location", "gender"),
)
_PATIENT_COLUMNS: Final = {
    "dob": "date of birth",
    "ethnicity": "ethnicity",
    "insurance": "insurance",
    "marital_status": "marital status",
    "language": "language",
}


def _one_condition(where: str = "") -> str:
    """Candidates ``(col, value)`` for every whitelisted column (``where`` filters rows)."""
    extra = f" AND {where}" if where else ""
    return (
        " UNION ".join(
            f"SELECT '{c}' AS col, {c} AS value FROM demographic WHERE {c} IS NOT NULL{extra}"
            for c in CONDITION_COLUMNS
        )
        + " ORDER BY 1, 2"
    )


def _two_conditions() -> str:
    return (
        " UNION ".join(
            f"SELECT '{a}' AS col, {a} AS value, '{b}' AS col2, {b} AS value2 FROM demographic "
            f"WHERE {a} IS NOT NULL AND {b} IS NOT NULL"
            for a, b in _PAIRS
        )
        + " ORDER BY 1, 2, 3, 4"
    )


def _words(slots: Slots, _rng: random.Random) -> Slots | None:
    out = {**slots, "col_word": CONDITION_COLUMNS[slots["col"]]}
    if "col2" in slots:
        out["col2_word"] = CONDITION_COLUMNS[slots["col2"]]
    return out


def _with(**choices: tuple[Any, ...]) -> Any:
    """A ``refine`` adding the column wording and one random value per named slot."""

    def refine(slots: Slots, rng: random.Random) -> Slots | None:
        out = _words(slots, rng)
        assert out is not None
        return {**out, **{k: rng.choice(v) for k, v in choices.items()}}

    return refine


def _patient_words(slots: Slots, _rng: random.Random) -> Slots | None:
    return {**slots, "col_word": _PATIENT_COLUMNS[slots["col"]]}


def _patient_columns(key: str) -> str:
    return (
        " UNION ".join(
            f"SELECT DISTINCT '{c}' AS col, {key} FROM demographic" for c in _PATIENT_COLUMNS
        )
        + " ORDER BY 1, 2"
    )


_COUNT = "SELECT COUNT(DISTINCT d.subject_id) FROM demographic d"
_COND = "d.{col} = :value"
_UNIQUE_NAME = "SELECT COUNT(DISTINCT subject_id) > 1 FROM demographic WHERE name = :name"

TEMPLATES: Final[tuple[Template, ...]] = (
    Template(
        name="count_one_condition",
        category="count_demographic",
        question="How many patients have {col_word} '{value}'?",
        sql=f"{_COUNT} WHERE {_COND}",
        kind="integer",
        candidates=_one_condition(),
        refine=_words,
    ),
    Template(
        name="count_two_conditions",
        category="count_two_conditions",
        question="How many patients have {col_word} '{value}' and {col2_word} '{value2}'?",
        sql=f"{_COUNT} WHERE {_COND} AND d.{{col2}} = :value2",
        kind="integer",
        candidates=_two_conditions(),
        refine=_words,
    ),
    Template(
        name="count_age_below",
        category="count_age",
        question="How many patients with {col_word} '{value}' are younger than {age} years?",
        sql=f"{_COUNT} WHERE {_COND} AND d.age < :age",
        kind="integer",
        candidates=_one_condition(),
        refine=_with(age=(40, 50, 60, 65, 70, 80)),
    ),
    Template(
        name="count_admitted_before_year",
        category="count_admission_year",
        question="How many patients with {col_word} '{value}' were admitted before the year {year}?",
        sql=f"{_COUNT} WHERE {_COND} AND d.admityear < :year",
        kind="integer",
        candidates=_one_condition(),
        refine=_with(year=(2101, 2102, 2103, 2104, 2105)),
    ),
    Template(
        name="count_days_stay_above",
        category="count_days_stay",
        question="How many patients with {col_word} '{value}' stayed in the hospital for more than {days} days?",
        sql=f"{_COUNT} WHERE {_COND} AND d.days_stay > :days",
        kind="integer",
        candidates=_one_condition(),
        refine=_with(days=(2, 3, 5, 7, 10, 14)),
    ),
    Template(
        name="count_born_before_year",
        category="count_birth_year",
        question="How many patients with {col_word} '{value}' were born before the year {year}?",
        sql=f"{_COUNT} WHERE {_COND} AND d.dob_year < :year",
        kind="integer",
        candidates=_one_condition(),
        refine=_with(year=(2020, 2030, 2040, 2050, 2060)),
    ),
    Template(
        name="count_died_by_year",
        category="count_death_year",
        question="How many patients with {col_word} '{value}' died in or before the year {year}?",
        sql=f"{_COUNT} WHERE {_COND} AND d.expire_flag = 1 AND d.dod_year <= :year",
        kind="integer",
        candidates=_one_condition("expire_flag = 1"),
        refine=_with(year=(2102, 2103, 2104, 2105)),
    ),
    Template(
        name="count_diagnosis_title",
        category="count_diagnosis",
        question="How many patients with {col_word} '{value}' have a diagnosis with the short title '{title}'?",
        sql=f"{_COUNT} JOIN diagnoses x ON x.hadm_id = d.hadm_id WHERE {_COND} AND x.short_title = :title",
        kind="integer",
        candidates=(
            "SELECT 'admission_type' AS col, d.admission_type AS value, x.short_title AS title FROM demographic d "
            "JOIN diagnoses x ON x.hadm_id = d.hadm_id UNION SELECT 'gender', d.gender, x.short_title "
            "FROM demographic d JOIN diagnoses x ON x.hadm_id = d.hadm_id ORDER BY 1, 2, 3"
        ),
        refine=_words,
    ),
    Template(
        name="count_diagnosis_code",
        category="count_diagnosis_code",
        question="How many patients admitted before the year {year} have the diagnosis ICD-9 code '{code}'?",
        sql=f"{_COUNT} JOIN diagnoses x ON x.hadm_id = d.hadm_id WHERE d.admityear < :year AND x.icd9_code = :code",
        kind="integer",
        candidates="SELECT DISTINCT icd9_code AS code FROM diagnoses ORDER BY 1",
        refine=lambda s, rng: {**s, "year": rng.choice((2102, 2103, 2104, 2105))},
    ),
    Template(
        name="count_procedure_title",
        category="count_procedure",
        question="How many patients with {col_word} '{value}' underwent the procedure with the short title '{title}'?",
        sql=f"{_COUNT} JOIN procedures x ON x.hadm_id = d.hadm_id WHERE {_COND} AND x.short_title = :title",
        kind="integer",
        candidates=(
            "SELECT 'insurance' AS col, d.insurance AS value, x.short_title AS title FROM demographic d "
            "JOIN procedures x ON x.hadm_id = d.hadm_id UNION SELECT 'gender', d.gender, x.short_title "
            "FROM demographic d JOIN procedures x ON x.hadm_id = d.hadm_id ORDER BY 1, 2, 3"
        ),
        refine=_words,
    ),
    Template(
        name="count_drug",
        category="count_drug",
        question="How many patients with {col_word} '{value}' were prescribed the drug '{drug}'?",
        sql=f"{_COUNT} JOIN prescriptions x ON x.hadm_id = d.hadm_id WHERE {_COND} AND x.drug = :drug",
        kind="integer",
        candidates=(
            "SELECT 'gender' AS col, d.gender AS value, x.drug FROM demographic d JOIN prescriptions x "
            "ON x.hadm_id = d.hadm_id UNION SELECT 'admission_type', d.admission_type, x.drug FROM demographic d "
            "JOIN prescriptions x ON x.hadm_id = d.hadm_id ORDER BY 1, 2, 3"
        ),
        refine=_words,
    ),
    Template(
        name="count_drug_route",
        category="count_drug_route",
        question="How many patients were given the drug '{drug}' by the route '{route}'?",
        sql=f"{_COUNT} JOIN prescriptions x ON x.hadm_id = d.hadm_id WHERE x.drug = :drug AND x.route = :route",
        kind="integer",
        candidates="SELECT DISTINCT drug, route FROM prescriptions WHERE route IS NOT NULL ORDER BY 1, 2",
    ),
    Template(
        name="count_lab_test",
        category="count_lab",
        question="How many patients with {col_word} '{value}' had the lab test '{label}'?",
        sql=f"{_COUNT} JOIN lab x ON x.hadm_id = d.hadm_id WHERE {_COND} AND x.label = :label",
        kind="integer",
        candidates=(
            "SELECT 'gender' AS col, d.gender AS value, x.label FROM demographic d JOIN lab x "
            "ON x.hadm_id = d.hadm_id UNION SELECT 'insurance', d.insurance, x.label FROM demographic d "
            "JOIN lab x ON x.hadm_id = d.hadm_id ORDER BY 1, 2, 3"
        ),
        refine=_words,
    ),
    Template(
        name="count_lab_abnormal",
        category="count_lab_abnormal",
        question="How many patients had an abnormal result (flag 'abnormal') of the lab test '{label}'?",
        sql=f"{_COUNT} JOIN lab x ON x.hadm_id = d.hadm_id WHERE x.label = :label AND x.flag = 'abnormal'",
        kind="integer",
        candidates="SELECT DISTINCT label FROM lab WHERE flag = 'abnormal' ORDER BY 1",
    ),
    Template(
        name="aggregate_age",
        category="aggregate_age",
        question="What is the {agg_word} age of patients with {col_word} '{value}' (one value per admission)?",
        sql="SELECT {agg}(d.age) FROM demographic d WHERE d.{col} = :value",
        kind="number",
        candidates=_one_condition(),
        refine=lambda s, rng: _words(with_aggregate(s, rng) or s, rng),
        **NUMBER,
    ),
    Template(
        name="aggregate_days_stay",
        category="aggregate_days_stay",
        question="What is the {agg_word} length of hospital stay in days of admissions with {col_word} '{value}'?",
        sql="SELECT {agg}(d.days_stay) FROM demographic d WHERE d.{col} = :value",
        kind="number",
        candidates=_one_condition("days_stay IS NOT NULL"),
        refine=lambda s, rng: _words(with_aggregate(s, rng) or s, rng),
        **NUMBER,
    ),
    Template(
        name="average_age_diagnosis",
        category="aggregate_age_diagnosis",
        question="What is the average age of patients (one value per admission) diagnosed with '{title}'?",
        sql=(
            "SELECT AVG(d.age) FROM demographic d WHERE d.hadm_id IN "
            "(SELECT hadm_id FROM diagnoses WHERE short_title = :title)"
        ),
        kind="number",
        candidates="SELECT DISTINCT short_title AS title FROM diagnoses ORDER BY 1",
        **NUMBER,
    ),
    Template(
        name="patient_attribute_by_name",
        category="patient_lookup",
        question="What is the {col_word} of the patient named '{name}'?",
        sql="SELECT DISTINCT {col} FROM demographic WHERE name = :name AND {col} IS NOT NULL",
        kind="text",
        candidates=_patient_columns("name"),
        refine=_patient_words,
        ambiguous=_UNIQUE_NAME,
    ),
    Template(
        name="patient_attribute_by_id",
        category="patient_lookup_id",
        question="What is the {col_word} of patient {subject_id}?",
        sql="SELECT DISTINCT {col} FROM demographic WHERE subject_id = :subject_id AND {col} IS NOT NULL",
        kind="text",
        candidates=_patient_columns("subject_id"),
        refine=_patient_words,
    ),
    Template(
        name="diagnoses_of_named_patient",
        category="patient_diagnoses",
        question="What are the diagnosis short titles of the patient named '{name}', over all of their admissions?",
        sql=(
            "SELECT DISTINCT x.short_title FROM diagnoses x JOIN demographic d ON d.hadm_id = x.hadm_id "
            "WHERE d.name = :name ORDER BY 1"
        ),
        kind="set",
        candidates="SELECT DISTINCT name FROM demographic ORDER BY 1",
        ambiguous=_UNIQUE_NAME,
        max_items=30,
    ),
    Template(
        name="procedures_of_patient",
        category="patient_procedures",
        question="What are the procedure short titles of patient {subject_id}, over all of their admissions?",
        sql="SELECT DISTINCT short_title FROM procedures WHERE subject_id = :subject_id ORDER BY 1",
        kind="set",
        candidates="SELECT DISTINCT subject_id FROM procedures ORDER BY 1",
    ),
    Template(
        name="drugs_of_admission",
        category="admission_drugs",
        question="Which drugs were prescribed during hospital admission {hadm_id}?",
        sql="SELECT DISTINCT drug FROM prescriptions WHERE hadm_id = :hadm_id ORDER BY 1",
        kind="set",
        candidates="SELECT DISTINCT hadm_id FROM prescriptions ORDER BY 1",
        max_items=40,
    ),
    Template(
        name="routes_of_drug",
        category="drug_routes",
        question="By which routes was the drug '{drug}' given, over all prescriptions?",
        sql="SELECT DISTINCT route FROM prescriptions WHERE drug = :drug AND route IS NOT NULL ORDER BY 1",
        kind="set",
        candidates="SELECT DISTINCT drug FROM prescriptions ORDER BY 1",
    ),
    Template(
        name="drug_dose_admission",
        category="drug_dose",
        question="What dose (value and unit, as written in drug_dose) of '{drug}' was prescribed in hospital admission {hadm_id}?",
        sql="SELECT DISTINCT drug_dose FROM prescriptions WHERE hadm_id = :hadm_id AND drug = :drug",
        kind="text",
        candidates="SELECT DISTINCT hadm_id, drug FROM prescriptions ORDER BY 1, 2",
    ),
    Template(
        name="abnormal_labs_admission",
        category="admission_abnormal_labs",
        question="Which lab tests (labels) had an abnormal result during hospital admission {hadm_id}?",
        sql="SELECT DISTINCT label FROM lab WHERE hadm_id = :hadm_id AND flag = 'abnormal' ORDER BY 1",
        kind="set",
        candidates="SELECT DISTINCT hadm_id FROM lab WHERE flag = 'abnormal' ORDER BY 1",
    ),
    Template(
        name="lab_count_admission",
        category="admission_lab_count",
        question="How many lab results were recorded during hospital admission {hadm_id}?",
        sql="SELECT COUNT(*) FROM lab WHERE hadm_id = :hadm_id",
        kind="integer",
        candidates="SELECT DISTINCT hadm_id FROM lab ORDER BY 1",
    ),
    Template(
        name="icd9_code_of_title",
        category="diagnosis_code_lookup",
        question="What is the ICD-9 code of the diagnosis with the short title '{title}'?",
        sql="SELECT DISTINCT icd9_code FROM diagnoses WHERE short_title = :title",
        kind="text",
        candidates="SELECT DISTINCT short_title AS title FROM diagnoses ORDER BY 1",
    ),
    Template(
        name="procedure_long_title",
        category="procedure_title_lookup",
        question="What is the long title of the procedure with the ICD-9 code '{code}'?",
        sql="SELECT DISTINCT long_title FROM procedures WHERE icd9_code = :code",
        kind="text",
        candidates="SELECT DISTINCT icd9_code AS code FROM procedures ORDER BY 1",
    ),
    Template(
        name="patient_died",
        category="patient_expired",
        question="Has patient {subject_id} died (expire flag)?",
        sql="SELECT MAX(expire_flag) = 1 FROM demographic WHERE subject_id = :subject_id",
        kind="bool",
        candidates="SELECT DISTINCT subject_id FROM demographic ORDER BY 1",
    ),
)
