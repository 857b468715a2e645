"""Per-run cleanup where the runner has no namespaces and no uid of its own (stdlib only).

Inside a container (and on a host without root) the runner and the code run
as the same unprivileged uid: there is no PID namespace to tear down, no
cgroup to sweep and no private ``/tmp``. Three mechanisms give each run the
same end state anyway:

* the zygote is a *child subreaper* (``PR_SET_CHILD_SUBREAPER``), so every
  process the code leaves behind, double-forked ``setsid`` daemons included,
  is re-parented to the zygote instead of escaping to PID 1; after the run
  :func:`sweep` kills the code's process group and then every remaining
  descendant of the zygote outside the nursery, and reaps them;
* :func:`scrub` empties the shared scratch directories (``/tmp``,
  ``/var/tmp``, ``/dev/shm``, ``/dev/mqueue``, the workdir root) after every
  run, and :func:`remove_ipc` the System V shared memory, queues and
  semaphores the uid owns (they live in the IPC namespace, not in a file), so
  nothing of one run is seen by the next;
* :func:`oom_kills` reads the OOM-kill counter of the cgroup the process sits
  in (a container's own memory cgroup is visible read-only inside it), so a
  run killed by the container's memory limit is reported as ``oom``.

What the code could still do to the zygote as the same uid (signal it, lower
its rlimits) is refused by the seccomp filter (:mod:`seccomp`, ``protect``),
and ``PR_SET_DUMPABLE=0`` keeps its memory and ``/proc`` files out of reach.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import stat
import time

__all__ = ("alive", "children", "living", "oom_kills", "remove", "remove_ipc", "scrub", "sweep")

#: Where the memory cgroup hierarchies are mounted: v1 memory controller, then v2.
_V1_MEMORY = "/sys/fs/cgroup/memory"
_V2_ROOT = "/sys/fs/cgroup"


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0].decode()
    except (OSError, IndexError):
        return "X"


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    return _state(pid) not in ("Z", "X")


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (every thread's ``children`` list)."""
    out: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _descendants(root: int, skip: set[int]) -> list[int]:
    found: list[int] = []
    todo = [c for c in children(root) if c not in skip]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(c for c in children(pid) if c not in skip)
    return found


def _reap() -> None:
    """Collect every exited child (the adopted leftovers) without blocking."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def living(root: int, skip: set[int]) -> set[int]:
    """Descendants of ``root`` (outside the subtrees of ``skip``) that have not exited."""
    return {p for p in _descendants(root, skip) if alive(p)}


def sweep(
    root: int, skip: set[int], pgid: int, known: set[int] | None = None, budget_s: float = 2.0
) -> int:
    """Kill and reap every descendant of ``root`` outside ``skip``; return how many lived.

    ``known`` are pids already counted (and killed) by the caller: they are
    killed again if still alive but not counted twice.

    ``pgid`` is the run's process group (the code called ``setsid``): one
    ``kill(-pgid)`` stops a fork bomb at once, since a fork that races a
    group-wide SIGKILL is restarted and its child dies with the group. What
    left the group (``setsid`` daemons) is found by walking the zygote's
    children, which is where the subreaper puts every orphan.
    """
    known = known or set()
    seen: set[int] = set()
    deadline = time.monotonic() + budget_s
    first = True
    while True:
        alive = living(root, skip)
        seen.update(alive - known)
        if first and pgid > 0:
            with contextlib.suppress(OSError):
                os.killpg(pgid, signal.SIGKILL)
            first = False
        for pid in alive:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        _reap()
        if not alive or time.monotonic() > deadline:
            return len(seen)
        time.sleep(0.001)


def _make_removable(func: object, path: str, exc: object) -> None:
    """``rmtree`` error handler: a run may leave directories it made unreadable."""
    del func, exc
    parent = os.path.dirname(path)
    with contextlib.suppress(OSError):
        os.chmod(parent, stat.S_IRWXU)
    with contextlib.suppress(OSError):
        os.chmod(path, stat.S_IRWXU)
    with contextlib.suppress(OSError):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)


def remove(path: str) -> bool:
    """Remove a file or a tree the run may have made unreadable; True when it is gone."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, onerror=_make_removable)
    else:
        with contextlib.suppress(FileNotFoundError):
            try:
                os.unlink(path)
            except OSError:
                _make_removable(None, path, None)
    return not os.path.lexists(path)


def scrub(dirs: list[str]) -> list[str]:
    """Empty each directory in ``dirs`` (keeping it); return the paths that remain."""
    left: list[str] = []
    for d in dirs:
        try:
            entries = os.listdir(d)
        except FileNotFoundError:
            continue
        except OSError:
            left.append(d)
            continue
        left.extend(p for p in (os.path.join(d, n) for n in entries) if not remove(p))
    return left


_IPC_RMID = 0


def remove_ipc(uid: int) -> int:
    """Remove every System V IPC object ``uid`` owns in this IPC namespace; return how many.

    Only where the uid is the sandbox's alone (a container's runner uid):
    on a shared host uid this would take other programs' segments too.
    """
    libc = ctypes.CDLL(None, use_errno=True)

    def rm(kind: str, ident: int) -> bool:
        if kind == "sem":
            return int(libc.semctl(ident, 0, _IPC_RMID)) == 0
        ctl = libc.shmctl if kind == "shm" else libc.msgctl
        return int(ctl(ident, _IPC_RMID, None)) == 0

    removed = 0
    for kind in ("shm", "msg", "sem"):
        try:
            with open(f"/proc/sysvipc/{kind}") as fh:
                header, *rows = fh.read().splitlines()
        except (OSError, ValueError):
            continue
        names = header.split()
        col_id, col_uid = 1, names.index("uid")
        for row in rows:
            cols = row.split()
            if len(cols) > col_uid and int(cols[col_uid]) == uid and rm(kind, int(cols[col_id])):
                removed += 1
    return removed


def _oom_files() -> list[str]:
    """Candidate counter files, most specific first.

    ``/proc/self/cgroup`` names this process's cgroup as the host sees it. On
    a host that path exists under the mount; inside a container the mount
    *is* the container's cgroup, so the mount root is the right file.
    """
    rel = {"v1": "", "v2": ""}
    try:
        with open("/proc/self/cgroup") as fh:
            for line in fh:
                _, ctrls, path = line.rstrip("\n").split(":", 2)
                if "memory" in ctrls.split(","):
                    rel["v1"] = path
                elif ctrls == "":
                    rel["v2"] = path
    except (OSError, ValueError):
        pass
    v1 = [os.path.join(_V1_MEMORY + rel["v1"], "memory.oom_control")] if rel["v1"] else []
    v2 = [os.path.join(_V2_ROOT + rel["v2"], "memory.events")] if rel["v2"] else []
    return [*v1, _V1_MEMORY + "/memory.oom_control", *v2, _V2_ROOT + "/memory.events"]


def oom_kills() -> int | None:
    """OOM kills so far in this process's memory cgroup (``None``: not visible here)."""
    for path in _oom_files():
        try:
            with open(path) as fh:
                for line in fh:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except (OSError, ValueError):
            continue
    return None
