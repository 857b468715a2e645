"""Engine CPU per turn of this tree against an older commit, alternated in one window.

    python bench/engine_ab.py OLD_REF [--rounds 4] [--repeats 2] [--turns 40000] [--save]

On a shared VM the same command's CPU per turn moves by up to 30 % between
windows, while the ratio of two commits measured in alternation holds: so a
change to the per-turn path is judged by this ratio. ``OLD_REF`` is checked
out into a temporary ``git worktree``; each round runs ``bench/engine.py
--json`` once from that worktree and once from this tree, old first.
"""

from __future__ import annotations

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._ab import ROOT, arguments, parse, report, run_json, worktree

RESULTS = ROOT / "bench" / "results" / "engine-ab.json"


def main() -> None:
    parser = arguments(__doc__ or "", RESULTS)
    parser.add_argument("--repeats", type=int, default=2, help="runs per side per round")
    parser.add_argument("--turns", type=int, default=40_000, help="turns per run")
    args, old_commit, new_commit = parse(parser)
    run_args = ("--repeats", str(args.repeats), "--turns", str(args.turns))
    cpu: dict[str, list[float]] = {"old": [], "new": []}
    lag: dict[str, list[float]] = {"old": [], "new": []}
    with worktree(old_commit) as old_tree:
        for round_ in range(args.rounds):
            for side, tree in (("old", old_tree), ("new", ROOT)):
                result = run_json(tree, "engine.py", *run_args)
                cpu[side] += [r["cpu_us_per_turn"] for r in result["runs"]]
                lag[side] += [r["loop_lag_p99_ms"] for r in result["runs"]]
                print(f"round {round_ + 1} {side}: {cpu[side][-args.repeats :]} us/turn",
                      file=sys.stderr, flush=True)  # fmt: skip
    old, new = statistics.median(cpu["old"]), statistics.median(cpu["new"])
    result_doc = {
        "old_commit": old_commit,
        "new_commit": new_commit,
        "concurrency": result["concurrency"],
        "turns_per_run": args.turns,
        "rounds": args.rounds,
        "old_cpu_us_per_turn": cpu["old"],
        "new_cpu_us_per_turn": cpu["new"],
        "old_median": old,
        "new_median": new,
        "new_over_old": round(new / old, 3),
        "old_loop_lag_p99_ms": lag["old"],
        "new_loop_lag_p99_ms": lag["new"],
        "python": result["python"],
    }
    report(result_doc, RESULTS, args.save)


if __name__ == "__main__":
    main()
