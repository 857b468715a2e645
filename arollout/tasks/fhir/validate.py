"""Basic validation of posted resources (R4 structure, required fields, references).

This is not a full profile validator (no ``fhir.resources`` on the hot path):
it enforces what a real server would refuse and what the graders rely on,
and reports every problem at once so the agent can fix its payload in one go:

* the body is a JSON object whose ``resourceType`` is the URL's type, one of
  the writable types :data:`WRITABLE`;
* the type's required elements (R4 cardinality 1..1): ``status`` and ``code``
  for Observation, ``status``, ``intent`` and a medication for
  MedicationRequest, ``status`` and ``intent`` for ServiceRequest, and
  ``subject`` everywhere, referencing a Patient that exists;
* codes from required bindings (``status``, ``intent``, ``priority``) are from
  their R4 value sets;
* datatypes: CodeableConcept, Quantity, Annotation lists (R4 ``note`` is
  ``Annotation[]``, not an object), ``dateTime`` values with a time carry a
  time zone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.fhir.fhirtime import FhirTimeError, parse_range

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ("WRITABLE", "validate")

WRITABLE: Final = ("Observation", "MedicationRequest", "ServiceRequest")

_STATUS: Final = {
    "Observation": (
        "registered", "preliminary", "final", "amended", "corrected", "cancelled",
        "entered-in-error", "unknown",
    ),
    "MedicationRequest": (
        "active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft",
        "unknown",
    ),
    "ServiceRequest": (
        "draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown",
    ),
}  # fmt: skip
_INTENT: Final = {
    "MedicationRequest": (
        "proposal", "plan", "order", "original-order", "reflex-order", "filler-order",
        "instance-order", "option",
    ),
    "ServiceRequest": (
        "proposal", "plan", "directive", "order", "original-order", "reflex-order",
        "filler-order", "instance-order", "option",
    ),
}  # fmt: skip
_PRIORITY: Final = ("routine", "urgent", "asap", "stat")
_DATETIMES: Final = (
    "effectiveDateTime", "issued", "authoredOn", "occurrenceDateTime", "performedDateTime",
)  # fmt: skip


def _concept(where: str, value: Any, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{where} must be a CodeableConcept object")
        return
    codings = value.get("coding", [])
    if not isinstance(codings, list) or not all(isinstance(c, dict) for c in codings):
        problems.append(f"{where}.coding must be a list of Coding objects")
        return
    problems.extend(
        f"{where}.coding[{i}].{key} must be a string"
        for i, coding in enumerate(codings)
        for key in ("system", "code", "display")
        if key in coding and not isinstance(coding[key], str)
    )
    if not codings and not isinstance(value.get("text"), str):
        problems.append(f"{where} needs a coding or a text")


def _quantity(where: str, value: Any, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{where} must be a Quantity object")
        return
    number = value.get("value")
    if isinstance(number, bool) or not isinstance(number, int | float):
        problems.append(f"{where}.value must be a number")
    problems.extend(
        f"{where}.{key} must be a string"
        for key in ("unit", "system", "code")
        if key in value and not isinstance(value[key], str)
    )


def _choice(where: str, value: Any, allowed: tuple[str, ...], problems: list[str]) -> None:
    if value not in allowed:
        problems.append(f"{where} must be one of {', '.join(allowed)}; got {value!r}")


def _observation(body: dict[str, Any], problems: list[str]) -> None:
    if "code" not in body:
        problems.append("Observation.code is required")
    else:
        _concept("code", body["code"], problems)
    categories = body.get("category", [])
    if not isinstance(categories, list):
        problems.append("category must be a list of CodeableConcepts")
    else:
        for i, item in enumerate(categories):
            _concept(f"category[{i}]", item, problems)
    if "valueQuantity" in body:
        _quantity("valueQuantity", body["valueQuantity"], problems)
    components = body.get("component", [])
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        problems.append("component must be a list of objects")
        return
    for i, comp in enumerate(components):
        if "code" not in comp:
            problems.append(f"component[{i}].code is required")
        else:
            _concept(f"component[{i}].code", comp["code"], problems)
        if "valueQuantity" in comp:
            _quantity(f"component[{i}].valueQuantity", comp["valueQuantity"], problems)


def _medication(body: dict[str, Any], problems: list[str]) -> None:
    _choice("intent", body.get("intent"), _INTENT["MedicationRequest"], problems)
    if "medicationCodeableConcept" in body:
        _concept("medicationCodeableConcept", body["medicationCodeableConcept"], problems)
    elif not isinstance(body.get("medicationReference"), dict):
        problems.append("a medicationCodeableConcept (or medicationReference) is required")
    dosages = body.get("dosageInstruction", [])
    if not isinstance(dosages, list) or not all(isinstance(d, dict) for d in dosages):
        problems.append("dosageInstruction must be a list of Dosage objects")
        return
    for i, dosage in enumerate(dosages):
        if "route" in dosage:
            _concept(f"dosageInstruction[{i}].route", dosage["route"], problems)
        rates = dosage.get("doseAndRate", [])
        if not isinstance(rates, list) or not all(isinstance(r, dict) for r in rates):
            problems.append(f"dosageInstruction[{i}].doseAndRate must be a list of objects")
            continue
        for j, rate in enumerate(rates):
            for key in ("doseQuantity", "rateQuantity"):
                if key in rate:
                    _quantity(f"dosageInstruction[{i}].doseAndRate[{j}].{key}", rate[key], problems)


def _service(body: dict[str, Any], problems: list[str]) -> None:
    _choice("intent", body.get("intent"), _INTENT["ServiceRequest"], problems)
    if "priority" in body:
        _choice("priority", body["priority"], _PRIORITY, problems)
    if "code" in body:
        _concept("code", body["code"], problems)


def _notes(body: dict[str, Any], problems: list[str]) -> None:
    if "note" not in body:
        return
    notes = body["note"]
    if not isinstance(notes, list):
        problems.append('note must be a list of Annotations, e.g. "note": [{"text": "..."}]')
    elif not all(isinstance(n, dict) and isinstance(n.get("text"), str) for n in notes):
        problems.append("every note must be an object with a text string")


def validate(resource_type: str, body: Any, patient_exists: Callable[[str], bool]) -> list[str]:
    """Every problem with ``body`` as a new ``resource_type`` (empty: acceptable)."""
    if resource_type not in WRITABLE:
        return [f"{resource_type} cannot be created here; writable types: {', '.join(WRITABLE)}"]
    if not isinstance(body, dict):
        return ["the body must be a JSON object (a FHIR resource)"]
    problems: list[str] = []
    if body.get("resourceType") != resource_type:
        problems.append(f"resourceType must be {resource_type!r}, got {body.get('resourceType')!r}")
    _choice("status", body.get("status"), _STATUS[resource_type], problems)
    subject = body.get("subject")
    ref = subject.get("reference") if isinstance(subject, dict) else None
    if not isinstance(ref, str):
        problems.append('subject is required: {"reference": "Patient/<id>"}')
    elif not ref.startswith("Patient/") or not patient_exists(ref.removeprefix("Patient/")):
        problems.append(f"subject.reference {ref!r} is not an existing Patient (use Patient/<id>)")
    for key in _DATETIMES:
        if key in body:
            try:
                parse_range(body[key], require_zone=True)
            except (FhirTimeError, AttributeError, TypeError):
                problems.append(
                    f"{key} must be a FHIR dateTime with a time zone, got {body[key]!r}"
                )
    {"Observation": _observation, "MedicationRequest": _medication, "ServiceRequest": _service}[
        resource_type
    ](body, problems)
    _notes(body, problems)
    return problems
