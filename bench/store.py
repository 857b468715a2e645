"""Benchmark the trajectory store: turn records written per second and writer stall.

Usage: ``PYTHONPATH=. python bench/store.py [--json] [--save]``

Runs :func:`arollout.store.bench.run_store_bench` under uvloop with the writer's
two encode placements (on the loop, the default, and in the worker thread),
then prints a table or JSON. The throughput phase runs three times (median);
``raw_records_per_s`` is the same bytes written from one reused buffer with
the same sync policy, right after each repeat: this disk's ceiling. ``--save`` writes ``bench/results/store.json``.
Targets: >= 100,000 turn records/s; stall p99 < 5 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

import anyio
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arollout.store.bench import run_store_bench

TRAJECTORIES = 20_000  # throughput phase
TURNS = 8
OUTPUT_IDS = 300
PACED_RATE = 5_000.0  # trajectories/s in the stall phase (40,000 turn records/s)
PACED_SECONDS = 2.0
WARMUP = 500
TARGET_RECORDS_PER_S = 100_000
TARGET_STALL_P99_MS = 5.0
RESULTS = Path(__file__).resolve().parent / "results" / "store.json"


async def _run_all() -> dict[str, Any]:
    runs = {}
    for in_thread in (False, True):
        runs["encode_in_thread" if in_thread else "encode_on_loop"] = await run_store_bench(
            trajectories=TRAJECTORIES,
            turns=TURNS,
            output_ids=OUTPUT_IDS,
            paced_rate=PACED_RATE,
            paced_seconds=PACED_SECONDS,
            warmup=WARMUP,
            encode_in_thread=in_thread,
        )
    main = runs["encode_on_loop"]
    return {
        "benchmark": "store",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "loop": "uvloop"},
        "records_per_s": main["records_per_s"],
        "records_per_s_runs": main["records_per_s_runs"],
        "raw_records_per_s": main["raw_records_per_s"],
        "trajectories_per_s": main["trajectories_per_s"],
        "stall_p99_ms": main["stall_p99_ms"],
        "targets": {"records_per_s": TARGET_RECORDS_PER_S, "stall_p99_ms": TARGET_STALL_P99_MS},
        "meets_targets": main["records_per_s"] >= TARGET_RECORDS_PER_S
        and main["stall_p99_ms"] < TARGET_STALL_P99_MS,
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--save", action="store_true", help=f"write {RESULTS}")
    args = parser.parse_args()
    result = anyio.run(_run_all, backend_options={"loop_factory": uvloop.new_event_loop})
    text = json.dumps(result, indent=2)
    if args.save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text + "\n")
    if args.json:
        print(text)
        return
    keys = sorted({k for run in result["runs"].values() for k in run})
    names = list(result["runs"])
    print(f"{'metric':<30}" + "".join(f"{n:>20}" for n in names))
    for k in keys:
        cells = []
        for n in names:
            v = result["runs"][n].get(k)
            cells.append(f"{v:>20.2f}" if isinstance(v, float) else f"{v!s:>20}")
        print(f"{k:<30}" + "".join(cells))
    print(f"meets targets: {result['meets_targets']}")


if __name__ == "__main__":
    main()
