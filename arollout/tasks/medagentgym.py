"""The ``medagentgym`` suite: MedAgentGym's own EHR task files, run against your database.

MedAgentGym (``wshi83/MedAgentGym``, ``data/<db_id>/*_tasks.jsonl``) ships its
MIMIC-III, eICU and TREQS questions as JSON lines with ``db_id``,
``question``, ``template`` (the question as its prompt shows it, for
MIMIC-III and eICU), ``query`` (the gold SQL), ``answer``, ``id`` and
``split``. Those files carry no licence and their data are credentialed, so
this project never ships them; users who have them point this suite at them
(``path``: a ``.jsonl`` file or a folder of them) and at the SQLite database
the questions were written for (``database``).

The answers in the files are **not** used: every task's answer is the gold
``query`` executed on the given database, after EHRSQL's own evaluator
fixes (``glee4810/EHRSQL``, ``evaluate.py``): ``current_time`` means the
fixed "now" ``2105-12-31 23:59:00`` (MedAgentGym ran those queries with
SQLite's time-of-day keyword), ``%y`` means ``%Y`` and ``%j`` means ``%J``.
The typed answer follows the result: one integer, number or text value, a
``count(*) > 0`` existence test as true/false, several rows as a set. Tasks
whose query fails, returns nothing, several columns, or a guessable value
(MedAgentGym's many ``0``/``1`` answers, graded there by substring) are
dropped. The database file is copied into the cache before it is mounted,
so nothing else in its folder (the task files with their answers) is ever
visible to the agent.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from arollout.errors import ConfigError, TaskError
from arollout.tasks.base import Answer, Task
from arollout.tasks.ehr.database import CURRENT_TIME, DB_FILENAME, build_cached
from arollout.tasks.ehr.instances import SPLITS, reference_solution, split_of
from arollout.tasks.ehr.suite import EhrSuite, SuiteSpec
from arollout.tasks.ehr.tables import export_csv
from arollout.tasks.ehr.templates import FORMAT_HINTS
from arollout.tasks.grading import guessable
from arollout.tasks.registry import int_option, path_option, root_option

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator, Mapping, Sequence

    from arollout.tasks.ehr.database import DatabaseLike, EhrDatabase
    from arollout.tasks.ehr.tables import Schema

__all__ = ("MedAgentGymSuite", "fix_query", "make_suite", "read_records", "typed_answer")

SUITE_NAME: Final = "medagentgym"
_NOW_TOKEN: Final = re.compile(r"(?<![\w'\"])current_time(?![\w'\"])", re.IGNORECASE)
_EXISTS: Final = re.compile(r"count\s*\(\s*\*\s*\)\s*>\s*0", re.IGNORECASE)
_TIMESTAMP: Final = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")


def fix_query(query: str) -> str:
    """EHRSQL's evaluator fixes: a fixed ``current_time``, ``%Y`` and ``%J`` formats."""
    query = _NOW_TOKEN.sub(f"'{CURRENT_TIME}'", query)
    return query.replace("%y", "%Y").replace("%j", "%J")


def read_records(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Every JSON object of a ``.jsonl`` file, or of every ``*.jsonl`` under a folder."""
    root = Path(path)
    files = sorted(root.rglob("*.jsonl")) if root.is_dir() else [root]
    if not files or not all(f.is_file() for f in files):
        raise TaskError(
            f"no MedAgentGym task file at {root} (expected a .jsonl file or a folder of them)"
        )
    for file in files:
        with file.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise TaskError(f"{file}:{n}: not JSON: {exc}") from exc
                if isinstance(record, dict):
                    yield record


def typed_answer(query: str, rows: Sequence[tuple[Any, ...]]) -> Answer | None:
    """The typed answer of a query's result, or ``None`` when it cannot be graded."""
    if not rows or any(len(r) != 1 or r[0] is None for r in rows):
        return None
    values = list(dict.fromkeys(r[0] for r in rows))
    if len(values) > 1:
        if len(values) > 30 or not all(isinstance(v, str | int) for v in values):
            return None
        answer = Answer(kind="set", value=values)
    else:
        value = values[0]
        if _EXISTS.search(query) and value in (0, 1):
            answer = Answer(kind="bool", value=bool(value))
        elif isinstance(value, int):
            answer = Answer(kind="integer", value=value)
        elif isinstance(value, float):
            answer = Answer(kind="number", value=value, rel_tol=1e-4, abs_tol=0.005)
        elif isinstance(value, str) and _TIMESTAMP.match(value.strip()):
            answer = Answer(kind="date", value=value.strip())
        elif isinstance(value, str) and len(value.strip()) >= 2:
            answer = Answer(kind="text", value=value)
        else:
            return None
    return None if guessable(answer) else answer


def _files_digest(path: str) -> str:
    """One digest over the task files (so an edited file is never served from a stale cache)."""
    root = Path(path)
    files = sorted(root.rglob("*.jsonl")) if root.is_dir() else [root]
    digest = hashlib.sha256()
    for file in files:
        if file.is_file():
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _schema(sqlite_path: str) -> Schema:
    con = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: tuple((r[1], r[2] or "TEXT") for r in con.execute(f'PRAGMA table_info("{name}")'))
            for name in names
        }
    finally:
        con.close()


