"""Search semantics of the FHIR server (pure: store and router, no socket)."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import given, settings, strategies as st

from arollout.tasks.fhir import api, codes, facts
from arollout.tasks.fhir.store import BaseStore, EpisodeStore, FhirError

if TYPE_CHECKING:
    from arollout.tasks.fhir.facts import Person

MG = codes.lab("MG").loinc
K = codes.lab("K").loinc


def get(store: BaseStore | EpisodeStore, target: str) -> tuple[int, Any]:
    episode = store if isinstance(store, EpisodeStore) else EpisodeStore(store)
    response = api.handle(episode, "GET", target, b"")
    return response.status, json.loads(response.body)


def ids(bundle: dict[str, Any]) -> list[str]:
    return [e["resource"]["id"] for e in bundle["entry"]]


@pytest.fixture(scope="module")
def person(store: BaseStore) -> Person:
    """A patient with at least three magnesium results."""
    return next(p for p in facts.people(store) if len(facts.series(store, p.pid, MG)) >= 3)


def test_identifier_token_forms(store: BaseStore, person: Person) -> None:
    status, bundle = get(store, f"/fhir/Patient?identifier={person.mrn}")
    assert status == 200 and bundle["type"] == "searchset" and ids(bundle) == [person.pid]
    assert get(store, f"/fhir/Patient?identifier={codes.MRN_SYSTEM}|{person.mrn}")[1]["total"] == 1
    assert get(store, f"/fhir/Patient?identifier=urn:other|{person.mrn}")[1]["total"] == 0
    assert get(store, f"/fhir/Patient?identifier=|{person.mrn}")[1]["total"] == 0  # it has a system
    assert get(store, f"/fhir/Patient?identifier={person.pid}")[1]["total"] == 0  # the id is no MRN


def test_name_is_a_case_insensitive_prefix_of_any_part(store: BaseStore, person: Person) -> None:
    prefix = person.family[:3].lower()
    expected = {p.pid for p in facts.people(store) if p.family.lower().startswith(prefix)}
    expected |= {p.pid for p in facts.people(store) if p.given.lower().startswith(prefix)}
    _, bundle = get(store, f"/fhir/Patient?name={prefix}&_count=500")
    assert set(ids(bundle)) == expected
    _, family = get(store, f"/fhir/Patient?family={prefix}&_count=500")
    assert set(ids(family)) == {
        p.pid for p in facts.people(store) if p.family.lower().startswith(prefix)
    }
    whole = urlencode({"name": f"{person.given} {person.family}"})
    assert person.pid in ids(get(store, f"/fhir/Patient?{whole}&_count=500")[1])
    assert get(store, f"/fhir/Patient?given:exact={person.given.upper()}")[1]["total"] == 0
    exact = get(store, f"/fhir/Patient?given:exact={person.given}&_count=500")[1]
    assert person.pid in ids(exact)
    assert person.pid in ids(
        get(store, f"/fhir/Patient?family:contains={person.family[1:-1]}&_count=500")[1]
    )


def test_accents_fold_in_string_search() -> None:
    patient = {
        "resourceType": "Patient",
        "id": "p1",
        "name": [{"family": "Zoë", "given": ["Ångström"]}],
    }
    base = BaseStore([patient])
    assert get(base, "/fhir/Patient?family=zoe")[1]["total"] == 1
    assert get(base, "/fhir/Patient?given=ang")[1]["total"] == 1
    assert get(base, "/fhir/Patient?family:exact=Zoe")[1]["total"] == 0


def test_birthdate_prefixes(store: BaseStore, person: Person) -> None:
    day = person.birth.isoformat()
    matched = ids(
        get(store, f"/fhir/Patient?birthdate={day}&family={person.family}&given={person.given}")[1]
    )
    assert matched == [person.pid]
    everyone = {p.pid: p.birth for p in facts.people(store)}
    before = set(ids(get(store, f"/fhir/Patient?birthdate=lt{day}&_count=500")[1]))
    after = set(ids(get(store, f"/fhir/Patient?birthdate=gt{day}&_count=500")[1]))
    assert before == {pid for pid, b in everyone.items() if b < person.birth}
    assert after == {pid for pid, b in everyone.items() if b > person.birth}
    year = get(store, f"/fhir/Patient?birthdate={person.birth.year}&_count=500")[1]
    assert set(ids(year)) == {pid for pid, b in everyone.items() if b.year == person.birth.year}


def test_observation_codes_systems_aliases_and_or(store: BaseStore, person: Person) -> None:
    mine = facts.series(store, person.pid, MG)
    want = {p.resource["id"] for p in mine}
    for code in (MG, f"{codes.LOINC}|{MG}", "MG", f"{codes.LOCAL}|MG"):
        bundle = get(store, f"/fhir/Observation?patient={person.pid}&code={code}")[1]
        assert set(ids(bundle)) == want, code
    assert (
        get(store, f"/fhir/Observation?patient={person.pid}&code={codes.LOINC}|MG")[1]["total"] == 0
    )
    both = get(store, f"/fhir/Observation?patient={person.pid}&code={MG},{K}")[1]
    assert set(ids(both)) == want | {p.resource["id"] for p in facts.series(store, person.pid, K)}


def test_patient_reference_forms(store: BaseStore, person: Person) -> None:
    plain = ids(get(store, f"/fhir/Observation?patient={person.pid}&code={MG}")[1])
    for ref in (f"Patient/{person.pid}", f"{codes.FHIR_BASE}/Patient/{person.pid}"):
        assert ids(get(store, f"/fhir/Observation?subject={ref}&code={MG}")[1]) == plain


def test_sorting_by_date_and_default_order_by_id(store: BaseStore, person: Person) -> None:
    times = facts.series(store, person.pid, MG)
    newest = get(store, f"/fhir/Observation?patient={person.pid}&code={MG}&_sort=-date")[1]
    assert ids(newest) == [p.resource["id"] for p in reversed(times)]
    oldest = get(store, f"/fhir/Observation?patient={person.pid}&code={MG}&_sort=date")[1]
    assert ids(oldest) == [p.resource["id"] for p in times]
    unsorted = ids(get(store, f"/fhir/Observation?patient={person.pid}&code={MG}")[1])
    assert unsorted == sorted(unsorted)


def test_date_window_and_an_unescaped_plus(store: BaseStore, person: Person) -> None:
    times = facts.series(store, person.pid, MG)
    cut = times[1].when
    text = cut.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    window = get(
        store,
        f"/fhir/Observation?patient={person.pid}&code={MG}&date=ge{text}&date=le{codes.NOW_TEXT}",
    )[1]
    expected = {p.resource["id"] for p in times if cut <= p.when <= codes.NOW}
    # '+' was not percent-encoded, so the query string delivers a space: it is read back as '+'
    assert set(ids(window)) == expected
    encoded = urlencode([("date", f"ge{text}")])
    assert (
        set(ids(get(store, f"/fhir/Observation?patient={person.pid}&code={MG}&{encoded}")[1]))
        == expected
    )
    strictly = get(
        store, f"/fhir/Observation?patient={person.pid}&code={MG}&date=gt{text.replace('+', '%2B')}"
    )[1]
    assert set(ids(strictly)) == expected - {times[1].resource["id"]}


def test_paging_with_next_links(store: BaseStore, person: Person) -> None:
    target = f"/fhir/Observation?patient={person.pid}&_count=7"
    seen: list[str] = []
    total = None
    while target:
        status, bundle = get(store, target)
        assert status == 200 and len(bundle["entry"]) <= 7
        total = bundle["total"]
        seen += ids(bundle)
        nxt = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        target = urlsplit(nxt[0])._replace(scheme="", netloc="").geturl() if nxt else ""
    everything = {r["id"] for r in store.of_patient("Observation", person.pid)}
    assert len(seen) == len(set(seen)) == total == len(everything) > 7
    assert set(seen) == everything
    counted = get(store, f"/fhir/Observation?patient={person.pid}&_count=0")[1]
    assert counted["total"] == total and counted["entry"] == []


@pytest.mark.parametrize(
    ("target", "status", "words"),
    [
        ("/fhir/Observation?patient=x&colour=red", 400, "unknown search parameter 'colour'"),
        ("/fhir/Observation?code:text=magnesium", 400, "modifier :text"),
        ("/fhir/Observation?date=ge2023-13-45", 400, "bad date"),
        ("/fhir/Observation?_count=5000", 400, "_count"),
        ("/fhir/Observation?_sort=colour", 400, "cannot sort"),
        ("/fhir/Encounter?patient=x", 404, "unknown resource type"),
        ("/fhir/Patient/nope", 404, "not known"),
        ("/fhir/Patient/a/b/c", 404, "no route"),
    ],
)
def test_refusals_are_operation_outcomes(
    store: BaseStore, target: str, status: int, words: str
) -> None:
    got, body = get(store, target)
    assert got == status
    assert body["resourceType"] == "OperationOutcome" and words in body["issue"][0]["diagnostics"]


def test_read_metadata_and_other_resource_types(store: BaseStore, person: Person) -> None:
    status, patient = get(store, f"/fhir/Patient/{person.pid}")
    assert status == 200 and patient["identifier"][0]["value"] == person.mrn
    assert (
        get(store, f"/Patient/{person.pid}")[1]["id"] == person.pid
    )  # the /fhir prefix is optional
    _, capability = get(store, "/fhir/metadata")
    kinds = {r["type"]: r for r in capability["rest"][0]["resource"]}
    assert {"create"} <= {i["code"] for i in kinds["ServiceRequest"]["interaction"]}
    assert "create" not in {i["code"] for i in kinds["Patient"]["interaction"]}
    conditions = store.of_patient("Condition", person.pid)
    active = {c["id"] for c in conditions if c["clinicalStatus"]["coding"][0]["code"] == "active"}
    got = get(store, f"/fhir/Condition?patient={person.pid}&clinical-status=active")[1]
    assert set(ids(got)) == active
    meds = store.of_patient("MedicationRequest", person.pid)
    stopped = get(store, f"/fhir/MedicationRequest?patient={person.pid}&status=stopped")[1]
    assert set(ids(stopped)) == {m["id"] for m in meds if m["status"] == "stopped"}


_INSTANTS = st.datetimes(
    min_value=dt.datetime(2021, 1, 1), max_value=dt.datetime(2023, 12, 31)
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=dt.UTC))


@settings(max_examples=40)
@given(moment=_INSTANTS, as_date=st.booleans())
def test_date_prefixes_partition_the_results(
    store: BaseStore, person: Person, moment: dt.datetime, as_date: bool
) -> None:
    value = moment.date().isoformat() if as_date else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    base = f"/fhir/Observation?patient={person.pid}&_count=500"

    def select(prefix: str) -> set[str]:
        return set(ids(get(store, f"{base}&date={prefix}{value}")[1]))

    everything = select("ge") | select("lt")
    assert everything == set(ids(get(store, base)[1]))
    assert not select("ge") & select("lt")
    assert select("le") | select("gt") == everything and not select("le") & select("gt")
    assert select("eq") == select("ge") & select("le")
    assert select("ne") == everything - select("eq")


@settings(max_examples=25)
@given(count=st.integers(min_value=1, max_value=40), descending=st.booleans())
def test_pages_concatenate_to_the_whole_result(
    store: BaseStore, person: Person, count: int, descending: bool
) -> None:
    order = "-date" if descending else "date"
    whole = ids(get(store, f"/fhir/Observation?patient={person.pid}&_sort={order}&_count=500")[1])
    pages: list[str] = []
    offset = 0
    while offset < len(whole):
        page = get(
            store,
            f"/fhir/Observation?patient={person.pid}&_sort={order}&_count={count}&_getpagesoffset={offset}",
        )
        pages += ids(page[1])
        offset += count
    assert pages == whole


def test_search_errors_are_fhir_errors(store: BaseStore) -> None:
    with pytest.raises(FhirError) as info:
        EpisodeStore(store).search("Patient", [("bogus", "1")], "self")
    assert info.value.status == 400
