"""``arollout bench e2e``: the MedAgentGym-style baseline's pieces, one tiny real run, the CLI."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from arollout.bench_e2e import _load_baseline, run_e2e_bench
from arollout.cli import main

if TYPE_CHECKING:
    from pathlib import Path

# The same module object bench_e2e drives (bench/ lives in the checkout, not the package).
mag = _load_baseline()

POLL_S = 0.01


def _config(**overrides: Any) -> Any:
    return mag.BaselineConfig(url="http://127.0.0.1:1", poll_interval_s=POLL_S, **overrides)


# -- parse_reply ---------------------------------------------------------------------------


def test_parse_reply_reads_a_json_fence_after_prose() -> None:
    reply = (
        "I will count the patients.\n```json\n"
        '{"action": "validate_code", "params": {"code": "answer = 3"}}\n```\nDone.'
    )
    assert mag.parse_reply(reply) == ("validate_code", {"code": "answer = 3"})


def test_parse_reply_takes_the_outer_braces_then_what_follows_think() -> None:
    params = '{"data_path": "/d", "info_type": "column_names", "keyterm": "lab"}'
    reply = f'<think>maybe {{"x": 1}}</think>\n{{"action": "request_info", "params": {params}}} ok'
    action, params = mag.parse_reply(reply)
    assert action == "request_info"
    assert params == {"data_path": "/d", "info_type": "column_names", "keyterm": "lab"}


def test_parse_reply_turns_a_triple_quoted_block_into_a_json_string() -> None:
    reply = '{"action": "validate_code", "params": {"code": """x = 1\nanswer = x + 1"""}}'
    assert mag.parse_reply(reply) == ("validate_code", {"code": "x = 1\nanswer = x + 1"})


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("", "Empty response"),
        ("no json at all", "Invalid JSON"),
        (
            '{"action": "validate_code", "params": {"code": "1"}, "extra": 1}',
            "exactly 'action' and 'params'",
        ),
        ('["action", "params"]', "exactly 'action' and 'params'"),
        ('{"action": "rm_rf", "params": {}}', "Invalid action"),
        (
            '{"action": "validate_code", "params": {"code": "1", "lang": "py"}}',
            "params must be exactly",
        ),
        ('{"action": "debug", "params": {"code": "1"}}', "params must be exactly"),
        ('{"action": "validate_code", "params": {"code": 1}}', "must be strings"),
    ],
)
def test_parse_reply_rejects_what_medagentgym_rejects(reply: str, message: str) -> None:
    with pytest.raises(mag.BaselineParseError, match=message):
        mag.parse_reply(reply)


# -- prepare_code / validate_code / run_code_file --------------------------------------------


def test_prepare_code_maps_paths_and_prints_an_unprinted_answer() -> None:
    code = "import pandas as pd\ndf = pd.read_csv('/data/ehr-demo/x.csv')\nanswer = len(df)"
    out = mag.prepare_code(code, [("/data/ehr-demo", "/host/cache/ehr-demo")])
    assert "/data/ehr-demo" not in out
    assert "'/host/cache/ehr-demo/x.csv'" in out
    assert out.endswith("\nprint(answer)")
    # Code that prints already, or never names `answer`, is left as it is.
    assert mag.prepare_code("answer = 1\nprint(answer * 2)") == "answer = 1\nprint(answer * 2)"
    assert mag.prepare_code("x = 1") == "x = 1"


def test_validate_code_runs_the_file_and_removes_it(tmp_path: Path) -> None:
    ok, message, stdout = mag.validate_code(
        "value = open('/in/n.txt').read()\nanswer = int(value) * 7",
        workdir=tmp_path,
        config=_config(),
        path_map=[("/in", str(tmp_path / "mounted"))],
    )
    # The path map was applied before the run ...
    assert not ok and "FileNotFoundError" in message and str(tmp_path / "mounted") in message
    (tmp_path / "mounted").mkdir()
    (tmp_path / "mounted" / "n.txt").write_text("6")
    ok, message, stdout = mag.validate_code(
        "value = open('/in/n.txt').read()\nanswer = int(value) * 7",
        workdir=tmp_path,
        config=_config(),
        path_map=[("/in", str(tmp_path / "mounted"))],
    )
    # ... and `print(answer)` appended; the code file is gone afterwards.
    assert ok and stdout == "42\n" and message == "42\n"
    assert not list(tmp_path.glob("validation_code_*.py"))


def test_validate_code_reports_compile_and_runtime_errors(tmp_path: Path) -> None:
    ok, message, stdout = mag.validate_code("def f(:\n", workdir=tmp_path, config=_config())
    assert (ok, stdout) == (False, "")
    assert message.startswith("Compilation error occurred for the code:")
    ok, message, stdout = mag.validate_code(
        "print('before')\nanswer = 1 / 0", workdir=tmp_path, config=_config()
    )
    assert not ok and stdout == "before\n"
    assert "ZeroDivisionError" in message and "^" not in message
    assert not list(tmp_path.glob("*.py"))


def test_run_code_file_returns_output_and_enforces_the_timeout(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)\n")
    code, out, err, seconds = mag.run_code_file(
        script, python=sys.executable, timeout_s=30, poll_interval_s=POLL_S
    )
    assert (code, out, err) == (3, "out\n", "err\n") and 0 < seconds < 30
    script.write_text("import time\ntime.sleep(0.6)\n")
    code, out, err, seconds = mag.run_code_file(
        script, python=sys.executable, timeout_s=0.1, poll_interval_s=POLL_S
    )
    assert code == -1 and out == "" and "timed out" in err and 0.1 <= seconds < 0.6


# -- one small real run --------------------------------------------------------------------


def test_e2e_bench_small_run_oracle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AROLLOUT_CACHE", str(tmp_path / "cache"))
    result = run_e2e_bench(
        episodes=8,
        tasks_limit=4,
        baseline_episodes=4,
        concurrency=8,
        baseline_workers=2,
        baseline_poll_interval_s=POLL_S,
        latency="instant",
        warmup_episodes=2,
    )
    eps, base_eps = result["episodes_per_s"], result["baseline_episodes_per_s"]
    assert eps > 0 and base_eps > 0 and result["ratio"] > 0
    assert result["ratio"] == pytest.approx(eps / base_eps, rel=0.01, abs=0.01)
    assert result["statuses"] == {"solved": 8}
    assert result["success_rate"] == 1.0 and result["baseline_success_rate"] == 1.0
    # n = ceil(8 / 4) = 2 samples per task; the baseline takes one task per worker.
    assert result["episodes"] == 8 and result["settings"]["n"] == 2
    assert result["baseline_episodes"] == 4 and result["settings"]["baseline_tasks"] == 2
    assert len(result["episode_wall_s"]) == 8 and len(result["baseline_episode_wall_s"]) == 4
    json.dumps(result)  # JSON-able as promised


# -- CLI -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--episodes", "0"], "must be >= 1"),
        (["--baseline-workers", "-1"], "baseline_workers"),
        (["--policy", "noisy", "--noise-rate", "1.5"], "noise_rate"),
    ],
)
def test_cli_bench_e2e_bad_input_is_exit_2(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "e2e", *flags, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("arollout: error:") and message in captured.err
    assert "Traceback" not in captured.err and captured.out == ""


_FAKE = {
    "episodes_per_s": 12.5,
    "baseline_episodes_per_s": 0.5,
    "ratio": 25.0,
    "success_rate": 1.0,
    "baseline_success_rate": 0.95,
    "episodes": 100,
    "baseline_episodes": 20,
    "elapsed_s": 8.0,
    "baseline_elapsed_s": 40.0,
    "settings": {"latency": "gpu-7b", "policy": "oracle", "n": 2},
}


@pytest.fixture
def fake_bench(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the measurement; record the arguments the CLI passed."""
    import arollout.bench_e2e

    calls: list[dict[str, Any]] = []

    def fake(**kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs)
        samples = {"episode_wall_s": [0.1], "baseline_episode_wall_s": [2.0]}
        return {**_FAKE, **(samples if kwargs["include_samples"] else {})}

    monkeypatch.setattr(arollout.bench_e2e, "run_e2e_bench", fake)
    return calls


