"""Episodes per second end to end: arollout vs a MedAgentGym-style sampler, same server, same tasks.

    python bench/e2e.py [--episodes 1600] [--tasks 200] [--concurrency 512] [--baseline-episodes 80]
                        [--baseline-workers 5] [--latency gpu-7b|instant] [--policy oracle|noisy]
                        [--noise-rate 0.3] [--max-turns 10] [--samples] [--json] [--save]

One emulator process with a 7B-on-one-GPU latency model serves both samplers;
arollout runs the code in its host sandbox pool, the baseline
(bench/baselines/medagentgym.py) in one polled subprocess per execution (see
arollout/bench_e2e.py). ``--save`` writes the result, per-episode wall times
included (for latency CDFs), to bench/results/e2e.json; the printed JSON has
them only with ``--samples``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from arollout.bench_e2e import run_e2e_bench
from arollout.errors import ConfigError

EPISODES = 1600
TASKS = 200
CONCURRENCY = 512
BASELINE_EPISODES = 80
RESULTS = pathlib.Path(__file__).parent / "results" / "e2e.json"
SAMPLE_KEYS = ("episode_wall_s", "baseline_episode_wall_s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=EPISODES)
    parser.add_argument("--tasks", type=int, default=TASKS)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--baseline-episodes", type=int, default=BASELINE_EPISODES)
    parser.add_argument("--baseline-workers", type=int, help="default 5 (MedAgentGym's README)")
    parser.add_argument("--latency", choices=["gpu-7b", "instant"], default="gpu-7b")
    parser.add_argument("--policy", choices=["oracle", "noisy"], default="oracle")
    parser.add_argument("--noise-rate", type=float, default=0.3)
    parser.add_argument("--max-turns", type=int, default=10)
    parser.add_argument("--samples", action="store_true", help="print per-episode wall times too")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--save", action="store_true", help=f"write {RESULTS}")
    args = parser.parse_args()
    try:
        result = run_e2e_bench(
            episodes=args.episodes,
            tasks_limit=args.tasks,
            latency=args.latency,
            concurrency=args.concurrency,
            baseline_workers=args.baseline_workers,
            baseline_episodes=args.baseline_episodes,
            policy=args.policy,
            noise_rate=args.noise_rate,
            max_turns=args.max_turns,
            include_samples=True,
        )
    except ConfigError as exc:
        parser.error(str(exc))
    if args.save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    if not args.samples:
        result = {key: value for key, value in result.items() if key not in SAMPLE_KEYS}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>26}: {value}")


if __name__ == "__main__":
    main()
