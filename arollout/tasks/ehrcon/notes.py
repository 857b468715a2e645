"""Whole notes: a plan of mention slots, the injected inconsistencies, the text.

Two note types, after the ones EHRCon annotates (Kwon et al. 2024,
"EHRCon: Dataset for Checking Consistency between Unstructured Notes and
Structured Tables in Electronic Health Records", NeurIPS Datasets and
Benchmarks; arXiv 2406.16341):

* a **discharge summary** of one admission: dates, past history (diagnoses),
  hospital course (ICU admission, cultures, procedures), pertinent lab
  results and medications;
* a **nursing note** of one 12-hour ICU shift: vital signs and outputs in the
  shift, labs, medications and a few other statements.

A note of category ``<type>_<mode>`` carries 1-3 inconsistencies of that one
mode (see :mod:`.mentions`) among its consistent mentions, and keeps at least
one consistent mention of the kinds its mode changes (another drug beside a
changed dose, a true denial beside a false one), so no surface feature marks
the inconsistent ones. Every note also holds at least one true denial.

Wording: every phrasing states all the values its claim is checked on (a
name, a value with its unit, a time to the minute or a date) and nothing that
gives the label away: consistent and inconsistent mentions are worded from
the same templates, and mentions are shuffled within their section, so
telling them apart takes the database. Names appear as stored, capitalised or
in title case (comparisons are case-insensitive), routes in upper case, HR
and RR for heart and respiratory rate (as the prompt says).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, NamedTuple

from arollout.tasks.ehrcon.claims import Claim
from arollout.tasks.ehrcon.facts import fmt_value
from arollout.tasks.ehrcon.mentions import MAKERS, MODES, Context, Draft

if TYPE_CHECKING:
    import random

    from arollout.tasks.ehrcon.facts import Admission, Catalog, IcuStay

__all__ = ("ABBREVIATIONS", "CATEGORIES", "NOTE_TYPES", "Note", "compose", "phrase", "styled")

NOTE_TYPES: Final = ("discharge", "nursing")
CATEGORIES: Final = tuple(f"{note}_{mode}" for note in NOTE_TYPES for mode in MODES)

_ELIGIBLE: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "discharge": {
        "value": ("lab",),
        "dose": ("drug",),
        "route": ("drug",),
        "time": ("lab", "drug", "admit", "discharge", "icu", "culture"),
        "extra": ("drug", "diagnosis", "procedure"),
        "missing": ("no_lab", "no_drug", "no_diagnosis", "no_culture"),
    },
    "nursing": {
        "value": ("vital", "lab", "output"),
        "dose": ("drug",),
        "route": ("drug",),
        "time": ("vital", "lab", "output", "drug", "icu"),
        "extra": ("drug", "lab"),
        "missing": ("no_lab", "no_drug", "no_culture"),
    },
}
_SECTION: Final = {
    "admit": "header", "discharge": "header", "diagnosis": "history", "no_diagnosis": "history",
    "icu": "course", "culture": "course", "procedure": "course", "no_culture": "course",
    "lab": "results", "no_lab": "results", "drug": "meds", "no_drug": "meds",
    "vital": "vitals", "output": "io",
}  # fmt: skip
_DENIALS: Final = ("no_lab", "no_drug", "no_diagnosis", "no_culture")


class Note(NamedTuple):
    """A rendered note, its claims in tag order, and the tags made inconsistent."""

    text: str
    claims: list[Claim]
    wrong: list[str]
    stay: int | None


def _plan(note: str, rng: random.Random, adm: Admission, stay: IcuStay | None) -> list[str]:
    if note == "discharge":
        slots = ["admit", "discharge", *["diagnosis"] * rng.randint(2, 4)]
        slots += ["no_diagnosis"] * (rng.random() < 0.5)
        slots += ["icu"] * bool(adm.stays) + ["culture"] * (
            bool(adm.cultures) and rng.random() < 0.6
        )
        slots += ["procedure"] * (rng.randint(0, 2) if adm.procedures else 0)
        slots += ["no_culture"] * (rng.random() < 0.3)
        slots += ["lab"] * rng.randint(2, 4) + ["no_lab"] * (rng.random() < 0.5)
        slots += ["drug"] * rng.randint(2, 4) + ["no_drug"] * (rng.random() < 0.5)
    else:
        assert stay is not None
        slots = ["vital"] * rng.randint(3, 5) + ["output"] * (
            rng.randint(0, 2) if stay.outputs else 0
        )
        slots += (
            ["lab"] * rng.randint(1, 3)
            + ["drug"] * rng.randint(1, 2)
            + ["icu"] * (rng.random() < 0.4)
        )
        slots += rng.sample(("no_lab", "no_drug", "no_culture"), rng.randint(1, 2))
    if not any(s in _DENIALS for s in slots):
        slots.append(rng.choice(("no_lab", "no_drug")))
    return slots


def _modes(note: str, mode: str, slots: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """Each slot with its mode: ``mode`` for 1-3 eligible slots, ``ok``/``neg`` for the rest."""
    k = rng.choices((1, 2, 3), (0.5, 0.35, 0.15))[0]
    eligible = _ELIGIBLE[note][mode]
    if mode == "extra":
        slots = slots + [rng.choice(eligible) for _ in range(k)]
        marked = set(range(len(slots) - k, len(slots)))
    else:
        while sum(s in eligible for s in slots) < k + 1:  # keep a consistent one of the same kind
            slots.append(rng.choice(eligible))
        marked = set(rng.sample([i for i, s in enumerate(slots) if s in eligible], k))
    return [
        (s, mode if i in marked else "neg" if s in _DENIALS else "ok") for i, s in enumerate(slots)
    ]


def _shift(rng: random.Random, adm: Admission) -> tuple[IcuStay, tuple[str, str]] | None:
    import datetime as dt

    stays = [s for s in adm.stays if len(s.vitals) >= 4]
    for _ in range(6):
        if not stays:
            return None
        stay = rng.choice(stays)
        anchor = dt.datetime.fromisoformat(rng.choice(stay.vitals).time)
        start = anchor.replace(minute=0) - dt.timedelta(hours=rng.randint(0, 5))
        window = (
            start.strftime("%Y-%m-%d %H:%M"),
            (start + dt.timedelta(hours=12)).strftime("%Y-%m-%d %H:%M"),
        )
        if sum(window[0] <= v.time < window[1] for v in stay.vitals) >= 3:
            return stay, window
    return None


def compose(category: str, adm: Admission, catalog: Catalog, rng: random.Random) -> Note | None:
    """One note of ``category`` about ``adm``, or ``None`` when the admission cannot carry it."""
    note, mode = category.split("_", 1)
    stay: IcuStay | None = None
    window: tuple[str, str] | None = None
    if note == "nursing":
        found = _shift(rng, adm)
        if found is None:
            return None
        stay, window = found
    elif adm.disch is None or len(adm.labs) < 3 or len(adm.drugs) < 2:
        return None
    ctx = Context(adm=adm, catalog=catalog, rng=rng, stay=stay, window=window)
    made: list[tuple[str, str, Draft]] = []
    for slot, slot_mode in _modes(note, mode, _plan(note, rng, adm, stay), rng):
        draft = MAKERS[slot](ctx, slot_mode)
        if draft is not None:
            made.append((slot, slot_mode, draft))
    if not any(m == mode for _, m, _ in made):
        return None
    eligible = _ELIGIBLE[note][mode]
    if mode != "extra" and not any(m != mode and slot in eligible for slot, m, _ in made):
        return None  # keep a consistent mention of the kind the mode changes
    return _render(note, adm, stay, window, made, rng)


def _render(
    note: str,
    adm: Admission,
    stay: IcuStay | None,
    window: tuple[str, str] | None,
    made: list[tuple[str, str, Draft]],
    rng: random.Random,
) -> Note:
    order = ("header", "history", "course", "results", "meds") if note == "discharge" else (
        "vitals", "io", "results", "meds", "course")  # fmt: skip
    sections: dict[str, list[tuple[str, Draft]]] = {name: [] for name in order}
    for slot, slot_mode, draft in made:
        section = _SECTION[slot]
        if note == "nursing" and section not in order:
            section = "course"
        sections[section].append((slot_mode, draft))
    for items_ in sections.values():
        rng.shuffle(items_)  # no position marks an injected mention
    claims: list[Claim] = []
    wrong: list[str] = []
    lines = [rng.choice(_TITLES[note])]
    if note == "discharge":
        lines.append(rng.choice(_IDS_DISCHARGE).format(subject=adm.subject_id, hadm=adm.hadm_id))
    else:
        assert stay is not None and window is not None
        lines.append(
            rng.choice(_IDS_NURSING).format(
                subject=adm.subject_id,
                hadm=adm.hadm_id,
                stay=stay.icustay_id,
                start=window[0],
                end=window[1],
            )
        )
    for name in order:
        items = []
        for slot_mode, draft in sections[name]:
            eid = f"E{len(claims) + 1}"
            claims.append(Claim(eid, draft.kind, draft.negated, draft.params))
            if slot_mode not in ("ok", "neg"):
                wrong.append(eid)
            items.append(f"{phrase(rng, draft.kind, draft.negated, draft.show)} [{eid}]")
        if items:
            lines.append(_section(rng, name, items))
    lines.append(rng.choice(_CLOSINGS[note]))
    text = "\n".join(line for line in lines if line)
    return Note(text, claims, wrong, None if stay is None else stay.icustay_id)


def _section(rng: random.Random, name: str, items: list[str]) -> str:
    head = rng.choice(_HEADINGS[name])
    if name == "meds" and rng.random() < 0.6:
        return head + "\n" + "\n".join(f"- {item}" for item in items)
    joiner = rng.choice(("; ", ". ")) if name in ("course", "header") else "; "
    return f"{head} {joiner.join(items)}." if head else joiner.join(items) + "."


_TITLES: Final = {
    "discharge": ("DISCHARGE SUMMARY", "Discharge Summary", "DISCHARGE SUMMARY - FINAL"),
    "nursing": ("NURSING PROGRESS NOTE", "ICU Nursing Note", "Nursing shift note (ICU)"),
}
_IDS_DISCHARGE: Final = (
    "Patient {subject}, admission {hadm}.",
    "Subject ID {subject} / HADM ID {hadm}.",
    "Admission {hadm} of subject {subject}.",
)
_IDS_NURSING: Final = (
    "Subject {subject}, admission {hadm}, ICU stay {stay}; shift {start} to {end}.",
    "ICU stay {stay} (admission {hadm}, subject {subject}). Shift from {start} until {end}.",
)
_HEADINGS: Final = {
    "header": ("", "Dates:"),
    "history": ("Past medical history:", "PMH:", "History:", "Diagnoses:"),
    "course": ("Hospital course:", "Course:", "Events:", "Other:"),
    "results": ("Pertinent results:", "Labs:", "Lab results:"),
    "meds": ("Medications:", "Meds:", "Medication list:"),
    "vitals": ("Vital signs:", "VS:", "Hemodynamics and respiratory:"),
    "io": ("I/O:", "Outputs:", "Intake/output:"),
}
_CLOSINGS: Final = {
    "discharge": (
        "Follow-up with primary care as scheduled.",
        "Instructions reviewed with the patient.",
        "",
    ),
    "nursing": (
        "Plan: continue to monitor.",
        "Will continue current plan of care.",
        "Report given to oncoming RN.",
    ),
}


# -- wording -----------------------------------------------------------------------------

ABBREVIATIONS: Final = {"heart rate": "HR", "respiratory rate": "RR"}


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
