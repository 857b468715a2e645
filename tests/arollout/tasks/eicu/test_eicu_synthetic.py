"""The synthetic generator, the synthetic lab/vital signals and the cost table."""

from __future__ import annotations

import contextlib
import sqlite3
from collections import defaultdict
from typing import TYPE_CHECKING

from hypothesis import given, settings, strategies as st

from arollout.tasks.eicu.charts import DRUGS
from arollout.tasks.eicu.convert import keep_patient, path_name
from arollout.tasks.eicu.database import synthetic_rows
from arollout.tasks.eicu.signals import LABS, PANELS, VITAL_COLUMNS, Stay, lab_rows, vital_rows
from arollout.tasks.eicu.synthetic import generate_raw
from arollout.tasks.eicu.vocab import DIAGNOSES

if TYPE_CHECKING:
    from arollout.tasks.ehr.database import EhrDatabase

_SPEC = {spec.name: spec for spec in LABS}


def test_generation_is_deterministic_and_seeded() -> None:
    first, again, other = synthetic_rows(5, 40), synthetic_rows(5, 40), synthetic_rows(6, 40)
    assert first == again
    assert first["patient"] != other["patient"] and first["lab"] != other["lab"]
    bigger = generate_raw(5, 80)
    assert len({r[2] for r in bigger["patient"]}) == 80


def test_raw_rows_pass_every_filter_of_the_conversion() -> None:
    raw = generate_raw(7, 60)
    assert all(keep_patient(r) for r in raw["patient"])
    rows = synthetic_rows(7, 60)
    assert len(rows["patient"]) == len(raw["patient"])
    names = {path_name(d.path.lower())[1] for d in DIAGNOSES}
    assert {r[2] for r in rows["diagnosis"]} <= names
    assert {r[2] for r in rows["medication"]} <= {d.name for d in DRUGS}


def test_lab_values_follow_their_reference_ranges() -> None:
    stays = [Stay(10, -300, 4000), Stay(11, 0, 200), Stay(12, -30, 30_000)]
    rows = lab_rows(1, stays)
    by_stay: dict[int, list[tuple[int, str, float]]] = defaultdict(list)
    for stay, offset, name, value in rows:
        spec = _SPEC[name]
        assert spec.low <= value <= spec.high and round(value, spec.decimals) == value
        by_stay[stay].append((offset, name, value))
    for unit in stays:
        offsets = [o for o, _, _ in by_stay[unit.patientunitstayid]]
        assert offsets and min(offsets) >= max(unit.hospitaladmitoffset, -1440)
        assert max(offsets) < max(unit.unitdischargeoffset, 60)
    first_day = {n for o, n, _ in by_stay[12] if o < 0 + 180 - 30}
    assert {s.name for s in PANELS["bmp"][1]} <= first_day  # the admission panel is complete


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 10**6), st.integers(-3000, 0), st.integers(60, 12_000)),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    ),
    st.integers(0, 3),
)
def test_signals_of_a_stay_do_not_depend_on_other_stays(
    stays: list[tuple[int, int, int]], seed: int
) -> None:
    every = [Stay(*s) for s in stays]
    labs, vitals = lab_rows(seed, every), vital_rows(seed, every)
    for stay in every:
        alone = [stay]
        assert [r for r in labs if r[0] == stay.patientunitstayid] == lab_rows(seed, alone)
        assert [r for r in vitals if r[0] == stay.patientunitstayid] == vital_rows(seed, alone)
    for row in vitals:
        stay = next(s for s in every if s.patientunitstayid == row[0])
        assert row[1] % 5 == 0 and 0 <= row[1] < stay.unitdischargeoffset
        assert len(row) == 2 + len(VITAL_COLUMNS)
        arterial = [row[i] for i in (6, 7, 8)]
        assert arterial.count(None) in (0, 3)  # an arterial line gives all three pressures


def test_cost_charges_every_event_once_at_one_price(synthetic_db: EhrDatabase) -> None:
    with contextlib.closing(sqlite3.connect(synthetic_db.sqlite_path)) as con:
        q = con.execute
        counts = dict(q("SELECT eventtype, COUNT(*) FROM cost GROUP BY 1").fetchall())
        rows = synthetic_db.row_counts
        assert counts == {t: rows[t] for t in ("diagnosis", "lab", "treatment", "medication")}
        for table, key, name, when in (
            ("diagnosis", "diagnosisid", "diagnosisname", "diagnosistime"),
            ("lab", "labid", "labname", "labresulttime"),
            ("treatment", "treatmentid", "treatmentname", "treatmenttime"),
            ("medication", "medicationid", "drugname", "drugstarttime"),
        ):
            bad = q(
                f"""SELECT COUNT(*) FROM cost c JOIN {table} e ON e.{key} = c.eventid
                JOIN patient p ON p.patientunitstayid = e.patientunitstayid
                WHERE c.eventtype = '{table}' AND (c.chargetime <> e.{when}
                  OR c.uniquepid <> p.uniquepid
                  OR c.patienthealthsystemstayid <> p.patienthealthsystemstayid)"""
            ).fetchone()[0]
            assert bad == 0, table
            prices = q(
                f"""SELECT COUNT(DISTINCT c.cost) FROM cost c JOIN {table} e ON e.{key} = c.eventid
                WHERE c.eventtype = '{table}' GROUP BY e.{name} ORDER BY 1 DESC LIMIT 1"""
            ).fetchone()[0]
            assert prices == 1, table
        assert q("SELECT MIN(cost) FROM cost").fetchone()[0] >= 0.5
