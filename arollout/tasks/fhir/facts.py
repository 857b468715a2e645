"""Reading the population the way the gold answers need it (host side, no server).

Gold answers are computed here from the same resources the server serves,
with plain Python instead of the search code, so the oracle check (reference
solutions that *do* use the server's search) tests the server against an
independent reading of the data.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, NamedTuple

from arollout.tasks.fhir import codes
from arollout.tasks.fhir.fhirtime import parse_instant

if TYPE_CHECKING:
    from arollout.tasks.fhir.store import BaseStore

__all__ = ("Person", "Point", "age_at", "bp_series", "coded", "first_by_id", "people", "series")

Resource = dict[str, Any]


class Person(NamedTuple):
    """What the templates need to know about a patient."""

    pid: str
    mrn: str
    given: str
    family: str
    birth: dt.date
    resource: Resource


class Point(NamedTuple):
    """One timed result (``value`` may be a number, a pair or a resource)."""

    when: dt.datetime
    value: Any
    resource: Resource


def people(store: BaseStore) -> list[Person]:
    """Every patient, in id order."""
    out = []
    for p in store.of_type("Patient"):
        name = p["name"][0]
        mrn = next(i["value"] for i in p["identifier"] if i.get("system") == codes.MRN_SYSTEM)
        out.append(
            Person(
                p["id"],
                mrn,
                name["given"][0],
                name["family"],
                dt.date.fromisoformat(p["birthDate"]),
                p,
            )
        )
    return out


def coded(resource: Resource, key: str, system: str) -> list[str]:
    """The codes of ``resource[key]`` (a CodeableConcept) from ``system``."""
    concept = resource.get(key) or {}
    return [c["code"] for c in concept.get("coding", ()) if c.get("system") == system]


def series(store: BaseStore, pid: str, loinc: str) -> list[Point]:
    """The patient's results for one LOINC code, oldest first."""
    out = [
        Point(parse_instant(o["effectiveDateTime"]), o["valueQuantity"]["value"], o)
        for o in store.of_patient("Observation", pid)
        if loinc in coded(o, "code", codes.LOINC) and "valueQuantity" in o
    ]
    return sorted(out, key=lambda p: p.when)


def bp_series(store: BaseStore, pid: str) -> list[Point]:
    """The patient's blood-pressure panels as ``(systolic, diastolic)``, oldest first."""
    out = []
    for o in store.of_patient("Observation", pid):
        if codes.BP_PANEL.code not in coded(o, "code", codes.LOINC):
            continue
        parts = {
            coded(c, "code", codes.LOINC)[0]: c["valueQuantity"]["value"] for c in o["component"]
        }
        pair = (parts[codes.BP_SYSTOLIC.code], parts[codes.BP_DIASTOLIC.code])
        out.append(Point(parse_instant(o["effectiveDateTime"]), pair, o))
    return sorted(out, key=lambda p: p.when)


def first_by_id(points: list[Point]) -> Point:
    """The point a client gets first when it does not sort (the server's default order)."""
    return min(points, key=lambda p: str(p.resource["id"]))


def age_at(birth: dt.date, moment: dt.datetime) -> int:
    """Completed years at ``moment`` (UTC)."""
    day = moment.astimezone(dt.UTC).date()
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
