"""What a task template produces, and the code its reference solutions share.

A template is a function ``(store, people, rng) -> Iterator[Instance]`` that
yields every candidate instance of one category, already checked against the
data (answers that depend on an unstated tie-break, windows that cut through
a result, or lists that printing "everything" would also match are never
yielded). :mod:`.build` shuffles, filters guessable answers and caps them.

Reference solutions are plain Python that talk to the server through the
prelude's ``fhir_get``/``fhir_post``, like an agent would; they never embed
a gold value, so the oracle check also checks the server.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from arollout.tasks.fhir import codes

if TYPE_CHECKING:
    import random
    from collections.abc import Callable, Iterator

    from arollout.tasks.base import Answer
    from arollout.tasks.fhir.facts import Person
    from arollout.tasks.fhir.store import BaseStore

__all__ = ("NOW_LINE", "Instance", "literal", "lookup", "solution")


class Instance(NamedTuple):
    """One task before it gets an id.

    Attributes:
        category: the template's category.
        params: what makes the instance (hashed into the id).
        question: the agent-facing task text.
        answer: the printed answer's typed gold value.
        solution: the reference solution (Python run in the sandbox).
        expect: the resources the episode must create (see :mod:`.orders`).
    """

    category: str
    params: dict[str, Any]
    question: str
    answer: Answer
    solution: str
    expect: tuple[dict[str, Any], ...] = ()


def lookup(mrn: str) -> str:
    """Reference-solution lines that resolve an MRN to the patient's FHIR id (``pid``)."""
    return "\n".join(
        [
            f"found = fhir_get('Patient', identifier={mrn!r})",
            "assert found['total'] == 1, found['total']",
            "pid = found['entry'][0]['resource']['id']",
        ]
    )


def solution(*blocks: str) -> str:
    """A reference solution from its blocks (each may span lines)."""
    return "\n".join(b.strip("\n") for b in blocks if b) + "\n"


def literal(value: Any) -> str:
    """A Python literal for ``value`` (JSON-compatible data only)."""
    return json.dumps(value) if isinstance(value, dict | list) else repr(value)


NOW_LINE = f"NOW = {codes.NOW_TEXT!r}"


if TYPE_CHECKING:
    Template: TypeAlias = Callable[[BaseStore, list[Person], random.Random], Iterator[Instance]]
    """A template: every candidate instance of one category."""
