"""Notes and their labels: tags, injected inconsistencies, agreement with the database."""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
import sqlite3
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from arollout.tasks.ehrcon import CATEGORIES, QUERIES, Claim, compose
from arollout.tasks.ehrcon.claims import consistent
from arollout.tasks.ehrcon.facts import load
from arollout.tasks.ehrcon.mentions import MAKERS, Context

if TYPE_CHECKING:
    from arollout.tasks.ehrcon.suite import EhrconSuite

_TAG = re.compile(r"\[(E\d+)\]")


def test_every_category_is_filled_with_well_formed_notes(host_suite: EhrconSuite) -> None:
    tasks = host_suite.tasks()
    assert Counter(t.category for t in tasks) == dict.fromkeys(CATEGORIES, 30)
    assert len({t.id for t in tasks}) == len(tasks)
    for task in tasks:
        note = task.question.split("--- NOTE ---")[1]
        tags = _TAG.findall(note)
        assert (
            tags
            == [f"E{i + 1}" for i in range(len(tags))]
            == [f"E{i + 1}" for i in range(len(task.meta["mentions"]))]
        )
        wrong = task.answer.value
        assert task.answer.kind == "set" and 1 <= len(wrong) < len(tags) and set(wrong) <= set(tags)
        assert any(
            k.endswith("/denied") for k in task.meta["mentions"]
        )  # every note denies something


def test_reference_solutions_query_the_database_and_find_the_injected_set(
    host_suite: EhrconSuite,
) -> None:
    """The reference checks each mention with its query; what it prints is the gold set."""
    for task in host_suite.tasks()[::3]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(task.reference_solution, task.id, "exec"), {"__name__": "__main__"})
        printed = out.getvalue().strip().splitlines()[-1]
        assert sorted(json.loads(printed)) == sorted(task.answer.value), task.id
        assert host_suite.verify(task, printed).correct


def test_injected_changes_are_detected_and_true_mentions_pass(host_suite: EhrconSuite) -> None:
    """Each maker's inconsistent modes really disagree with the tables; ``ok``/``neg`` agree."""
    db = host_suite.database
    con = sqlite3.connect(f"file:{db.sqlite_path}?mode=ro", uri=True)
    adms, catalog = load(con)
    rng = random.Random(1)
    seen: Counter[tuple[str, str]] = Counter()
    for adm in list(adms.values())[:120]:
        stay = adm.stays[0] if adm.stays else None
        window = None
        if stay is not None and stay.vitals:
            start = stay.vitals[0].time
            window = (start, stay.vitals[-1].time)
        for slot, maker in MAKERS.items():
            for mode in ("ok", "neg", "value", "dose", "route", "time", "extra", "missing"):
                ctx = Context(
                    adm=adm,
                    catalog=catalog,
                    rng=rng,
                    stay=stay,
                    window=window if slot == "lab" and mode == "extra" else None,
                )
                draft = maker(ctx, mode)
                if draft is None:
                    continue
                claim = Claim("E1", draft.kind, draft.negated, draft.params)
                agrees = consistent(con, claim)
                if mode in ("ok", "neg"):
                    assert agrees, (slot, mode, draft)
                elif not (mode in ("value", "time") and slot in ("lab", "vital", "output")):
                    assert not agrees, (slot, mode, draft)  # readings may collide: see below
                seen[(slot, mode)] += 1
    con.close()
    # every inconsistency type was produced by some maker
    for mode in ("value", "dose", "route", "time", "extra", "missing"):
        assert any(m == mode for _, m in seen), mode
    assert set(QUERIES) >= {"lab", "vital", "drug", "diagnosis", "drug_any"}


def test_compose_is_deterministic(host_suite: EhrconSuite) -> None:
    con = sqlite3.connect(f"file:{host_suite.database.sqlite_path}?mode=ro", uri=True)
    adms, catalog = load(con)
    con.close()
    adm = next(a for a in adms.values() if a.disch and len(a.labs) > 5 and len(a.drugs) > 3)
    notes = [compose("discharge_dose", adm, catalog, random.Random(7)) for _ in range(2)]
    assert notes[0] is not None and notes[0] == notes[1]


@pytest.mark.parametrize("mode", ["value", "time"])
def test_changed_values_and_times_rarely_collide(host_suite: EhrconSuite, mode: str) -> None:
    """A changed value or a moved reading almost never lands on another real record; when
    it does, the note is dropped at build time (its query would disagree)."""
    con = sqlite3.connect(f"file:{host_suite.database.sqlite_path}?mode=ro", uri=True)
    adms, catalog = load(con)
    rng = random.Random(2)
    hits = total = 0
    for adm in list(adms.values())[:150]:
        ctx = Context(adm=adm, catalog=catalog, rng=rng)
        draft = MAKERS["lab"](ctx, mode)
        if draft is not None:
            total += 1
            hits += consistent(con, Claim("E1", draft.kind, draft.negated, draft.params))
    con.close()
    assert total > 100 and hits / total < 0.05
