"""What a note's mention claims, and the one SQL query that decides it.

A :class:`Claim` is the structured content of one tagged mention of a note
(``[E3]``): its kind, the record it points at (admission, ICU stay) and the
values it states. Each kind has one ``EXISTS`` query over the EHRSQL
MIMIC-III tables (:data:`QUERIES`): a positive mention is consistent when the
query finds a matching row, a negated one ("no lactate was measured") when it
finds none. The rules are the ones the suite's prompt spells out
(:data:`RULES`), so the agent and the reference decide the same question.

Labels by construction are never trusted alone: instance building runs
:func:`consistent` on every claim of every note and keeps a note only when
the queries agree with the injected inconsistencies (a changed value that
happens to match another measurement is caught here). The reference solution
(:func:`reference_solution`) runs the same queries in the sandbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import msgspec

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

__all__ = (
    "Claim",
    "QUERIES",
    "RULES",
    "consistent",
    "reference_solution",
)

_MINUTE: Final = "substr({col}, 1, 16) = :time"
_VALUE: Final = "abs({col} - :value) < 1e-6"

QUERIES: Final[dict[str, str]] = {
    "lab": (
        "SELECT EXISTS(SELECT 1 FROM labevents l JOIN d_labitems d ON d.itemid = l.itemid "
        "WHERE l.hadm_id = :hadm AND d.label = :label AND "
        + _MINUTE.format(col="l.charttime")
        + " AND "
        + _VALUE.format(col="l.valuenum")
        + ")"
    ),
    "lab_any": (
        "SELECT EXISTS(SELECT 1 FROM labevents l JOIN d_labitems d ON d.itemid = l.itemid "
        "WHERE l.hadm_id = :hadm AND d.label = :label)"
    ),
    "vital": (
        "SELECT EXISTS(SELECT 1 FROM chartevents c JOIN d_items d ON d.itemid = c.itemid "
        "WHERE c.icustay_id = :stay AND d.label = :label AND "
        + _MINUTE.format(col="c.charttime")
        + " AND "
        + _VALUE.format(col="c.valuenum")
        + ")"
    ),
    "output": (
        "SELECT EXISTS(SELECT 1 FROM outputevents o JOIN d_items d ON d.itemid = o.itemid "
        "WHERE o.icustay_id = :stay AND d.label = :label AND "
        + _MINUTE.format(col="o.charttime")
        + " AND "
        + _VALUE.format(col="o.value")
        + ")"
    ),
    "drug": (
        "SELECT EXISTS(SELECT 1 FROM prescriptions WHERE hadm_id = :hadm AND drug = :drug "
        "AND dose_val_rx = :dose AND dose_unit_rx = :unit AND route = :route "
        "AND substr(startdate, 1, 10) = :date)"
    ),
    "drug_any": "SELECT EXISTS(SELECT 1 FROM prescriptions WHERE hadm_id = :hadm AND drug = :drug)",
    "diagnosis": (
        "SELECT EXISTS(SELECT 1 FROM diagnoses_icd x JOIN d_icd_diagnoses d ON d.icd9_code = x.icd9_code "
        "WHERE x.hadm_id = :hadm AND (d.short_title = :title OR d.long_title = :title))"
    ),
    "procedure": (
        "SELECT EXISTS(SELECT 1 FROM procedures_icd x JOIN d_icd_procedures d ON d.icd9_code = x.icd9_code "
        "WHERE x.hadm_id = :hadm AND (d.short_title = :title OR d.long_title = :title))"
    ),
    "admit": "SELECT EXISTS(SELECT 1 FROM admissions WHERE hadm_id = :hadm AND substr(admittime, 1, 10) = :date)",
    "discharge": "SELECT EXISTS(SELECT 1 FROM admissions WHERE hadm_id = :hadm AND substr(dischtime, 1, 10) = :date)",
    "icu": (
        "SELECT EXISTS(SELECT 1 FROM icustays WHERE hadm_id = :hadm AND first_careunit = :unit AND "
        + _MINUTE.format(col="intime")
        + ")"
    ),
    "culture": (
        "SELECT EXISTS(SELECT 1 FROM microbiologyevents WHERE hadm_id = :hadm AND spec_type_desc = :spec "
        "AND substr(charttime, 1, 10) = :date)"
    ),
    "culture_any": "SELECT EXISTS(SELECT 1 FROM microbiologyevents WHERE hadm_id = :hadm AND spec_type_desc = :spec)",
}
"""Claim kind -> the query that finds a matching record (named parameters)."""

RULES: Final = """\
A note belongs to one admission (hadm_id) and, for a nursing note, one ICU stay (icustay_id); every
mention refers to that admission or stay. Compare names, units and routes case-insensitively with
the stored (lower-case) values, times to the minute, dates to the day, numbers exactly. A mention is
CONSISTENT when the tables hold a matching record:
- a lab result (name, value, time): a labevents row of the admission whose d_labitems.label is the
  name, with that valuenum, charted in that minute;
