"""Admissions -> verified ``ehrcon`` tasks.

For each category, admissions that can carry its note type are visited in a
seeded order (several rounds, each with its own RNG, until the quota is
met). A composed note is kept only when every claim's query
(:func:`~arollout.tasks.ehrcon.claims.consistent`) agrees with the labels it
was built with, so the gold set is both known by construction and what the
database says. Ids hash the suite, the database key, the category, the
admission and the round; splits are a pure function of the id.
"""

from __future__ import annotations

import hashlib
import json
import random
from typing import TYPE_CHECKING, Final

from arollout.tasks.base import Answer, Task
from arollout.tasks.ehr.database import DB_FILENAME
from arollout.tasks.ehr.instances import drop_catch_alls, split_of
from arollout.tasks.ehrcon.claims import consistent, reference_solution
from arollout.tasks.ehrcon.facts import load
from arollout.tasks.ehrcon.notes import CATEGORIES, Note, compose
from arollout.tasks.grading import guessable

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    from arollout.tasks.ehr.database import DatabaseLike
    from arollout.tasks.ehrcon.facts import Admission

__all__ = ("GENERATOR_VERSION", "MAX_ROUNDS", "build_tasks", "form_guesses", "question")

GENERATOR_VERSION: Final = 1
MAX_ROUNDS: Final = 12

_ASK: Final = (
    "Check this {what} against the EHR database, mention by mention. The note is about admission "
    "{hadm}{stay}; each checked mention is tagged [E1], [E2], ... right after it. Decide which "
    "mentions the tables contradict, following the consistency rules of the instructions (at least "
    "one mention is inconsistent and at least one is consistent).\n"
    'Print the tags of the INCONSISTENT mentions as a JSON list on the last line, e.g. ["E2", "E5"].'
    "\n\n--- NOTE ---\n{text}\n--- END OF NOTE ---"
)


def question(note_type: str, adm: Admission, note: Note) -> str:
    what = "discharge summary" if note_type == "discharge" else "ICU nursing note"
    stay = "" if note.stay is None else f" (ICU stay {note.stay})"
    return _ASK.format(what=what, hadm=adm.hadm_id, stay=stay, text=note.text)


def form_guesses(mentions: Sequence[str]) -> dict[str, list[str]]:
    """Tag sets a data-free answer would pick from the note's form alone, by label:
    every tag, the denials, the statements, the first or last tag, every drug,
    every measurement. ``mentions`` are the claim kinds in tag order (``lab``,
    ``drug_any/denied``, ...)."""
    tags = [f"E{i + 1}" for i in range(len(mentions))]
    pairs = list(zip(tags, mentions, strict=True))
    groups = {
        "every tag": tags,
        "every denial": [t for t, k in pairs if k.endswith("/denied")],
        "every statement": [t for t, k in pairs if not k.endswith("/denied")],
        "the first tag": tags[:1],
        "the last tag": tags[-1:],
        "every drug": [t for t, k in pairs if k == "drug"],
        "every measurement": [t for t, k in pairs if k in ("lab", "vital", "output")],
        "every date": [t for t, k in pairs if k in ("admit", "discharge", "culture", "icu")],
    }
    return {label: group for label, group in groups.items() if group}


def _verified(con: sqlite3.Connection, note: Note) -> bool:
    wrong = set(note.wrong)
    return all(consistent(con, c) == (c.eid not in wrong) for c in note.claims)


def build_tasks(
    con: sqlite3.Connection, db: DatabaseLike, *, suite: str, per_category: int, data_root: str
) -> list[Task]:
    """Up to ``per_category`` verified notes per category on ``db`` (``con`` is open on it)."""
    adms, catalog = load(con)
    tasks: list[Task] = []
    for category in CATEGORIES:
        note_type = category.split("_", 1)[0]
        order = sorted(adms)
        random.Random(f"ehrcon/order/{db.key}/{category}").shuffle(order)
        made: list[Task] = []
        for round_ in range(MAX_ROUNDS):
            for hadm in order:
                if len(made) >= per_category:
                    break
                rng = random.Random(
                    f"ehrcon/{GENERATOR_VERSION}/{db.key}/{category}/{hadm}/{round_}"
                )
                note = compose(category, adms[hadm], catalog, rng)
                if note is None or not _verified(con, note):
                    continue
                answer = Answer(kind="set", value=list(note.wrong))
                mentions = [c.kind + ("/denied" if c.negated else "") for c in note.claims]
                guesses = form_guesses(mentions).values()
                if guessable(answer) or any(set(g) == set(note.wrong) for g in guesses):
                    continue
                blob = json.dumps([suite, db.key, category, hadm, round_])
                tid = f"{suite}/{category}/{hashlib.sha256(blob.encode()).hexdigest()[:12]}"
                made.append(
                    Task(
                        id=tid,
                        suite=suite,
                        category=category,
                        split=split_of(tid),
                        question=question(note_type, adms[hadm], note),
                        answer=answer,
                        reference_solution=reference_solution(
                            note.claims, f"{data_root}/{DB_FILENAME}"
                        ),
                        meta={
                            "hadm_id": hadm,
                            "icustay_id": note.stay,
                            "mentions": mentions,
                            "database": db.key,
                        },
                    )
                )
            if len(made) >= per_category:
                break
        tasks.extend(drop_catch_alls(made))
    return tasks
