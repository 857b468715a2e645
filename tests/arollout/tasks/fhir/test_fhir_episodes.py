"""The EpisodeSuite hook: one environment per episode, closed whatever happens.

The first half drives ``grading.open_episode`` with small fake suites (a
manager that keeps a task group open, a cleanup that hangs); the second half
runs whole engine episodes of the fhir suite on a real sandbox.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Any

import anyio
import pytest

from arollout.config import Budgets
from arollout.episode import EpisodeContext, run_episode
from arollout.llm.base import SamplingParams
from arollout.metrics import Metrics
from arollout.records import EpisodeStatus
from arollout.tasks import grading
from arollout.tasks.base import Answer, Task, Verdict
from arollout.tasks.fhir import FhirSuite
from arollout.testing.fakes import ScriptedClient
from arollout.testing.policies import format_action
from sandboxes import SandboxPool
from sandboxes.api import DEFAULT_LIMITS, ExecResult, ExecStatus, Mount

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping, Sequence
    from pathlib import Path

    from arollout.records import Message

pytestmark = pytest.mark.anyio

_TASK = Task(
    id="fake/1", suite="fake", category="c", split="test", question="q",
    answer=Answer(kind="integer", value=42), reference_solution="print(42)",
)  # fmt: skip


class _Env:
    mounts = (Mount(source="/tmp", target="/episode"),)
    env: Mapping[str, str] = {"EPISODE": "1"}

    def grade(self, task: Task, result: ExecResult, nonce: str) -> Verdict:
        return Verdict(correct=result.stdout == "episode\n", reason="graded by the episode")


class _FakeEpisodic:
    """A suite whose episode keeps a background task (a task group) open."""

    name = "fake"

    def __init__(self, *, hang_on_close: bool = False) -> None:
        self.hang_on_close = hang_on_close
        self.events: list[str] = []

    def tasks(self, split: str | None = None) -> Sequence[Task]:
        return [_TASK]

    def mounts(self) -> tuple[Mount, ...]:
        return (Mount(source="/usr", target="/suite"),)

    def instructions(self) -> str:
        return ""

    def request_info(self, task: Task, query: str) -> str:
        return ""

    def verify(self, task: Task, stdout: str) -> Verdict:
        return Verdict(correct=False, reason="not used")

    @contextlib.asynccontextmanager
    async def open_episode(self, task: Task) -> AsyncIterator[_Env]:
        async with anyio.create_task_group() as tg:
            tg.start_soon(anyio.sleep_forever)
            self.events.append("open")
            try:
                yield _Env()
            finally:
                try:
                    if self.hang_on_close:
                        self.events.append("hanging")
                        await anyio.sleep(30)  # cut short by the bound
                finally:
                    self.events.append("closed")
                    tg.cancel_scope.cancel()


async def test_exec_request_and_grade_use_the_episode() -> None:
    suite = _FakeEpisodic()
    assert grading.is_episodic(suite) and not grading.is_harness(suite)
    async with grading.open_episode(suite, _TASK) as env:
        assert env is not None
        request = grading.exec_request(
            suite,
            _TASK,
            "print(1)",
            mounts=suite.mounts(),
            limits=DEFAULT_LIMITS,
            nonce="n",
            episode=env,
        )
        assert [m.target for m in request.mounts] == ["/suite", "/episode"] and request.env == {
            "EPISODE": "1"
        }
        ran = ExecResult(status=ExecStatus.RUNTIME_ERROR, stdout="episode\n")
        assert grading.grade(
            suite, _TASK, ran, "n", episode=env
        ).correct  # the episode grades any status
    assert suite.events == ["open", "closed"]


async def test_suites_without_episodes_are_unchanged() -> None:
    from tests.arollout.helpers import TinySuite

    suite = TinySuite()
    task = suite.tasks()[0]
    async with grading.open_episode(suite, task) as env:
        assert env is None
        request = grading.exec_request(
            suite, task, "print(100)", mounts=(), limits=DEFAULT_LIMITS, nonce="n", episode=env
        )
    assert request.env == {} and request.mounts == ()
    assert grading.grade(
        suite, task, ExecResult(status=ExecStatus.OK, stdout="100\n"), "n", episode=None
    ).correct


async def test_errors_propagate_after_the_cleanup() -> None:
    suite = _FakeEpisodic()
    with pytest.RaisesGroup(KeyError):  # the fake's own task group groups it
        async with grading.open_episode(suite, _TASK):
            raise KeyError("boom")
    assert suite.events == ["open", "closed"]


async def test_a_hanging_cleanup_is_bounded_and_keeps_the_error() -> None:
    suite = _FakeEpisodic(hang_on_close=True)
    with (
        anyio.fail_after(5),
        pytest.raises(KeyError),
    ):  # the error itself, though the cleanup was cut
        async with grading.open_episode(suite, _TASK, close_timeout_s=0.2):
            raise KeyError("boom")
    assert suite.events == ["open", "hanging", "closed"]
    with anyio.fail_after(5):
        async with grading.open_episode(suite, _TASK, close_timeout_s=0.2):
            pass  # a clean exit with a hanging cleanup returns after the bound


@pytest.mark.parametrize("hang", [False, True])
async def test_outer_cancellation_is_never_swallowed(hang: bool) -> None:
    suite = _FakeEpisodic(hang_on_close=hang)
    with anyio.fail_after(5):
        with anyio.move_on_after(0.1) as outer:
            async with grading.open_episode(suite, _TASK, close_timeout_s=0.3):
                await anyio.sleep(30)
            pytest.fail("the cancellation was swallowed")
    assert outer.cancelled_caught
    assert suite.events[-1] == "closed"


# -- whole episodes of the fhir suite --------------------------------------------------


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def pool(anyio_backend: str) -> AsyncIterator[SandboxPool]:
    async with SandboxPool(slots=2, preload=("json", "http.client", "urllib.request")) as p:
        yield p


def _ctx(
    suite: FhirSuite, pool: SandboxPool, client: ScriptedClient, budgets: Budgets
) -> EpisodeContext:
    return EpisodeContext(
        client=client, template=client.template, sandbox=pool, suite=suite,
        sampling=SamplingParams(max_new_tokens=4096, temperature=1.0), budgets=budgets,
        context_len=65536, metrics=Metrics(), run_id="r", exec_limits=DEFAULT_LIMITS,
    )  # fmt: skip


async def test_an_episode_reads_then_orders_and_is_solved(
    fhir_cache: Path, tmp_path: Path, pool: SandboxPool
) -> None:
    suite = FhirSuite(patients=150, per_category=10, cache_dir=fhir_cache, socket_dir=str(tmp_path))
    task = next(
        t for t in suite.tasks() if t.category == "potassium_replacement" and t.meta["expect"]
    )
    mrn = task.meta["mrn"]
    replies = iter(
        [
            format_action(
                "validate_code",
                {"code": f"print(fhir_get('Patient', identifier={mrn!r})['total'])"},
            ),
            format_action("validate_code", {"code": task.reference_solution}),
        ]
    )
    traj = await run_episode(
        _ctx(suite, pool, ScriptedClient(lambda _c: next(replies)), Budgets(max_turns=3)),
        task,
        0,
        group_id="g",
        seed=0,
    )
    assert traj.status is EpisodeStatus.SOLVED and traj.reward == 1.0, traj.error
    first = traj.turns[0].step
    assert first is not None and first.correct is False and "Output:\n1" in first.observation
    assert "not correct" in first.observation and str(task.answer.value) not in first.observation
    assert os.listdir(tmp_path) == []  # the episode's directory is gone


async def test_a_timed_out_episode_closes_its_server(
    fhir_cache: Path, tmp_path: Path, pool: SandboxPool
) -> None:
    suite = FhirSuite(patients=150, per_category=10, cache_dir=fhir_cache, socket_dir=str(tmp_path))
    task = suite.tasks()[0]

    async def slow(conversation: Sequence[Message]) -> str:
        await anyio.sleep(30)
        return ""

    traj = await run_episode(
        _ctx(suite, pool, ScriptedClient(slow), Budgets(episode_timeout_s=0.3)),
        task,
        0,
        group_id="g",
        seed=0,
    )
    assert traj.status is EpisodeStatus.TIMEOUT
    assert os.listdir(tmp_path) == []


async def test_each_sample_of_a_task_has_its_own_store(
    fhir_cache: Path, tmp_path: Path, pool: SandboxPool
) -> None:
    """Two samples of one write task run at once; each must post its own order to be solved."""
    suite = FhirSuite(patients=150, per_category=10, cache_dir=fhir_cache, socket_dir=str(tmp_path))
    task = next(t for t in suite.tasks() if t.category == "referral")
    ctx = _ctx(
        suite,
        pool,
        ScriptedClient(
            lambda _c: format_action("validate_code", {"code": task.reference_solution})
        ),
        Budgets(max_turns=1),
    )
    results: list[Any] = []

    async def one(i: int) -> None:
        results.append(await run_episode(ctx, task, i, group_id="g", seed=i))

    async with anyio.create_task_group() as tg:
        for i in range(2):
            tg.start_soon(one, i)
    assert [t.status for t in results] == [EpisodeStatus.SOLVED] * 2
    assert os.listdir(tmp_path) == []
