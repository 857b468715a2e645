"""A seeded synthetic population as FHIR R4 resources.

Each patient is drawn from its own ``random.Random`` (seeded by the suite
seed and the patient's index), so a larger population extends a smaller one
instead of reshuffling it, and the same seed always gives the same resources
byte for byte. The data are shaped for the task types: the last magnesium
result is usually from the last 24 hours and spread over the dosing bands,
potassium is low for a little over half of the patients, the last HbA1c is
recent for about half and more than a year old for the other half, glucose
values cluster in the last days so that time windows cut through them, and
some patients share a name (a name alone does not identify them).

Times are UTC at minute resolution and never tie within one patient's series
of one code, so "the most recent" is always well defined. Resource ids are
opaque random hex (a patient's id is not its MRN), and the server's default
result order is by id, so nothing is "latest first" unless asked for.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Final

from arollout.tasks.fhir import codes
from arollout.tasks.fhir.fhirtime import format_instant

__all__ = ("GENERATOR_VERSION", "bp_observation", "generate")

GENERATOR_VERSION: Final = 1
"""Bump whenever generated resources change (task ids and caches depend on it)."""

_GIVEN: Final = {
    "female": (
        "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
        "Sarah", "Karen", "Nancy", "Lisa", "Margaret", "Sandra", "Ashley", "Emily", "Donna",
        "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Laura", "Rebecca", "Sharon",
        "Cynthia", "Kathleen", "Amy", "Angela", "Helen", "Anna", "Brenda", "Pamela", "Nicole",
    ),
    "male": (
        "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
        "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Paul", "Andrew",
        "Joshua", "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald", "Edward", "Jason",
        "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric", "Jonathan",
    ),
}  # fmt: skip
_FAMILY: Final = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
)  # fmt: skip
_NAMESAKE_RATE: Final = 0.12
_NOW: Final = codes.NOW

Resource = dict[str, Any]


def _hex_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(48):012x}"


def _ref(pid: str) -> dict[str, str]:
    return {"reference": f"Patient/{pid}"}


def _concept(*codings: tuple[str, str, str], text: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "coding": [{"system": s, "code": c, "display": d} for s, c, d in codings]
    }
    if text is not None:
        out["text"] = text
    return out


def _times(
    rng: random.Random, latest: dt.datetime, n: int, gap_h: tuple[float, float]
) -> list[dt.datetime]:
    """``n`` distinct minute-resolution times, the newest at ``latest``, going back in gaps."""
    out = [latest.replace(second=0, microsecond=0)]
    while len(out) < n:
        step = dt.timedelta(minutes=max(1, round(rng.uniform(*gap_h) * 60)))
        out.append(out[-1] - step)
    return out


def _band(rng: random.Random, bands: tuple[tuple[float, float, float], ...]) -> float:
    """A value from one of ``(weight, low, high)`` bands, at one decimal."""
    pick = rng.random() * sum(w for w, _, _ in bands)
    for weight, low, high in bands:
        if pick < weight:
            return round(rng.uniform(low, high), 1)
        pick -= weight
    raise AssertionError("unreachable")  # pragma: no cover


def _lab_observations(rng: random.Random, pid: str, alias: str) -> list[Resource]:
    item = codes.lab(alias)
    hours = rng.uniform(0.5, 23.5)
    if alias == "MG":
        if rng.random() > 0.85:
            hours = rng.uniform(30, 24 * 30)
        times = _times(rng, _NOW - dt.timedelta(hours=hours), rng.randint(2, 6), (8, 24 * 40))
        first = _band(rng, ((0.3, 2.0, 2.6), (0.3, 1.5, 1.9), (0.2, 1.0, 1.4), (0.2, 0.5, 0.9)))
        values = [first] + [round(rng.uniform(1.2, 2.6), 1) for _ in times[1:]]
    elif alias == "K":
        times = _times(
            rng, _NOW - dt.timedelta(hours=rng.uniform(1, 72)), rng.randint(2, 6), (12, 24 * 20)
        )
        first = _band(rng, ((0.42, 3.5, 5.0), (0.58, 2.5, 3.4)))
        values = [first] + [round(rng.uniform(2.8, 5.2), 1) for _ in times[1:]]
    elif alias == "GLU":
        times = _times(
            rng, _NOW - dt.timedelta(hours=rng.uniform(0.3, 6)), rng.randint(5, 14), (2, 20)
        )
        values = [float(rng.randint(65, 320)) for _ in times]
    else:  # A1C: about half fresh, half more than a year old
        days = rng.uniform(10, 350) if rng.random() < 0.5 else rng.uniform(380, 1500)
        times = _times(rng, _NOW - dt.timedelta(days=days), rng.randint(1, 4), (24 * 90, 24 * 400))
        values = [round(rng.uniform(4.8, 11.5), 1) for _ in times]
    return [
        {
            "resourceType": "Observation",
            "id": _hex_id(rng),
            "status": "final",
            "category": [_concept((codes.OBSERVATION_CATEGORY, "laboratory", "Laboratory"))],
            "code": _concept(
                (codes.LOINC, item.loinc, item.display),
                (codes.LOCAL, item.alias, item.name),
                text=item.name,
            ),
            "subject": _ref(pid),
            "effectiveDateTime": format_instant(when),
            "valueQuantity": {
                "value": value,
                "unit": item.unit,
                "system": "http://unitsofmeasure.org",
                "code": item.unit,
            },
        }
        for when, value in zip(times, values, strict=True)
    ]


def bp_observation(pid: str, rid: str, when: str, systolic: int, diastolic: int) -> Resource:
    """A blood-pressure panel in the shape the record-BP tasks ask the agent to post."""

    def component(code: codes.Code, value: int) -> dict[str, Any]:
        return {
            "code": _concept((code.system, code.code, code.display)),
            "valueQuantity": {
                "value": value,
                "unit": "mmHg",
                "system": "http://unitsofmeasure.org",
                "code": "mm[Hg]",
            },
        }

    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "category": [_concept((codes.OBSERVATION_CATEGORY, "vital-signs", "Vital Signs"))],
        "code": _concept(
            (codes.BP_PANEL.system, codes.BP_PANEL.code, codes.BP_PANEL.display),
            (codes.LOCAL, "BP", "blood pressure"),
            text="blood pressure",
        ),
        "subject": _ref(pid),
        "effectiveDateTime": when,
        "component": [
            component(codes.BP_SYSTOLIC, systolic),
            component(codes.BP_DIASTOLIC, diastolic),
        ],
    }


def _patient(rng: random.Random, index: int, earlier: list[Resource], mrns: set[str]) -> Resource:
    gender = rng.choice(("female", "male"))
    given, family = rng.choice(_GIVEN[gender]), rng.choice(_FAMILY)
    same = [p for p in earlier if p["gender"] == gender]
    if same and rng.random() < _NAMESAKE_RATE:
        name = rng.choice(same)["name"][0]
        given, family = name["given"][0], name["family"]
    if rng.random() < 0.1:  # a birthday next to "now" makes the age question bite
        born = dt.date(rng.randint(1936, 2002), 11, rng.randint(11, 16))
    else:
        born = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randint(0, 25_000))
    while True:
        mrn = f"S{rng.randint(1_000_000, 9_999_999)}"
        if mrn not in mrns:
            mrns.add(mrn)
            break
    return {
        "resourceType": "Patient",
        "id": _hex_id(rng),
        "identifier": [
            {
                "type": {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}
                    ]
                },
                "system": codes.MRN_SYSTEM,
                "value": mrn,
            }
        ],
        "name": [{"use": "official", "family": family, "given": [given]}],
        "gender": gender,
        "birthDate": born.isoformat(),
    }


def _clinical(rng: random.Random, pid: str) -> list[Resource]:
    out: list[Resource] = []
    for _ in range(rng.randint(2, 9)):
        systolic = rng.randint(96, 182)
        diastolic = rng.randint(56, min(108, systolic - 25))
        out.append(bp_observation(pid, _hex_id(rng), "", systolic, diastolic))
    bp_times = _times(
        rng, _NOW - dt.timedelta(hours=rng.uniform(2, 24 * 60)), len(out), (24, 24 * 120)
    )
    for resource, when in zip(out, bp_times, strict=True):
        resource["effectiveDateTime"] = format_instant(when)
    for code, display, chronic in rng.sample(codes.CONDITIONS, rng.randint(1, 6)):
        active = rng.random() < (0.85 if chronic else 0.2)
        status = "active" if active else "resolved"
        onset = _NOW - dt.timedelta(days=rng.randint(30, 7000), minutes=rng.randint(0, 1439))
        out.append(
            {
                "resourceType": "Condition",
                "id": _hex_id(rng),
                "clinicalStatus": _concept((codes.CONDITION_CLINICAL, status, status.title())),
                "category": [
                    _concept(
                        (
                            "http://terminology.hl7.org/CodeSystem/condition-category",
                            "problem-list-item",
                            "Problem List Item",
                        )
                    )
                ],
                "code": _concept((codes.ICD10, code, display), text=display),
                "subject": _ref(pid),
                "onsetDateTime": format_instant(onset),
            }
        )
    for _ in range(rng.randint(1, 7)):
        rxnorm, name = rng.choice(codes.MEDICATIONS)
        status = rng.choices(("active", "stopped", "completed"), (0.6, 0.25, 0.15))[0]
        authored = _NOW - dt.timedelta(days=rng.randint(1, 1800), minutes=rng.randint(0, 1439))
        out.append(
            {
                "resourceType": "MedicationRequest",
                "id": _hex_id(rng),
                "status": status,
                "intent": "order",
                "medicationCodeableConcept": _concept((codes.RXNORM, rxnorm, name), text=name),
                "subject": _ref(pid),
                "authoredOn": format_instant(authored),
            }
        )
    count = rng.randint(0, 6)
    when = _NOW - dt.timedelta(days=rng.uniform(3, 400))
    for _ in range(count):
        proc = rng.choice(codes.PROCEDURES)
        out.append(
            {
                "resourceType": "Procedure",
                "id": _hex_id(rng),
                "status": "completed",
                "code": _concept((proc.system, proc.code, proc.display), text=proc.display),
                "subject": _ref(pid),
                "performedDateTime": format_instant(when.replace(second=0, microsecond=0)),
            }
        )
        when -= dt.timedelta(days=rng.uniform(2, 700))
    return out


def generate(seed: int, patients: int) -> list[Resource]:
    """Every resource of the population: patients first, then their records."""
    out: list[Resource] = []
    people: list[Resource] = []
    mrns: set[str] = set()
    ids: set[str] = set()
    for index in range(patients):
        rng = random.Random(f"arollout-fhir|{GENERATOR_VERSION}|{seed}|{index}")
        patient = _patient(rng, index, people, mrns)
        people.append(patient)
        pid = patient["id"]
        records = [
            *(r for alias in ("MG", "K", "GLU", "A1C") for r in _lab_observations(rng, pid, alias))
        ]
        if rng.random() < 0.1:  # no HbA1c on file at all
            records = [
                r for r in records if r["code"]["coding"][0]["code"] != codes.lab("A1C").loinc
            ]
        records += _clinical(rng, pid)
        for resource in (patient, *records):
            key = f"{resource['resourceType']}/{resource['id']}"
            if key in ids:  # 48 random bits: a clash is a bug worth hearing about
                raise AssertionError(f"duplicate generated id {key}")
            ids.add(key)
        out.append(patient)
        out.extend(records)
    return out
