"""POST validation: what the server records, refuses, and how it says why."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

import pytest

from arollout.tasks.fhir import api, codes, facts, orders
from arollout.tasks.fhir.store import MAX_WRITES, EpisodeStore

if TYPE_CHECKING:
    from arollout.tasks.fhir.store import BaseStore


def post(
    episode: EpisodeStore, rtype: str, body: Any
) -> tuple[int, dict[str, Any], dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = api.handle(episode, "POST", f"/fhir/{rtype}", raw)
    return response.status, json.loads(response.body), dict(response.headers)


@pytest.fixture
def pid(store: BaseStore) -> str:
    return facts.people(store)[0].pid


@pytest.fixture
def episode(store: BaseStore) -> EpisodeStore:
    return EpisodeStore(store, salt="test")


def _bp(pid: str) -> dict[str, Any]:
    return orders.resource_for(orders.bp(pid, 131, 84))


def _medication(pid: str) -> dict[str, Any]:
    return orders.resource_for(
        orders.medication(pid, codes.MAGNESIUM_SULFATE.code, "IV", 2, "g", 2)
    )


def _service(pid: str) -> dict[str, Any]:
    return orders.resource_for(
        orders.service(pid, codes.LOINC, "4548-4", "routine", note="fasting")
    )


@pytest.mark.parametrize("make", [_bp, _medication, _service])
def test_valid_resources_are_recorded_with_an_id(
    episode: EpisodeStore, pid: str, make: Any
) -> None:
    body = make(pid)
    status, created, headers = post(episode, body["resourceType"], body)
    assert status == 201, created
    assert created["id"] and created["meta"]["lastUpdated"] == codes.NOW_TEXT
    assert headers["Location"].endswith(f"/{body['resourceType']}/{created['id']}/_history/1")
    assert episode.created == [created]
    assert {k: v for k, v in created.items() if k not in ("id", "meta")} == body
    read = api.handle(episode, "GET", f"/fhir/{body['resourceType']}/{created['id']}", b"")
    assert json.loads(read.body) == created
    found = api.handle(
        episode, "GET", f"/fhir/{body['resourceType']}?patient={pid}&_count=500", b""
    )
    assert created["id"] in [e["resource"]["id"] for e in json.loads(found.body)["entry"]]


def test_created_ids_are_deterministic_per_salt(store: BaseStore, pid: str) -> None:
    first, second, other = (
        EpisodeStore(store, "a"),
        EpisodeStore(store, "a"),
        EpisodeStore(store, "b"),
    )
    ids = [post(e, "Observation", _bp(pid))[1]["id"] for e in (first, second, other)]
    assert ids[0] == ids[1] != ids[2]
    assert post(first, "Observation", _bp(pid))[1]["id"] != ids[0]  # the counter moves on


def _broken(pid: str) -> list[tuple[str, str, Any, str]]:
    """(label, type, body, words the refusal must contain)."""
    bp = _bp(pid)
    cases: list[tuple[str, str, Any, str]] = []

    def variant(label: str, rtype: str, base: dict[str, Any], change: Any, words: str) -> None:
        body = copy.deepcopy(base)
        change(body)
        cases.append((label, rtype, body, words))

    variant("no subject", "Observation", bp, lambda b: b.pop("subject"), "subject is required")
    variant(
        "MRN as reference",
        "Observation",
        bp,
        lambda b: b.update(subject={"reference": "Patient/S1234567"}),
        "not an existing Patient",
    )
    variant(
        "bare id reference",
        "Observation",
        bp,
        lambda b: b.update(subject={"reference": pid}),
        "not an existing Patient",
    )
    variant(
        "wrong type",
        "Observation",
        bp,
        lambda b: b.update(resourceType="Condition"),
        "resourceType must be",
    )
    variant(
        "bad status", "Observation", bp, lambda b: b.update(status="done"), "status must be one of"
    )
    variant("no code", "Observation", bp, lambda b: b.pop("code"), "Observation.code is required")
    variant(
        "time without zone",
        "Observation",
        bp,
        lambda b: b.update(effectiveDateTime="2023-11-13T10:15:00"),
        "time zone",
    )
    variant(
        "text value",
        "Observation",
        bp,
        lambda b: b["component"][0]["valueQuantity"].update(value="131"),
        "value must be a number",
    )
    med = _medication(pid)
    variant(
        "no medication",
        "MedicationRequest",
        med,
        lambda b: b.pop("medicationCodeableConcept"),
        "medicationCodeableConcept",
    )
    variant(
        "bad intent",
        "MedicationRequest",
        med,
        lambda b: b.update(intent="please"),
        "intent must be one of",
    )
    variant(
        "dose as text",
        "MedicationRequest",
        med,
        lambda b: b["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"].update(value="2 g"),
        "value must be a number",
    )
    svc = _service(pid)
    variant(
        "note as an object",
        "ServiceRequest",
        svc,
        lambda b: b.update(note={"text": "x"}),
        "note must be a list",
    )
    variant(
        "bad priority",
        "ServiceRequest",
        svc,
        lambda b: b.update(priority="asap!"),
        "priority must be one of",
    )
    variant(
        "coding not a list",
        "ServiceRequest",
        svc,
        lambda b: b.update(code={"coding": {"code": "1"}}),
        "must be a list of Coding",
    )
    cases.append(("not an object", "ServiceRequest", [svc], "JSON object"))
    return cases


def test_every_broken_resource_is_refused_with_a_reason(episode: EpisodeStore, pid: str) -> None:
    for label, rtype, body, words in _broken(pid):
        status, outcome, _ = post(episode, rtype, body)
        assert status == 400, label
        assert outcome["resourceType"] == "OperationOutcome"
        assert words in outcome["issue"][0]["diagnostics"], (label, outcome)
    assert episode.created == []
    assert episode.rejected == len(_broken(pid))


def test_several_problems_are_reported_at_once(episode: EpisodeStore) -> None:
    status, outcome, _ = post(episode, "MedicationRequest", {"resourceType": "MedicationRequest"})
    text = outcome["issue"][0]["diagnostics"]
    assert status == 400
    assert all(
        word in text for word in ("status", "intent", "subject", "medicationCodeableConcept")
    )


@pytest.mark.parametrize(
    ("rtype", "body", "status"),
    [
        ("Patient", {"resourceType": "Patient"}, 405),
        ("Encounter", {"resourceType": "Encounter"}, 404),
        ("Observation", b"{not json", 400),
        ("Observation", b"\xff\xfe", 400),
    ],
)
def test_unwritable_types_and_malformed_bodies(
    episode: EpisodeStore, rtype: str, body: Any, status: int
) -> None:
    got, outcome, _ = post(episode, rtype, body)
    assert got == status and outcome["resourceType"] == "OperationOutcome"
    assert episode.created == []


def test_other_methods_and_routes_are_refused(episode: EpisodeStore, pid: str) -> None:
    for method, target in (
        ("PUT", f"/fhir/Patient/{pid}"),
        ("DELETE", "/fhir/Observation/x"),
        ("POST", "/fhir/Observation/x"),
    ):
        response = api.handle(episode, method, target, b"{}")
        assert response.status == 405, (method, target)


def test_writes_are_capped_per_episode(episode: EpisodeStore, pid: str) -> None:
    for _ in range(MAX_WRITES):
        assert post(episode, "Observation", _bp(pid))[0] == 201
    status, outcome, _ = post(episode, "Observation", _bp(pid))
    assert status == 429 and "already created" in outcome["issue"][0]["diagnostics"]
    assert len(episode.created) == MAX_WRITES


def test_the_base_population_is_never_changed(
    store: BaseStore, episode: EpisodeStore, pid: str
) -> None:
    before = len(store), len(store.of_patient("Observation", pid))
    body = _bp(pid)
    episode.create("Observation", body)
    body["status"] = "cancelled"  # the caller's dict is not what the store keeps
    body["component"][0]["valueQuantity"]["value"] = 1
    assert (len(store), len(store.of_patient("Observation", pid))) == before
    assert episode.created[0]["status"] == "final"
    assert episode.created[0]["component"][0]["valueQuantity"]["value"] == 131
