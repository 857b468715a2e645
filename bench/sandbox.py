"""Sandbox benchmark: isolated pass / pandas latency and execs/s vs a fresh interpreter.

Usage: ``PYTHONPATH=. python bench/sandbox.py [--backend host|docker] [--json] [--save]
[--no-zygote-warmup] [--no-lean] [--repeats 3]``.
The Docker backend also measures one ``docker exec`` per request in the same
containers (``exec_per_request_execs_per_s``); it needs a daemon and the
sandbox image (``bash scripts/setup-docker.sh``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import anyio

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sandboxes.bench import run_bench

N = 200  # sequential runs per latency figure
SECONDS = 6.0  # throughput window
WARMUP = 20
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["host", "docker"], default="host")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--save", action="store_true", help="write results/sandbox-<backend>.json")
    parser.add_argument(
        "--no-zygote-warmup", action="store_true", help="zygotes skip DEFAULT_WARMUP (warmup='')"
    )
    parser.add_argument(
        "--no-lean",
        action="store_true",
        help="host: no lean zygotes, every run forks the full preload",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="throughput rounds, pool then baseline (medians)"
    )
    args = parser.parse_args()
    zygote_warmup = "" if args.no_zygote_warmup else None
    result = anyio.run(
        lambda: run_bench(
            backend=args.backend,
            n=N,
            seconds=SECONDS,
            warmup=WARMUP,
            zygote_warmup=zygote_warmup,
            lean=not args.no_lean,
            repeats=args.repeats,
        )
    )
    text = json.dumps(result, indent=None if args.json else 2)
    print(text)
    if args.save:
        with open(os.path.join(RESULTS, f"sandbox-{args.backend}.json"), "w") as fh:
            fh.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
