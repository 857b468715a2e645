"""A seeded synthetic eICU database of any size, with no download.

The generator writes **raw eICU-CRD rows** (minute offsets from unit
admission, ``|``-paths for diagnoses and treatments, free-text drug orders,
flowsheet intake/output cells; see :data:`~arollout.tasks.eicu.schema.RAW_COLUMNS`),
and the same conversion as the demo's real tables
(:func:`~arollout.tasks.eicu.convert.convert`) turns them into the EHRSQL
schema. So the two databases differ only in where the raw rows came from,
and every template runs on both.

The structure follows eICU-CRD's (Pollard et al., Sci Data 5:180178, 2018):
a person has one to three hospital stays (``patienthealthsystemstayid``) in
2014-2015, each with one or two ICU unit stays (``patientunitstayid``); the
unit stay is the unit of every event table. Terms come from the short lists
in :mod:`~arollout.tasks.eicu.vocab` and :mod:`~arollout.tasks.eicu.charts`,
labs and vitals from :mod:`~arollout.tasks.eicu.signals`. Chronic diagnoses,
home drugs and allergies belong to the person and recur across their stays,
which is what makes "again", "since" and "first/last" questions meaningful.
Everything is drawn from RNGs seeded by the seed (and the person), so the
same seed and size always give the same rows.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Final, TypeVar

from arollout.tasks.eicu.charts import (
    ALLERGIES,
    CULTURE_SITES,
    DRUGS,
    INTAKE_OUTPUT,
    ORGANISMS,
    Drug,
    IoCell,
)
from arollout.tasks.eicu.signals import Stay, lab_rows, vital_rows
from arollout.tasks.eicu.vocab import (
    ADMIT_SOURCES,
    DIAGNOSES,
    DISCHARGE_STATUSES,
    ETHNICITIES,
    TREATMENTS,
    Diagnosis,
    Weighted,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from arollout.tasks.eicu.schema import RawTables

__all__ = ("SYNTHETIC_VERSION", "generate_raw")

SYNTHETIC_VERSION: Final = 1
"""Bump whenever the generated rows change (it keys the database cache)."""

_DX_WEIGHTS: Final = [d.weight for d in DIAGNOSES]
_TX_WEIGHTS: Final = [t.weight for t in TREATMENTS]
_RX_WEIGHTS: Final = [d.weight for d in DRUGS]
_T = TypeVar("_T")
_OUTPUTS: Final = [c for c in INTAKE_OUTPUT if "|output (ml)|" in c.cellpath]
_INTAKES: Final = [c for c in INTAKE_OUTPUT if "|intake (ml)|" in c.cellpath]


def _pick(rng: random.Random, items: Sequence[Weighted]) -> str:
    return rng.choices([w.term for w in items], [w.weight for w in items])[0]


def _distinct(
    rng: random.Random, items: Sequence[_T], weights: Sequence[float], k: int
) -> list[_T]:
    """``k`` distinct items drawn in proportion to their weights."""
    chosen: dict[int, None] = {}
    while len(chosen) < min(k, len(items)):
        chosen[rng.choices(range(len(items)), weights)[0]] = None
    return [items[i] for i in chosen]


class _Writer:
    """Accumulates the raw rows of every table while persons are generated."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tables: RawTables = {
            t: []
            for t in ("patient", "diagnosis", "treatment", "medication", "allergy")
            + ("intakeoutput", "microlab")
        }
        self.stays: list[Stay] = []

    def unit_events(
        self,
        stay: int,
        start: int,
        end: int,
        chronic: list[Diagnosis],
        home: list[Drug],
        allergies: list[tuple[str, str | None, float]],
    ) -> None:
        """Diagnoses, treatments, orders, allergies, intake/output and cultures of one unit stay."""
        rng, t = self.rng, self.tables
        acute = _distinct(rng, DIAGNOSES, _DX_WEIGHTS, rng.randint(2, 8))
        for dx in dict.fromkeys([*chronic, *acute]):
            for _ in range(rng.choices((1, 2, 3), (70, 22, 8))[0]):
                when = (
                    rng.randrange(start, min(end, start + 1440) + 1)
                    if rng.random() < 0.7
                    else rng.randrange(start, end + 1)
                )
                code = dx.icd9code if rng.random() > 0.08 else None
                t["diagnosis"].append((stay, when, dx.path, code))
        for tx in _distinct(rng, TREATMENTS, _TX_WEIGHTS, rng.randint(3, 14)):
            for _ in range(rng.choices((1, 2, 3, 4), (55, 25, 12, 8))[0]):
                t["treatment"].append((stay, rng.randrange(0, end + 1), tx.term))
        orders = [d for d in home if rng.random() < 0.8]
        orders += _distinct(rng, DRUGS, _RX_WEIGHTS, rng.randint(4, 18))
        for drug in orders:
            for _ in range(rng.choices((1, 2, 3), (60, 28, 12))[0]):
                begin = rng.randrange(max(start, -120), end)
                stop = begin + 60 * rng.choice((1, 4, 8, 12, 24, 24, 48, 72, 120))
                cancelled = "Yes" if rng.random() < 0.03 else "No"
                dosage, route = rng.choice(drug.dosages), rng.choice(drug.routes)
                t["medication"].append((stay, begin, stop, drug.name, dosage, route, cancelled))
        for name, drug_name, _ in allergies:
            t["allergy"].append((stay, rng.randrange(0, min(end, 720) + 1), drug_name, name))
        when = rng.randrange(0, 240)
        while when < end:
            for cell in _distinct(rng, _INTAKES, [c.weight for c in _INTAKES], rng.randint(1, 3)):
                t["intakeoutput"].append(self._cell(stay, when + rng.randrange(0, 90), cell))
            for cell in _distinct(rng, _OUTPUTS, [c.weight for c in _OUTPUTS], rng.randint(1, 2)):
                t["intakeoutput"].append(self._cell(stay, when + rng.randrange(0, 90), cell))
            when += 60 * rng.choice((4, 4, 6, 8, 12))
        if rng.random() < 0.22:
            for _ in range(rng.randint(1, 3)):
                site, organism = _pick(rng, CULTURE_SITES), _pick(rng, ORGANISMS)
                t["microlab"].append((stay, rng.randrange(start, end + 1), site.title(), organism))

    def _cell(self, stay: int, when: int, cell: IoCell) -> tuple[Any, ...]:
        volume = max(5.0, self.rng.gauss(cell.mean, cell.sd))
        return (
            stay,
            when,
            cell.cellpath,
            cell.celllabel,
            round(volume, self.rng.choice((0, 0, 1))),
        )


