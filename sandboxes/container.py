"""One sandbox container, as data: its Docker spec, its runner's config, what it protects.

Pure functions of a :class:`ContainerSettings` (no I/O, no aiodocker), so
the pool (:mod:`sandboxes.docker`) only decides *when* containers come and
go, and what a container *is* can be read and tested in one place.

A container is the outer jail of every run it serves, one at a time:

* no network (``NetworkMode: none``), read-only root, size-capped tmpfs for
  ``/tmp``, ``/var/tmp``, ``/dev/shm`` and the workdir (tmpfs pages count
  toward the memory limit, so a full disk cannot exceed it either);
* memory = memory+swap, a pids limit, a CPU quota, no core dumps;
* no capabilities, ``no-new-privileges``, Docker's default seccomp profile,
  an init as PID 1 (``Init: true``) that reaps whatever the runner does not;
* its main process (the init and ``sleep``) runs as nobody, and the runner
  and its runs as a uid of their own per container: a run cannot signal the
  container's init, and per-uid limits (RLIMIT_NPROC) never span containers;
* the runner's files are bind-mounted read-only from this package, so the
  image never needs a rebuild when the runner changes; data mounts are bound
  read-only when the container is created (see :func:`mount_problem`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Final, Literal, final

import msgspec

from .api import Mount
from .pool import Protection, ProtectionReport

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = (
    "DEFAULT_IMAGE",
    "ENV",
    "RUNNER_DIR",
    "SCRATCH",
    "WORKDIR",
    "ContainerSettings",
    "container_report",
    "container_spec",
    "mount_problem",
    "runner_command",
    "runner_config",
)

#: What ``sandboxes/images/build_rootfs.sh`` tags its latest build as.
DEFAULT_IMAGE: Final = "arollout-sandbox:latest"
RUNNER_DIR: Final = "/opt/arollout/sandboxes"
WORKDIR: Final = "/workdir"
#: Emptied by the runner after every run (the only writable paths in a container).
SCRATCH: Final = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue", WORKDIR)
#: The container's init and ``sleep``: a uid the runs never have.
MAIN_USER: Final = "65534:65534"
#: Environment of the container and of its runner (a run's is built from scratch).
ENV: Final = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "HOME": WORKDIR,
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
_PACKAGE: Final = os.path.dirname(os.path.abspath(__file__))


@final
class ContainerSettings(msgspec.Struct, frozen=True, kw_only=True):
    """What every container of one pool has in common (see :class:`~sandboxes.DockerPool`)."""

    image: str = DEFAULT_IMAGE
    mounts: tuple[Mount, ...] = ()
    preload: tuple[str, ...] = ()
    warmup: str = ""
    mode: Literal["zygote", "cold"] = "zygote"
    memory_mb: int = 2048
    runner_mb: int = 512
    cpus: float = 1.0
    pids: int = 128
    tmpfs_mb: int = 256
    python: str = "python3"


def container_spec(
    settings: ContainerSettings, *, uid: int, labels: dict[str, str]
) -> dict[str, Any]:
    """The ``POST /containers/create`` body of one container whose runner runs as ``uid``."""
    tmp = f"rw,nosuid,nodev,size={settings.tmpfs_mb}m"
    memory = (settings.memory_mb + settings.runner_mb) << 20
    binds = [f"{_PACKAGE}:{RUNNER_DIR}:ro"]
    binds += [f"{m.source}:{m.target}:ro" for m in settings.mounts]
    return {
        "Image": settings.image,
        "Cmd": ["sleep", "infinity"],
        "User": MAIN_USER,
        "Env": [f"{k}={v}" for k, v in ENV.items()],
        "WorkingDir": "/",
        "Labels": {**labels, "arollout.sandbox.runner-uid": str(uid)},
        "NetworkDisabled": True,
        "HostConfig": {
            "NetworkMode": "none",
            "ReadonlyRootfs": True,
            "Tmpfs": {
                "/tmp": tmp + ",mode=1777",
                "/var/tmp": tmp + ",mode=1777",
                WORKDIR: f"{tmp},mode=0700,uid={uid},gid={uid}",
            },
            "ShmSize": settings.tmpfs_mb << 20,
            "Memory": memory,
            "MemorySwap": memory,
            "PidsLimit": settings.pids,
            "NanoCpus": int(settings.cpus * 1e9),
            "CapDrop": ["ALL"],
            "SecurityOpt": ["no-new-privileges"],
            "Init": True,
            "Binds": binds,
            "Ulimits": [{"Name": "core", "Soft": 0, "Hard": 0}],
        },
    }


def runner_command(settings: ContainerSettings) -> list[str]:
    """The one exec of a container: the same runner the host backend starts.

    Always ``-I`` with CPython's own allocator: the host pool's opt-in
    ``allocator="malloc"`` (see :class:`~sandboxes.SandboxPool`) was measured
    on the host only, and the image's own interpreter and glibc and the
    container's CPU quota would make it a separate experiment.
    """
    return [settings.python, "-I", f"{RUNNER_DIR}/runner.py"]


def runner_config(settings: ContainerSettings, uid: int) -> dict[str, Any]:
    """The runner's first frame: no root here, so its unprivileged mode (see runner.py)."""
    return {
        "type": "config",
        "uid": uid,
        "gid": uid,
        "preload": list(settings.preload) if settings.mode == "zygote" else [],
        "warmup": settings.warmup if settings.mode == "zygote" else "",
        "mode": settings.mode,
        "cgroup": "",
        "workdir": WORKDIR,
        "run_root": WORKDIR,
        "scrub": list(SCRATCH),
        "scrub_ipc": True,  # the uid is this container's alone
        # Under `docker exec` the runner's parent is a runc process that exits
        # early; it ends when its stream closes instead.
        "die_with_parent": False,
    }


