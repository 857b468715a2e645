"""Read-only task templates: graded by the printed answer (and nothing written).

Re-templated from MedAgentBench's read tasks (stanfordmlgroup/MedAgentBench,
MIT: MRN lookup, age, latest and average lab values) plus four more read
types over the same server (latest blood pressure, active medications, the
problem list, the last procedure). Every instance is chosen so that a
plausible shortcut gives a different answer: the latest result is not the
first one the server returns unsorted, a time window cuts results off on
both sides, and lists have inactive members that "print everything" would
include.
"""

from __future__ import annotations

import collections
import datetime as dt
from typing import TYPE_CHECKING, Final

from arollout.tasks.base import Answer
from arollout.tasks.fhir import codes
from arollout.tasks.fhir.facts import age_at, bp_series, coded, first_by_id, series
from arollout.tasks.fhir.templates import NOW_LINE, Instance, lookup, solution

if TYPE_CHECKING:
    import random
    from collections.abc import Iterator

    from arollout.tasks.fhir.facts import Person
    from arollout.tasks.fhir.store import BaseStore
    from arollout.tasks.fhir.templates import Template

__all__ = ("READS",)

_WINDOWS: Final = (
    ("GLU", 24),
    ("GLU", 48),
    ("GLU", 72),
    ("K", 168),
    ("K", 336),
    ("MG", 336),
    ("MG", 720),
)
_EDGE: Final = dt.timedelta(minutes=10)


def mrn_lookup(store: BaseStore, people: list[Person], rng: random.Random) -> Iterator[Instance]:
    same = collections.Counter((p.given, p.family, p.birth) for p in people)
    for p in people:
        if same[(p.given, p.family, p.birth)] != 1:
            continue
        born = p.birth.isoformat()
        question = (
            f"Find the patient named {p.given} {p.family} who was born on {born}. "
            "What is this patient's medical record number (MRN)? Print only the MRN."
        )
        code = solution(
            f"found = fhir_get('Patient', given={p.given!r}, family={p.family!r}, birthdate={born!r})",
            "assert found['total'] == 1, found['total']",
            "ids = found['entry'][0]['resource']['identifier']",
            "print(next(i['value'] for i in ids if i['type']['coding'][0]['code'] == 'MR'))",
        )
        yield Instance(
            "mrn_lookup", {"pid": p.pid}, question, Answer(kind="text", value=p.mrn), code
        )


def patient_age(store: BaseStore, people: list[Person], rng: random.Random) -> Iterator[Instance]:
    for p in people:
        question = (
            f"How old is the patient with MRN {p.mrn}, in completed years, on {codes.NOW_TEXT}? "
            "Print the age as an integer."
        )
        code = solution(
            "import datetime as dt",
            f"patient = fhir_get('Patient', identifier={p.mrn!r})['entry'][0]['resource']",
            "born = dt.date.fromisoformat(patient['birthDate'])",
            f"today = dt.date.fromisoformat({codes.NOW_TEXT[:10]!r})",
            "print(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))",
        )
        age = age_at(p.birth, codes.NOW)
        yield Instance(
            "patient_age", {"pid": p.pid}, question, Answer(kind="integer", value=age), code
        )


def latest_lab(store: BaseStore, people: list[Person], rng: random.Random) -> Iterator[Instance]:
    for p in people:
        for lab in codes.LABS:
            points = series(store, p.pid, lab.loinc)
            if len(points) < 2 or first_by_id(points).value == points[-1].value:
                continue
            question = (
                f"What is the most recent {lab.name} result (LOINC {lab.loinc}) of the patient with "
                f"MRN {p.mrn}? Print the value in {lab.unit} as a number."
            )
            code = solution(
                lookup(p.mrn),
                f"found = fhir_get('Observation', patient=pid, code='{codes.LOINC}|{lab.loinc}', "
                "_sort='-date', _count=1)",
                "print(found['entry'][0]['resource']['valueQuantity']['value'])",
            )
            answer = Answer(kind="number", value=float(points[-1].value))
            yield Instance("latest_lab", {"pid": p.pid, "lab": lab.alias}, question, answer, code)


def average_lab(store: BaseStore, people: list[Person], rng: random.Random) -> Iterator[Instance]:
    for p in people:
        for alias, hours in _WINDOWS:
            lab = codes.lab(alias)
            points = series(store, p.pid, lab.loinc)
            start = codes.NOW - dt.timedelta(hours=hours)
            inside = [float(x.value) for x in points if x.when >= start]
            if len(inside) < 2 or len(inside) == len(points):
                continue
            if any(abs(x.when - start) < _EDGE for x in points):
                continue
            mean = sum(inside) / len(inside)
            everything = sum(float(x.value) for x in points) / len(points)
            if abs(mean - everything) < 0.05:
                continue
            span = f"{hours} hours" if hours <= 72 else f"{hours // 24} days"
            begin = start.strftime("%Y-%m-%dT%H:%M:%S+00:00")
            question = (
                f"What is the average {lab.name} value (LOINC {lab.loinc}) of the patient with MRN "
                f"{p.mrn} over the last {span}, counting every result whose effective time lies from "
                f"{begin} to {codes.NOW_TEXT}? Print the mean in {lab.unit} as a number with at "
                "least two decimals."
            )
            code = solution(
                NOW_LINE,
                lookup(p.mrn),
                f"results = fhir_search_all('Observation', patient=pid, code='{codes.LOINC}|{lab.loinc}',",
                f"                          date=['ge{begin}', 'le' + NOW])",
                "values = [r['valueQuantity']['value'] for r in results]",
                "print(round(sum(values) / len(values), 4))",
            )
            answer = Answer(kind="number", value=mean, rel_tol=0.0, abs_tol=0.01)
            params = {"pid": p.pid, "lab": alias, "hours": hours}
            yield Instance("average_lab", params, question, answer, code)


