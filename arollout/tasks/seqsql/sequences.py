"""EHR-SeqSQL-style question sequences over the MIMIC-III schema.

EHR-SeqSQL (``seonhee99/EHR-SeqSQL``, derived from EHRSQL) turns single
questions into multi-turn interactions where each question builds on the
previous ones ("of those patients...", "during that admission..."). Its data
are not published, so these sequences were written here: each
:class:`Sequence` has 2-4 parts; part ``k``'s gold SQL may use the answers
of the parts before it as parameters ``:a1``, ``:a2``, ... (an admission id
found in part 1 is the admission part 2 asks about). The data slots of part
1 come from the sequence's ``candidates`` SQL, like any template.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, final

from arollout.tasks.ehr.templates import Template, keep
from arollout.tasks.mimic.slots import INPUT, LAB, NUMBER, VITAL

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

    from arollout.tasks.base import AnswerKind
    from arollout.tasks.ehr.templates import Slots

__all__ = ("SEQUENCES", "Sequence", "part")


def part(
    question: str,
    sql: str,
    kind: AnswerKind,
    *,
    signed: bool = False,
    ambiguous: str | None = None,
    rel_tol: float = 1e-6,
    abs_tol: float = 0.0,
) -> Template:
    """One part of a sequence (a template without a sampler of its own)."""
    return Template(
        name="part",
        category="part",
        question=question,
        sql=sql,
        kind=kind,
        candidates="",
        signed=signed,
        ambiguous=ambiguous,
        rel_tol=rel_tol,
        abs_tol=abs_tol,
    )


@final
@dataclass(frozen=True, kw_only=True)
class Sequence:
    """A chain of dependent questions.

    Attributes:
        name: stable identifier (part of every task id).
        category: the reported category.
        parts: the questions in order (``str.format`` over the slots; the
            SQL may use ``:a1``... for earlier answers).
        candidates: SQL listing part 1's slot assignments.
        refine: completes or rejects a candidate (see ``Template.refine``).
    """

    name: str
    category: str
    parts: tuple[Template, ...]
    candidates: str
    refine: Callable[[Slots, random.Random], Slots | None] = keep


_ADM = "FROM admissions WHERE subject_id = :subject_id"

SEQUENCES: Final[tuple[Sequence, ...]] = (
    Sequence(
        name="latest_admission_lab",
        category="seq_admission_lab",
        candidates="SELECT DISTINCT l.subject_id, d.label AS lab FROM labevents l JOIN d_labitems d ON d.itemid = l.itemid ORDER BY 1, 2",
        parts=(
            part(
                "What is the hadm_id of the most recent hospital admission of patient {subject_id} that has ended?",
                f"SELECT hadm_id {_ADM} AND dischtime IS NOT NULL ORDER BY admittime DESC LIMIT 1",
                "integer",
            ),
            part(
                "How many full hours did that admission last?",
                "SELECT CAST((julianday(dischtime) - julianday(admittime)) * 24 AS INTEGER) FROM admissions WHERE hadm_id = :a1",
                "integer",
            ),
            part(
                "What was the maximum value of the lab test '{lab}' during that admission?",
                f"SELECT MAX(valuenum) FROM labevents WHERE hadm_id = :a1 AND itemid IN ({LAB})",
                "number",
                **NUMBER,
            ),
        ),
    ),
    Sequence(
        name="first_icu_stay_vitals",
        category="seq_icu_vitals",
        candidates="SELECT DISTINCT c.subject_id, d.label AS vital FROM chartevents c JOIN d_items d ON d.itemid = c.itemid ORDER BY 1, 2",
        parts=(
            part(
                "What is the icustay_id of the first ICU stay of patient {subject_id}?",
                "SELECT icustay_id FROM icustays WHERE subject_id = :subject_id ORDER BY intime LIMIT 1",
                "integer",
            ),
            part(
                "In which care unit did that ICU stay begin?",
                "SELECT first_careunit FROM icustays WHERE icustay_id = :a1",
                "text",
            ),
            part(
                "What was the average '{vital}' value recorded during that ICU stay?",
                f"SELECT AVG(valuenum) FROM chartevents WHERE icustay_id = :a1 AND itemid IN ({VITAL})",
                "number",
                **NUMBER,
            ),
        ),
    ),
    Sequence(
        name="diagnosis_then_drug",
        category="seq_diagnosis_drug",
        candidates=(
            "SELECT t.short_title AS title, r.drug FROM (SELECT icd9_code FROM diagnoses_icd GROUP BY 1 "
            "ORDER BY COUNT(*) DESC LIMIT 20) x JOIN d_icd_diagnoses t ON t.icd9_code = x.icd9_code, "
            "(SELECT drug FROM prescriptions GROUP BY 1 ORDER BY COUNT(*) DESC, drug LIMIT 20) r "
            "WHERE (SELECT COUNT(*) FROM d_icd_diagnoses u WHERE u.short_title = t.short_title) = 1 ORDER BY 1, 2"
        ),
        parts=(
            part(
                "How many distinct patients have been diagnosed with '{title}'?",
                "SELECT COUNT(DISTINCT subject_id) FROM diagnoses_icd WHERE icd9_code IN (SELECT icd9_code FROM d_icd_diagnoses WHERE short_title = :title)",
                "integer",
            ),
            part(
                "Of those patients, how many were prescribed '{drug}' during a hospital admission in which they had that diagnosis?",
                "SELECT COUNT(DISTINCT p.subject_id) FROM prescriptions p JOIN diagnoses_icd d ON d.hadm_id = p.hadm_id "
                "WHERE p.drug = :drug AND d.icd9_code IN (SELECT icd9_code FROM d_icd_diagnoses WHERE short_title = :title)",
                "integer",
            ),
        ),
    ),
    Sequence(
        name="admission_cost_breakdown",
        category="seq_admission_cost",
        candidates="SELECT DISTINCT subject_id, hadm_id FROM cost ORDER BY 1, 2",
        parts=(
            part(
                "What was the total cost of hospital admission {hadm_id} of patient {subject_id}?",
                "SELECT SUM(cost) FROM cost WHERE hadm_id = :hadm_id",
                "number",
                **NUMBER,
            ),
            part(
                "How much of that total was charged for lab tests (event_type 'labevents')?",
                "SELECT SUM(cost) FROM cost WHERE hadm_id = :hadm_id AND event_type = 'labevents'",
                "number",
                **NUMBER,
            ),
            part(
                "Which event type accounted for the largest part of that total cost?",
                "SELECT event_type FROM cost WHERE hadm_id = :hadm_id GROUP BY 1 ORDER BY SUM(cost) DESC LIMIT 1",
                "text",
            ),
        ),
    ),
    Sequence(
        name="lab_trend_admission",
        category="seq_lab_trend",
        candidates=(
            "SELECT l.subject_id, l.hadm_id, d.label AS lab FROM labevents l JOIN d_labitems d ON d.itemid = l.itemid "
            "GROUP BY 1, 2, 3 HAVING COUNT(DISTINCT l.charttime) >= 2 AND COUNT(DISTINCT l.charttime) = COUNT(*) ORDER BY 1, 2, 3"
        ),
        parts=(
            part(
                "What was the first value of the lab test '{lab}' for patient {subject_id} during hospital admission {hadm_id}?",
                f"SELECT valuenum FROM labevents WHERE hadm_id = :hadm_id AND itemid IN ({LAB}) ORDER BY charttime LIMIT 1",
                "number",
                **NUMBER,
            ),
            part(
                "What was its last value during that admission?",
                f"SELECT valuenum FROM labevents WHERE hadm_id = :hadm_id AND itemid IN ({LAB}) ORDER BY charttime DESC LIMIT 1",
                "number",
                **NUMBER,
            ),
            part(
                "By how much did it change from the first to the last value (last minus first)?",
                "SELECT :a2 - :a1",
                "number",
                signed=True,
                **NUMBER,
            ),
        ),
    ),
    Sequence(
        name="patient_timeline",
        category="seq_patient_timeline",
        candidates="SELECT subject_id FROM admissions GROUP BY 1 HAVING COUNT(*) >= 2 ORDER BY 1",
        parts=(
            part(
                "When was patient {subject_id} first admitted to the hospital?",
                f"SELECT MIN(admittime) {_ADM}",
                "date",
            ),
            part(
                "How old was the patient at that admission?",
                f"SELECT age {_ADM} AND admittime = :a1",
                "integer",
            ),
            part(
                "How many full days after that admission began did the patient's next hospital admission begin?",
                f"SELECT CAST(julianday(MIN(admittime)) - julianday(:a1) AS INTEGER) {_ADM} AND admittime > :a1",
                "integer",
            ),
        ),
    ),
    Sequence(
        name="first_drug_followup",
        category="seq_first_drug",
        candidates="SELECT DISTINCT subject_id, hadm_id FROM prescriptions ORDER BY 1, 2",
        parts=(
            part(
                "What was the first drug prescribed to patient {subject_id} during hospital admission {hadm_id}?",
                "SELECT drug FROM prescriptions WHERE hadm_id = :hadm_id ORDER BY startdate LIMIT 1",
                "text",
                ambiguous=(
                    "SELECT COUNT(DISTINCT drug) > 1 FROM prescriptions WHERE hadm_id = :hadm_id AND "
                    "startdate = (SELECT MIN(startdate) FROM prescriptions WHERE hadm_id = :hadm_id)"
                ),
            ),
            part(
                "When did that first prescription start?",
                "SELECT MIN(startdate) FROM prescriptions WHERE hadm_id = :hadm_id AND drug = :a1",
                "date",
            ),
            part(
                "By what route was that drug given during that admission?",
                "SELECT DISTINCT route FROM prescriptions WHERE hadm_id = :hadm_id AND drug = :a1",
                "text",
            ),
        ),
    ),
    Sequence(
        name="last_icu_fluids",
        category="seq_icu_fluids",
        candidates="SELECT DISTINCT subject_id FROM inputevents_cv WHERE icustay_id IN (SELECT icustay_id FROM outputevents) ORDER BY 1",
        parts=(
            part(
                "What is the icustay_id of the most recent ICU stay of patient {subject_id}?",
                "SELECT icustay_id FROM icustays WHERE subject_id = :subject_id ORDER BY intime DESC LIMIT 1",
                "integer",
            ),
            part(
                "What was the total intake (ml, inputevents_cv) during that ICU stay?",
                "SELECT SUM(amount) FROM inputevents_cv WHERE icustay_id = :a1",
                "number",
                **NUMBER,
            ),
            part(
                "What was the total output (ml, outputevents) during that ICU stay?",
                "SELECT SUM(value) FROM outputevents WHERE icustay_id = :a1",
                "number",
                **NUMBER,
            ),
            part(
                "What was the fluid balance of that stay (intake minus output)?",
                "SELECT :a2 - :a3",
                "number",
                signed=True,
                **NUMBER,
            ),
        ),
    ),
    Sequence(
        name="year_icu_cohort",
        category="seq_year_cohort",
        candidates="SELECT DISTINCT strftime('%Y', admittime) AS year FROM admissions ORDER BY 1",
        parts=(
            part(
                "How many hospital admissions began in the year {year}?",
                "SELECT COUNT(*) FROM admissions WHERE strftime('%Y', admittime) = :year",
                "integer",
            ),
            part(
                "How many of those admissions included an ICU stay?",
                "SELECT COUNT(*) FROM admissions a WHERE strftime('%Y', a.admittime) = :year AND EXISTS (SELECT 1 FROM icustays i WHERE i.hadm_id = a.hadm_id)",
                "integer",
            ),
            part(
                "What was the average age of the patients at those admissions with an ICU stay?",
                "SELECT AVG(a.age) FROM admissions a WHERE strftime('%Y', a.admittime) = :year AND EXISTS (SELECT 1 FROM icustays i WHERE i.hadm_id = a.hadm_id)",
                "number",
                **NUMBER,
            ),
        ),
    ),
    Sequence(
        name="first_micro_test",
        category="seq_micro_test",
        candidates="SELECT DISTINCT subject_id FROM microbiologyevents ORDER BY 1",
        parts=(
            part(
                "What specimen type was sent in the first microbiology test of patient {subject_id}?",
                "SELECT spec_type_desc FROM microbiologyevents WHERE subject_id = :subject_id ORDER BY charttime LIMIT 1",
                "text",
                ambiguous=(
                    "SELECT COUNT(DISTINCT spec_type_desc) > 1 FROM microbiologyevents WHERE subject_id = :subject_id "
                    "AND charttime = (SELECT MIN(charttime) FROM microbiologyevents WHERE subject_id = :subject_id)"
                ),
            ),
            part(
                "When was that specimen taken?",
                "SELECT MIN(charttime) FROM microbiologyevents WHERE subject_id = :subject_id",
                "date",
            ),
            part(
                "During which hospital admission (hadm_id) was it taken?",
                "SELECT DISTINCT hadm_id FROM microbiologyevents WHERE subject_id = :subject_id AND charttime = :a2",
                "integer",
            ),
        ),
    ),
    Sequence(
        name="icu_stay_intake_item",
        category="seq_icu_intake",
        candidates=(
            "SELECT DISTINCT i.subject_id, i.icustay_id, d.label AS item FROM inputevents_cv i JOIN d_items d "
            "ON d.itemid = i.itemid ORDER BY 1, 2, 3"
        ),
        parts=(
            part(
                "How many times was '{item}' charted as intake for patient {subject_id} during ICU stay {icustay_id}?",
                f"SELECT COUNT(*) FROM inputevents_cv WHERE icustay_id = :icustay_id AND itemid IN ({INPUT})",
                "integer",
            ),
            part(
                "What was the total amount (ml) of those intakes?",
                f"SELECT SUM(amount) FROM inputevents_cv WHERE icustay_id = :icustay_id AND itemid IN ({INPUT})",
                "number",
                **NUMBER,
            ),
            part(
                "What was the total output (ml, all items of outputevents) during the same ICU stay?",
                "SELECT SUM(value) FROM outputevents WHERE icustay_id = :icustay_id",
                "number",
                **NUMBER,
            ),
        ),
    ),
)
"""The sequences, in the suite's stable order (never rename one)."""
