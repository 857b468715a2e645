"""Host jail primitives: namespaces, a minimal root, privileges, rlimits (stdlib only).

These run inside the runner's forked processes, never in the engine. The
runner forks one *init* per run into a fresh PID namespace and the init
calls, in order:

1. :func:`enter_namespaces` -- fresh mount, ipc and uts namespaces (the
   network namespace is the slot's, entered once by the nursery:
   :func:`enter_slot_network`; or a fresh one per run);
2. :func:`build_root` -- a tmpfs root holding read-only binds of ``/usr``,
   ``/etc`` and the interpreter prefix at its real path, device nodes, a fresh
   ``/proc``, private ``/tmp``, ``/var/tmp``, ``/dev/shm`` and the workdir;
   the host root stays reachable at ``/.old`` until the request arrives;
3. :func:`bind_data` and :func:`seal_root` -- the request's read-only data
   mounts, then ``/.old`` is detached for good.

Why a new root instead of the host's ``/``: the interpreter lives under
``/root`` (mode 0700), which an unprivileged uid cannot traverse. Binding the
prefix at the same path under a world-traversable tmpfs keeps every preloaded
module's ``__file__`` and ``sys.path`` valid for lazy imports, hides the rest
of the host (``/root``, ``/home``, ``/work``, host ``/tmp``), and lets data
mounts use any target path without creating mountpoints on the host.

The code process then calls :func:`set_rlimits` and :func:`drop_privileges`
before the seccomp filter is loaded. Constants: ``linux/sched.h``,
``linux/mount.h``, ``sys/mount.h``.
"""

from __future__ import annotations

import ctypes
import os
import resource
import stat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = (
    "OLD_ROOT",
    "bind_data",
    "build_root",
    "drop_privileges",
    "enter_namespaces",
    "interpreter_paths",
    "living_processes",
    "read_collected",
    "seal_root",
    "set_rlimits",
    "write_files",
)

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}

#: Where the host root stays reachable inside the jail until :func:`seal_root`.
OLD_ROOT = "/.old"
#: Where the new root is assembled (a tmpfs mounted over it, in the run's own
#: mount namespace): the first of these that exists and holds none of the
#: directories to bind (a project checked out under /tmp must stay visible).
_STAGING_CANDIDATES = ("/tmp", "/mnt", "/media", "/srv", "/opt", "/var/tmp")
_LINKED_DIRS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
_BOUND_DIRS = ("usr", "etc")
_DEVICES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8), "urandom": (1, 9)}

_libc = ctypes.CDLL(None, use_errno=True)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    """``unshare(2)`` (``os.unshare`` only exists from Python 3.12)."""
    _check(_libc.unshare(flags), f"unshare({flags:#x})")


def setns(fd: int, nstype: int) -> None:
    """``setns(2)``."""
    _check(_libc.setns(fd, nstype), "setns")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    """``mount(2)``."""
    src = source.encode() if source is not None else None
    fst = fstype.encode() if fstype is not None else None
    ret = _libc.mount(src, target.encode(), fst, flags, data.encode() or None)
    _check(ret, f"mount({source!r} -> {target!r})")


def _bind_ro(source: str, target: str, recursive: bool = False) -> None:
    mount(source, target, None, MS_BIND | (MS_REC if recursive else 0))
    mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def enter_namespaces(network: bool) -> None:
    """Fresh mount, ipc and uts namespaces; mounts stop propagating to the host.

    ``network``: a fresh network namespace too (else the slot's, see
    :func:`enter_slot_network`).
    """
    unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | (CLONE_NEWNET if network else 0))
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    _libc.sethostname(b"sandbox", 7)  # cosmetic: a failure changes nothing


