"""The invented ``cost`` table: one priced charge per diagnosis, procedure, lab test and drug.

MIMIC-III has no prices. EHRSQL adds a ``cost`` table whose rows point at
diagnosis, procedure, lab and prescription events (``event_type``,
``event_id`` = the event's ``row_id``, ``chargetime`` = its time), each code
priced once from a seeded distribution (``glee4810/EHRSQL``,
``preprocess/preprocess_db_mimic_iii.py``, ``build_cost_table``). This module
does the same with its own documented rule, so cost questions ("the total
cost of admission X", "the cost of drug Y") have exact answers:

* each event type has a base price (USD): diagnosis 400, procedure 1,500,
  lab test 40, prescription 25;
* each distinct code (ICD-9 code, lab ``itemid``, drug name), taken in sorted
  order, gets ``round(base * lognormal(0, 0.35), 2)`` from
  ``random.Random("mimic-iii-cost/<seed>")``;
* every event is charged its code's price (so one code has one price).

The prices are synthetic and mean nothing clinically or financially.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ("BASE_PRICES", "cost_rows")

BASE_PRICES: Final[dict[str, float]] = {
    "diagnoses_icd": 400.0,
    "procedures_icd": 1500.0,
    "labevents": 40.0,
    "prescriptions": 25.0,
}

# (event table, column index of the priced code, column index of the charge time)
_EVENTS: Final = (
    ("diagnoses_icd", 3, 4),
    ("procedures_icd", 3, 4),
    ("labevents", 3, 4),
    ("prescriptions", 5, 3),
)


def cost_rows(rows: Mapping[str, Sequence[Sequence[Any]]], *, seed: int) -> list[tuple[Any, ...]]:
    """The ``cost`` rows for the event tables in ``rows`` (rows start with
    ``row_id, subject_id, hadm_id``, in the MIMIC-III schema's column order)."""
    rng = random.Random(f"mimic-iii-cost/{seed}")
    out: list[tuple[Any, ...]] = []
    for table, code_col, time_col in _EVENTS:
        events = rows.get(table, ())
        base = BASE_PRICES[table]
        prices = {
            code: round(base * rng.lognormvariate(0.0, 0.35), 2)
            for code in sorted({str(r[code_col]) for r in events})
        }
        for r in events:
            if r[time_col] is None:
                continue
            out.append(
                (len(out) + 1, r[1], r[2], table, r[0], r[time_col], prices[str(r[code_col])])
            )
    return out
