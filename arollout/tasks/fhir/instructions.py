"""What the agent is told: the system prompt and the ``request_info`` answers.

The prompt documents the one endpoint the sandbox can reach, the helpers the
prelude defines, the search parameters the server supports, the fixed "now",
and the exact resource shapes the write tasks are graded against, so a task
question only has to say *what* to order. Nothing here depends on a task, so
it never leaks an answer.
"""

from __future__ import annotations

import json
from typing import Final

from arollout.tasks.fhir import codes, search
from arollout.tasks.fhir.store import MAX_WRITES
from arollout.tasks.fhir.validate import WRITABLE

__all__ = ("FORMATS", "INSTRUCTIONS", "request_info")

_P = "Patient/<patient id>"
FORMATS: Final[dict[str, dict[str, object]]] = {
    "blood pressure (Observation)": {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "vital-signs"}]}],
        "code": {"coding": [{"system": codes.LOINC, "code": codes.BP_PANEL.code}]},
        "subject": {"reference": _P},
        "effectiveDateTime": codes.NOW_TEXT,
        "component": [
            {
                "code": {"coding": [{"system": codes.LOINC, "code": codes.BP_SYSTOLIC.code}]},
                "valueQuantity": {"value": 120, "unit": "mmHg"},
            },
            {
                "code": {"coding": [{"system": codes.LOINC, "code": codes.BP_DIASTOLIC.code}]},
                "valueQuantity": {"value": 80, "unit": "mmHg"},
            },
        ],
    },
    "medication order (MedicationRequest)": {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": codes.RXNORM, "code": "<RxNorm code>"}]
        },
        "subject": {"reference": _P},
        "authoredOn": codes.NOW_TEXT,
        "dosageInstruction": [
            {
                "route": {"text": "IV or oral"},
                "doseAndRate": [{"doseQuantity": {"value": 2, "unit": "g or mEq"}}],
                "timing": {"repeat": {"duration": 2, "durationUnit": "h"}},
            }
        ],
    },
    "lab test or referral (ServiceRequest)": {
        "resourceType": "ServiceRequest",
        "status": "active",
        "intent": "order",
        "priority": "routine, urgent or stat",
        "code": {
            "coding": [{"system": "<http://loinc.org or http://snomed.info/sct>", "code": "<code>"}]
        },
        "subject": {"reference": _P},
        "authoredOn": codes.NOW_TEXT,
        "occurrenceDateTime": "<only when the task gives a time>",
        "note": [{"text": "<only when the task gives a note>"}],
    },
}


def _params() -> str:
    return "\n".join(f"- {rtype}: {', '.join(table)}" for rtype, table in search.PARAMETERS.items())


def _formats() -> str:
    return "\n\n".join(f"{name}:\n{json.dumps(body, indent=2)}" for name, body in FORMATS.items())


