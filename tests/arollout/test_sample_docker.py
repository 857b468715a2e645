"""``arollout sample --sandbox-backend docker``: real episodes in containers, nothing left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from arollout.config import load_config
from arollout.run import sample
from arollout.store import read_run

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.anyio, pytest.mark.docker]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _own_containers() -> list[dict[str, object]]:
    from sandboxes import dockerapi

    async with dockerapi.DockerClient() as client:
        found: list[dict[str, object]] = await client.list_labeled(
            f"{dockerapi.LABEL_OWNER_PID}={os.getpid()}"
        )
    return found


async def test_sample_on_the_docker_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.environ.get("AROLLOUT_NO_DOCKER") == "1":
        pytest.skip("AROLLOUT_NO_DOCKER=1: the Docker backend is not tested on this machine")
    monkeypatch.setenv("AROLLOUT_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "run"
    config = load_config(
        ROOT / "configs" / "sample-default.toml",
        limit=8,
        n=2,
        concurrency=8,
        out=str(out),
        progress=False,
        **{"sandbox.backend": "docker", "sandbox.slots": 2},
    )
    summary = await sample(config)
    assert summary["episodes"] == 16 and summary["success_rate"] >= 0.95
    trajectories = read_run(out)
    # The oracle's code really ran and was graded: its last turn executed fine.
    assert all(t.turns[-1].step and t.turns[-1].step.exec_status == "ok" for t in trajectories if t.solved)
    assert await _own_containers() == []
