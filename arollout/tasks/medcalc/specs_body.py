"""Specs of the body-size, blood-pressure, fluid and kidney-function calculators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.medcalc.formulas import body, renal
from arollout.tasks.medcalc.spec import Spec, jittered, pick, pick_int

if TYPE_CHECKING:
    from arollout.tasks.medcalc.spec import Draw

__all__ = ("BODY_SPECS",)

_IBW_RULE: Final = (
    "Ideal body weight (Devine): 50 kg for men or 45.5 kg for women, plus 2.3 kg per inch of "
    "height above 60 inches."
)
_ABW_RULE: Final = "Adjusted body weight: IBW + 0.4 x (actual weight - IBW)."
_SEX_RACES: Final = ("Black", "African American", "white", "Asian", "Hispanic")


def _adult(d: Draw, lo: int = 18, hi: int = 92) -> None:
    d.patient(pick_int(d.rng, lo, hi))


def _size(d: Draw, bmi: tuple[float, float], height: tuple[float, float]) -> None:
    """Height, then a weight that gives a BMI in ``bmi`` (so the two are plausible together)."""
    metres = d.measure("height", d.rng.uniform(*height), arg="height_cm") / 100
    d.measure("weight", d.rng.uniform(*bmi) * metres * metres, arg="weight_kg")


def _creatinine(d: Draw, hi: float = 6.0) -> None:
    value = d.rng.choice((d.rng.uniform(0.45, 1.4), d.rng.uniform(0.45, hi)))
    d.measure("creatinine", value, arg="creatinine_mg_dl")


def _draw_cg(d: Draw) -> None:
    _adult(d)
    _size(d, (16, 48), (148, 200))
    _creatinine(d)


def _draw_egfr(d: Draw) -> None:
    _adult(d)
    _creatinine(d, 8.0)


def _draw_mdrd(d: Draw) -> None:
    race = d.rng.choice(_SEX_RACES)
    d.patient(pick_int(d.rng, 18, 92), race=race)
    d.set("black", race in ("Black", "African American"))
    _creatinine(d, 8.0)


def _draw_size(d: Draw) -> None:
    """Children too (a height that fits the age), so the answers span a wide range."""
    _adult(d, 2, 90)
    if d.age < 18:
        height = 78 + 6.2 * d.age
        _size(d, (13.5, 26), (height - 10, height + 10))
    else:
        _size(d, (16, 48), (145, 205))


def _draw_ibw(d: Draw) -> None:
    _adult(d)
    d.measure("height", d.rng.uniform(152.5, 205), arg="height_cm")
    d.mention("weight", d.rng.uniform(18, 40) * (d.args["height_cm"] / 100) ** 2)


def _draw_abw(d: Draw) -> None:
    _adult(d)
    _size(d, (18, 50), (152.5, 200))


def _draw_map(d: Draw) -> None:
    _adult(d, 16, 95)
    dbp = pick_int(d.rng, 35, 130)
    sbp = max(dbp + 15, pick_int(d.rng, 70, 230))
    d.blood_pressure(sbp, dbp)


def _draw_fluids(d: Draw) -> None:
    weight = pick(d.rng, 2.5, 110, snaps=(10.0, 20.0))
    if weight < 10:
        d.patient(0, months=max(1, round(weight * 1.6)), age_arg=None, female_arg=None)
    else:
        age = 1 + int((weight - 10) / 3) if weight < 45 else d.rng.randint(16, 85)
        d.patient(age, age_arg=None, female_arg=None)
    d.measure("weight", weight, arg="weight_kg")


_BMI_JITTER: Final = jittered(renal.cockcroft_gault, ("weight_kg", "height_cm"), 1e-4)

BODY_SPECS: Final[tuple[Spec, ...]] = (
    Spec(
        key="creatinine_clearance",
        title="Cockcroft-Gault creatinine clearance",
        func=renal.cockcroft_gault,
        kind="number",
        draw=_draw_cg,
        ask="Using the Cockcroft-Gault equation, what is the patient's creatinine clearance?",
        unit="mL/min",
        rules=(
            "Weight to use: if BMI < 18.5, actual weight; if 18.5 <= BMI < 25, the lower of ideal "
            "and actual weight; if BMI >= 25, adjusted body weight. "
            f"{_IBW_RULE} {_ABW_RULE} Multiply by 0.85 for women."
        ),
        variants=_BMI_JITTER,
        exclude=frozenset({"creatinine"}),
        complaints=(
            "with fatigue",
            "for a medication review before starting an antibiotic",
            "with leg swelling",
        ),
    ),
    Spec(
        key="ckd_epi_2021",
        title="CKD-EPI 2021 creatinine equation",
        func=renal.ckd_epi_2021,
        kind="number",
        draw=_draw_egfr,
        ask="What is the patient's estimated GFR by the 2021 CKD-EPI creatinine equation (race-free)?",
        unit="mL/min/1.73 m²",
        complaints=(
            "for routine laboratory follow-up",
            "for hypertension follow-up",
            "with fatigue",
        ),
    ),
    Spec(
        key="mdrd_gfr",
        title="MDRD GFR equation",
        func=renal.mdrd_gfr,
        kind="number",
        draw=_draw_mdrd,
        ask="What is the patient's estimated GFR by the 4-variable MDRD study equation (IDMS-traceable, constant 175)?",
        unit="mL/min/1.73 m²",
        rules="Apply the race coefficient 1.212 only for Black (African American) patients.",
        complaints=(
            "for routine laboratory follow-up",
            "for diabetes follow-up",
            "with ankle swelling",
        ),
    ),
    Spec(
        key="bmi",
        title="Body mass index",
        func=body.body_mass_index,
        kind="number",
        draw=_draw_size,
        ask="What is the patient's body mass index?",
        unit="kg/m²",
        complaints=(
            "for a weight-management consultation",
            "for an annual physical",
            "with knee pain",
        ),
    ),
    Spec(
        key="bsa_mosteller",
        title="Body surface area (Mosteller)",
        func=body.bsa_mosteller,
        kind="number",
        draw=_draw_size,
        ask="What is the patient's body surface area by the Mosteller formula?",
        unit="m²",
        complaints=("for chemotherapy planning", "for a dosing review", "for an annual physical"),
    ),
    Spec(
        key="bsa_dubois",
        title="Body surface area (DuBois)",
        func=body.bsa_dubois,
        kind="number",
        draw=_draw_size,
        ask="What is the patient's body surface area by the DuBois and DuBois formula?",
        unit="m²",
        complaints=(
            "for chemotherapy planning",
            "for a cardiac index calculation",
            "for an annual physical",
        ),
    ),
    Spec(
        key="ideal_body_weight",
        title="Ideal body weight (Devine)",
        func=body.ideal_body_weight,
        kind="number",
        draw=_draw_ibw,
        ask="What is the patient's ideal body weight by the Devine formula?",
        unit="kg",
        rules=_IBW_RULE,
        complaints=(
            "for ventilator setup after intubation",
            "for a dosing review",
            "for an annual physical",
        ),
    ),
    Spec(
        key="adjusted_body_weight",
        title="Adjusted body weight",
        func=body.adjusted_body_weight,
        kind="number",
        draw=_draw_abw,
        ask="What is the patient's adjusted body weight?",
        unit="kg",
        rules=f"{_IBW_RULE} {_ABW_RULE}",
        complaints=(
            "for aminoglycoside dosing",
            "for a dosing review",
            "for a weight-management consultation",
        ),
    ),
    Spec(
        key="mean_arterial_pressure",
        title="Mean arterial pressure",
        func=body.mean_arterial_pressure,
        kind="number",
        draw=_draw_map,
        ask="What is the patient's mean arterial pressure, estimated as (SBP + 2 x DBP) / 3?",
        unit="mmHg",
        exclude=frozenset({"blood_pressure"}),
        complaints=("with dizziness", "with headache", "for a hypertension follow-up"),
    ),
    Spec(
        key="maintenance_fluids",
        title="Maintenance fluids (4-2-1 rule)",
        func=body.maintenance_fluids,
        kind="number",
        draw=_draw_fluids,
        ask="What is the patient's hourly maintenance IV fluid rate by the Holliday-Segar 4-2-1 rule?",
        unit="mL/h",
        rules="4 mL/kg/h for the first 10 kg, 2 mL/kg/h for the next 10 kg, 1 mL/kg/h for each kg above 20.",
        exclude=frozenset({"height"}),
        complaints=(
            "with vomiting and poor oral intake",
            "with dehydration",
            "for a planned procedure",
        ),
    ),
)
"""The specs of this module, in category order."""
