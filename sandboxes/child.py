"""The two forked processes of one run: the PID-namespace init and the code (stdlib only).

Both exist before the request arrives (see :mod:`runner`): the init is
forked by the small nursery, the code by the zygote. Everything here runs in a child and ends in ``os._exit``:
an exception must never unwind into the zygote's serving loop, which the
child's copy of the stack still holds.

The init stays root: it owns the namespaces and the mounts, reaps what the code leaves behind
and reads collected files (without following links the code may plant). The
code process gives up everything before the first line of untrusted source
runs: session, rlimits, uid/gid, NO_NEW_PRIVS, seccomp, every inherited fd.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from typing import Any, NoReturn

if __package__:
    from . import jail, protocol, seccomp
else:  # loaded by runner.py as a script
    jail = sys.modules["_sandbox_jail"]
    protocol = sys.modules["_sandbox_protocol"]
    seccomp = sys.modules["_sandbox_seccomp"]

__all__ = ("code_enter", "code_main", "init_main", "nursery_main", "set_name")

_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_SET_NAME = 15
_libc = ctypes.CDLL(None, use_errno=True)


def set_name(name: bytes) -> None:
    """Name the calling process in ``/proc/<pid>/comm``, so ``ps`` tells the parts apart.

    ``sbx-zygote``, ``sbx-nursery``, ``sbx-init`` and ``sbx-code`` (the run's
    code, and whatever it forks without exec): the tests count leftovers by it.
    """
    _libc.prctl(_PR_SET_NAME, ctypes.c_char_p(name), 0, 0, 0)


#: Environment of every run; the request's ``env`` is layered on top.
BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "TMPDIR": "/tmp",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
}


def _rlimits(limits: dict[str, Any], memory_as: bool = False) -> dict[str, int]:
    """The run's rlimits; ``memory_as``: the run's memory limit becomes address space too.

    Without a cgroup of the run's own (unprivileged: inside a container, the
    only memory limit is the container's, shared with the runner and with the
    page cache of every library it maps) ``memory_mb`` is enforced as
    RLIMIT_AS = the address space this process already has + ``memory_mb``.
    A bomb then fails at once with MemoryError (status ``oom``), instead of
    driving the container into reclaim until its OOM killer fires.
    """
    mib = 1 << 20
    wall = float(limits.get("wall_s", 10.0))
    cpu = limits.get("cpu_s")
    address_space = int(limits.get("address_space_mb", 4096)) * mib
    if memory_as:
        with open("/proc/self/statm") as fh:
            have = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        address_space = min(address_space, have + int(limits.get("memory_mb", 2048)) * mib)
    return {
        "CPU": int(cpu if cpu is not None else wall + 1) + 1,
        "AS": address_space,
        "FSIZE": int(limits.get("fsize_mb", 32)) * mib,
        "NOFILE": int(limits.get("nofile", 256)),
        "NPROC": int(limits.get("pids", 64)),
        "CORE": 0,
    }


def nursery_main(z: Any, sock: Any) -> NoReturn:
    """Fork one init per request on ``sock``; never returns (see ``Zygote._start_nursery``).

    A request is the run's workdir (bytes) with two fds attached: the read end
    of the init's request pipe and the write end of its report pipe. The reply
    is the init's pid (host view) as a little-endian int32, -1 on failure.
    """
    import socket
    import struct

    try:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        set_name(b"sbx-nursery")
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # inits are reaped by the kernel
        own_pidns = os.open("/proc/self/ns/pid", os.O_RDONLY) if z.use_ns else -1
        if z.use_ns and not z.netns_per_run:
            jail.enter_slot_network()
        while True:
            msg, fds, _, _ = socket.recv_fds(sock, 4096, 2)
            if not msg or len(fds) != 2:
                os._exit(0)
            req_r, res_w = fds
            pid = -1
            try:
                if z.use_ns:
                    jail.unshare(jail.CLONE_NEWPID)
                pid = os.fork()
            except OSError:
                pid = -1
            finally:
                if z.use_ns and pid != 0:
                    jail.setns(own_pidns, jail.CLONE_NEWPID)
            if pid == 0:
                sock.close()
                if own_pidns >= 0:
                    os.close(own_pidns)
                init_main(z, msg.decode(), req_r, res_w)
            os.close(req_r)
            os.close(res_w)
            sock.send(struct.pack("<i", pid))
    except BaseException:
        os._exit(1)


def init_main(z: Any, workdir: str, req_r: int, res_w: int) -> NoReturn:
    """The run's init: namespaces and root, then the request's mounts and files, then the report.

    Frames on ``res_w``: ``armed`` (the namespaces exist: the zygote forks the
    code into them), ``mounted`` (data, files and sealed root are in place:
    the code may start), ``exit`` (after the zygote reaped the code: leftover
    processes and the collected files), or ``setup_error``.
    """
    try:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # dies with the nursery
        set_name(b"sbx-init")
        if z.use_ns:
            jail.enter_namespaces(network=z.netns_per_run)
            jail.build_root(z.binds, workdir, z.uid, z.gid, size_mb=64)
        protocol.write_frame(res_w, {"type": "armed"})
        msg = protocol.read_frame(req_r)
        if msg is None:  # the zygote is shutting down or dropped this chain
            os._exit(0)
        fields = msg.fields
        limits = fields.get("limits", {})
        if z.use_ns:
            jail.bind_data([tuple(m) for m in fields.get("mounts", ())])
            jail.seal_root(int(limits.get("tmpfs_mb", 256)))
        files = {k[2:]: v for k, v in msg.blobs.items() if k.startswith("f:")}
        jail.write_files(workdir, files, z.uid, z.gid)
        protocol.write_frame(res_w, {"type": "mounted"})
        if protocol.read_frame(req_r) is None:  # "collect": the code has been reaped
            os._exit(0)
        leftovers = len(jail.living_processes()) if z.use_ns else 0
        collected = jail.read_collected(
            workdir, fields.get("collect", ()), int(limits.get("output_bytes", 1 << 20)) * 16
        )
        protocol.write_frame(
            res_w,
            {"type": "exit", "leftovers": leftovers},
            {"f:" + k: v for k, v in collected.items()},
        )
        os._exit(0)
    except BaseException as exc:
        with contextlib.suppress(BaseException):
            protocol.write_frame(res_w, {"type": "setup_error", "error": f"{exc!r}"})
        os._exit(1)


def code_enter(
    z: Any,
    ns_fds: list[tuple[int, int]],
    workdir: str,
    go_r: int,
    ok_w: int,
    out_w: int,
    err_w: int,
) -> NoReturn:
    """The code process, just forked from the zygote: join the slot cgroup and the init's namespaces."""
    try:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        set_name(b"sbx-code")
        if z.cgroup is not None:
            z.cgroup.attach_self()
        for fd, nstype in ns_fds:  # the mount namespace last: it also moves root and cwd
            jail.setns(fd, nstype)
            os.close(fd)
    except BaseException as exc:
        with contextlib.suppress(BaseException):
            os.write(ok_w, f"code setup failed: {exc!r}".encode())
        os._exit(1)
    code_main(z, workdir, go_r, ok_w, out_w, err_w)


