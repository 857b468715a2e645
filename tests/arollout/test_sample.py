"""``arollout sample`` end to end: real sandbox, emulator, store, resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from arollout.cli import main
from arollout.config import load_config
from arollout.errors import ConfigError
from arollout.run import sample
from arollout.store.reader import read_run, scan_run

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env["AROLLOUT_CACHE"] = str(cache)
    return env


async def test_sample_writes_a_complete_run_and_resumes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AROLLOUT_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "run"
    config = load_config(
        ROOT / "configs" / "sample-default.toml",
        limit=12,
        n=2,
        concurrency=16,
        out=str(out),
        progress=False,
        metrics_interval_s=0.2,
    )
    summary = await sample(config)
    assert summary["episodes"] == 24
    assert summary["success_rate"] >= 0.95
    assert summary["sampled"] == 24 and summary["resumed"] == 0
    for name in ("config.toml", "manifest.json", "summary.json", "metrics.jsonl", "run.json"):
        assert (out / name).exists(), name
    trajectories = read_run(out)
    assert len({t.key for t in trajectories}) == 24
    solved = [t for t in trajectories if t.solved]
    assert all(t.turns and t.turns[-1].step and t.turns[-1].step.exec_status == "ok" for t in solved)
    # Resume: nothing left to do, nothing duplicated.
    again = await sample(config)
    assert again["resumed"] == 24 and again["sampled"] == 0
    assert scan_run(out).duplicates == 0


async def test_resume_refuses_a_different_configuration(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AROLLOUT_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "run"
    base = {"limit": 2, "n": 1, "out": str(out), "progress": False}
    await sample(load_config(**base))
    with pytest.raises(ConfigError, match="different configuration"):
        await sample(load_config(**{**base, "seed": 5}))


def test_cli_reports_bad_input_without_traceback(tmp_path: Path, capsys) -> None:
    assert main(["sample", "--server", "ftp://nowhere", "--out", str(tmp_path / "x")]) == 2
    assert "server.url" in capsys.readouterr().err
    assert main(["sample", "--suite", "no-such-suite", "--out", str(tmp_path / "y")]) == 2
    assert "no-such-suite" in capsys.readouterr().err
    assert main(["sample", "--n", "0", "--out", str(tmp_path / "z")]) == 2
    assert "n must be >= 1" in capsys.readouterr().err


def test_unreachable_server_is_one_clear_error(tmp_path: Path, capsys) -> None:
    code = main(
        [
            "sample",
            "--server",
            "http://127.0.0.1:9",
            "--server-kind",
            "openai",
            "--limit",
            "2",
            "--no-progress",
            "--out",
            str(tmp_path / "r"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert "127.0.0.1:9" in err


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as for a `cmd &` job of a non-interactive shell


def _start_and_wait_for_records(
    cmd: list[str], env: dict[str, str], out: Path, *, sigint_ignored: bool = False
) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_ignore_sigint if sigint_ignored else None,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if proc.poll() is not None:
            pytest.fail(f"run ended before it could be stopped: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        if any(out.glob("traj-*.msgpack")) and scan_run(out, repair=False).records >= 10:
            return proc
    proc.kill()
    pytest.fail("no records were written in time")


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found.update(int(c) for c in children)
    return found


def _sample_cmd(out: Path) -> list[str]:
    return [
        sys.executable, "-m", "arollout.cli", "sample",
        "--limit", "40", "--n", "4", "--concurrency", "32",
        "--emulator-latency", "gpu-7b", "--no-progress", "--out", str(out),
    ]  # fmt: skip


def test_kill_9_then_rerun_holds_every_episode_once(tmp_path: Path) -> None:
    out = tmp_path / "run"
    cmd = _sample_cmd(out)
    env = _env(tmp_path / "cache")
    proc = _start_and_wait_for_records(cmd, env, out)
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    partial = scan_run(out, repair=False).records
    assert 10 <= partial < 160
    rerun = subprocess.run(cmd, env=env, capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr.decode()[-3000:]
    summary = orjson.loads(rerun.stdout)
    assert summary["resumed"] >= partial
    state = scan_run(out)
    expected = {(t, s) for t in {k[0] for k in state.keys} for s in range(4)}
    assert state.records == 160 and state.duplicates == 0
    assert set(state.keys) == expected


@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["foreground", "background-job"])
def test_sigterm_stops_cleanly_and_the_rerun_finishes(tmp_path: Path, sigint_ignored: bool) -> None:
    """Also when started with SIGINT ignored (``arollout sample ... &`` in a
    script): SIGTERM must still stop it, not be turned into an ignored SIGINT."""
    out = tmp_path / "run"
    cmd = _sample_cmd(out)
    env = _env(tmp_path / "cache")
    proc = _start_and_wait_for_records(cmd, env, out, sigint_ignored=sigint_ignored)
    try:
        children = _children(proc.pid)
        assert children, "the sandbox runners should be child processes"
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err.decode()[-2000:]
    assert "rerun the same command to resume" in err.decode()
    assert "Traceback" not in err.decode()
    time.sleep(0.5)
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()], "runners outlived the run"
    state = scan_run(out, repair=False)
    assert state.dropped_bytes == 0 and state.corrupt_records == 0  # closed cleanly, nothing torn
    rerun = subprocess.run(cmd, env=env, capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr.decode()[-3000:]
    final = scan_run(out)
    assert final.records == 160 and final.duplicates == 0
