"""Public data types of the sandbox layer.

Everything that crosses the boundary between a caller (the rollout engine, a
grader, another RL framework) and a sandbox backend is defined here, so that
the host jail and the Docker backend speak exactly the same language.

Design rules:

* A request is a complete description of one run: the code, its inputs, the
  read-only data it may see and the limits it runs under. Backends never read
  ambient state (environment variables, the caller's cwd) to decide a run.
* A result is data, never an exception. Model mistakes (a traceback, an
  infinite loop, a memory bomb) become a status; only a broken sandbox is
  ``sandbox_error``, and callers must never score that as a model failure.
"""

from __future__ import annotations

import enum
from typing import Protocol

import msgspec

__all__ = (
    "DEFAULT_LIMITS",
    "ExecRequest",
    "ExecResult",
    "ExecStatus",
    "Limits",
    "Mount",
    "Sandbox",
)


class ExecStatus(enum.StrEnum):
    """How a run ended. Exactly one status per run."""

    OK = "ok"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    OOM = "oom"
    OUTPUT_LIMIT = "output_limit"
    FILE_LIMIT = "file_limit"
    KILLED_SIGNAL = "killed_signal"
    SANDBOX_ERROR = "sandbox_error"


class Limits(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Per-run resource limits (defaults follow notes on the reference machine).

    Attributes:
        wall_s: wall-clock timeout; everything the run started is SIGKILLed at it.
        cpu_s: RLIMIT_CPU backstop; ``None`` means ``wall_s + 1``.
        memory_mb: cgroup memory (= memory+swap) limit.
        address_space_mb: RLIMIT_AS backstop; keep it >= 2 GiB for numpy/BLAS.
        pids: cgroup pids limit and RLIMIT_NPROC (threads count).
        nofile: RLIMIT_NOFILE.
        fsize_mb: RLIMIT_FSIZE, the largest file a run may write.
        output_bytes: cap on each of stdout and stderr; the run is killed past it.
        tmpfs_mb: size of the private ``/tmp``, ``/dev/shm`` and workdir tmpfs.
    """

    wall_s: float = 10.0
    cpu_s: float | None = None
    memory_mb: int = 2048
    address_space_mb: int = 4096
    pids: int = 64
    nofile: int = 256
    fsize_mb: int = 32
    output_bytes: int = 1 << 20
    tmpfs_mb: int = 256


DEFAULT_LIMITS = Limits()


class Mount(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A host path made visible to the run, always read-only.

    ``target`` is the absolute path inside the sandbox (e.g. ``/data``).
    """

    source: str
    target: str


class ExecRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One run.

    Attributes:
        code: Python source (``language="python"``) or a shell command line
            (``language="shell"``).
        stdin: bytes fed to the run's standard input.
        files: files placed in the fresh workdir before the run (relative path -> bytes).
        mounts: read-only host paths made visible to the run.
        limits: resource limits of this run.
        nonce: per-run secret a grader embeds in its harness output; the sandbox
            only passes it through (in the ``AROLLOUT_NONCE`` variable is *not*
            done on purpose: the grader decides how the run may learn it).
        collect: relative paths in the workdir whose contents come back in
            ``ExecResult.files`` (missing ones are simply absent).
        env: extra environment variables for the run (never the host's).
    """

    code: str
    language: str = "python"
    stdin: bytes = b""
    files: dict[str, bytes] = {}
    mounts: tuple[Mount, ...] = ()
    limits: Limits = DEFAULT_LIMITS
    nonce: str = ""
    collect: tuple[str, ...] = ()
    env: dict[str, str] = {}


class ExecResult(msgspec.Struct, frozen=True, kw_only=True):
    """What one run did.

    Attributes:
        status: how it ended (see :class:`ExecStatus`).
        returncode: exit code when the process exited normally.
        signal: the signal number when it was killed by one.
        wall_s / cpu_s: wall-clock and CPU (user+sys) seconds of the run.
        peak_memory_bytes: peak memory of the run's cgroup (0 when unknown).
        stdout / stderr: decoded output (UTF-8, invalid bytes replaced), capped.
        stdout_truncated / stderr_truncated: whether the cap cut them.
        files: collected files (see ``ExecRequest.collect``).
        leftovers_killed: processes of the run still alive after it ended.
        error: human-readable detail for ``sandbox_error`` (empty otherwise).
        queue_s: time spent waiting for a free slot.
    """

    status: ExecStatus
    returncode: int | None = None
    signal: int | None = None
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_memory_bytes: int = 0
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    files: dict[str, bytes] = {}
    leftovers_killed: int = 0
    error: str = ""
    queue_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is ExecStatus.OK


class Sandbox(Protocol):
    """What every backend (host jail, Docker) offers to callers."""

    async def exec(self, request: ExecRequest) -> ExecResult:
        """Run one request; model faults become a status, never an exception."""
        ...

    async def aclose(self) -> None:
        """Stop every runner and remove everything the pool created."""
        ...
