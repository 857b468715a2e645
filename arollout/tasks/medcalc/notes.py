"""Patient notes from a :class:`~.spec.Draw`: distractors, wording and layout.

The note is a short clinical vignette: an opening sentence (age, sex,
setting, complaint), history of present illness, past history (present and
denied conditions), medications, social history, vital signs, body
measurements, examination, laboratory results, ECG and assessment. The same
facts come out in different words from one instance to the next (label
synonyms, list styles, sentence templates, section order), and irrelevant
facts are mixed in: normal-range vitals and labs the calculator does not use,
and history, medications and social facts that no calculator scores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.medcalc.units import MEASURES
from arollout.tasks.medcalc.wording import NEUTRAL_HISTORY, NEUTRAL_MEDS, SOCIAL

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

    from arollout.tasks.medcalc.spec import Draw, Fact

__all__ = ("DISTRACTOR_RANGES", "add_distractors", "render_note")

DISTRACTOR_RANGES: Final[dict[str, tuple[float, float]]] = {
    "heart_rate": (62, 92),
    "respiratory_rate": (12, 19),
    "temperature": (36.5, 37.4),
    "oxygen_saturation": (96, 99),
    "potassium": (3.6, 4.9),
    "magnesium": (1.8, 2.3),
    "phosphate": (2.6, 4.4),
    "lactate": (0.6, 1.7),
    "tsh": (0.6, 3.8),
    "lipase": (18, 52),
    "hba1c": (4.9, 5.6),
    "crp": (0.5, 4.5),
    "ck": (45, 170),
    "uric_acid": (3.6, 6.8),
    "ferritin": (40, 240),
    "hemoglobin": (12.6, 15.4),
    "wbc": (4.8, 9.8),
    "platelets": (170, 360),
    "alkaline_phosphatase": (48, 115),
    "sodium": (137, 143),
    "chloride": (99, 105),
    "bicarbonate": (23, 27),
    "glucose": (78, 105),
    "bun": (9, 17),
    "creatinine": (0.7, 1.05),
    "albumin": (3.7, 4.7),
    "calcium": (8.8, 10.0),
    "ast": (16, 34),
    "alt": (14, 33),
    "bilirubin": (0.3, 0.9),
    "inr": (0.9, 1.1),
}
"""Normal-range values (canonical units) for measures added as distractors."""

_ADULT_RANGES: Final = frozenset(
    {"creatinine", "alkaline_phosphatase", "uric_acid", "ferritin", "bun"}
)
"""Distractor labs whose normal range above differs in children (left out for them)."""
_VITALS: Final = (
    "temperature",
    "heart_rate",
    "blood_pressure",
    "respiratory_rate",
    "oxygen_saturation",
)
_SETTINGS: Final[dict[str, tuple[str, ...]]] = {
    "with": (
        "presents to the emergency department",
        "presents to urgent care",
        "was admitted",
        "comes to the clinic",
        "is evaluated",
    ),
    "for": ("is seen in clinic", "comes in", "is seen today", "presents"),
}


def add_distractors(draw: Draw, exclude: frozenset[str]) -> None:
    """Mix in facts the calculator does not use (never a measure in ``exclude``
    or one the spec already reported)."""
    rng = draw.rng
    skip = draw.used | exclude
    for key in _VITALS:
        if key in skip or rng.random() < 0.25:
            continue
        if key == "blood_pressure":
            draw.item(
                "vitals",
                ("blood pressure", "BP"),
                f"{rng.randint(108, 142)}/{rng.randint(62, 88)} mmHg",
            )
        else:
            _distract(draw, key)
    if not ({"weight", "height"} & skip) and rng.random() < 0.3:
        _distract(draw, "weight", (55.0, 95.0))
        _distract(draw, "height", (155.0, 188.0))
    child = draw.age < 18
    adult_only = _ADULT_RANGES if child else frozenset()
    labs = [
        k
        for k in DISTRACTOR_RANGES
        if k not in skip and k not in adult_only and MEASURES[k].section == "labs"
    ]
    for key in rng.sample(labs, k=min(len(labs), rng.randint(1, 4))):
        _distract(draw, key)
    pool = [name for name, kid_ok in NEUTRAL_HISTORY if kid_ok or not child]
    for name in rng.sample(pool, k=rng.choice((0, 1, 1, 2))):
        draw.facts.append(_history(name, present=True))
    if not child:
        for med in rng.sample(NEUTRAL_MEDS, k=rng.choice((0, 1, 2, 3))):
            draw.facts.append(_history(med, present=True, section="meds"))
        if rng.random() < 0.5:
            draw.fact("social", rng.choice(SOCIAL))


def _history(text: str, *, present: bool, section: str = "history") -> Fact:
    from arollout.tasks.medcalc.spec import Fact

    return Fact(section, text, "present" if present else "absent")


def _distract(draw: Draw, key: str, span: tuple[float, float] | None = None) -> None:
    """Report a normal-range value without recording a calculator argument."""
    lo, hi = span or DISTRACTOR_RANGES[key]
    draw.mention(key, draw.rng.uniform(lo, hi))


# -- rendering -------------------------------------------------------------------------------


def _pronouns(female: bool) -> dict[str, str]:
    he, his, him = ("she", "her", "her") if female else ("he", "his", "him")
    return {"he": he, "He": he.capitalize(), "his": his, "His": his.capitalize(), "him": him}


def _join(items: Sequence[str], conj: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {conj} {items[1]}"
    return f"{', '.join(items[:-1])}, {conj} {items[-1]}"


def _age_phrase(draw: Draw) -> str:
    if draw.age_months is not None:
        return f"{draw.age_months}-month-old"
    return f"{draw.age}-year-old"


def _intro(draw: Draw, complaint: str, rng: random.Random) -> str:
    opening = rng.random() < 0.5
    if draw.age < 18:
        noun = "girl" if draw.female else "boy"
    elif opening:
        noun = rng.choice(("woman", "female patient") if draw.female else ("man", "male patient"))
    else:  # "The patient is a ... woman", not "... female patient"
        noun = "woman" if draw.female else "man"
    who = f"{draw.race} {noun}" if draw.race else noun
    age = _age_phrase(draw)
    article = "An" if age[0] in "8" or age.startswith(("11-", "18-")) else "A"
    head = complaint.split(" ", 1)[0]
    predicate = f"{rng.choice(_SETTINGS[head])} {complaint}" if head in _SETTINGS else complaint
    if opening:
        return f"{article} {age} {who} {predicate}."
    return f"The patient is {article.lower()} {age} {who} who {predicate}."


def _items(facts: Sequence[Fact], rng: random.Random, heads: tuple[str, ...]) -> str:
    style = rng.randrange(3)
    parts = []
    for fact in facts:
        label = rng.choice(fact.labels)
        parts.append(f"{label} of {fact.text}" if style == 1 else f"{label} {fact.text}")
    if style == 2:
        return f"{rng.choice(heads)}: {'; '.join(parts)}."
    if style == 1:
        return f"{rng.choice(heads)} showed {_join(parts)}."
    return f"{rng.choice(heads)}: {', '.join(parts)}."


def _history_text(present: Sequence[str], absent: Sequence[str], rng: random.Random) -> list[str]:
    out = []
    if present:
        out.append(
            rng.choice(
                (
                    f"Past medical history is significant for {_join(present)}.",
                    f"{{He}} has a history of {_join(present)}.",
                    f"PMH: {'; '.join(present)}.",
                )
            )
        )
    if absent:
        out.append(
            rng.choice(
                (
                    f"{{He}} has no history of {_join(absent, 'or')}.",
                    f"{{He}} denies any history of {_join(absent, 'or')}.",
                    f"There is no known {_join(absent, 'or')}.",
                )
            )
        )
    return out


def render_note(draw: Draw, complaint: str) -> str:
    """The note text of ``draw`` (facts in their sections, in varied words)."""
    rng = draw.rng
    by: dict[tuple[str, str], list[Fact]] = {}
    for fact in draw.facts:
        by.setdefault((fact.section, fact.form), []).append(fact)

    def sentences(section: str) -> list[str]:
        found = [f.text for f in by.get((section, "sentence"), [])]
        rng.shuffle(found)
        return found

    def phrases(section: str, form: str) -> list[str]:
        found = [f.text for f in by.get((section, form), [])]
        rng.shuffle(found)
        return found

    story = [_intro(draw, complaint, rng), *sentences("hpi")]
    past = _history_text(phrases("history", "present"), phrases("history", "absent"), rng)
    past += sentences("history")
    meds = phrases("meds", "present")
    if meds:
        past.append(
            rng.choice((f"Medications: {'; '.join(meds)}.", f"{{He}} takes {_join(meds)}."))
        )
    past += sentences("social")
    if rng.random() < 0.5:
        past.reverse()
    exam: list[str] = []
    if by.get(("vitals", "item")):
        exam.append(
            _items(by[("vitals", "item")], rng, ("Vital signs", "Vitals", "On arrival, vitals"))
        )
    if by.get(("body", "item")):
        exam.append(
            _items(
                by[("body", "item")], rng, ("Body measurements", "Anthropometrics", "Measurements")
            )
        )
    exam += sentences("exam")
    results: list[str] = []
    labs = by.get(("labs", "item"), [])
    if labs:
        labs = list(labs)
        rng.shuffle(labs)
        heads = ("Laboratory results", "Labs", "Laboratory studies", "Pertinent labs")
        if len(labs) > 7:
            results.append(_items(labs[:5], rng, heads))
            results.append(_items(labs[5:], rng, ("Additional results", "Other labs")))
        else:
            results.append(_items(labs, rng, heads))
    results += sentences("labs")
    if by.get(("ecg", "item")):
        results.append(
            _items(by[("ecg", "item")], rng, ("ECG", "Electrocardiogram", "The 12-lead ECG"))
        )
    results += sentences("ecg") + sentences("studies")
    closing = sentences("assessment")
    paragraphs = [story + past, exam, results + closing]
    pronouns = _pronouns(draw.female)
    text = "\n\n".join(" ".join(p) for p in paragraphs if p)
    return text.format_map(pronouns)
