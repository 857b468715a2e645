"""``arollout bench e2e``: episodes per second, arollout vs a MedAgentGym-style sampler.

One run, one machine, one inference server, the same tasks:

1. ONE emulator process (``arollout serve emulator --latency gpu``), whose
   latency model makes every turn cost what a 7B model on one GPU would
   (prefill, per-request decode rate, an aggregate token-rate cap), and whose
   oracle (or noisy) policy answers with each task's reference solution;
2. arollout drives it over HTTP exactly as it drives SGLang (token in/token
   out, ``--tokenizer builtin:packed``), runs the code in the real host
   sandbox pool and streams trajectories to a run directory;
3. the baseline (``bench/baselines/medagentgym.py``) drives the same server's
   chat-completions route from a process pool, one blocking call per turn and
   one fresh, polled ``python`` subprocess per execution.

Each side is timed from its first episode to its last; start-up (sandbox
zygotes, worker processes) is excluded on both sides and reported apart. The
baseline runs fewer episodes (it is much slower) on a prefix of the same
task order, a whole number of tasks per worker so that no worker idles at the
end. Per-episode wall times are returned for the latency CDFs.
"""

from __future__ import annotations

import math
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import anyio
import httpx

from arollout.config import Budgets, RunConfig, SamplingConfig, ServerConfig
from arollout.engine import Engine
from arollout.errors import ConfigError
from arollout.records import EpisodeStatus
from arollout.store.writer import TrajectoryWriter
from sandboxes.pool import default_slots

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType

    from arollout.records import Trajectory
    from arollout.tasks.base import Task

__all__ = ("run_e2e_bench",)

#: ``run_e2e_bench(latency=...)`` -> ``arollout serve emulator --latency ...``.
_CLI_LATENCY: Final = {"gpu-7b": "gpu", "instant": "instant"}
_HEALTH_TIMEOUT_S: Final = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_emulator(
    port: int, *, suite: str, latency: str, policy: str, noise_rate: float
) -> tuple[subprocess.Popen[bytes], list[str]]:
    cmd = [sys.executable, "-m", "arollout.cli", "serve", "emulator", "--port", str(port)]
    cmd += ["--suite", suite, "--latency", latency, "--policy", policy, "--noise-rate", str(noise_rate)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + _HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise ConfigError(f"the emulator exited before it was healthy: {err.strip()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1.0).status_code == 200:
                return proc, cmd
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise ConfigError(f"the emulator did not become healthy within {_HEALTH_TIMEOUT_S:.0f} s")


def _load_baseline() -> ModuleType:
    """``bench/baselines/medagentgym.py`` lives in the repository, not the package."""
    try:
        from bench.baselines import medagentgym
    except ImportError:
        root = Path(__file__).resolve().parent.parent
        if not (root / "bench" / "baselines" / "medagentgym.py").is_file():
            raise ConfigError(
                "the e2e benchmark needs the repository checkout (bench/baselines/); "
                "run it from the source tree"
            ) from None
        sys.path.insert(0, str(root))
        from bench.baselines import medagentgym
    return medagentgym


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p90": 0.0, "p99": 0.0}
    ordered = sorted(values)

    def q(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))], 3)

    return {"p50": q(0.5), "p90": q(0.9), "p99": q(0.99)}


async def _run_arollout(
    config: RunConfig, n: int, warmup_episodes: int, out: Path
) -> tuple[dict[str, Any], list[Task]]:
    t_setup = time.perf_counter()
    async with Engine(config, run_id="e2e") as engine:
        setup_s = time.perf_counter() - t_setup
        tasks = engine.tasks()
        if warmup_episodes:
            await engine.run_episodes(tasks[:warmup_episodes], 1)
        done: list[Trajectory] = []
        turns0, lag = engine.metrics.turns, engine.metrics.loop_lag
        async with TrajectoryWriter(out, run_id="e2e") as writer:

            async def collect(trajectory: Trajectory) -> None:
                done.append(trajectory)
                await writer.put(trajectory)

            started = time.perf_counter()
            await engine.run_episodes(tasks, n, on_trajectory=collect)
            elapsed = time.perf_counter() - started
        turns = engine.metrics.turns - turns0
        lag_p99_ms = lag.percentile(0.99) * 1e3
    solved = sum(t.status is EpisodeStatus.SOLVED for t in done)
    statuses: dict[str, int] = {}
    for t in done:
        statuses[t.status.value] = statuses.get(t.status.value, 0) + 1
    return {
        "episodes": len(done),
        "elapsed_s": elapsed,
        "setup_s": setup_s,
        "success_rate": solved / len(done) if done else 0.0,
        "turns": turns,
        "statuses": statuses,
        "loop_lag_p99_ms": lag_p99_ms,
        "wall_s": [t.wall_s for t in done],
    }, tasks