INSTRUCTIONS: Final = f"""\
You are a clinical informatics assistant working in a hospital's electronic health record through
its FHIR R4 API. You act by writing Python code that runs in a sandbox; the sandbox has Python 3 and
the standard library, no internet, and exactly one reachable server: the FHIR server at
{codes.FHIR_BASE}.

## Talking to the server
These are already defined in your code (no import needed):
- fhir_get(path, params=None, **params) -> parsed JSON. path is "Patient", "Observation/<id>",
  "Observation?code=..." or a full URL under {codes.FHIR_BASE}. A search returns a Bundle
  ({{"total": n, "entry": [{{"resource": ...}}], "link": [...]}}); a read returns the resource.
  Parameters whose names are not Python identifiers go in the params dict, e.g.
  fhir_get("Condition", {{"clinical-status": "active"}}, patient=pid). A list value repeats the
  parameter: date=["ge2023-11-01", "le2023-11-13"].
- fhir_search_all(path, params=None, **params) -> every matching resource, following the pages.
- fhir_post(resource_type, body) -> the created resource, with the id the server assigned.
- FhirRequestError: raised when the server refuses a request; its message says why.
urllib.request.urlopen("{codes.FHIR_BASE}/...") works too; other hosts are unreachable.

Searchable resources and parameters (plus _sort, _count; see request_info for details):
{_params()}
- Patients are found by MRN with Patient?identifier=<MRN>. A patient's FHIR id is NOT the MRN:
  references always use the id, as {{"reference": "Patient/<id>"}}.
- Lab results and vital signs are Observations coded with LOINC: search code=http://loinc.org|<code>
  (or just the code). Each value is in valueQuantity (value, unit).
- Dates: date=ge<when>&date=le<when>, with when as YYYY-MM-DD or a full date-time with zone.
- Results come in id order, not by date: use _sort=-date to get the newest first. A page holds
  {search.DEFAULT_COUNT} entries unless you set _count (at most {search.MAX_COUNT}); fhir_search_all reads every page.

## Time
"Now" is {codes.NOW_TEXT} for every task. Never use the clock of the machine you run on. "The last
24 hours" means effective times from 24 hours before now up to now.

## Writing
You may create {", ".join(WRITABLE)} resources with fhir_post. Every POST is a real order: it stays
on the server for the rest of this conversation, across all your code runs, and cannot be undone.
When a task is checked, the resources you created must be exactly the ones the task asks for: a
missing, wrong, duplicate or extra order fails the task, and on a task that asks for no order any
order fails it. Do not post to test; do not post the same order twice. At most {MAX_WRITES} creations
per task. Times must carry a zone (use "{codes.NOW_TEXT}" for now). Use these shapes (fill in the
values the task gives; leave out the optional fields the task does not mention):

{_formats()}

## Actions
Reply with exactly one action per turn, as a single fenced json block:

```json
{{"action": "validate_code", "params": {{"code": "<python code>"}}}}
```
runs the code and shows you its stdout and stderr.

Other actions:
- {{"action": "request_info", "params": {{"query": "<resource type, 'codes' or a term>"}}}}
  describes the API without running code: a resource type lists its search parameters, 'codes'
  lists the code systems and codes in use, any other term is searched among the codes' names.
- {{"action": "debug", "params": {{"code": "<python code>", "error_msg": "<the error you got>"}}}}
  asks for help with an error.

## Answer
The LAST non-empty line your code prints to stdout is your answer; earlier lines may be anything.
Print only what the question asks for on that line, in its format (a number, an integer, an MRN or
id, a date YYYY-MM-DD, or a JSON list). Your work is checked after every run of your code.
"""

_CODE_TABLE: Final = [
    *(
        f"LOINC {lab.loinc}: {lab.display} ({lab.unit}; local code {lab.alias})"
        for lab in codes.LABS
    ),
    *(
        f"LOINC {c.code}: {c.display}"
        for c in (codes.BP_PANEL, codes.BP_SYSTOLIC, codes.BP_DIASTOLIC)
    ),
    *(f"RxNorm {code}: {name}" for code, name in codes.MEDICATIONS),
    *(f"RxNorm {c.code}: {c.display}" for c in (codes.MAGNESIUM_SULFATE, codes.POTASSIUM_CHLORIDE)),
    *(f"ICD-10-CM {code}: {name}" for code, name, _ in codes.CONDITIONS),
    *(f"SNOMED CT {c.code}: {c.display}" for c in codes.PROCEDURES),
    *(f"SNOMED CT {c.code}: {c.display}" for c, _ in codes.REFERRALS),
]
_SYSTEMS: Final = (
    f"Code systems: LOINC {codes.LOINC}, RxNorm {codes.RXNORM}, ICD-10-CM {codes.ICD10}, "
    f"SNOMED CT {codes.SNOMED}, MRN identifiers {codes.MRN_SYSTEM}."
)


def request_info(query: str) -> str:
    """Describe a resource type, list the codes, or search the codes' names for ``query``."""
    term = query.strip()
    for rtype, table in search.PARAMETERS.items():
        if term.casefold() == rtype.casefold():
            lines = [
                f"{name} ({param.kind if param.kind != 'id' else 'token'})"
                for name, param in table.items()
            ]
            writable = "writable with fhir_post" if rtype in WRITABLE else "read-only"
            return f"{rtype} ({writable}); search parameters: " + "; ".join(lines)
    if term.casefold() in ("codes", "code", "code systems"):
        return _SYSTEMS + "\n" + "\n".join(_CODE_TABLE)
    if term.casefold() in ("formats", "format", "orders"):
        return _formats()
    hits = [line for line in _CODE_TABLE if term and term.casefold() in line.casefold()]
    if hits:
        return "\n".join(hits[:20])
    return (
        f"nothing matches {term!r}. Ask for a resource type ({', '.join(search.PARAMETERS)}), "
        "'codes' or 'formats'."
    )
