"""Specs of the QTc formulas, dose conversions and pregnancy dates."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.medcalc.formulas import dosing, pregnancy, qtc
from arollout.tasks.medcalc.spec import Spec, pick_int

if TYPE_CHECKING:
    import random

    from arollout.tasks.medcalc.spec import Draw

__all__ = ("MISC_SPECS", "format_date")

_FREQUENCIES: Final = (
    ("once daily", 1),
    ("twice daily", 2),
    ("every 12 hours", 2),
    ("three times daily", 3),
    ("every 8 hours", 3),
    ("four times daily", 4),
    ("every 6 hours", 4),
    ("every 4 hours", 6),
)
_OPIOID_DOSES: Final[dict[str, tuple[float, ...]]] = {
    "codeine": (15, 30, 60),
    "hydrocodone": (5, 7.5, 10),
    "hydromorphone": (2, 4, 8),
    "methadone": (5, 10, 20, 30),
    "morphine": (15, 30, 60),
    "oxycodone": (5, 10, 15, 20, 30),
    "oxymorphone": (5, 10, 20),
    "tapentadol": (50, 75, 100),
    "tramadol": (50, 100),
    "fentanyl_patch": (12, 25, 50, 75),
}
_STEROID_DOSES: Final[dict[str, tuple[float, ...]]] = {
    "betamethasone": (0.6, 1.2, 3, 6),
    "cortisone": (25, 37.5, 50),
    "dexamethasone": (0.75, 1.5, 2, 4, 6, 8, 10),
    "hydrocortisone": (10, 15, 20, 50, 100),
    "methylprednisolone": (4, 8, 16, 32, 40, 60, 125),
    "prednisolone": (5, 10, 15, 20, 40),
    "prednisone": (5, 10, 20, 30, 40, 60),
    "triamcinolone": (4, 8, 16),
}
_QTC_COMPLAINTS: Final = (
    "with palpitations",
    "for a medication review before starting methadone",
    "with syncope",
    "with dizziness",
)
_DATE_STYLES: Final = ("%B {day}, %Y", "{day} %B %Y", "%Y-%m-%d")


def format_date(value: datetime.date, rng: random.Random) -> str:
    """A date in one of the unambiguous styles notes use ("March 3, 2023", "3 March 2023", ISO)."""
    return value.strftime(rng.choice(_DATE_STYLES).replace("{day}", str(value.day)))


def _draw_qtc(d: Draw) -> None:
    d.patient(pick_int(d.rng, 18, 90))
    d.measure("heart_rate", pick_int(d.rng, 40, 165), section="ecg")
    d.measure("qt_interval", d.rng.randint(260, 620), arg="qt_ms")


def _draw_mme(d: Draw) -> None:
    d.patient(pick_int(d.rng, 25, 88))
    rng = d.rng
    regimen = []
    lines = []
    for drug in rng.sample(sorted(_OPIOID_DOSES), k=rng.choice((1, 2, 2, 3))):
        dose = rng.choice(_OPIOID_DOSES[drug])
        if drug == "fentanyl_patch":
            lines.append(f"a fentanyl transdermal patch {dose:g} mcg/h, changed every 72 hours")
            regimen.append((drug, dose, 1))
            continue
        label, per_day = rng.choice(_FREQUENCIES)
        lines.append(f"{drug} {dose:g} mg {label}")
        regimen.append((drug, dose, per_day))
    for line in lines:
        d.med(line)
    if rng.random() < 0.5:
        d.med(
            rng.choice(
                (
                    "gabapentin 300 mg three times daily",
                    "naloxone nasal spray as needed",
                    "senna 8.6 mg at night",
                )
            )
        )
    d.set("regimen", tuple(regimen), "; ".join(lines))


def _draw_steroid(d: Draw) -> None:
    d.patient(pick_int(d.rng, 18, 88))
    rng = d.rng
    drug, target = rng.sample(sorted(_STEROID_DOSES), k=2)
    dose = rng.choice(_STEROID_DOSES[drug])
    label, per_day = rng.choice(_FREQUENCIES[:6])
    route = (
        rng.choice(("by mouth", "IV", ""))
        if drug in ("dexamethasone", "methylprednisolone", "hydrocortisone")
        else "by mouth"
    )
    text = " ".join(p for p in (drug, f"{dose:g} mg", route, label) if p)
    d.med(text)
    d.set("drug", drug)
    d.set("dose_mg", dose * per_day, text)
    d.set("target", target)


def _lmp(d: Draw) -> datetime.date:
    d.patient(pick_int(d.rng, 18, 44), female=True, age_arg=None, female_arg=None)
    start = datetime.date(2018, 1, 1)
    return start + datetime.timedelta(days=d.rng.randrange(8 * 365))


def _say_lmp(d: Draw, lmp: datetime.date) -> None:
    text = format_date(lmp, d.rng)
    d.fact(
        "hpi",
        d.rng.choice(
            (
                f"{{His}} last menstrual period began on {text}.",
                f"The first day of {{his}} last menstrual period was {text}.",
                f"LMP: {text}.",
            )
        ),
    )
    d.shown["lmp"] = text


def _draw_due(d: Draw) -> None:
    lmp = _lmp(d)
    cycle = pick_int(d.rng, 22, 35, snaps=(28,), p=0.3)
    d.set("lmp", lmp)
    d.set("cycle_length_days", cycle)
    _say_lmp(d, lmp)
    d.fact("hpi", f"{{His}} menstrual cycles are regular, every {cycle} days.")
    visit = lmp + datetime.timedelta(days=d.rng.randint(35, 90))
    d.fact("hpi", f"The visit takes place on {format_date(visit, d.rng)}.")


def _draw_conception(d: Draw) -> None:
    lmp = _lmp(d)
    d.set("lmp", lmp)
    _say_lmp(d, lmp)
    if d.rng.random() < 0.5:
        d.fact("hpi", "{His} cycles are regular at 28 days.")
    visit = lmp + datetime.timedelta(days=d.rng.randint(35, 120))
    d.fact(
        "hpi",
        f"{{He}} is seen on {format_date(visit, d.rng)} after a positive home pregnancy test.",
    )


def _draw_gestation(d: Draw) -> None:
    lmp = _lmp(d)
    today = lmp + datetime.timedelta(days=d.rng.randint(28, 300))
    d.set("lmp", lmp)
    d.set("today", today)
    _say_lmp(d, lmp)
    shown = format_date(today, d.rng)
    d.shown["today"] = shown
    d.fact("hpi", d.rng.choice((f"Today's date is {shown}.", f"{{He}} is seen today, {shown}.")))
    if d.rng.random() < 0.4:
        earlier = lmp + datetime.timedelta(days=d.rng.randint(40, 80))
        if earlier < today:
            d.fact("hpi", f"A dating ultrasound was performed on {format_date(earlier, d.rng)}.")


def _qtc(key: str, title: str, func: Any, formula: str) -> Spec:
    return Spec(
        key=key,
        title=title,
        func=func,
        kind="number",
        draw=_draw_qtc,
        ask=f"Using the {title} formula, what is the patient's corrected QT interval?",
        unit="ms",
        rules=f"{formula}, with RR = 60 / heart rate in seconds.",
        exclude=frozenset({"heart_rate"}),
        complaints=_QTC_COMPLAINTS,
    )


_PREGNANCY: Final = (
    "for a first prenatal visit",
    "with amenorrhea and a positive pregnancy test",
    "for a prenatal check-up",
)

MISC_SPECS: Final[tuple[Spec, ...]] = (
    _qtc("qtc_bazett", "Bazett", qtc.qtc_bazett, "QTc = QT / sqrt(RR)"),
    _qtc("qtc_fridericia", "Fridericia", qtc.qtc_fridericia, "QTc = QT / RR^(1/3)"),
    _qtc("qtc_framingham", "Framingham", qtc.qtc_framingham, "QTc = QT + 154 x (1 - RR)"),
    _qtc("qtc_hodges", "Hodges", qtc.qtc_hodges, "QTc = QT + 1.75 x (heart rate - 60)"),
    _qtc("qtc_rautaharju", "Rautaharju", qtc.qtc_rautaharju, "QTc = QT x (120 + heart rate) / 180"),
    Spec(
        key="morphine_milligram_equivalents",
        title="Morphine milligram equivalents",
        func=dosing.morphine_milligram_equivalents,
        kind="number",
        draw=_draw_mme,
        ask="What is the patient's total daily opioid dose in morphine milligram equivalents?",
        unit="MME/day",
        rules=(
            "Use the CDC 2022 conversion factors (MME per mg): codeine 0.15, hydrocodone 1, "
            "hydromorphone 5, methadone 4.7, morphine 1, oxycodone 1.5, oxymorphone 3, tapentadol "
            "0.4, tramadol 0.2; transdermal fentanyl 2.4 MME/day per mcg/h. MME/day is the sum over "
            "drugs of the daily dose x factor."
        ),
        complaints=(
            "with chronic back pain",
            "with cancer-related pain",
            "for a pain management review",
        ),
    ),
    Spec(
        key="steroid_conversion",
        title="Steroid conversion",
        func=dosing.steroid_conversion,
        kind="number",
        draw=_draw_steroid,
        ask="The team wants to switch the patient's {drug} to {target}. What total daily dose of {target} is equivalent to the current total daily dose of {drug}?",
        unit="mg/day",
        rules=(
            "Equivalent doses: betamethasone 0.75 mg = cortisone 25 mg = dexamethasone 0.75 mg = "
            "hydrocortisone 20 mg = methylprednisolone 4 mg = prednisolone 5 mg = prednisone 5 mg "
            "= triamcinolone 4 mg (the route does not change the equivalence)."
        ),
        complaints=(
            "for a flare of rheumatoid arthritis",
            "for an asthma exacerbation",
            "for a medication review",
        ),
    ),
    Spec(
        key="estimated_due_date",
        title="Estimated due date (Naegele's rule)",
        func=pregnancy.due_date,
        kind="date",
        draw=_draw_due,
        ask="What is the patient's estimated due date?",
        rules="Naegele's rule adjusted for cycle length: LMP + 280 days + (cycle length - 28) days.",
        complaints=_PREGNANCY,
    ),
    Spec(
        key="estimated_conception_date",
        title="Estimated date of conception",
        func=pregnancy.conception_date,
        kind="date",
        draw=_draw_conception,
        ask="What is the patient's estimated date of conception?",
        rules="Take conception as 2 weeks (14 days) after the first day of the last menstrual period.",
        complaints=_PREGNANCY,
    ),
    Spec(
        key="gestational_age",
        title="Gestational age",
        func=pregnancy.gestational_age,
        kind="weeks_days",
        draw=_draw_gestation,
        ask="What is the patient's gestational age today, counted from the first day of the last menstrual period?",
        complaints=_PREGNANCY,
    ),
)
"""The specs of this module, in category order."""
