"""How mentions and notes are worded: several phrasings per kind, drawn per mention.

Every phrasing states all the values its claim is checked on (a name, a
value with its unit, a time to the minute or a date) and nothing that would
give the label away: consistent and inconsistent mentions are worded from the
same templates, so telling them apart takes the database. Names appear as
stored, capitalised or in title case (comparisons are case-insensitive);
routes in upper case, as clinicians write them; HR and RR stand for heart and
respiratory rate, as the prompt says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import random

__all__ = ("ABBREVIATIONS", "fmt_value", "phrase", "styled")

ABBREVIATIONS: Final = {"heart rate": "HR", "respiratory rate": "RR"}


def fmt_value(value: float) -> str:
    """A stored number as a note prints it (``92.0`` -> ``92``, ``1.3`` -> ``1.3``)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def styled(rng: random.Random, name: str) -> str:
    """``name`` as stored, capitalised, or in title case."""
    style = rng.random()
    if style < 0.4:
        return name
    if style < 0.75:
        return name[:1].upper() + name[1:]
    return " ".join(w[:1].upper() + w[1:] for w in name.split(" "))


def _at(rng: random.Random, minute: str) -> str:
    day, hm = minute.split(" ")
    return rng.choice((f"at {minute}", f"on {day} at {hm}", f"({minute})", f"at {hm} on {day}"))


def _measure(rng: random.Random, show: dict[str, Any], noun: str = "") -> str:
    label = show["label"]
    name = ABBREVIATIONS.get(label) if rng.random() < 0.5 else None
    name = name or styled(rng, label)
    value = fmt_value(show["value"])
    unit = f" {show['unit']}" if show.get("unit") and show["unit"] not in ("?c", "?f") else ""
    when = _at(rng, show["time"])
    return rng.choice(
        (
            f"{name}{noun} {value}{unit} {when}",
            f"{name}{noun} was {value}{unit} {when}",
            f"{when[0].upper() + when[1:] if when[0] != '(' else when} {name}{noun} {value}{unit}",
            f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}{noun} of {value}{unit} {when}",
        )
    )


def _drug(rng: random.Random, show: dict[str, Any]) -> str:
    drug, dose, unit, route, date = (show[k] for k in ("drug", "dose", "unit", "route", "date"))
    name, route = styled(rng, drug), route.upper()
    return rng.choice(
        (
            f"{name} {dose} {unit} {route}, started {date}",
            f"{name} {dose} {unit} {route} (start date {date})",
            f"started on {name} {dose} {unit} {route} on {date}",
            f"{name} ({dose} {unit} {route}) from {date}",
        )
    )


def phrase(rng: random.Random, kind: str, negated: bool, show: dict[str, Any]) -> str:
    """The words of one mention (without its tag)."""
    if kind == "lab":
        return _measure(rng, show)
    if kind == "vital":
        return _measure(rng, show)
    if kind == "output":
        return _measure(rng, show, rng.choice((" output", " drainage")))
    if kind == "drug":
        return _drug(rng, show)
    name = styled(
        rng, show.get("label") or show.get("drug") or show.get("title") or show.get("spec") or ""
    )
    if kind == "lab_any":
        return rng.choice(
            (f"no {name} was measured during this admission", f"{name} was never checked this admission",
             f"no {name} result on file for this admission")
        )  # fmt: skip
    if kind == "drug_any":
        return rng.choice(
            (f"{name} was not given during this admission", f"no {name} was prescribed this admission",
             f"never received {name} during this stay")
        )  # fmt: skip
    if kind == "culture_any":
        return rng.choice(
            (f"no {name} specimen was sent for culture this admission",
             f"no {name} culture collected during this admission")
        )  # fmt: skip
    if kind == "diagnosis":
        if negated:
            return rng.choice((f"no history of {name}", f"no {name} on record"))
        return rng.choice((name, f"history of {name}", f"known {name}"))
    if kind == "procedure":
        return rng.choice((name, f"underwent {name}"))
    if kind == "culture":
        return rng.choice(
            (
                f"{name} sent for culture on {show['date']}",
                f"{name} culture collected {show['date']}",
            )
        )
    if kind == "admit":
        return rng.choice((f"admitted on {show['date']}", f"Admission date: {show['date']}"))
    if kind == "discharge":
        return rng.choice((f"discharged on {show['date']}", f"Discharge date: {show['date']}"))
    if kind == "icu":
        day, hm = show["time"].split(" ")
        unit = show["unit"].upper()
        return rng.choice(
            (f"admitted to the {unit} on {day} at {hm}", f"transferred to the {unit} at {show['time']}",
             f"ICU admission ({unit}) {show['time']}")
        )  # fmt: skip
    raise ValueError(f"no wording for {kind!r}")
