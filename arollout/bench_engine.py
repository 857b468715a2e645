"""``arollout bench engine``: the engine's own CPU cost per LLM turn.

Setup, chosen so that only the engine is measured:

* an *instant* SGLang emulator in a separate process (its CPU is not ours);
* a fake sandbox that answers at once with a wrong answer, so every episode
  runs its full turn budget (parse, feedback, verification, incremental
  rendering) without paying for code execution (see ``bench sandbox``);
* ``process_time`` of this process divided by the turns completed, after a
  warm-up run; event-loop lag from the engine's own monitor; RSS sampled while
  every slot is busy, and once before the first episode starts, so that their
  difference over the concurrency is the memory one episode in flight costs.
"""

from __future__ import annotations

import math
import os
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

import anyio
import httpx

from arollout.config import Budgets, RunConfig, SamplingConfig, ServerConfig
from arollout.engine import Engine
from arollout.errors import ConfigError
from arollout.llm.chat import PackedChatML
from arollout.llm.sglang import SGLangClient
from arollout.tasks.registry import get_suite
from arollout.testing.fakes import FakeSandbox
from sandboxes.api import ExecResult, ExecStatus

__all__ = ("run_engine_bench",)

MAX_TURNS = 4
WARMUP_EPISODES = 256


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _pin_apart(emulator_pid: int) -> set[int] | None:
    """Engine on one CPU, emulator on another: neither steals the other's cache
    or time slices, which otherwise makes CPU-per-turn swing by +-20 %.

    Returns the engine's previous affinity (None: fewer than two CPUs, nothing pinned).
    """
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    before = set(cpus)
    os.sched_setaffinity(emulator_pid, {cpus[-1]})
    os.sched_setaffinity(0, {cpus[0]})
    return before


def _start_emulator(port: int, suite: str, *, latency: str = "instant") -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable, "-m", "arollout.cli", "serve", "emulator",
        "--port", str(port), "--suite", suite, "--latency", latency,
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"emulator exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("emulator did not become healthy within 60 s")


async def _measure(url: str, suite_name: str, concurrency: int, episodes: int) -> dict[str, Any]:
    suite = get_suite(suite_name)
    tasks = list(suite.tasks(None))
    n = max(1, math.ceil(episodes / len(tasks)))
    tasks = tasks[: math.ceil(episodes / n)]
    config = RunConfig(
        concurrency=concurrency,
        n=n,
        server=ServerConfig(url=url),
        sampling=SamplingConfig(max_new_tokens=1024),
        budgets=Budgets(max_turns=MAX_TURNS),
    )
    wrong = ExecResult(status=ExecStatus.OK, returncode=0, stdout="no idea\n")
    rss_busy = 0.0
    async with SGLangClient(url, concurrency=concurrency) as client:
        engine = Engine(
            config,
            suite=suite,
            client=client,
            template=PackedChatML(),
            sandbox=FakeSandbox(lambda _r: wrong),
        )
        async with engine:
            rss_idle = _rss_mb()

            async def sample_rss() -> None:
                nonlocal rss_busy
                while True:
                    await anyio.sleep(0.2)
                    if engine.metrics.in_flight >= concurrency * 0.9:
                        rss_busy = max(rss_busy, _rss_mb())

            async with anyio.create_task_group() as tg:
                tg.start_soon(sample_rss)
                cpu0, wall0, turns0 = time.process_time(), time.perf_counter(), engine.metrics.turns
                await engine.run_episodes(tasks, n)
                cpu = time.process_time() - cpu0
                wall = time.perf_counter() - wall0
                tg.cancel_scope.cancel()
            turns = engine.metrics.turns - turns0
            lag = engine.metrics.loop_lag
    return {
        "concurrency": concurrency,
        "episodes": len(tasks) * n,
        "turns": turns,
        "cpu_us_per_turn": round(cpu / turns * 1e6, 1),
        "turns_per_s": round(turns / wall, 1),
        "loop_lag_p99_ms": round(lag.percentile(0.99) * 1e3, 2),
        "rss_mb_busy": round(rss_busy, 1),
        "rss_mb_idle": round(rss_idle, 1),
        # What each episode in flight adds (context ids, messages, tasks, sockets).
        "rss_kb_per_episode": round(max(0.0, rss_busy - rss_idle) * 1024 / concurrency, 1),
        "wall_s": round(wall, 2),
    }


def run_engine_bench(
    *,
    concurrency: int = 2048,
    turns: int = 40000,
    levels: list[int] | None = None,
    suite: str = "ehr-demo",
    repeats: int = 3,
) -> dict[str, Any]:
    """Measure at ``concurrency`` ``repeats`` times (and once at each of ``levels``).

    The headline figures are the medians over the repeats, the single runs
    are under ``runs``: on a shared VM one run's CPU per turn can be 10-20 %
    off, and the median of three is what another run on the same machine
    reproduces.
    """
    if repeats < 1:
        raise ConfigError(f"--repeats must be >= 1, not {repeats}")
    port = _free_port()
    proc = _start_emulator(port, suite)
    url = f"http://127.0.0.1:{port}"
    pinned = _pin_apart(proc.pid)
    try:

        def run(concurrency: int, episodes: int) -> dict[str, Any]:
            return anyio.run(
                _measure,
                url,
                suite,
                concurrency,
                episodes,
                backend="asyncio",
                backend_options={"use_uvloop": True},
            )

        run(min(concurrency, 256), WARMUP_EPISODES)  # warm-up: imports, caches, connections
        episodes = max(concurrency, turns // MAX_TURNS)
        runs = [run(concurrency, episodes) for _ in range(repeats)]
        result: dict[str, Any] = dict(runs[0])
        for key in ("cpu_us_per_turn", "turns_per_s", "loop_lag_p99_ms", "wall_s"):
            result[key] = statistics.median(r[key] for r in runs)
        # Memory: the largest. Later runs in this process start from the heap
        # the first one grew (CPython keeps it), so their busy-minus-idle is ~0.
        for key in ("rss_mb_busy", "rss_kb_per_episode"):
            result[key] = max(r[key] for r in runs)
        result["repeats"] = repeats
        result["runs"] = runs
        if levels:
            result["levels"] = [run(c, max(c, turns // MAX_TURNS)) for c in levels]
    finally:
        proc.terminate()
        proc.wait(10)
        if pinned is not None:
            os.sched_setaffinity(0, pinned)
    result["cpu_count"] = os.cpu_count()
    result["pinned"] = pinned is not None
    result["python"] = sys.version.split()[0]
    return result
