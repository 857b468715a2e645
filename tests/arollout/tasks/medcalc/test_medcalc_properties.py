"""Properties that hold for any input: conversions round-trip, formulas move the right way,
scores stay inside the ranges their sources define."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings, strategies as st

from arollout.tasks.medcalc.formulas import acute, cardiac, organ, qtc, renal
from arollout.tasks.medcalc.spec import READINGS, Draw
from arollout.tasks.medcalc.units import MEASURES

_CONVERTIBLE = sorted(k for k, m in MEASURES.items() if len(m.units) > 1)
_SPANS = {"temperature": (34.0, 41.0), "weight": (3.0, 180.0), "height": (60.0, 210.0)}


@settings(max_examples=80)
@given(key=st.sampled_from(_CONVERTIBLE), fraction=st.floats(0.01, 1.0), seed=st.integers(0, 10**6))
def test_measure_records_what_the_note_shows(key: str, fraction: float, seed: int) -> None:
    lo, hi = _SPANS.get(key, (1.0, 400.0))
    value = lo + fraction * (hi - lo)
    draw = Draw(random.Random(seed))
    exact = draw.measure(key, value, arg="x")
    readings = [r["x"] for r in draw.readings]
    assert len(readings) == len(READINGS) and readings[0] == exact
    # Every reading is the shown value under some conversion: within 0.5 % of each other.
    assert all(abs(r - exact) <= 0.005 * abs(exact) + 1e-9 for r in readings)
    # The display rounding moves the value by at most half a unit of the last shown digit.
    shown = draw.shown["x"]
    unit = next(u for u in MEASURES[key].units if shown.endswith(u.symbol) or u.symbol == "ft-in")
    assert abs(exact - value) <= 0.5 * 10.0**-unit.decimals * unit.scale + 1e-6
    assert draw.facts and draw.facts[-1].text == draw.shown["x"]


@given(
    age=st.integers(18, 100),
    female=st.booleans(),
    low=st.floats(0.3, 5.0),
    extra=st.floats(0.01, 5.0),
)
def test_egfr_and_clearance_fall_as_creatinine_rises(
    age: int, female: bool, low: float, extra: float
) -> None:
    high = low + extra
    assert renal.ckd_epi_2021(age=age, female=female, creatinine_mg_dl=high) < renal.ckd_epi_2021(
        age=age, female=female, creatinine_mg_dl=low
    )
    assert renal.mdrd_gfr(
        age=age, female=female, black=False, creatinine_mg_dl=high
    ) < renal.mdrd_gfr(age=age, female=female, black=False, creatinine_mg_dl=low)
    kwargs: dict[str, Any] = {
        "age": min(age, 139),
        "female": female,
        "weight_kg": 75.0,
        "height_cm": 172.0,
    }
    assert renal.cockcroft_gault(**kwargs, creatinine_mg_dl=high) < renal.cockcroft_gault(
        **kwargs, creatinine_mg_dl=low
    )


@given(hr=st.integers(35, 180), qt=st.integers(200, 700), more=st.integers(1, 100))
def test_qtc_grows_with_qt(hr: int, qt: int, more: int) -> None:
    for func in (
        qtc.qtc_bazett,
        qtc.qtc_fridericia,
        qtc.qtc_framingham,
        qtc.qtc_hodges,
        qtc.qtc_rautaharju,
    ):
        assert func(qt_ms=qt + more, heart_rate=hr) > func(qt_ms=qt, heart_rate=hr)


@given(flags=st.lists(st.booleans(), min_size=16, max_size=16), age=st.integers(18, 105))
def test_score_totals_stay_in_their_published_ranges(flags: list[bool], age: int) -> None:
    f = iter(flags)
    chads = cardiac.cha2ds2_vasc(
        age=age,
        female=next(f),
        chf=next(f),
        hypertension=next(f),
        diabetes=next(f),
        stroke_tia_thromboembolism=next(f),
        vascular_disease=next(f),
    )
    assert 0 <= sum(chads) <= 9
    bled = cardiac.has_bled(
        uncontrolled_hypertension=next(f),
        renal_disease=next(f),
        liver_disease=next(f),
        stroke=next(f),
        bleeding=next(f),
        labile_inr=next(f),
        age=age,
        drugs=next(f),
        alcohol_drinks_per_week=10 if next(f) else 0,
    )
    assert 0 <= sum(bled) <= 9
    assert (
        0
        <= sum(
            acute.qsofa(
                respiratory_rate=20 + 4 * flags[0],
                altered_mentation=flags[1],
                sbp=95 + 10 * flags[2],
            )
        )
        <= 3
    )


@given(
    bili=st.floats(0.1, 30),
    alb=st.floats(1.0, 6.0),
    inr=st.floats(0.8, 6.0),
    ascites=st.sampled_from(("absent", "slight", "moderate")),
    enceph=st.sampled_from(("none", "grade_1_2", "grade_3_4")),
    cr=st.floats(0.2, 12.0),
    na=st.floats(110, 160),
    dialysis=st.booleans(),
)
def test_liver_scores_stay_in_range(
    bili: float,
    alb: float,
    inr: float,
    ascites: organ.Ascites,
    enceph: organ.Encephalopathy,
    cr: float,
    na: float,
    dialysis: bool,
) -> None:
    assert (
        5
        <= sum(
            organ.child_pugh(
                bilirubin_mg_dl=bili,
                albumin_g_dl=alb,
                inr=inr,
                ascites=ascites,
                encephalopathy=enceph,
            )
        )
        <= 15
    )
    assert (
        6
        <= organ.meld_na(
            creatinine_mg_dl=cr, bilirubin_mg_dl=bili, inr=inr, sodium=na, dialysis=dialysis
        )
        <= 40
    )


@given(
    eye=st.sampled_from(("spontaneous", "to_sound", "to_pain", "none")),
    verbal=st.sampled_from(("oriented", "confused", "words", "sounds", "none")),
    motor=st.sampled_from(("obeys", "localizes", "withdraws", "flexion", "extension", "none")),
)
def test_gcs_between_3_and_15(
    eye: acute.EyeResponse, verbal: acute.VerbalResponse, motor: acute.MotorResponse
) -> None:
    assert 3 <= sum(acute.glasgow_coma_scale(eye=eye, verbal=verbal, motor=motor)) <= 15
