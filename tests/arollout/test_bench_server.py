"""``arollout bench server`` against an emulator process (the GPU-node benchmark's plumbing)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from arollout.bench_server import run_server_bench
from arollout.cli import main

if TYPE_CHECKING:
    import pytest


def test_server_bench_measures_both_clients_on_the_same_load() -> None:
    result = run_server_bench(requests=40, concurrency=8, prompt_len=64, output_len=16)
    assert result["requests"] == 40 and result["concurrency"] == 8
    for prefix in ("", "raw_"):
        assert result[f"{prefix}requests_per_s"] > 0
        assert result[f"{prefix}output_tokens_per_s"] > 0
        assert result[f"{prefix}latency_p99_ms"] >= result[f"{prefix}latency_p50_ms"] > 0
        assert result[f"{prefix}client_cpu_us_per_request"] > 0
    # Both clients hit the same emulator with the same shapes: throughputs are comparable.
    assert 0.2 < result["client_efficiency"] < 5
    assert result["server_version"] == "arollout-emulator"


def test_bench_server_cli_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "bench",
            "server",
            "--requests",
            "20",
            "--concurrency",
            "4",
            "--prompt-len",
            "32",
            "--output-len",
            "8",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert {"output_tokens_per_s", "raw_output_tokens_per_s", "client_efficiency"} <= set(out)
