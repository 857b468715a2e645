"""Build and load times of the EHR suites (MIMIC-III, TREQS, EHR-SeqSQL) from an empty cache.

    python bench/tasks_build.py [--data-dir DIR] [--workers 2] [--json] [--save]

Three phases, each in fresh processes so no in-memory state carries over:

1. **sequential build**: one process builds every database (synthetic
   MIMIC-III, the demo-built MIMIC-III, TREQS) and every suite's tasks at
   default options, one after the other, into an empty cache;
2. **parallel build**: the same into another empty cache with ``--workers``
   processes (suites that share a database wait for it: the synthetic
   family on one worker, the demo family on the other), as a build on a
   2-core machine would run;
3. **load**: a fresh process per suite loads the built suite (manifest and
   msgpack task cache) and lists its tasks; the time excludes the Python
   import of arollout, measured separately.

``--save`` writes the result to bench/results/tasks-build.json.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "tasks-build.json"
DATA_DIR = ROOT.parent / "shared" / "data" / "mimic-iii-demo-1.4"
SUITES = ("mimic-iii", "treqs", "ehr-seqsql", "mimic-iii-demo")
FAMILIES = (("mimic-iii", "treqs", "ehr-seqsql"), ("mimic-iii-demo",))
"""Suites that share a database build in one worker, in this order."""
WORKERS = 2


def _options(name: str, data_dir: str) -> dict[str, str]:
    return {"data_dir": data_dir} if name == "mimic-iii-demo" else {}


def build(names: tuple[str, ...], cache: str, data_dir: str) -> dict[str, dict[str, float | int]]:
    """Build ``names`` in this process; per suite: seconds and task count."""
    os.environ["AROLLOUT_CACHE"] = cache
    from arollout.tasks.registry import get_suite

    out: dict[str, dict[str, float | int]] = {}
    for name in names:
        t0 = time.perf_counter()
        suite = get_suite(name, **_options(name, data_dir))
        tasks = suite.tasks()
        out[name] = {"seconds": round(time.perf_counter() - t0, 2), "tasks": len(tasks)}
    return out


_LOAD = """
import os, sys, time, json
t0 = time.perf_counter()
from arollout.tasks.registry import get_suite
t1 = time.perf_counter()
suite = get_suite(sys.argv[1], **json.loads(sys.argv[2]))
n = len(suite.tasks())
t2 = time.perf_counter()
print(json.dumps({"import_s": round(t1 - t0, 3), "load_s": round(t2 - t1, 3), "tasks": n}))
"""


def load(name: str, cache: str, data_dir: str) -> dict[str, float | int]:
    env = {**os.environ, "AROLLOUT_CACHE": cache, "PYTHONPATH": str(ROOT)}
    best: dict[str, float | int] = {}
    for _ in range(3):  # the best of three runs: the file cache is warm after the first
        proc = subprocess.run(
            [sys.executable, "-c", _LOAD, name, json.dumps(_options(name, data_dir))],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        run = json.loads(proc.stdout)
        if not best or run["load_s"] < best["load_s"]:
            best = run
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(DATA_DIR), help="the MIMIC-III demo folder")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--save", action="store_true", help=f"write {RESULTS}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tasks-build-") as tmp:
        seq_cache, par_cache = f"{tmp}/sequential", f"{tmp}/parallel"
        t0 = time.perf_counter()
        with ProcessPoolExecutor(1) as pool:
            sequential = pool.submit(build, SUITES, seq_cache, args.data_dir).result()
        seq_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with ProcessPoolExecutor(args.workers) as pool:
            parts = [pool.submit(build, family, par_cache, args.data_dir) for family in FAMILIES]
            parallel = {k: v for p in parts for k, v in p.result().items()}
        par_s = time.perf_counter() - t0
        loads = {name: load(name, par_cache, args.data_dir) for name in SUITES}
    result = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        },
        "sequential_build_s": round(seq_s, 2),
        "parallel_build_s": round(par_s, 2),
        "workers": args.workers,
        "instances": sum(int(v["tasks"]) for v in sequential.values()),
        "sequential": sequential,
        "parallel": parallel,
        "load": loads,
        "max_load_s": max(float(v["load_s"]) for v in loads.values()),
    }
    if args.save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'suite':<16}{'build s':>10}{'tasks':>9}{'load s':>9}")
    for name in SUITES:
        print(
            f"{name:<16}{sequential[name]['seconds']:>10}{sequential[name]['tasks']:>9}{loads[name]['load_s']:>9}"
        )
    print(
        f"sequential build {seq_s:.1f} s, parallel ({args.workers} workers) {par_s:.1f} s, "
        f"{result['instances']} instances, slowest load {result['max_load_s']} s"
    )


if __name__ == "__main__":
    main()