def code_main(z: Any, workdir: str, go_r: int, ok_w: int, out_w: int, err_w: int) -> NoReturn:
    """The code process: wait for the request, give up every privilege, run it."""
    try:
        msg = protocol.read_frame(go_r)
        if msg is None:
            os._exit(0)
        fields = msg.fields
        os.setsid()
        stdin = os.memfd_create("stdin", 0)
        os.write(stdin, msg.blobs.get("stdin", b""))
        os.lseek(stdin, 0, os.SEEK_SET)
        for src, dst in ((stdin, 0), (out_w, 1), (err_w, 2)):
            os.dup2(src, dst)
        os.chdir(workdir)
        jail.set_rlimits(_rlimits(fields.get("limits", {}), memory_as=z.cgroup is None))
        if z.use_uid:
            jail.drop_privileges(z.uid, z.gid)
        # Dumpable again (an undumpable zygote's fork is not): the run may read
        # its own /proc files, as any program expects.
        _libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0)
        if z.cgroup is None:  # a shared memory limit (the container's): be its first victim
            with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as fh:
                fh.write("1000")
        if z.shared_uid:
            # The zygote shares the run's CPU quota (a container's): at the
            # lowest priority, even a fork bomb leaves it the CPU to notice
            # the timeout and sweep. Alone in the container a run is as fast.
            os.nice(19)
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        env = dict(BASE_ENV, HOME=workdir, **fields.get("env", {}))
        if z.seccomp_prog:
            seccomp.load_filter(z.seccomp_prog)
        os.write(ok_w, b"ok")
        os.closerange(3, 1 << 16)
    except BaseException as exc:
        with contextlib.suppress(BaseException):
            os.write(ok_w, f"code setup failed: {exc!r}".encode())
        os._exit(1)
    source = msg.blobs.get("code", b"").decode("utf-8", errors="replace")
    language = fields.get("language", "python")
    if language == "shell":
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        _exec_or_die(["/bin/sh", "-c", source], env)
    if z.cfg.get("mode") == "cold":
        _exec_or_die([sys.executable, "-I", "-c", source], env)
    os._exit(_run_python(source, env))


def _exec_or_die(argv: list[str], env: dict[str, str]) -> NoReturn:
    try:
        os.execve(argv[0], argv, env)
    except OSError as exc:
        os.write(2, f"cannot execute {argv[0]}: {exc}\n".encode())
    os._exit(127)


def _run_python(source: str, env: dict[str, str]) -> int:
    """Run ``source`` as ``__main__`` in this (forked, preloaded) interpreter."""
    import atexit
    import builtins
    import linecache
    import traceback
    import types

    os.environ.clear()
    os.environ.update(env)
    sys.stdin = sys.__stdin__ = open(  # type: ignore[misc]
        0, encoding="utf-8", closefd=False
    )
    sys.stdout = sys.__stdout__ = open(  # type: ignore[misc]
        1, "w", encoding="utf-8", closefd=False
    )
    sys.stderr = sys.__stderr__ = open(  # type: ignore[misc]
        2, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False
    )
    sys.argv = ["-c"]
    sys.path.insert(0, "")
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    filename = "<string>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    rc = 0
    try:
        exec(compile(source, filename, "exec"), main.__dict__)
    except SystemExit as exc:
        rc = _exit_code(exc)
    except BaseException as exc:
        tb = exc.__traceback__.tb_next if exc.__traceback__ else None  # hide this frame
        traceback.print_exception(type(exc), exc, tb)
        rc = 1
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    return rc


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    with contextlib.suppress(BaseException):
        print(code, file=sys.stderr)  # noqa: T201
    return 1
