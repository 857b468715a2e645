"""Sandbox throughput of this tree against an older commit, alternated in one window.

    python bench/sandbox_ab.py OLD_REF [--rounds 4] [--save]

Each round runs ``bench/sandbox.py --json`` (the host backend: latency,
pandas executions per second, and the fresh-interpreter baseline) once from
a worktree of ``OLD_REF`` and once from this tree, the order alternating;
figures are medians over rounds. ``--save`` writes
``results/sandbox-ab.json``. See ``bench/_ab.py`` for why a ratio.
"""

from __future__ import annotations

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._ab import ROOT, arguments, parse, report, run_json, worktree

RESULTS = ROOT / "bench" / "results" / "sandbox-ab.json"
KEYS = ("execs_per_s", "baseline_execs_per_s", "ratio", "pass_p50_ms", "pandas_p50_ms")


def main() -> None:
    parser = arguments(__doc__ or "", RESULTS)
    args, old_commit, new_commit = parse(parser)
    runs: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    with worktree(old_commit) as old_tree:
        for round_ in range(args.rounds):
            order = [("old", old_tree), ("new", ROOT)]
            for side, tree in order if round_ % 2 == 0 else order[::-1]:
                result = run_json(tree, "sandbox.py")
                runs[side].append({k: float(result[k]) for k in KEYS})
                shown = {k: round(v, 2) for k, v in runs[side][-1].items()}
                print(f"round {round_ + 1} {side}: {shown}", file=sys.stderr, flush=True)
    median = {
        side: {k: statistics.median(r[k] for r in rs) for k in KEYS} for side, rs in runs.items()
    }
    result_doc = {
        "old_commit": old_commit,
        "new_commit": new_commit,
        "rounds": args.rounds,
        "cpu_count": os.cpu_count(),
        "median": median,
        "execs_per_s_new_over_old": round(
            median["new"]["execs_per_s"] / median["old"]["execs_per_s"], 3
        ),
        "runs": runs,
    }
    report(result_doc, RESULTS, args.save)


if __name__ == "__main__":
    main()
