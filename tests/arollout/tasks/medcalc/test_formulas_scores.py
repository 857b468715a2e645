"""Point scores: every criterion's boundary, and worked examples from the source papers.

Each score returns its per-criterion points; the tests check the points at and
on both sides of every cut point the source defines (age 64/65/74/75,
heart rate 100, BUN 19, ...), so an off-by-one comparison fails.
"""

from __future__ import annotations

from typing import Any

import pytest

from arollout.tasks.medcalc.formulas import acute, cardiac, organ

_CHADS_NONE: dict[str, Any] = {
    "female": False,
    "chf": False,
    "hypertension": False,
    "diabetes": False,
    "stroke_tia_thromboembolism": False,
    "vascular_disease": False,
}


@pytest.mark.parametrize(("age", "points"), [(64, 0), (65, 1), (74, 1), (75, 2), (90, 2)])
def test_cha2ds2_vasc_age_bands(age: int, points: int) -> None:
    assert cardiac.cha2ds2_vasc(age=age, **_CHADS_NONE)[2] == points


def test_cha2ds2_vasc_maximum_is_nine() -> None:
    # Lip 2010: the score runs 0-9 (age 2 + stroke 2 + five criteria of 1).
    everything = dict.fromkeys(_CHADS_NONE, True)
    points = cardiac.cha2ds2_vasc(age=80, **everything)
    assert points == (1, 1, 2, 1, 2, 1, 1) and sum(points) == 9


def test_has_bled_age_and_alcohol_cut_points() -> None:
    base: dict[str, Any] = dict.fromkeys(
        (
            "uncontrolled_hypertension",
            "renal_disease",
            "liver_disease",
            "stroke",
            "bleeding",
            "labile_inr",
            "drugs",
        ),
        False,
    )
    assert cardiac.has_bled(**base, age=65, alcohol_drinks_per_week=7) == (0,) * 9
    assert cardiac.has_bled(**base, age=66, alcohol_drinks_per_week=8) == (0,) * 6 + (1, 0, 1)
    assert (
        sum(cardiac.has_bled(**dict.fromkeys(base, True), age=70, alcohol_drinks_per_week=20)) == 9
    )


@pytest.mark.parametrize(
    ("troponin", "points"), [(10, 0), (14, 0), (15, 1), (42, 1), (43, 2), (140, 2)]
)
def test_heart_troponin_bands(troponin: float, points: int) -> None:
    # Six 2008: <= normal limit 0; 1-3x 1; > 3x 2 (limit 14 ng/L here).
    result = cardiac.heart_score(
        history=0,
        ecg=0,
        age=40,
        risk_factors=0,
        atherosclerotic_disease=False,
        troponin=troponin,
        troponin_uln=14,
    )
    assert result[4] == points


@pytest.mark.parametrize(
    ("age", "risks", "athero", "expected"),
    [
        (44, 0, False, (0, 0)),
        (45, 1, False, (1, 1)),
        (64, 2, False, (1, 1)),
        (65, 3, False, (2, 2)),
        (30, 0, True, (0, 2)),
    ],
)
def test_heart_age_and_risk_factor_bands(
    age: int, risks: int, athero: bool, expected: tuple[int, int]
) -> None:
    result = cardiac.heart_score(
        history=2,
        ecg=1,
        age=age,
        risk_factors=risks,
        atherosclerotic_disease=athero,
        troponin=1,
        troponin_uln=14,
    )
    assert (result[2], result[3]) == expected and result[:2] == (2, 1)


def test_wells_pe_weights_and_heart_rate_cut_point() -> None:
    # Wells 2000: 3 + 3 + 1.5 + 1.5 + 1.5 + 1 + 1 = 12.5 at most; HR must exceed 100.
    kwargs: dict[str, Any] = {
        "dvt_signs": True,
        "pe_most_likely": True,
        "immobilization_or_surgery": True,
        "previous_vte": True,
        "hemoptysis": True,
        "malignancy": True,
    }
    assert sum(cardiac.wells_pe(heart_rate=101, **kwargs)) == 12.5
    assert cardiac.wells_pe(heart_rate=100, **kwargs)[2] == 0.0
    none = dict.fromkeys(kwargs, False)
    assert cardiac.wells_pe(heart_rate=101, **none) == (0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0)


