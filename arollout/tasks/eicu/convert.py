"""Raw eICU-CRD rows (minute offsets) -> the EHRSQL-style eICU tables.

Both eICU databases go through this one conversion: the demo's real tables
(plus synthetic ``lab``/``vitalperiodic``) and the synthetic generator's
tables, which are written in the raw eICU form on purpose so that they obey
exactly the same rules. The rules follow EHRSQL's
``preprocess/preprocess_db_eicu.py`` (glee4810/EHRSQL, CC BY 4.0), restated:

* **Strings** are lower-cased and stripped.
* **Patients**: stays with an unknown gender, an age that is missing, above
  89 (``"> 89"``) or below 11, or offsets out of order (hospital admission
  after unit admission, unit discharge not after admission or after hospital
  discharge) are dropped, and with them every other stay of the same person,
  so a kept patient's history is complete. (EHRSQL also drops stays without
  an admission source and the longest 5 % of hospital stays; both are kept
  here, the source as NULL.)
* **Times**: offsets become timestamps on the calendar of
  :mod:`~arollout.tasks.eicu.timeline`; events after "now" are dropped and
  discharge times after "now" are NULL (with the discharge status and weight).
* **Diagnosis and treatment names** are the third and fourth parts of the
  ``|``-path joined by ``" - "``; a name that appears under several top-level
  paths keeps only the rows of its most frequent one, so each name has one
  meaning.
* **Medication**: cancelled orders and orders without name, dosage or route
  are dropped.
* **Intake/output**: only cells whose label occurs under an ``intake (ml)`` or
  ``output (ml)`` path are kept, the bare ``intake``/``output`` totals are not,
  and a trailing " intake"/" output" word is cut from the label.
* **Ids** are renumbered from 0 in (stay, time) order.
* **Cost**: eICU-CRD has no charges; EHRSQL invents them, and so does
  :func:`cost_rows`: every diagnosis, lab, treatment and medication row is one
  charge of the person's hospital stay at the event's time, and each distinct
  event name has one fixed price (so "what does X cost" has one answer). The
  prices are our own draw: a typical price per event type (a lab test is
  cheap, a procedure dear) times a log-normal factor seeded by
  ``(seed, type, name)``, so a name's price does not depend on other rows.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.eicu.schema import RAW_COLUMNS
from arollout.tasks.eicu.timeline import NOW_MINUTE, StayClock, minute_text, place

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from arollout.tasks.eicu.schema import RawTables, Rows

__all__ = (
    "EVENT_TYPES",
    "TYPICAL_PRICE",
    "convert",
    "cost_rows",
    "keep_patient",
    "path_name",
    "price",
)

_GENDERS: Final = frozenset({"male", "female"})
_P = {name: i for i, name in enumerate(RAW_COLUMNS["patient"])}


def _low(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def keep_patient(row: Sequence[Any]) -> bool:
    """Whether one raw ``patient`` row passes the stay filters (see the module docstring)."""
    age = _low(row[_P["age"]])
    if _low(row[_P["gender"]]) not in _GENDERS or not isinstance(age, str) or not age.isdigit():
        return False
    if not 11 <= int(age) <= 89:
        return False
    h_admit, h_disch = row[_P["hospitaladmitoffset"]], row[_P["hospitaldischargeoffset"]]
    u_disch = row[_P["unitdischargeoffset"]]
    if None in (h_admit, h_disch, u_disch, row[_P["hospitaldischargeyear"]]):
        return False
    if not row[_P["hospitaladmittime24"]] or not row[_P["uniquepid"]]:
        return False
    return bool(h_admit <= 0 < u_disch <= h_disch)


def path_name(path: str) -> tuple[str, str]:
    """``(top-level path, name)`` of a diagnosis/treatment string."""
    parts = path.split("|")
    if len(parts) < 3:
        return "|".join(parts[:-1]), parts[-1]
    return "|".join(parts[:2]), " - ".join(parts[2:4])


def _canonical_paths(strings: Sequence[str | None]) -> dict[str, str]:
    """Name -> its most frequent top-level path (ties: the alphabetically first)."""
    counts: Counter[tuple[str, str]] = Counter(
        path_name(s.strip().lower()) for s in strings if s is not None
    )
    best: dict[str, tuple[int, str]] = {}
    for (top, name), n in counts.items():
        if name not in best or (-n, top) < (-best[name][0], best[name][1]):
            best[name] = (n, top)
    return {name: top for name, (_, top) in best.items()}


def _at(base: int, offset: int) -> str | None:
    """The timestamp ``offset`` minutes after ``base``; ``None`` when it is after "now"."""
    minute = base + offset
    return minute_text(minute) if minute <= NOW_MINUTE else None


def _patients(raw: RawTables, seed: int) -> tuple[list[tuple[Any, ...]], dict[int, int]]:
    rows = [tuple(_low(v) for v in r) for r in raw["patient"]]
    bad = {r[_P["uniquepid"]] for r in rows if not keep_patient(r)}
    rows = [r for r in rows if r[_P["uniquepid"]] not in bad]
    clocks = [StayClock(*(r[_P[f]] for f in StayClock._fields)) for r in rows]
    unit_admit = place(clocks, seed).unit_admit
    out: list[tuple[Any, ...]] = []
    for r in sorted(rows, key=lambda r: r[_P["patientunitstayid"]]):
        stay = r[_P["patientunitstayid"]]
        base = unit_admit[stay]
        discharged = _at(base, r[_P["hospitaldischargeoffset"]])
        out.append(
            (
                r[_P["uniquepid"]],
                r[_P["patienthealthsystemstayid"]],
                stay,
                r[_P["gender"]],
                r[_P["age"]],
                r[_P["ethnicity"]],
                r[_P["hospitalid"]],
                r[_P["wardid"]],
                r[_P["admissionheight"]],
                r[_P["admissionweight"]],
                r[_P["dischargeweight"]] if discharged else None,
                _at(base, r[_P["hospitaladmitoffset"]]),
                r[_P["hospitaladmitsource"]],
                _at(base, 0),
                _at(base, r[_P["unitdischargeoffset"]]),
                discharged,
                r[_P["hospitaldischargestatus"]] if discharged else None,
            )
        )
    return out, unit_admit


def _events(
    rows: Sequence[tuple[Any, ...]],
    unit_admit: dict[int, int],
    make: Callable[[tuple[Any, ...], str], tuple[Any, ...] | None],
    *,
    text: bool = True,
) -> list[tuple[Any, ...]]:
    """Rows of kept stays with a time not after "now", as ``(id, *make(row, time))``.

    The offset is each raw row's second field; ``text=False`` skips lower-casing
    for tables whose strings are already canonical (the synthetic signals).
    """
    made: list[tuple[int, int, tuple[Any, ...]]] = []
    for raw in rows:
        base = unit_admit.get(raw[0])
        offset = raw[1]
        if base is None or offset is None or base + offset > NOW_MINUTE:
            continue
        row = tuple([_low(v) for v in raw]) if text else raw
        built = make(row, minute_text(base + offset))
        if built is not None:
            made.append((raw[0], base + offset, built))
    made.sort(key=lambda item: (item[0], item[1]))  # stable: source order within a minute
    return [(i, *built) for i, (_, _, built) in enumerate(made)]


def convert(raw: RawTables, seed: int) -> Rows:
    """The ten EHRSQL eICU tables from raw eICU tables (``lab``/``vitalperiodic`` included)."""
    patients, admit = _patients(raw, seed)
    kept = {r[2] for r in patients}
    admit = {stay: minute for stay, minute in admit.items() if stay in kept}
    dx_paths = _canonical_paths([r[2] for r in raw["diagnosis"]])
    tx_paths = _canonical_paths([r[2] for r in raw["treatment"]])
    io_labels = {
        _low(r[3])
        for r in raw["intakeoutput"]
        if r[2] and ("intake (ml)" in r[2].lower() or "output (ml)" in r[2].lower())
    } - {"intake", "output", None}

    def named(paths: dict[str, str], extra: bool) -> Callable[[tuple[Any, ...], str], Any]:
        def make(r: tuple[Any, ...], when: str) -> tuple[Any, ...] | None:
            if r[2] is None:
                return None
            top, name = path_name(r[2])
            if paths.get(name) != top:
                return None
            return (r[0], name, when, r[3]) if extra else (r[0], name, when)

        return make

    def medication(r: tuple[Any, ...], when: str) -> tuple[Any, ...] | None:
        stay, _, stop, name, dosage, route, cancelled = r
        if cancelled != "no" or not name or not dosage or not route:
            return None
        end = admit[stay] + stop if stop is not None else None
        stopped = minute_text(end) if end is not None and end <= NOW_MINUTE else None
        return (stay, name, dosage, route, when, stopped)

    def intakeoutput(r: tuple[Any, ...], when: str) -> tuple[Any, ...] | None:
        stay, _, cellpath, label, value = r
        if label not in io_labels or value is None or cellpath is None:
            return None
        for word in (" intake", " output"):
            if label.endswith(word):
                label = label[: -len(word)]
        return (stay, cellpath, label, value, when)

    rows: Rows = {"patient": patients}
    rows["diagnosis"] = _events(raw["diagnosis"], admit, named(dx_paths, True))
    rows["treatment"] = _events(raw["treatment"], admit, named(tx_paths, False))
    rows["lab"] = _events(
        raw["lab"], admit, lambda r, t: None if r[3] is None else (r[0], r[2], r[3], t), text=False
    )
    rows["medication"] = _events(raw["medication"], admit, medication)
    rows["allergy"] = _events(
        raw["allergy"], admit, lambda r, t: None if not r[3] else (r[0], r[2], r[3], t)
    )
    rows["intakeoutput"] = _events(raw["intakeoutput"], admit, intakeoutput)
    rows["microlab"] = _events(
        raw["microlab"],
        admit,
        lambda r, t: None if not r[2] or not r[3] else (r[0], r[2], r[3], t),
    )
    rows["vitalperiodic"] = _events(
        raw["vitalperiodic"], admit, lambda r, t: (r[0], *r[2:], t), text=False
    )
    owner = {r[2]: (r[0], r[1]) for r in patients}
    rows["cost"] = cost_rows(rows, owner, seed)
    return {table: rows[table] for table in _ORDER}


_ORDER: Final = (
    "patient",
    "diagnosis",
    "treatment",
    "lab",
    "medication",
    "cost",
    "allergy",
    "intakeoutput",
    "microlab",
    "vitalperiodic",
)


# -- cost ----------------------------------------------------------------------------------

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
