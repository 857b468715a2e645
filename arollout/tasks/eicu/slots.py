"""Slot samplers and SQL pieces shared by the eICU templates.

The framework's :class:`~arollout.tasks.ehr.templates.Template` takes its
slots from a ``candidates`` query and completes them with ``refine``. The
helpers here are the eICU-specific refinements: thresholds just above or
below a measured extreme (so "was it ever above X" has a balanced, data-driven
answer and never sits on a measured value), a vital-sign column chosen from a
fixed whitelist (column names may appear in SQL text, so they never come from
the data unchecked), top-k sizes, "since" years and time windows relative to
the fixed "now".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.ehr.templates import with_choice
from arollout.tasks.eicu.schema import CURRENT_TIME
from arollout.tasks.eicu.signals import LABS

if TYPE_CHECKING:
    import random

    from arollout.tasks.ehr.templates import Slots

__all__ = (
    "DECADES",
    "NOW",
    "NOW_COLUMN",
    "TOP_K",
    "VITALS",
    "lab_cut",
    "lab_threshold",
    "last_year_or_later",
    "top_k",
    "top_k_tie",
    "vital_alarm",
    "vital_threshold",
    "with_vital",
    "with_window",
)

NOW: Final = f"The current time is {CURRENT_TIME}."
"""Opens every question whose answer depends on "now"."""

NOW_COLUMN: Final = f"'{CURRENT_TIME}' AS current_time"
"""A candidates column that puts "now" into the slots (and so into the SQL parameters)."""

VITALS: Final[dict[str, str]] = {
    "heartrate": "heart rate",
    "sao2": "oxygen saturation (sao2)",
    "respiration": "respiration rate",
    "temperature": "temperature",
    "systemicsystolic": "systolic arterial blood pressure",
    "systemicdiastolic": "diastolic arterial blood pressure",
    "systemicmean": "mean arterial blood pressure",
}
"""``vitalperiodic`` column -> how questions name it (the SQL whitelist)."""

DECADES: Final = " UNION ALL ".join(f"SELECT {d} AS lo, {d + 9} AS hi" for d in range(20, 90, 10))
"""A table of age bands ``(lo, hi)``, 20-29 to 80-89, for candidates queries."""

TOP_K: Final = "(SELECT 3 AS k UNION ALL SELECT 4 UNION ALL SELECT 5)"
"""Cross-joined into a top-k template's candidates: the sizes asked about (slot ``k``)."""

with_window: Final = with_choice(
    (("6 hours", "-6 hours"), ("12 hours", "-12 hours"), ("24 hours", "-24 hours")),
    word="window_word",
    keyword="window",
)
"""Draw a window that ends at "now" (``datetime(:current_time, '{window}')``)."""

_CUTS: Final = {spec.name: round(spec.mean + spec.sd, spec.decimals) for spec in LABS}
_ALARMS: Final[dict[str, tuple[str, str, tuple[float, ...]]]] = {
    # column: (question word, SQL operator, thresholds)
    "heartrate": ("above", ">", (100, 110, 120)),
    "respiration": ("above", ">", (22, 25, 28)),
    "sao2": ("below", "<", (95, 93, 90)),
    "temperature": ("above", ">", (37.5, 37.8, 38.0)),
    "systemicsystolic": ("below", "<", (110, 100, 90)),
    "systemicdiastolic": ("below", "<", (60, 55, 50)),
    "systemicmean": ("below", "<", (75, 70, 65)),
}
_LAB_DECIMALS: Final = {spec.name: spec.decimals for spec in LABS}
_LAB_SD: Final = {spec.name: spec.sd for spec in LABS}


def with_vital(slots: Slots, rng: random.Random) -> Slots:
    """Draw a vital-sign column (``{vital}`` in SQL, ``{vital_word}`` in the text)."""
    column = rng.choice(tuple(VITALS))
    return {**slots, "vital": column, "vital_word": VITALS[column]}


def _near(peak: float, spread: float, decimals: int, rng: random.Random) -> float | int | None:
    """A value just above or just below ``peak`` (50/50), never equal to it."""
    step = 10.0**-decimals
    delta = max(step, round(rng.uniform(0.1, 0.6) * spread, decimals))
    value = peak - delta if rng.random() < 0.5 else peak + delta
    rounded = round(value, decimals) if decimals else int(round(value))
    return None if rounded <= 0 or rounded == peak else rounded


def lab_threshold(slots: Slots, rng: random.Random) -> Slots | None:
    """Complete ``labname``/``peak`` with a ``threshold`` near the stay's highest result."""
    slots = dict(slots)
    peak = slots.pop("peak")
    name = slots["labname"]
    decimals = _LAB_DECIMALS.get(name, 1)
    threshold = _near(float(peak), _LAB_SD.get(name, max(0.1, abs(peak) * 0.1)), decimals, rng)
    return None if threshold is None else {**slots, "threshold": threshold}


def vital_threshold(slots: Slots, rng: random.Random) -> Slots | None:
    """Complete ``vital_key``/``peak`` (a measured extreme) with a whitelisted column
    and a ``threshold`` just above or below it."""
    slots = dict(slots)
    column, peak = slots.pop("vital_key"), slots.pop("peak")
    if column not in VITALS:
        return None
    decimals = 1 if column == "temperature" else 0
    threshold = _near(float(peak), 0.6 if decimals else 8.0, decimals, rng)
    if threshold is None:
        return None
    return {**slots, "vital": column, "vital_word": VITALS[column], "threshold": threshold}


def last_year_or_later(slots: Slots, rng: random.Random) -> Slots | None:
    """Turn ``last_year`` (the year something last happened) into a ``year`` asked about
    with "since": that year (the answer is yes) or a later one (no), 50/50."""
    slots = dict(slots)
    last = int(slots.pop("last_year"))
    year = last if rng.random() < 0.5 or last >= 2105 else rng.randint(last + 1, 2105)
    return {**slots, "year": str(year)}


def top_k(counts: str) -> str:
    """Gold SQL of a top-k question: the ``:k`` items of ``counts`` (rows ``(item, n)``)
    with the largest ``n``."""
    return f"SELECT item FROM ({counts}) ORDER BY n DESC LIMIT :k"


def top_k_tie(counts: str) -> str:
    """SQL that is true when ``counts`` (rows ``(item, n)``) has fewer than ``:k`` items
    or a tie at the cut, so a top-k answer would depend on the tie-break."""
    return f"""
WITH c AS ({counts})
SELECT (SELECT COUNT(*) FROM c) < :k
    OR (SELECT n FROM c ORDER BY n DESC LIMIT 1 OFFSET :k - 1)
     = (SELECT n FROM c ORDER BY n DESC LIMIT 1 OFFSET :k)"""


def lab_cut(slots: Slots, _rng: random.Random) -> Slots | None:
    """A fixed threshold per lab (reference mean plus one SD); unknown labs are skipped."""
    cut = _CUTS.get(slots["labname"])
    return None if cut is None else {**slots, "threshold": cut}


def vital_alarm(slots: Slots, rng: random.Random) -> Slots | None:
    """A whitelisted vital sign with one of its alarm thresholds and direction."""
    column = rng.choice(tuple(_ALARMS))
    word, op, cuts = _ALARMS[column]
    return {
        **slots,
        "vital": column,
        "vital_word": VITALS[column],
        "direction": word,
        "op": op,
        "threshold": rng.choice(cuts),
    }