def container_report(
    runner: ProtectionReport, settings: ContainerSettings, uid: int
) -> ProtectionReport:
    """The runner's report, with what the container provides in place of what it lacks.

    Without root the runner has no namespaces, cgroups or uid switch; the
    container supplies them, for all its runs together (one run at a time).
    A protection the runner itself must provide (its sweep, its scrub, its
    seccomp filter) stays as active as the runner reported it.
    """
    have = {p.name: p.active for p in runner.protections}
    container = {
        "pid_namespace": (True, "the container's (its runs, one at a time)"),
        "mount_namespace": (True, "the container's"),
        "net_namespace": (True, "network none"),
        "ipc_uts_namespace": (True, "the container's"),
        "cgroup_memory": (
            True,
            f"run: {settings.memory_mb} MiB address space; "
            f"container: {settings.memory_mb + settings.runner_mb} MiB = memory+swap",
        ),
        "cgroup_pids": (True, f"container: {settings.pids} pids"),
        "cgroup_kill_sweep": (have.get("subreaper_sweep", False), "subreaper sweep after each run"),
        "unprivileged_uid": (True, f"uid {uid} per container, no capabilities"),
        "private_tmp": (have.get("scratch_scrub", False), "tmpfs, emptied after each run"),
        "minimal_root": (True, "read-only image root"),
        "no_new_privs": (have.get("no_new_privs", False), "container and run"),
    }
    merged = [
        Protection(name=p.name, active=container[p.name][0], detail=container[p.name][1])
        if p.name in container
        else p
        for p in runner.protections
    ]
    merged.append(Protection(name="capabilities_dropped", active=True, detail="CapDrop ALL"))
    merged.append(Protection(name="read_only_root", active=True, detail=settings.image))
    return msgspec.structs.replace(runner, protections=tuple(merged))  # the rest as reported


def _nested(inner: str, outer: str) -> str | None:
    """``inner`` relative to ``outer`` ('' when equal), or None when it is not inside."""
    rel = os.path.relpath(os.path.normpath(inner), os.path.normpath(outer))
    if rel == ".":
        return ""
    return None if rel == ".." or rel.startswith("../") else rel


def mount_problem(have: Sequence[Mount], wanted: Sequence[Mount]) -> str:
    """'' when every mount in ``wanted`` is visible in containers bound with ``have``, else why not.

    A wanted mount is visible when it is one of the pool's, or a directory
    inside one at the matching place (``/data/x -> /d/x`` under ``/data -> /d``).
    """
    for m in wanted:
        ok = any(
            (rel := _nested(m.source, p.source)) is not None
            and os.path.normpath(m.target) == os.path.normpath(os.path.join(p.target, rel))
            for p in have
        )
        if not ok:
            bound = ", ".join(f"{p.source} -> {p.target}" for p in have) or "none"
            return (
                f"mount {m.source} -> {m.target} is not bound into this DockerPool's "
                f"containers (it has: {bound}); create the pool with "
                f"mounts=[Mount(source={m.source!r}, target={m.target!r})]"
            )
    return ""
