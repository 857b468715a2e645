"""Acute-care scores: pneumonia, pharyngitis, sepsis, coma and upper GI bleeding.

As in :mod:`.cardiac`, each score returns its per-criterion points in the
documented order; the score is their sum. Temperatures are in °C, blood
pressures in mmHg, BUN in mg/dL, counts in 10^9/L.
"""

from __future__ import annotations

from typing import Literal

__all__ = (
    "EyeResponse",
    "MotorResponse",
    "VerbalResponse",
    "centor_mcisaac",
    "curb_65",
    "glasgow_blatchford",
    "glasgow_coma_scale",
    "qsofa",
    "sirs_criteria",
)

EyeResponse = Literal["spontaneous", "to_sound", "to_pain", "none"]
VerbalResponse = Literal["oriented", "confused", "words", "sounds", "none"]
MotorResponse = Literal["obeys", "localizes", "withdraws", "flexion", "extension", "none"]


def curb_65(
    *,
    confusion: bool,
    bun_mg_dl: float,
    respiratory_rate: float,
    sbp: float,
    dbp: float,
    age: int,
) -> tuple[int, ...]:
    """CURB-65 (1 each): confusion, BUN > 19 mg/dL, RR >= 30/min, SBP < 90 or DBP <= 60 mmHg,
    age >= 65.

    Source: Lim WS, van der Eerden MM, Laing R, et al. Defining community
    acquired pneumonia severity on presentation to hospital: an international
    derivation and validation study. Thorax 2003;58:377-82 (urea > 7 mmol/L;
    BUN > 19 mg/dL is MDCalc's rendering).
    """
    return (
        int(confusion),
        int(bun_mg_dl > 19),
        int(respiratory_rate >= 30),
        int(sbp < 90 or dbp <= 60),
        int(age >= 65),
    )


def centor_mcisaac(
    *,
    age: int,
    tonsillar_exudate: bool,
    tender_anterior_nodes: bool,
    temperature_c: float,
    cough: bool,
) -> tuple[int, ...]:
    """Modified Centor (McIsaac) points: age, exudate/swelling, nodes, temperature > 38 °C,
    absence of cough.

    Age 3-14: +1, 15-44: 0, 45 and over: -1; each other criterion +1.

    Source: McIsaac WJ, White D, Tannenbaum D, Low DE. A clinical score to
    reduce unnecessary antibiotic use in patients with sore throat. CMAJ
    1998;158:75-83.
    """
    age_points = 1 if age <= 14 else 0 if age <= 44 else -1
    return (
        age_points,
        int(tonsillar_exudate),
        int(tender_anterior_nodes),
        int(temperature_c > 38),
        int(not cough),
    )


def qsofa(*, respiratory_rate: float, altered_mentation: bool, sbp: float) -> tuple[int, ...]:
    """qSOFA (1 each): respiratory rate >= 22/min, altered mentation, SBP <= 100 mmHg.

    Source: Seymour CW, Liu VX, Iwashyna TJ, et al. Assessment of clinical
    criteria for sepsis: for the Third International Consensus Definitions for
    Sepsis and Septic Shock (Sepsis-3). JAMA 2016;315:762-74.
    """
    return (int(respiratory_rate >= 22), int(altered_mentation), int(sbp <= 100))


def sirs_criteria(
    *,
    temperature_c: float,
    heart_rate: float,
    respiratory_rate: float,
    paco2_mmhg: float | None,
    wbc: float,
    bands_percent: float | None,
) -> tuple[int, ...]:
    """SIRS criteria met (1 each): temperature, heart rate, respiration, white cells.

    Temperature > 38 or < 36 °C; heart rate > 90/min; respiratory rate > 20/min
    or PaCO2 < 32 mmHg; WBC > 12 or < 4 x 10^9/L or bands > 10 %. ``None``
    means not measured.

    Source: Bone RC, Balk RA, Cerra FB, et al. Definitions for sepsis and organ
    failure (ACCP/SCCM Consensus Conference). Chest 1992;101:1644-55.
    """
    low_co2 = paco2_mmhg is not None and paco2_mmhg < 32
    bands = bands_percent is not None and bands_percent > 10
    return (
        int(temperature_c > 38 or temperature_c < 36),
        int(heart_rate > 90),
        int(respiratory_rate > 20 or low_co2),
        int(wbc > 12 or wbc < 4 or bands),
    )


def glasgow_coma_scale(
    *, eye: EyeResponse, verbal: VerbalResponse, motor: MotorResponse
) -> tuple[int, ...]:
    """GCS components: eye (1-4), verbal (1-5), motor (1-6).

    Source: Teasdale G, Jennett B. Assessment of coma and impaired
    consciousness: a practical scale. Lancet 1974;2:81-4 (the 6-point motor
    scale of Teasdale et al. 1979).
    """
    eye_points = {"spontaneous": 4, "to_sound": 3, "to_pain": 2, "none": 1}
    verbal_points = {"oriented": 5, "confused": 4, "words": 3, "sounds": 2, "none": 1}
    motor_points = {
        "obeys": 6,
        "localizes": 5,
        "withdraws": 4,
        "flexion": 3,
        "extension": 2,
        "none": 1,
    }
    return (eye_points[eye], verbal_points[verbal], motor_points[motor])


def glasgow_blatchford(
    *,
    bun_mg_dl: float,
    hemoglobin_g_dl: float,
    female: bool,
    sbp: float,
    heart_rate: float,
    melena: bool,
    syncope: bool,
    hepatic_disease: bool,
    cardiac_failure: bool,
) -> tuple[int, ...]:
    """Glasgow-Blatchford points: BUN, haemoglobin, SBP, pulse, melaena, syncope, liver, heart.

    BUN (mg/dL) < 18.2: 0, 18.2-22.3: 2, 22.4-27.9: 3, 28-69.9: 4, >= 70: 6.
    Haemoglobin (g/dL), men: >= 13: 0, 12-12.9: 1, 10-11.9: 3, < 10: 6; women:
    >= 12: 0, 10-11.9: 1, < 10: 6. SBP >= 110: 0, 100-109: 1, 90-99: 2,
    < 90: 3. Pulse >= 100: 1; melaena 1; syncope 2; hepatic disease 2;
    cardiac failure 2.

    Source: Blatchford O, Murray WR, Blatchford M. A risk score to predict need
    for treatment for upper-gastrointestinal haemorrhage. Lancet
    2000;356:1318-21 (urea bands 6.5/8/10/25 mmol/L, x 2.8 for BUN).
    """
    if bun_mg_dl < 18.2:
        bun_points = 0
    elif bun_mg_dl < 22.4:
        bun_points = 2
    elif bun_mg_dl < 28:
        bun_points = 3
    elif bun_mg_dl < 70:
        bun_points = 4
    else:
        bun_points = 6
    if female:
        hb_points = 0 if hemoglobin_g_dl >= 12 else 1 if hemoglobin_g_dl >= 10 else 6
    elif hemoglobin_g_dl >= 13:
        hb_points = 0
    else:
        hb_points = 1 if hemoglobin_g_dl >= 12 else 3 if hemoglobin_g_dl >= 10 else 6
    if sbp >= 110:
        bp_points = 0
    else:
        bp_points = 1 if sbp >= 100 else 2 if sbp >= 90 else 3
    return (
        bun_points,
        hb_points,
        bp_points,
        int(heart_rate >= 100),
        int(melena),
        2 if syncope else 0,
        2 if hepatic_disease else 0,
        2 if cardiac_failure else 0,
    )
