"""Equation calculators against worked examples from their sources and public calculators.

Where a source gives no worked example, the expected value is computed by hand
from the published equation in the comment next to it (never by calling the
implementation), and checked to a relative 1e-3 so a wrong constant, unit or
exponent fails.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import pytest

from arollout.tasks.medcalc.formulas import (
    body,
    dosing,
    electrolytes as el,
    metabolic,
    pregnancy,
    qtc,
    renal,
)

if TYPE_CHECKING:
    from collections.abc import Callable

REL = 1e-3


def test_cockcroft_gault_weight_rule_and_equation() -> None:
    # Cockcroft & Gault 1976: (140 - age) x weight / (72 x SCr); 0.85 for women.
    # 175 cm (68.90 in), 60 kg: BMI 19.6 (normal), IBW 50 + 2.3 x 8.90 = 70.47 > 60 -> actual 60 kg.
    assert renal.cockcroft_gault(
        age=60, female=False, weight_kg=60, height_cm=175, creatinine_mg_dl=1.0
    ) == pytest.approx(80 * 60 / 72, rel=REL)
    # Same man at 72 kg (BMI 23.5): the lower of IBW (70.47 kg) and actual weight.
    assert renal.cockcroft_gault(
        age=60, female=False, weight_kg=72, height_cm=175, creatinine_mg_dl=1.0
    ) == pytest.approx(80 * 70.47 / 72, rel=REL)
    # 110 kg (BMI 35.9): adjusted weight 70.47 + 0.4 x (110 - 70.47) = 86.28 kg.
    assert renal.cockcroft_gault(
        age=60, female=False, weight_kg=110, height_cm=175, creatinine_mg_dl=2.0
    ) == pytest.approx(80 * 86.28 / 144, rel=REL)
    # Underweight woman (BMI 15.6, 160 cm, 40 kg): actual weight, x 0.85.
    assert renal.cockcroft_gault(
        age=80, female=True, weight_kg=40, height_cm=160, creatinine_mg_dl=0.8
    ) == pytest.approx(60 * 40 / (72 * 0.8) * 0.85, rel=REL)


def test_cockcroft_gault_weight_switches_exactly_at_the_bmi_cut_points() -> None:
    height = 180.0  # IBW 50 + 2.3 x (70.866 - 60) = 74.99 kg
    just_normal = 24.99 * 1.8**2
    at_overweight = 25.0 * 1.8**2 + 1e-9
    assert renal.cockcroft_gault_weight(
        weight_kg=just_normal, height_cm=height, female=False
    ) == pytest.approx(min(74.99, just_normal), rel=REL)
    adjusted = body.adjusted_body_weight(weight_kg=at_overweight, height_cm=height, female=False)
    assert (
        renal.cockcroft_gault_weight(weight_kg=at_overweight, height_cm=height, female=False)
        == adjusted
    )
    under = 18.49 * 1.8**2
    assert renal.cockcroft_gault_weight(weight_kg=under, height_cm=height, female=False) == under


def test_ckd_epi_2021_matches_published_calculator_values() -> None:
    # NKF eGFR calculator (CKD-EPI 2021): woman 50 y, SCr 0.7 -> 105; man 60 y, SCr 1.0 -> 86.
    assert round(renal.ckd_epi_2021(age=50, female=True, creatinine_mg_dl=0.7)) == 105
    assert round(renal.ckd_epi_2021(age=60, female=False, creatinine_mg_dl=1.0)) == 86
    # Above kappa the exponent is -1.200 for both sexes: 142 x (2.0/0.9)^-1.2 x 0.9938^70.
    expected = 142 * (2.0 / 0.9) ** -1.2 * 0.9938**70
    assert renal.ckd_epi_2021(age=70, female=False, creatinine_mg_dl=2.0) == pytest.approx(
        expected, rel=REL
    )


def test_mdrd_coefficients() -> None:
    # Levey 2006: 175 x 1.0^-1.154 x 50^-0.203 = 79.10; x 0.742 women; x 1.212 Black patients.
    base = 175 * 50**-0.203
    assert base == pytest.approx(79.10, rel=REL)
    assert renal.mdrd_gfr(age=50, female=False, black=False, creatinine_mg_dl=1.0) == pytest.approx(
        base, rel=REL
    )
    assert renal.mdrd_gfr(age=50, female=True, black=True, creatinine_mg_dl=1.0) == pytest.approx(
        base * 0.742 * 1.212, rel=REL
    )


def test_body_size_formulas() -> None:
    assert body.body_mass_index(weight_kg=70, height_cm=175) == pytest.approx(22.857, rel=REL)
    # Mosteller 1987: sqrt(180 x 80 / 3600) = 2.0 exactly.
    assert body.bsa_mosteller(weight_kg=80, height_cm=180) == pytest.approx(2.0, rel=1e-12)
    # DuBois 1916 for 70 kg, 175 cm: 0.007184 x 70^0.425 (6.0839) x 175^0.725 (42.287) = 1.8482.
    assert body.bsa_dubois(weight_kg=70, height_cm=175) == pytest.approx(1.8482, rel=REL)
    # Devine: 60 in -> 50 / 45.5 kg; every inch adds 2.3 kg.
    assert body.ideal_body_weight(height_cm=152.4, female=False) == pytest.approx(50.0)
    assert body.ideal_body_weight(height_cm=152.4 + 2.54 * 10, female=True) == pytest.approx(68.5)
    assert body.adjusted_body_weight(
        weight_kg=100, height_cm=152.4 + 25.4, female=False
    ) == pytest.approx(73.0 + 0.4 * 27.0)
    assert body.mean_arterial_pressure(sbp=120, dbp=80) == pytest.approx(93.333, rel=REL)


@pytest.mark.parametrize(
    ("weight", "rate"),
    [(3.5, 14.0), (10, 40.0), (15, 50.0), (20, 60.0), (25, 65.0), (70, 110.0)],
)
def test_holliday_segar_4_2_1(weight: float, rate: float) -> None:
    # Holliday & Segar 1957 as the 4-2-1 hourly rule, including both band edges.
    assert body.maintenance_fluids(weight_kg=weight) == pytest.approx(rate)


def test_anion_gap_family() -> None:
    args = {"sodium": 140, "chloride": 100, "bicarbonate": 14}
    assert el.anion_gap(**args) == 26
    assert el.delta_gap(**args) == 14
    assert el.delta_ratio(**args) == pytest.approx(14 / 10)
    # Figge 1998: +2.5 per g/dL of albumin below 4; albumin 2.0 adds 5.
    assert el.albumin_corrected_anion_gap(**args, albumin_g_dl=2.0) == pytest.approx(31.0)
    assert el.albumin_corrected_delta_gap(**args, albumin_g_dl=2.0) == pytest.approx(19.0)
    assert el.albumin_corrected_delta_ratio(**args, albumin_g_dl=2.0) == pytest.approx(1.9)
    # Normal values give a zero delta gap; albumin above 4 lowers the corrected gap.
    assert el.delta_gap(sodium=140, chloride=104, bicarbonate=24) == 0
    assert (
        el.albumin_corrected_anion_gap(sodium=140, chloride=104, bicarbonate=24, albumin_g_dl=5.0)
        == 9.5
    )


def test_osmolality_calcium_sodium_and_free_water() -> None:
    # Dorwart & Chalmers 1975: 2 x 140 + 28/2.8 + 180/18 = 300.
    assert el.serum_osmolality(sodium=140, bun_mg_dl=28, glucose_mg_dl=180) == pytest.approx(300.0)
    assert el.osmolal_gap(
        measured_osmolality=320, sodium=140, bun_mg_dl=28, glucose_mg_dl=180
    ) == pytest.approx(20.0)
    # Payne 1973: 8.0 + 0.8 x (4 - 2) = 9.6 mg/dL.
    assert el.corrected_calcium(calcium_mg_dl=8.0, albumin_g_dl=2.0) == pytest.approx(9.6)
    # Hillier 1999: 130 + 0.024 x (600 - 100) = 142.
    assert el.corrected_sodium_hyperglycemia(sodium=130, glucose_mg_dl=600) == pytest.approx(142.0)
    # Adrogue & Madias 2000: 0.6 x 70 x (160/140 - 1) = 6.0 L for a 40-year-old man.
    assert el.free_water_deficit(sodium=160, weight_kg=70, age=40, female=False) == pytest.approx(
        6.0
    )


@pytest.mark.parametrize(
    ("age", "female", "fraction"),
    [
        (10, True, 0.6),
        (17, False, 0.6),
        (18, False, 0.6),
        (18, True, 0.5),
        (64, True, 0.5),
        (65, False, 0.5),
        (65, True, 0.45),
        (90, True, 0.45),
    ],
)
def test_total_body_water_bands(age: int, female: bool, fraction: float) -> None:
    assert el.total_body_water_fraction(age=age, female=female) == fraction


def test_lipids_insulin_fena_fib4() -> None:
    # Friedewald 1972: 200 - 50 - 150/5 = 120 mg/dL.
    assert metabolic.ldl_friedewald(
        total_cholesterol_mg_dl=200, hdl_mg_dl=50, triglycerides_mg_dl=150
    ) == pytest.approx(120.0)
    # Matthews 1985: 10 µIU/mL x 100 mg/dL / 405 = 2.469.
    assert metabolic.homa_ir(insulin_uiu_ml=10, glucose_mg_dl=100) == pytest.approx(2.469, rel=REL)
    # Espinel 1976: (20 x 2.0) / (140 x 100) x 100 = 0.2857 %.
    assert metabolic.fena(
        urine_sodium=20, serum_sodium=140, urine_creatinine_mg_dl=100, serum_creatinine_mg_dl=2.0
    ) == pytest.approx(0.2857, rel=REL)
    # Sterling 2006: 50 x 40 / (200 x sqrt(25)) = 2.0.
    assert metabolic.fib4(age=50, ast=40, alt=25, platelets=200) == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("func", "hr", "qt", "expected"),
    [
        # MedCalc-Bench calculator_implementations/synthetic_instances.json (RR rounded to 3 places there).
        (qtc.qtc_bazett, 84, 378, 447.345),
        (qtc.qtc_bazett, 120, 404, 571.342),
        (qtc.qtc_fridericia, 96, 370, 432.755),
        (qtc.qtc_framingham, 85, 307, 352.276),
        (qtc.qtc_framingham, 150, 432, 524.4),
        # Hodges 1983 and Rautaharju 2014, by hand: 350 + 1.75 x 40; 360 x 210 / 180.
        (qtc.qtc_hodges, 100, 350, 420.0),
        (qtc.qtc_rautaharju, 90, 360, 420.0),
    ],
)
def test_qtc_worked_examples(func: Callable[..., float], hr: int, qt: int, expected: float) -> None:
    assert func(qt_ms=qt, heart_rate=hr) == pytest.approx(expected, rel=REL)


def test_every_qtc_formula_is_the_identity_at_60_bpm() -> None:
    for func in (
        qtc.qtc_bazett,
        qtc.qtc_fridericia,
        qtc.qtc_framingham,
        qtc.qtc_hodges,
        qtc.qtc_rautaharju,
    ):
        assert func(qt_ms=400, heart_rate=60) == pytest.approx(400.0), func.__name__


@pytest.mark.parametrize(
    ("regimen", "mme"),
    [
        # MedCalc-Bench synthetic_instances.json, calculator 49 (CDC 2022 factors).
        ((("morphine", 30, 1), ("methadone", 50, 3)), 735.0),
        ((("hydromorphone", 30, 1), ("morphine", 70, 1), ("tramadol", 60, 2)), 244.0),
        ((("oxycodone", 40, 3), ("tramadol", 60, 2), ("codeine", 70, 3)), 235.5),
        # Transdermal fentanyl: 25 mcg/h x 2.4 = 60 MME/day.
        ((("fentanyl_patch", 25, 1),), 60.0),
    ],
)
def test_morphine_milligram_equivalents(
    regimen: tuple[tuple[str, float, float], ...], mme: float
) -> None:
    assert dosing.morphine_milligram_equivalents(regimen=regimen) == pytest.approx(mme)


def test_steroid_equivalence() -> None:
    # Liu 2013 table: prednisone 5 mg = dexamethasone 0.75 mg = hydrocortisone 20 mg.
    assert dosing.steroid_conversion(
        drug="prednisone", dose_mg=40, target="dexamethasone"
    ) == pytest.approx(6.0)
    assert dosing.steroid_conversion(
        drug="dexamethasone", dose_mg=4, target="hydrocortisone"
    ) == pytest.approx(106.667, rel=REL)
    assert dosing.steroid_conversion(
        drug="methylprednisolone", dose_mg=8, target="prednisolone"
    ) == pytest.approx(10.0)


def test_pregnancy_dates() -> None:
    # Naegele: LMP 1 Jan 2023 + 280 days = 8 Oct 2023 (= +1 year, -3 months, +7 days).
    lmp = datetime.date(2023, 1, 1)
    assert pregnancy.due_date(lmp=lmp) == datetime.date(2023, 10, 8)
    assert pregnancy.due_date(lmp=lmp, cycle_length_days=32) == datetime.date(2023, 10, 12)
    assert pregnancy.due_date(lmp=lmp, cycle_length_days=25) == datetime.date(2023, 10, 5)
    assert pregnancy.conception_date(lmp=datetime.date(2024, 2, 20)) == datetime.date(2024, 3, 5)
    # 1 Jan -> 4 Mar 2023 is 62 days: 8 weeks 6 days; a leap day counts (2024).
    assert pregnancy.gestational_age(lmp=lmp, today=datetime.date(2023, 3, 4)) == (8, 6)
    assert pregnancy.gestational_age(
        lmp=datetime.date(2024, 2, 1), today=datetime.date(2024, 3, 1)
    ) == (4, 1)