def test_wells_dvt_calf_cut_point_and_alternative_diagnosis() -> None:
    none: dict[str, Any] = dict.fromkeys(
        (
            "active_cancer",
            "bedridden_or_surgery",
            "collateral_veins",
            "entire_leg_swollen",
            "localized_tenderness",
            "pitting_edema",
            "paralysis_or_cast",
            "previous_dvt",
            "alternative_diagnosis_likely",
        ),
        False,
    )
    assert cardiac.wells_dvt(calf_difference_cm=3.0, **none)[2] == 0
    assert cardiac.wells_dvt(calf_difference_cm=3.5, **none)[2] == 1
    scored = cardiac.wells_dvt(
        calf_difference_cm=0, **{**none, "alternative_diagnosis_likely": True}
    )
    assert scored[-1] == -2 and sum(scored) == -2  # Wells 2003: the total can be negative


@pytest.mark.parametrize(
    ("age", "hr", "sat", "expected"),
    [(49, 99, 95, (0, 0, 0)), (50, 100, 94, (1, 1, 1)), (50, 99, 95, (1, 0, 0))],
)
def test_perc_cut_points(age: int, hr: int, sat: int, expected: tuple[int, int, int]) -> None:
    # Kline 2004: age >= 50, HR >= 100, SaO2 < 95 %.
    points = cardiac.perc_rule(
        age=age,
        heart_rate=hr,
        oxygen_saturation=sat,
        unilateral_leg_swelling=False,
        hemoptysis=False,
        recent_surgery_or_trauma=False,
        prior_vte=False,
        hormone_use=False,
    )
    assert points[:3] == expected and points[3:] == (0,) * 5


@pytest.mark.parametrize(("creatinine", "point"), [(2.0, 0), (2.01, 1)])
def test_rcri_creatinine_cut_point(creatinine: float, point: int) -> None:
    # Lee 1999: creatinine > 2.0 mg/dL.
    points = cardiac.rcri(
        high_risk_surgery=True,
        ischemic_heart_disease=False,
        heart_failure=False,
        cerebrovascular_disease=False,
        insulin_treated_diabetes=True,
        creatinine_mg_dl=creatinine,
    )
    assert points == (1, 0, 0, 0, 1, point)


@pytest.mark.parametrize(
    ("bun", "rr", "sbp", "dbp", "age", "expected"),
    [
        (19, 29, 90, 61, 64, (0, 0, 0, 0, 0)),
        (19.1, 30, 89, 61, 65, (0, 1, 1, 1, 1)),
        (10, 10, 120, 60, 30, (0, 0, 0, 1, 0)),  # DBP <= 60 alone scores the BP point
    ],
)
def test_curb_65_cut_points(
    bun: float, rr: int, sbp: int, dbp: int, age: int, expected: tuple[int, ...]
) -> None:
    # Lim 2003 (MDCalc units): BUN > 19 mg/dL, RR >= 30, SBP < 90 or DBP <= 60, age >= 65.
    points = acute.curb_65(
        confusion=False, bun_mg_dl=bun, respiratory_rate=rr, sbp=sbp, dbp=dbp, age=age
    )
    assert points == expected


@pytest.mark.parametrize(
    ("age", "temp", "cough", "expected_age", "expected_temp", "expected_cough"),
    [
        (3, 38.0, True, 1, 0, 0),
        (14, 38.1, False, 1, 1, 1),
        (15, 39, True, 0, 1, 0),
        (44, 37, False, 0, 0, 1),
        (45, 38.5, False, -1, 1, 1),
    ],
)
def test_centor_mcisaac_cut_points(
    age: int,
    temp: float,
    cough: bool,
    expected_age: int,
    expected_temp: int,
    expected_cough: int,
) -> None:
    # McIsaac 1998: age 3-14 +1, 15-44 0, >= 45 -1; temperature > 38 °C; cough absent scores.
    points = acute.centor_mcisaac(
        age=age,
        tonsillar_exudate=True,
        tender_anterior_nodes=False,
        temperature_c=temp,
        cough=cough,
    )
    assert points == (expected_age, 1, 0, expected_temp, expected_cough)


