"""Isolated, warm execution of untrusted Python and shell code.

``async with SandboxPool() as pool: result = await pool.exec(ExecRequest(code=...))``.
The pool keeps one preloaded zygote per slot; every run is a fresh fork in its
own namespaces, cgroup, uid and seccomp filter (see :mod:`sandboxes.runner`).
The package is usable without arollout.
"""

from __future__ import annotations

from . import protocol
from .api import DEFAULT_LIMITS, ExecRequest, ExecResult, ExecStatus, Limits, Mount, Sandbox
from .errors import SandboxError
from .pool import DEFAULT_PRELOAD, Protection, ProtectionReport, SandboxPool

__all__ = (
    "DEFAULT_LIMITS",
    "DEFAULT_PRELOAD",
    "ExecRequest",
    "ExecResult",
    "ExecStatus",
    "Limits",
    "Mount",
    "Protection",
    "ProtectionReport",
    "Sandbox",
    "SandboxError",
    "SandboxPool",
)

for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and isinstance(_obj, type):
        _obj.__module__ = __name__
