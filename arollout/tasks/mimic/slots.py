"""Slot samplers and SQL pieces shared by the MIMIC-III-schema templates.

Templates draw their data slots (a patient, an admission, a lab label) from
``candidates`` SQL; the samplers here draw the slots that are not data: a
threshold just above or below a measured extreme (so an existence question is
balanced and never decided by a tie), a look-back window, an age band. The
SQL fragments spell the EHRSQL idioms once: a lab label resolves through
``d_labitems``, a vital or fluid through ``d_items`` and its ``linksto``, and
"now" is the fixed :data:`~arollout.tasks.ehr.CURRENT_TIME` literal, never
SQLite's clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.ehr.database import CURRENT_TIME

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

    from arollout.tasks.ehr.templates import Slots

__all__ = (
    "INPUT",
    "LAB",
    "NOW",
    "NUMBER",
    "OUTPUT",
    "VITAL",
    "age_band",
    "chain",
    "months_back",
    "ranks",
    "threshold",
    "top_k",
    "top_k_tie",
)

NOW: Final = f"'{CURRENT_TIME}'"
""""Now" as an SQL literal (EHRSQL's evaluator replaces ``current_time`` by it)."""

LAB: Final = "SELECT itemid FROM d_labitems WHERE label = :lab"
VITAL: Final = "SELECT itemid FROM d_items WHERE label = :vital AND linksto = 'chartevents'"
INPUT: Final = "SELECT itemid FROM d_items WHERE label = :item AND linksto = 'inputevents_cv'"
OUTPUT: Final = "SELECT itemid FROM d_items WHERE label = :item AND linksto = 'outputevents'"

NUMBER: Final[dict[str, Any]] = {"rel_tol": 1e-4, "abs_tol": 0.005}
"""Tolerance of computed numbers: a value rounded to two decimals passes."""


def _decimals(value: float) -> int:
    text = repr(float(value))
    return 0 if text.endswith(".0") else min(2, len(text.partition(".")[2]))


def threshold(key: str = "ref") -> Callable[[Slots, random.Random], Slots | None]:
    """Replace slot ``key`` (an observed extreme) by ``threshold``: 50/50 just
    above or just below it, at the value's own precision."""

    def refine(slots: Slots, rng: random.Random) -> Slots | None:
        slots = dict(slots)
        ref = slots.pop(key)
        if ref is None:
            return None
        ref = float(ref)
        places = _decimals(ref)
        step = 10.0**-places
        delta = max(step, round(abs(ref) * rng.uniform(0.02, 0.15), places))
        value = ref + delta if rng.random() < 0.5 else ref - delta
        slots["threshold"] = round(value, places) if places else int(round(value))
        return slots if slots["threshold"] > 0 else None

    return refine


def months_back(slots: Slots, rng: random.Random) -> Slots | None:
    """A look-back window of 6, 12, 24 or 36 months before "now"."""
    months = rng.choice((6, 12, 24, 36))
    return {**slots, "months": months, "window": f"-{months} month"}


def age_band(slots: Slots, rng: random.Random) -> Slots | None:
    """A decade of age at admission: ``lo`` to ``hi`` inclusive (40 to 49 ...)."""
    lo = rng.choice((20, 30, 40, 50, 60, 70, 80))
    return {**slots, "lo": lo, "hi": lo + 9}


def chain(
    *steps: Callable[[Slots, random.Random], Slots | None],
) -> Callable[[Slots, random.Random], Slots | None]:
    """Apply several samplers in turn (``None`` from any rejects the candidate)."""

    def refine(slots: Slots, rng: random.Random) -> Slots | None:
        out: Slots | None = slots
        for step in steps:
            if out is None:
                return None
            out = step(out, rng)
        return out

    return refine


_K_WORDS: Final = {3: "three", 4: "four", 5: "five"}


def ranks(slots: Slots, rng: random.Random) -> Slots | None:
    """How many top items a ranking asks for: ``k`` of 3, 4 or 5 (and its neighbours)."""
    k = rng.choice(tuple(_K_WORDS))
    return {**slots, "k": k, "k_word": _K_WORDS[k], "k_next": k + 1, "k_prev": k - 1}


def top_k(counts_sql: str, k: int | str = "{k}") -> str:
    """The ``k`` titles of ``counts_sql`` (columns ``title``, ``n``) with the largest ``n``."""
    return f"SELECT title FROM ({counts_sql}) ORDER BY n DESC, title LIMIT {k}"


def top_k_tie(counts_sql: str, k: int | None = None) -> str:
    """SQL that is true when the ``k``-th and ``k+1``-th counts of ``counts_sql``
    are equal, or there are fewer than ``k`` rows (``k=None``: the ``{k}``,
    ``{k_next}`` and ``{k_prev}`` slots of :func:`ranks`)."""
    n, n1, n0 = ("{k}", "{k_next}", "{k_prev}") if k is None else (k, k + 1, k - 1)
    return (
        f"WITH c AS MATERIALIZED ({counts_sql}), r AS MATERIALIZED (SELECT n FROM c ORDER BY n DESC LIMIT {n1}) "
        f"SELECT COUNT(*) < {n} OR (COUNT(*) = {n1} AND MIN(n) = "
        f"(SELECT n FROM r ORDER BY n DESC LIMIT 1 OFFSET {n0})) FROM r"
    )
