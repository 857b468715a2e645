"""TREQS, EHR-SeqSQL and the MedAgentGym reader on the small synthetic database."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from arollout.errors import ConfigError
from arollout.tasks.base import Answer
from arollout.tasks.ehr import EhrDatabase, EhrSuite
from arollout.tasks.medagentgym import fix_query, typed_answer
from arollout.tasks.registry import get_suite
from arollout.tasks.seqsql import SEQUENCES, SeqSqlSuite, check_parts, part_answers
from arollout.tasks.treqs import SCHEMA as TREQS_SCHEMA, build_treqs
from arollout.tasks.treqs.names import patient_name


def run_in_process(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<reference>", "exec"), {"__name__": "__main__"})
    return out.getvalue()


@pytest.fixture(scope="module")
def treqs_db(small_mimic: EhrDatabase, ehr_cache: Path) -> EhrDatabase:
    return build_treqs(small_mimic, cache_dir=ehr_cache)


def test_treqs_tables_derive_from_the_mimic_database(
    treqs_db: EhrDatabase, small_mimic: EhrDatabase
) -> None:
    with contextlib.closing(sqlite3.connect(treqs_db.sqlite_path)) as con:
        for table, columns in TREQS_SCHEMA.items():
            assert [r[1] for r in con.execute(f"PRAGMA table_info({table})")] == [
                c for c, _ in columns
            ]
        con.execute(f"ATTACH DATABASE 'file:{small_mimic.sqlite_path}?mode=ro' AS m")
        q = con.execute
        assert (
            q("SELECT COUNT(*) FROM demographic").fetchone()[0]
            == q("SELECT COUNT(*) FROM m.admissions").fetchone()[0]
        )
        assert (
            q("SELECT COUNT(*) FROM lab").fetchone()[0]
            == q("SELECT COUNT(*) FROM m.labevents").fetchone()[0]
        )
        row = q(
            "SELECT d.age, d.admityear, d.expire_flag, d.dod, d.name, d.subject_id FROM demographic d LIMIT 1"
        ).fetchone()
        assert row[4] == patient_name(row[5]) and row[2] == (row[3] is not None)
        bad = q(
            "SELECT COUNT(*) FROM prescriptions p JOIN m.prescriptions r ON r.row_id = p.rowid "
            "WHERE p.drug_dose != r.dose_val_rx || r.dose_unit_rx"
        ).fetchone()[0]
        assert bad == 0
        share = q(
            "SELECT AVG(flag = 'abnormal') FROM (SELECT COALESCE(flag, '') AS flag FROM lab)"
        ).fetchone()[0]
        assert 0.05 < share < 0.15  # the central 90 % of each test's values is normal


def test_treqs_suite_reference_solutions(small_mimic: EhrDatabase, treqs_db: EhrDatabase) -> None:
    from arollout.tasks.treqs import SPEC

    suite = EhrSuite(
        SPEC, lambda: treqs_db, per_category=3, data_root=treqs_db.directory, cache_tasks=False
    )
    tasks = suite.tasks()
    categories = Counter(t.category for t in tasks)
    assert len(categories) >= 20 and len(SPEC.templates) >= 20
    for task in tasks:
        assert suite.verify(task, run_in_process(task.reference_solution)).correct, task.id


def _seqsql(db: EhrDatabase) -> SeqSqlSuite:
    from arollout.tasks.seqsql.suite import make_suite

    suite = make_suite(
        {
            "patients": 150,
            "seed": 3,
            "per_category": 3,
            "cache_dir": str(Path(db.directory).parents[1]),
            "data_root": db.directory,
        }
    )
    assert suite.database.key == db.key
    return suite


def test_seqsql_sequences_build_and_solve(small_mimic: EhrDatabase) -> None:
    suite = _seqsql(small_mimic)
    tasks = suite.tasks()
    assert {t.category for t in tasks} == {s.category for s in SEQUENCES} and len(SEQUENCES) >= 10
    for task in tasks:
        parts = part_answers(task)
        assert 2 <= len(parts) <= 4 and task.question.count("\n") == len(parts) + 1
        out = run_in_process(task.reference_solution)
        assert suite.verify(task, out).correct, (task.id, out)
        answers = json.loads(out)
        assert not suite.verify(task, json.dumps(answers[:-1])).correct  # a part missing
        assert not suite.verify(task, json.dumps([*answers, answers[0]])).correct  # one too many
        assert not suite.verify(task, str(answers[-1])).correct  # only the final answer


def test_multi_part_grading_is_per_part_and_typed() -> None:
    parts = [
        Answer(kind="integer", value=123456),
        Answer(kind="text", value="micu"),
        Answer(kind="number", value=87.254, rel_tol=1e-4, abs_tol=0.005),
        Answer(kind="date", value="2105-03-01 10:00:00"),
    ]
    assert check_parts(parts, '[123456, "MICU", 87.25, "2105-03-01T10:00:00"]').correct
    assert check_parts(
        parts, "(123456, 'micu', 87.254, '2105-03-01 10:00:00')"
    ).correct  # a Python literal
    wrong = check_parts(parts, '[123456, "micu", 87.3, "2105-03-01 10:00:00"]')
    assert not wrong.correct and "answer 3 of 4" in wrong.reason and "87.254" not in wrong.reason
    assert not check_parts(
        parts, '["micu", 123456, 87.25, "2105-03-01 10:00:00"]'
    ).correct  # order matters
    assert not check_parts(parts, "123456").correct
    assert not check_parts(parts, "").correct


def test_medagentgym_reader(tmp_path: Path, small_mimic: EhrDatabase) -> None:
    with contextlib.closing(sqlite3.connect(small_mimic.sqlite_path)) as con:
        (subject, admit) = con.execute(
            "SELECT subject_id, admittime FROM admissions WHERE dischtime IS NULL LIMIT 1"
        ).fetchone()
        (drug,) = con.execute(
            "SELECT drug FROM prescriptions GROUP BY 1 HAVING COUNT(DISTINCT route) = 1 ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()
        (patients,) = con.execute("SELECT COUNT(*) FROM patients").fetchone()
    records = [
        {
            "db_id": "mimic_iii",
            "template": f"what is the intake method of {drug}?",
            "question": "paraphrase",
            "query": f"select distinct prescriptions.route from prescriptions where prescriptions.drug = '{drug}'",
            "id": "r1",
            "split": "valid",
            "answer": ["wrong-on-purpose"],
        },
        {
            "db_id": "mimic_iii",
            "question": "hours",
            "query": f"select 24 * ( strftime('%j',current_time) - strftime('%j',admissions.admittime) ) from admissions where admissions.subject_id = {subject} and admissions.dischtime is null",
            "id": "r2",
            "answer": ["-5"],
        },
        {
            "db_id": "treqs",
            "question": "how many patients are there?",
            "query": "select count(distinct subject_id) from patients",
            "id": "r3",
            "answer": ["1"],
        },
        {
            "db_id": "treqs",
            "question": "a constant",
            "query": "select 1",
            "id": "r4",
            "answer": ["1"],
        },
        {
            "db_id": "eicu",
            "question": "broken",
            "query": "select nope from nowhere",
            "id": "r5",
            "answer": ["x"],
        },
    ]
    folder = tmp_path / "data" / "mimic_iii"
    folder.mkdir(parents=True)
    (folder / "valid_tasks.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    suite = get_suite(
        "medagentgym",
        path=str(tmp_path / "data"),
        database=small_mimic.sqlite_path,
        cache_dir=str(tmp_path / "cache"),
    )
    tasks = {t.meta["source_id"]: t for t in suite.tasks()}
    assert set(tasks) == {"r1", "r2", "r3"}  # a constant 1 is guessable; a failing query is dropped
    assert (
        tasks["r1"].question.startswith(f"what is the intake method of {drug}?")
        and tasks["r1"].split == "valid"
    )
    assert tasks["r1"].answer.kind == "text" and tasks["r1"].answer.value != "wrong-on-purpose"
    assert tasks["r3"].answer == Answer(kind="integer", value=patients)
    import datetime as dt

    now = dt.datetime(2105, 12, 31, 23, 59)
    start = dt.datetime.fromisoformat(admit)
    # %j becomes %J (the Julian day number), so the difference is in real hours across any date
    assert tasks["r2"].answer.value == pytest.approx((now - start).total_seconds() / 3600, abs=1e-6)
    mount = suite.mounts()[0]
    assert (
        mount.target == "/data/medagentgym"
        and not (Path(mount.source) / "valid_tasks.jsonl").exists()
    )
    for task in tasks.values():
        code = task.reference_solution.replace("/data/medagentgym", mount.source)
        assert suite.verify(task, run_in_process(code)).correct
    assert get_suite("medagentgym").tasks() == () and get_suite("medagentgym").mounts() == ()
    with pytest.raises(ConfigError):
        get_suite("medagentgym", path=str(tmp_path))


def test_query_fixes_and_typing() -> None:
    assert fix_query("select datetime(current_time,'start of year'), strftime('%y %j', x)") == (
        "select datetime('2105-12-31 23:59:00','start of year'), strftime('%Y %J', x)"
    )
    assert fix_query("select 'current_time'") == "select 'current_time'"
    assert typed_answer("select count(*)>0 from t", [(1,)]) == Answer(kind="bool", value=True)
    assert typed_answer("select x from t", [("a",), ("b",), ("a",)]) == Answer(
        kind="set", value=["a", "b"]
    )
    assert typed_answer("select x from t", [(7,)]) is None
    assert typed_answer("select x, y from t", [(1, 2)]) is None
