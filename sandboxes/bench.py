"""Sandbox throughput and latency, measured side by side with a fresh interpreter per run.

``run_bench`` is what ``bench/sandbox.py`` and ``arollout bench sandbox`` call.
Latency is sequential (one run at a time); throughput keeps every slot busy;
the baseline runs the same snippet in a fresh ``python`` subprocess per run,
with the same concurrency, in the same process and minute.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from typing import Any

import anyio

from .api import ExecRequest, ExecStatus
from .pool import SandboxPool, default_slots

__all__ = ("PANDAS_SNIPPET", "run_bench")

PANDAS_SNIPPET = (
    "import numpy as np, pandas as pd\n"
    "df = pd.DataFrame({'k': np.arange(5000) % 50, 'v': np.arange(5000.0)})\n"
    "print(df.groupby('k').v.mean().sum())\n"
)


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


async def _latency(pool: SandboxPool, code: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = await pool.exec(ExecRequest(code=code))
        assert r.status is ExecStatus.OK, r
        out.append(time.perf_counter() - t)
    return out


async def _throughput(run_one: Any, concurrency: int, seconds: float) -> float:
    done = 0
    end = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal done
        while time.monotonic() < end:
            await run_one()
            done += 1

    t = time.monotonic()
    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker)
    return done / (time.monotonic() - t)


async def run_bench(
    *, slots: int | None = None, n: int = 200, seconds: float = 6.0, warmup: int = 20
) -> dict[str, Any]:
    """Measure the pool and the fresh-interpreter baseline; return one flat dict."""
    slots = slots or default_slots()
    async with SandboxPool(slots=slots) as pool:
        await _latency(pool, PANDAS_SNIPPET, warmup)
        passes = await _latency(pool, "pass", n)
        pandas = await _latency(pool, PANDAS_SNIPPET, n)

        async def sandboxed() -> None:
            await pool.exec(ExecRequest(code=PANDAS_SNIPPET))

        execs = await _throughput(sandboxed, slots, seconds)
        protections = pool.protections()

    async def fresh() -> None:
        await anyio.run_process([sys.executable, "-c", PANDAS_SNIPPET], check=True)

    baseline = await _throughput(fresh, slots, seconds)
    return {
        "slots": slots,
        "cpu_count": os.cpu_count(),
        "pass_p50_ms": _pct(passes, 0.5),
        "pass_p99_ms": _pct(passes, 0.99),
        "pandas_p50_ms": _pct(pandas, 0.5),
        "pandas_p99_ms": _pct(pandas, 0.99),
        "pandas_mean_ms": statistics.fmean(pandas) * 1000,
        "execs_per_s": execs,
        "baseline_execs_per_s": baseline,
        "ratio": execs / baseline if baseline else float("inf"),
        "inactive_protections": list(protections.inactive),
        "load_avg_1m": os.getloadavg()[0],
    }
