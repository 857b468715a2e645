"""Reading source tables and writing them as SQLite plus CSV, deterministically.

Builders produce rows as plain tuples in the column order of a
:data:`Schema`; :func:`write_database` streams them into ``ehr.sqlite``
(typed columns, indexes) and then exports every table to ``<table>.csv`` for
pandas users, so both views always hold the same rows in the same order.
Nothing here depends on the clock or on dictionary order of the caller's
data, so the same rows give the same bytes.

Also here: the EHRSQL value conventions shared by the MIMIC-III and eICU
builders (``glee4810/EHRSQL``, ``preprocess/preprocess_db_mimic_iii.py``):
strings lower-cased, timestamps as ``YYYY-MM-DD HH:MM:SS`` text, NULL for
empty fields.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import sqlite3
from typing import TYPE_CHECKING, Any, Final

from arollout.errors import TaskError
from arollout.tasks.ehr.database import DB_FILENAME

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
    from pathlib import Path

__all__ = (
    "Indexes",
    "Rows",
    "Schema",
    "TS_FORMAT",
    "create_sql",
    "export_csv",
    "format_ts",
    "lower",
    "parse_ts",
    "read_csv_gz",
    "write_database",
    "write_sqlite",
)

Schema = dict[str, tuple[tuple[str, str], ...]]
"""Table -> ((column, SQLite type), ...), in creation order."""

Indexes = tuple[tuple[str, str], ...]
"""(table, "col[, col...]") pairs to index after loading."""

Rows = dict[str, list[tuple[Any, ...]]]

TS_FORMAT: Final = "%Y-%m-%d %H:%M:%S"


def create_sql(table: str, columns: Sequence[tuple[str, str]]) -> str:
    """The ``CREATE TABLE`` statement of one table of a schema."""
    return f"CREATE TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns)})"


def write_sqlite(
    path: Path,
    schema: Schema,
    rows: Mapping[str, Iterable[Sequence[Any]]],
    indexes: Indexes = (),
) -> dict[str, int]:
    """Create ``path`` with every table of ``schema`` filled from ``rows``.

    ``rows`` may hold generators (a large table is streamed, never listed);
    a table missing from ``rows`` is created empty. Returns the row counts.
    """
    unknown = sorted(set(rows) - set(schema))
    if unknown:
        raise TaskError(f"rows for tables not in the schema: {', '.join(unknown)}")
    con = sqlite3.connect(path)
    counts: dict[str, int] = {}
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        with con:
            for table, columns in schema.items():
                con.execute(create_sql(table, columns))
                marks = ", ".join("?" * len(columns))
                con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows.get(table, ()))
                counts[table] = int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table, cols in indexes:
                name = f"idx_{table}_{cols.replace(', ', '_').replace(',', '_')}"
                con.execute(f"CREATE INDEX {name} ON {table} ({cols})")
        con.execute("ANALYZE")
    finally:
        con.close()
    return counts


def export_csv(directory: Path, schema: Schema, sqlite_name: str = DB_FILENAME) -> None:
    """Write ``<table>.csv`` (header row, NULL as an empty field) for every table."""
    con = sqlite3.connect(f"file:{directory / sqlite_name}?mode=ro", uri=True)
    try:
        for table, columns in schema.items():
            names = [c for c, _ in columns]
            with (directory / f"{table}.csv").open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(names)
                cursor = con.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY rowid")
                while batch := cursor.fetchmany(20_000):
                    writer.writerows(["" if v is None else v for v in row] for row in batch)
    finally:
        con.close()


def write_database(
    directory: Path,
    schema: Schema,
    rows: Mapping[str, Iterable[Sequence[Any]]],
    indexes: Indexes = (),
    *,
    csv_copy: bool = True,
) -> dict[str, int]:
    """``ehr.sqlite`` plus (by default) one CSV per table in ``directory``."""
    counts = write_sqlite(directory / DB_FILENAME, schema, rows, indexes)
    if csv_copy:
        export_csv(directory, schema)
    return counts


def read_csv_gz(
    path: Path, *, where: tuple[str, Collection[str]] | None = None
) -> Iterator[dict[str, str | None]]:
    """Stream a (gzipped or plain) CSV with a header row; empty fields are ``None``.

    Column names are lower-cased, so upper-case headers (the credentialed
    MIMIC-III release) and lower-case ones (the demo) read the same.
    ``where=(column, values)`` keeps only rows whose raw text in ``column`` is
    one of ``values``, before any row is turned into a dict (a large table
    filtered to a few items reads several times faster).
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            reader = csv.reader(text)
            header = [h.strip().lower() for h in next(reader)]
            if where is not None:
                column, wanted = where[0], frozenset(where[1])
                if column not in header:
                    raise TaskError(f"{path} has no column {column!r}")
                at = header.index(column)
                records: Iterable[list[str]] = (
                    r for r in reader if len(r) > at and r[at] in wanted
                )
            else:
                records = reader
            for record in records:
                yield {k: (v if v != "" else None) for k, v in zip(header, record, strict=False)}
    except (OSError, StopIteration, csv.Error, UnicodeDecodeError) as exc:
        raise TaskError(f"cannot read {path}: {exc}") from exc


def lower(value: str | None) -> str | None:
    """EHRSQL stores every string lower-cased (questions are matched case-free)."""
    return None if value is None else value.lower()


def parse_ts(value: str | None) -> dt.datetime | None:
    """``YYYY-MM-DD[ HH:MM:SS]`` text to a datetime (``None`` stays ``None``)."""
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise TaskError(f"not a timestamp: {value!r}") from exc


def format_ts(value: dt.datetime | None) -> str | None:
    return None if value is None else value.strftime(TS_FORMAT)
