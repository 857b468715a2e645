"""The EHR framework on a toy database: builds, templates, instances, splits, suite."""

from __future__ import annotations

import contextlib
import csv
import gzip
import json
import sqlite3
from collections import Counter
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, strategies as st

from arollout.errors import TaskError
from arollout.tasks.base import Answer
from arollout.tasks.ehr import (
    SPLITS,
    EhrDatabase,
    EhrSuite,
    SuiteSpec,
    Template,
    build_cached,
    build_instances,
    drop_catch_alls,
    evaluate,
    instances as instances_module,
    read_csv_gz,
    split_of,
    sql_params,
    task_id,
    template_instances,
    with_choice,
    write_database,
)
from arollout.tasks.verify import check

SCHEMA = {
    "people": (("pid", "INTEGER"), ("name", "TEXT"), ("ward", "TEXT"), ("score", "REAL")),
    "visits": (("pid", "INTEGER"), ("day", "TEXT"), ("cost", "REAL")),
}
PEOPLE = [
    (i, f"person {i:02d}", ("north", "south", "east")[i % 3], None if i == 7 else i * 1.5)
    for i in range(1, 41)
]
VISITS = [
    (p, f"2105-01-{d:02d} 08:00:00", 10.0 * p + d)
    for p in range(1, 41)
    for d in range(1, 1 + p % 13)
]


def toy_writer(directory: Path) -> dict[str, int]:
    return write_database(
        directory, SCHEMA, {"people": PEOPLE, "visits": iter(VISITS)}, (("visits", "pid"),)
    )


@pytest.fixture
def toy(tmp_path: Path) -> EhrDatabase:
    return build_cached("toy", 1, {"n": 40}, toy_writer, tmp_path)


def test_build_is_cached_atomic_and_keyed(tmp_path: Path) -> None:
    calls: list[Path] = []

    def write(directory: Path) -> dict[str, int]:
        calls.append(directory)
        return toy_writer(directory)

    db = build_cached("toy", 1, {"n": 40}, write, tmp_path)
    again = build_cached("toy", 1, {"n": 40}, write, tmp_path)
    assert again == db and len(calls) == 1
    assert sorted(p.name for p in (tmp_path / "toy").iterdir()) == [db.key]  # no temp dirs left
    assert build_cached("toy", 2, {"n": 40}, write, tmp_path).key != db.key
    assert build_cached("toy", 1, {"n": 41}, write, tmp_path).key != db.key
    assert db.row_counts == {"people": 40, "visits": len(VISITS)}
    for name, digest in db.sha256.items():
        import hashlib

        assert hashlib.sha256((Path(db.directory) / name).read_bytes()).hexdigest() == digest
    assert Path(db.directory).stat().st_mode & 0o777 == 0o755


