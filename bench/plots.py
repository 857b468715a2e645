"""PNG plots of the saved benchmark results (bench/results/*.json -> bench/results/*.png).

    python bench/plots.py [--results DIR]

* ``engine-throughput.png``: turns/s and engine CPU per turn against the number
  of episodes in flight (``engine.json`` levels);
* ``engine-memory.png``: engine RSS with every slot busy against episodes in flight;
* ``e2e-latency-cdf.png``: per-episode wall time CDFs of arollout and of the
  MedAgentGym-style baseline, from one ``e2e.json`` run (``--samples``).

Plots are drawn only from files that exist; a missing file is reported, not an error.
"""

from __future__ import annotations

import argparse
import json
import pathlib
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # after choosing the backend

RESULTS = pathlib.Path(__file__).parent / "results"


def _load(path: pathlib.Path) -> dict[str, Any] | None:
    if not path.exists():
        print(f"skip: {path} does not exist")
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def engine_plots(engine: dict[str, Any], out: pathlib.Path) -> list[pathlib.Path]:
    levels = sorted(engine.get("levels", []), key=lambda level: level["concurrency"])
    if not levels:
        print("skip: engine.json has no levels (run bench/engine.py --levels ...)")
        return []
    x = [level["concurrency"] for level in levels]
    fig, left = plt.subplots(figsize=(6.4, 4.0))
    left.plot(x, [level["turns_per_s"] for level in levels], "o-", color="tab:blue")
    left.set_xscale("log", base=2)
    left.set_xlabel("episodes in flight")
    left.set_ylabel("LLM turns/s (one engine process)", color="tab:blue")
    right = left.twinx()
    right.plot(x, [level["cpu_us_per_turn"] for level in levels], "s--", color="tab:red")
    right.set_ylabel("engine CPU per turn (us)", color="tab:red")
    right.set_ylim(bottom=0)
    left.set_title("Engine against an instant emulator")
    fig.tight_layout()
    throughput = out / "engine-throughput.png"
    fig.savefig(throughput, dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    ax.plot(x, [level["rss_mb_busy"] for level in levels], "o-", color="tab:green")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("episodes in flight")
    ax.set_ylabel("engine RSS with every slot busy (MB)")
    ax.set_ylim(bottom=0)
    ax.set_title("Engine memory")
    fig.tight_layout()
    memory = out / "engine-memory.png"
    fig.savefig(memory, dpi=120)
    plt.close(fig)
    return [throughput, memory]


def e2e_cdf(e2e: dict[str, Any], out: pathlib.Path) -> list[pathlib.Path]:
    ours, base = e2e.get("episode_wall_s"), e2e.get("baseline_episode_wall_s")
    if not ours or not base:
        print("skip: e2e.json has no per-episode samples (run bench/e2e.py --samples)")
        return []
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for values, label in ((ours, "arollout"), (base, "MedAgentGym-style baseline")):
        ordered = sorted(values)
        ax.plot(ordered, [(i + 1) / len(ordered) for i in range(len(ordered))], label=label)
    ax.set_xscale("log")
    ax.set_xlabel("episode wall time (s)")
    ax.set_ylabel("fraction of episodes")
    settings = e2e.get("settings", {})
    ax.set_title(
        f"End to end: {e2e['episodes_per_s']:.1f} vs {e2e['baseline_episodes_per_s']:.2f} episodes/s "
        f"({settings.get('latency', '?')})"
    )
    ax.legend()
    fig.tight_layout()
    path = out / "e2e-latency-cdf.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return [path]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=pathlib.Path, default=RESULTS)
    args = parser.parse_args()
    written: list[pathlib.Path] = []
    engine = _load(args.results / "engine.json")
    if engine:
        written += engine_plots(engine, args.results)
    e2e = _load(args.results / "e2e.json")
    if e2e:
        written += e2e_cdf(e2e, args.results)
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
