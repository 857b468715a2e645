"""Turn templates into verified task instances on one built database.

For every template, the slot candidates are listed from the database and
shuffled with a seeded RNG; each candidate's answer is the gold SQL's result
on that same database (in-process ``sqlite3``), which is also what the agent
queries. A candidate is dropped when its answer is

* empty or NULL, or has more rows than the template allows;
* degenerate: a negative count or duration (unless the template is
  ``signed``), an empty string;
* guessable: a data-free line such as ``0``, ``1`` or ``true false`` would
  pass it (:func:`arollout.tasks.grading.guessable`);
* tie-dependent: the template's ``ambiguous`` SQL says so;
* a catch-all: printing every answer of its category at once (what
  ``arollout tasks check`` tries) would pass it, as when a "top three" set
  is the same in every year (:func:`drop_catch_alls`).

Boolean templates are balanced between true and false, so a constant scores
one half at most. Ids hash the suite, the database key, the template name and
the slot values (:func:`task_id`), so they are stable across runs and
machines, and the split is a pure function of the id (:func:`split_of`): no
instance can appear in two splits, whatever else is generated.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.base import Answer, Task
from arollout.tasks.ehr.database import DB_FILENAME
from arollout.tasks.ehr.templates import run_gold, sql_params
from arollout.tasks.grading import category_candidates, guessable

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable, Sequence

    from arollout.tasks.ehr.templates import Slots, Template

__all__ = (
    "SPLITS",
    "build_instances",
    "drop_catch_alls",
    "evaluate",
    "gold_value",
    "reference_solution",
    "split_of",
    "task_id",
    "template_instances",
)

SPLITS: Final = ("train", "valid", "test")
_SPLIT_EDGES: Final = ((70, "train"), (80, "valid"), (100, "test"))  # percent buckets

PRINT: Final[dict[str, str]] = {
    "integer": "print(int(rows[0][0]))",
    "number": "print(repr(float(rows[0][0])))",
    "text": "print(rows[0][0])",
    "date": "print(rows[0][0])",
    "bool": 'print("true" if rows[0][0] else "false")',
    "set": "print(json.dumps(list(dict.fromkeys(row[0] for row in rows))))",
    "list": "print(json.dumps([row[0] for row in rows]))",
}
"""How a reference solution prints the gold SQL's rows for each answer kind."""


def task_id(suite: str, database_key: str, template: str, slots: Slots) -> str:
    """Stable id: ``<suite>/<template>/<12 hex digits>`` hashing all four inputs."""
    blob = json.dumps([suite, database_key, template, slots], sort_keys=True)
    return f"{suite}/{template}/{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


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
            PRINT[kind],
            "",
        ]
    )


def gold_value(kind: str, rows: Sequence[tuple[Any, ...]]) -> Any:
    """The typed answer from the gold SQL's rows, or ``None`` when there is none."""
    if not rows or any(len(r) != 1 or r[0] is None for r in rows):
        return None
    first = rows[0][0]
    if kind == "integer":
        return int(first) if float(first).is_integer() else None
    if kind == "number":
        return float(first)
    if kind == "bool":
        return bool(first)
    if kind == "set":
        return list(dict.fromkeys(r[0] for r in rows))
    if kind == "list":
        return [r[0] for r in rows]
    if len(rows) != 1:
        return None  # a scalar question with several answers is ill-posed
    return str(first)


def _degenerate(template: Template, value: Any) -> bool:
    kind = template.kind
    if value is None:
        return True
    if kind in ("integer", "number"):
        number = float(value)
        return not math.isfinite(number) or (number < 0 and not template.signed)
    if kind in ("text", "date"):
        return len(str(value).strip()) < 2
    if kind in ("set", "list"):
        return (
            not value
            or len(value) > template.max_items
            or any(v is None or (isinstance(v, str) and not v.strip()) for v in value)
        )
    return False


def evaluate(con: sqlite3.Connection, template: Template, slots: Slots) -> Answer | None:
    """The graded answer of one slot assignment, or ``None`` when it must be dropped."""
    value = gold_value(template.kind, run_gold(con, template, slots))
    if _degenerate(template, value):
        return None
    answer = Answer(
        kind=template.kind, value=value, rel_tol=template.rel_tol, abs_tol=template.abs_tol
    )
    if guessable(answer):
        return None
    if template.ambiguous:
        sql = template.ambiguous.format(**slots).strip()
        if con.execute(sql, sql_params(sql, slots)).fetchone()[0]:
            return None
    return answer


def _candidates(con: sqlite3.Connection, template: Template) -> list[Slots]:
    cursor = con.execute(template.candidates.strip())
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def template_instances(
    con: sqlite3.Connection,
    template: Template,
    *,
    suite: str,
    database_key: str,
    quota: int,
    data_root: str,
) -> list[Task]:
    """Up to ``quota`` verified tasks of one template (a seeded, stable choice)."""
    rng = random.Random(f"{suite}/tasks/{database_key}/{template.name}")
    candidates = _candidates(con, template)
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
        tid = task_id(suite, database_key, template.name, slots)
        if tid in seen:
            continue
        seen.add(tid)
        answer = evaluate(con, template, slots)
        if answer is None:
            continue
        if template.kind == "bool":
            if per_value[answer.value] <= 0:
                continue
            per_value[answer.value] -= 1
        sql = template.render_sql(slots)
        params = sql_params(sql, slots)
        tasks.append(
            Task(
                id=tid,
                suite=suite,
                category=template.category,
                split=split_of(tid),
                question=template.render_question(slots),
                answer=answer,
                reference_solution=reference_solution(
                    sql, params, template.kind, f"{data_root}/{DB_FILENAME}"
                ),
                meta={
                    "template": template.name,
                    "slots": slots,
                    "sql": sql,
                    "params": params,
                    "database": database_key,
                },
            )
        )
    return tasks


def drop_catch_alls(tasks: Sequence[Task]) -> list[Task]:
    """``tasks`` without those that every answer of their category, printed at
    once (as a JSON list or comma-separated), would pass; repeated until none
    is left, since each removal can shrink a category's answers."""
    out = list(tasks)
    while True:
        candidates = category_candidates(out)
        kept = [t for t in out if not _catch_all(t, candidates.get(t.category, []))]
        if len(kept) == len(out):
            return kept
        out = kept


def _catch_all(task: Task, items: list[str]) -> bool:
    return len(items) > 1 and guessable(task.answer, extra=(json.dumps(items), ", ".join(items)))


def build_instances(
    con: sqlite3.Connection,
    templates: Iterable[Template],
    *,
    suite: str,
    database_key: str,
    per_category: int,
    data_root: str,
) -> list[Task]:
    """Every task of ``templates``: up to ``per_category`` per category.

    Templates of one category share the category's quota evenly; one that
    runs short leaves its room to the next. Tasks come out grouped by
    category, in template order, which is the suite's stable order; catch-all
    answers are dropped per category (:func:`drop_catch_alls`).
    """
    by_category: dict[str, list[Template]] = {}
    for template in templates:
        by_category.setdefault(template.category, []).append(template)
    tasks: list[Task] = []
    for group in by_category.values():
        made: list[Task] = []
        for i, template in enumerate(group):
            quota = -(-(per_category - len(made)) // (len(group) - i))
            made.extend(
                template_instances(
                    con,
                    template,
                    suite=suite,
                    database_key=database_key,
                    quota=quota,
                    data_root=data_root,
                )
            )
        tasks.extend(drop_catch_alls(made))
    return tasks
