"""Turn templates into verified task instances on one built database.

For every template, slot candidates are listed from the database and shuffled
with a seeded RNG; each candidate's answer is the gold SQL's result on that
same database (in-process ``sqlite3``). Candidates are dropped when the answer
is empty, NULL, negative, trivially guessable (an integral number below 10,
a one-character string), or depends on an unstated tie-break; boolean
templates are balanced between true and false. Ids hash the suite, the
database key, the template and the slot values, so they are stable across
runs and machines, and the split is a pure function of the id: no instance can
appear in two splits.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import sqlite3
from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.base import Answer, Task
from arollout.tasks.demo.templates import TEMPLATES, Slots, Template, run_gold, sql_params

if TYPE_CHECKING:
    from arollout.tasks.demo.generator import EhrDatabase

__all__ = ("SPLITS", "SUITE_NAME", "build_tasks", "reference_solution", "split_of", "task_id")

SUITE_NAME: Final = "ehr-demo"
SPLITS: Final = ("train", "valid", "test")
_SPLIT_EDGES: Final = (
    (70, "train"),
    (80, "valid"),
    (100, "test"),
)  # percent buckets of the id hash

_PRINT: Final[dict[str, str]] = {
    "integer": "print(int(rows[0][0]))",
    "number": "print(repr(float(rows[0][0])))",
    "text": "print(rows[0][0])",
    "date": "print(rows[0][0])",
    "bool": 'print("true" if rows[0][0] else "false")',
    "set": "print(json.dumps([row[0] for row in rows]))",
    "list": "print(json.dumps([row[0] for row in rows]))",
}


def task_id(database_key: str, template: Template, slots: Slots) -> str:
    """Stable id: the template name plus a hash of suite, database, template and slots."""
    blob = json.dumps([SUITE_NAME, database_key, template.name, slots], sort_keys=True)
    return f"{SUITE_NAME}/{template.name}/{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


def split_of(tid: str) -> str:
    """The split of a task id (70 % train, 10 % valid, 20 % test)."""
    bucket = int(hashlib.sha256(f"split|{tid}".encode()).hexdigest()[:8], 16) % 100
    return next(name for edge, name in _SPLIT_EDGES if bucket < edge)


def reference_solution(sql: str, params: dict[str, Any], kind: str, db_path: str) -> str:
    """Python source that answers a task the way an agent should: query, then print."""
    uri = f"file:{db_path}?mode=ro"
    head = ["import json"] if kind in ("set", "list") else []
    return "\n".join(
        [
            *head,
            "import sqlite3",
            "",
            f"con = sqlite3.connect({uri!r}, uri=True)",
            'rows = con.execute(\n    """',
            sql,
            f'""",\n    {params!r},\n).fetchall()',
            "con.close()",
            _PRINT[kind],
            "",
        ]
    )


def gold_value(kind: str, rows: list[tuple[Any, ...]]) -> Any:
    """The typed answer from the gold SQL's rows, or ``None`` when there is none."""
    if not rows or any(len(r) != 1 or r[0] is None for r in rows):
        return None
    first = rows[0][0]
    if kind == "integer":
        return int(first)
    if kind == "number":
        return float(first)
    if kind == "bool":
        return bool(first)
    if kind in ("set", "list"):
        return [r[0] for r in rows]
    return str(first)


def acceptable(kind: str, value: Any) -> bool:
    """Whether an answer is worth grading (present, valid and not trivially guessable)."""
    if value is None:
        return False
    if kind in ("integer", "number"):
        number = float(value)
        return math.isfinite(number) and number >= 0 and not (number.is_integer() and number < 10)
    if kind in ("text", "date"):
        return len(str(value).strip()) >= 2
    if kind in ("set", "list"):
        return len(value) >= 1 and all(isinstance(v, str) and len(v.strip()) >= 2 for v in value)
    return kind == "bool"


def _instances(
    con: sqlite3.Connection, db: EhrDatabase, template: Template, quota: int, data_root: str
) -> list[Task]:
    rng = random.Random(f"{SUITE_NAME}/tasks/{db.key}/{template.name}")
    cursor = con.execute(template.candidates.strip())
    names = [d[0] for d in cursor.description]
    candidates = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    rng.shuffle(candidates)
    per_value = {True: (quota + 1) // 2, False: quota // 2}  # balance of bool answers
    seen: set[str] = set()
    tasks: list[Task] = []
    for candidate in candidates:
        if len(tasks) >= quota:
            break
        slots = template.refine(candidate, rng)
        if slots is None:
            continue
        tid = task_id(db.key, template, slots)
        if tid in seen:
            continue
        seen.add(tid)
        sql = template.render_sql(slots)
        params = sql_params(sql, slots)
        value = gold_value(template.kind, run_gold(con, template, slots))
        if not acceptable(template.kind, value):
            continue
        if (
            template.ambiguous
            and con.execute(
                template.ambiguous.strip(), sql_params(template.ambiguous, slots)
            ).fetchone()[0]
        ):
            continue
        if template.kind == "bool":
            if per_value[value] <= 0:
                continue
            per_value[value] -= 1
        tasks.append(
            Task(
                id=tid,
                suite=SUITE_NAME,
                category=template.category,
                split=split_of(tid),
                question=template.render_question(slots),
                answer=Answer(
                    kind=template.kind,
                    value=value,
                    rel_tol=template.rel_tol,
                    abs_tol=template.abs_tol,
                ),
                reference_solution=reference_solution(
                    sql, params, template.kind, f"{data_root}/ehr.sqlite"
                ),
                meta={
                    "template": template.name,
                    "slots": slots,
                    "sql": sql,
                    "params": params,
                    "database": db.key,
                },
            )
        )
    return tasks


def build_tasks(db: EhrDatabase, *, per_category: int, data_root: str) -> list[Task]:
    """Every task of the suite for ``db``: up to ``per_category`` per category.

    Args:
        db: the built database the answers are computed on (and agents query).
        per_category: how many instances each category gets at most; templates of
            one category share it evenly.
        data_root: where the database directory appears inside the sandbox;
            the reference solutions open ``<data_root>/ehr.sqlite``.
    """
    by_category: dict[str, list[Template]] = {}
    for template in TEMPLATES:
        by_category.setdefault(template.category, []).append(template)
    con = sqlite3.connect(f"file:{db.sqlite_path}?mode=ro", uri=True)
    try:
        tasks: list[Task] = []
        for templates in by_category.values():
            made: list[Task] = []
            for i, template in enumerate(
                templates
            ):  # a template that runs short leaves room to the next
                quota = -(-(per_category - len(made)) // (len(templates) - i))
                made.extend(_instances(con, db, template, quota, data_root))
            tasks.extend(made)
        return tasks
    finally:
        con.close()
