"""Sequences -> verified multi-part tasks, and how a multi-part answer is graded.

One task is one :class:`~arollout.tasks.seqsql.sequences.Sequence` with its
slots filled. Part ``k``'s gold answer is its SQL run on the agent's database
with the earlier gold answers bound to ``:a1 ... :a(k-1)``; the instance is
dropped when any part is empty, degenerate or tie-dependent
(:func:`~arollout.tasks.ehr.instances.evaluate`'s rules), or when more than
one part is guessable on its own.

**The answer** is one JSON list on the last line of stdout, one element per
part, in order. Each element is graded with its part's own typed answer
(numbers with tolerance, text case-insensitively, timestamps as instants;
:mod:`arollout.tasks.verify`), and the task is solved only when every part
is right and the list has exactly as many elements as there are parts. This
is stricter than MedAgentGym's EHR-SeqSQL grader, which accepts any run
(its list check never fires on a stdout string).
"""

from __future__ import annotations

import ast
import json
import random
from typing import TYPE_CHECKING, Any, Final

from arollout.tasks import verify
from arollout.tasks.base import Answer, Task, Verdict
from arollout.tasks.ehr.database import DB_FILENAME
from arollout.tasks.ehr.instances import gold_value, split_of, task_id
from arollout.tasks.ehr.templates import sql_params
from arollout.tasks.grading import category_candidates, guessable

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence as Seq

    from arollout.tasks.ehr.templates import Slots, Template
    from arollout.tasks.seqsql.sequences import Sequence

__all__ = ("build_sequences", "check_parts", "part_answers", "sequence_instances")

_HINTS: Final = {
    "integer": "an integer",
    "number": "a number, two or more decimals",
    "text": "text, exactly as stored",
    "date": "a timestamp YYYY-MM-DD HH:MM:SS",
    "bool": "true or false",
}
_CAST: Final = {"integer": "int", "number": "float", "text": "str", "date": "str", "bool": "bool"}


def _part_answer(con: sqlite3.Connection, part: Template, slots: Slots) -> Answer | None:
    value = gold_value(
        part.kind, con.execute(part.render_sql(slots), sql_params(part.sql, slots)).fetchall()
    )
    if value is None:
        return None
    if part.kind in ("integer", "number") and (value < 0 and not part.signed):
        return None
    if part.kind in ("text", "date") and len(str(value).strip()) < 2:
        return None
    if part.ambiguous:
        sql = part.ambiguous.strip()
        if con.execute(sql, sql_params(sql, slots)).fetchone()[0]:
            return None
    return Answer(kind=part.kind, value=value, rel_tol=part.rel_tol, abs_tol=part.abs_tol)


def _question(seq: Sequence, slots: Slots) -> str:
    lines = [
        f"This is a sequence of {len(seq.parts)} questions; each one builds on the answers before it."
    ]
    lines += [
        f"{k}. {p.question.format(**slots)} ({_HINTS[p.kind]})" for k, p in enumerate(seq.parts, 1)
    ]
    lines.append(
        f"Answer all of them: print ONE JSON list with the {len(seq.parts)} answers in order on the last "
        'line of stdout (numbers as JSON numbers, text and timestamps as JSON strings), e.g. [123, "micu", 4.56].'
    )
    return "\n".join(lines)


def _solution(seq: Sequence, slots: Slots, db_path: str) -> str:
    """Python source that answers every part in turn, feeding each answer to the next."""
    code = [
        "import json",
        "import sqlite3",
        "",
        f"con = sqlite3.connect({f'file:{db_path}?mode=ro'!r}, uri=True)",
    ]
    for k, p in enumerate(seq.parts, 1):
        params = ", ".join(
            f"{name!r}: {name if name.startswith('a') and name[1:].isdigit() else repr(slots[name])}"
            for name in sql_params(p.sql, {**slots, **{f"a{j}": None for j in range(1, k)}})
        )
        code += [f'rows = con.execute("""{p.render_sql(slots)}""", {{{params}}}).fetchall()']
        code += [f"a{k} = {_CAST[p.kind]}(rows[0][0])"]
    code += [
        "con.close()",
        f"print(json.dumps([{', '.join(f'a{k}' for k in range(1, len(seq.parts) + 1))}]))",
        "",
    ]
    return "\n".join(code)


def part_answers(task: Task) -> list[Answer]:
    """The typed answer of each part of a sequence task (kept in its meta)."""
    return [answer_from_meta(p) for p in task.meta["parts"]]


