"""An online GRPO-style sampling loop against the emulator.

Shows what an RL trainer needs from arollout and nothing else: groups of n
samples per task as soon as each group completes, group-normalized
advantages, and per-trajectory token tensors with loss masks (1 on tokens the
model sampled, 0 on prompt and environment tokens) and behaviour logprobs.

    python examples/grpo_loop.py            # noisy emulator policy, 16 tasks x 4 samples
"""

from __future__ import annotations

import statistics

import anyio

from arollout import Engine, RunConfig, ServerConfig, Trajectory


def token_tensors(trajectory: Trajectory) -> tuple[list[int], list[int], list[float]]:
    """(input ids, loss mask, logprobs) of one trajectory, aligned token by token."""
    ids: list[int] = []
    mask: list[int] = []
    logprobs: list[float] = []
    for turn in trajectory.turns:
        ids += turn.prompt_ids
        mask += [0] * len(turn.prompt_ids)
        logprobs += [0.0] * len(turn.prompt_ids)
        ids += turn.output_ids
        mask += [1] * len(turn.output_ids)
        logprobs += turn.output_logprobs or [0.0] * len(turn.output_ids)
    return ids, mask, logprobs


async def main() -> None:
    config = RunConfig(
        limit=16,
        n=4,
        concurrency=64,
        server=ServerConfig(url="emulator", policy="noisy", noise_rate=0.5),
    )
    async with Engine(config) as engine:
        batch = []
        async for group in engine.rollout(engine.tasks(), n=config.n):
            rewards = group.rewards
            mean = statistics.fmean(rewards)
            std = statistics.pstdev(rewards) or 1.0
            for trajectory, reward in zip(group.trajectories, rewards, strict=True):
                ids, mask, logprobs = token_tensors(trajectory)
                batch.append((ids, mask, logprobs, (reward - mean) / std))
            print(
                f"group {group.task_id}: rewards {rewards} "
                f"turns {[len(t.turns) for t in group.trajectories]}"
            )
        trained = sum(sum(mask) for _, mask, _, _ in batch)
        print(f"{len(batch)} trajectories, {trained} trainable tokens")


if __name__ == "__main__":
    anyio.run(main, backend_options={"use_uvloop": True})