def _copy_database(source: Path, cache_dir: str | os.PathLike[str] | None) -> EhrDatabase:
    """The user's database copied (with CSV exports) into the cache, keyed by its bytes."""
    digest = hashlib.sha256()
    with source.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)

    def write(directory: Path) -> dict[str, int]:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(directory / DB_FILENAME)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        schema = _schema(str(directory / DB_FILENAME))
        export_csv(directory, schema)
        con = sqlite3.connect(directory / DB_FILENAME)
        try:
            return {
                t: int(con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in schema
            }
        finally:
            con.close()

    return build_cached("medagentgym-db", 1, {"sha256": digest.hexdigest()}, write, cache_dir)


class MedAgentGymSuite(EhrSuite):
    """Tasks read from MedAgentGym's files, answered on the given database."""

    def __init__(
        self,
        *,
        path: str | None,
        database: str | None,
        per_category: int,
        data_root: str,
        cache_dir: str | None,
    ) -> None:
        if path is not None and database is None:
            raise ConfigError(
                "suite 'medagentgym' needs the option database=<sqlite file> with path="
            )
        if database is not None and not Path(database).is_file():
            raise ConfigError(f"option 'database': no SQLite file at {database}")
        self._path = path
        db_path = database
        spec = SuiteSpec(
            name=SUITE_NAME,
            schema=_schema(db_path) if db_path is not None else {},
            templates=(),
            data_root=data_root,
            notes="String values are stored as in the database you were given. ",
        )
        super().__init__(
            spec,
            lambda: _copy_database(Path(db_path or ""), cache_dir),
            per_category=per_category,
            options={"tasks": _files_digest(path) if path else None, "version": 1},
            cache_index=False,
        )

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.category for t in self.tasks()))

    def tasks(self, split: str | None = None) -> Sequence[Task]:
        if self._path is None:  # nothing configured: an empty suite, so listing works
            if split is not None and split not in SPLITS:
                raise TaskError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
            return ()
        return super().tasks(split)

    def mounts(self) -> tuple[Any, ...]:
        return () if self._path is None else super().mounts()

    def build_tasks(self, con: sqlite3.Connection, db: DatabaseLike) -> Sequence[Task]:
        assert self._path is not None
        counts: dict[str, int] = {}
        out: list[Task] = []
        seen: set[str] = set()
        for record in read_records(self._path):
            query, db_id = record.get("query"), str(record.get("db_id") or "ehr")
            if not isinstance(query, str) or record.get("is_impossible"):
                continue
            fixed = fix_query(query)
            try:
                rows = con.execute(fixed).fetchall()
            except sqlite3.Error:
                continue
            answer = typed_answer(fixed, rows)
            if answer is None or counts.get(db_id, 0) >= self.per_category:
                continue
            key = hashlib.sha256(
                json.dumps([db.key, record.get("id"), query]).encode()
            ).hexdigest()[:12]
            tid = f"{SUITE_NAME}/{db_id}/{key}"
            if tid in seen:
                continue
            seen.add(tid)
            counts[db_id] = counts.get(db_id, 0) + 1
            text = str(record.get("template") or record.get("question") or "").strip()
            split = record.get("split")
            out.append(
                Task(
                    id=tid,
                    suite=SUITE_NAME,
                    category=db_id,
                    split=split if split in SPLITS else split_of(tid),
                    question=f"{text} {FORMAT_HINTS[answer.kind]}",
                    answer=answer,
                    reference_solution=reference_solution(
                        fixed, {}, answer.kind, f"{self.data_root}/{DB_FILENAME}"
                    ),
                    meta={"source_id": record.get("id"), "query": query, "database": db.key},
                )
            )
        return out


def make_suite(options: Mapping[str, Any]) -> MedAgentGymSuite:
    """``medagentgym``: options ``path`` (task file or folder), ``database`` (SQLite file),
    ``per_category`` (most tasks per ``db_id``), ``cache_dir``, ``data_root``."""
    return MedAgentGymSuite(
        path=path_option(options, "path"),
        database=path_option(options, "database"),
        per_category=int_option(options, "per_category", 1_000_000, minimum=1),
        data_root=root_option(options, "data_root", "/data/medagentgym"),
        cache_dir=path_option(options, "cache_dir"),
    )