def answer_from_meta(raw: dict[str, Any]) -> Answer:
    return Answer(
        kind=raw["kind"], value=raw["value"], rel_tol=raw["rel_tol"], abs_tol=raw["abs_tol"]
    )


def _element_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value)
    return str(value)


def check_parts(parts: Seq[Answer], stdout: str) -> Verdict:
    """Grade a multi-part answer line (see the module docstring)."""
    line = verify.last_line(stdout)
    if not line:
        return Verdict(
            correct=False, reason="no output: print a JSON list of the answers as the last line"
        )
    items: Any = None
    for loader in (json.loads, ast.literal_eval):
        try:
            items = loader(line)
            break
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    if not isinstance(items, list | tuple):
        return Verdict(
            correct=False, reason="the last line is not a JSON list with one answer per question"
        )
    if len(items) != len(parts):
        return Verdict(
            correct=False, reason=f"expected a list of {len(parts)} answers, got {len(items)}"
        )
    wrong = [
        k
        for k, (gold, item) in enumerate(zip(parts, items, strict=True), 1)
        if not verify.check(gold, _element_text(item)).correct
    ]
    if wrong:
        return Verdict(
            correct=False,
            reason=f"answer {wrong[0]} of {len(parts)} is not correct",
            parsed=list(items),
        )
    return Verdict(correct=True, parsed=list(items))


def sequence_instances(
    con: sqlite3.Connection,
    seq: Sequence,
    *,
    suite: str,
    database_key: str,
    quota: int,
    data_root: str,
) -> list[Task]:
    """Up to ``quota`` verified tasks of one sequence (a seeded, stable choice)."""
    rng = random.Random(f"{suite}/tasks/{database_key}/{seq.name}")
    cursor = con.execute(seq.candidates)
    names = [d[0] for d in cursor.description]
    candidates = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    rng.shuffle(candidates)
    tasks: list[Task] = []
    seen: set[str] = set()
    for candidate in candidates:
        if len(tasks) >= quota:
            break
        slots = seq.refine(candidate, rng)
        if slots is None:
            continue
        tid = task_id(suite, database_key, seq.name, slots)
        if tid in seen:
            continue
        seen.add(tid)
        answers: list[Answer] = []
        bound = dict(slots)
        for k, p in enumerate(seq.parts, 1):
            answer = _part_answer(con, p, bound)
            if answer is None:
                break
            answers.append(answer)
            bound[f"a{k}"] = answer.value
        if len(answers) < len(seq.parts) or sum(guessable(a) for a in answers) > 1:
            continue
        tasks.append(
            Task(
                id=tid,
                suite=suite,
                category=seq.category,
                split=split_of(tid),
                question=_question(seq, slots),
                answer=Answer(kind="list", value=[verify.gold_text(a.value) for a in answers]),
                reference_solution=_solution(seq, slots, f"{data_root}/{DB_FILENAME}"),
                meta={
                    "sequence": seq.name,
                    "slots": slots,
                    "parts": [
                        {
                            "kind": a.kind,
                            "value": a.value,
                            "rel_tol": a.rel_tol,
                            "abs_tol": a.abs_tol,
                        }
                        for a in answers
                    ],
                    "sql": [p.render_sql(slots) for p in seq.parts],
                    "database": database_key,
                },
            )
        )
    return tasks


def _drop_catch_alls(tasks: list[Task]) -> list[Task]:
    """Drop tasks that every answer element of their category, printed at once, would pass."""
    candidates = category_candidates(tasks)
    return [
        t
        for t in tasks
        if not any(
            check_parts(part_answers(t), line).correct
            for items in [candidates.get(t.category, [])]
            for line in (json.dumps(items), ", ".join(items))
        )
    ]


def build_sequences(
    con: sqlite3.Connection,
    sequences: Seq[Sequence],
    *,
    suite: str,
    database_key: str,
    per_category: int,
    data_root: str,
) -> list[Task]:
    """Every sequence task: up to ``per_category`` per category, in sequence order."""
    by_category: dict[str, list[Sequence]] = {}
    for seq in sequences:
        by_category.setdefault(seq.category, []).append(seq)
    tasks: list[Task] = []
    for group in by_category.values():
        made: list[Task] = []
        for i, seq in enumerate(group):
            quota = -(-(per_category - len(made)) // (len(group) - i))
            made.extend(
                sequence_instances(
                    con,
                    seq,
                    suite=suite,
                    database_key=database_key,
                    quota=quota,
                    data_root=data_root,
                )
            )
        tasks.extend(_drop_catch_alls(made))
    return tasks