def latest_bp(store: BaseStore, people: list[Person], rng: random.Random) -> Iterator[Instance]:
    for p in people:
        points = bp_series(store, p.pid)
        if len(points) < 2 or first_by_id(points).value == points[-1].value:
            continue
        question = (
            f"What was the most recent blood pressure reading (LOINC {codes.BP_PANEL.code}) of the "
            f"patient with MRN {p.mrn}? Print it as a JSON list [systolic, diastolic] of integers in mmHg."
        )
        code = solution(
            "import json",
            lookup(p.mrn),
            f"found = fhir_get('Observation', patient=pid, code='{codes.LOINC}|{codes.BP_PANEL.code}', "
            "_sort='-date', _count=1)",
            "parts = {c['code']['coding'][0]['code']: c['valueQuantity']['value']",
            "         for c in found['entry'][0]['resource']['component']}",
            f"print(json.dumps([round(parts[{codes.BP_SYSTOLIC.code!r}]), "
            f"round(parts[{codes.BP_DIASTOLIC.code!r}])]))",
        )
        answer = Answer(kind="list", value=list(points[-1].value))
        yield Instance("latest_bp", {"pid": p.pid}, question, answer, code)


def active_medications(
    store: BaseStore, people: list[Person], rng: random.Random
) -> Iterator[Instance]:
    for p in people:
        orders = store.of_patient("MedicationRequest", p.pid)
        active = {o["medicationCodeableConcept"]["text"] for o in orders if o["status"] == "active"}
        other = {o["medicationCodeableConcept"]["text"] for o in orders} - active
        if not active or not other:
            continue
        question = (
            "Which medications have active orders (MedicationRequest status 'active') for the "
            f"patient with MRN {p.mrn}? Print the medication names (medicationCodeableConcept.text) "
            "as a JSON list of strings, each name once."
        )
        code = solution(
            "import json",
            lookup(p.mrn),
            "orders = fhir_search_all('MedicationRequest', patient=pid, status='active')",
            "print(json.dumps(sorted({o['medicationCodeableConcept']['text'] for o in orders})))",
        )
        answer = Answer(kind="set", value=sorted(active))
        yield Instance("active_medications", {"pid": p.pid}, question, answer, code)


def problem_list(store: BaseStore, people: list[Person], rng: random.Random) -> Iterator[Instance]:
    for p in people:
        conditions = store.of_patient("Condition", p.pid)
        status = [
            (coded(c, "code", codes.ICD10)[0], c["clinicalStatus"]["coding"][0]["code"])
            for c in conditions
        ]
        active = sorted({code for code, s in status if s == "active"})
        if not active or all(s == "active" for _, s in status):
            continue
        question = (
            "What are the ICD-10-CM codes of the active problems (Condition clinicalStatus "
            f"'active') of the patient with MRN {p.mrn}? Print them as a JSON list of strings."
        )
        code = solution(
            "import json",
            lookup(p.mrn),
            "found = fhir_search_all('Condition', {'clinical-status': 'active'}, patient=pid)",
            "print(json.dumps(sorted({c['code']['coding'][0]['code'] for c in found})))",
        )
        yield Instance(
            "problem_list", {"pid": p.pid}, question, Answer(kind="set", value=active), code
        )


def last_procedure(
    store: BaseStore, people: list[Person], rng: random.Random
) -> Iterator[Instance]:
    for p in people:
        done = sorted(
            store.of_patient("Procedure", p.pid), key=lambda r: str(r["performedDateTime"])
        )
        for proc in codes.PROCEDURES:
            mine = [r for r in done if proc.code in coded(r, "code", codes.SNOMED)]
            if not mine or (len(mine) < 2 and done[-1] is mine[-1]):
                continue  # "the last procedure of any kind" must not be the answer by chance
            day = str(mine[-1]["performedDateTime"])[:10]
            question = (
                f"On what date was the most recent {proc.display.lower()} (SNOMED CT {proc.code}) of "
                f"the patient with MRN {p.mrn} performed? Print the date as YYYY-MM-DD."
            )
            code = solution(
                lookup(p.mrn),
                f"found = fhir_get('Procedure', patient=pid, code='{codes.SNOMED}|{proc.code}', "
                "_sort='-date', _count=1)",
                "print(found['entry'][0]['resource']['performedDateTime'][:10])",
            )
            params = {"pid": p.pid, "procedure": proc.code}
            yield Instance("last_procedure", params, question, Answer(kind="date", value=day), code)


READS: Final[tuple[tuple[str, Template], ...]] = (
    ("mrn_lookup", mrn_lookup),
    ("patient_age", patient_age),
    ("latest_lab", latest_lab),
    ("average_lab", average_lab),
    ("latest_bp", latest_bp),
    ("active_medications", active_medications),
    ("problem_list", problem_list),
    ("last_procedure", last_procedure),
)