- a vital sign or a urine/drain output (name, value, time): a chartevents (vital) or outputevents
  (output) row of the ICU stay whose d_items.label is the name, with that valuenum (value), charted
  in that minute; HR means 'heart rate' and RR 'respiratory rate';
- a medication (drug, dose, unit, route, start date): a prescriptions row of the admission with that
  drug, dose_val_rx, dose_unit_rx and route, whose startdate is on that date;
- a diagnosis or a procedure: a diagnoses_icd / procedures_icd code of the admission whose
  short_title or long_title is the mentioned title;
- the admission or discharge date: the admission's admittime / dischtime is on that date;
- an ICU admission (care unit, time): an icustays row of the admission with that first_careunit and
  an intime in that minute;
- a culture (specimen, date): a microbiologyevents row of the admission with that spec_type_desc,
  charted on that date;
- a statement that something did NOT happen (no such lab was measured, a drug was not given, no
  history of a diagnosis, no such culture was sent): the admission has NO record of it at all (no
  labevents row with that label, no prescriptions row of that drug, no such diagnosis code, no
  microbiologyevents row of that specimen), whatever the time or value.
Any other mention is INCONSISTENT (a changed value, dose or route, a shifted date or time, an item
the tables do not have, or a record denied that the tables do have)."""


class Claim(msgspec.Struct, frozen=True, array_like=True):
    """One mention: its tag, its kind (a key of :data:`QUERIES`), whether it
    denies the record, and the query parameters it states."""

    eid: str
    kind: str
    negated: bool
    params: dict[str, Any]


def consistent(con: sqlite3.Connection, claim: Claim) -> bool:
    """Whether the tables agree with ``claim`` (see :data:`RULES`)."""
    found = bool(con.execute(QUERIES[claim.kind], claim.params).fetchone()[0])
    return found != claim.negated


def reference_solution(claims: Sequence[Claim], db_path: str) -> str:
    """Python that checks each claim with its query and prints the inconsistent tags."""
    kinds = sorted({c.kind for c in claims})
    queries = "\n".join(f"    {k!r}: {QUERIES[k]!r}," for k in kinds)
    rows = "\n".join(f"    ({c.eid!r}, {c.kind!r}, {c.negated!r}, {c.params!r})," for c in claims)
    return (
        "import json\nimport sqlite3\n\n"
        f"con = sqlite3.connect({f'file:{db_path}?mode=ro'!r}, uri=True)\n"
        f"QUERIES = {{\n{queries}\n}}\n"
        f"CLAIMS = [\n{rows}\n]\n"
        "bad = []\n"
        "for eid, kind, negated, params in CLAIMS:\n"
        "    found = bool(con.execute(QUERIES[kind], params).fetchone()[0])\n"
        "    if found == negated:  # a record denied, or no record for a stated one\n"
        "        bad.append(eid)\n"
        "con.close()\n"
        "print(json.dumps(bad))\n"
    )
