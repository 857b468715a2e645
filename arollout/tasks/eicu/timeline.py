"""Placing every patient's stays on one calendar that ends at the fixed "now".

eICU-CRD has no dates: each unit stay counts minutes from its own unit
admission (``...offset``), the hospital admission is ``hospitaladmitoffset``
minutes away (negative: before the ICU) at clock time
``hospitaladmittime24``, and only the year of hospital discharge is given.
EHRSQL (glee4810/EHRSQL ``preprocess/preprocess_db_eicu.py``) turns this
into timestamps by drawing, per patient, a first year in 2100-2105 and a date
per hospital stay within its (shifted) discharge year, and "now" is fixed at
``2105-12-31 23:59:00``.

The same idea, written so that "now" is always well defined:

* Each person (``uniquepid``) gets one shift: hospital stays keep the order
  and year gaps of their discharge years, stays in the same year get
  disjoint parts of it, and a later stay never starts before the previous
  one ended. Unit stays of one hospital stay share that hospital admission
  (unit admission = hospital admission - ``hospitaladmitoffset``), so their
  relative timing is the real one.
* Ordinary patients start in 2100-2104 and end long before "now" (a stay
  may run into early 2105).
* About one in ten patients is **current**: their timeline is moved by whole
  days so that "now" falls inside their last unit stay. For them, later events
  do not exist yet and discharge times are NULL, which is what questions
  about "the current ICU stay" and "hours since admission" rely on.

The RNG is seeded per patient, so a patient's dates do not depend on which
other patients are in the database.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from typing import TYPE_CHECKING, Final, NamedTuple

from arollout.tasks.eicu.schema import CURRENT_TIME

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = (
    "CURRENT_SHARE",
    "EPOCH",
    "NOW",
    "NOW_MINUTE",
    "Placement",
    "StayClock",
    "minute_text",
    "place",
)

EPOCH: Final = dt.datetime(2100, 1, 1)
"""Minute 0 of the calendar (absolute times are whole minutes since then)."""

NOW: Final = dt.datetime.fromisoformat(CURRENT_TIME)
NOW_MINUTE: Final = int((NOW - EPOCH).total_seconds() // 60)

CURRENT_SHARE: Final = 0.1
"""The share of patients who are still in the ICU at "now"."""

_FIRST_YEAR, _LAST_YEAR = 2100, 2104
_MARGIN: Final = 60  # minutes between "now" and either end of a current patient's ICU stay


class StayClock(NamedTuple):
    """What placement needs to know about one unit stay (raw eICU fields)."""

    uniquepid: str
    patienthealthsystemstayid: int
    patientunitstayid: int
    hospitaladmittime24: str
    hospitaladmitoffset: int
    hospitaldischargeoffset: int
    hospitaldischargeyear: int
    unitdischargeoffset: int


class Placement(NamedTuple):
    """Unit admission of every stay (minutes since :data:`EPOCH`) and the current patients."""

    unit_admit: dict[int, int]
    current: frozenset[str]


@functools.cache
def _day_text(day: int) -> str:
    return (EPOCH + dt.timedelta(days=day)).date().isoformat()


def minute_text(minute: int) -> str:
    """``YYYY-MM-DD HH:MM:SS`` of a calendar minute (a day's date is formatted once)."""
    day, rest = divmod(minute, 1440)
    hours, minutes = divmod(rest, 60)
    return f"{_day_text(day)} {hours:02d}:{minutes:02d}:00"


def _clock_minutes(text: str) -> int:
    hours, minutes, *_ = text.split(":")
    return int(hours) * 60 + int(minutes)


def _year_start(year: int) -> int:
    return int((dt.datetime(year, 1, 1) - EPOCH).total_seconds() // 60)


def _place_patient(rng: random.Random, stays: list[StayClock]) -> dict[int, int]:
    """Unit admission minute of each stay of one patient, wholly before 2105."""
    by_visit: dict[int, list[StayClock]] = {}
    for stay in stays:
        by_visit.setdefault(stay.patienthealthsystemstayid, []).append(stay)
    visits = sorted(
        by_visit.values(),
        key=lambda v: (v[0].hospitaldischargeyear, v[0].patienthealthsystemstayid),
    )
    years = [v[0].hospitaldischargeyear for v in visits]
    last_first = max(_FIRST_YEAR, _LAST_YEAR - (years[-1] - years[0]))
    # later first years are likelier, as in EHRSQL's sampler
    first = rng.choices(
        range(_FIRST_YEAR, last_first + 1), weights=range(1, last_first - _FIRST_YEAR + 2)
    )[0]
    admit: dict[int, int] = {}
    earliest = _year_start(first)
    for i, visit in enumerate(visits):
        year_start = _year_start(first + years[i] - years[0])
        same = [j for j, y in enumerate(years) if y == years[i]]
        part, parts = same.index(i), len(same)
        length = max(s.hospitaldischargeoffset - s.hospitaladmitoffset for s in visit)
        lo = max(earliest, year_start + part * 525_600 // parts)
        hi = year_start + (part + 1) * 525_600 // parts - length - 1440
        day = lo // 1440 + rng.randint(0, max(0, (hi - lo) // 1440))
        hospital_admit = day * 1440 + _clock_minutes(visit[0].hospitaladmittime24)
        if hospital_admit < earliest:
            hospital_admit += 1440
        for stay in visit:
            admit[stay.patientunitstayid] = hospital_admit - stay.hospitaladmitoffset
        earliest = hospital_admit + length + 1440
    return admit


def _current_shifts(admit: int, length: int) -> list[int]:
    """Whole-day shifts that put "now" inside a unit stay, an hour or more from either end.

    Shifting by whole days keeps every clock time of the patient (and the
    ``hospitaladmittime24`` of the source) as it was.
    """
    low = NOW_MINUTE + _MARGIN - length - admit  # exclusive bounds of the shift, in minutes
    high = NOW_MINUTE - _MARGIN - admit
    return list(range(low // 1440 + 1, -(-high // 1440)))


def place(stays: Iterable[StayClock], seed: int) -> Placement:
    """Place every stay; patients are drawn as current with :data:`CURRENT_SHARE`.

    A patient can be current only when a whole-day shift puts "now" inside
    their last unit stay (an hour or more from its ends); the whole timeline
    of a current patient moves by that shift, so gaps and clock times stay.
    """
    by_patient: dict[str, list[StayClock]] = {}
    for stay in stays:
        by_patient.setdefault(stay.uniquepid, []).append(stay)
    unit_admit: dict[int, int] = {}
    current: set[str] = set()
    for pid in sorted(by_patient):
        patient = sorted(by_patient[pid], key=lambda s: s.patientunitstayid)
        rng = random.Random(f"eicu-timeline/{seed}/{pid}")
        placed = _place_patient(rng, patient)
        last = max(patient, key=lambda s: (placed[s.patientunitstayid], s.patientunitstayid))
        days = _current_shifts(placed[last.patientunitstayid], last.unitdischargeoffset)
        if rng.random() < CURRENT_SHARE and days:
            shift = 1440 * rng.choice(days)
            placed = {stay: minute + shift for stay, minute in placed.items()}
            current.add(pid)
        unit_admit.update(placed)
    return Placement(unit_admit=unit_admit, current=frozenset(current))
