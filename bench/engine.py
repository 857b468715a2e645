"""Engine CPU per LLM turn and event-loop lag against an instant emulator.

    python bench/engine.py [--concurrency 2048] [--turns 40000] [--levels 64,256,2048,8192] [--repeats 3] [--json] [--save]

The emulator runs in a separate process; code execution is replaced by an
instant fake so only the engine is measured (see arollout/bench_engine.py).
"""

from __future__ import annotations

import argparse
import json
import pathlib

from arollout.bench_engine import run_engine_bench

CONCURRENCY = 2048
TURNS = 40_000
RESULTS = pathlib.Path(__file__).parent / "results" / "engine.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--turns", type=int, default=TURNS)
    parser.add_argument("--levels", default="", help="comma-separated concurrency levels")
    parser.add_argument("--repeats", type=int, default=3, help="runs at --concurrency (median)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--save", action="store_true", help=f"write {RESULTS}")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",") if x]
    result = run_engine_bench(
        concurrency=args.concurrency, turns=args.turns, levels=levels or None, repeats=args.repeats
    )
    text = json.dumps(result, indent=2)
    if args.save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text + "\n")
    if args.json:
        print(text)
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