def enter_slot_network() -> None:
    """An empty network namespace for this process and every run it forks.

    One per slot, not per run: making a network namespace and the kernel's
    deferred teardown of it (``cleanup_net``) cost ~1 ms of CPU per run, a
    few per cent of a pandas run. Sharing it between the runs of one slot,
    one after another, leaks nothing: it has only a loopback device that is
    down, a run's code has no capability to change it (no ``CAP_NET_ADMIN``
    over it) and may create only AF_UNIX sockets (seccomp), whose state ends
    with the processes holding them, and every process of a run is dead
    before the next one starts. Runs of other slots are in other namespaces.
    ``SandboxPool(network_namespace="run")`` makes one per run instead.
    """
    unshare(CLONE_NEWNET)


def interpreter_paths(extra: Iterable[str] = ()) -> list[str]:
    """Directories the code needs read access to, outside ``/usr`` and ``/etc``.

    The interpreter prefixes (a venv and its base), the real executable's
    directory and every ``sys.path`` entry, deduplicated so that nested paths
    are bound once.
    """
    import sys

    cands = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    cands += [os.path.dirname(os.path.realpath(sys.executable)), *sys.path, *extra]
    paths: list[str] = []
    for p in sorted({os.path.realpath(c) for c in cands if c and os.path.isdir(c)}):
        top = p.strip("/").split("/")[0]
        if p == "/" or top in _BOUND_DIRS or any(p.startswith(q + "/") for q in paths):
            continue
        paths.append(p)
    return paths


def _staging_dir(binds: Iterable[str]) -> str:
    """A host directory to mount the staging tmpfs over without hiding a bind source."""
    sources = [os.path.realpath(b) for b in binds]
    for cand in _STAGING_CANDIDATES:
        if os.path.isdir(cand) and not os.path.islink(cand):
            if not any(src == cand or src.startswith(cand + "/") for src in sources):
                return cand
    raise OSError(
        "no directory to assemble the sandbox root in: each of "
        f"{', '.join(_STAGING_CANDIDATES)} is missing or holds the interpreter"
    )


def build_root(binds: Iterable[str], workdir: str, uid: int, gid: int, size_mb: int) -> None:
    """Assemble the tmpfs root and pivot into it (caller: PID-namespace init, as root)."""
    binds = list(binds)
    new = _staging_dir(binds)
    mount("tmpfs", new, "tmpfs", MS_NOSUID, f"mode=0755,size={size_mb}m")
    for name in _LINKED_DIRS + _BOUND_DIRS:
        host = "/" + name
        if os.path.islink(host):
            os.symlink(os.readlink(host), f"{new}/{name}")
        elif os.path.isdir(host):
            os.mkdir(f"{new}/{name}", 0o755)
            _bind_ro(host, f"{new}/{name}")
    for path in binds:
        os.makedirs(new + path, 0o755, exist_ok=True)
        _bind_ro(path, new + path)
    for d, mode in (("tmp", 0o1777), ("var", 0o755), ("var/tmp", 0o1777), ("dev", 0o755)):
        os.makedirs(f"{new}/{d}", mode, exist_ok=True)  # exists when a bind lives below it
        os.chmod(f"{new}/{d}", mode)
    os.mkdir(f"{new}/dev/shm", 0o1777)
    os.chmod(f"{new}/dev/shm", 0o1777)
    for name, (major, minor) in _DEVICES.items():
        dev = f"{new}/dev/{name}"
        try:
            os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(major, minor))
            os.chmod(dev, 0o666)
        except OSError:  # no CAP_MKNOD: bind the host node instead
            open(dev, "w").close()
            mount(f"/dev/{name}", dev, None, MS_BIND)
    for name, dst in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0")):
        os.symlink(dst, f"{new}/dev/{name}")
    os.symlink("/proc/self/fd/1", f"{new}/dev/stdout")
    os.symlink("/proc/self/fd/2", f"{new}/dev/stderr")
    os.makedirs(new + workdir, 0o700)
    os.chown(new + workdir, uid, gid)
    os.mkdir(f"{new}/proc", 0o555)
    os.mkdir(new + OLD_ROOT, 0o700)
    machine = os.uname().machine
    if machine not in _SYS_PIVOT_ROOT:
        raise OSError(f"pivot_root: unknown syscall number on {machine}")
    ret = _libc.syscall(_SYS_PIVOT_ROOT[machine], new.encode(), (new + OLD_ROOT).encode())
    _check(ret, "pivot_root")
    os.chdir("/")
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def bind_data(mounts: Iterable[tuple[str, str]]) -> None:
    """Bind each ``(host source, jail target)`` read-only (before :func:`seal_root`)."""
    for source, target in mounts:
        if not (os.path.isabs(source) and os.path.isabs(target)) or ".." in target.split("/"):
            raise ValueError(f"mount paths must be absolute: {source!r} -> {target!r}")
        host = OLD_ROOT + os.path.normpath(source)
        if os.path.isdir(host):
            os.makedirs(target, 0o755, exist_ok=True)
        elif os.path.exists(host):
            os.makedirs(os.path.dirname(target), 0o755, exist_ok=True)
            open(target, "a").close()
        else:
            raise FileNotFoundError(f"mount source {source!r} does not exist")
        _bind_ro(host, target, recursive=True)


