from __future__ import annotations

from typing import TYPE_CHECKING

import anyio
import pytest

from arollout.config import Budgets, RunConfig
from arollout.engine import Engine, episode_seed
from arollout.errors import EngineStateError
from arollout.records import EpisodeStatus, Message
from arollout.testing.fakes import FakeSandbox, ScriptedClient

from .helpers import TinySuite, action, python_eval_sandbox

if TYPE_CHECKING:
    from collections.abc import Sequence

pytestmark = pytest.mark.anyio


def solver(conversation: Sequence[Message]) -> str:
    n = int(conversation[1].content.split("+ ")[1].rstrip("?"))
    return action("validate_code", code=f"print(100 + {n})")


def make_engine(reply=solver, *, concurrency: int = 3, count: int = 5) -> tuple[Engine, TinySuite]:
    suite = TinySuite(count)
    client = ScriptedClient(reply)
    engine = Engine(
        RunConfig(concurrency=concurrency, budgets=Budgets(max_turns=2)),
        suite=suite,
        client=client,
        template=client.template,
        sandbox=FakeSandbox(python_eval_sandbox),
    )
    return engine, suite


async def test_rollout_yields_complete_groups() -> None:
    engine, suite = make_engine()
    async with engine:
        groups = [g async for g in engine.rollout(suite.tasks(), n=3)]
    assert sorted(g.task_id for g in groups) == sorted(t.id for t in suite.tasks())
    for group in groups:
        assert [t.sample_index for t in group.trajectories] == [0, 1, 2]
        assert all(t.status is EpisodeStatus.SOLVED for t in group.trajectories)
        assert group.rewards == [1.0, 1.0, 1.0]
    assert engine.metrics.episodes == 15


async def test_concurrency_bound_is_respected() -> None:
    live = 0
    peak = 0

    async def slow(conversation: Sequence[Message]) -> str:
        nonlocal live, peak
        live += 1
        peak = max(peak, live)
        await anyio.sleep(0.01)
        live -= 1
        return solver(conversation)

    engine, suite = make_engine(slow, concurrency=4, count=6)
    async with engine:
        groups = [g async for g in engine.rollout(suite.tasks(), n=2)]
    assert len(groups) == 6
    assert peak == 4


async def test_breaking_out_cancels_running_episodes() -> None:
    started = 0

    async def slow(conversation: Sequence[Message]) -> str:
        nonlocal started
        started += 1
        if conversation[1].content.endswith("0?"):
            return solver(conversation)
        await anyio.sleep(30)
        return ""

    engine, suite = make_engine(slow, concurrency=8, count=4)
    with anyio.fail_after(5):
        async with engine:
            async for group in engine.rollout(suite.tasks(), n=1):
                assert group.task_id == "tiny/0"
                break
    assert started == 4
    assert engine.metrics.episodes == 1


async def test_run_episodes_skips_done_pairs_and_reports_each_once() -> None:
    engine, suite = make_engine()
    seen: list[tuple[str, int]] = []

    async def record(trajectory) -> None:
        seen.append(trajectory.key)

    async with engine:
        await engine.run_episodes(suite.tasks(), 2, on_trajectory=record, done=[(0, 0), (3, 1)])
    expected = {(t.id, s) for t in suite.tasks() for s in range(2)} - {("tiny/0", 0), ("tiny/3", 1)}
    assert sorted(seen) == sorted(expected)


async def test_engine_cannot_be_reopened_or_used_closed() -> None:
    engine, suite = make_engine()
    async with engine:
        with pytest.raises(EngineStateError):
            await engine.__aenter__()
    with pytest.raises(EngineStateError):
        async for _ in engine.rollout(suite.tasks()):
            pass
    with pytest.raises(EngineStateError):
        async with engine:
            pass


def test_episode_seed_is_stable_and_distinct() -> None:
    assert episode_seed(0, "a", 0) == episode_seed(0, "a", 0)
    seeds = {episode_seed(0, "a", i) for i in range(8)}
    assert len(seeds) == 8
    assert episode_seed(1, "a", 0) != episode_seed(0, "a", 0)


async def test_gc_threshold_is_raised_while_open_and_restored() -> None:
    import gc

    before = gc.get_threshold()
    engine, _ = make_engine()
    async with engine:
        assert gc.get_threshold()[0] >= 20_000
        assert gc.get_threshold()[1:] == before[1:]
    assert gc.get_threshold() == before


async def test_a_failing_callback_cancels_every_running_episode() -> None:
    # The episodes are plain asyncio tasks: an exception in the driver must
    # still cancel and await all of them (nothing keeps running or leaks).
    cancelled = 0

    async def slow(conversation: Sequence[Message]) -> str:
        nonlocal cancelled
        if conversation[1].content.endswith("0?"):
            return solver(conversation)
        try:
            await anyio.sleep(30)
        except BaseException:
            cancelled += 1
            raise
        return ""

    async def boom(trajectory) -> None:
        raise RuntimeError("callback failed")

    engine, suite = make_engine(slow, concurrency=8, count=5)
    with anyio.fail_after(5):
        async with engine:
            with pytest.raises(RuntimeError, match="callback failed"):
                await engine.run_episodes(suite.tasks(), 1, on_trajectory=boom)
            assert engine.metrics.in_flight == 0
    assert cancelled == 4
