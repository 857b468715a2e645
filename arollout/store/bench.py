"""Store benchmark: records written per second and writer stall (``arollout bench store``).

Three phases on realistic trajectories (8 turns of ~300 output ids with
logprobs, as an agent episode produces):

1. *throughput*: one producer puts as fast as the writer accepts; the clock
   stops after ``aclose()`` (everything written and fsynced).
2. *paced*: the producer puts at ``paced_rate`` trajectories/s in 1 ms ticks,
   as finishing episodes would; we record how long each ``put`` takes and the
   event-loop lag (a 1 ms sleeper's overshoot) while the writer works.
3. *baseline*: the same paced load written synchronously on the loop
   (``file.write`` + ``flush`` per record, as simple samplers do), side by side.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import anyio
import msgspec

from ..errors import ConfigError
from ..records import EpisodeStatus, Message, Step, Trajectory, Turn, encode_trajectory
from ..tokens import Logprobs, TokenIds
from .reader import FORMAT_VERSION, FRAME, HEADER, MAGIC
from .writer import FsyncPolicy, open_writer

__all__ = ("make_trajectories", "run_store_bench")


def make_trajectories(
    count: int, *, turns: int = 8, output_ids: int = 300, prompt_ids: int = 120, seed: int = 0
) -> list[Trajectory]:
    """Distinct synthetic trajectories shaped like real agent episodes."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        turn_list = [
            Turn(
                index=k,
                prompt_ids=TokenIds(
                    rng.randrange(150_000) for _ in range(prompt_ids * (5 if k == 0 else 1))
                ),
                output_ids=TokenIds(rng.randrange(150_000) for _ in range(output_ids)),
                output_logprobs=Logprobs(-rng.random() * 4.0 for _ in range(output_ids)),
                text="x" * (output_ids * 3),
                prompt_tokens=prompt_ids,
                completion_tokens=output_ids,
                llm_s=0.5,
                step=Step(action="validate_code", exec_status="ok", observation="y" * 300),
            )
            for k in range(turns)
        ]
        out.append(
            Trajectory(
                episode_id=f"pool-{i}",
                task_id=f"pool-{i}",
                suite="bench",
                category="synthetic",
                status=EpisodeStatus.SOLVED if i % 2 else EpisodeStatus.MAX_TURNS,
                messages=[Message(role="system", content="s" * 2000)],
                turns=turn_list,
            )
        )
    return out


def _raw_write(path: Path, size: int, fsync: FsyncPolicy) -> float:
    """Bytes/s of writing ``size`` bytes from one reused 1 MiB buffer (``fsync``
    at close unless the policy is ``never``), then removing the file."""
    block = memoryview(os.urandom(1 << 20))  # sliced without copying
    start = time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        left = size
        while left > 0:
            left -= os.write(fd, block[: min(left, len(block))])
        if fsync != "never":
            os.fsync(fd)
    finally:
        os.close(fd)
    elapsed = time.perf_counter() - start
    path.unlink()
    return size / elapsed


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _lag_monitor(lags: list[float], stop: anyio.Event) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await anyio.sleep(0.001)
        lags.append(max(0.0, time.perf_counter() - start - 0.001))


def _item(pool: list[Trajectory], i: int, tag: str) -> Trajectory:
    return msgspec.structs.replace(
        pool[i % len(pool)], task_id=f"{tag}-{i}", episode_id=f"{tag}-{i}"
    )


async def _paced(pool: list[Trajectory], rate: float, seconds: float, put: Any) -> list[float]:
    """Put ``rate`` trajectories/s for ``seconds``; returns per-put latencies."""
    latencies: list[float] = []
    total = int(rate * seconds)
    start = time.perf_counter()
    sent = 0
    while sent < total:
        due = min(total, int((time.perf_counter() - start) * rate) + 1)
        while sent < due:
            t0 = time.perf_counter()
            await put(_item(pool, sent, "paced"))
            latencies.append(time.perf_counter() - t0)
            sent += 1
        await anyio.sleep(0.001)
    return latencies


