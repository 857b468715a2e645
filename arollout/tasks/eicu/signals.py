"""Seeded synthetic ``lab`` and ``vitalperiodic`` rows for ICU unit stays.

The eICU-CRD demo as shipped in the shared data folder lacks its ``lab`` and
``vitalperiodic`` tables (see ``notes/data-sources.md`` §1.2), yet a large
share of EHRSQL's eICU questions are about lab results and vital signs. This
module fills them in, **synthetically**, for the stays that exist: the rows
are in eICU-CRD's raw form (minute offsets from unit admission), so the same
conversion that handles the real tables turns them into timestamps. The
synthetic database generator uses it for its own stays too.

The values are plausible, not real: every stay gets a stable bias per lab and
per vital sign, labs come in panels drawn once a day (basic metabolic panel,
blood count, occasional liver, coagulation, blood gas and cardiac tests, and
bedside glucose several times a day), and vitals are an hourly AR(1) walk
around the stay's baseline with the gaps real monitors have (temperature is
charted every few hours, arterial pressures only for stays with an arterial
line). Reference ranges follow common adult values (e.g. the MSD Manual's
"Normal Laboratory Values"); each stay's RNG is seeded from the stay id, so a
stay's rows do not depend on which other stays are present.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Final, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = (
    "LABS",
    "PANELS",
    "VITAL_COLUMNS",
    "LabSpec",
    "Stay",
    "VitalRow",
    "lab_rows",
    "vital_rows",
)


class LabSpec(NamedTuple):
    """A lab test as it appears in ``lab.labname`` and how its results are drawn."""

    name: str
    mean: float
    sd: float
    low: float
    high: float
    decimals: int


class Stay(NamedTuple):
    """What the signal generator needs to know about one unit stay (minute offsets)."""

    patientunitstayid: int
    hospitaladmitoffset: int
    unitdischargeoffset: int


def _lab(name: str, mean: float, sd: float, low: float, high: float, decimals: int) -> LabSpec:
    return LabSpec(name, mean, sd, low, high, decimals)


PANELS: Final[dict[str, tuple[float, tuple[LabSpec, ...]]]] = {
    # panel: (chance per day, tests)
    "bmp": (
        0.85,
        (
            _lab("sodium", 139, 4.5, 110, 170, 0),
            _lab("potassium", 4.1, 0.55, 2.1, 7.5, 1),
            _lab("chloride", 103, 5, 75, 130, 0),
            _lab("bicarbonate", 24, 4, 8, 45, 0),
            _lab("bun", 24, 15, 3, 150, 0),
            _lab("creatinine", 1.3, 0.9, 0.3, 12, 2),
            _lab("glucose", 135, 45, 35, 600, 0),
            _lab("calcium", 8.6, 0.7, 5.5, 13, 1),
            _lab("anion gap", 11, 3.5, 2, 35, 0),
        ),
    ),
    "cbc": (
        0.8,
        (
            _lab("wbc x 1000", 11, 5, 0.4, 60, 1),
            _lab("hgb", 10.8, 2.1, 4.5, 19, 1),
            _lab("hct", 32.5, 6.2, 14, 58, 1),
            _lab("platelets x 1000", 210, 90, 8, 800, 0),
            _lab("rbc", 3.6, 0.7, 1.5, 6.5, 2),
            _lab("mcv", 90, 6, 65, 120, 0),
            _lab("mch", 30, 2.2, 20, 40, 1),
            _lab("mchc", 33, 1.4, 27, 38, 1),
            _lab("rdw", 15, 2, 11, 28, 1),
        ),
    ),
    "mg_phos": (
        0.5,
        (_lab("magnesium", 2.0, 0.3, 0.8, 4.5, 1), _lab("phosphate", 3.5, 1.0, 0.8, 10, 1)),
    ),
    "lft": (
        0.3,
        (
            _lab("albumin", 3.0, 0.6, 1.0, 5.2, 1),
            _lab("total bilirubin", 1.1, 1.2, 0.1, 25, 1),
            _lab("alkaline phos.", 95, 45, 20, 900, 0),
            _lab("ast (sgot)", 45, 60, 8, 3000, 0),
            _lab("alt (sgpt)", 38, 45, 5, 2500, 0),
            _lab("total protein", 6.2, 0.8, 3.5, 9.5, 1),
        ),
    ),
    "coag": (
        0.3,
        (
            _lab("pt", 14.5, 3.5, 9.5, 60, 1),
            _lab("pt - inr", 1.3, 0.4, 0.8, 8, 1),
            _lab("ptt", 33, 9, 20, 150, 1),
        ),
    ),
    "abg": (
        0.22,
        (
            _lab("ph", 7.38, 0.07, 6.9, 7.7, 2),
            _lab("pao2", 95, 35, 35, 500, 0),
            _lab("paco2", 41, 9, 15, 110, 0),
            _lab("hco3", 24, 4, 8, 45, 1),
            _lab("base excess", -0.5, 4.5, -25, 20, 1),
            _lab("fio2", 45, 20, 21, 100, 0),
        ),
    ),
    "cardiac": (
        0.12,
        (
            _lab("troponin - i", 0.35, 1.2, 0.01, 50, 2),
            _lab("bnp", 420, 600, 10, 5000, 0),
            _lab("ck", 180, 300, 15, 8000, 0),
        ),
    ),
    "other": (
        0.18,
        (
            _lab("lactate", 1.9, 1.3, 0.3, 20, 1),
            _lab("lipase", 60, 80, 5, 2000, 0),
            _lab("tsh", 2.1, 1.6, 0.01, 40, 2),
            _lab("ferritin", 320, 400, 5, 6000, 0),
            _lab("ammonia", 35, 25, 8, 300, 0),
            _lab("triglycerides", 140, 80, 25, 1500, 0),
            _lab("urinary specific gravity", 1.015, 0.007, 1.001, 1.04, 3),
            _lab("ionized calcium", 1.15, 0.09, 0.7, 1.6, 2),
        ),
    ),
}
"""Lab panels: each day of a stay draws every panel with its chance; "other"
draws one test of its list."""

BEDSIDE_GLUCOSE: Final = _lab("bedside glucose", 150, 50, 30, 550, 0)

LABS: Final[tuple[LabSpec, ...]] = (
    *(spec for _, specs in PANELS.values() for spec in specs),
    BEDSIDE_GLUCOSE,
)
"""Every lab test the generator can write, in panel order."""

VITAL_COLUMNS: Final = (
    "temperature",
    "sao2",
    "heartrate",
    "respiration",
    "systemicsystolic",
    "systemicdiastolic",
    "systemicmean",
)
"""The measured columns of ``vitalperiodic``, in EHRSQL's order."""

