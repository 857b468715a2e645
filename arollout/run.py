"""``arollout sample``: one configured run, streamed to a resumable run directory.

Run directory layout (DESIGN.md §4)::

    config.toml        the resolved configuration
    traj-00000.msgpack shards of checksummed trajectory records
    manifest.json      shards, counts, server and suite facts
    metrics.jsonl      a throughput snapshot every few seconds
    summary.json       the final statistics of the run

Resume: running the same command again scans the shards (repairing a torn last
record), skips every (task, sample) already stored and runs exactly the
missing ones. A directory holding a run of a *different* configuration is
refused rather than mixed.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

import anyio
import msgspec
import orjson

from arollout.config import RunConfig, dump_config
from arollout.engine import Engine
from arollout.errors import ConfigError, StoreError
from arollout.metrics import report_metrics, write_snapshot
from arollout.store.reader import scan_run
from arollout.store.stats import run_stats
from arollout.store.writer import TrajectoryWriter

__all__ = ("run_identity", "sample")

# Settings that change neither which episodes exist nor how they are sampled:
# a run may be resumed with different values.
_RESUMABLE_KEYS = ("concurrency", "progress", "metrics_interval_s", "out", "limit")


def run_identity(config: RunConfig) -> tuple[str, str]:
    """(fingerprint of what decides the run's content, run id)."""
    data = msgspec.to_builtins(config)
    for key in _RESUMABLE_KEYS:
        data.pop(key, None)
    data.get("sandbox", {}).pop("slots", None)
    fingerprint = hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
    name = Path(config.out).name or "run"
    return fingerprint, f"{name}-{fingerprint[:10]}"


def _prepare_dir(config: RunConfig, fingerprint: str) -> Path:
    out = Path(config.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create run directory {out}: {exc}") from exc
    marker = out / "run.json"
    if marker.exists():
        previous = orjson.loads(marker.read_bytes()).get("fingerprint")
        if previous != fingerprint:
            raise ConfigError(
                f"{out} holds a run with a different configuration (see {out / 'config.toml'}); "
                "rerun with the same settings to resume it, or choose another --out"
            )
    else:
        _atomic_write(marker, orjson.dumps({"fingerprint": fingerprint, "created": time.time()}))
    _atomic_write(out / "config.toml", dump_config(config).encode())
    return out


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


async def sample(config: RunConfig) -> dict[str, Any]:
    """Run ``config`` to completion (or resume it); returns the summary dict."""
    fingerprint, run_id = run_identity(config)
    out = await anyio.to_thread.run_sync(_prepare_dir, config, fingerprint)
    state = await anyio.to_thread.run_sync(scan_run, out)
    started = time.monotonic()
    async with Engine(config, run_id=run_id) as engine:
        tasks = engine.tasks()
        position = {task.id: i for i, task in enumerate(tasks)}
        done = [
            (position[task_id], sample_index)
            for task_id, sample_index in state.keys
            if task_id in position and sample_index < config.n
        ]
        meta = {
            "fingerprint": fingerprint,
            "suite": config.suite,
            "tasks": len(tasks),
            "n": config.n,
            "server": engine.server_info,
        }
        metrics_path = out / "metrics.jsonl"
        async with (
            TrajectoryWriter(out, run_id=run_id, meta=meta) as writer,
            anyio.create_task_group() as tg,
        ):
            tg.start_soon(
                lambda: report_metrics(
                    engine.metrics,
                    metrics_path,
                    interval=config.metrics_interval_s,
                    progress=config.progress,
                )
            )
            await engine.run_episodes(tasks, config.n, on_trajectory=writer.put, done=done)
            tg.cancel_scope.cancel()
        final = write_snapshot(engine.metrics, metrics_path, progress=config.progress)
    elapsed = time.monotonic() - started
    stats = await anyio.to_thread.run_sync(run_stats, out)
    summary: dict[str, Any] = msgspec.to_builtins(stats)
    summary.update(
        run_dir=str(out),
        run_id=run_id,
        resumed=len(done),
        sampled=final.episodes,
        elapsed_s=round(elapsed, 3),
        episodes_per_s=round(final.episodes / elapsed, 3) if elapsed > 0 else 0.0,
        loop_lag_p99_ms=round(final.loop_lag_p99_ms, 3),
    )
    _atomic_write(out / "summary.json", orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    return summary
