from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import sqlite3
from collections import Counter
from pathlib import Path

import msgspec
import pytest

from arollout.errors import TaskError
from arollout.tasks.base import Answer, Suite, Task
from arollout.tasks.demo import CURRENT_TIME, SCHEMA, EhrDemoSuite, SchemaIndex
from arollout.tasks.demo.instances import split_of
from arollout.tasks.verify import check
from sandboxes.api import Mount


def run_in_process(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<reference>", "exec"), {"__name__": "__main__"})
    return out.getvalue()


def wrong_outputs(answer: Answer) -> list[str]:
    """Plausible but wrong answers for a gold value of each kind."""
    v = answer.value
    if answer.kind == "integer":
        return [str(v + 1), str(v - 1), "0", "1", str(v * 10)]
    if answer.kind == "number":
        return [repr(v * 1.05 + 0.1), repr(v - 0.1), "0", "1", f"{v} {v}"]
    if answer.kind == "bool":
        return ["false" if v else "true"]
    if answer.kind == "text":
        return [v + " X", v[:-1], "Heparin Insulin"]
    if answer.kind == "date":
        moved = dt.datetime.fromisoformat(v) + dt.timedelta(minutes=1)
        return [str(moved), v[:10] + " 00:00:01"]
    if answer.kind == "set":
        outs = [msgspec.json.encode([*v, "Not A Real Title"]).decode()]
        if len(v) > 1:
            outs.append(msgspec.json.encode(v[1:]).decode())
        return outs
    assert answer.kind == "list"
    outs = [msgspec.json.encode(v[:-1]).decode(), msgspec.json.encode([*v, v[0]]).decode()]
    if list(reversed(v)) != v:
        outs.append(msgspec.json.encode(list(reversed(v))).decode())
    return outs


def test_suite_satisfies_protocol(host_suite: EhrDemoSuite) -> None:
    suite: Suite = host_suite
    assert suite.name == "ehr-demo"


def test_categories_and_counts(host_suite: EhrDemoSuite) -> None:
    tasks = host_suite.tasks()
    by_category = Counter(t.category for t in tasks)
    assert set(by_category) == set(host_suite.categories)
    assert len(by_category) >= 6
    assert all(n == 40 for n in by_category.values()), by_category
    kinds = {t.answer.kind for t in tasks}
    assert kinds == {"integer", "number", "text", "bool", "set", "list", "date"}


def test_every_reference_solution_is_verified_correct(host_suite: EhrDemoSuite) -> None:
    for task in host_suite.tasks():
        stdout = run_in_process(task.reference_solution)
        verdict = host_suite.verify(task, stdout)
        assert verdict.correct, (task.id, stdout, verdict)


def test_known_wrong_answers_fail_for_every_task(host_suite: EhrDemoSuite) -> None:
    for task in host_suite.tasks():
        for out in wrong_outputs(task.answer):
            assert not host_suite.verify(task, out).correct, (task.id, out)


def test_reference_solutions_open_the_data_root_read_only(
    host_suite: EhrDemoSuite, demo_cache: Path
) -> None:
    default = EhrDemoSuite(seed=0, patients=200, cache_dir=demo_cache, per_category=2)
    for task in default.tasks():
        assert (
            "sqlite3.connect('file:/data/ehr-demo/ehr.sqlite?mode=ro', uri=True)"
            in task.reference_solution
        )
    assert default.mounts() == (
        Mount(source=host_suite.database.directory, target="/data/ehr-demo"),
    )
    assert [t.answer for t in default.tasks()] == [
        t.answer for t in host_suite.tasks() if t.id in {d.id for d in default.tasks()}
    ]


def test_ids_are_unique_stable_and_seed_specific(
    host_suite: EhrDemoSuite, demo_cache: Path, tmp_path: Path
) -> None:
    tasks = host_suite.tasks()
    assert len({t.id for t in tasks}) == len(tasks)
    again = EhrDemoSuite(
        seed=0, patients=200, cache_dir=tmp_path, data_root=host_suite.data_root
    ).tasks()
    assert [msgspec.json.encode(t) for t in again] == [msgspec.json.encode(t) for t in tasks]
    other = EhrDemoSuite(seed=1, patients=200, cache_dir=demo_cache).tasks()
    assert not {t.id for t in other} & {t.id for t in tasks}


def test_splits_are_disjoint_and_cover_everything(host_suite: EhrDemoSuite) -> None:
    parts = {s: host_suite.tasks(s) for s in ("train", "valid", "test")}
    ids = {s: {t.id for t in ts} for s, ts in parts.items()}
    assert (
        not ids["train"] & ids["valid"]
        and not ids["train"] & ids["test"]
        and not ids["valid"] & ids["test"]
    )
    assert set().union(*ids.values()) == {t.id for t in host_suite.tasks()}
    assert all(t.split == split_of(t.id) == s for s, ts in parts.items() for t in ts)
    assert len(parts["train"]) > len(parts["test"]) > len(parts["valid"]) > 0
    with pytest.raises(TaskError):
        host_suite.tasks("dev")


def test_no_trivial_or_degenerate_answers(host_suite: EhrDemoSuite) -> None:
    bools: Counter[tuple[str, bool]] = Counter()
    for task in host_suite.tasks():
        value = task.answer.value
        if task.answer.kind in ("integer", "number"):
            assert value >= 0 and not (float(value).is_integer() and value < 10), task.id
            assert len(str(value)) > 1
        elif task.answer.kind in ("text", "date"):
            assert len(value.strip()) >= 2
        elif task.answer.kind in ("set", "list"):
            assert value and all(isinstance(v, str) and v for v in value)
            if task.answer.kind == "set":
                assert len(set(value)) == len(value)
        else:
            bools[(task.category, value)] += 1
    for category in {c for c, _ in bools}:
        assert bools[(category, True)] == bools[(category, False)]


def test_current_time_is_a_fixed_timestamp(host_suite: EhrDemoSuite) -> None:
    with contextlib.closing(sqlite3.connect(host_suite.database.sqlite_path)) as con:
        now = dt.datetime.fromisoformat(CURRENT_TIME)
        keyword = re.compile(r"(?<![:\w'])current_(time|timestamp|date)\b", re.IGNORECASE)
        days = [t for t in host_suite.tasks() if t.category == "days_since_admission"]
        assert days
        for task in host_suite.tasks():
            assert not keyword.search(task.meta["sql"]), task.id
        for task in days:
            assert CURRENT_TIME in task.question
            subject = task.meta["slots"]["subject_id"]
            first = con.execute(
                "SELECT MIN(admittime) FROM admissions WHERE subject_id = ?", (subject,)
            ).fetchone()[0]
            assert task.answer.value == (now - dt.datetime.fromisoformat(first)).days > 0


def test_answers_match_an_independent_python_computation(host_suite: EhrDemoSuite) -> None:
    with contextlib.closing(sqlite3.connect(host_suite.database.sqlite_path)) as con:
        for task in host_suite.tasks():
            slots = task.meta["slots"]
            if task.category == "top_drugs":
                drugs = Counter(
                    r[0]
                    for r in con.execute(
                        "SELECT drug FROM prescriptions WHERE subject_id = ?",
                        (slots["subject_id"],),
                    )
                )
                ranked = drugs.most_common()
                assert ranked[2][1] > (ranked[3][1] if len(ranked) > 3 else 0)  # no tie at the cut
                assert sorted(task.answer.value) == sorted(d for d, _ in ranked[:3])
            elif task.category == "lab_threshold":
                values = [
                    r[0]
                    for r in con.execute(
                        "SELECT valuenum FROM labevents JOIN d_labitems USING (itemid) WHERE hadm_id = ? AND label = ?",
                        (slots["hadm_id"], slots["lab_label"]),
                    )
                ]
                assert task.answer.value == any(
                    v is not None and v > slots["threshold"] for v in values
                )
                assert slots["threshold"] not in values


def test_instructions_document_data_actions_and_answer_channel(
    host_suite: EhrDemoSuite, demo_cache: Path
) -> None:
    text = EhrDemoSuite(cache_dir=demo_cache).instructions()
    assert '```json\n{"action": "validate_code", "params": {"code": "<python code>"}}\n```' in text
    assert (
        '{"action": "request_info", "params": {"query": "<table name, or table.column>"}}' in text
    )
    assert '"action": "debug"' in text and '"action": "terminal"' in text
    assert "/data/ehr-demo/ehr.sqlite" in text and "LAST non-empty line" in text
    for table, columns in SCHEMA.items():
        assert f"- {table}({', '.join(c for c, _ in columns)})" in text
    assert CURRENT_TIME in text


def test_request_info(host_suite: EhrDemoSuite, monkeypatch: pytest.MonkeyPatch) -> None:
    suite = EhrDemoSuite(
        seed=0, patients=200, cache_dir=Path(host_suite.database.directory).parents[1]
    )
    builds = []
    real_build = SchemaIndex.build

    def counting(path: str, **kw: str) -> SchemaIndex:
        builds.append(path)
        return real_build(path, **kw)

    monkeypatch.setattr(SchemaIndex, "build", staticmethod(counting))
    task = host_suite.tasks()[0]
    overview = suite.request_info(task, "")
    assert all(table in overview for table in SCHEMA)
    table = suite.request_info(task, "labevents")
    assert all(f"- {col} " in table for col, _ in SCHEMA["labevents"])
    assert f"({host_suite.database.row_counts['labevents']} rows)" in table
    values = suite.request_info(task, "d_labitems.label")
    assert "'Potassium'" in values and values.count("\n- ") == 16
    assert "20 most frequent" in suite.request_info(task, "prescriptions.drug")
    assert "d_labitems.label = 'Potassium'" in suite.request_info(
        task, "potasium"
    )  # a typo still finds it
    assert "prescriptions.drug = 'Heparin'" in suite.request_info(task, "heparin")
    assert "d_icd_diagnoses.short_title = 'Septicemia NOS'" in suite.request_info(
        task, "septicemia"
    )
    assert "column labevents.valuenum" in suite.request_info(task, "valuenum")
    assert "no column" in suite.request_info(task, "labevents.nope")
    assert "Nothing matches" in suite.request_info(task, "zzzqqq")
    assert len(builds) == 1


def test_verify_is_the_typed_checker(host_suite: EhrDemoSuite) -> None:
    task = next(t for t in host_suite.tasks() if t.answer.kind == "integer")
    assert host_suite.verify(task, f"log\n{task.answer.value}\n") == check(
        task.answer, str(task.answer.value)
    )
    foreign = msgspec.structs.replace(task, suite="other")
    with pytest.raises(TaskError):
        host_suite.verify(foreign, "1")


def test_small_suite_and_bad_options(tmp_path: Path) -> None:
    small = EhrDemoSuite(seed=2, patients=40, per_category=5, cache_dir=tmp_path)
    counts = Counter(t.category for t in small.tasks())
    assert len(counts) >= 6 and max(counts.values()) <= 5
    assert all(isinstance(t, Task) for t in small.tasks())
    with pytest.raises(TaskError):
        EhrDemoSuite(per_category=0)
    with pytest.raises(TaskError):
        EhrDemoSuite(data_root="relative/path")
