"""Builders shared by the store tests: trajectories and a synchronous writer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio

from arollout.records import EpisodeStatus, Message, Trajectory, Turn
from arollout.store.writer import open_writer

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path


def make_trajectory(
    task_id: str = "t0",
    sample_index: int = 0,
    *,
    status: EpisodeStatus = EpisodeStatus.SOLVED,
    turns: int = 2,
    **fields: Any,
) -> Trajectory:
    turn_list = [
        Turn(
            index=k,
            prompt_ids=list(range(10 * k, 10 * k + 5)),
            output_ids=list(range(1000 + k, 1008 + k)),
            output_logprobs=[-0.25 * (j + 1) for j in range(8)],
            text=f"turn {k}",
        )
        for k in range(turns)
    ]
    defaults: dict[str, Any] = {
        "episode_id": f"{task_id}/{sample_index}",
        "suite": "ehr",
        "category": "sql",
        "messages": [
            Message(role="system", content="sys"),
            Message(role="user", content=f"question {task_id}"),
            Message(role="assistant", content=f"answer {sample_index}"),
        ],
        "turns": turn_list,
        "reward": 1.0 if status is EpisodeStatus.SOLVED else 0.0,
    }
    defaults.update(fields)
    return Trajectory(task_id=task_id, sample_index=sample_index, status=status, **defaults)


def write_run(run_dir: Path, trajectories: Iterable[Trajectory], **options: Any) -> None:
    """Write trajectories with a real writer from synchronous test code."""

    async def main() -> None:
        async with open_writer(run_dir, run_id=options.pop("run_id", "run"), **options) as w:
            for t in trajectories:
                await w.put(t)

    anyio.run(main)
