from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_grpo_loop_yields_aligned_token_tensors() -> None:
    """The online-RL example runs against the emulator and trains on sampled tokens only."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "grpo_loop.py")], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    groups = [line for line in done.stdout.splitlines() if line.startswith("group ")]
    assert len(groups) == 16 and all("rewards [" in g for g in groups)
    summary = re.search(r"(\d+) trajectories, (\d+) trainable tokens", done.stdout)
    assert summary is not None and int(summary[1]) == 64 and int(summary[2]) > 0


def test_token_tensors_mask_exactly_the_sampled_ids() -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        from grpo_loop import token_tensors  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(EXAMPLES))
    from arollout import EpisodeStatus, Logprobs, TokenIds, Trajectory, Turn

    traj = Trajectory(
        episode_id="e", task_id="t", suite="s", status=EpisodeStatus.SOLVED,
        turns=[
            Turn(index=0, prompt_ids=TokenIds([1, 2]), output_ids=TokenIds([7]), output_logprobs=Logprobs([-0.5])),
            Turn(index=1, prompt_ids=TokenIds([3]), output_ids=TokenIds([8, 9])),
        ],
    )  # fmt: skip
    ids, mask, logprobs = token_tensors(traj)
    assert ids == [1, 2, 7, 3, 8, 9] and mask == [0, 0, 1, 0, 1, 1]
    assert logprobs == [0.0, 0.0, -0.5, 0.0, 0.0, 0.0]
