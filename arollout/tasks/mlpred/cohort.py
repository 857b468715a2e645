"""Synthetic ICU cohorts written in the EHRSQL MIMIC-III schema.

Each stay is drawn from :mod:`.model` and its record written as MIMIC-III
rows (``mimic.schema``): the patient, prior admissions, the index admission
with its diagnoses, the ICU stay, charted vitals (CareVue or MetaVision item
numbers, temperature in Celsius or Fahrenheit), ventilator settings, labs,
vasopressor, sedation and fluid inputs, urine output, prescriptions and
cultures. A *prediction* cohort is cut at the prediction time, ``window``
hours after ICU admission: no row charted later is written, and whatever
only the future knows (discharge time and place, ICU out-time, date of death,
later admissions, culture results) is NULL or absent. A *complete* cohort
keeps everything and is what label-derivation tasks run on.

Every event stream of a stay has its own RNG, seeded by the cohort seed, the
stay number and the stream name, and is drawn in time order, so the rows of a
cut cohort are exactly the rows of the complete cohort of the same seed that
precede the cut. The labels (:class:`Record`) are computed here from the
generator's own values; the tests check that the outcome definitions of
:mod:`.reference` give the same labels on the complete database.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from arollout.tasks.mimic import vocab
from arollout.tasks.mlpred import model
from arollout.tasks.mlpred.items import (
    CHART_ITEMS,
    FLUIDS,
    LAB_ITEMS,
    PRESCRIBED,
    VITAL_SERIES,
    lab_value,
)

if TYPE_CHECKING:
    from arollout.tasks.ehr.tables import Rows

__all__ = (
    "COHORT_VERSION",
    "CohortSpec",
    "HORIZONS",
    "Record",
    "generate",
)

COHORT_VERSION: Final = 1
"""Bump whenever generated rows or labels change (it keys the database cache)."""

HORIZONS: Final = (12, 24)
"""Hours after the prediction time in which an intervention onset counts."""

_BASE: Final = dt.datetime(2102, 6, 1)
_UNITS: Final = (("micu", 0.35), ("sicu", 0.17), ("ccu", 0.16), ("csru", 0.14), ("tsicu", 0.18))


@dataclass(frozen=True, kw_only=True)
class CohortSpec:
    """One cohort database: ``stays`` ICU stays drawn with ``seed``, cut at
    ``window`` hours after ICU admission unless ``complete``; ``heldout`` of a
    cut cohort's stays are held out."""

    name: str
    seed: int
    stays: int
    window: int
    complete: bool = False
    heldout: int = 500  # held-out stays of a cut cohort


class Record(NamedTuple):
    """One stay's ids, labels (outcome -> 0/1 or a class) and true probabilities."""

    icustay_id: int
    subject_id: int
    hadm_id: int
    labels: dict[str, Any]
    p: dict[str, float]


def _ts(value: dt.datetime) -> str:
    return value.isoformat(sep=" ")  # = TS_FORMAT for whole seconds, and much faster


def _pick(rng: random.Random, pairs: Any) -> str:
    return str(rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]).lower()


