"""The ``ehrcon`` suite: is a clinical note consistent with the EHR tables, mention by mention?

EHRCon (Kwon et al. 2024, arXiv 2406.16341) annotates real MIMIC-III notes,
which are credentialed; this suite writes its own notes from the records of
a MIMIC-III-schema database (the seeded synthetic hospital by default,
``source=demo`` for the database built from the MIMIC-III demo), so which
mentions disagree with the tables is known by construction and confirmed by
one query per mention. The agent gets the note (with tagged mentions), the
database read-only and the consistency rules, and prints the set of
inconsistent tags; grading is exact set equality (no partial credit, no
superset). It is an :class:`~arollout.tasks.ehr.EhrSuite` with its own task
builder: mounts, ``request_info`` and the task cache come from the
framework.

Building: for each category, admissions that can carry its note type are
visited in a seeded order (several rounds, each with its own RNG, until the
quota is met). A composed note is kept only when every claim's query
(:func:`~arollout.tasks.ehrcon.claims.consistent`) agrees with the labels it
was built with, and when no answer read off the note's form
(:func:`form_guesses`) equals its gold set. Ids hash the suite, the database
key, the category, the admission and the round; splits are a pure function of
the id.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from arollout.errors import ConfigError
from arollout.tasks.base import Answer, Task
from arollout.tasks.ehr.database import DB_FILENAME
from arollout.tasks.ehr.instances import drop_catch_alls, split_of
from arollout.tasks.ehr.suite import EhrSuite, SuiteSpec
from arollout.tasks.ehrcon.claims import RULES, consistent, reference_solution
from arollout.tasks.ehrcon.facts import load
from arollout.tasks.ehrcon.notes import CATEGORIES, Note, compose
from arollout.tasks.grading import Trivial, guessable
from arollout.tasks.mimic.build import build_demo, build_synthetic
from arollout.tasks.mimic.schema import SCHEMA
from arollout.tasks.registry import int_option, path_option, root_option

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Mapping, Sequence

    from arollout.tasks.ehr.database import DatabaseLike
    from arollout.tasks.ehrcon.facts import Admission

__all__ = (
    "DEFAULT_PER_CATEGORY",
    "EhrconSuite",
    "GENERATOR_VERSION",
    "build_tasks",
    "form_guesses",
    "make_suite",
    "question",
)

DEFAULT_PER_CATEGORY: Final = 500
"""Notes per category (12 categories: 6,000 tasks)."""

DEFAULT_PATIENTS: Final = 1000

ANSWER: Final = """\
The LAST non-empty line your code prints to stdout is your answer: a JSON list of the tags of the
inconsistent mentions, e.g. ["E2", "E5"] (any order). It must name every inconsistent mention and
no consistent one. Your answer is checked as soon as code prints it."""

NOTES: Final = (
    "Each task gives a clinical note (a discharge summary or an ICU nursing note) about one\n"
    "admission; the database holds that admission's records. "
)


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


class EhrconSuite(EhrSuite):
    """Notes with tagged mentions, checked against a MIMIC-III-schema database."""

    def build_tasks(self, con: sqlite3.Connection, db: DatabaseLike) -> Sequence[Task]:
        return build_tasks(
            con, db, suite=self.name, per_category=self.per_category, data_root=self.data_root
        )

    def instructions(self) -> str:
        base = super().instructions()
        head, sep, tail = base.partition("## Actions")
        return f"{head}## Consistency rules\n{RULES}\n\n{sep}{tail}"

    def trivial_codes(self, task: Task) -> list[Trivial]:
        """Answers read off the note's form (see :func:`form_guesses`); instance building
        already drops the notes any of them would solve."""
        out = []
        for label, group in form_guesses(task.meta["mentions"]).items():
            line = json.dumps(group)
            out.append(Trivial(f"{label} of the note", f"print({line!r})", line + "\n"))
        return out


def _code() -> str:
    """A digest of this package's modules: tasks are rebuilt whenever the generator changes."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _spec(data_root: str) -> SuiteSpec:
    return SuiteSpec(
        name="ehrcon",
        schema=SCHEMA,
        templates=(),
        data_root=data_root,
        notes=NOTES,
        answer=ANSWER,
        version=GENERATOR_VERSION,
    )


def make_suite(options: Mapping[str, Any]) -> EhrconSuite:
    """``ehrcon``: options ``source`` (synthetic|demo), ``patients``, ``seed``,
    ``per_category``, ``data_dir`` (demo folder), ``cache_dir``, ``data_root``."""
    source = options.get("source", "synthetic")
    if source not in ("synthetic", "demo"):
        raise ConfigError(f"option 'source' must be 'synthetic' or 'demo', got {source!r}")
    seed = int_option(options, "seed", 0, minimum=0)
    per_category = int_option(options, "per_category", DEFAULT_PER_CATEGORY, minimum=1)
    cache_dir = path_option(options, "cache_dir")
    data_root = root_option(options, "data_root", "/data/ehrcon")
    if source == "demo":
        data_dir = path_option(options, "data_dir")
        return EhrconSuite(
            _spec(data_root),
            lambda: build_demo(data_dir, seed=seed, cache_dir=cache_dir),
            per_category=per_category,
            options={"source": "demo", "seed": seed, "code": _code()},
        )
    patients = int_option(options, "patients", DEFAULT_PATIENTS, minimum=10)
    return EhrconSuite(
        _spec(data_root),
        lambda: build_synthetic(seed, patients, cache_dir),
        per_category=per_category,
        options={"source": "synthetic", "seed": seed, "patients": patients, "code": _code()},
    )
