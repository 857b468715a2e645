"""Resources in memory: one shared, read-only base and one overlay per episode.

The base (the generated population) is indexed once and shared by every
episode; nothing ever mutates it. An :class:`EpisodeStore` layers the
resources one episode created on top: its searches see the base plus its own
writes, and no other episode's. Grading reads :attr:`EpisodeStore.created`,
the episode's complete write log, so the server's state, not the agent's
account of it, decides a write task.

Created ids are derived from the episode's salt and a counter, so a run is
reproducible; ``meta.lastUpdated`` is the fixed "now".
"""

from __future__ import annotations

import copy
import hashlib
from typing import TYPE_CHECKING, Any, Final, final
from urllib.parse import urlencode

from arollout.tasks.fhir import codes, search
from arollout.tasks.fhir.validate import WRITABLE, validate

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ("MAX_WRITES", "BaseStore", "EpisodeStore", "FhirError", "outcome")

MAX_WRITES: Final = 50
"""Most resources one episode may create (a runaway loop gets 429s, not memory)."""

Resource = dict[str, Any]


class FhirError(Exception):
    """A request the server answers with an OperationOutcome and ``status``."""

    def __init__(self, status: int, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def outcome(message: str, code: str = "invalid") -> Resource:
    """An OperationOutcome with one error issue."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    }


@final
class BaseStore:
    """The immutable population, indexed by type, by id and by patient."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self._by_key: dict[tuple[str, str], Resource] = {}
        self._by_type: dict[str, list[Resource]] = {t: [] for t in search.PARAMETERS}
        self._by_patient: dict[tuple[str, str], list[Resource]] = {}
        for resource in resources:
            rtype, rid = resource["resourceType"], resource["id"]
            self._by_key[(rtype, rid)] = resource
            self._by_type[rtype].append(resource)
            ref = resource.get("subject", {}).get("reference", "")
            if ref.startswith("Patient/"):
                self._by_patient.setdefault((rtype, ref[8:]), []).append(resource)
        for group in (*self._by_type.values(), *self._by_patient.values()):
            group.sort(key=lambda r: str(r["id"]))

    def get(self, resource_type: str, rid: str) -> Resource | None:
        return self._by_key.get((resource_type, rid))

    def of_type(self, resource_type: str) -> Sequence[Resource]:
        return self._by_type.get(resource_type, [])

    def of_patient(self, resource_type: str, pid: str) -> Sequence[Resource]:
        return self._by_patient.get((resource_type, pid), [])

    def __len__(self) -> int:
        return len(self._by_key)


@final
class EpisodeStore:
    """One episode's view: the base plus the resources this episode created.

    Args:
        base: the shared population.
        salt: makes created ids differ between tasks (any string).
    """

    def __init__(self, base: BaseStore, salt: str = "") -> None:
        self.base = base
        self.salt = salt
        self.created: list[Resource] = []
        self.rejected = 0

    def read(self, resource_type: str, rid: str) -> Resource:
        if resource_type not in search.PARAMETERS:
            raise FhirError(404, f"unknown resource type {resource_type!r}", "not-supported")
        found = self.base.get(resource_type, rid) or next(
            (r for r in self.created if r["resourceType"] == resource_type and r["id"] == rid), None
        )
        if found is None:
            raise FhirError(404, f"{resource_type}/{rid} is not known", "not-found")
        return found

    def search(
        self, resource_type: str, pairs: Sequence[tuple[str, str]], self_url: str
    ) -> Resource:
        """A searchset Bundle for the query ``pairs`` (with a ``next`` link when paged)."""
        if resource_type not in search.PARAMETERS:
            raise FhirError(404, f"unknown resource type {resource_type!r}", "not-supported")
        try:
            query = search.parse_query(resource_type, pairs)
        except search.SearchError as exc:
            raise FhirError(400, str(exc)) from None
        pid = search.patient_filter(query)
        pool: Sequence[Resource]
        if pid is not None and resource_type != "Patient":
            pool = self.base.of_patient(resource_type, pid)
        else:
            pool = self.base.of_type(resource_type)
        own = [r for r in self.created if r["resourceType"] == resource_type]
        hits = [r for r in (*pool, *own) if search.matches(resource_type, r, query)]
        hits = search.sort_resources(resource_type, hits, query)
        page = hits[query.offset : query.offset + query.page_size]
        bundle: Resource = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(hits),
            "link": [{"relation": "self", "url": self_url}],
            "entry": [
                {
                    "fullUrl": f"{codes.FHIR_BASE}/{resource_type}/{r['id']}",
                    "resource": r,
                    "search": {"mode": "match"},
                }
                for r in page
            ],
        }
        if query.page_size and query.offset + query.page_size < len(hits):
            rest = [(k, v) for k, v in pairs if k != "_getpagesoffset"]
            rest.append(("_getpagesoffset", str(query.offset + query.page_size)))
            bundle["link"].append(
                {"relation": "next", "url": f"{codes.FHIR_BASE}/{resource_type}?{urlencode(rest)}"}
            )
        return bundle

    def create(self, resource_type: str, body: Any) -> Resource:
        """Validate ``body``, store a copy with a fresh id, and return it."""
        if resource_type not in WRITABLE:
            self.rejected += 1
            known = resource_type in search.PARAMETERS
            raise FhirError(
                405 if known else 404,
                f"{resource_type} cannot be created here; writable types: {', '.join(WRITABLE)}",
                "not-supported",
            )
        if len(self.created) >= MAX_WRITES:
            self.rejected += 1
            raise FhirError(
                429, f"this episode already created {MAX_WRITES} resources", "throttled"
            )
        problems = validate(
            resource_type, body, lambda pid: self.base.get("Patient", pid) is not None
        )
        if problems:
            self.rejected += 1
            raise FhirError(400, "; ".join(problems))
        stored: Resource = copy.deepcopy(body)
        digest = hashlib.sha256(f"{self.salt}|{len(self.created)}".encode()).hexdigest()
        stored["id"] = f"{int(digest[:12], 16) | (1 << 47):012x}"
        stored["meta"] = {"versionId": "1", "lastUpdated": codes.NOW_TEXT}
        self.created.append(stored)
        return stored