def run_e2e_bench(
    *,
    episodes: int = 1600,
    tasks_limit: int = 200,
    latency: str = "gpu-7b",
    concurrency: int = 512,
    baseline_workers: int | None = None,
    baseline_episodes: int = 80,
    baseline_poll_interval_s: float = 1.0,
    policy: str = "oracle",
    noise_rate: float = 0.3,
    max_turns: int = 10,
    warmup_episodes: int = 32,
    suite: str = "ehr-demo",
    include_samples: bool = True,
) -> dict[str, Any]:
    """Measure arollout and the baseline side by side; returns a JSON-able dict.

    Args:
        episodes: arollout episodes (``tasks_limit`` tasks x ``n`` samples,
            ``n = ceil(episodes / tasks_limit)``).
        tasks_limit: tasks in the run (the suite's stable task order).
        latency: the emulator's latency preset (``gpu-7b`` or ``instant``).
        concurrency: arollout's episodes in flight.
        baseline_workers: baseline processes (default: MedAgentGym's README, 5).
        baseline_episodes: about how many episodes the baseline runs, with the
            same ``n`` on the first tasks of the same order.
        baseline_poll_interval_s: the baseline's subprocess polling interval.
        policy / noise_rate: the emulator's policy (``oracle`` or ``noisy``).
        max_turns: turn budget per episode, on both sides.
        warmup_episodes: untimed arollout episodes first (caches, connections).
        include_samples: return per-episode wall times (for latency CDFs).
    """
    if latency not in _CLI_LATENCY:
        raise ConfigError(f"latency must be one of {sorted(_CLI_LATENCY)}, got {latency!r}")
    if min(episodes, tasks_limit, concurrency, baseline_episodes, max_turns) < 1:
        raise ConfigError("episodes, tasks_limit, concurrency, baseline_episodes and max_turns must be >= 1")
    if baseline_workers is not None and baseline_workers < 1:
        raise ConfigError(f"baseline_workers must be >= 1, got {baseline_workers}")
    if warmup_episodes < 0 or baseline_poll_interval_s < 0:
        raise ConfigError("warmup_episodes and baseline_poll_interval_s must be >= 0")
    if policy not in ("oracle", "noisy"):
        raise ConfigError(f"policy must be 'oracle' or 'noisy', got {policy!r}")
    if not 0.0 <= noise_rate <= 1.0:
        raise ConfigError(f"noise_rate must be in [0, 1], got {noise_rate}")
    medagentgym = _load_baseline()
    workers = baseline_workers or medagentgym.DEFAULT_WORKERS
    n = max(1, math.ceil(episodes / tasks_limit))
    port = _free_port()
    proc, cmd = _start_emulator(
        port, suite=suite, latency=_CLI_LATENCY[latency], policy=policy, noise_rate=noise_rate
    )
    url = f"http://127.0.0.1:{port}"
    config = RunConfig(
        suite=suite,
        limit=tasks_limit,
        n=n,
        concurrency=concurrency,
        progress=False,
        server=ServerConfig(url=url, kind="sglang", tokenizer="builtin:packed"),
        sampling=SamplingConfig(max_new_tokens=2048),
        budgets=Budgets(max_turns=max_turns),
    )
    try:
        with tempfile.TemporaryDirectory(prefix="arollout-e2e-") as tmp:
            ours, tasks = anyio.run(
                _run_arollout,
                config,
                n,
                min(warmup_episodes, tasks_limit),
                Path(tmp) / "run",
                backend="asyncio",
                backend_options={"use_uvloop": True},
            )
            base_tasks = min(len(tasks), max(1, round(baseline_episodes / n / workers)) * workers)
            base_out = Path(tmp) / "baseline"
            base_out.mkdir()
            t_setup = time.perf_counter()
            base_config = medagentgym.BaselineConfig(
                url=url,
                suite=suite,
                workers=workers,
                poll_interval_s=baseline_poll_interval_s,
                max_turns=max_turns,
                max_tokens=2048,
                out_dir=str(base_out),
            )
            results, base_elapsed = medagentgym.run_baseline(tasks[:base_tasks], n, base_config)
            base_setup = time.perf_counter() - t_setup - base_elapsed
    finally:
        proc.terminate()
        proc.wait(10)
    base_solved = sum(r.solved for r in results)
    eps = ours["episodes"] / ours["elapsed_s"]
    base_eps = len(results) / base_elapsed
    result: dict[str, Any] = {
        "episodes_per_s": round(eps, 3),
        "baseline_episodes_per_s": round(base_eps, 3),
        "ratio": round(eps / base_eps, 2),
        "success_rate": round(ours["success_rate"], 4),
        "baseline_success_rate": round(base_solved / len(results), 4) if results else 0.0,
        "episodes": ours["episodes"],
        "baseline_episodes": len(results),
        "elapsed_s": round(ours["elapsed_s"], 2),
        "baseline_elapsed_s": round(base_elapsed, 2),
        "setup_s": round(ours["setup_s"], 2),
        "baseline_setup_s": round(base_setup, 2),
        "turns_per_s": round(ours["turns"] / ours["elapsed_s"], 2),
        "baseline_turns_per_s": round(sum(r.turns for r in results) / base_elapsed, 2),
        "episode_latency_s": _percentiles(ours["wall_s"]),
        "baseline_episode_latency_s": _percentiles([r.wall_s for r in results]),
        "statuses": ours["statuses"],
        "loop_lag_p99_ms": round(ours["loop_lag_p99_ms"], 2),
        "settings": {
            "latency": latency,
            "policy": policy,
            "noise_rate": noise_rate if policy == "noisy" else None,
            "suite": suite,
            "tasks": tasks_limit,
            "baseline_tasks": base_tasks,
            "n": n,
            "max_turns": max_turns,
            "concurrency": concurrency,
            "sandbox_slots": config.sandbox.slots or default_slots(),
            "baseline_workers": workers,
            "baseline_poll_interval_s": baseline_poll_interval_s,
            "baseline_exec_timeout_s": base_config.exec_timeout_s,
            "warmup_episodes": warmup_episodes,
            "emulator": " ".join(["python", *cmd[1:]]),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    if include_samples:
        result["episode_wall_s"] = [round(x, 4) for x in ours["wall_s"]]
        result["baseline_episode_wall_s"] = [round(r.wall_s, 4) for r in results]
    return result
