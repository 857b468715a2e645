"""The synthetic ``cost`` table of the EHRSQL eICU schema.

eICU-CRD has no charges. EHRSQL (glee4810/EHRSQL,
``preprocess/preprocess_db_eicu.py``) invents them: every diagnosis, lab,
treatment and medication row becomes one charge of the person's hospital
stay at the event's time, and every distinct event name has one fixed price.
That is kept here, so "what does X cost" has exactly one answer and a stay's
total is a sum over its events. The prices are our own draw: a typical price
per event type (a lab test is cheap, a procedure dear) times a log-normal
factor seeded by ``(seed, type, name)``, so a name's price does not depend on
which other rows exist.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from arollout.tasks.eicu.schema import Rows

__all__ = ("EVENT_TYPES", "TYPICAL_PRICE", "cost_rows", "price")

EVENT_TYPES: Final = ("diagnosis", "lab", "treatment", "medication")
"""The ``cost.eventtype`` values, in the order their charges are written."""

TYPICAL_PRICE: Final[dict[str, float]] = {
    "diagnosis": 95.0,
    "lab": 28.0,
    "treatment": 240.0,
    "medication": 35.0,
}

_COLUMNS: Final[dict[str, tuple[int, int]]] = {
    # table: (name column, time column) in the converted row tuples
    "diagnosis": (2, 3),
    "lab": (2, 4),
    "treatment": (2, 3),
    "medication": (2, 5),
}


def price(seed: int, eventtype: str, name: str) -> float:
    """The fixed price of one event name (two decimals, at least 0.50)."""
    rng = random.Random(f"eicu-cost/{seed}/{eventtype}/{name}")
    return max(0.5, round(TYPICAL_PRICE[eventtype] * rng.lognormvariate(0.0, 0.45), 2))


def cost_rows(rows: Rows, owner: dict[int, tuple[str, int]], seed: int) -> list[tuple[Any, ...]]:
    """``cost`` rows for the converted event tables in ``rows``.

    Args:
        rows: converted tables (``diagnosis``, ``lab``, ``treatment``, ``medication``).
        owner: unit stay -> (``uniquepid``, ``patienthealthsystemstayid``).
        seed: the price seed.
    """
    out: list[tuple[Any, ...]] = []
    prices: dict[tuple[str, str], float] = {}
    for eventtype in EVENT_TYPES:
        name_at, time_at = _COLUMNS[eventtype]
        for row in rows[eventtype]:
            name = row[name_at]
            key = (eventtype, name)
            if key not in prices:
                prices[key] = price(seed, eventtype, name)
            pid, hss = owner[row[1]]
            out.append((len(out), pid, hss, eventtype, row[0], row[time_at], prices[key]))
    return out