def seal_root(size_mb: int) -> None:
    """Detach the host root for good and cap the tmpfs root at ``size_mb``."""
    mount(None, "/", None, MS_REMOUNT | MS_NOSUID, f"size={size_mb}m,mode=0755")
    _check(_libc.umount2((OLD_ROOT).encode(), MNT_DETACH), "umount2(/.old)")
    os.rmdir(OLD_ROOT)


def _safe_parts(rel: str) -> list[str]:
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if not parts or rel.startswith("/") or ".." in parts:
        raise ValueError(f"not a relative path inside the workdir: {rel!r}")
    return parts


def write_files(workdir: str, files: Mapping[str, bytes], uid: int, gid: int) -> None:
    """Place the request's files in the (still empty) workdir, owned by the run's uid."""
    for rel, data in files.items():
        parts = _safe_parts(rel)
        path = workdir
        for part in parts[:-1]:
            path = os.path.join(path, part)
            if not os.path.isdir(path):
                os.mkdir(path, 0o755)
                os.chown(path, uid, gid)
        path = os.path.join(path, parts[-1])
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
        try:
            os.write(fd, data)
            os.fchown(fd, uid, gid)
        finally:
            os.close(fd)


def read_collected(workdir: str, names: Iterable[str], max_bytes: int) -> dict[str, bytes]:
    """Read regular files the run left in its workdir, never following a symlink.

    The code controls the workdir, so every component is opened with
    ``O_NOFOLLOW`` relative to its parent: a planted link to a host file reads
    as absent, not as that file.
    """
    out: dict[str, bytes] = {}
    for rel in names:
        try:
            parts = _safe_parts(rel)
        except ValueError:
            continue
        dirfd = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for part in parts[:-1]:
                nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dirfd)
                os.close(dirfd)
                dirfd = nxt
            fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dirfd)
            try:
                if stat.S_ISREG(os.fstat(fd).st_mode):
                    out[rel] = os.read(fd, max_bytes)
            finally:
                os.close(fd)
        except OSError:
            pass
        finally:
            os.close(dirfd)
    return out


def set_rlimits(limits: Mapping[str, int]) -> None:
    """Apply ``{"CPU": n, "AS": n, ...}`` as hard = soft (so code cannot raise them)."""
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, "RLIMIT_" + name), (value, value))


def drop_privileges(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` with no supplementary groups (clears capabilities)."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def living_processes(exclude: Iterable[int] = (1,)) -> list[int]:
    """Pids visible in ``/proc`` that are not zombies (inside a PID namespace: the run's).

    A process whose parent lies outside the namespace (parent pid 0 here) is
    not counted: inside a run's namespace that is the code process itself,
    which the zygote forked in and which may still be exiting (see
    ``child._report_done``). Its descendants have parents inside.
    """
    skip = set(exclude)
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in skip:
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                state, ppid = fh.read().rsplit(b")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if state not in (b"Z", b"X") and ppid != b"0":
            alive.append(int(entry))
    return alive
