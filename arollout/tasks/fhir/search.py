"""FHIR R4 search semantics for the parameters the tasks need (pure functions).

Follows R4 §3.1.1 ("Search", http://hl7.org/fhir/R4/search.html) closely
enough that code written against a real server (HAPI, Epic) works here:

* ``token`` (``code``, ``identifier``, ``gender``, ``status``...): ``code``,
  ``system|code``, ``|code`` (no system) or ``system|``; commas mean OR;
* ``string`` (``name``, ``family``, ``given``): case- and accent-insensitive
  *starts with* on any name part (``:exact`` and ``:contains`` modifiers);
  ``name`` also matches the whole "given family" text;
* ``date`` (``birthdate``, ``date``, ``authoredon``...): the prefixes ``eq``,
  ``ne``, ``gt``, ``lt``, ``ge``, ``le``, ``sa`` and ``eb``, at any precision;
  repeating the parameter means AND (``date=ge...&date=le...``). A value is
  compared by where its range starts: ``ge X`` keeps values at or after the
  start of X, ``le X`` values before the end of X, ``eq X`` values inside X.
  A ``+`` that the query string turned into a space is read back as ``+``;
* ``reference`` (``patient``, ``subject``): ``id``, ``Patient/id`` or a full URL;
* ``_id``, ``_sort`` (``date``, ``-date``, any parameter above, ``_id``),
  ``_count`` (default :data:`DEFAULT_COUNT`, at most :data:`MAX_COUNT`) and
  ``_getpagesoffset`` (the offset the ``next`` link carries).

Unknown parameters and modifiers are refused with a message listing what is
supported, rather than silently ignored: a silently dropped filter returns
plausible but wrong data, which is the worst thing to train on.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from arollout.tasks.fhir.fhirtime import FhirTimeError, parse_range

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

__all__ = (
    "DEFAULT_COUNT",
    "MAX_COUNT",
    "PARAMETERS",
    "Query",
    "SearchError",
    "matches",
    "parse_query",
    "patient_filter",
    "sort_resources",
)

DEFAULT_COUNT: Final = 50
MAX_COUNT: Final = 500
_CONTROL: Final = frozenset({"_sort", "_count", "_getpagesoffset", "_format", "_pretty"})
_DATE_PREFIXES: Final = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")

Resource = dict[str, Any]


class SearchError(ValueError):
    """A search the server refuses (the message is shown to the client)."""


class Param(NamedTuple):
    """A search parameter: its type and how to read its values from a resource."""

    kind: str  # token | string | date | reference | id
    extract: Callable[[Resource], list[Any]]


def _concepts(*path: str) -> Callable[[Resource], list[Any]]:
    """Token values ``(system, code)`` of a CodeableConcept (or a list of them)."""

    def read(resource: Resource) -> list[Any]:
        value: Any = resource
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        items = value if isinstance(value, list) else [value]
        return [
            (coding.get("system"), coding.get("code"))
            for item in items
            if isinstance(item, dict)
            for coding in item.get("coding", ())
            if isinstance(coding, dict)
        ]

    return read


def _plain(key: str) -> Callable[[Resource], list[Any]]:
    return lambda r: [(None, r[key])] if isinstance(r.get(key), str) else []


def _identifiers(resource: Resource) -> list[Any]:
    return [
        (i.get("system"), i.get("value"))
        for i in resource.get("identifier", ())
        if isinstance(i, dict)
    ]


def _date(key: str) -> Callable[[Resource], list[Any]]:
    return lambda r: [r[key]] if isinstance(r.get(key), str) else []


def _subject(resource: Resource) -> list[Any]:
    subject = resource.get("subject")
    ref = subject.get("reference") if isinstance(subject, dict) else None
    return [ref] if isinstance(ref, str) else []


def _names(part: str) -> Callable[[Resource], list[Any]]:
    def read(resource: Resource) -> list[Any]:
        out: list[str] = []
        for name in resource.get("name", ()):
            if not isinstance(name, dict):
                continue
            family = name["family"] if isinstance(name.get("family"), str) else ""
            given = [g for g in name.get("given", ()) if isinstance(g, str)]
            if part in ("family", "name") and family:
                out.append(family)
            if part in ("given", "name"):
                out.extend(given)
            if part == "name":
                out.append(" ".join([*given, family]).strip())
        return out

    return read


_ID: Final = Param("id", lambda r: [r.get("id")])
_PATIENT: Final = Param("reference", _subject)
_CLINICAL: Final = {"_id": _ID, "patient": _PATIENT, "subject": _PATIENT}

PARAMETERS: Final[dict[str, dict[str, Param]]] = {
    "Patient": {
        "_id": _ID,
        "identifier": Param("token", _identifiers),
        "name": Param("string", _names("name")),
        "family": Param("string", _names("family")),
        "given": Param("string", _names("given")),
        "birthdate": Param("date", _date("birthDate")),
        "gender": Param("token", _plain("gender")),
    },
    "Observation": {
        **_CLINICAL,
        "code": Param("token", _concepts("code")),
        "category": Param("token", _concepts("category")),
        "date": Param("date", _date("effectiveDateTime")),
        "status": Param("token", _plain("status")),
    },
    "MedicationRequest": {
        **_CLINICAL,
        "code": Param("token", _concepts("medicationCodeableConcept")),
        "status": Param("token", _plain("status")),
        "intent": Param("token", _plain("intent")),
        "authoredon": Param("date", _date("authoredOn")),
    },
    "Condition": {
        **_CLINICAL,
        "code": Param("token", _concepts("code")),
        "clinical-status": Param("token", _concepts("clinicalStatus")),
        "category": Param("token", _concepts("category")),
        "onset-date": Param("date", _date("onsetDateTime")),
    },
    "Procedure": {
        **_CLINICAL,
        "code": Param("token", _concepts("code")),
        "status": Param("token", _plain("status")),
        "date": Param("date", _date("performedDateTime")),
    },
    "ServiceRequest": {
        **_CLINICAL,
        "code": Param("token", _concepts("code")),
        "status": Param("token", _plain("status")),
        "intent": Param("token", _plain("intent")),
        "authored": Param("date", _date("authoredOn")),
        "occurrence": Param("date", _date("occurrenceDateTime")),
    },
}
_DEFAULT_DATE: Final = {
    "Patient": "birthdate",
    "Observation": "date",
    "MedicationRequest": "authoredon",
    "Condition": "onset-date",
    "Procedure": "date",
    "ServiceRequest": "authored",
}


class Filter(NamedTuple):
    name: str
    modifier: str
    values: tuple[Any, ...]  # OR-ed; a date filter holds its parsed (prefix, range)


class Query(NamedTuple):
    """A parsed search: AND-ed filters, sort keys, page size and offset."""

    filters: tuple[Filter, ...]
    sort: tuple[tuple[str, bool], ...]  # (parameter, descending)
    page_size: int
    offset: int


def _int(name: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise SearchError(f"{name} must be an integer, got {text!r}") from None
    if not low <= value <= high:
        raise SearchError(f"{name} must be between {low} and {high}, got {value}")
    return value


def parse_query(resource_type: str, pairs: Sequence[tuple[str, str]]) -> Query:
    """Validate and parse ``pairs`` (the decoded query string) for ``resource_type``."""
    table = PARAMETERS[resource_type]
    filters: list[Filter] = []
    sort: list[tuple[str, bool]] = []
    count, offset = DEFAULT_COUNT, 0
    for raw_name, value in pairs:
        name, _, modifier = raw_name.partition(":")
        if name == "_sort":
            for key in filter(None, (k.strip() for k in value.split(","))):
                descending = key.startswith("-")
                key = key.lstrip("-")
                key = _DEFAULT_DATE[resource_type] if key == "date" and key not in table else key
                if key not in table:
                    raise SearchError(
                        f"cannot sort {resource_type} by {key!r}; use one of: {', '.join(table)}"
                    )
                sort.append((key, descending))
        elif name == "_count":
            count = _int("_count", value, 0, MAX_COUNT)
        elif name == "_getpagesoffset":
            offset = _int("_getpagesoffset", value, 0, 10**9)
        elif name in _CONTROL:
            continue
        elif name not in table:
            raise SearchError(
                f"unknown search parameter {name!r} for {resource_type}; supported: "
                f"{', '.join(sorted(table))}, _sort, _count"
            )
        else:
            kind = table[name].kind
            allowed = {"string": ("", "exact", "contains")}.get(kind, ("",))
            if modifier not in allowed:
                raise SearchError(f"modifier :{modifier} is not supported on {name!r}")
            values: tuple[Any, ...]
            if kind == "date":
                values = (_date_operand(value),)  # parsed once, and refused up front when malformed
            else:
                values = tuple(value.split(","))
            filters.append(Filter(name, modifier, values))
    return Query(tuple(filters), tuple(sort), count, offset)


@functools.lru_cache(maxsize=65_536)
def _range(text: str) -> tuple[dt.datetime, dt.datetime]:
    return parse_range(text)


def _date_operand(value: str) -> tuple[str, tuple[dt.datetime, dt.datetime]]:
    prefix = value[:2] if value[:2] in _DATE_PREFIXES else "eq"
    body = value[2:] if value[:2] in _DATE_PREFIXES else value
    body = body.replace(" ", "+")  # an unescaped '+' of a time zone arrives as a space
    try:
        return prefix, _range(body)
    except FhirTimeError as exc:
        raise SearchError(f"bad date parameter {value!r}: {exc}") from None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _token_hit(wanted: str, have: tuple[str | None, str | None]) -> bool:
    system, code = have
    if "|" not in wanted:
        return code == wanted
    want_system, want_code = wanted.split("|", 1)
    if not want_system:
        return system is None and code == want_code
    if not want_code:
        return system == want_system
    return system == want_system and code == want_code


def _date_hit(value: str, operand: tuple[str, tuple[dt.datetime, dt.datetime]]) -> bool:
    try:
        start, _ = _range(value)
    except FhirTimeError:
        return False
    prefix, (low, high) = operand
    inside = low <= start < high
    return {
        "eq": inside,
        "ne": not inside,
        "gt": start >= high,
        "sa": start >= high,
        "lt": start < low,
        "eb": start < low,
        "ge": start >= low,
        "le": start < high,
    }[prefix]


def _reference_id(value: str) -> str:
    value = value.rstrip("/")
    return value.rsplit("/", 1)[-1]


def _hit(kind: str, modifier: str, wanted: Any, have: Any) -> bool:
    if kind == "token":
        return _token_hit(wanted, have)
    if kind == "string":
        if modifier == "exact":
            return bool(have == wanted)
        folded, needle = _fold(have), _fold(wanted)
        return needle in folded if modifier == "contains" else folded.startswith(needle)
    if kind == "date":
        return _date_hit(have, wanted)
    if kind == "reference":
        return bool(_reference_id(have) == _reference_id(wanted))
    return bool(have == wanted)  # _id


def matches(resource_type: str, resource: Resource, query: Query) -> bool:
    """Whether ``resource`` satisfies every filter of ``query``."""
    table = PARAMETERS[resource_type]
    for flt in query.filters:
        param = table[flt.name]
        have = param.extract(resource)
        if not any(_hit(param.kind, flt.modifier, w, h) for w in flt.values for h in have):
            return False
    return True


def patient_filter(query: Query) -> str | None:
    """The one patient id the query is restricted to, if any (for the index)."""
    for flt in query.filters:
        if flt.name in ("patient", "subject") and len(flt.values) == 1:
            return _reference_id(flt.values[0])
    return None


def _sort_value(resource_type: str, name: str, resource: Resource) -> Any:
    param = PARAMETERS[resource_type][name]
    values = param.extract(resource)
    if not values:
        return None
    value = values[0]
    if param.kind == "date":
        try:
            return _range(value)[0]
        except FhirTimeError:
            return None
    if param.kind == "token":
        return value[1] or ""
    return _fold(value) if param.kind == "string" else str(value)


def sort_resources(resource_type: str, resources: list[Resource], query: Query) -> list[Resource]:
    """``resources`` in the query's order: by id, then each sort key (missing values last)."""
    out = sorted(resources, key=lambda r: str(r.get("id")))
    for name, descending in reversed(query.sort):
        present = [r for r in out if _sort_value(resource_type, name, r) is not None]
        missing = [r for r in out if _sort_value(resource_type, name, r) is None]
        present.sort(key=lambda r: _sort_value(resource_type, name, r), reverse=descending)
        out = present + missing
    return out