class _Writer:
    """Row lists of every table, with running ``row_id`` numbers."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {}

    def add(self, table: str, *values: Any) -> None:
        rows = self.rows.setdefault(table, [])
        rows.append((len(rows) + 1, *values))


def _dictionaries(w: _Writer) -> None:
    for d in vocab.DIAGNOSES:
        w.add("d_icd_diagnoses", d.code, d.short_title.lower(), d.long_title.lower())
    for p in vocab.PROCEDURES:
        w.add("d_icd_procedures", p.code, p.short_title.lower(), p.long_title.lower())
    for itemid, (label, _unit) in sorted(LAB_ITEMS.items()):
        w.add("d_labitems", itemid, label)
    for itemid, (label, _unit) in sorted(CHART_ITEMS.items()):
        w.add("d_items", itemid, label, "chartevents")
    for itemid, label in sorted(FLUIDS.items()):
        w.add("d_items", itemid, label, "outputevents" if itemid == 226559 else "inputevents_cv")


class _Stay:
    """Writes one stay's rows; ``at(h)`` is the minute ``h`` hours after ICU admission."""

    def __init__(self, spec: CohortSpec, n: int, ids: tuple[int, int, int], w: _Writer) -> None:
        self.spec, self.n, self.w = spec, n, w
        self.subject, self.hadm, self.icu = ids
        self.m = model.draw(self.rng("latent"), spec.window)
        base = self.rng("calendar")
        self.admit = _BASE + dt.timedelta(minutes=int(base.uniform(0, 730) * 1440))
        self.intime = self.admit + dt.timedelta(minutes=math.floor(self.m.pre_icu_h * 60))
        self.outtime = self.at(self.m.icu_h)
        self.disch = self.outtime + dt.timedelta(minutes=math.floor(self.m.post_h * 60))
        self.end_h = self.m.icu_h if spec.complete else float(spec.window)
        dob = self.admit - dt.timedelta(days=self.m.age * 365.25 + base.uniform(1, 360))
        self.dob = dob.replace(hour=0, minute=0, second=0, microsecond=0)
        self.careunit = _pick(base, _UNITS)

    def rng(self, stream: str) -> random.Random:
        return random.Random(f"mlpred-cohort/{COHORT_VERSION}/{self.spec.seed}/{self.n}/{stream}")

    def at(self, hours: float) -> dt.datetime:
        return self.intime + dt.timedelta(minutes=math.floor(hours * 60))

    def age(self, when: dt.datetime) -> int:
        return int((when - self.dob).days / 365.25)

    def write(self, hadm_ids: list[int]) -> Record:
        m, w, rng = self.m, self.w, self.rng("admin")
        complete = self.spec.complete
        demo = [_pick(rng, pairs) for pairs in (vocab.INSURANCES, vocab.LANGUAGES, vocab.MARITAL)]
        demo.append(_pick(rng, vocab.ETHNICITIES))
        codes = [model.COMORBIDITIES[c][0] for c in sorted(m.conditions)]
        when = self.admit
        for _ in range(m.prior):  # complete prior admissions, most recent first
            disch = when - dt.timedelta(minutes=int(rng.uniform(20, 300) * 1440))
            start = disch - dt.timedelta(minutes=int(rng.uniform(2, 9) * 1440))
            loc = rng.choice(("home", "home health care", "snf"))
            self.admission(hadm_ids.pop(), start, disch, "emergency", loc, demo, codes)
            when = start
        location = m.location if complete else None
        self.admission(
            self.hadm, self.admit, self.disch if complete else None, m.admission_type, location,
            demo, codes + ([model.SEPSIS_CODE] if m.sepsis else []),
        )  # fmt: skip
        later = m.readmit_days if m.readmit_days is not None else m.later_days
        if complete and later is not None:
            start = self.disch + dt.timedelta(minutes=int(later * 1440))
            stop = start + dt.timedelta(minutes=int(rng.uniform(2, 8) * 1440))
            self.admission(hadm_ids.pop(), start, stop, "emergency", "home", demo, codes)
        dod: dt.datetime | None = None
        if m.died:
            dod = self.disch
        elif m.death_after_days is not None:
            dod = self.disch + dt.timedelta(days=m.death_after_days)
        if dod is not None:
            dod = dod.replace(hour=0, minute=0, second=0, microsecond=0)
        gender = "m" if m.male else "f"
        w.add("patients", self.subject, gender, _ts(self.dob),
              _ts(dod) if dod is not None and complete else None)  # fmt: skip
        self.icu_rows(rng)
        self.vitals()
        self.labs()
        self.inputs()
        self.outputs()
        self.prescriptions()
        self.cultures()
        return Record(self.icu, self.subject, self.hadm, self.labels(dod), dict(m.p))

    def admission(
        self,
        hadm: int,
        start: dt.datetime,
        stop: dt.datetime | None,
        kind: str,
        location: str | None,
        demo: list[str],
        codes: list[str],
    ) -> None:
        self.w.add(
            "admissions", self.subject, hadm, _ts(start), None if stop is None else _ts(stop),
            kind, "emergency room admit" if kind == "emergency" else "phys referral/normal deli",
            location, *demo, self.age(start),
        )  # fmt: skip
        for code in codes:
            self.w.add("diagnoses_icd", self.subject, hadm, code, _ts(start))

    def icu_rows(self, rng: random.Random) -> None:
        complete, unit = self.spec.complete, self.careunit
        ward = rng.choice((7, 12, 14, 15, 23, 33, 50, 52, 57))
        out = _ts(self.outtime) if complete else None
        self.w.add("icustays", self.subject, self.hadm, self.icu, unit,
                   unit if complete else None, ward, ward if complete else None,
                   _ts(self.intime), out)  # fmt: skip
        self.w.add("transfers", self.subject, self.hadm, None, "admit", None, 4,
                   _ts(self.admit), _ts(self.intime))  # fmt: skip
        self.w.add("transfers", self.subject, self.hadm, self.icu, "transfer", unit, ward,
                   _ts(self.intime), out)  # fmt: skip
        if complete:
            if not self.m.died_in_icu:
                self.w.add("transfers", self.subject, self.hadm, None, "transfer", None, 4,
                           out, _ts(self.disch))  # fmt: skip
            self.w.add("transfers", self.subject, self.hadm, None, "discharge", None, None,
                       _ts(self.disch), None)  # fmt: skip
        if complete and self.m.vent_h is not None:
            long_vent = (self.m.vent_end_h or 0) - self.m.vent_h >= 96
            self.w.add("procedures_icd", self.subject, self.hadm, "9672" if long_vent else "9671",
                       _ts(self.disch))  # fmt: skip

    def chart(self, itemid: int, hours: float, value: float) -> None:
        self.w.add("chartevents", self.subject, self.hadm, self.icu, itemid,
                   _ts(self.at(hours)), value, CHART_ITEMS[itemid][1])  # fmt: skip

    def vitals(self) -> None:
        rng = self.rng("vitals")
        metavision = rng.random() < 0.6
        fahrenheit = rng.random() < 0.5
        series = [(v, v.mean(self.m)) for v in VITAL_SERIES]
        state = [0.0] * len(series)
        t = rng.uniform(0.05, 1.5)
        while t < self.end_h:
            for j, (v, mu) in enumerate(series):
                charted, g = rng.random() < v.share, rng.gauss(0.0, 0.8 * v.sd)
                state[j] = 0.6 * state[j] + g
                if charted:
                    value = min(v.high, max(v.low, mu + state[j]))
                    itemid = v.items[metavision]
                    if v.name == "temperature" and fahrenheit:
                        itemid, value = v.fahrenheit[metavision], value * 1.8 + 32.0
                    self.chart(itemid, t, round(value, v.decimals))
            t += rng.uniform(1.0, 3.0)
        rng = self.rng("ventilator")
        if self.m.vent_h is not None and self.m.vent_end_h is not None:
            t, stop = self.m.vent_h, min(self.m.vent_end_h, self.end_h)
            while t < stop:
                self.chart(220339, t, float(rng.choice((5, 5, 8, 8, 10, 12))))
                self.chart(224684, t, float(round(rng.gauss(450, 40) / 10) * 10))
                t += 4.0

    def labs(self) -> None:
        clock, rng = self.rng("lab-times"), self.rng("lab-values")
        times = [-self.m.pre_icu_h + 0.3] if self.m.pre_icu_h > 1.5 else []
        t = clock.uniform(0.3, 4.0)
        while t < self.end_h:
            times.append(t)
            t += clock.uniform(6.0, 14.0)
        for t in times:
            for itemid, value in lab_value(rng, self.m):
                self.w.add("labevents", self.subject, self.hadm, itemid, _ts(self.at(t)), value,
                           LAB_ITEMS[itemid][1])  # fmt: skip

    def inputs(self) -> None:
        m, rows = self.m, []
        rng = self.rng("vasopressor")
        if m.vaso_h is not None and m.vaso_end_h is not None:
            drug = rng.choices((221906, 221749, 222315), (0.7, 0.2, 0.1))[0]
            t, stop = m.vaso_h, min(m.vaso_end_h, self.end_h)
            while t < stop:
                rows.append((self.at(t), drug, round(max(0.5, rng.gauss(8.0, 3.0)), 1)))
                t += 1.0
        rng = self.rng("sedation")
        if m.vent_h is not None and m.vent_end_h is not None and rng.random() < 0.7:
            t, stop = m.vent_h + 0.25, min(m.vent_end_h, self.end_h)
            while t < stop:
                rows.append((self.at(t), 222168, round(max(1.0, rng.gauss(30.0, 10.0)), 1)))
                t += 2.0
        rng = self.rng("saline")
        rate = (1.0 + 1.5 * (m.c > 0)) / 24.0
        t = rng.expovariate(rate)
        while t < self.end_h:
            rows.append((self.at(t), 225158, float(rng.choice((250, 500, 500, 1000)))))
            t += rng.expovariate(rate)
        for when, itemid, amount in sorted(rows):
            self.w.add(
                "inputevents_cv", self.subject, self.hadm, self.icu, _ts(when), itemid, amount
            )

    def outputs(self) -> None:
        rng = self.rng("urine")
        t = rng.uniform(0.5, 2.0)
        hourly = 80.0 * math.exp(-0.45 * self.m.k)
        while t < self.end_h:
            step = rng.uniform(1.5, 3.0)
            value = float(round(max(0.0, rng.gauss(hourly * step, 25.0))))
            self.w.add(
                "outputevents", self.subject, self.hadm, self.icu, _ts(self.at(t)), 226559, value
            )
            t += step

    def prescriptions(self) -> None:
        rng, m = self.rng("prescriptions"), self.m
        for drug in PRESCRIBED:
            chance, start = drug.chance(m), -m.pre_icu_h + rng.uniform(0.0, m.pre_icu_h + 36.0)
            dose, route, days = rng.choice(drug.doses), rng.choice(drug.routes), rng.randint(1, 6)
            if drug.onset == "vasopressor":
                start = m.vaso_h if m.vaso_h is not None else math.inf
            elif drug.onset == "ventilation":
                start = m.vent_h if m.vent_h is not None else math.inf
            if rng.random() >= chance or start == math.inf:
                continue
            when = self.at(start).replace(minute=0)
            if when < self.disch and (self.spec.complete or start < self.end_h):
                self.w.add("prescriptions", self.subject, self.hadm, _ts(when),
                           _ts(when + dt.timedelta(days=days)), drug.name, dose, drug.unit, route)  # fmt: skip

    def cultures(self) -> None:
        rng, m = self.rng("cultures"), self.m
        for spec, chance in (("blood culture", 0.7 * (m.i > 0.3)), ("urine", 0.3),
                             ("sputum", 0.5 * (m.r > 0.5))):  # fmt: skip
            start = -m.pre_icu_h + rng.uniform(0.0, m.pre_icu_h + 24.0)
            grows = rng.random() < model.sigmoid(1.5 * m.i - 2.0)
            organism = rng.choice(
                ("escherichia coli", "staph aureus coag +", "klebsiella pneumoniae")
            )
            if rng.random() < chance and start < self.end_h:
                org = organism if grows and self.spec.complete else None
                self.w.add(
                    "microbiologyevents", self.subject, self.hadm, _ts(self.at(start)), spec, org
                )

    def labels(self, dod: dt.datetime | None) -> dict[str, Any]:
        m, window = self.m, self.spec.window
        died = m.died
        facility = m.location in ("snf", "rehab/distinct part hosp", "long term care hospital")
        month = (self.intime + dt.timedelta(days=30)).date()
        out: dict[str, Any] = {
            "mort_hosp": int(died),
            "mort_icu": int(m.died_in_icu),
            "mort_30d": int(dod is not None and dod.date() <= month),
            "los_icu_3": int(self.outtime - self.intime > dt.timedelta(days=3)),
            "los_icu_7": int(self.outtime - self.intime > dt.timedelta(days=7)),
            "los_hosp_10": int(self.disch - self.admit > dt.timedelta(days=10)),
            "readmit_30": int(m.readmit_days is not None),
            "discharge_facility": int(facility),
            "disposition": "died" if died else "facility" if facility else "home",
        }
        for horizon in HORIZONS:
            for name, start in (("vaso", m.vaso_h), ("vent", m.vent_h)):
                minute = -1 if start is None else math.floor(start * 60)
                out[f"{name}_onset_{horizon}"] = int(
                    window * 60 <= minute < (window + horizon) * 60
                )
        return out


def generate(spec: CohortSpec) -> tuple[Rows, list[Record]]:
    """Every table's rows and every stay's record for ``spec`` (pure and deterministic)."""
    rng = random.Random(f"mlpred-cohort/{COHORT_VERSION}/{spec.seed}/ids")
    subjects = rng.sample(range(10_000, 99_999), spec.stays)
    hadms = rng.sample(range(100_000, 199_999), spec.stays * 7)
    stays = rng.sample(range(200_000, 299_999), spec.stays)
    index, spare = hadms[: spec.stays], hadms[spec.stays :]
    w = _Writer()
    _dictionaries(w)
    records = [
        _Stay(spec, n, (subjects[n], index[n], stays[n]), w).write(spare) for n in range(spec.stays)
    ]
    return dict(w.rows), records
