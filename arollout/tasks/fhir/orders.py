"""What a write task must leave on the server, and the check of it.

A write task's expectation is a list of plain dicts in ``Task.meta["expect"]``
(JSON-able, so tasks stay plain data): one per resource the episode must
create. :func:`problems` compares them with everything the episode created:
the counts must be equal and the created resources must match the expected
ones one to one, so a missing order, an extra order, a duplicate, a wrong
patient, code, dose, route, duration, priority, time or note all fail. Fields
an expectation does not name (a ``display``, a ``requester``) are free.

Kinds:

* ``bp``: an Observation, status ``final``, category ``vital-signs``, LOINC
  85354-9, effective now, components 8480-6 and 8462-4 in mmHg;
* ``medication``: a MedicationRequest, ``active``/``order``, an RxNorm code,
  authored now, ``dosageInstruction[0]`` with ``route.text``, a
  ``doseAndRate[0].doseQuantity`` and, for infusions,
  ``timing.repeat.duration`` in hours;
* ``service``: a ServiceRequest, ``active``/``order``, a coded test or
  referral, a ``priority``, authored now, optionally ``occurrenceDateTime``
  and a note whose text must equal the given one (whitespace aside).
"""

from __future__ import annotations

import itertools
from typing import Any, Final

from arollout.tasks.fhir import codes
from arollout.tasks.fhir.fhirtime import FhirTimeError, parse_range
from arollout.tasks.fhir.generator import bp_observation

__all__ = ("bp", "medication", "mismatch", "problems", "resource_for", "service")

Resource = dict[str, Any]
_MMHG: Final = ("mmhg", "mm[hg]")
_DOSE_TOL: Final = 1e-6


def bp(pid: str, systolic: int, diastolic: int) -> dict[str, Any]:
    return {"kind": "bp", "patient": pid, "systolic": systolic, "diastolic": diastolic}


def medication(
    pid: str, rxnorm: str, route: str, dose: float, unit: str, hours: float | None
) -> dict[str, Any]:
    return {
        "kind": "medication", "patient": pid, "rxnorm": rxnorm, "route": route,
        "dose": dose, "unit": unit, "hours": hours,
    }  # fmt: skip


def service(
    pid: str,
    system: str,
    code: str,
    priority: str,
    *,
    occurrence: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    return {
        "kind": "service", "patient": pid, "system": system, "code": code,
        "priority": priority, "occurrence": occurrence, "note": note,
    }  # fmt: skip


def _get(value: Any, *path: Any) -> Any:
    for key in path:
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and len(value) > key else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
    return value


def _has_coding(concept: Any, system: str, code: str) -> bool:
    codings = _get(concept, "coding")
    return isinstance(codings, list) and any(
        isinstance(c, dict) and c.get("system") == system and c.get("code") == code for c in codings
    )


def _same_instant(value: Any, expected: str) -> bool:
    try:
        return parse_range(value, require_zone=True)[0] == parse_range(expected)[0]
    except (FhirTimeError, AttributeError, TypeError):
        return False


def _close(value: Any, expected: float) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value - expected) <= _DOSE_TOL
    )


def _common(spec: dict[str, Any], resource: Resource, rtype: str, out: list[str]) -> None:
    if resource.get("resourceType") != rtype:
        out.append(f"a {rtype} was expected, not a {resource.get('resourceType')}")
    if _get(resource, "subject", "reference") != f"Patient/{spec['patient']}":
        out.append("it is for the wrong patient")


def _check_bp(spec: dict[str, Any], r: Resource, out: list[str]) -> None:
    _common(spec, r, "Observation", out)
    if r.get("status") != "final":
        out.append("status is not final")
    if not _has_coding(r.get("code"), codes.LOINC, codes.BP_PANEL.code):
        out.append("code is not the blood-pressure panel")
    if not any(
        _has_coding(c, codes.OBSERVATION_CATEGORY, "vital-signs") for c in r.get("category") or ()
    ):
        out.append("category is not vital-signs")
    if not _same_instant(r.get("effectiveDateTime"), codes.NOW_TEXT):
        out.append("effectiveDateTime is not now")
    for part, key in ((codes.BP_SYSTOLIC, "systolic"), (codes.BP_DIASTOLIC, "diastolic")):
        found = [
            c
            for c in r.get("component") or ()
            if _has_coding(_get(c, "code"), codes.LOINC, part.code)
        ]
        quantity = _get(found, 0, "valueQuantity")
        if len(found) != 1 or not _close(_get(quantity, "value"), spec[key]):
            out.append(f"the {key} component is wrong or missing")
        elif str(_get(quantity, "unit") or _get(quantity, "code")).lower() not in _MMHG:
            out.append(f"the {key} unit is not mmHg")


