"""What a note can measure, in which units, and how values convert back.

A :class:`Measure` is one quantity a note may report (creatinine, weight,
temperature). Its first :class:`Unit` is the canonical unit the calculators
take; the others are what real notes also use. A value shown in unit ``u`` is
``canonical = shown x u.scale + u.offset``.

Conversions are where answers become ambiguous, so each unit may carry the
other factor people commonly use (``alt_scale``: 88.42 vs 88.4 for
creatinine, 2.2 vs 2.20462 for pounds). The instance builder recomputes every
answer with both factors and drops instances where they disagree.

Factors: creatinine 113.12 g/mol (1 mg/dL = 88.4 µmol/L); glucose 180.16 g/mol
(1 mmol/L = 18.0 mg/dL); urea nitrogen 28.0 g/mol per urea (BUN mg/dL = urea
mmol/L x 2.8); bilirubin 584.7 g/mol (1 mg/dL = 17.1 µmol/L); calcium 40.08
g/mol; cholesterol 386.65 g/mol (38.67); triglycerides (as triolein) 885.4
g/mol (88.57); 1 lb = 0.45359237 kg; 1 in = 2.54 cm; 1 kPa = 7.50062 mmHg.
These are the conversions of MedCalc-Bench's ``unit_converter_new.py`` and of
standard SI-unit tables (e.g. the AMA Manual of Style SI conversion table).
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = ("MEASURES", "Measure", "Unit", "format_number")


class Unit(NamedTuple):
    """One way to print a measure.

    Attributes:
        symbol: as printed after the number ("" for unitless values).
        scale: canonical = shown x scale + offset.
        decimals: digits after the point when printed (negative: rounded to
            tens, hundreds, ... as cell counts per µL are).
        offset: see ``scale`` (only temperatures have one).
        alt_scale: a second, commonly used factor (None when exact).
        labels: names used with this unit instead of the measure's (urea vs BUN).
        weight: relative frequency of this unit in notes.
    """

    symbol: str
    scale: float = 1.0
    decimals: int = 0
    offset: float = 0.0
    alt_scale: float | None = None
    labels: tuple[str, ...] = ()
    weight: float = 1.0

    @property
    def canonical(self) -> bool:
        return self.scale == 1.0 and self.offset == 0.0


class Measure(NamedTuple):
    """A quantity a note can report; ``units[0]`` is the canonical unit."""

    key: str
    labels: tuple[str, ...]
    units: tuple[Unit, ...]
    section: str  # "vitals", "labs", "body", "ecg"


def _same(symbols: tuple[str, ...], decimals: int = 0) -> tuple[Unit, ...]:
    """Units that only differ by name (mmol/L and mEq/L for sodium)."""
    return tuple(Unit(s, decimals=decimals) for s in symbols)


def _labs(key: str, labels: tuple[str, ...], *units: Unit) -> Measure:
    return Measure(key, labels, units, "labs")


MEASURES: Final[dict[str, Measure]] = {
    m.key: m
    for m in (
        Measure(
            "heart_rate",
            ("heart rate", "HR", "pulse"),
            _same(("beats/min", "bpm", "/min")),
            "vitals",
        ),
        Measure(
            "respiratory_rate",
            ("respiratory rate", "RR", "respirations"),
            _same(("breaths/min", "/min")),
            "vitals",
        ),
        Measure(
            "temperature",
            ("temperature", "T", "temp"),
            (Unit("°C", decimals=1, weight=1.5), Unit("°F", 5 / 9, 1, -160 / 9)),
            "vitals",
        ),
        Measure(
            "oxygen_saturation", ("SpO2", "oxygen saturation", "O2 sat"), _same(("%",)), "vitals"
        ),
        Measure(
            "weight",
            ("weight",),
            (Unit("kg", decimals=1, weight=1.5), Unit("lb", 0.45359237, 1, alt_scale=1 / 2.2)),
            "body",
        ),
        Measure(
            "height",
            ("height",),
            (
                Unit("cm", weight=1.5),
                Unit("m", 100.0, 2),
                Unit("in", 2.54, 0),
                Unit("ft-in", 2.54, 0),
            ),
            "body",
        ),
        Measure("qt_interval", ("QT interval", "QT"), _same(("ms", "msec")), "ecg"),
        _labs("sodium", ("sodium", "Na", "serum sodium"), *_same(("mmol/L", "mEq/L"))),
        _labs("potassium", ("potassium", "K"), *_same(("mmol/L", "mEq/L"), 1)),
        _labs("chloride", ("chloride", "Cl"), *_same(("mmol/L", "mEq/L"))),
        _labs(
            "bicarbonate",
            ("bicarbonate", "HCO3-", "serum bicarbonate"),
            *_same(("mmol/L", "mEq/L")),
        ),
        _labs(
            "bun",
            ("BUN", "blood urea nitrogen"),
            Unit("mg/dL", weight=2.0),
            Unit("mmol/L", 2.8, 1, alt_scale=2.801, labels=("urea", "serum urea")),
        ),
        _labs(
            "creatinine",
            ("creatinine", "serum creatinine", "Cr"),
            Unit("mg/dL", decimals=2, weight=1.5),
            Unit("µmol/L", 1 / 88.4, 0, alt_scale=1 / 88.42),
        ),
        _labs(
            "glucose",
            ("glucose", "serum glucose", "blood glucose"),
            Unit("mg/dL", weight=1.5),
            Unit("mmol/L", 18.0, 1, alt_scale=18.016),
        ),
        _labs(
            "albumin",
            ("albumin", "serum albumin"),
            Unit("g/dL", decimals=1, weight=1.5),
            Unit("g/L", 0.1, 0),
        ),
        _labs(
            "calcium",
            ("calcium", "total calcium", "serum calcium"),
            Unit("mg/dL", decimals=1, weight=1.5),
            Unit("mmol/L", 4.008, 2, alt_scale=4.0),
        ),
        _labs(
            "bilirubin",
            ("total bilirubin", "bilirubin"),
            Unit("mg/dL", decimals=1, weight=1.5),
            Unit("µmol/L", 1 / 17.1, 0, alt_scale=1 / 17.104),
        ),
        _labs("inr", ("INR",), Unit("", decimals=1)),
        _labs("ast", ("AST", "aspartate aminotransferase"), *_same(("U/L", "IU/L"))),
        _labs("alt", ("ALT", "alanine aminotransferase"), *_same(("U/L", "IU/L"))),
        _labs("alkaline_phosphatase", ("alkaline phosphatase", "ALP"), *_same(("U/L",))),
        _labs(
            "platelets",
            ("platelets", "platelet count"),
            Unit("×10³/µL", weight=1.5),
            Unit("×10⁹/L"),
            Unit("/µL", 0.001, -3),
        ),
        _labs(
            "wbc",
            ("WBC", "white blood cell count", "leukocytes"),
            Unit("×10³/µL", decimals=1),
            Unit("×10⁹/L", decimals=1),
            Unit("/mm³", 0.001, -2),
        ),
        _labs(
            "hemoglobin",
            ("hemoglobin", "Hb", "Hgb"),
            Unit("g/dL", decimals=1, weight=1.5),
            Unit("g/L", 0.1, 0),
        ),
        _labs(
            "total_cholesterol",
            ("total cholesterol",),
            Unit("mg/dL", weight=1.5),
            Unit("mmol/L", 38.67, 2, alt_scale=38.66),
        ),
        _labs(
            "hdl",
            ("HDL cholesterol", "HDL"),
            Unit("mg/dL", weight=1.5),
            Unit("mmol/L", 38.67, 2, alt_scale=38.66),
        ),
        _labs(
            "triglycerides",
            ("triglycerides", "TG"),
            Unit("mg/dL", weight=1.5),
            Unit("mmol/L", 88.57, 2, alt_scale=88.5),
        ),
        _labs("insulin", ("fasting insulin", "insulin"), *_same(("µIU/mL", "mU/L"), 1)),
        _labs("urine_sodium", ("urine sodium",), *_same(("mmol/L", "mEq/L"))),
        _labs(
            "urine_creatinine",
            ("urine creatinine",),
            Unit("mg/dL", weight=1.5),
            Unit("µmol/L", 1 / 88.4, 0, alt_scale=1 / 88.42),
        ),
        _labs(
            "measured_osmolality",
            ("measured serum osmolality", "serum osmolality (measured)"),
            *_same(("mOsm/kg",)),
        ),
        _labs("pao2", ("PaO2",), Unit("mmHg", weight=2.0), Unit("kPa", 7.50062, 1, alt_scale=7.5)),
        _labs(
            "paco2", ("PaCO2",), Unit("mmHg", weight=2.0), Unit("kPa", 7.50062, 1, alt_scale=7.5)
        ),
        _labs("bands", ("band forms", "bands"), *_same(("%",))),
        _labs("magnesium", ("magnesium", "Mg"), Unit("mg/dL", decimals=1)),
        _labs("phosphate", ("phosphate", "phosphorus"), Unit("mg/dL", decimals=1)),
        _labs("lactate", ("lactate",), Unit("mmol/L", decimals=1)),
        _labs("tsh", ("TSH",), Unit("mIU/L", decimals=2)),
        _labs("lipase", ("lipase",), *_same(("U/L",))),
        _labs("hba1c", ("HbA1c", "hemoglobin A1c"), Unit("%", decimals=1)),
        _labs("crp", ("CRP", "C-reactive protein"), Unit("mg/L", decimals=1)),
        _labs("ck", ("CK", "creatine kinase"), *_same(("U/L",))),
        _labs("uric_acid", ("uric acid",), Unit("mg/dL", decimals=1)),
        _labs("ferritin", ("ferritin",), Unit("ng/mL")),
    )
}
"""Every measure a note can report, by key."""


def format_number(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` digits (none when negative), without a negative zero."""
    text = f"{value:.{max(decimals, 0)}f}"
    return "0" if text in ("-0", "-0.0", "-0.00") else text
