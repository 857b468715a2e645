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
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from arollout.errors import ConfigError
from arollout.tasks.ehr.suite import EhrSuite, SuiteSpec
from arollout.tasks.ehrcon.claims import RULES
from arollout.tasks.ehrcon.instances import GENERATOR_VERSION, build_tasks, form_guesses
from arollout.tasks.grading import Trivial
from arollout.tasks.mimic.build import build_demo, build_synthetic
from arollout.tasks.mimic.schema import SCHEMA
from arollout.tasks.registry import int_option, path_option, root_option

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Mapping, Sequence

    from arollout.tasks.base import Task
    from arollout.tasks.ehr.database import DatabaseLike

__all__ = ("DEFAULT_PER_CATEGORY", "EhrconSuite", "make_suite")

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
