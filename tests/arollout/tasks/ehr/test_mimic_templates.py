"""Every MIMIC-III template family on a small synthetic database and on the demo."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import random
import re
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import pytest

from arollout.tasks.ehr import CURRENT_TIME, EhrDatabase, EhrSuite
from arollout.tasks.mimic import CATEGORIES, TEMPLATES, mimic_spec
from arollout.tasks.mimic.slots import threshold
from arollout.tasks.registry import get_suite

if TYPE_CHECKING:
    from arollout.tasks.base import Answer, Task


def run_in_process(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<reference>", "exec"), {"__name__": "__main__"})
    return out.getvalue()


def wrong_outputs(answer: Answer) -> list[str]:
    """Plausible but wrong answers of each kind."""
    v = answer.value
    if answer.kind == "integer":
        return [str(v + 1), str(v - 1), "0", str(v * 10)]
    if answer.kind == "number":
        return [
            repr(v + max(0.02, abs(v) * 0.01)),
            repr(v - max(0.02, abs(v) * 0.01)),
            "0",
            f"{v} {v}",
        ]
    if answer.kind == "bool":
        return ["false" if v else "true", "1" if v else "0"]
    if answer.kind == "text":
        return [v + " x", v[:-1], "none"]
    if answer.kind == "date":
        moved = dt.datetime.fromisoformat(v) + dt.timedelta(minutes=1)
        return [str(moved), v[:10] + " 00:00:01"]
    outs = [json.dumps([*v, "not a real value"])]
    if len(v) > 1:
        outs.append(json.dumps(v[1:]))
        if answer.kind == "list" and list(reversed(v)) != v:
            outs.append(json.dumps(list(reversed(v))))
    return outs


def _suite(db: EhrDatabase, per_category: int) -> EhrSuite:
    """A MIMIC-III suite on ``db`` whose reference solutions open the host copy."""
    return EhrSuite(
        mimic_spec("mimic-iii", db.directory),
        lambda: db,
        per_category=per_category,
        options={"test": db.key},
        cache_tasks=False,
    )


@pytest.fixture(scope="module")
def synthetic_tasks(small_mimic: EhrDatabase) -> list[Task]:
    return list(_suite(small_mimic, 3).tasks())


@pytest.fixture(scope="module")
def demo_tasks(demo_db: EhrDatabase) -> list[Task]:
    return list(_suite(demo_db, 2).tasks())


def test_every_category_has_instances(synthetic_tasks: list[Task], demo_tasks: list[Task]) -> None:
    assert len(CATEGORIES) >= 60 and len(TEMPLATES) > len(CATEGORIES)
    found = {t.category for t in synthetic_tasks} | {t.category for t in demo_tasks}
    assert found == set(CATEGORIES)
    templates = {t.meta["template"] for t in synthetic_tasks} | {
        t.meta["template"] for t in demo_tasks
    }
    assert (
        len(templates) >= len(TEMPLATES) - 3
    )  # a few need more patients than the test database has
    kinds = {t.answer.kind for t in synthetic_tasks}
    assert kinds == {"integer", "number", "text", "bool", "date", "set", "list"}


@pytest.mark.parametrize("which", ["synthetic", "demo"])
def test_reference_solutions_pass_and_wrong_answers_fail(
    which: str,
    synthetic_tasks: list[Task],
    demo_tasks: list[Task],
    small_mimic: EhrDatabase,
    demo_db: EhrDatabase,
) -> None:
    tasks, db = (synthetic_tasks, small_mimic) if which == "synthetic" else (demo_tasks, demo_db)
    suite = _suite(db, 1)
    for task in tasks:
        out = run_in_process(task.reference_solution)
        assert suite.verify(task, out).correct, (task.id, out)
        for wrong in wrong_outputs(task.answer):
            assert not suite.verify(task, wrong).correct, (task.id, wrong)


def test_no_gold_sql_reads_the_clock(synthetic_tasks: list[Task]) -> None:
    clock = re.compile(
        r"(?<![\w'])(current_time|current_timestamp|current_date|'now')(?![\w'])", re.IGNORECASE
    )
    for template in TEMPLATES:
        assert not clock.search(template.sql), template.name
    relative = [t for t in synthetic_tasks if "now" in t.question or "current" in t.question]
    assert relative and all(
        CURRENT_TIME in t.meta["sql"]
        or "dischtime IS NULL" in t.meta["sql"]
        or "outtime IS NULL" in t.meta["sql"]
        for t in relative
    )


def test_answers_match_independent_computations(
    synthetic_tasks: list[Task], small_mimic: EhrDatabase
) -> None:
    by_template: dict[str, list[Task]] = defaultdict(list)
    for t in synthetic_tasks:
        by_template[t.meta["template"]].append(t)
    now = dt.datetime.fromisoformat(CURRENT_TIME)
    with contextlib.closing(sqlite3.connect(small_mimic.sqlite_path)) as con:
        for t in by_template["lab_aggregate_admission"]:
            s = t.meta["slots"]
            values = [
                v
                for (v,) in con.execute(
                    "SELECT l.valuenum FROM labevents l JOIN d_labitems d USING (itemid) WHERE l.hadm_id = ? AND d.label = ?",
                    (s["hadm_id"], s["lab"]),
                )
            ]
            expected = (
                max(values)
                if s["agg"] == "MAX"
                else min(values)
                if s["agg"] == "MIN"
                else sum(values) / len(values)
            )
            assert t.answer.value == pytest.approx(expected)
        for t in by_template["hours_since_current_admission"]:
            (admit,) = con.execute(
                "SELECT admittime FROM admissions WHERE subject_id = ? AND dischtime IS NULL",
                (t.meta["slots"]["subject_id"],),
            ).fetchone()
            assert t.answer.value == int(
                (now - dt.datetime.fromisoformat(admit)).total_seconds() // 3600
            )
        for t in by_template["top3_drugs_patient"]:
            ranked = Counter(
                d
                for (d,) in con.execute(
                    "SELECT drug FROM prescriptions WHERE subject_id = ?",
                    (t.meta["slots"]["subject_id"],),
                )
            ).most_common()
            assert ranked[2][1] > (ranked[3][1] if len(ranked) > 3 else 0)  # no tie at the cut
            assert sorted(t.answer.value) == sorted(d for d, _ in ranked[:3])
        for t in by_template["fluid_balance_icustay"]:
            stay = t.meta["slots"]["icustay_id"]
            intake = sum(
                a
                for (a,) in con.execute(
                    "SELECT amount FROM inputevents_cv WHERE icustay_id = ?", (stay,)
                )
            )
            output = sum(
                v
                for (v,) in con.execute(
                    "SELECT value FROM outputevents WHERE icustay_id = ?", (stay,)
                )
            )
            assert t.answer.value == pytest.approx(intake - output)
        for t in by_template["lab_above_threshold"] + by_template["vital_above_threshold"]:
            assert "threshold" in t.meta["slots"]


def test_bool_categories_are_balanced(synthetic_tasks: list[Task]) -> None:
    counts: Counter[tuple[str, bool]] = Counter()
    for t in synthetic_tasks:
        if t.answer.kind == "bool":
            counts[(t.meta["template"], t.answer.value)] += 1
    for template in {name for name, _ in counts}:
        assert abs(counts[(template, True)] - counts[(template, False)]) <= 1, template


def test_threshold_sampler_straddles_the_extreme() -> None:
    refine = threshold()
    above = below = 0
    for seed in range(200):
        out = refine({"x": 1, "ref": 12.5}, random.Random(seed))
        assert out is not None and "ref" not in out and out["threshold"] != 12.5
        above += out["threshold"] > 12.5
        below += out["threshold"] < 12.5
    assert above > 60 and below > 60
    assert all(
        isinstance((refine({"ref": 80.0}, random.Random(s)) or {})["threshold"], int)
        for s in range(20)
    )


def test_registered_suite_options(tmp_path: Path, small_mimic: EhrDatabase) -> None:
    suite = get_suite(
        "mimic-iii",
        patients=150,
        seed=3,
        per_category=1,
        cache_dir=str(Path(small_mimic.directory).parents[1]),
    )
    assert isinstance(suite, EhrSuite) and suite.database.key == small_mimic.key
    tasks = suite.tasks()
    assert (
        len({t.category for t in tasks}) >= 60
        and max(Counter(t.category for t in tasks).values()) == 1
    )
    assert all("/data/mimic-iii/ehr.sqlite" in t.reference_solution for t in tasks)
    again = get_suite(
        "mimic-iii",
        patients=150,
        seed=3,
        per_category=1,
        cache_dir=str(Path(small_mimic.directory).parents[1]),
    )
    assert [msgspec.json.encode(t) for t in again.tasks()] == [
        msgspec.json.encode(t) for t in tasks
    ]
    from arollout.errors import ConfigError

    with pytest.raises(ConfigError):
        get_suite("mimic-iii", source="mimic-iv")