def test_failed_build_leaves_nothing(tmp_path: Path) -> None:
    def broken(directory: Path) -> dict[str, int]:
        (directory / "half").write_text("x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        build_cached("toy", 1, {}, broken, tmp_path)
    assert list((tmp_path / "toy").iterdir()) == []


def test_csv_copies_hold_the_sqlite_rows(toy: EhrDatabase) -> None:
    with contextlib.closing(sqlite3.connect(toy.sqlite_path)) as con:
        for table, columns in SCHEMA.items():
            with (Path(toy.directory) / f"{table}.csv").open(newline="") as fh:
                rows = list(csv.reader(fh))
            assert rows[0] == [c for c, _ in columns]
            stored = con.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            assert [tuple("" if v is None else str(v) for v in r) for r in stored] == [
                tuple(r) for r in rows[1:]
            ]


def test_same_rows_same_bytes(tmp_path: Path) -> None:
    a = build_cached("toy", 1, {}, toy_writer, tmp_path / "a")
    b = build_cached("toy", 1, {}, toy_writer, tmp_path / "b")
    assert a.sha256 == b.sha256


def test_read_csv_gz_filters_and_normalises(tmp_path: Path) -> None:
    path = tmp_path / "T.csv.gz"
    with gzip.open(path, "wt", newline="") as fh:
        fh.write("ROW_ID,ITEMID,VALUE\n1,211,80\n2,618,\n3,999,5\n")
    assert list(read_csv_gz(path)) == [
        {"row_id": "1", "itemid": "211", "value": "80"},
        {"row_id": "2", "itemid": "618", "value": None},
        {"row_id": "3", "itemid": "999", "value": "5"},
    ]
    assert [r["row_id"] for r in read_csv_gz(path, where=("itemid", {"211", "618"}))] == ["1", "2"]
    with pytest.raises(TaskError):
        list(read_csv_gz(path, where=("nope", {"1"})))


def _template(**kw: object) -> Template:
    base: dict[str, object] = {
        "name": "t",
        "category": "c",
        "question": "Q {pid}?",
        "sql": "SELECT COUNT(*) FROM visits WHERE pid = :pid",
        "kind": "integer",
        "candidates": "SELECT pid FROM people ORDER BY 1",
    }
    base.update(kw)
    return Template(**base)  # type: ignore[arg-type]


def test_templates_render_keywords_and_parameters() -> None:
    t = _template(
        sql="SELECT {agg}(score) FROM people WHERE ward = :ward AND pid > :pid", kind="number"
    )
    slots = {"agg": "MAX", "ward": "north", "pid": 3, "unused": 1}
    sql = t.render_sql(slots)
    assert sql == "SELECT MAX(score) FROM people WHERE ward = :ward AND pid > :pid"
    assert sql_params(sql, slots) == {"ward": "north", "pid": 3}
    assert t.render_question({"pid": 4}).startswith("Q 4? Print the answer as a single number")
    import random

    refine = with_choice((("biggest", "MAX"), ("smallest", "MIN")), word="w", keyword="k")
    drawn = {tuple(sorted((refine({}, random.Random(i)) or {}).items())) for i in range(20)}
    assert drawn == {(("k", "MAX"), ("w", "biggest")), (("k", "MIN"), ("w", "smallest"))}


def test_evaluate_drops_empty_degenerate_guessable_and_tied(toy: EhrDatabase) -> None:
    with contextlib.closing(sqlite3.connect(toy.sqlite_path)) as con:
        count = _template()
        assert evaluate(con, count, {"pid": 12}) == Answer(kind="integer", value=12)
        assert evaluate(con, count, {"pid": 3}) is None  # 3 is guessable
        assert evaluate(con, count, {"pid": 13}) is None  # 0 visits
        minus = _template(sql="SELECT -20 - :pid")
        assert evaluate(con, minus, {"pid": 1}) is None
        assert evaluate(con, _template(sql="SELECT -20 - :pid", signed=True), {"pid": 1}) == Answer(
            kind="integer", value=-21
        )
        score = _template(sql="SELECT score FROM people WHERE pid = :pid", kind="number")
        assert evaluate(con, score, {"pid": 7}) is None  # NULL
        several = _template(sql="SELECT name FROM people WHERE pid < :pid", kind="text")
        assert evaluate(con, several, {"pid": 5}) is None  # a scalar question with several rows
        names = _template(sql="SELECT name FROM people WHERE pid < :pid ORDER BY 1", kind="set")
        assert evaluate(con, names, {"pid": 4}) == Answer(
            kind="set", value=["person 01", "person 02", "person 03"]
        )
        tied = _template(ambiguous="SELECT :pid % 2 = 0")
        assert evaluate(con, tied, {"pid": 12}) is None
        assert evaluate(con, tied, {"pid": 11}) is not None


def test_template_instances_are_stable_balanced_and_split_by_id(toy: EhrDatabase) -> None:
    has = _template(
        name="has_many",
        kind="bool",
        sql="SELECT COUNT(*) > 6 FROM visits WHERE pid = :pid",
    )
    with contextlib.closing(sqlite3.connect(toy.sqlite_path)) as con:
        first = template_instances(
            con, has, suite="toy", database_key="k", quota=10, data_root="/d"
        )
        again = template_instances(
            con, has, suite="toy", database_key="k", quota=10, data_root="/d"
        )
        other = template_instances(
            con, has, suite="toy", database_key="k2", quota=10, data_root="/d"
        )
    assert [msgspec.json.encode(t) for t in first] == [msgspec.json.encode(t) for t in again]
    assert Counter(t.answer.value for t in first) == {True: 5, False: 5}
    assert not {t.id for t in first} & {t.id for t in other}
    for t in first:
        assert t.id == task_id("toy", "k", "has_many", t.meta["slots"]) and t.split == split_of(
            t.id
        )
        assert "sqlite3.connect('file:/d/ehr.sqlite?mode=ro', uri=True)" in t.reference_solution


@given(st.text(min_size=1, max_size=40))
def test_split_is_a_pure_function_of_the_id(tid: str) -> None:
    assert split_of(tid) == split_of(tid) in SPLITS


def test_split_shares_are_about_70_10_20() -> None:
    counts = Counter(split_of(f"suite/t/{i}") for i in range(20_000))
    assert abs(counts["train"] / 20_000 - 0.7) < 0.02
    assert abs(counts["valid"] / 20_000 - 0.1) < 0.02
    assert abs(counts["test"] / 20_000 - 0.2) < 0.02


def test_catch_all_set_answers_are_dropped(toy: EhrDatabase) -> None:
    same = _template(
        name="wards",
        kind="set",
        sql="SELECT DISTINCT ward FROM people WHERE pid <= :pid + 40 ORDER BY 1",
    )
    with contextlib.closing(sqlite3.connect(toy.sqlite_path)) as con:
        made = template_instances(con, same, suite="toy", database_key="k", quota=5, data_root="/d")
    assert len(made) == 5 and drop_catch_alls(made) == []  # every instance is the whole category


@given(st.permutations(["alpha", "beta", "gamma", "delta", "epsilon"]), st.data())
def test_set_answers_accept_any_order_and_nothing_else(
    order: list[str], data: st.DataObject
) -> None:
    gold = Answer(kind="set", value=["alpha", "beta", "gamma", "delta", "epsilon"])
    assert check(gold, json.dumps(order)).correct
    assert check(gold, ", ".join(order)).correct
    k = data.draw(st.integers(min_value=1, max_value=4))
    assert not check(gold, json.dumps(order[:k])).correct  # a strict subset
    extra = data.draw(st.sampled_from(["zeta", "eta", "theta"]))
    assert not check(gold, json.dumps([*order, extra])).correct  # a strict superset


def test_suite_caches_tasks_beside_the_database(
    toy: EhrDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = (
        _template(),
        _template(
            name="t2",
            category="c2",
            sql="SELECT SUM(cost) FROM visits WHERE pid = :pid",
            kind="number",
        ),
    )
    spec = SuiteSpec(
        name="toy", schema=SCHEMA, templates=templates, data_root="/data/toy", notes="Toy. "
    )
    suite = EhrSuite(spec, lambda: toy, per_category=6, options={"seed": 1})
    tasks = suite.tasks()
    assert Counter(t.category for t in tasks) == {"c": 6, "c2": 6}
    cached = list(Path(toy.directory).parent.glob("*.derived/toy-*.tasks.msgpack"))
    assert len(cached) == 1
    assert not any(
        p.suffix == ".msgpack" for p in Path(toy.directory).iterdir()
    )  # never in the mount

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("rebuilt instead of loading the cache")

    monkeypatch.setattr("arollout.tasks.ehr.suite.build_instances", boom)
    reloaded = EhrSuite(spec, lambda: toy, per_category=6, options={"seed": 1})
    assert reloaded.tasks() == tasks
    with pytest.raises(AssertionError):
        EhrSuite(spec, lambda: toy, per_category=6, options={"seed": 2}).tasks()  # another key
    assert suite.mounts()[0].target == "/data/toy" and suite.mounts()[0].source == toy.directory
    text = suite.instructions()
    assert (
        "- people(pid, name, ward, score)" in text
        and "Toy." in text
        and "/data/toy/ehr.sqlite" in text
    )
    assert "'north'" in suite.request_info(tasks[0], "people.ward")
    assert (Path(toy.directory).parent / f"{toy.key}.derived" / "schema-index.msgpack").is_file()
    assert suite.verify(tasks[0], f"work\n{tasks[0].answer.value}\n").correct
    with pytest.raises(TaskError):
        suite.verify(msgspec.structs.replace(tasks[0], suite="other"), "1")
    with pytest.raises(TaskError):
        suite.tasks("dev")
    with pytest.raises(TaskError):
        EhrSuite(spec, lambda: toy, per_category=0)


def test_build_instances_shares_a_category_quota(toy: EhrDatabase) -> None:
    a = _template(name="a", candidates="SELECT pid FROM people WHERE pid IN (11, 12) ORDER BY 1")
    b = _template(name="b")
    with contextlib.closing(sqlite3.connect(toy.sqlite_path)) as con:
        tasks = build_instances(
            con, (a, b), suite="toy", database_key="k", per_category=8, data_root="/d"
        )
    names = Counter(t.meta["template"] for t in tasks)
    assert names == {"a": 2, "b": 6}  # a ran short, b took the rest


def test_exports() -> None:
    import arollout.tasks.ehr as ehr

    assert list(ehr.__all__) == sorted(ehr.__all__)
    assert all(hasattr(ehr, n) for n in ehr.__all__)
    assert instances_module.SPLITS == ("train", "valid", "test")
