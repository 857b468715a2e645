"""Graders: the right orders pass; a wrong dose, patient, code, time or an extra order fails."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings, strategies as st

from arollout.tasks import verify
from arollout.tasks.fhir import orders
from arollout.tasks.fhir.build import WRITE_CATEGORIES
from arollout.tasks.fhir.episode import STATE_WRONG, grade_run
from arollout.tasks.fhir.trivial import patient_candidates, wrong_orders
from sandboxes.api import ExecResult, ExecStatus

if TYPE_CHECKING:
    from arollout.tasks.base import Task
    from arollout.tasks.fhir import FhirSuite


def ok(stdout: str) -> ExecResult:
    return ExecResult(status=ExecStatus.OK, returncode=0, stdout=stdout)


def answer_line(task: Task) -> str:
    value = task.answer.value
    return str(value).replace("'", '"') if isinstance(value, list) else verify.gold_text(value)


def made(task: Task) -> list[dict[str, Any]]:
    return [
        dict(orders.resource_for(spec), id=f"new{i}") for i, spec in enumerate(task.meta["expect"])
    ]


@pytest.fixture(scope="module")
def tasks(small_suite: FhirSuite) -> list[Task]:
    return list(small_suite.tasks())


@pytest.fixture(scope="module")
def ordering(tasks: list[Task]) -> list[Task]:
    """Write tasks whose rule asks for at least one order."""
    found = [t for t in tasks if t.meta["expect"]]
    assert {t.category for t in found} == WRITE_CATEGORIES
    return found


def test_the_right_orders_and_answer_pass(tasks: list[Task]) -> None:
    for task in tasks:
        verdict = grade_run(task, ok(f"working...\n{answer_line(task)}\n"), made(task))
        assert verdict.correct, (
            task.id,
            verdict.reason,
            orders.problems(task.meta["expect"], made(task)),
        )


def test_order_of_creation_does_not_matter(ordering: list[Task]) -> None:
    pairs = [t for t in ordering if len(t.meta["expect"]) == 2]
    assert pairs
    for task in pairs:
        assert grade_run(task, ok(answer_line(task)), made(task)[::-1]).correct


def test_the_printed_answer_still_counts(ordering: list[Task]) -> None:
    for task in ordering:
        for line in ("", "done", "Patient/" + str(task.meta["params"]["pid"])):
            assert not grade_run(task, ok(line), made(task)).correct, (task.id, line)


def test_a_failed_run_fails_even_with_the_right_state(ordering: list[Task]) -> None:
    task = ordering[0]
    crashed = ExecResult(status=ExecStatus.RUNTIME_ERROR, returncode=1, stdout=answer_line(task))
    verdict = grade_run(task, crashed, made(task))
    assert not verdict.correct and "runtime_error" in verdict.reason


def test_missing_extra_and_duplicate_orders_fail(tasks: list[Task], ordering: list[Task]) -> None:
    for task in ordering:
        right = made(task)
        for label, created in (
            ("missing", right[:-1]),
            ("duplicate", [*right, copy.deepcopy(right[0])]),
        ):
            verdict = grade_run(task, ok(answer_line(task)), created)
            assert not verdict.correct, (task.id, label)
            assert verdict.reason == STATE_WRONG  # names no gold value
    for task in (t for t in tasks if not t.meta["expect"]):
        extra = [orders.resource_for(s) for s in wrong_orders(task)]
        assert not grade_run(task, ok(answer_line(task)), extra).correct, task.id


def _mutations(resource: dict[str, Any], other_pid: str) -> list[tuple[str, dict[str, Any]]]:
    """Single-field changes that each make an order wrong."""
    out: list[tuple[str, dict[str, Any]]] = []

    def change(label: str, edit: Any) -> None:
        body = copy.deepcopy(resource)
        edit(body)
        out.append((label, body))

    change("wrong patient", lambda b: b.update(subject={"reference": f"Patient/{other_pid}"}))
    change(
        "wrong status",
        lambda b: b.update(status="draft" if b["resourceType"] != "Observation" else "preliminary"),
    )
    kind = resource["resourceType"]
    if kind == "Observation":
        change("swapped values", _swap)
        change("other time", lambda b: b.update(effectiveDateTime="2023-11-13T09:15:00+00:00"))
        change("no category", lambda b: b.pop("category"))
        change(
            "wrong unit",
            lambda b: b["component"][0]["valueQuantity"].update(unit="kPa", code="kPa"),
        )
    elif kind == "MedicationRequest":
        dosage = ("dosageInstruction", 0)
        change(
            "dose + 1",
            lambda b: _at(b, *dosage)["doseAndRate"][0]["doseQuantity"].update(
                value=_at(b, *dosage)["doseAndRate"][0]["doseQuantity"]["value"] + 1
            ),
        )
        change(
            "wrong unit",
            lambda b: _at(b, *dosage)["doseAndRate"][0]["doseQuantity"].update(unit="mg"),
        )
        change("wrong route", lambda b: _at(b, *dosage).update(route={"text": "subcutaneous"}))
        change(
            "other drug", lambda b: b["medicationCodeableConcept"]["coding"][0].update(code="11289")
        )
        change("authored yesterday", lambda b: b.update(authoredOn="2023-11-12T10:15:00+00:00"))
        if "timing" in resource["dosageInstruction"][0]:
            change(
                "longer infusion", lambda b: _at(b, *dosage)["timing"]["repeat"].update(duration=9)
            )
    else:
        change("wrong priority", lambda b: b.update(priority="asap"))
        change("wrong code", lambda b: b["code"]["coding"][0].update(code="0000-0"))
        change("wrong system", lambda b: b["code"]["coding"][0].update(system="http://example.org"))
        change("intent plan", lambda b: b.update(intent="plan"))
        if "occurrenceDateTime" in resource:
            change(
                "other morning", lambda b: b.update(occurrenceDateTime="2023-11-15T08:00:00+00:00")
            )
        if "note" in resource:
            change(
                "other note", lambda b: b["note"][0].update(text=b["note"][0]["text"] + " Thanks.")
            )
    return out


def _at(body: dict[str, Any], key: str, index: int) -> dict[str, Any]:
    item: dict[str, Any] = body[key][index]
    return item


def _swap(body: dict[str, Any]) -> None:
    first, second = body["component"]
    first["valueQuantity"], second["valueQuantity"] = (
        second["valueQuantity"],
        first["valueQuantity"],
    )


def test_every_single_field_mistake_fails(ordering: list[Task]) -> None:
    checked = 0
    for task in ordering:
        right = made(task)
        other = "0" * 12
        for i, resource in enumerate(right):
            for label, wrong in _mutations(resource, other):
                created = [*right[:i], wrong, *right[i + 1 :]]
                assert orders.problems(task.meta["expect"], created), (task.id, label)
                assert not grade_run(task, ok(answer_line(task)), created).correct
                checked += 1
    assert checked > 50


def test_harmless_differences_still_pass(ordering: list[Task]) -> None:
    for task in ordering:
        created = made(task)
        for resource in created:
            resource["requester"] = {"display": "Dr. Example"}  # fields the task does not name
            for key in ("authoredOn", "effectiveDateTime"):
                if key in resource:
                    resource[key] = "2023-11-13T10:15:00Z"  # the same instant, written otherwise
        assert grade_run(task, ok(answer_line(task)), created).correct, task.id


def test_wrong_order_probes_are_really_wrong(tasks: list[Task]) -> None:
    for task in tasks:
        probe = [orders.resource_for(spec) for spec in wrong_orders(task)]
        assert probe and orders.problems(task.meta["expect"], probe), task.id


@settings(max_examples=60)
@given(data=st.data())
def test_any_other_patient_fails(tasks: list[Task], data: st.DataObject) -> None:
    task = data.draw(st.sampled_from([t for t in tasks if t.meta["expect"]]))
    other = data.draw(st.text("0123456789abcdef", min_size=12, max_size=12))
    if other == task.meta["params"]["pid"]:
        return
    created = made(task)
    victim = data.draw(st.integers(0, len(created) - 1))
    created[victim]["subject"] = {"reference": f"Patient/{other}"}
    assert not grade_run(task, ok(answer_line(task)), created).correct


def test_every_candidate_of_the_patient_holds_the_answer_and_fails(
    small_suite: FhirSuite, tasks: list[Task]
) -> None:
    import json

    for task in tasks:
        candidates = patient_candidates(task, small_suite.store)
        gold = task.answer.value
        if task.answer.kind == "set":
            assert set(gold) < set(candidates), task.id  # a strict superset
        else:
            assert gold in candidates and len(candidates) > 1, task.id
        assert not grade_run(task, ok(json.dumps(candidates)), made(task)).correct, task.id