def _visit_units(rng: random.Random) -> list[tuple[int, int]]:
    """(hospitaladmitoffset, unitdischargeoffset) of each unit stay of one hospital stay."""
    units: list[tuple[int, int]] = []
    before = -rng.choice((0, rng.randrange(30, 900), rng.randrange(900, 4320)))
    for _ in range(rng.choices((1, 2), (88, 12))[0]):
        length = int(min(30 * 1440, max(240, rng.lognormvariate(7.85, 0.8))))
        units.append((before, length))
        before -= length + rng.randrange(240, 4320)
    return units


def generate_raw(seed: int, patients: int) -> RawTables:
    """Raw eICU tables for ``patients`` persons (deterministic for ``(seed, patients)``)."""
    rng = random.Random(f"eicu-synthetic/{SYNTHETIC_VERSION}/{seed}")
    hospitals = sorted(rng.sample(range(56, 460), max(6, patients // 40)))
    wards = {h: sorted(rng.sample(range(80, 1100), rng.randint(1, 4))) for h in hospitals}
    numbers = rng.sample(range(10_000, 999_999), patients)
    hss_ids = iter(sorted(rng.sample(range(100_000, 400_000), patients * 3)))
    stay_ids = iter(sorted(rng.sample(range(140_000, 3_400_000), patients * 6)))
    out = _Writer(rng)
    for number in numbers:
        pid = f"{rng.randint(1, 35):03d}-{number}"
        gender = rng.choices(("Male", "Female"), (55, 45))[0]
        age0 = int(min(89, max(18, rng.gauss(64, 15))))
        height = round(rng.gauss(176 if gender == "Male" else 162, 7), 1)
        weight = round(max(38.0, rng.gauss(86 if gender == "Male" else 74, 18)), 1)
        ethnicity = _pick(rng, ETHNICITIES) if rng.random() > 0.02 else None
        chronic = _distinct(rng, DIAGNOSES, _DX_WEIGHTS, rng.randint(0, 3))
        home = _distinct(rng, DRUGS, _RX_WEIGHTS, rng.randint(0, 4))
        allergies = _distinct(
            rng, ALLERGIES, [a[2] for a in ALLERGIES], rng.choices((0, 1, 2, 3), (58, 27, 10, 5))[0]
        )
        visits = rng.choices((1, 2, 3), (82, 14, 4))[0]
        year = rng.choice((2014, 2014, 2015))
        for v in range(visits):
            if v and rng.random() < 0.5:
                year = min(2015, year + 1)
            hss, hospital = next(hss_ids), rng.choice(hospitals)
            units = _visit_units(rng)
            last_end = max(-before + length for before, length in units)
            after = last_end + rng.choice((0, rng.randrange(60, 10080)))
            status = _pick(rng, DISCHARGE_STATUSES) if v == visits - 1 else "Alive"
            clock = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:00"
            source = _pick(rng, ADMIT_SOURCES) if rng.random() > 0.1 else None
            weight = round(max(38.0, weight + rng.gauss(0, 2.5)), 1)
            for before, length in units:
                stay = next(stay_ids)
                discharge = round(weight + rng.gauss(-0.8, 2.0), 1) if rng.random() > 0.3 else None
                out.tables["patient"].append(
                    (
                        stay, hss, pid, gender, str(min(89, age0 + year - 2014)), ethnicity,
                        hospital, rng.choice(wards[hospital]),
                        height if rng.random() > 0.05 else None,
                        weight if rng.random() > 0.04 else None,
                        discharge, clock, before, source, year, after + before, status, length,
                    )
                )  # fmt: skip
                out.stays.append(Stay(stay, before, length))
                out.unit_events(stay, before, length, chronic, home, allergies)
    tables = out.tables
    tables["lab"] = list(lab_rows(seed, out.stays))
    tables["vitalperiodic"] = list(vital_rows(seed, out.stays))
    return tables
