"""Counters, latency windows, event-loop lag and the live progress line.

Recording is a few attribute increments and list appends per event, cheap
enough for the per-turn hot path; percentiles and rates are computed only when
a snapshot is taken (every few seconds), never per event.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from typing import IO, TYPE_CHECKING, Final, final

import anyio
import msgspec
import orjson

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ("LatencyWindow", "Metrics", "MetricsSnapshot", "monitor_loop_lag", "report_metrics")

_WINDOW: Final = 20_000


@final
class LatencyWindow:
    """The most recent samples of one latency, for percentiles."""

    __slots__ = ("_samples", "count")

    def __init__(self, size: int = _WINDOW) -> None:
        self._samples: deque[float] = deque(maxlen=size)
        self.count = 0

    def add(self, seconds: float) -> None:
        self._samples.append(seconds)
        self.count += 1

    def percentile(self, q: float) -> float:
        """The q-quantile (0..1) of the window in seconds; 0.0 when empty."""
        if not self._samples:
            return 0.0
        ordered = sorted(self._samples)
        index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
        return ordered[index]


class MetricsSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """One line of ``metrics.jsonl``; rates are over the last interval."""

    t: float
    elapsed_s: float
    episodes: int
    solved: int
    success_rate: float
    turns: int
    tokens_in: int
    tokens_out: int
    in_flight: int
    episodes_per_s: float
    turns_per_s: float
    tokens_in_per_s: float
    tokens_out_per_s: float
    llm_p50_ms: float
    llm_p99_ms: float
    sandbox_p50_ms: float
    sandbox_p99_ms: float
    loop_lag_p99_ms: float
    loop_lag_max_ms: float
    statuses: dict[str, int]


@final
class Metrics:
    """Live counters of one engine."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.episodes = 0
        self.solved = 0
        self.turns = 0
        self.tokens_in = 0
        self.tokens_out = 0
        self.in_flight = 0
        self.total = 0
        self.statuses: dict[str, int] = {}
        self.llm = LatencyWindow()
        self.sandbox = LatencyWindow()
        self.loop_lag = LatencyWindow(4096)
        self.loop_lag_max = 0.0
        self._last: tuple[float, int, int, int, int] = (self.started, 0, 0, 0, 0)

    def episode_done(self, status: str, solved: bool) -> None:
        self.episodes += 1
        self.solved += solved
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def snapshot(self) -> MetricsSnapshot:
        now = time.monotonic()
        t0, e0, tu0, ti0, to0 = self._last
        dt = max(now - t0, 1e-9)
        self._last = (now, self.episodes, self.turns, self.tokens_in, self.tokens_out)
        return MetricsSnapshot(
            t=time.time(),
            elapsed_s=round(now - self.started, 3),
            episodes=self.episodes,
            solved=self.solved,
            success_rate=self.solved / self.episodes if self.episodes else 0.0,
            turns=self.turns,
            tokens_in=self.tokens_in,
            tokens_out=self.tokens_out,
            in_flight=self.in_flight,
            episodes_per_s=(self.episodes - e0) / dt,
            turns_per_s=(self.turns - tu0) / dt,
            tokens_in_per_s=(self.tokens_in - ti0) / dt,
            tokens_out_per_s=(self.tokens_out - to0) / dt,
            llm_p50_ms=self.llm.percentile(0.5) * 1e3,
            llm_p99_ms=self.llm.percentile(0.99) * 1e3,
            sandbox_p50_ms=self.sandbox.percentile(0.5) * 1e3,
            sandbox_p99_ms=self.sandbox.percentile(0.99) * 1e3,
            loop_lag_p99_ms=self.loop_lag.percentile(0.99) * 1e3,
            loop_lag_max_ms=self.loop_lag_max * 1e3,
            statuses=dict(self.statuses),
        )


async def monitor_loop_lag(metrics: Metrics, interval: float = 0.05) -> None:
    """Sleep ``interval`` repeatedly and record how late each wake-up was.

    A late wake-up means something held the event loop: the first symptom of
    blocking work on the loop, which starves every episode at once.
    """
    while True:
        before = time.perf_counter()
        await anyio.sleep(interval)
        lag = max(0.0, time.perf_counter() - before - interval)
        metrics.loop_lag.add(lag)
        if lag > metrics.loop_lag_max:
            metrics.loop_lag_max = lag


def progress_line(snap: MetricsSnapshot, total: int) -> str:
    done = f"{snap.episodes}/{total}" if total else str(snap.episodes)
    return (
        f"[{snap.elapsed_s:7.1f}s] episodes {done} | in flight {snap.in_flight} | "
        f"success {snap.success_rate:.1%} | {snap.episodes_per_s:.1f} ep/s "
        f"{snap.turns_per_s:.1f} turns/s {snap.tokens_out_per_s:.0f} tok/s out | "
        f"llm p50 {snap.llm_p50_ms:.0f} ms | sandbox p50 {snap.sandbox_p50_ms:.0f} ms | "
        f"loop lag p99 {snap.loop_lag_p99_ms:.1f} ms"
    )


async def report_metrics(
    metrics: Metrics,
    path: Path | None,
    *,
    interval: float,
    progress: bool,
    stream: IO[str] = sys.stderr,
) -> None:
    """Append a snapshot to ``path`` (``metrics.jsonl``) every ``interval`` s.

    The file is opened in append mode so a resumed run continues the same log.
    Writes are a few hundred bytes every few seconds, small enough to do on the
    loop without a thread hop.
    """
    while True:
        await anyio.sleep(interval)
        write_snapshot(metrics, path, progress=progress, stream=stream)


def write_snapshot(
    metrics: Metrics, path: Path | None, *, progress: bool, stream: IO[str] = sys.stderr
) -> MetricsSnapshot:
    snap = metrics.snapshot()
    if path is not None:
        with path.open("ab") as fh:
            fh.write(orjson.dumps(msgspec.to_builtins(snap)) + b"\n")
    if progress:
        print(progress_line(snap, metrics.total), file=stream, flush=True)
    return snap
