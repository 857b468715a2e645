"""The ``ehr-seqsql`` suite: EHR-SeqSQL-style sequences of dependent questions.

Each task is a sequence of 2-4 questions over the MIMIC-III schema where
every question builds on the previous answers; the agent prints one JSON
list with every answer in order (see :mod:`.instances` for how it is
graded). The database is the seeded synthetic MIMIC-III hospital by default,
or the demo-built one with ``source=demo``; the suite is the EHR framework's
:class:`~arollout.tasks.ehr.suite.EhrSuite` with its own task builder and
verifier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, final

from arollout.errors import ConfigError, TaskError
from arollout.tasks.ehr.suite import EhrSuite, SuiteSpec
from arollout.tasks.mimic.build import build_demo, build_synthetic
from arollout.tasks.mimic.schema import SCHEMA
from arollout.tasks.mimic.suite import DEFAULT_PATIENTS, NOTES
from arollout.tasks.registry import int_option, path_option, root_option
from arollout.tasks.seqsql.instances import build_sequences, check_parts, part_answers
from arollout.tasks.seqsql.sequences import SEQUENCES

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Mapping, Sequence

    from arollout.tasks.base import Task, Verdict
    from arollout.tasks.ehr.database import DatabaseLike

__all__ = ("ANSWER", "DEFAULT_PER_CATEGORY", "SeqSqlSuite", "make_suite")

DEFAULT_PER_CATEGORY: Final = 300
INSTANCE_VERSION: Final = 1

ANSWER: Final = """\
Each task is a numbered sequence of questions; later questions refer to earlier answers ("that
admission", "those patients"). The LAST non-empty line your code prints to stdout is your answer:
ONE JSON list with the answer of every question, in order, e.g. [123456, "micu", 87.25] (numbers as
JSON numbers, text and timestamps as JSON strings). Every element must be right, and the list must
have exactly one element per question. Your answer is checked as soon as code prints it."""


@final
class SeqSqlSuite(EhrSuite):
    """Multi-part MIMIC-III question sequences; one JSON list answers all parts."""

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.category for s in SEQUENCES))

    def build_tasks(self, con: sqlite3.Connection, db: DatabaseLike) -> Sequence[Task]:
        return build_sequences(
            con,
            SEQUENCES,
            suite=self.name,
            database_key=db.key,
            per_category=self.per_category,
            data_root=self.data_root,
        )

    def verify(self, task: Task, stdout: str) -> Verdict:
        if task.suite != self.name:
            raise TaskError(f"task {task.id!r} belongs to suite {task.suite!r}, not {self.name!r}")
        return check_parts(part_answers(task), stdout)


def make_suite(options: Mapping[str, Any]) -> SeqSqlSuite:
    """``ehr-seqsql``: options ``source`` (synthetic|demo), ``patients``, ``seed``,
    ``per_category``, ``data_dir`` (demo folder), ``cache_dir``, ``data_root``."""
    source = options.get("source", "synthetic")
    if source not in ("synthetic", "demo"):
        raise ConfigError(f"option 'source' must be 'synthetic' or 'demo', got {source!r}")
    seed = int_option(options, "seed", 0, minimum=0)
    per_category = int_option(options, "per_category", DEFAULT_PER_CATEGORY, minimum=1)
    patients = int_option(options, "patients", DEFAULT_PATIENTS, minimum=10)
    cache_dir = path_option(options, "cache_dir")
    data_dir = path_option(options, "data_dir")
    data_root = root_option(options, "data_root", "/data/ehr-seqsql")
    spec = SuiteSpec(
        name="ehr-seqsql",
        schema=SCHEMA,
        templates=(),
        data_root=data_root,
        notes=NOTES,
        answer=ANSWER,
        version=INSTANCE_VERSION,
        search_cap=20_000,
    )
    if source == "demo":
        return SeqSqlSuite(
            spec,
            lambda: build_demo(data_dir, seed=seed, cache_dir=cache_dir),
            per_category=per_category,
            options={"source": "demo", "seed": seed},
        )
    return SeqSqlSuite(
        spec,
        lambda: build_synthetic(seed, patients, cache_dir),
        per_category=per_category,
        options={"source": "synthetic", "seed": seed, "patients": patients},
    )