def test_qsofa_cut_points() -> None:
    # Seymour 2016: RR >= 22, altered mentation, SBP <= 100.
    assert acute.qsofa(respiratory_rate=21, altered_mentation=False, sbp=101) == (0, 0, 0)
    assert acute.qsofa(respiratory_rate=22, altered_mentation=True, sbp=100) == (1, 1, 1)


@pytest.mark.parametrize(
    ("temp", "hr", "rr", "paco2", "wbc", "bands", "expected"),
    [
        (38.0, 90, 20, None, 12.0, None, (0, 0, 0, 0)),
        (36.0, 90, 20, 32.0, 4.0, 10, (0, 0, 0, 0)),
        (38.1, 91, 21, None, 12.1, None, (1, 1, 1, 1)),
        (35.9, 60, 12, 31.9, 3.9, None, (1, 0, 1, 1)),
        (37.0, 80, 14, None, 8.0, 11, (0, 0, 0, 1)),
    ],
)
def test_sirs_cut_points(
    temp: float,
    hr: int,
    rr: int,
    paco2: float | None,
    wbc: float,
    bands: float | None,
    expected: tuple[int, ...],
) -> None:
    # Bone 1992: > 38 or < 36 °C; HR > 90; RR > 20 or PaCO2 < 32; WBC > 12 or < 4 or bands > 10 %.
    assert (
        acute.sirs_criteria(
            temperature_c=temp,
            heart_rate=hr,
            respiratory_rate=rr,
            paco2_mmhg=paco2,
            wbc=wbc,
            bands_percent=bands,
        )
        == expected
    )


def test_glasgow_coma_scale_extremes() -> None:
    # Teasdale & Jennett 1974: 3 (deep coma) to 15 (fully alert).
    assert acute.glasgow_coma_scale(eye="spontaneous", verbal="oriented", motor="obeys") == (
        4,
        5,
        6,
    )
    assert acute.glasgow_coma_scale(eye="none", verbal="none", motor="none") == (1, 1, 1)
    assert acute.glasgow_coma_scale(eye="to_pain", verbal="words", motor="flexion") == (2, 3, 3)


@pytest.mark.parametrize(
    ("bun", "points"),
    [(18.1, 0), (18.2, 2), (22.3, 2), (22.4, 3), (27.9, 3), (28, 4), (69.9, 4), (70, 6)],
)
def test_glasgow_blatchford_bun_bands(bun: float, points: int) -> None:
    # Blatchford 2000 urea bands 6.5/8/10/25 mmol/L = BUN 18.2/22.4/28/70 mg/dL.
    result = acute.glasgow_blatchford(
        bun_mg_dl=bun,
        hemoglobin_g_dl=14,
        female=False,
        sbp=120,
        heart_rate=80,
        melena=False,
        syncope=False,
        hepatic_disease=False,
        cardiac_failure=False,
    )
    assert result == (points, 0, 0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("hb", "female", "points"),
    [
        (13.0, False, 0),
        (12.9, False, 1),
        (12.0, False, 1),
        (11.9, False, 3),
        (10.0, False, 3),
        (9.9, False, 6),
        (12.0, True, 0),
        (11.9, True, 1),
        (10.0, True, 1),
        (9.9, True, 6),
    ],
)
def test_glasgow_blatchford_hemoglobin_bands(hb: float, female: bool, points: int) -> None:
    result = acute.glasgow_blatchford(
        bun_mg_dl=10,
        hemoglobin_g_dl=hb,
        female=female,
        sbp=110,
        heart_rate=100,
        melena=True,
        syncope=True,
        hepatic_disease=True,
        cardiac_failure=True,
    )
    assert result == (0, points, 0, 1, 1, 2, 2, 2)


@pytest.mark.parametrize(
    ("sbp", "points"), [(110, 0), (109, 1), (100, 1), (99, 2), (90, 2), (89, 3)]
)
def test_glasgow_blatchford_blood_pressure_bands(sbp: int, points: int) -> None:
    result = acute.glasgow_blatchford(
        bun_mg_dl=10,
        hemoglobin_g_dl=15,
        female=False,
        sbp=sbp,
        heart_rate=99,
        melena=False,
        syncope=False,
        hepatic_disease=False,
        cardiac_failure=False,
    )
    assert result[2] == points and result[3] == 0


