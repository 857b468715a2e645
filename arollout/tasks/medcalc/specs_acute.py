"""Specs of the acute-care scores: pneumonia, pharyngitis, sepsis, coma, GI bleeding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.medcalc.formulas import acute
from arollout.tasks.medcalc.spec import Spec, pick, pick_int

if TYPE_CHECKING:
    from arollout.tasks.medcalc.spec import Draw

__all__ = ("ACUTE_SPECS",)


def _bp(d: Draw, sbp_snaps: tuple[int, ...], dbp_snaps: tuple[int, ...] = ()) -> None:
    dbp = pick_int(d.rng, 38, 95, snaps=dbp_snaps)
    sbp = max(dbp + 18, pick_int(d.rng, 70, 170, snaps=sbp_snaps, p=0.3))
    d.blood_pressure(sbp, dbp)


def _draw_curb(d: Draw) -> None:
    d.patient(pick_int(d.rng, 20, 95, snaps=(65,), p=0.3))
    d.flag("confusion", 0.3)
    d.measure("bun", pick(d.rng, 5, 60, snaps=(19.0, 20.0), p=0.25), arg="bun_mg_dl")
    d.measure("respiratory_rate", pick_int(d.rng, 12, 40, snaps=(30,), p=0.3))
    _bp(d, (90,), (60,))


def _draw_centor(d: Draw) -> None:
    d.patient(pick_int(d.rng, 3, 75, snaps=(14, 45), p=0.35))
    d.measure(
        "temperature", pick(d.rng, 36.4, 40.0, snaps=(38.0, 38.1), p=0.3), arg="temperature_c"
    )
    d.flag("tonsillar_exudate", 0.4)
    d.flag("tender_nodes", 0.4, arg="tender_anterior_nodes")
    d.flag("cough", 0.4, omit=0.0)


def _draw_qsofa(d: Draw) -> None:
    d.patient(pick_int(d.rng, 18, 95))
    d.measure("respiratory_rate", pick_int(d.rng, 10, 38, snaps=(22,), p=0.35))
    d.flag("altered_mentation", 0.45)
    _bp(d, (100,))


def _draw_sirs(d: Draw) -> None:
    d.patient(pick_int(d.rng, 18, 95))
    rng = d.rng
    d.measure("temperature", pick(rng, 34.8, 40.5, snaps=(36.0, 38.0), p=0.3), arg="temperature_c")
    d.measure("heart_rate", pick_int(rng, 55, 145, snaps=(90,), p=0.3))
    d.measure("respiratory_rate", pick_int(rng, 10, 36, snaps=(20,), p=0.3))
    if rng.random() < 0.5:
        d.measure("paco2", pick(rng, 24, 50, snaps=(32.0,), p=0.25), arg="paco2_mmhg")
    else:
        d.set("paco2_mmhg", None)
    d.measure("wbc", pick(rng, 1.5, 26.0, snaps=(4.0, 12.0), p=0.3))
    if rng.random() < 0.4:
        d.measure("bands", pick_int(rng, 0, 25, snaps=(10,), p=0.35), arg="bands_percent")
    else:
        d.set("bands_percent", None)


_EYE: Final = ("none", "to_pain", "to_sound", "spontaneous")
_VERBAL: Final = ("none", "sounds", "words", "confused", "oriented")
_MOTOR: Final = ("none", "extension", "flexion", "withdraws", "localizes", "obeys")


def _draw_gcs(d: Draw) -> None:
    """Responses around one level of consciousness, so the components fit together."""
    d.patient(pick_int(d.rng, 16, 92))
    rng = d.rng
    level = rng.random()
    for key, grades in (("eye", _EYE), ("verbal", _VERBAL), ("motor", _MOTOR)):
        index = round(level * (len(grades) - 1) + rng.uniform(-1.2, 1.2))
        d.grade(key, grades[min(max(index, 0), len(grades) - 1)])


def _draw_gbs(d: Draw) -> None:
    d.patient(pick_int(d.rng, 18, 92))
    rng = d.rng
    d.measure("bun", pick(rng, 6, 95, snaps=(18.2, 22.4, 28.0, 70.0), p=0.3), arg="bun_mg_dl")
    hb_snaps = (10.0, 12.0) if d.female else (10.0, 12.0, 13.0)
    d.measure("hemoglobin", pick(rng, 5.0, 17.0, snaps=hb_snaps, p=0.3), arg="hemoglobin_g_dl")
    _bp(d, (90, 100, 110))
    d.measure("heart_rate", pick_int(rng, 55, 140, snaps=(100,), p=0.3))
    for key, p in (
        ("melena", 0.5),
        ("syncope", 0.25),
        ("hepatic_disease", 0.2),
        ("cardiac_failure", 0.2),
    ):
        d.flag(key, p)


ACUTE_SPECS: Final[tuple[Spec, ...]] = (
    Spec(
        key="curb_65",
        title="CURB-65 score",
        func=acute.curb_65,
        kind="points",
        draw=_draw_curb,
        ask="What is the patient's CURB-65 score for pneumonia severity?",
        criteria=(
            "Confusion (1)",
            "BUN > 19 mg/dL (1)",
            "Respiratory rate >= 30 breaths/min (1)",
            "Systolic BP < 90 mmHg or diastolic BP <= 60 mmHg (1)",
            "Age >= 65 years (1)",
        ),
        complaints=("with fever and a productive cough", "with cough and shortness of breath"),
    ),
    Spec(
        key="centor_mcisaac",
        title="Centor score (McIsaac modification)",
        func=acute.centor_mcisaac,
        kind="points",
        draw=_draw_centor,
        ask="What is the patient's modified Centor (McIsaac) score for streptococcal pharyngitis?",
        criteria=(
            "Age: 3-14 years (+1), 15-44 years (0), 45 years or older (-1)",
            "Exudate or swelling of the tonsils (1)",
            "Tender or swollen anterior cervical lymph nodes (1)",
            "Temperature > 38 °C (1)",
            "Cough absent (1)",
        ),
        complaints=("with a sore throat", "with sore throat and painful swallowing"),
    ),
    Spec(
        key="qsofa",
        title="qSOFA score",
        func=acute.qsofa,
        kind="points",
        draw=_draw_qsofa,
        ask="What is the patient's quick SOFA (qSOFA) score?",
        criteria=(
            "Respiratory rate >= 22 breaths/min (1)",
            "Altered mentation (1)",
            "Systolic BP <= 100 mmHg (1)",
        ),
        complaints=(
            "with fever and malaise",
            "with fever and dysuria",
            "for a suspected infection",
        ),
    ),
    Spec(
        key="sirs",
        title="SIRS criteria",
        func=acute.sirs_criteria,
        kind="points",
        draw=_draw_sirs,
        ask="Which SIRS criteria does the patient meet?",
        criteria=(
            "Temperature > 38 °C or < 36 °C (1)",
            "Heart rate > 90 beats/min (1)",
            "Respiratory rate > 20 breaths/min or PaCO2 < 32 mmHg (1)",
            "WBC > 12 x 10^9/L or < 4 x 10^9/L, or bands > 10 % (1)",
        ),
        exclude=frozenset({"paco2", "bands", "wbc"}),
        complaints=(
            "with fever and chills",
            "with abdominal pain and fever",
            "for a suspected infection",
        ),
    ),
    Spec(
        key="glasgow_coma_scale",
        title="Glasgow Coma Scale",
        func=acute.glasgow_coma_scale,
        kind="points",
        draw=_draw_gcs,
        ask="What is the patient's Glasgow Coma Scale score?",
        criteria=(
            "Eye opening: spontaneous (4), to sound (3), to pain (2), none (1)",
            "Verbal response: oriented (5), confused (4), inappropriate words (3), "
            "incomprehensible sounds (2), none (1)",
            "Motor response: obeys commands (6), localizes pain (5), withdraws from pain (4), "
            "abnormal flexion (3), extension (2), none (1)",
        ),
        complaints=(
            "with a head injury after a fall",
            "was brought in after being found unresponsive",
            "with a decreased level of consciousness",
        ),
    ),
    Spec(
        key="glasgow_blatchford",
        title="Glasgow-Blatchford bleeding score",
        func=acute.glasgow_blatchford,
        kind="points",
        draw=_draw_gbs,
        ask="What is the patient's Glasgow-Blatchford score for upper GI bleeding?",
        criteria=(
            "BUN (mg/dL): < 18.2 (0), 18.2 to < 22.4 (2), 22.4 to < 28 (3), 28 to < 70 (4), >= 70 (6)",
            "Hemoglobin (g/dL), men: >= 13 (0), 12 to < 13 (1), 10 to < 12 (3), < 10 (6); "
            "women: >= 12 (0), 10 to < 12 (1), < 10 (6)",
            "Systolic BP (mmHg): >= 110 (0), 100-109 (1), 90-99 (2), < 90 (3)",
            "Heart rate >= 100 beats/min (1)",
            "Melena (1)",
            "Syncope (2)",
            "Hepatic disease (2)",
            "Cardiac failure (2)",
        ),
        exclude=frozenset({"bilirubin", "ast", "alt", "alkaline_phosphatase", "inr", "albumin"}),
        complaints=("with vomiting blood", "with coffee-ground emesis", "with hematemesis"),
    ),
)
"""The specs of this module, in category order."""
