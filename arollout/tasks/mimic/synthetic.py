"""A seeded synthetic hospital in the EHRSQL MIMIC-III schema, at any size.

Nothing is downloaded: the codes and labels come from :mod:`.vocab`, every
value from one ``random.Random`` seeded with the version, seed and size, so
the same arguments always give the same rows (and, through the writer, the
same bytes). The shapes are meant to be plausible rather than realistic:

* patients have 1-5 admissions spread over 2100-2105, a few of them still in
  hospital at :data:`~arollout.tasks.ehr.CURRENT_TIME` (NULL ``dischtime``,
  no event after "now"), so questions about the current visit have answers;
* most admissions have an ICU stay with hourly-ish vital signs, intake and
  output; labs are drawn daily around a per-patient baseline, so first/last
  and min/max differ; chronic diagnoses and drugs recur across admissions;
* every event lies inside its admission (and ICU stay), diagnoses are charted
  at admission and procedures at discharge (EHRSQL's convention).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.ehr.database import CURRENT_TIME
from arollout.tasks.ehr.tables import TS_FORMAT
from arollout.tasks.mimic import vocab
from arollout.tasks.mimic.cost import cost_rows

if TYPE_CHECKING:
    from collections.abc import Sequence

    from arollout.tasks.ehr.tables import Rows

__all__ = ("SYNTHETIC_VERSION", "generate")

SYNTHETIC_VERSION: Final = 2
"""Bump whenever the generated rows change (it keys the database cache)."""

_START: Final = dt.datetime(2100, 1, 1)
_NOW: Final = dt.datetime.fromisoformat(CURRENT_TIME)
_WARDS: Final = {
    "micu": (50, 52, 23),
    "sicu": (33, 57),
    "ccu": (7, 57),
    "csru": (14, 15),
    "tsicu": (12, 14),
}
_FLOOR_WARDS: Final = (2, 3, 4, 6, 24, 27, 36, 45, 55)


def _ts(value: dt.datetime) -> str:
    return value.strftime(TS_FORMAT)


def _pick(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    return rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0].lower()


def _sample(
    rng: random.Random, items: Sequence[Any], weights: Sequence[float], k: int
) -> list[Any]:
    """``k`` distinct items drawn with probability proportional to weight."""
    pool, w = list(items), list(weights)
    out: list[Any] = []
    for _ in range(min(k, len(pool))):
        i = rng.choices(range(len(pool)), weights=w)[0]
        out.append(pool.pop(i))
        w.pop(i)
    return out


class _Hospital:
    """Mutable generation state: id counters and the growing tables."""

    def __init__(self, seed: int, patients: int) -> None:
        self.rng = random.Random(f"mimic-iii-synthetic/{SYNTHETIC_VERSION}/{seed}/{patients}")
        self.rows: dict[str, list[list[Any]]] = {}
        self.subjects = sorted(self.rng.sample(range(10_000, 99_999), patients))
        self.hadm_ids = iter(sorted(self.rng.sample(range(100_000, 199_999), patients * 6)))
        self.icu_ids = iter(sorted(self.rng.sample(range(200_000, 299_999), patients * 7)))

    def add(self, table: str, *values: Any) -> None:
        rows = self.rows.setdefault(table, [])
        rows.append([len(rows) + 1, *values])

    def admissions(self, count: int) -> list[tuple[dt.datetime, dt.datetime | None]]:
        """Non-overlapping stays; the last one may still be open at "now"."""
        rng = self.rng
        span = (_NOW - _START).total_seconds() / 60
        when = _START + dt.timedelta(minutes=rng.uniform(0, span * (0.85 if count == 1 else 0.6)))
        stays: list[tuple[dt.datetime, dt.datetime | None]] = []
        for i in range(count):
            days = min(40.0, max(0.6, rng.lognormvariate(math.log(4.5), 0.65)))
            end = when + dt.timedelta(minutes=int(days * 24 * 60))
            if end >= _NOW - dt.timedelta(days=1):
                break
            stays.append((when.replace(second=0), end.replace(second=0)))
            when = end + dt.timedelta(days=rng.uniform(20, 500))
            if i == count - 1 or when >= _NOW:
                break
        if not stays or rng.random() < 0.07:  # an ongoing admission at "now"
            start = _NOW - dt.timedelta(minutes=rng.uniform(8 * 60, 14 * 24 * 60))
            if not stays or stays[-1][1] is None or stays[-1][1] < start - dt.timedelta(days=10):
                stays.append((start.replace(second=0), None))
        return stays


def _ward(rng: random.Random, unit: str | None) -> int:
    return rng.choice(_WARDS[unit] if unit else _FLOOR_WARDS)


def _measure_series(
    rng: random.Random,
    m: vocab.Measure,
    bias: float,
    start: dt.datetime,
    end: dt.datetime,
    every_hours: float,
    cap: int,
) -> list[tuple[dt.datetime, float]]:
    """Values of one measure over ``[start, end]``: a noisy walk around a baseline."""
    out: list[tuple[dt.datetime, float]] = []
    when = start + dt.timedelta(minutes=rng.uniform(5, every_hours * 60))
    level = m.mean + bias
    while when < end and len(out) < cap:
        level += rng.gauss(0.0, 0.25 * m.sd) - 0.15 * (level - m.mean - bias)
        value = round(min(m.high, max(m.low, level + rng.gauss(0.0, 0.3 * m.sd))), m.decimals)
        out.append((when.replace(second=0), value))
        when += dt.timedelta(minutes=rng.uniform(0.5, 1.5) * every_hours * 60)
    return out


def _patient(h: _Hospital, subject_id: int) -> None:
    rng = h.rng
    stays = h.admissions(rng.choices((1, 2, 3, 4, 5), (52, 25, 12, 7, 4))[0])
    age = rng.triangular(18, 91, 68)
    dob = (stays[0][0] - dt.timedelta(days=age * 365.25)).replace(hour=0, minute=0, second=0)
    gender = "m" if rng.random() < 0.56 else "f"
    insurance = _pick(rng, vocab.INSURANCES)
    language, marital = _pick(rng, vocab.LANGUAGES), _pick(rng, vocab.MARITAL)
    ethnicity = _pick(rng, vocab.ETHNICITIES)
    chronic_dx = _sample(
        rng, vocab.DIAGNOSES, [d.weight for d in vocab.DIAGNOSES], rng.randint(0, 4)
    )
    chronic_rx = _sample(rng, vocab.DRUGS, [d.weight for d in vocab.DRUGS], rng.randint(1, 4))
    lab_bias = {m.itemid: rng.gauss(0.0, 0.5 * m.sd) for m in vocab.LABS}
    vital_bias = {m.itemid: rng.gauss(0.0, 0.5 * m.sd) for m in vocab.VITALS}
    dod: str | None = None
    for n, (admit, disch) in enumerate(stays):
        last = n == len(stays) - 1
        discharge_loc = None if disch is None else _pick(rng, vocab.DISCHARGE_LOCATIONS)
        if discharge_loc == "dead/expired" and not last:
            discharge_loc = "home"
        if discharge_loc == "dead/expired" and disch is not None:
            dod = _ts(disch.replace(hour=0, minute=0))
        hadm_id = next(h.hadm_ids)
        h.add(
            "admissions",
            subject_id,
            hadm_id,
            _ts(admit),
            None if disch is None else _ts(disch),
            _pick(rng, vocab.ADMISSION_TYPES),
            _pick(rng, vocab.ADMISSION_LOCATIONS),
            discharge_loc,
            insurance,
            language,
            marital,
            ethnicity,
            int((admit - dob).days / 365.25),
        )
        _admission(
            h, subject_id, hadm_id, admit, disch, chronic_dx, chronic_rx, lab_bias, vital_bias
        )
    if dod is None and stays[-1][1] is not None and rng.random() < 0.12:
        death = stays[-1][1] + dt.timedelta(days=rng.uniform(1, 900))
        if death < _NOW:
            dod = _ts(death.replace(hour=0, minute=0))
    h.add("patients", subject_id, gender, _ts(dob), dod)


def _admission(
    h: _Hospital,
    subject_id: int,
    hadm_id: int,
    admit: dt.datetime,
    disch: dt.datetime | None,
    chronic_dx: list[vocab.Code],
    chronic_rx: list[vocab.Drug],
    lab_bias: dict[int, float],
    vital_bias: dict[int, float],
) -> None:
    rng = h.rng
    end = disch if disch is not None else _NOW
    minutes = max(60, int((end - admit).total_seconds() // 60))
    codes = list(chronic_dx)
    codes += [
        c
        for c in _sample(
            rng, vocab.DIAGNOSES, [d.weight for d in vocab.DIAGNOSES], rng.randint(1, 8)
        )
        if c not in codes
    ]
    for code in codes:
        h.add("diagnoses_icd", subject_id, hadm_id, code.code, _ts(admit))
    icu: tuple[dt.datetime, dt.datetime, str] | None = None
    if rng.random() < 0.72:
        intime = admit + dt.timedelta(minutes=rng.uniform(0, min(minutes * 0.3, 24 * 60)))
        icu_days = min(20.0, max(0.3, rng.lognormvariate(math.log(2.2), 0.7)))
        outtime = min(end, intime + dt.timedelta(days=icu_days)).replace(second=0)
        icu = (intime.replace(second=0), outtime, _pick(rng, vocab.CAREUNITS))
    procedures = rng.randint(0, 2) + (rng.randint(1, 3) if icu else 0)
    if disch is not None:
        for code in _sample(
            rng, vocab.PROCEDURES, [p.weight for p in vocab.PROCEDURES], procedures
        ):
            h.add("procedures_icd", subject_id, hadm_id, code.code, _ts(disch))
    icustay_id = _transfers(h, subject_id, hadm_id, admit, disch, icu)
    for m in vocab.LABS:
        if rng.random() < m.weight:
            every = rng.uniform(20, 36)
            for when, value in _measure_series(rng, m, lab_bias[m.itemid], admit, end, every, 8):
                h.add("labevents", subject_id, hadm_id, m.itemid, _ts(when), value, m.unit.lower())
    acute = _sample(rng, vocab.DRUGS, [d.weight for d in vocab.DRUGS], rng.randint(1, 7))
    drugs = [d for d in chronic_rx if rng.random() < 0.85] + [
        d for d in acute if d not in chronic_rx
    ]
    for drug in drugs:
        for _ in range(rng.choices((1, 2, 3), (60, 28, 12))[0]):
            exact = (admit + dt.timedelta(minutes=rng.randrange(minutes))).replace(second=0)
            start = exact.replace(minute=0)  # orders start on the hour...
            if start < admit:
                start += dt.timedelta(hours=1)
            if start > end:  # ...unless that leaves the stay
                start = exact
            stop = start + dt.timedelta(days=rng.randint(1, 6))
            h.add(
                "prescriptions",
                subject_id,
                hadm_id,
                _ts(start),
                _ts(stop),
                drug.name.lower(),
                rng.choice(drug.doses),
                drug.unit.lower(),
                rng.choice(drug.routes).lower(),
            )
    if rng.random() < 0.4:
        for spec in _sample(rng, vocab.MICRO, [s.weight for s in vocab.MICRO], rng.randint(1, 3)):
            when = admit + dt.timedelta(minutes=rng.randrange(minutes))
            org = rng.choice(spec.organisms).lower() if rng.random() < 0.45 else None
            h.add(
                "microbiologyevents",
                subject_id,
                hadm_id,
                _ts(when.replace(second=0)),
                spec.name.lower(),
                org,
            )
    if icu is not None and icustay_id is not None:
        _icu(h, subject_id, hadm_id, icustay_id, icu, vital_bias)


def _transfers(
    h: _Hospital,
    subject_id: int,
    hadm_id: int,
    admit: dt.datetime,
    disch: dt.datetime | None,
    icu: tuple[dt.datetime, dt.datetime, str] | None,
) -> int | None:
    """admit -> (ICU -> floor) -> discharge, each event closing the previous one;
    returns the ICU stay's id (``None`` without one)."""
    rng = h.rng
    icustay_id = next(h.icu_ids) if icu else None
    events: list[tuple[str, str | None, int | None, dt.datetime, int | None]] = []
    if icu is None:
        events.append(("admit", None, _ward(rng, None), admit, None))
    else:
        intime, outtime, unit = icu
        if intime - admit > dt.timedelta(minutes=30):
            events.append(("admit", None, _ward(rng, None), admit, None))
            events.append(("transfer", unit, _ward(rng, unit), intime, icustay_id))
        else:
            events.append(("admit", unit, _ward(rng, unit), intime, icustay_id))
        if disch is None or outtime < disch - dt.timedelta(minutes=30):
            events.append(("transfer", None, _ward(rng, None), outtime, None))
    if disch is not None:
        events.append(("discharge", None, None, disch, None))
    for i, (kind, careunit, ward, when, stay) in enumerate(events):
        out = events[i + 1][3] if i + 1 < len(events) else None
        h.add(
            "transfers",
            subject_id,
            hadm_id,
            stay,
            kind,
            careunit,
            ward,
            _ts(when),
            None if out is None else _ts(out),
        )
    if icu is not None:
        intime, outtime, unit = icu
        last_unit = unit if rng.random() < 0.88 else _pick(rng, vocab.CAREUNITS)
        h.add(
            "icustays",
            subject_id,
            hadm_id,
            icustay_id,
            unit,
            last_unit,
            _ward(rng, unit),
            _ward(rng, last_unit),
            _ts(intime),
            None if disch is None and outtime >= _NOW else _ts(outtime),
        )
    return icustay_id


