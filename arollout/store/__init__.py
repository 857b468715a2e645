"""The trajectory store: sharded, checksummed msgpack records of finished episodes.

Layout:

- ``writer``: :class:`TrajectoryWriter` (async; never blocks the event loop),
  with ``_sink`` as its worker-thread half (framing, rotation, manifest, lock).
- ``reader``: the shard format, :func:`scan_run` (resume state and crash
  repair), :func:`iter_trajectories` and :func:`read_run`.
- ``stats``: :func:`run_stats` for ``arollout stats``.
- ``export``: SFT chat JSONL, DPO pairs and RL token rows.
- ``bench``: :func:`run_store_bench` for ``arollout bench store``.
"""

from __future__ import annotations

from .export import (
    ExportReport as ExportReport,
    export_dpo as export_dpo,
    export_rl as export_rl,
    export_sft as export_sft,
)
from .reader import (
    ReadReport as ReadReport,
    RunState as RunState,
    ShardState as ShardState,
    iter_trajectories as iter_trajectories,
    read_run as read_run,
    scan_run as scan_run,
)
from .stats import GroupStats as GroupStats, RunStats as RunStats, run_stats as run_stats
from .writer import (
    TrajectoryWriter as TrajectoryWriter,
    WriterStatistics as WriterStatistics,
    open_writer as open_writer,
)

__all__ = (
    "ExportReport",
    "GroupStats",
    "ReadReport",
    "RunState",
    "RunStats",
    "ShardState",
    "TrajectoryWriter",
    "WriterStatistics",
    "export_dpo",
    "export_rl",
    "export_sft",
    "iter_trajectories",
    "open_writer",
    "read_run",
    "run_stats",
    "scan_run",
)

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
