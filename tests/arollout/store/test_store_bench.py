from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from arollout.errors import ConfigError
from arollout.records import decode_trajectory, encode_trajectory
from arollout.store.bench import make_trajectories, run_store_bench
from arollout.tokens import Logprobs, TokenIds

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.anyio


def test_synthetic_trajectories_are_packed_like_the_engine_makes_them() -> None:
    (t,) = make_trajectories(1, turns=2, output_ids=30)
    turn = t.turns[0]
    assert type(turn.output_ids) is TokenIds and type(turn.output_logprobs) is Logprobs
    assert len(turn.output_ids) == len(turn.output_logprobs) == 30
    assert decode_trajectory(encode_trajectory(t)) == t


async def test_store_bench_repeats_and_reports_the_disk_ceiling(tmp_path: Path) -> None:
    r = await run_store_bench(
        trajectories=60, turns=2, output_ids=20, pool_size=8, paced_rate=200.0,
        paced_seconds=0.05, warmup=5, repeats=2, directory=str(tmp_path),
    )  # fmt: skip
    assert len(r["records_per_s_runs"]) == 2
    assert min(r["records_per_s_runs"]) <= r["records_per_s"] <= max(r["records_per_s_runs"])
    assert r["raw_write_mb_per_s"] > 0 and r["raw_records_per_s"] > 0
    assert os.listdir(tmp_path) == []  # everything it wrote is removed


async def test_store_bench_refuses_zero_repeats() -> None:
    with pytest.raises(ConfigError, match="repeats"):
        await run_store_bench(repeats=0)