def test_cli_bench_e2e_passes_flags_and_prints_json(
    fake_bench: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bench", "e2e", "--episodes", "100", "--tasks", "50", "--concurrency", "64"]
    argv += ["--baseline-episodes", "20", "--baseline-workers", "3", "--latency", "instant"]
    argv += ["--policy", "noisy", "--noise-rate", "0.1", "--max-turns", "4", "--json"]
    assert main(argv) == 0
    assert fake_bench[-1] == {
        "episodes": 100,
        "tasks_limit": 50,
        "latency": "instant",
        "concurrency": 64,
        "baseline_workers": 3,
        "baseline_episodes": 20,
        "policy": "noisy",
        "noise_rate": 0.1,
        "max_turns": 4,
        "include_samples": False,
    }
    assert orjson.loads(capsys.readouterr().out) == _FAKE
    assert main(["bench", "e2e", "--json", "--samples"]) == 0
    assert fake_bench[-1]["include_samples"] is True and fake_bench[-1]["concurrency"] == 512
    assert orjson.loads(capsys.readouterr().out)["baseline_episode_wall_s"] == [2.0]


def test_cli_bench_e2e_human_summary(
    fake_bench: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "e2e"]) == 0
    assert fake_bench[-1]["include_samples"] is False
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 3
    assert "arollout" in lines[0] and "12.500 episodes/s" in lines[0] and "100.0%" in lines[0]
    assert "baseline" in lines[1] and "0.500 episodes/s" in lines[1] and "95.0%" in lines[1]
    assert "ratio" in lines[2] and "25.00x" in lines[2]
