"""bench/plots.py draws PNGs from result files shaped like the benchmarks' JSON."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

PLOTS = Path(__file__).resolve().parents[1] / "bench" / "plots.py"


def _module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_plots", PLOTS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_plots_from_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    levels = [
        {
            "concurrency": c,
            "turns_per_s": 4000.0,
            "cpu_us_per_turn": 180.0 + c / 100,
            "rss_mb_busy": 200 + c / 10,
        }
        for c in (64, 256, 2048)
    ]
    (tmp_path / "engine.json").write_text(json.dumps({"levels": levels}))
    (tmp_path / "e2e.json").write_text(
        json.dumps(
            {
                "episodes_per_s": 40.0,
                "baseline_episodes_per_s": 2.0,
                "episode_wall_s": [1.0, 2.0, 3.0],
                "baseline_episode_wall_s": [2.0, 2.5],
                "settings": {"latency": "gpu-7b"},
            }
        )
    )
    monkeypatch.setattr(sys, "argv", ["plots.py", "--results", str(tmp_path)])
    _module().main()
    for name in ("engine-throughput.png", "engine-memory.png", "e2e-latency-cdf.png"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000


def test_missing_results_are_reported_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["plots.py", "--results", str(tmp_path)])
    _module().main()
    assert "does not exist" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.png"))