async def run_store_bench(
    *,
    trajectories: int = 20_000,
    turns: int = 8,
    output_ids: int = 300,
    pool_size: int = 256,
    paced_rate: float = 5_000.0,
    paced_seconds: float = 2.0,
    warmup: int = 500,
    encode_in_thread: bool = False,
    fsync: FsyncPolicy = "close",
    directory: str | None = None,
    repeats: int = 3,
) -> dict[str, Any]:
    """Run the three phases and return the figures (``records_per_s`` = turn records/s).

    The throughput phase runs ``repeats`` times and reports the median: on a
    VM the page cache's cost per new page, and so one run's figure, varies
    by up to 2x from run to run (single runs under ``records_per_s_runs``).
    """
    if repeats < 1:
        raise ConfigError(f"repeats must be >= 1, not {repeats}")
    pool = make_trajectories(pool_size, turns=turns, output_ids=output_ids)
    size = len(encode_trajectory(pool[0]))
    opts: dict[str, Any] = {"encode_in_thread": encode_in_thread, "fsync": fsync}
    with tempfile.TemporaryDirectory(prefix="arollout-store-bench-", dir=directory) as tmp:
        root = Path(tmp)
        async with open_writer(root / "warmup", run_id="warmup", **opts) as w:
            for i in range(warmup):
                await w.put(_item(pool, i, "warm"))

        lags: list[float] = []
        puts: list[float] = []
        repeat_rates: list[float] = []
        raw_rates: list[float] = []
        stalls, stall_s = 0, 0.0
        for rep in range(repeats):
            out = root / f"throughput-{rep}"
            stop = anyio.Event()
            async with anyio.create_task_group() as tg:
                tg.start_soon(_lag_monitor, lags, stop)
                start = time.perf_counter()
                async with open_writer(out, run_id="throughput", **opts) as w:
                    for i in range(trajectories):
                        t0 = time.perf_counter()
                        await w.put(_item(pool, i, "tp"))
                        puts.append(time.perf_counter() - t0)
                elapsed = time.perf_counter() - start
                stop.set()
            repeat_rates.append(trajectories / elapsed)
            stats = w.statistics()
            stalls, stall_s = stalls + stats.stalls, stall_s + stats.stall_s_total
            written = sum(p.stat().st_size for p in out.glob("traj-*.msgpack"))
            shutil.rmtree(out)
            raw_rates.append(await anyio.to_thread.run_sync(_raw_write, root / "raw", written, fsync))
        rate = statistics.median(repeat_rates)
        raw_mb_per_s = statistics.median(raw_rates) / 1e6

        paced_lags: list[float] = []
        stop = anyio.Event()
        async with anyio.create_task_group() as tg:
            tg.start_soon(_lag_monitor, paced_lags, stop)
            async with open_writer(root / "paced", run_id="paced", **opts) as w:
                paced_puts = await _paced(pool, paced_rate, paced_seconds, w.put)
            stop.set()

        base_lags: list[float] = []
        stop = anyio.Event()
        async with anyio.create_task_group() as tg:
            tg.start_soon(_lag_monitor, base_lags, stop)
            with open(root / "baseline.msgpack", "wb") as f:  # noqa: ASYNC230 - the baseline blocks on purpose
                f.write(HEADER.pack(MAGIC, FORMAT_VERSION, 0))

                async def blocking_put(t: Trajectory) -> None:
                    payload = encode_trajectory(t)
                    f.write(FRAME.pack(len(payload), zlib.crc32(payload)) + payload)
                    f.flush()

                base_puts = await _paced(pool, paced_rate, paced_seconds, blocking_put)
                os.fsync(f.fileno())
            stop.set()

    ms = 1000.0
    put_p99 = _pct(paced_puts, 0.99) * ms
    lag_p99 = _pct(paced_lags, 0.99) * ms
    return {
        "turns_per_trajectory": turns,
        "output_ids_per_turn": output_ids,
        "bytes_per_trajectory": size,
        "encode_in_thread": encode_in_thread,
        "fsync": fsync,
        "trajectories": trajectories,
        "trajectories_per_s": rate,
        "records_per_s": rate * turns,
        "records_per_s_runs": [r * turns for r in repeat_rates],
        "mb_per_s": rate * written / trajectories / 1e6,
        # The same bytes from one reused buffer, same sync policy, right after
        # each repeat: what this disk allows, whatever the writer does.
        "raw_write_mb_per_s": raw_mb_per_s,
        "raw_records_per_s": raw_mb_per_s * 1e6 / (written / trajectories) * turns,
        "throughput_put_p50_ms": _pct(puts, 0.5) * ms,
        "throughput_put_p99_ms": _pct(puts, 0.99) * ms,
        "throughput_loop_lag_p99_ms": _pct(lags, 0.99) * ms,
        "throughput_stalls": stalls,  # over all repeats
        "throughput_stall_s_total": stall_s,
        "paced_trajectories_per_s": paced_rate,
        "paced_put_p50_ms": _pct(paced_puts, 0.5) * ms,
        "paced_put_p99_ms": put_p99,
        "paced_loop_lag_p50_ms": _pct(paced_lags, 0.5) * ms,
        "paced_loop_lag_p99_ms": lag_p99,
        "paced_loop_lag_max_ms": max(paced_lags, default=0.0) * ms,
        "stall_p99_ms": max(put_p99, lag_p99),
        "baseline_put_p99_ms": _pct(base_puts, 0.99) * ms,
        "baseline_loop_lag_p99_ms": _pct(base_lags, 0.99) * ms,
        "baseline_loop_lag_max_ms": max(base_lags, default=0.0) * ms,
    }
