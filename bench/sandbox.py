"""Sandbox benchmark: isolated pass / pandas latency and execs/s vs a fresh interpreter.

Usage: ``PYTHONPATH=. python bench/sandbox.py [--json] [--save]``.
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
RESULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "sandbox-host.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--save", action="store_true", help=f"write {RESULT}")
    args = parser.parse_args()
    result = anyio.run(lambda: run_bench(n=N, seconds=SECONDS, warmup=WARMUP))
    text = json.dumps(result, indent=None if args.json else 2)
    print(text)
    if args.save:
        with open(RESULT, "w") as fh:
            fh.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