_SOFA_NORMAL: dict[str, Any] = {
    "pao2_mmhg": 95,
    "fio2": 0.21,
    "ventilated": False,
    "platelets": 250,
    "bilirubin_mg_dl": 0.8,
    "sbp": 120,
    "dbp": 80,
    "dopamine": 0.0,
    "dobutamine": 0.0,
    "epinephrine": 0.0,
    "norepinephrine": 0.0,
    "gcs": 15,
    "creatinine_mg_dl": 0.9,
    "urine_output_ml_day": None,
}


def test_sofa_normal_patient_scores_zero() -> None:
    # 95 / 0.21 = 452 >= 400.
    assert organ.sofa(**_SOFA_NORMAL) == (0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("pao2", "fio2", "ventilated", "points"),
    [
        (80, 0.2, False, 0),
        (79, 0.2, False, 1),
        (59, 0.2, False, 2),
        (150, 1.0, False, 2),
        (150, 1.0, True, 3),
        (99, 1.0, True, 4),
        (99, 1.0, False, 2),
    ],
)
def test_sofa_respiration(pao2: float, fio2: float, ventilated: bool, points: int) -> None:
    # Vincent 1996: < 400, < 300, < 200 with support, < 100 with support.
    args = {**_SOFA_NORMAL, "pao2_mmhg": pao2, "fio2": fio2, "ventilated": ventilated}
    assert organ.sofa(**args)[0] == points


@pytest.mark.parametrize(
    ("changes", "index", "points"),
    [
        ({"platelets": 150}, 1, 0),
        ({"platelets": 149}, 1, 1),
        ({"platelets": 19}, 1, 4),
        ({"bilirubin_mg_dl": 1.2}, 2, 1),
        ({"bilirubin_mg_dl": 11.9}, 2, 3),
        ({"bilirubin_mg_dl": 12}, 2, 4),
        ({"sbp": 70, "dbp": 70}, 3, 0),
        ({"sbp": 69, "dbp": 70}, 3, 1),
        ({"dobutamine": 5.0}, 3, 2),
        ({"dopamine": 5.0}, 3, 2),
        ({"dopamine": 5.1}, 3, 3),
        ({"norepinephrine": 0.1}, 3, 3),
        ({"epinephrine": 0.11}, 3, 4),
        ({"dopamine": 15.1}, 3, 4),
        ({"gcs": 14}, 4, 1),
        ({"gcs": 12}, 4, 2),
        ({"gcs": 9}, 4, 3),
        ({"gcs": 5}, 4, 4),
        ({"creatinine_mg_dl": 1.99}, 5, 1),
        ({"creatinine_mg_dl": 3.5}, 5, 3),
        ({"creatinine_mg_dl": 5.0}, 5, 4),
        ({"urine_output_ml_day": 499}, 5, 3),
        ({"urine_output_ml_day": 199}, 5, 4),
        ({"urine_output_ml_day": 500}, 5, 0),
    ],
)
def test_sofa_organ_cut_points(changes: dict[str, Any], index: int, points: int) -> None:
    assert organ.sofa(**{**_SOFA_NORMAL, **changes})[index] == points


def test_child_pugh_cut_points() -> None:
    # Pugh 1973: bilirubin < 2 / 2-3 / > 3; albumin > 3.5 / 2.8-3.5 / < 2.8; INR < 1.7 / 1.7-2.3 / > 2.3.
    low = organ.child_pugh(
        bilirubin_mg_dl=1.9, albumin_g_dl=3.6, inr=1.6, ascites="absent", encephalopathy="none"
    )
    assert low == (1, 1, 1, 1, 1)
    edges = organ.child_pugh(
        bilirubin_mg_dl=2.0, albumin_g_dl=3.5, inr=1.7, ascites="slight", encephalopathy="grade_1_2"
    )
    assert edges == (2, 2, 2, 2, 2)
    upper = organ.child_pugh(
        bilirubin_mg_dl=3.0, albumin_g_dl=2.8, inr=2.3, ascites="slight", encephalopathy="none"
    )
    assert upper[:3] == (2, 2, 2)
    high = organ.child_pugh(
        bilirubin_mg_dl=3.1,
        albumin_g_dl=2.7,
        inr=2.4,
        ascites="moderate",
        encephalopathy="grade_3_4",
    )
    assert high == (3, 3, 3, 3, 3)


