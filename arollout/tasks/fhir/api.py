"""The REST routing of the FHIR server as a pure function (no I/O).

``handle(store, method, target, body)`` returns the status, headers and body
of the response, so the HTTP transport (:mod:`.server`) only moves bytes and
everything a client can observe is testable without a socket. Routes
(R4 §3.1.0, "RESTful API", http://hl7.org/fhir/R4/http.html):

* ``GET  [base]/metadata``: a short CapabilityStatement;
* ``GET  [base]/{type}?params``: search, a ``searchset`` Bundle;
* ``GET  [base]/{type}/{id}``: read;
* ``POST [base]/{type}``: create, ``201 Created`` with ``Location``.

``[base]`` is ``/fhir``; requests without the prefix are served the same.
Errors are OperationOutcome resources with a status that says who is at
fault (400 a bad request, 404 unknown, 405 not allowed, 429 too many writes).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from arollout.tasks.fhir import codes, search
from arollout.tasks.fhir.store import FhirError, outcome
from arollout.tasks.fhir.validate import WRITABLE

if TYPE_CHECKING:
    from arollout.tasks.fhir.store import EpisodeStore, Resource

__all__ = ("CONTENT_TYPE", "Response", "capability_statement", "error", "handle")

CONTENT_TYPE: Final = "application/fhir+json; charset=utf-8"


class Response(NamedTuple):
    """One HTTP response, before it is framed."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def _json(status: int, resource: Resource, *headers: tuple[str, str]) -> Response:
    body = json.dumps(resource, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(status, body, (("Content-Type", CONTENT_TYPE), *headers))


def error(status: int, message: str, code: str = "invalid") -> Response:
    """An OperationOutcome response."""
    return _json(status, outcome(message, code))


def capability_statement() -> Resource:
    """What the server supports: types, interactions and search parameters."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "kind": "instance",
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "implementation": {"description": "arollout synthetic FHIR server", "url": codes.FHIR_BASE},
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {
                        "type": rtype,
                        "interaction": [
                            {"code": c}
                            for c in (
                                "read",
                                "search-type",
                                *(("create",) if rtype in WRITABLE else ()),
                            )
                        ],
                        "searchParam": [
                            {"name": name, "type": param.kind if param.kind != "id" else "token"}
                            for name, param in table.items()
                        ],
                    }
                    for rtype, table in search.PARAMETERS.items()
                ],
            }
        ],
    }


def _route(target: str) -> tuple[list[str], list[tuple[str, str]]]:
    parts = urlsplit(target)
    segments = [s for s in parts.path.split("/") if s]
    if segments[:1] == ["fhir"]:
        segments = segments[1:]
    return segments, parse_qsl(parts.query, keep_blank_values=True)


def handle(store: EpisodeStore, method: str, target: str, body: bytes) -> Response:
    """Serve one request against ``store`` (never raises for a client's mistake)."""
    try:
        segments, pairs = _route(target)
        if method == "GET":
            if segments == ["metadata"]:
                return _json(200, capability_statement())
            if len(segments) == 1:
                self_url = f"{codes.FHIR_BASE}/{segments[0]}" + (
                    f"?{urlsplit(target).query}" if pairs else ""
                )
                return _json(200, store.search(segments[0], pairs, self_url))
            if len(segments) == 2:
                return _json(200, store.read(segments[0], segments[1]))
            raise FhirError(
                404, f"no route for GET {target!r}; try [base]/{{type}}?params", "not-found"
            )
        if method == "POST":
            if len(segments) != 1:
                raise FhirError(
                    405, "create with POST [base]/{type} (no id in the URL)", "not-supported"
                )
            try:
                resource = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise FhirError(400, f"the body is not valid JSON: {exc}") from None
            created = store.create(segments[0], resource)
            location = f"{codes.FHIR_BASE}/{created['resourceType']}/{created['id']}/_history/1"
            return _json(201, created, ("Location", location))
        raise FhirError(
            405, f"method {method} is not supported (GET and POST only)", "not-supported"
        )
    except FhirError as exc:
        return error(exc.status, str(exc), exc.code)
