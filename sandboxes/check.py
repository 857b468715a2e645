"""Isolation self-test: the protection table plus the adversarial cases, contained or not.

``python -m sandboxes check [--backend docker]`` and ``arollout sandbox check``
both call :func:`run_check`; the exit status is non-zero when any protection
is off or any case escapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, final

import msgspec

from .api import ExecRequest, ExecStatus, Limits
from .docker import DockerPool
from .pool import ProtectionReport, SandboxPool

if TYPE_CHECKING:
    from .api import Sandbox

__all__ = ("CASES", "CaseResult", "CheckReport", "run_check")

_LIMITS: Final = Limits(wall_s=3.0, memory_mb=512, pids=64, fsize_mb=32, tmpfs_mb=64)

#: (name, code, statuses that count as contained, stdout that must NOT appear)
CASES: Final[tuple[tuple[str, str, frozenset[str], str], ...]] = (
    ("fork bomb", "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass", frozenset({"timeout"}), ""),
    ("memory bomb", "x = b'x' * (3 << 30)", frozenset({"oom"}), ""),
    ("infinite loop", "while True:\n    pass", frozenset({"timeout"}), ""),
    ("stdout flood", "while True:\n    print('x' * 999)", frozenset({"output_limit"}), ""),
    ("200 MB file", "open('big', 'wb').write(b'x' * (200 << 20))", frozenset({"file_limit"}), ""),
    ("network egress", "import socket\nsocket.create_connection(('127.0.0.1', 22), timeout=1)\nprint('ESCAPED')", frozenset({"runtime_error"}), "ESCAPED"),
    ("/etc/shadow", "print(open('/etc/shadow').read()[:1], 'ESCAPED')", frozenset({"runtime_error"}), "ESCAPED"),
    ("host /proc", "import os\nprint('ESCAPED' if len([p for p in os.listdir('/proc') if p.isdigit()]) > 10 else 'ok')", frozenset({"ok"}), "ESCAPED"),
    ("unshare", "import ctypes\nprint('ESCAPED' if ctypes.CDLL(None).unshare(0x10000000) == 0 else 'ok')", frozenset({"ok"}), "ESCAPED"),
)  # fmt: skip


@final
class CaseResult(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    contained: bool
    status: str
    wall_s: float


@final
class CheckReport(msgspec.Struct, frozen=True, kw_only=True):
    protections: ProtectionReport
    cases: tuple[CaseResult, ...]

    @property
    def ok(self) -> bool:
        """Every protection active and every case contained."""
        return not self.protections.inactive and all(c.contained for c in self.cases)

    def table(self) -> str:
        rows = [self.protections.table(), "", f"{'case':<16}  contained  status"]
        for c in self.cases:
            mark = "yes" if c.contained else "NO "
            rows.append(f"{c.name:<16}  {mark:<9}  {c.status} ({c.wall_s:.2f} s)")
        return "\n".join(rows)


async def run_check(
    *, preload: tuple[str, ...] = ("numpy", "pandas"), backend: Literal["host", "docker"] = "host"
) -> CheckReport:
    """Boot a one-slot pool of ``backend``, read its protections and run every case."""
    pool: SandboxPool | DockerPool
    if backend == "docker":
        pool = DockerPool(slots=1, preload=preload, memory_mb=_LIMITS.memory_mb, tmpfs_mb=64)
    else:
        pool = SandboxPool(slots=1, preload=preload)
    async with pool:
        return CheckReport(protections=pool.protections(), cases=await _cases(pool))


async def _cases(pool: Sandbox) -> tuple[CaseResult, ...]:
    results = []
    for name, code, ok_statuses, bad in CASES:
        r = await pool.exec(ExecRequest(code=code, limits=_LIMITS))
        contained = (
            r.status.value in ok_statuses
            and not (bad and bad in r.stdout)
            and r.wall_s <= _LIMITS.wall_s + 0.5
            and r.status is not ExecStatus.SANDBOX_ERROR
        )
        results.append(
            CaseResult(name=name, contained=contained, status=r.status.value, wall_s=r.wall_s)
        )
    return tuple(results)