def _icu(
    h: _Hospital,
    subject_id: int,
    hadm_id: int,
    icustay_id: int,
    icu: tuple[dt.datetime, dt.datetime, str],
    vital_bias: dict[int, float],
) -> None:
    rng = h.rng
    intime, outtime, _unit = icu
    for m in vocab.VITALS:
        if rng.random() >= m.weight:
            continue
        weight_item = m.unit == "kg"
        every, cap = (48.0, 2) if weight_item else (rng.uniform(2.5, 6.0), 40)
        for when, value in _measure_series(
            rng, m, vital_bias[m.itemid], intime, outtime, every, cap
        ):
            h.add(
                "chartevents",
                subject_id,
                hadm_id,
                icustay_id,
                m.itemid,
                _ts(when),
                value,
                m.unit.lower(),
            )
    minutes = max(30, int((outtime - intime).total_seconds() // 60))
    for table, fluids in (("inputevents_cv", vocab.INPUTS), ("outputevents", vocab.OUTPUTS)):
        events: list[tuple[dt.datetime, int, float]] = []
        for f in fluids:
            if rng.random() < f.weight:
                for _ in range(rng.randint(1, 1 + minutes // 360)):
                    when = (intime + dt.timedelta(minutes=rng.randrange(minutes))).replace(second=0)
                    amount = round(max(1.0, rng.gauss(f.mean, f.sd)), 0 if f.mean >= 100 else 1)
                    events.append((when, f.itemid, amount))
        for when, itemid, amount in sorted(events):
            h.add(table, subject_id, hadm_id, icustay_id, _ts(when), itemid, amount)


def _dictionaries(h: _Hospital) -> None:
    for d in vocab.DIAGNOSES:
        h.add("d_icd_diagnoses", d.code, d.short_title.lower(), d.long_title.lower())
    for p in vocab.PROCEDURES:
        h.add("d_icd_procedures", p.code, p.short_title.lower(), p.long_title.lower())
    for m in vocab.LABS:
        h.add("d_labitems", m.itemid, m.label.lower())
    for m in vocab.VITALS:
        h.add("d_items", m.itemid, m.label.lower(), "chartevents")
    for f in vocab.INPUTS:
        h.add("d_items", f.itemid, f.label.lower(), "inputevents_cv")
    for f in vocab.OUTPUTS:
        h.add("d_items", f.itemid, f.label.lower(), "outputevents")


def generate(seed: int, patients: int) -> Rows:
    """Every table's rows for ``(seed, patients)`` (pure and deterministic)."""
    h = _Hospital(seed, patients)
    _dictionaries(h)
    for subject_id in h.subjects:
        _patient(h, subject_id)
    rows: Rows = {table: [tuple(r) for r in table_rows] for table, table_rows in h.rows.items()}
    rows["cost"] = cost_rows(rows, seed=seed)
    return rows
