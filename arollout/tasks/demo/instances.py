"""The ``ehr-demo`` tasks: the EHR framework's instance builder on the demo database.

Answers are the gold SQL's results on the database the agent queries;
empty, degenerate, guessable and tie-dependent instances are dropped and
boolean templates balanced (see :mod:`arollout.tasks.ehr.instances`). Ids
hash the suite, the database key, the template and the slot values, and the
split is a pure function of the id.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Final

from arollout.tasks.demo.templates import TEMPLATES
from arollout.tasks.ehr import instances as _ehr
from arollout.tasks.ehr.instances import (
    SPLITS as SPLITS,
    reference_solution as reference_solution,
    split_of as split_of,
)

if TYPE_CHECKING:
    from arollout.tasks.base import Task
    from arollout.tasks.demo.generator import EhrDatabase
    from arollout.tasks.ehr.templates import Slots, Template

__all__ = ("SPLITS", "SUITE_NAME", "build_tasks", "reference_solution", "split_of", "task_id")

SUITE_NAME: Final = "ehr-demo"


def task_id(database_key: str, template: Template, slots: Slots) -> str:
    """Stable id: the template name plus a hash of suite, database, template and slots."""
    return _ehr.task_id(SUITE_NAME, database_key, template.name, slots)


def build_tasks(db: EhrDatabase, *, per_category: int, data_root: str) -> list[Task]:
    """Every task of the suite for ``db``: up to ``per_category`` per category.

    Args:
        db: the built database the answers are computed on (and agents query).
        per_category: how many instances each category gets at most; templates of
            one category share it evenly.
        data_root: where the database directory appears inside the sandbox;
            the reference solutions open ``<data_root>/ehr.sqlite``.
    """
    con = sqlite3.connect(f"file:{db.sqlite_path}?mode=ro", uri=True)
    try:
        return _ehr.build_instances(
            con,
            TEMPLATES,
            suite=SUITE_NAME,
            database_key=db.key,
            per_category=per_category,
            data_root=data_root,
        )
    finally:
        con.close()