def _check_medication(spec: dict[str, Any], r: Resource, out: list[str]) -> None:
    _common(spec, r, "MedicationRequest", out)
    if (r.get("status"), r.get("intent")) != ("active", "order"):
        out.append("status/intent are not active/order")
    if not _has_coding(r.get("medicationCodeableConcept"), codes.RXNORM, spec["rxnorm"]):
        out.append("the medication code is wrong")
    if not _same_instant(r.get("authoredOn"), codes.NOW_TEXT):
        out.append("authoredOn is not now")
    dosage = _get(r, "dosageInstruction", 0)
    if str(_get(dosage, "route", "text")).strip().casefold() != spec["route"].casefold():
        out.append("the route is wrong")
    dose = _get(dosage, "doseAndRate", 0, "doseQuantity")
    if not _close(_get(dose, "value"), spec["dose"]):
        out.append("the dose is wrong")
    if str(_get(dose, "unit")).strip().casefold() != spec["unit"].casefold():
        out.append("the dose unit is wrong")
    if spec["hours"] is not None:
        repeat = _get(dosage, "timing", "repeat")
        if (
            not _close(_get(repeat, "duration"), spec["hours"])
            or _get(repeat, "durationUnit") != "h"
        ):
            out.append("the infusion duration is wrong")


def _check_service(spec: dict[str, Any], r: Resource, out: list[str]) -> None:
    _common(spec, r, "ServiceRequest", out)
    if (r.get("status"), r.get("intent")) != ("active", "order"):
        out.append("status/intent are not active/order")
    if not _has_coding(r.get("code"), spec["system"], spec["code"]):
        out.append("the code is wrong")
    if r.get("priority") != spec["priority"]:
        out.append("the priority is wrong")
    if not _same_instant(r.get("authoredOn"), codes.NOW_TEXT):
        out.append("authoredOn is not now")
    if spec["occurrence"] is not None and not _same_instant(
        r.get("occurrenceDateTime"), spec["occurrence"]
    ):
        out.append("occurrenceDateTime is wrong")
    if spec["note"] is not None:
        wanted = " ".join(spec["note"].split())
        texts = [
            " ".join(str(_get(n, "text")).split())
            for n in r.get("note") or ()
            if isinstance(n, dict)
        ]
        if wanted not in texts:
            out.append("the note text is wrong")


_CHECKS: Final = {"bp": _check_bp, "medication": _check_medication, "service": _check_service}


def mismatch(spec: dict[str, Any], resource: Resource) -> list[str]:
    """Why ``resource`` does not fulfil ``spec`` (empty: it does)."""
    out: list[str] = []
    _CHECKS[spec["kind"]](spec, resource, out)
    return out


def problems(expected: list[dict[str, Any]], created: list[Resource]) -> list[str]:
    """Why the episode's writes are not what ``expected`` asks for (empty: they are)."""
    if len(created) != len(expected):
        return [f"{len(expected)} new resource(s) expected, the episode created {len(created)}"]
    best: list[str] | None = None
    for order in itertools.permutations(created):
        found = [p for spec, res in zip(expected, order, strict=True) for p in mismatch(spec, res)]
        if not found:
            return []
        if best is None or len(found) < len(best):
            best = found
    return best or []


def resource_for(spec: dict[str, Any]) -> Resource:
    """A resource that fulfils ``spec`` exactly (for wrong-order probes and tests)."""
    subject = {"reference": f"Patient/{spec['patient']}"}
    if spec["kind"] == "bp":
        body = bp_observation(
            spec["patient"], "", codes.NOW_TEXT, spec["systolic"], spec["diastolic"]
        )
        del body["id"]
        return body
    if spec["kind"] == "medication":
        dosage: dict[str, Any] = {
            "route": {"text": spec["route"]},
            "doseAndRate": [{"doseQuantity": {"value": spec["dose"], "unit": spec["unit"]}}],
        }
        if spec["hours"] is not None:
            dosage["timing"] = {"repeat": {"duration": spec["hours"], "durationUnit": "h"}}
        return {
            "resourceType": "MedicationRequest",
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": {
                "coding": [{"system": codes.RXNORM, "code": spec["rxnorm"]}]
            },
            "subject": subject,
            "authoredOn": codes.NOW_TEXT,
            "dosageInstruction": [dosage],
        }
    body = {
        "resourceType": "ServiceRequest",
        "status": "active",
        "intent": "order",
        "priority": spec["priority"],
        "code": {"coding": [{"system": spec["system"], "code": spec["code"]}]},
        "subject": subject,
        "authoredOn": codes.NOW_TEXT,
    }
    if spec["occurrence"] is not None:
        body["occurrenceDateTime"] = spec["occurrence"]
    if spec["note"] is not None:
        body["note"] = [{"text": spec["note"]}]
    return body
