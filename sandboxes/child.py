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

# What _run_python uses is imported here, once in the zygote, not in each run
# (a lean zygote's preload does not bring traceback and atexit along).
import atexit
import builtins
import contextlib
import ctypes
import linecache
import os
import signal
import sys
import traceback
import types
from typing import Any, NamedTuple, NoReturn

if __package__:
    from . import jail, protocol, seccomp
else:  # loaded by runner.py as a script
    jail = sys.modules["_sandbox_jail"]
    protocol = sys.modules["_sandbox_protocol"]
    seccomp = sys.modules["_sandbox_seccomp"]

__all__ = ("CodeFds", "code_enter", "code_main", "init_main", "nursery_main", "set_name")

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


class CodeFds(NamedTuple):
    """The code process's ends of the pipes that link it to the zygote and the init."""

    go: int  #: the request's code, stdin and limits (from the zygote)
    ok: int  #: "ok" once set up, else what failed (to the zygote)
    out: int  #: stdout
    err: int  #: stderr
    done: int  #: the exit status, before the exit (see :func:`_report_done`)
    gate: int  #: one byte from the init once the run's mounts and files are in place


def nursery_main(z: Any, sock: Any) -> NoReturn:
    """Fork one init per request on ``sock``; never returns (see ``Zygote._start_nursery``).

    A request is the run's workdir (bytes) with three fds attached: the read
    end of the init's request pipe, the write end of its report pipe, and the
    write end of the code's gate (see :func:`init_main`). The reply
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
            msg, fds, _, _ = socket.recv_fds(sock, 4096, 3)
            if not msg or len(fds) != 3:
                os._exit(0)
            req_r, res_w, gate_w = fds
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
                init_main(z, msg.decode(), req_r, res_w, gate_w)
            for fd in fds:
                os.close(fd)
            sock.send(struct.pack("<i", pid))
    except BaseException:
        os._exit(1)


def init_main(z: Any, workdir: str, req_r: int, res_w: int, gate_w: int) -> NoReturn:
    """The run's init: namespaces and root, then the request's mounts and files, then the report.

    Frames on ``res_w``: ``armed`` (the namespaces exist: the zygote forks the
    code into them), ``mounted`` (data, files and sealed root are in place),
    ``exit`` (once the code has ended: leftover processes and the collected
    files), or ``setup_error``.

    The code waits for one byte on ``gate_w`` before it runs the source: the
    host root stays reachable in the mount namespace until :func:`jail.seal_root`.
    The zygote hands the request to both processes at once, so the code's own
    setup (privileges, seccomp) overlaps the mounts, and the code starts
    without a round trip through the zygote. If setup fails, the gate closes
    without its byte and the code exits unrun.
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
        os.write(gate_w, b"m")
        os.close(gate_w)
        protocol.write_frame(res_w, {"type": "mounted"})
        if protocol.read_frame(req_r) is None:  # "collect": the code has ended
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
    fds: CodeFds,
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
            os.write(fds.ok, f"code setup failed: {exc!r}".encode())
        os._exit(1)
    code_main(z, workdir, fds)


#: The code's completion pipe (see :func:`_report_done`); close-on-exec.
DONE_FD = 3


def code_main(z: Any, workdir: str, fds: CodeFds) -> NoReturn:
    """The code process: wait for the request, give up every privilege, wait for the mounts, run it."""
    ok_w = fds.ok
    try:
        msg = protocol.read_frame(fds.go)
        if msg is None:
            os._exit(0)
        fields = msg.fields
        os.setsid()
        stdin = os.memfd_create("stdin", 0)
        os.write(stdin, msg.blobs.get("stdin", b""))
        os.lseek(stdin, 0, os.SEEK_SET)
        for src, dst in ((stdin, 0), (fds.out, 1), (fds.err, 2)):
            os.dup2(src, dst)
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
        if os.read(fds.gate, 1) != b"m":
            raise OSError("the run's init did not prepare the run")
        os.chdir(workdir)
        os.write(ok_w, b"ok")
        if fds.done != DONE_FD:  # may replace ok_w, which has done its job
            os.dup2(fds.done, DONE_FD, inheritable=False)
        os.set_inheritable(DONE_FD, False)  # an exec'd program closes it: the zygote sees EOF
        os.closerange(DONE_FD + 1, 1 << 16)
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
    rc = _run_python(source, env)
    _report_done(rc)
    os._exit(rc)


def _report_done(rc: int) -> None:
    """Tell the zygote the run is over, before this process exits.

    The exit of a process forked from the preloaded zygote unmaps ~130 MB of
    copy-on-write memory: 4-6 ms of kernel time before the kernel reports
    the exit, as long as the rest of a ``pass`` run. With this byte the zygote
    collects the result at once and lets the exit finish while the result
    travels to the host (it reaps this process before the slot's next run).

    The byte comes from the process that ran the untrusted code, so it is
    trusted no further than its exit status: code that writes it early only
    ends its own run early, with its output so far, and the zygote kills
    the run's PID namespace right after, as after any exit.
    """
    with contextlib.suppress(OSError):
        os.write(DONE_FD, bytes((rc & 0xFF,)))


def _exec_or_die(argv: list[str], env: dict[str, str]) -> NoReturn:
    try:
        os.execve(argv[0], argv, env)
    except OSError as exc:
        os.write(2, f"cannot execute {argv[0]}: {exc}\n".encode())
    os._exit(127)


def _run_python(source: str, env: dict[str, str]) -> int:
    """Run ``source`` as ``__main__`` in this (forked, preloaded) interpreter."""
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
