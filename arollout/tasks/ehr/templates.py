"""Question templates: question text, gold SQL, slot samplers and the answer kind.

A :class:`Template` is an EHRSQL-style pattern (``glee4810/EHRSQL``: a
question with slots, the SQL with the same slots): here the gold SQL takes
the slots as named ``:parameters``, and a slot sampler lists real values from
the database (``candidates`` SQL, one row per candidate slot assignment)
so that questions are about rows that exist. ``refine`` draws the slots that
are not in the data (an aggregate, a threshold, a window) with the seeded
RNG. The answer is whatever the gold SQL returns on the very database the
agent queries (:mod:`arollout.tasks.ehr.instances`).

``ambiguous`` is SQL over the same slots that returns a truthy value when the
instance would depend on an unstated tie-break (two drugs at the same first
minute, tied counts at a top-k cut, a threshold equal to a measured value);
such instances are dropped rather than graded against an arbitrary choice.

Keyword fields (``{agg}`` in the SQL) are filled by ``str.format`` and must
come from a fixed whitelist chosen in ``refine`` (never from data), so no data
value is ever spliced into SQL text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, final

if TYPE_CHECKING:
    import random
    import sqlite3
    from collections.abc import Callable

    from arollout.tasks.base import AnswerKind

__all__ = (
    "AGGREGATES",
    "FORMAT_HINTS",
    "Slots",
    "Template",
    "keep",
    "run_gold",
    "sql_params",
    "with_aggregate",
    "with_choice",
)

Slots = dict[str, Any]

FORMAT_HINTS: Final[dict[str, str]] = {
    "integer": "Print the answer as a single integer on the last line of stdout.",
    "number": "Print the answer as a single number with at least two decimal places on the last line of stdout.",
    "text": "Print the answer exactly as it is stored in the database on the last line of stdout.",
    "bool": "Print true or false on the last line of stdout.",
    "date": "Print the timestamp as YYYY-MM-DD HH:MM:SS on the last line of stdout.",
    "set": "Print the answer as a JSON list of strings (any order, no duplicates) on the last line of stdout.",
    "list": "Print the answer as a JSON list of strings, in the requested order, on the last line of stdout.",
}
"""What each answer kind asks the agent to print (appended to every question)."""

AGGREGATES: Final = (("maximum", "MAX"), ("minimum", "MIN"), ("average", "AVG"))
"""(question word, SQL function) pairs that ``with_aggregate`` draws from."""

_PARAM = re.compile(r"(?<!:):([A-Za-z_]\w*)")


def keep(slots: Slots, _rng: random.Random) -> Slots | None:
    """The default ``refine``: the candidate row is the whole slot assignment."""
    return slots


@final
@dataclass(frozen=True, kw_only=True)
class Template:
    """One question pattern.

    Attributes:
        name: stable identifier (part of every task id; never rename).
        category: the category reported in results (several templates may share one).
        question: ``str.format`` text over the slots.
        sql: gold SQL; ``:name`` parameters come from the slots, ``{name}``
            fields are SQL keywords from a fixed whitelist (see ``refine``).
        kind: the answer kind (see :mod:`arollout.tasks.verify`).
        candidates: SQL listing slot assignments that exist in the database
            (its column names are slot names).
        refine: completes or rejects one candidate with the seeded RNG.
        ambiguous: SQL returning a truthy value when the answer depends on a tie.
        rel_tol / abs_tol: numeric tolerance of ``number`` answers.
        signed: whether a negative ``integer``/``number`` answer is meaningful
            (a change between two measurements); otherwise it is dropped as
            degenerate (a negative duration means a bad time reference).
        max_items: the largest ``set``/``list`` answer worth grading.
        hint: replaces the kind's :data:`FORMAT_HINTS` line.
    """

    name: str
    category: str
    question: str
    sql: str
    kind: AnswerKind
    candidates: str
    refine: Callable[[Slots, random.Random], Slots | None] = field(default=keep)
    ambiguous: str | None = None
    rel_tol: float = 1e-6
    abs_tol: float = 0.0
    signed: bool = False
    max_items: int = 20
    hint: str | None = None

    def render_sql(self, slots: Slots) -> str:
        """The SQL text with keyword fields filled (parameters stay ``:name``)."""
        return self.sql.format(**slots).strip()

    def render_question(self, slots: Slots) -> str:
        """The question as the agent sees it, with the line saying what to print."""
        hint = self.hint if self.hint is not None else FORMAT_HINTS[self.kind]
        return f"{self.question.format(**slots)} {hint}"


def sql_params(sql: str, slots: Slots) -> dict[str, Any]:
    """The named parameters ``sql`` uses, taken from ``slots`` (in order of use)."""
    return {name: slots[name] for name in dict.fromkeys(_PARAM.findall(sql))}


def run_gold(con: sqlite3.Connection, template: Template, slots: Slots) -> list[tuple[Any, ...]]:
    """Execute the gold SQL of ``template`` for ``slots``."""
    sql = template.render_sql(slots)
    return con.execute(sql, sql_params(sql, slots)).fetchall()


def with_choice(
    options: tuple[tuple[str, str], ...], *, word: str, keyword: str
) -> Callable[[Slots, random.Random], Slots | None]:
    """A ``refine`` that draws one ``(question word, SQL keyword)`` pair.

    ``word`` and ``keyword`` name the slots: ``{word}`` goes into the
    question, ``{keyword}`` into the SQL text.
    """

    def refine(slots: Slots, rng: random.Random) -> Slots | None:
        text, sql = rng.choice(options)
        return {**slots, word: text, keyword: sql}

    return refine


with_aggregate: Final = with_choice(AGGREGATES, word="agg_word", keyword="agg")
"""Draw ``agg_word``/``agg`` (maximum/MAX, minimum/MIN, average/AVG)."""