_VITAL_INTERVAL: Final = 60  # minutes between rows (the real table has one per 5 minutes)
_MAX_VITAL_ROWS: Final = 24 * 21  # a stay's vitals stop after three weeks


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def lab_rows(seed: int, stays: Iterable[Stay]) -> list[tuple[int, int, str, float]]:
    """Raw ``lab`` rows ``(patientunitstayid, labresultoffset, labname, labresult)``.

    Panels are drawn each day from shortly before unit admission to the unit
    discharge; results of one panel share their offset, as in the real table.
    """
    out: list[tuple[int, int, str, float]] = []
    for stay in stays:
        rng = random.Random(f"eicu-lab/{seed}/{stay.patientunitstayid}")
        bias = {spec.name: rng.gauss(0.0, 0.45 * spec.sd) for spec in LABS}
        drawn: list[tuple[LabSpec, int]] = []
        start = max(stay.hospitaladmitoffset, -24 * 60)
        end = max(stay.unitdischargeoffset, 60)
        day = 0
        while day * 1440 < end:
            base = (
                start + rng.randrange(0, 180) if day == 0 else day * 1440 + rng.randrange(180, 420)
            )
            if base < end:
                for name, (chance, specs) in PANELS.items():
                    if day > 0 and rng.random() >= chance:
                        continue
                    if name == "other":
                        drawn.append((rng.choice(specs), min(end - 1, base + rng.randrange(0, 90))))
                    elif day == 0 or name in ("bmp", "cbc") or rng.random() < 0.9:
                        drawn.extend((spec, base) for spec in specs)
            for _ in range(rng.choice((0, 0, 1, 2, 3))):
                when = day * 1440 + rng.randrange(0, 1440)
                if start <= when < end:
                    drawn.append((BEDSIDE_GLUCOSE, when))
            day += 1
        for spec, offset in drawn:
            value = rng.gauss(spec.mean + bias[spec.name], 0.6 * spec.sd)
            result = round(_clip(value, spec.low, spec.high), spec.decimals)
            out.append((stay.patientunitstayid, offset, spec.name, result))
    return out


VitalRow = tuple[int, int, float | None, *tuple[int | None, ...]]
"""``(patientunitstayid, observationoffset, temperature, sao2, heartrate, ...)``."""


def vital_rows(seed: int, stays: Iterable[Stay]) -> list[VitalRow]:
    """Raw ``vitalperiodic`` rows: ``(patientunitstayid, observationoffset, *VITAL_COLUMNS)``.

    One row per hour of the unit stay (offsets are multiples of five minutes,
    like the monitor's), for at most three weeks.
    """
    out: list[VitalRow] = []
    for stay in stays:
        rng = random.Random(f"eicu-vital/{seed}/{stay.patientunitstayid}")
        hr0, rr0, sat0 = rng.gauss(86, 13), rng.gauss(19, 3.5), rng.gauss(96.5, 1.6)
        temp0, sbp0 = rng.gauss(37.0, 0.4), rng.gauss(122, 17)
        arterial = rng.random() < 0.35
        hr, rr, sat, temp, sbp = hr0, rr0, sat0, temp0, sbp0
        offset = 5 * rng.randrange(0, 12)
        for _ in range(_MAX_VITAL_ROWS):
            if offset >= stay.unitdischargeoffset:
                break
            hr = hr0 + 0.8 * (hr - hr0) + rng.gauss(0, 5)
            rr = rr0 + 0.7 * (rr - rr0) + rng.gauss(0, 2)
            sat = sat0 + 0.6 * (sat - sat0) + rng.gauss(0, 1.1)
            temp = temp0 + 0.85 * (temp - temp0) + rng.gauss(0, 0.15)
            sbp = sbp0 + 0.75 * (sbp - sbp0) + rng.gauss(0, 8)
            dbp = sbp * rng.uniform(0.48, 0.6)
            missing = rng.random()
            out.append(
                (
                    stay.patientunitstayid,
                    offset,
                    round(_clip(temp, 34.0, 41.5), 1) if rng.random() < 0.25 else None,
                    round(_clip(sat, 70, 100)) if missing > 0.04 else None,
                    round(_clip(hr, 30, 190)) if missing > 0.01 else None,
                    round(_clip(rr, 5, 50)) if missing > 0.06 else None,
                    round(_clip(sbp, 60, 220)) if arterial else None,
                    round(_clip(dbp, 30, 130)) if arterial else None,
                    round(_clip((sbp + 2 * dbp) / 3, 40, 160)) if arterial else None,
                )
            )
            offset += _VITAL_INTERVAL
    return out
