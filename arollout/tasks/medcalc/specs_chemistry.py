"""Specs of the acid-base, osmolality, electrolyte and metabolic calculators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.medcalc.formulas import electrolytes as el, metabolic
from arollout.tasks.medcalc.spec import Spec, pick_int

if TYPE_CHECKING:
    from arollout.tasks.medcalc.spec import Draw

__all__ = ("CHEMISTRY_SPECS",)

_AG_RULE: Final = "Anion gap = Na - (Cl + HCO3), without potassium."
_DELTA_RULE: Final = "Take 12 mEq/L as the normal anion gap and 24 mEq/L as the normal bicarbonate."
_ALB_RULE: Final = "Correct the anion gap for albumin as AG + 2.5 x (4 - albumin in g/dL)."
_ACID_COMPLAINTS: Final = (
    "with nausea and vomiting",
    "with abdominal pain and rapid breathing",
    "with confusion",
    "with diarrhea",
)


def _adult(d: Draw) -> None:
    d.patient(pick_int(d.rng, 18, 90))


def _electrolytes(d: Draw, *, acidotic: bool, albumin: bool = False) -> None:
    """Na, Cl, HCO3 (and albumin) with a plausible gap; potassium as a distractor."""
    _adult(d)
    rng = d.rng
    while True:  # a chloride inside what laboratories report
        sodium = pick_int(rng, 122, 158)
        bicarbonate = rng.randint(4, 23) if acidotic else rng.randint(8, 32)
        gap = rng.randint(6, 38) if acidotic else rng.randint(4, 30)
        if 80 <= sodium - bicarbonate - gap <= 124:
            break
    d.measure("sodium", sodium)
    d.measure("chloride", sodium - bicarbonate - gap)
    d.measure("bicarbonate", bicarbonate)
    if albumin:
        d.measure("albumin", rng.uniform(1.2, 5.0), arg="albumin_g_dl")
    if rng.random() < 0.7:
        d.mention("potassium", rng.uniform(2.8, 6.2))


def _draw_ag(d: Draw) -> None:
    _electrolytes(d, acidotic=False)


def _draw_delta(d: Draw) -> None:
    _electrolytes(d, acidotic=True)


def _draw_ag_albumin(d: Draw) -> None:
    _electrolytes(d, acidotic=False, albumin=True)


def _draw_delta_albumin(d: Draw) -> None:
    _electrolytes(d, acidotic=True, albumin=True)


def _osm_inputs(d: Draw) -> None:
    _adult(d)
    rng = d.rng
    d.measure("sodium", pick_int(rng, 118, 165))
    d.measure("bun", rng.choice((rng.uniform(5, 30), rng.uniform(5, 140))), arg="bun_mg_dl")
    d.measure(
        "glucose", rng.choice((rng.uniform(60, 200), rng.uniform(60, 1300))), arg="glucose_mg_dl"
    )


def _draw_osm(d: Draw) -> None:
    _osm_inputs(d)


def _draw_osm_gap(d: Draw) -> None:
    _osm_inputs(d)
    calculated = el.serum_osmolality(
        **{k: d.args[k] for k in ("sodium", "bun_mg_dl", "glucose_mg_dl")}
    )
    d.measure("measured_osmolality", calculated + d.rng.uniform(-6, 70))


def _draw_calcium(d: Draw) -> None:
    _adult(d)
    d.measure("calcium", d.rng.uniform(6.0, 14.5), arg="calcium_mg_dl")
    d.measure("albumin", d.rng.uniform(1.3, 5.0), arg="albumin_g_dl")


def _draw_sodium(d: Draw) -> None:
    _adult(d)
    d.measure("sodium", pick_int(d.rng, 112, 150))
    d.measure("glucose", d.rng.uniform(150, 1600), arg="glucose_mg_dl")


def _draw_fwd(d: Draw) -> None:
    d.patient(pick_int(d.rng, 3, 95, snaps=(18, 65)))
    d.measure("sodium", d.rng.randint(146, 182))
    d.measure(
        "weight", d.rng.uniform(14, 130) if d.age < 18 else d.rng.uniform(38, 140), arg="weight_kg"
    )


def _draw_ldl(d: Draw) -> None:
    _adult(d)
    rng = d.rng
    d.measure("total_cholesterol", rng.uniform(120, 360), arg="total_cholesterol_mg_dl")
    d.measure("hdl", rng.uniform(22, 105), arg="hdl_mg_dl")
    d.measure("triglycerides", rng.uniform(35, 395), arg="triglycerides_mg_dl")


def _ldl_valid(args: dict[str, Any]) -> bool:
    return bool(args["triglycerides_mg_dl"] < 400 and metabolic.ldl_friedewald(**args) > 20)


def _draw_homa(d: Draw) -> None:
    _adult(d)
    d.measure("glucose", d.rng.uniform(62, 320), arg="glucose_mg_dl")
    d.measure(
        "insulin", d.rng.choice((d.rng.uniform(2, 25), d.rng.uniform(2, 70))), arg="insulin_uiu_ml"
    )


def _draw_fena(d: Draw) -> None:
    _adult(d)
    rng = d.rng
    d.measure("sodium", rng.randint(122, 152), arg="serum_sodium")
    d.measure("creatinine", rng.uniform(0.7, 9.0), arg="serum_creatinine_mg_dl")
    d.measure("urine_sodium", rng.randint(4, 160))
    d.measure("urine_creatinine", rng.uniform(12, 320), arg="urine_creatinine_mg_dl")


def _spec(key: str, title: str, func: Any, draw: Any, ask: str, unit: str, **extra: Any) -> Spec:
    return Spec(
        key=key, title=title, func=func, kind="number", draw=draw, ask=ask, unit=unit, **extra
    )


def _delta_valid(args: dict[str, Any]) -> bool:
    return bool(args["bicarbonate"] < 23)


CHEMISTRY_SPECS: Final[tuple[Spec, ...]] = (
    _spec(
        "anion_gap",
        "Anion gap",
        el.anion_gap,
        _draw_ag,
        "What is the patient's serum anion gap?",
        "mEq/L",
        rules=_AG_RULE,
        complaints=_ACID_COMPLAINTS,
    ),
    _spec(
        "delta_gap",
        "Delta gap",
        el.delta_gap,
        _draw_delta,
        "What is the patient's delta gap?",
        "mEq/L",
        rules=f"{_AG_RULE} Delta gap = anion gap - 12.",
        complaints=_ACID_COMPLAINTS,
    ),
    _spec(
        "delta_ratio",
        "Delta ratio",
        el.delta_ratio,
        _draw_delta,
        "What is the patient's delta ratio, (anion gap - 12) / (24 - HCO3)?",
        "",
        rules=f"{_AG_RULE} {_DELTA_RULE}",
        complaints=_ACID_COMPLAINTS,
        valid=_delta_valid,
    ),
    _spec(
        "albumin_corrected_anion_gap",
        "Albumin-corrected anion gap",
        el.albumin_corrected_anion_gap,
        _draw_ag_albumin,
        "What is the patient's albumin-corrected anion gap?",
        "mEq/L",
        rules=f"{_AG_RULE} {_ALB_RULE}",
        complaints=_ACID_COMPLAINTS,
    ),
    _spec(
        "albumin_corrected_delta_gap",
        "Albumin-corrected delta gap",
        el.albumin_corrected_delta_gap,
        _draw_delta_albumin,
        "What is the patient's albumin-corrected delta gap?",
        "mEq/L",
        rules=f"{_AG_RULE} {_ALB_RULE} Delta gap = corrected anion gap - 12.",
        complaints=_ACID_COMPLAINTS,
    ),
    _spec(
        "albumin_corrected_delta_ratio",
        "Albumin-corrected delta ratio",
        el.albumin_corrected_delta_ratio,
        _draw_delta_albumin,
        "What is the patient's albumin-corrected delta ratio, (corrected AG - 12) / (24 - HCO3)?",
        "",
        rules=f"{_AG_RULE} {_ALB_RULE} {_DELTA_RULE}",
        complaints=_ACID_COMPLAINTS,
        valid=_delta_valid,
    ),
    _spec(
        "serum_osmolality",
        "Calculated serum osmolality",
        el.serum_osmolality,
        _draw_osm,
        "What is the patient's calculated serum osmolality, 2 x Na + BUN/2.8 + glucose/18 (BUN and glucose in mg/dL)?",
        "mOsm/kg",
        complaints=("with confusion", "with polyuria and thirst", "with lethargy"),
    ),
    _spec(
        "osmolal_gap",
        "Osmolal gap",
        el.osmolal_gap,
        _draw_osm_gap,
        "What is the patient's osmolal gap (measured minus calculated osmolality)?",
        "mOsm/kg",
        rules="Calculated osmolality = 2 x Na + BUN/2.8 + glucose/18, with BUN and glucose in mg/dL.",
        complaints=(
            "with altered mental status after a suspected ingestion",
            "with vomiting and ataxia",
            "with confusion",
        ),
    ),
    _spec(
        "calcium_correction",
        "Calcium corrected for albumin",
        el.corrected_calcium,
        _draw_calcium,
        "What is the patient's calcium corrected for albumin?",
        "mg/dL",
        rules="Corrected calcium = Ca + 0.8 x (4 - albumin), with calcium in mg/dL and albumin in g/dL.",
        exclude=frozenset({"albumin", "calcium"}),
        complaints=("with fatigue and constipation", "with muscle cramps", "with weakness"),
    ),
    _spec(
        "sodium_correction",
        "Sodium corrected for hyperglycemia",
        el.corrected_sodium_hyperglycemia,
        _draw_sodium,
        "What is the patient's sodium corrected for hyperglycemia (Hillier 1999)?",
        "mEq/L",
        rules="Corrected Na = Na + 0.024 x (glucose in mg/dL - 100).",
        complaints=("with polyuria and vomiting", "with confusion", "with abdominal pain"),
    ),
    _spec(
        "free_water_deficit",
        "Free water deficit",
        el.free_water_deficit,
        _draw_fwd,
        "What is the patient's free water deficit?",
        "L",
        rules=(
            "Deficit = TBW fraction x weight (kg) x (Na/140 - 1). TBW fraction: 0.6 for children "
            "(< 18 years); 0.6 for men and 0.5 for women aged 18-64; 0.5 for men and 0.45 for "
            "women aged 65 or older."
        ),
        complaints=(
            "with confusion and poor oral intake",
            "with lethargy",
            "with fever and decreased intake",
        ),
    ),
    _spec(
        "ldl_friedewald",
        "LDL cholesterol (Friedewald)",
        metabolic.ldl_friedewald,
        _draw_ldl,
        "What is the patient's LDL cholesterol by the Friedewald equation?",
        "mg/dL",
        rules="LDL = total cholesterol - HDL - triglycerides/5, all in mg/dL.",
        complaints=(
            "for a lipid panel review",
            "for an annual physical",
            "for cardiovascular risk assessment",
        ),
        valid=_ldl_valid,
    ),
    _spec(
        "homa_ir",
        "HOMA-IR",
        metabolic.homa_ir,
        _draw_homa,
        "What is the patient's HOMA-IR, fasting insulin (µIU/mL) x fasting glucose (mg/dL) / 405?",
        "",
        complaints=("for a metabolic evaluation", "with weight gain", "for an annual physical"),
    ),
    _spec(
        "fena",
        "Fractional excretion of sodium",
        metabolic.fena,
        _draw_fena,
        "What is the patient's fractional excretion of sodium, (UNa x SCr) / (SNa x UCr) x 100?",
        "%",
        exclude=frozenset({"sodium", "creatinine"}),
        complaints=(
            "with decreased urine output",
            "with acute kidney injury",
            "with dizziness and vomiting",
        ),
    ),
)
"""The specs of this module, in category order."""
