"""The sandbox benchmark's report: rounds measured side by side, medians as the headline."""

from __future__ import annotations

import statistics

import anyio

from sandboxes.bench import run_bench


def test_the_headline_figures_are_the_medians_of_side_by_side_rounds() -> None:
    result = anyio.run(
        lambda: run_bench(slots=1, n=3, seconds=0.3, warmup=1, repeats=3),
    )
    rounds = result["rounds"]
    assert result["repeats"] == 3 and len(rounds) == 3
    for key in ("execs_per_s", "baseline_execs_per_s", "ratio"):
        assert result[key] == statistics.median(r[key] for r in rounds)
    for r in rounds:
        assert r["ratio"] == r["execs_per_s"] / r["baseline_execs_per_s"]
        # A forked warm zygote beats a fresh interpreter importing pandas by far.
        assert r["ratio"] > 2
    assert result["pass_p50_ms"] <= result["pass_p99_ms"]
