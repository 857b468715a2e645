"""Sandbox throughput and latency, measured side by side with a fresh interpreter per run.

``run_bench`` is what ``bench/sandbox.py`` and ``arollout bench sandbox`` call.
Latency is sequential (one run at a time); throughput keeps every slot busy;
the baseline runs the same snippet in a fresh ``python`` subprocess per run,
with the same concurrency, in the same process and minute.

Throughput is measured in ``repeats`` rounds, each the pool then the
baseline, and the headline figures are medians: on a shared VM the
baseline's own rate moves by a third between minutes (3.4 to 4.5 fresh
interpreters per second on one 2-core machine in one hour, while the pool
stayed within 10 %), so one round's ratio can be well off while the median
of the rounds' side-by-side ratios holds.

With ``backend="docker"`` the pool is a :class:`~sandboxes.DockerPool`, and
one more baseline runs in the very same containers right after it: one
``docker exec`` of ``python3 -c <snippet>`` per request (wrapped in
``timeout -s KILL``, as an exec cannot be killed otherwise), the way most
container-backed sandboxes run code (``exec_per_request_execs_per_s``).
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import time
from typing import TYPE_CHECKING, Any, Literal

import anyio

from .api import ExecRequest, ExecStatus
from .docker import DockerPool
from .errors import SandboxError
from .pool import SandboxPool, default_slots

if TYPE_CHECKING:
    from .api import Sandbox

__all__ = ("PANDAS_SNIPPET", "run_bench")

PANDAS_SNIPPET = (
    "import numpy as np, pandas as pd\n"
    "df = pd.DataFrame({'k': np.arange(5000) % 50, 'v': np.arange(5000.0)})\n"
    "print(df.groupby('k').v.mean().sum())\n"
)


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


async def _latency(pool: Sandbox, code: str, n: int) -> list[float]:
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


async def _exec_per_request(pool: DockerPool, seconds: float) -> float:
    """Throughput of one ``docker exec`` per request in ``pool``'s own containers."""
    targets = pool.exec_targets()
    turn = itertools.cycle(range(len(targets)))
    argv = ["timeout", "-s", "KILL", "30", "python3", "-c", PANDAS_SNIPPET]

    async def one_exec() -> None:
        rc, out, err = await pool.run_exec(targets[next(turn)], argv)
        assert rc == 0 and out, err

    await one_exec()  # warm: the page cache holds the interpreter and pandas
    return await _throughput(one_exec, len(targets), seconds)


async def run_bench(
    *,
    backend: Literal["host", "docker"] = "host",
    slots: int | None = None,
    n: int = 200,
    seconds: float = 6.0,
    warmup: int = 20,
    allocator: Literal["malloc", "pymalloc"] | None = None,
    zygote_warmup: str | None = None,
    lean: bool = True,
    repeats: int = 3,
) -> dict[str, Any]:
    """Measure the pool and the fresh-interpreter baseline; return one flat dict.

    ``allocator`` is the host pool's (see :class:`SandboxPool`; None: its
    default); ``zygote_warmup`` is either pool's ``warmup`` (None: its default);
    ``lean=False`` gives the host pool no lean zygotes, so that every run
    forks from the full preload. ``repeats``: throughput rounds (pool, then
    baseline); ``execs_per_s``, ``baseline_execs_per_s`` and ``ratio`` are
    their medians (the ratio: of each round's own), ``rounds`` lists them.

    Raises:
        SandboxError: ``repeats < 1``, or an option the backend does not take.
    """
    if repeats < 1:
        raise SandboxError(f"repeats must be >= 1, not {repeats}")
    slots = slots or default_slots()
    extra: dict[str, Any] = {}
    pool: SandboxPool | DockerPool
    if backend == "docker":
        if allocator is not None:
            raise SandboxError("allocator applies to the host backend only")
        pool = DockerPool(slots=slots, warmup=zygote_warmup)
    else:
        pool = SandboxPool(
            slots=slots,
            allocator=allocator or "pymalloc",
            warmup=zygote_warmup,
            lean=None if lean else (),
        )
        extra["lean"] = lean
        if allocator is not None:
            extra["allocator"] = allocator
    extra["zygote_warmup"] = (
        "default" if zygote_warmup is None else ("none" if not zygote_warmup else "custom")
    )
    async with pool:
        await _latency(pool, PANDAS_SNIPPET, warmup)
        passes = await _latency(pool, "pass", n)
        pandas = await _latency(pool, PANDAS_SNIPPET, n)

        async def sandboxed() -> None:
            await pool.exec(ExecRequest(code=PANDAS_SNIPPET))

        async def fresh() -> None:
            await anyio.run_process([sys.executable, "-c", PANDAS_SNIPPET], check=True)

        rounds = []
        for _ in range(repeats):  # the pool's zygotes sit idle (blocked) during the baseline
            execs = await _throughput(sandboxed, slots, seconds)
            baseline = await _throughput(fresh, slots, seconds)
            ratio = execs / baseline if baseline else float("inf")
            rounds.append({"execs_per_s": execs, "baseline_execs_per_s": baseline, "ratio": ratio})
        medians = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
        protections = pool.protections()
        if isinstance(pool, SandboxPool):
            extra["zygotes_rss_mb"] = pool.rss_bytes() / 2**20
        if isinstance(pool, DockerPool):
            per_request = await _exec_per_request(pool, seconds)
            execs = medians["execs_per_s"]
            extra |= {
                "exec_per_request_execs_per_s": per_request,
                "exec_per_request_ratio": execs / per_request if per_request else float("inf"),
            }
    return {
        "backend": backend,
        "slots": slots,
        "cpu_count": os.cpu_count(),
        "pass_p50_ms": _pct(passes, 0.5),
        "pass_p99_ms": _pct(passes, 0.99),
        "pandas_p50_ms": _pct(pandas, 0.5),
        "pandas_p99_ms": _pct(pandas, 0.99),
        "pandas_mean_ms": statistics.fmean(pandas) * 1000,
        **medians,
        "repeats": repeats,
        "rounds": rounds,
        **extra,
        "inactive_protections": list(protections.inactive),
        "load_avg_1m": os.getloadavg()[0],
    }
