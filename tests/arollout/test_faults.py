"""Fault injection end to end: every episode ends with a recorded status."""

from __future__ import annotations

import anyio
import pytest

from arollout.config import Budgets, RunConfig
from arollout.engine import Engine
from arollout.llm.chat import PackedChatML
from arollout.llm.retry import RetryPolicy
from arollout.llm.sglang import SGLangClient
from arollout.records import EpisodeStatus
from arollout.testing.emulator import EmulatorConfig, Faults, open_emulator
from arollout.testing.fakes import FakeSandbox
from arollout.testing.policies import OraclePolicy

from .helpers import TinySuite, python_eval_sandbox

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "faults",
    [
        Faults(error_rate=0.3, seed=1),
        Faults(drop_rate=0.3, seed=2),
        Faults(hang_rate=0.2, seed=3),
        Faults(malformed_rate=0.3, seed=4),
        Faults(error_rate=0.1, drop_rate=0.1, hang_rate=0.1, malformed_rate=0.1, seed=5),
    ],
    ids=["5xx", "drops", "hangs", "malformed", "mixed"],
)
async def test_faults_end_every_episode_with_a_status(faults: Faults) -> None:
    suite = TinySuite(10)
    config = EmulatorConfig(policy=OraclePolicy(suite.solutions()), faults=faults)
    seen: list[EpisodeStatus] = []
    with anyio.fail_after(60):
        async with open_emulator(config=config) as emu, SGLangClient(
            emu.url,
            concurrency=16,
            timeout_s=0.3,
            retry=RetryPolicy(attempts=3, base_s=0.01, max_s=0.05),
        ) as client:
            engine = Engine(
                RunConfig(concurrency=16, budgets=Budgets(max_turns=3)),
                suite=suite,
                client=client,
                template=PackedChatML(),
                sandbox=FakeSandbox(python_eval_sandbox),
            )
            async with engine:
                groups = [g async for g in engine.rollout(suite.tasks(), n=4)]
    for group in groups:
        seen += [t.status for t in group.trajectories]
        for t in group.trajectories:
            if t.status is EpisodeStatus.LLM_ERROR:
                assert t.error  # the failure is described, not silent
    assert len(seen) == 40
    assert EpisodeStatus.ENGINE_ERROR not in seen
    # Retries recover most episodes; the rest are recorded as server failures.
    assert seen.count(EpisodeStatus.SOLVED) >= 20
    assert set(seen) <= {EpisodeStatus.SOLVED, EpisodeStatus.LLM_ERROR, EpisodeStatus.MAX_TURNS}
