"""Isolated, warm execution of untrusted Python and shell code.

``async with SandboxPool() as pool: result = await pool.exec(ExecRequest(code=...))``.
The pool keeps a preloaded zygote per slot (and a lean one, numpy and pandas
only, for the runs that need nothing more); every run is a fresh fork in its
own namespaces, cgroup, uid and seccomp filter (see :mod:`sandboxes.runner`).
``DockerPool`` offers the same protocol with one long-lived container per
slot, each running the same zygote over one exec stream (needs the ``docker``
extra, imported only when a pool opens). The package is usable without arollout.

Layout: ``api`` (requests, results, limits), ``errors``; the host backend
``pool`` with the runner side ``runner``/``child``/``supervise``/``jail``/
``cgroups``/``seccomp``/``reaper`` (stdlib only, also run inside containers);
``protocol`` and ``wire`` (frames); ``warmup`` (what a zygote runs once);
``imports`` (which zygote a run needs); the Docker backend ``docker`` over its
boundary ``dockerapi``; ``check`` and ``bench`` (self-test and benchmark).
"""

from __future__ import annotations

from . import protocol
from .api import DEFAULT_LIMITS, ExecRequest, ExecResult, ExecStatus, Limits, Mount, Sandbox
from .docker import DEFAULT_IMAGE, DockerPool, remove_orphans
from .errors import (
    DockerError,
    DockerImageNotFoundError,
    DockerTimeoutError,
    DockerUnavailableError,
    SandboxError,
)
from .pool import DEFAULT_LEAN, DEFAULT_PRELOAD, Protection, ProtectionReport, SandboxPool
from .warmup import DEFAULT_WARMUP

__all__ = (
    "DEFAULT_IMAGE",
    "DEFAULT_LEAN",
    "DEFAULT_LIMITS",
    "DEFAULT_PRELOAD",
    "DEFAULT_WARMUP",
    "DockerError",
    "DockerImageNotFoundError",
    "DockerPool",
    "DockerTimeoutError",
    "DockerUnavailableError",
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
    "remove_orphans",
)

for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and isinstance(_obj, type):
        _obj.__module__ = __name__