def test_meld_na_worked_examples_and_bounds() -> None:
    # OPTN 2016: all values 1.0 -> MELD(i) 6.43 -> 6; not above 11, so no sodium term.
    assert (
        organ.meld_na(
            creatinine_mg_dl=1.0, bilirubin_mg_dl=1.0, inr=1.0, sodium=137, dialysis=False
        )
        == 6
    )
    # Values below 1 are raised to 1 and sodium is bounded to 125-137.
    assert (
        organ.meld_na(
            creatinine_mg_dl=0.5, bilirubin_mg_dl=0.4, inr=0.9, sodium=150, dialysis=False
        )
        == 6
    )
    # Cr 2, bili 3, INR 1.8, Na 130: MELD(i) = 0.6633 + 0.4153 + 0.6583 + 0.643 = 2.380 -> 24;
    # 24 + 1.32 x 7 - 0.033 x 24 x 7 = 27.696 -> 28.
    assert (
        organ.meld_na(
            creatinine_mg_dl=2.0, bilirubin_mg_dl=3.0, inr=1.8, sodium=130, dialysis=False
        )
        == 28
    )
    # Dialysis sets creatinine to 4.0: MELD(i) = 0.957 ln 4 + 0.378 ln 3 + 1.12 ln 1.8 + 0.643 = 3.043 -> 30;
    # 30 + 1.32 x 7 - 0.033 x 30 x 7 = 32.31 -> 32.
    assert (
        organ.meld_na(creatinine_mg_dl=1.5, bilirubin_mg_dl=3.0, inr=1.8, sodium=130, dialysis=True)
        == 32
    )
    assert (
        organ.meld_na(
            creatinine_mg_dl=9.0, bilirubin_mg_dl=40.0, inr=6.0, sodium=120, dialysis=True
        )
        == 40
    )


_CCI_NONE: dict[str, Any] = {
    **dict.fromkeys(
        (
            "myocardial_infarction",
            "heart_failure",
            "peripheral_vascular_disease",
            "cerebrovascular_disease",
            "dementia",
            "chronic_pulmonary_disease",
            "connective_tissue_disease",
            "peptic_ulcer_disease",
            "hemiplegia",
            "renal_disease",
            "leukemia",
            "lymphoma",
            "aids",
        ),
        False,
    ),
    "liver_disease": "none",
    "diabetes": "none",
    "solid_tumor": "none",
}


@pytest.mark.parametrize(
    ("age", "points"), [(49, 0), (50, 1), (59, 1), (60, 2), (69, 2), (70, 3), (79, 3), (80, 4)]
)
def test_charlson_age_points(age: int, points: int) -> None:
    assert organ.charlson_index(age=age, **_CCI_NONE) == (points,) + (0,) * 16


def test_charlson_weights() -> None:
    # Charlson 1987 weights: liver 1/3, diabetes 1/2, tumour 2/6, AIDS 6; maximum with age 4 is 37.
    worst: dict[str, Any] = {
        **dict.fromkeys(_CCI_NONE, True),
        "liver_disease": "moderate_severe",
        "diabetes": "end_organ",
        "solid_tumor": "metastatic",
    }
    points = organ.charlson_index(age=85, **worst)
    assert points[9:11] == (3, 2) and points[13] == 6 and points[16] == 6
    assert sum(points) == 4 + 8 + 3 + 2 + 2 + 2 + 6 + 2 + 2 + 6
    mild = organ.charlson_index(
        age=40,
        **{
            **_CCI_NONE,
            "liver_disease": "mild",
            "diabetes": "uncomplicated",
            "solid_tumor": "localized",
        },
    )
    assert mild[9:14] == (1, 1, 0, 0, 2)
