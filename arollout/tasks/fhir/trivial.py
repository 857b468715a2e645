"""The suite's own data-free and known-wrong submissions for ``tasks check``.

On top of the framework's constants, exits and "every candidate at once"
(:func:`arollout.tasks.grading.trivial_submissions`), a FHIR task must also
refuse:

* a *read-only agent*: code that looks the patient up and reads their
  records (real GETs over the socket) but writes nothing, printing the
  patient's id;
* on a task that needs orders, a read-only agent that prints the *right*
  answer: the printed line alone must never pass a write task;
* a *wrong order*: a valid POST that the server accepts but that is not the
  order asked for (a swapped blood pressure, a dose off by one unit, a
  missing follow-up lab, the wrong priority or code), or any order at all on
  a task that asks for none, each with the right answer printed;
* *every candidate of the patient* at once (all of their results for the
  lab, all their medications, problems, procedure dates or identifiers),
  after placing exactly the right orders: the printed line alone must decide.

Each probe asserts that its POSTs were accepted, so a probe that fails only
because the server refused its payload shows up as a broken probe in the
suite's tests, not as a pass.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from arollout.tasks import verify
from arollout.tasks.fhir import codes, facts, orders
from arollout.tasks.fhir.writes import NEXT_MORNING
from arollout.tasks.grading import Trivial

if TYPE_CHECKING:
    from arollout.tasks.base import Task
    from arollout.tasks.fhir.store import BaseStore

__all__ = ("patient_candidates", "trivial_codes", "wrong_orders")

_LAB_OF = {"magnesium_replacement": "MG", "potassium_replacement": "K", "a1c_reorder": "A1C"}


def _gold_line(task: Task) -> str:
    value = task.answer.value
    if isinstance(value, list | tuple):
        return json.dumps(list(value))
    return verify.gold_text(value)


def wrong_orders(task: Task) -> list[dict[str, Any]]:
    """Order specs the server accepts that do not fulfil ``task`` (never empty)."""
    pid = str(task.meta["params"]["pid"])
    expect: list[dict[str, Any]] = [dict(e) for e in task.meta.get("expect", ())]
    category = task.category
    if not expect:
        if category == "magnesium_replacement":
            return [orders.medication(pid, codes.MAGNESIUM_SULFATE.code, "IV", 1, "g", 1)]
        if category == "potassium_replacement":
            return [
                orders.medication(pid, codes.POTASSIUM_CHLORIDE.code, "oral", 10, "mEq", None),
                orders.service(
                    pid, codes.LOINC, codes.lab("K").loinc, "stat", occurrence=NEXT_MORNING
                ),
            ]
        if category == "a1c_reorder":
            return [orders.service(pid, codes.LOINC, codes.lab("A1C").loinc, "routine")]
        return [orders.bp(pid, 120, 80)]  # a read task writes nothing
    wrong = copy.deepcopy(expect)
    first = wrong[0]
    if first["kind"] == "bp":
        first["systolic"], first["diastolic"] = first["diastolic"], first["systolic"]
    elif first["kind"] == "medication":
        if len(wrong) > 1:
            return wrong[:1]  # the replacement without its follow-up lab
        first["dose"] = first["dose"] + 1
    elif category == "a1c_reorder":
        first["code"] = codes.lab("GLU").loinc
    else:
        first["priority"] = "stat" if first["priority"] != "stat" else "routine"
    return wrong


def _lookup(mrn: str) -> str:
    return f"pid = fhir_get('Patient', identifier={mrn!r})['entry'][0]['resource']['id']\n"


def patient_candidates(task: Task, store: BaseStore) -> list[Any]:
    """Every value of the kind the task asks for that the patient's records hold."""
    params = task.meta["params"]
    pid = str(params["pid"])
    category = task.category
    alias = params.get("lab") or _LAB_OF.get(category)
    if alias is not None:
        values = [p.value for p in facts.series(store, pid, codes.lab(str(alias)).loinc)]
        if category == "average_lab":  # the mean itself among every value and the overall mean
            return [*values, sum(values) / len(values), task.answer.value]
        if len(values) < 2:  # one result is no choice: add a neighbour, as a guesser would
            values.append(round(float(values[0]) + 1, 1))
        return values
    if category == "latest_bp":
        return [list(p.value) for p in facts.bp_series(store, pid)]
    if category == "active_medications":
        meds = store.of_patient("MedicationRequest", pid)
        return sorted({m["medicationCodeableConcept"]["text"] for m in meds})
    if category == "problem_list":
        found = store.of_patient("Condition", pid)
        return sorted({facts.coded(c, "code", codes.ICD10)[0] for c in found})
    if category == "last_procedure":
        return sorted(
            {str(r["performedDateTime"])[:10] for r in store.of_patient("Procedure", pid)}
        )
    if category == "patient_age":
        age = int(task.answer.value)
        return [age - 1, age, age + 1]
    return [task.meta["mrn"], pid]  # the patient's identifiers


def _posts(specs: list[dict[str, Any]]) -> str:
    return "".join(
        f"made = fhir_post({body['resourceType']!r}, {body!r})\nassert made['id'], made\n"
        for body in (orders.resource_for(spec) for spec in specs)
    )


def trivial_codes(task: Task, store: BaseStore) -> list[Trivial]:
    """The suite's probes for ``task`` (``store``: the population, for the candidates)."""
    mrn = str(task.meta["mrn"])
    reads = (
        _lookup(mrn) + "fhir_search_all('Observation', patient=pid)\nfhir_get('Patient/' + pid)\n"
    )
    probes = [Trivial("read-only agent printing the patient id", reads + "print(pid)\n")]
    if task.meta.get("expect"):
        probes.append(
            Trivial(
                "read-only agent printing the right answer",
                reads + f"print({_gold_line(task)!r})\n",
            )
        )
    gold = f"print({_gold_line(task)!r})\n"
    probes.append(Trivial("a wrong order", _lookup(mrn) + _posts(wrong_orders(task)) + gold))
    right = _posts([dict(e) for e in task.meta.get("expect", ())])
    every = json.dumps(patient_candidates(task, store))
    probes.append(
        Trivial("every candidate of the patient", _lookup(mrn) + right + f"print({every!r})\n")
    )
    return probes
