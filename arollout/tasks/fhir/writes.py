"""Write task templates: graded by the server's state after the run.

Re-templated from MedAgentBench's order-entry tasks (stanfordmlgroup/MedAgentBench,
MIT): record a blood pressure, replace magnesium by dosing band, replace
potassium with a follow-up level the next morning, refer to a specialty, and
re-order a stale HbA1c. Unlike upstream, where a POST was never sent to a
server and payloads were substring-matched, the episode's own store is
checked: exactly the expected resources (kind, patient, codes, dose, timing,
priority, note), nothing else.

Every write task also has a printed answer the data decide (the lab value
the rule was applied to, or the patient's FHIR id), so an instance where the
rule says "order nothing" is not passed by a run that does nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from arollout.tasks.base import Answer
from arollout.tasks.fhir import codes, orders
from arollout.tasks.fhir.facts import series
from arollout.tasks.fhir.templates import NOW_LINE, Instance, lookup, solution

if TYPE_CHECKING:
    from collections.abc import Iterator

    from arollout.tasks.fhir.facts import Person
    from arollout.tasks.fhir.store import BaseStore
    from arollout.tasks.fhir.templates import Template

__all__ = ("NEXT_MORNING", "WRITES", "magnesium_dose", "potassium_dose")

NEXT_MORNING: Final = "2023-11-14T08:00:00+00:00"
"""When the follow-up potassium is drawn: 08:00 UTC the day after "now"."""
_YEAR_AGO: Final = codes.NOW - dt.timedelta(days=365)
_PRIORITIES: Final = ("routine", "urgent", "stat")
_REASONS: Final = {
    "orthopedic surgery": ("acute left knee pain after a fall", "right hip pain that limits walking",
                           "suspected rotator cuff tear of the right shoulder"),
    "cardiology": ("new exertional chest tightness", "palpitations with an irregular pulse",
                   "a murmur heard at the last visit"),
    "cardiac surgery": ("severe aortic stenosis on echocardiography",
                        "three-vessel coronary disease on angiography"),
    "the sleep apnea clinic": ("loud snoring with witnessed apneas", "daytime sleepiness and morning headaches"),
    "home health care": ("needs help with wound care after discharge",
                         "needs medication supervision at home after a fall"),
}  # fmt: skip
_PID_LINE: Final = "print(pid)"


def magnesium_dose(value: float) -> tuple[int, int] | None:
    """``(grams, hours)`` of IV magnesium sulfate for a result in mg/dL, or None."""
    if value >= 2.0:
        return None
    if value >= 1.5:
        return 1, 1
    return (2, 2) if value >= 1.0 else (4, 4)


def potassium_dose(value: float) -> int | None:
    """mEq of oral potassium chloride for a result in mmol/L (10 per 0.1 below 3.5), or None."""
    below = Decimal("3.5") - Decimal(str(value))
    return int(below * 100) if below > 0 else None


def record_bp(store: BaseStore, people: list[Person], rng: random.Random) -> Iterator[Instance]:
    for p in people:
        draw = random.Random(f"bp|{p.pid}")
        systolic = draw.randint(100, 176)
        diastolic = draw.randint(58, min(104, systolic - 25))
        question = (
            f"Record a blood pressure of {systolic}/{diastolic} mmHg for the patient with MRN {p.mrn}, "
            f"measured now ({codes.NOW_TEXT}): create an Observation in the blood-pressure format "
            "described in the instructions. Then print the patient's FHIR id (the id of the Patient "
            "resource, not the MRN)."
        )
        code = solution(
            NOW_LINE,
            lookup(p.mrn),
            "def part(code, value):",
            f"    return {{'code': {{'coding': [{{'system': '{codes.LOINC}', 'code': code}}]}},",
            "            'valueQuantity': {'value': value, 'unit': 'mmHg'}}",
            "fhir_post('Observation', {",
            "    'resourceType': 'Observation', 'status': 'final',",
            f"    'category': [{{'coding': [{{'system': '{codes.OBSERVATION_CATEGORY}', 'code': 'vital-signs'}}]}}],",
            f"    'code': {{'coding': [{{'system': '{codes.LOINC}', 'code': '{codes.BP_PANEL.code}'}}]}},",
            "    'subject': {'reference': 'Patient/' + pid}, 'effectiveDateTime': NOW,",
            f"    'component': [part('{codes.BP_SYSTOLIC.code}', {systolic}), "
            f"part('{codes.BP_DIASTOLIC.code}', {diastolic})],",
            "})",
            _PID_LINE,
        )
        expect = (orders.bp(p.pid, systolic, diastolic),)
        params = {"pid": p.pid, "systolic": systolic, "diastolic": diastolic}
        yield Instance(
            "record_bp", params, question, Answer(kind="text", value=p.pid), code, expect
        )


def _latest_block(loinc: str) -> str:
    return "\n".join(
        [
            f"found = fhir_get('Observation', patient=pid, code='{codes.LOINC}|{loinc}', _sort='-date', _count=1)",
            "value = found['entry'][0]['resource']['valueQuantity']['value']",
        ]
    )


def _medication_block(
    rxnorm: str, name: str, route: str, dose: str, unit: str, hours: str | None
) -> str:
    timing = (
        f", 'timing': {{'repeat': {{'duration': {hours}, 'durationUnit': 'h'}}}}" if hours else ""
    )
    return "\n".join(
        [
            "    fhir_post('MedicationRequest', {",
            "        'resourceType': 'MedicationRequest', 'status': 'active', 'intent': 'order',",
            f"        'medicationCodeableConcept': {{'coding': [{{'system': '{codes.RXNORM}', "
            f"'code': '{rxnorm}', 'display': '{name}'}}]}},",
            "        'subject': {'reference': 'Patient/' + pid}, 'authoredOn': NOW,",
            f"        'dosageInstruction': [{{'route': {{'text': '{route}'}}, "
            f"'doseAndRate': [{{'doseQuantity': {{'value': {dose}, 'unit': '{unit}'}}}}]{timing}}}],",
            "    })",
        ]
    )


def _service_block(
    system: str, code: str, priority: str, extra: str = "", indent: str = "    "
) -> str:
    return "\n".join(
        indent + line
        for line in [
            "fhir_post('ServiceRequest', {",
            "    'resourceType': 'ServiceRequest', 'status': 'active', 'intent': 'order',",
            f"    'priority': '{priority}', 'code': {{'coding': [{{'system': '{system}', 'code': '{code}'}}]}},",
            f"    'subject': {{'reference': 'Patient/' + pid}}, 'authoredOn': NOW,{extra}",
            "})",
        ]
    )


def magnesium(store: BaseStore, people: list[Person], rng: random.Random) -> Iterator[Instance]:
    item = codes.lab("MG")
    drug = codes.MAGNESIUM_SULFATE
    for p in people:
        points = series(store, p.pid, item.loinc)
        if not points or points[-1].when < codes.NOW - dt.timedelta(hours=24):
            continue
        value = float(points[-1].value)
        dose = magnesium_dose(value)
        question = (
            f"Check the most recent serum magnesium result (LOINC {item.loinc}) of the patient with "
            f"MRN {p.mrn}. If it is below 2.0 mg/dL, order intravenous magnesium sulfate (RxNorm "
            f"{drug.code}) as a MedicationRequest in the format described in the instructions, "
            "dosed by that result: from 1.5 up to (not including) 2.0 mg/dL give 1 g over 1 hour; "
            "from 1.0 up to 1.5 mg/dL give 2 g over 2 hours; below 1.0 mg/dL give 4 g over 4 hours. "
            "At 2.0 mg/dL or above, order nothing. Finally print the magnesium value you found, as "
            "a number in mg/dL."
        )
        code = solution(
            NOW_LINE,
            lookup(p.mrn),
            _latest_block(item.loinc),
            "if value < 2.0:",
            "    grams = 1 if value >= 1.5 else 2 if value >= 1.0 else 4",
            _medication_block(drug.code, drug.display, "IV", "grams", "g", "grams"),
            "print(value)",
        )
        expect = (
            ()
            if dose is None
            else (orders.medication(p.pid, drug.code, "IV", dose[0], "g", dose[1]),)
        )
        answer = Answer(kind="number", value=value)
        yield Instance("magnesium_replacement", {"pid": p.pid}, question, answer, code, expect)


def potassium(store: BaseStore, people: list[Person], rng: random.Random) -> Iterator[Instance]:
    item = codes.lab("K")
    drug = codes.POTASSIUM_CHLORIDE
    for p in people:
        points = series(store, p.pid, item.loinc)
        if not points:
            continue
        value = float(points[-1].value)
        dose = potassium_dose(value)
        question = (
            f"Check the most recent serum potassium result (LOINC {item.loinc}) of the patient with "
            f"MRN {p.mrn}. If it is below 3.5 mmol/L: (a) order oral potassium chloride (RxNorm "
            f"{drug.code}) as a MedicationRequest in the format described in the instructions, "
            "10 mEq for every 0.1 mmol/L below 3.5 (so 3.1 mmol/L means 40 mEq), route 'oral', "
            f"and (b) order a repeat serum potassium test (LOINC {item.loinc}) as a ServiceRequest "
            f"with priority 'stat' and occurrenceDateTime {NEXT_MORNING} (08:00 the next morning). "
            "At 3.5 mmol/L or above, order nothing. Finally print the potassium value you found, as "
            "a number in mmol/L."
        )
        code = solution(
            NOW_LINE,
            lookup(p.mrn),
            _latest_block(item.loinc),
            "if value < 3.5:",
            "    meq = round((3.5 - value) * 100)",
            _medication_block(drug.code, drug.display, "oral", "meq", "mEq", None),
            _service_block(
                codes.LOINC, item.loinc, "stat", f" 'occurrenceDateTime': {NEXT_MORNING!r},"
            ),
            "print(value)",
        )
        expect: tuple[dict[str, object], ...] = ()
        if dose is not None:
            expect = (
                orders.medication(p.pid, drug.code, "oral", dose, "mEq", None),
                orders.service(p.pid, codes.LOINC, item.loinc, "stat", occurrence=NEXT_MORNING),
            )
        answer = Answer(kind="number", value=value)
        yield Instance("potassium_replacement", {"pid": p.pid}, question, answer, code, expect)


def referral(store: BaseStore, people: list[Person], rng: random.Random) -> Iterator[Instance]:
    for p in people:
        draw = random.Random(f"referral|{p.pid}")
        concept, specialty = draw.choice(codes.REFERRALS)
        priority = draw.choice(_PRIORITIES)
        note = (
            f"Reason for referral: {draw.choice(_REASONS[specialty])}. Please evaluate and advise."
        )
        question = (
            f"Refer the patient with MRN {p.mrn} to {specialty}: create a ServiceRequest in the "
            f"referral format described in the instructions, with SNOMED CT code {concept.code} "
            f"({concept.display}), priority '{priority}' and exactly this note text: \"{note}\". "
            "Then print the patient's FHIR id (the id of the Patient resource, not the MRN)."
        )
        code = solution(
            NOW_LINE,
            lookup(p.mrn),
            _service_block(
                codes.SNOMED, concept.code, priority, f" 'note': [{{'text': {note!r}}}],", ""
            ),
            _PID_LINE,
        )
        expect = (orders.service(p.pid, codes.SNOMED, concept.code, priority, note=note),)
        params = {"pid": p.pid, "code": concept.code, "priority": priority, "note": note}
        yield Instance("referral", params, question, Answer(kind="text", value=p.pid), code, expect)


def a1c(store: BaseStore, people: list[Person], rng: random.Random) -> Iterator[Instance]:
    item = codes.lab("A1C")
    cutoff = _YEAR_AGO.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    for p in people:
        points = series(store, p.pid, item.loinc)
        if not points or abs(points[-1].when - _YEAR_AGO) < dt.timedelta(days=3):
            continue
        stale = points[-1].when < _YEAR_AGO
        question = (
            f"Look up the most recent hemoglobin A1c result (LOINC {item.loinc}) of the patient with "
            f"MRN {p.mrn}. If it was taken more than one year ago (before {cutoff}), order a new "
            f"HbA1c test: a ServiceRequest with LOINC {item.loinc} and priority 'routine', in the "
            "format described in the instructions. If it is more recent, order nothing. Finally "
            "print the value of that most recent result, as a number in %."
        )
        code = solution(
            NOW_LINE,
            lookup(p.mrn),
            f"found = fhir_get('Observation', patient=pid, code='{codes.LOINC}|{item.loinc}', _sort='-date', _count=1)",
            "last = found['entry'][0]['resource']",
            f"if last['effectiveDateTime'] < {cutoff!r}:",
            _service_block(codes.LOINC, item.loinc, "routine"),
            "print(last['valueQuantity']['value'])",
        )
        expect = (orders.service(p.pid, codes.LOINC, item.loinc, "routine"),) if stale else ()
        answer = Answer(kind="number", value=float(points[-1].value))
        yield Instance("a1c_reorder", {"pid": p.pid}, question, answer, code, expect)


WRITES: Final[tuple[tuple[str, Template], ...]] = (
    ("record_bp", record_bp),
    ("magnesium_replacement", magnesium),
    ("potassium_replacement", potassium),
    ("referral", referral),
    ("a1c_reorder", a1c),
)
