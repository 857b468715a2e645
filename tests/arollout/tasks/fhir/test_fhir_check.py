"""The suite's self-check in a real sandbox: oracle 1.0, trivial 0.0, probes that really probe."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from arollout.tasks import grading
from arollout.tasks.check import run_checks
from arollout.tasks.fhir import orders
from arollout.tasks.fhir.build import CATEGORIES
from arollout.tasks.fhir.episode import STATE_WRONG
from sandboxes import SandboxPool
from sandboxes.api import DEFAULT_LIMITS, ExecStatus

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from arollout.tasks.base import Task
    from arollout.tasks.fhir import FhirSuite

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def pool(anyio_backend: str) -> AsyncIterator[SandboxPool]:
    async with SandboxPool(slots=3, preload=("json", "http.client", "urllib.request")) as p:
        yield p


async def test_run_checks_oracle_passes_and_nothing_trivial_does(
    small_suite: FhirSuite, pool: SandboxPool
) -> None:
    report = await run_checks(small_suite, pool, sample=len(CATEGORIES), concurrency=3)
    assert report.checked == len(CATEGORIES)
    assert report.oracle_pass_rate == 1.0, report.failures
    assert report.trivial_checked >= len(CATEGORIES) * 20
    assert report.trivial_pass_rate == 0.0, report.trivial_passes


async def test_probes_do_what_their_labels_say(small_suite: FhirSuite, pool: SandboxPool) -> None:
    """A probe that failed only because the server refused it would prove nothing."""
    picked: dict[tuple[str, bool], Task] = {}
    for task in small_suite.tasks():
        key = (task.category, bool(task.meta["expect"]))
        picked.setdefault(key, task)
    assert len(picked) >= len(CATEGORIES) + 3  # both outcomes of the three conditional rules
    for task in picked.values():
        probes = {p.label: p for p in small_suite.trivial_codes(task)}
        assert ("read-only agent printing the right answer" in probes) == bool(task.meta["expect"])
        for label, probe in probes.items():
            async with grading.open_episode(small_suite, task) as env:
                request = grading.exec_request(
                    small_suite,
                    task,
                    probe.code,
                    mounts=(),
                    limits=DEFAULT_LIMITS,
                    nonce="n",
                    episode=env,
                )
                result = await pool.exec(request)
                verdict = grading.grade(small_suite, task, result, "n", episode=env)
                assert env is not None
                created = env.store.created  # type: ignore[attr-defined]
                log = env.server.log  # type: ignore[attr-defined]
            assert result.status is ExecStatus.OK, (task.id, label, result.stderr)
            assert not verdict.correct, (task.id, label)
            assert any(entry.method == "GET" and entry.status == 200 for entry in log), label
            if label.startswith("read-only"):
                assert created == [] and all(entry.method == "GET" for entry in log), label
            elif label == "a wrong order":
                assert created, (task.id, label)  # the server accepted the wrong order
                assert verdict.reason == STATE_WRONG
            else:  # every candidate, after exactly the right orders: the printed line decides
                assert label == "every candidate of the patient"
                assert not orders.problems(task.meta["expect"], created), task.id
                assert verdict.reason != STATE_WRONG
