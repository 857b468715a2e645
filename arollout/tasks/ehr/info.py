"""``request_info`` answers for an SQLite database, from an index built once.

An agent's ``request_info`` action asks about the data without running code:
the table list, a table's columns, the values a column takes, or where a term
(a drug, a lab label, a diagnosis title) appears. Scanning tables on every
call would cost a full read per request at thousands of concurrent episodes,
so :meth:`SchemaIndex.build` reads each column once and every later lookup is
answered from memory. :meth:`SchemaIndex.load_or_build` also keeps the index
in a msgpack file beside the database, so a large database is scanned once
per machine, not once per process.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import sqlite3
from pathlib import Path
from typing import Final, final

import msgspec

__all__ = (
    "ColumnInfo",
    "MAX_HITS",
    "MAX_VALUES",
    "SEARCH_CAP",
    "SchemaIndex",
    "TableInfo",
)

MAX_VALUES: Final = 20
"""Distinct values shown for ``table.column`` (the most frequent first)."""

MAX_HITS: Final = 10
SEARCH_CAP: Final = 5000
"""Text columns with more distinct values than this are not searched (by default)."""
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}")


@final
class ColumnInfo(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    type: str
    distinct: int
    nulls: int
    top_values: tuple[str, ...]
    searchable: tuple[str, ...]  # every distinct value of a non-timestamp text column


@final
class TableInfo(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    rows: int
    columns: tuple[ColumnInfo, ...]


def _show(value: object) -> str:
    return "NULL" if value is None else repr(value) if isinstance(value, str) else str(value)


@final
class SchemaIndex:
    """Tables, columns, frequent values and searchable terms of one database."""

    def __init__(self, tables: tuple[TableInfo, ...], *, data_path: str = "") -> None:
        self._tables = {t.name: t for t in tables}
        self._data_path = data_path

    @classmethod
    def build(
        cls, sqlite_path: str, *, data_path: str = "", search_cap: int = SEARCH_CAP
    ) -> SchemaIndex:
        """Read every column of ``sqlite_path`` once (read-only).

        ``search_cap``: text columns with more distinct values are listed but
        not searched (a dictionary of 15,000 diagnosis titles is worth
        searching; free-text values usually are not).
        """
        con = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
        try:
            names = [
                r[0]
                for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            ]
            tables = tuple(_table_info(con, name, search_cap) for name in names)
            return cls(tables, data_path=data_path)
        finally:
            con.close()

    @classmethod
    def load_or_build(
        cls,
        sqlite_path: str,
        cache_path: str | os.PathLike[str],
        *,
        data_path: str = "",
        search_cap: int = SEARCH_CAP,
    ) -> SchemaIndex:
        """The index from ``cache_path`` when present, else built and saved there.

        The cache must live outside the mounted database directory (it is
        derived data, and the directory's digests are in its manifest).
        """
        path = Path(cache_path)
        if path.is_file():
            with contextlib.suppress(msgspec.DecodeError, OSError):
                tables = msgspec.msgpack.decode(path.read_bytes(), type=tuple[TableInfo, ...])
                return cls(tables, data_path=data_path)
        index = cls.build(sqlite_path, data_path=data_path, search_cap=search_cap)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(msgspec.msgpack.encode(tuple(index._tables.values())))
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only cache only costs a rebuild next time
        return index

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(self._tables)

    def answer(self, query: str) -> str:
        """Answer one lookup.

        ``""``/``tables``/``schema`` lists the tables; ``<table>`` lists its
        columns; ``<table>.<column>`` shows its most frequent values; any other
        text is searched for (case-insensitive, tolerant of small typos) in the
        text columns and column names.
        """
        q = " ".join(query.strip().strip("'\"`").split())
        low = q.casefold()
        if low in ("", "tables", "schema", "*", "all"):
            return self._overview()
        if low in self._tables:
            return self._table(self._tables[low])
        if "." in low:
            table, _, column = low.partition(".")
            if table in self._tables:
                return self._column(self._tables[table], column)
        return self._search(q)

    def _overview(self) -> str:
        lines = [f"Tables{f' (files under {self._data_path})' if self._data_path else ''}:"]
        lines.extend(
            f"- {t.name} ({t.rows} rows): {', '.join(c.name for c in t.columns)}"
            for t in self._tables.values()
        )
        return "\n".join(lines)

    def _table(self, table: TableInfo) -> str:
        lines = [f"Table {table.name} ({table.rows} rows). Columns:"]
        for c in table.columns:
            example = f"; e.g. {', '.join(c.top_values[:3])}" if c.top_values else ""
            lines.append(f"- {c.name} {c.type}: {c.distinct} distinct, {c.nulls} NULL{example}")
        return "\n".join(lines)

    def _column(self, table: TableInfo, column: str) -> str:
        found = next((c for c in table.columns if c.name == column), None)
        if found is None:
            return f"Table {table.name} has no column {column!r}. Columns: {', '.join(c.name for c in table.columns)}"
        shown = len(found.top_values)
        head = f"{table.name}.{found.name} ({found.type}) has {found.distinct} distinct values"
        head += f"; the {shown} most frequent:" if shown < found.distinct else ":"
        return "\n".join([head, *(f"- {v}" for v in found.top_values)])

    def _search(self, term: str) -> str:
        needle = term.casefold()
        hits: list[str] = []
        for t in self._tables.values():
            hits.extend(f"column {t.name}.{c.name}" for c in t.columns if c.name == needle)
        for t in self._tables.values():
            for c in t.columns:
                exact = [v for v in c.searchable if needle in v.casefold()]
                if not exact:
                    lowered = {v.casefold(): v for v in c.searchable}
                    close = difflib.get_close_matches(needle, list(lowered), n=3, cutoff=0.75)
                    exact = [lowered[v] for v in close]
                hits.extend(f"{t.name}.{c.name} = {v!r}" for v in exact)
        if not hits:
            return f"Nothing matches {term!r}. Tables: {', '.join(self._tables)} (ask for a table to see its columns)."
        more = (
            f"\n({len(hits) - MAX_HITS} more matches; refine the term)"
            if len(hits) > MAX_HITS
            else ""
        )
        return "\n".join([f"Matches for {term!r}:", *(f"- {h}" for h in hits[:MAX_HITS])]) + more


def _table_info(con: sqlite3.Connection, table: str, search_cap: int) -> TableInfo:
    rows = int(con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])
    columns: list[ColumnInfo] = []
    for _cid, name, decl, *_ in con.execute(f'PRAGMA table_info("{table}")').fetchall():
        distinct, nulls = con.execute(
            f'SELECT COUNT(DISTINCT "{name}"), SUM("{name}" IS NULL) FROM "{table}"'
        ).fetchone()
        top = con.execute(
            f'SELECT "{name}" FROM "{table}" WHERE "{name}" IS NOT NULL '
            f'GROUP BY "{name}" ORDER BY COUNT(*) DESC, "{name}" LIMIT {MAX_VALUES}'
        ).fetchall()
        searchable: tuple[str, ...] = ()
        if (
            decl.upper() == "TEXT"
            and distinct <= search_cap
            and top
            and not _TIMESTAMP.match(str(top[0][0]))
        ):
            values = con.execute(
                f'SELECT DISTINCT "{name}" FROM "{table}" WHERE "{name}" IS NOT NULL ORDER BY 1'
            )
            searchable = tuple(str(v[0]) for v in values)
        columns.append(
            ColumnInfo(
                name=name,
                type=decl,
                distinct=int(distinct),
                nulls=int(nulls or 0),
                top_values=tuple(_show(v[0]) for v in top),
                searchable=searchable,
            )
        )
    return TableInfo(name=table, rows=rows, columns=tuple(columns))
