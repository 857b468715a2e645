"""The warm zygote: preload once, fork one isolated process chain per run (stdlib only).

Started by the host as ``python -s -P runner.py`` (``-I`` in containers) with
a scrubbed environment, so no secret of the launcher ever sits in this
process's memory (a forked child can read its parent's initial environment
block even after ``os.environ.clear()``). It speaks framed messages (:mod:`protocol`) on its
original stdin/stdout; stray prints of preloaded modules go to stderr.

Processes of one run (both made *before* the request arrives, so that fork,
namespace and mount costs stay off the request's critical path)::

    zygote (root, host namespaces, single-threaded, preloaded, gc-frozen)
     ├─ nursery  forked at boot, before the preload (small): forks the inits
     │   └─ init  pid 1 of a fresh PID namespace; own mount/net/ipc/uts; tmpfs
     │            root; on the request binds data, writes files and detaches
     │            the host root; after the run counts leftovers and reads the
     │            collected files
     └─ code  forked from the zygote into the init's namespaces (setns); joins
              the slot cgroup, drops to the slot uid, rlimits, NO_NEW_PRIVS +
              seccomp, runs the source with exec() (or execve of sh / a cold
              interpreter)

Only the code is forked from the big preloaded zygote: each fork and exit of
a ~120 MB process costs ~6 ms of kernel time (page tables), the largest part
of a run's CPU, and the init does not need that memory.

A request reaches the init and the code at once: the code drops its
privileges while the init places the mounts and files, then waits for the
init's one-byte gate (the host root is reachable until the init seals it).
When the source returns, the code writes its exit status on its completion
pipe before it exits: the zygote answers then, and the exit (unmapping the
code's ~130 MB share of this process, 4-6 ms of kernel time) overlaps the
result's way to the host. A run's critical path inside the slot is then
three wake-ups (zygote to init, init to code, code to zygote) instead of
seven, and no exit.

The zygote supervises: it reads stdout/stderr with a cap, reaps the code,
enforces the wall timeout and SIGKILLs the init, which takes the whole PID
namespace down (setsid daemons included); a cgroup sweep is the backstop.

Without root (inside a container, where the container itself is the outer
jail, or on a host as an ordinary user) there are no namespaces, cgroups or
uid switches, and the code runs as the runner's own uid. The runner then
degrades to what an unprivileged process can do (see :mod:`reaper`): it is a
child subreaper that kills and reaps everything a run leaves behind, it
empties the configured scratch directories after each run, it makes itself
undumpable, and each run's seccomp filter forbids signalling or re-limiting
the zygote, the nursery and the run's init. The protection report says which
mode is active.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.util
import os
import select
import signal
import socket
import struct
import sys
import tempfile
import time
import types  # noqa: TC003 - used at runtime by _sibling
from typing import Any

if __package__:
    from . import cgroups, jail, protocol, reaper, seccomp
else:  # started as a script: load the stdlib-only siblings by path

    def _sibling(name: str) -> types.ModuleType:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".py")
        spec = importlib.util.spec_from_file_location("_sandbox_" + name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module

    protocol = _sibling("protocol")
    seccomp = _sibling("seccomp")
    cgroups = _sibling("cgroups")
    jail = _sibling("jail")
    reaper = _sibling("reaper")

#: Files the runner needs next to it (copied together into containers).
RUNNER_FILES = (
    "runner.py",
    "protocol.py",
    "seccomp.py",
    "cgroups.py",
    "jail.py",
    "child.py",
    "supervise.py",
    "reaper.py",
)


_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_SET_CHILD_SUBREAPER = 36


def _threads() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _Chain:
    """One pre-forked run: its init (a nursery child) and its code (our child)."""

    def __init__(self, pid: int, pidfd: int, req_w: int, res_r: int) -> None:
        self.pid, self.pidfd, self.req_w, self.res_r = pid, pidfd, req_w, res_r
        self.out_r = self.err_r = self.go_w = self.ok_r = self.done_r = -1
        self.gate_r = -1  # the code's end of the init's "mounted" gate, until the code exists
        self.code_pid = 0
        self.code_pidfd = -1
        self.code_reaped = True  # until a code process exists
        self.init_gone = False
        self.workdir = ""  # a host directory to remove, when there is no mount namespace

    def kill(self) -> None:
        """SIGKILL the init (its PID namespace, the code included, goes with it) and the code.

        The code's process group goes too: the code leads one of its own
        (``setsid``), and without a PID namespace that is what stops a fork
        bomb in one call. The group id is the code's pid, which no other
        group can have while the code is unreaped.
        """
        if not self.init_gone:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        if not self.code_reaped:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.code_pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.code_pid, signal.SIGKILL)

    def wait_code(self) -> tuple[int, Any]:
        """Reap the code process (blocking); return its wait status and rusage."""
        _, status, usage = os.wait4(self.code_pid, 0)
        self.code_reaped = True
        return status, usage

    def reap(self, timeout_s: float) -> None:
        """Wait for both processes to end, killing them once ``timeout_s`` has passed."""
        deadline = time.monotonic() + timeout_s
        killed = False
        while not self.code_reaped:
            pid, _ = os.waitpid(self.code_pid, os.WNOHANG)
            if pid:
                self.code_reaped = True
            elif time.monotonic() > deadline and not killed:
                self.kill()
                killed = True
                deadline = time.monotonic() + 1.0
            elif time.monotonic() > deadline:
                os.waitpid(self.code_pid, 0)
                self.code_reaped = True
            else:
                select.select([self.code_pidfd], [], [], max(0.0, deadline - time.monotonic()))
        while not self.init_gone:  # the nursery reaps it; its pidfd turns readable at exit
            remaining = deadline - time.monotonic()
            if select.select([self.pidfd], [], [], max(0.0, remaining))[0]:
                self.init_gone = True
            elif not killed:
                self.kill()
                killed = True
                deadline = time.monotonic() + 1.0
            else:
                self.init_gone = True  # unkillable: give up waiting, the fd is closed below

    def close(self) -> None:
        for fd in (
            self.req_w, self.res_r, self.out_r, self.err_r, self.go_w, self.ok_r,
            self.done_r, self.gate_r, self.pidfd, self.code_pidfd,
        ):  # fmt: skip
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)


class Zygote:
    """One slot's runner: boot, then serve requests one at a time."""

    def __init__(self, config: dict[str, Any], proto_in: int, proto_out: int) -> None:
        self.cfg = config
        self.proto_in, self.proto_out = proto_in, proto_out
        self.inbox = protocol.FrameDecoder()
        self.pending: list[Any] = []
        disabled = set(config.get("disable", ()))
        self.root = os.geteuid() == 0
        self.use_ns = self.root and "namespaces" not in disabled
        self.use_uid = self.root and "uid" not in disabled
        self.uid, self.gid = int(config["uid"]), int(config["gid"])
        if not self.use_uid:
            self.uid, self.gid = os.getuid(), os.getgid()
        self.workdir = str(config.get("workdir", "/workdir"))
        # Without a uid of its own the code shares ours: see _guard_shared_uid.
        self.shared_uid = not self.use_uid
        self.run_root: str | None = config.get("run_root") or None
        self.scrub_dirs = [str(d) for d in config.get("scrub", ())]
        self.scrub_ipc = bool(config.get("scrub_ipc", False)) and self.shared_uid
        self.cgroup: Any = None
        self.seccomp_prog = b""
        self.pidns_fd = -1
        self.protections: dict[str, dict[str, Any]] = {}
        self.preloaded: list[str] = []
        self.missing: list[str] = []
        self.binds: list[str] = []
        self.spare: _Chain | None = None
        #: The last run's chain, killed but possibly still exiting (see supervise).
        self.exiting: _Chain | None = None
        self.nursery: socket.socket | None = None
        self.nursery_pid = 0
        self.broken = ""
        self.warmup_error = ""
        self.netns_per_run = config.get("network_namespace", "slot") == "run"
        self._disabled = disabled

    # -- boot ------------------------------------------------------------------------
    def boot(self) -> None:
        child.set_name(b"sbx-zygote")
        subreaper = self.shared_uid and self._guard_shared_uid()
        if self.use_ns:
            self.pidns_fd = os.open("/proc/self/ns/pid", os.O_RDONLY)
            self.binds = jail.interpreter_paths(self.cfg.get("extra_paths", ()))
        self._start_nursery()  # while this process is still small: see _start_nursery
        for name in self.cfg.get("preload", ()):
            try:
                importlib.import_module(name)
                self.preloaded.append(name)
            except Exception:  # an optional module that is not installed
                self.missing.append(name)
        self._warm_up(str(self.cfg.get("warmup", "")))
        gc.collect()
        gc.freeze()
        _collapse_heap()
        prot = self.protections

        def mark(name: str, active: bool, detail: str = "") -> None:
            prot[name] = {"active": active, "detail": detail}

        mark("scrubbed_env", "SECRET" not in "".join(os.environ), f"{len(os.environ)} variables")
        if "seccomp" not in self._disabled and seccomp.supported():
            self.seccomp_prog = seccomp.build_filter()
        mark("seccomp", bool(self.seccomp_prog), f"{len(self.seccomp_prog) // 8} BPF insns")
        mark("no_new_privs", bool(self.seccomp_prog))
        version, cg_root = cgroups.detect() if self.root else (0, "")
        if version and "cgroups" not in self._disabled:
            try:
                cg = cgroups.Cgroup(str(self.cfg["cgroup"]), version, cg_root)
                cg.create()
                cg.kill_all()
                self.cgroup = cg
            except OSError as exc:
                mark("cgroup_memory", False, str(exc))
        cg_detail = f"v{version}" if self.cgroup else "unavailable"
        mark("cgroup_memory", self.cgroup is not None, cg_detail)
        mark("cgroup_pids", self.cgroup is not None, cg_detail)
        mark("cgroup_kill_sweep", self.cgroup is not None, cg_detail)
        mark("unprivileged_uid", self.use_uid, f"uid {self.uid}")
        if self.shared_uid:
            mark("subreaper_sweep", subreaper, "leftovers re-parented to the zygote, killed")
            guard = "seccomp: zygote, nursery, init"
            mark("signal_guard", bool(self.seccomp_prog), guard if self.seccomp_prog else "")
        if self.scrub_dirs:
            ipc = " and System V IPC" if self.scrub_ipc else ""
            mark("scratch_scrub", True, f"emptied after each run: {' '.join(self.scrub_dirs)}{ipc}")
        mark("rlimits", True, "CPU AS FSIZE NOFILE NPROC CORE")
        try:
            self.spare = self._prefork()
            armed = ""
        except OSError as exc:
            armed = str(exc)
        ns_ok = self.use_ns and armed == ""
        detail = armed or ("" if self.use_ns else "needs root")
        for name in ("pid_namespace", "mount_namespace", "ipc_uts_namespace"):
            mark(name, ns_ok, detail)
        net = "empty, one per run" if self.netns_per_run else "empty, the slot's (runs take turns)"
        mark("net_namespace", ns_ok, net if ns_ok else detail)
        mark("private_tmp", ns_ok, "tmpfs /tmp /var/tmp /dev/shm" if ns_ok else detail)
        mark("minimal_root", ns_ok, "tmpfs root, ro binds" if ns_ok else detail)
        if self.use_ns and not ns_ok:
            self.broken = f"namespace setup failed: {armed}"

    def _warm_up(self, source: str) -> None:
        """Run the pool's warm-up once, so that runs inherit its caches (see ``sandboxes.warmup``)."""
        if not source:
            return
        try:
            exec(compile(source, "<warmup>", "exec"), {"__name__": "__warmup__"})
        except BaseException as exc:  # the owner's code: reported, never fatal
            self.warmup_error = f"{type(exc).__name__}: {exc}"

    def _guard_shared_uid(self) -> bool:
        """Protect this process from code that will run as its own uid; True if subreaper.

        Undumpable: no same-uid process may ptrace it or open its
        ``/proc/<pid>/mem``, ``environ`` or ``fd`` (the nursery and every
        init inherit this). Own session: its process group is its pid, which
        the seccomp filter protects. Subreaper: orphans of a run come back
        here instead of escaping to PID 1, so :func:`reaper.sweep` finds them.
        """
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
        with contextlib.suppress(OSError):  # already a session leader
            os.setsid()
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)

    def _protect(self, init_pid: int) -> tuple[int, ...]:
        """Pids a run must not signal: ours, our group's, the nursery's and its init's."""
        return (os.getpid(), os.getpgid(0), self.nursery_pid, init_pid)

    def _start_nursery(self) -> None:
        """Fork the process that forks every run's init.

        A run needs two processes: the init (PID 1 of the run's namespaces,
        root, trusted) and the code (forked from this preloaded zygote, so
        that imports are free). Forking a process costs one page-table entry
        per 4 KiB of its memory, and its exit frees them again: for the
        ~120 MB zygote that is ~6 ms of kernel time per fork and exit, most of
        a run's CPU. The init needs none of that memory, so it is forked from
        this small nursery, made before the preload; only the code is forked
        from the zygote, into the init's namespaces (``setns``).
        """
        parent, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            parent.close()
            for fd in (self.proto_in, self.proto_out):
                os.close(fd)
            child.nursery_main(self, child_end)
        child_end.close()
        self.nursery_pid, self.nursery = pid, parent

    def _read_report(self, chain: _Chain, timeout_s: float) -> Any:
        """The init's next frame (None: it died or said nothing within ``timeout_s``)."""
        if not select.select([chain.res_r], [], [], timeout_s)[0]:
            return None
        return protocol.read_frame(chain.res_r)

    # -- chains ----------------------------------------------------------------------
    def _prefork(self) -> _Chain:
        """Prepare the next run: an armed init, and the code process waiting in its namespaces.

        Raises:
            OSError: the nursery, the init's setup or the fork failed (the
                message says which); the slot is then broken and replaced.
        """
        if _threads() != 1:
            raise OSError(f"zygote has {_threads()} threads; refusing to fork")
        workdir = self.workdir
        if not self.use_ns:  # no private mounts: a host directory, removed after the run
            workdir = tempfile.mkdtemp(prefix="arollout-run-", dir=self.run_root)
            os.chown(workdir, self.uid, self.gid)
        nursery = self.nursery
        if nursery is None:
            raise OSError("the zygote is shutting down")
        req_r, req_w = os.pipe()
        res_r, res_w = os.pipe()
        gate_r, gate_w = os.pipe()
        try:
            socket.send_fds(nursery, [workdir.encode()], [req_r, res_w, gate_w])
            reply = nursery.recv(8)
        except OSError as exc:
            for fd in (req_w, res_r, gate_r):
                os.close(fd)
            raise OSError(f"the init nursery is gone: {exc}") from None
        finally:
            for fd in (req_r, res_w, gate_w):
                os.close(fd)
        init_pid = struct.unpack("<i", reply)[0] if len(reply) == 4 else -1
        if init_pid <= 0:
            for fd in (req_w, res_r, gate_r):
                os.close(fd)
            raise OSError("the init nursery could not fork a run's init")
        chain = _Chain(init_pid, os.pidfd_open(init_pid), req_w, res_r)
        chain.gate_r = gate_r
        if not self.use_ns:
            chain.workdir = workdir
        try:
            armed = self._read_report(chain, 30.0)
            if armed is None:
                raise OSError("run init died during setup")
            if armed.kind != "armed":
                raise OSError(str(armed.fields.get("error", "setup failed")))
            self._fork_code(chain, workdir)
        except BaseException:
            chain.kill()
            chain.reap(1.0)
            chain.close()
            raise
        return chain

    def _fork_code(self, chain: _Chain, workdir: str) -> None:
        """Fork the code process into the armed init's PID, mount, net, ipc and uts namespaces."""
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        go_r, go_w = os.pipe()
        ok_r, ok_w = os.pipe()
        done_r, done_w = os.pipe()
        chain.out_r, chain.err_r, chain.go_w, chain.ok_r = out_r, err_r, go_w, ok_r
        chain.done_r = done_r
        gate_r, chain.gate_r = chain.gate_r, -1
        fds = child.CodeFds(go=go_r, ok=ok_w, out=out_w, err=err_w, done=done_w, gate=gate_r)
        if self.shared_uid and self.seccomp_prog:  # this run's init joins the protected pids
            self.seccomp_prog = seccomp.build_filter(protect=self._protect(chain.pid))
        ns_fds: list[tuple[int, int]] = []
        pid = -1
        try:
            if self.use_ns:
                for name, flag in (
                    ("net", jail.CLONE_NEWNET),
                    ("ipc", jail.CLONE_NEWIPC),
                    ("uts", jail.CLONE_NEWUTS),
                    ("mnt", jail.CLONE_NEWNS),
                ):
                    ns_fds.append((os.open(f"/proc/{chain.pid}/ns/{name}", os.O_RDONLY), flag))
                with open(f"/proc/{chain.pid}/ns/pid", "rb", buffering=0) as pid_ns:
                    jail.setns(pid_ns.fileno(), jail.CLONE_NEWPID)  # for the next child only
            try:
                pid = os.fork()
            finally:
                if self.use_ns and pid != 0:
                    jail.setns(self.pidns_fd, jail.CLONE_NEWPID)
            if pid == 0:  # never unwinds into the serving loop below
                try:
                    keep = {*fds, *(fd for fd, _ in ns_fds)}
                    for fd in range(3, max(keep)):
                        if fd not in keep:
                            with contextlib.suppress(OSError):
                                os.close(fd)
                    os.closerange(max(keep) + 1, 1 << 16)
                    child.code_enter(self, ns_fds, workdir, fds)
                finally:
                    os._exit(70)
        finally:
            for fd in (*fds, *(fd for fd, _ in ns_fds)):
                os.close(fd)
        chain.code_pid, chain.code_reaped = pid, False
        chain.code_pidfd = os.pidfd_open(pid)

    # -- serving ---------------------------------------------------------------------
    def _next_message(self, block: bool) -> Any:
        while not self.pending:
            if not block and not select.select([self.proto_in], [], [], 0)[0]:
                return None
            data = os.read(self.proto_in, 1 << 20)
            if not data:
                return "eof"
            self.pending.extend(self.inbox.feed(data))
        return self.pending.pop(0)

    def serve(self) -> None:
        protocol.write_frame(
            self.proto_out,
            {
                "type": "ready",
                "pid": os.getpid(),
                "rss": _rss(),
                "protections": self.protections,
                "preloaded": self.preloaded,
                "missing": self.missing,
                # Top-level names of what is imported now: runs needing
                # nothing else may be sent here instead of a fuller zygote.
                "modules": sorted({name.partition(".")[0] for name in sys.modules}),
                "warmup_error": self.warmup_error,
                "broken": self.broken,
            },
        )
        while True:
            msg = self._next_message(block=True)
            if msg == "eof":
                break
            if msg.kind != "run":
                continue  # a late cancel for a run that already finished
            fields, blobs = supervise.run(self, msg)
            fields.update(type="result", id=msg.fields.get("id"), rss=_rss(), broken=self.broken)
            protocol.write_frame(self.proto_out, fields, blobs)
            if fields.get("eof"):
                break
            self.finish_exiting()  # while the result travels; before the next code joins the cgroup
            if self.spare is None and not self.broken:
                try:
                    self.spare = self._prefork()
                except OSError as exc:
                    self.broken = f"prefork failed: {exc}"
        self.shutdown()

    def finish_exiting(self) -> None:
        """Wait for the last run's processes to be gone (see ``supervise``).

        Called once the result is sent, before the next run's code process
        is forked and joins the slot's cgroup: the cgroup sweep below must
        not catch it, and the next run's peak memory must not include the
        last one's.
        """
        chain, self.exiting = self.exiting, None
        if chain is None:
            return
        chain.kill()
        chain.reap(1.0)
        chain.close()
        if self.cgroup is not None:
            self.cgroup.kill_all()  # a backstop: the PID namespace took everything

    def shutdown(self) -> None:
        self.finish_exiting()
        if self.spare is not None:
            self.spare.kill()
            self.spare.reap(1.0)
            self.spare.close()
            if self.spare.workdir:
                import shutil

                shutil.rmtree(self.spare.workdir, ignore_errors=True)
            self.spare = None
        if self.nursery is not None:
            self.nursery.close()  # the nursery exits on EOF
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.nursery_pid, 0)
            self.nursery = None
        if self.cgroup is not None:
            self.cgroup.remove()


_HUGE = 2 << 20
_MADV_HUGEPAGE = 14
_MADV_NOHUGEPAGE = 15
_MADV_COLLAPSE = 25  # Linux 6.1+


def _collapse_heap() -> None:
    """Back the preloaded heap with transparent huge pages (best effort).

    Every run forks this process, and the fork copies one page-table entry
    per 4 KiB of anonymous memory (about 120 MB once numpy, pandas, scipy,
    statsmodels and scikit-learn are imported); the child's exit frees them
    again. That copying and freeing is most of a run's CPU. A 2 MiB huge page
    is one entry instead of 512, and a child that writes to one gets a 4 KiB
    copy as before. Kernels without ``MADV_COLLAPSE`` or with THP disabled
    refuse, harmlessly.

    What it covers depends on the allocator (``SandboxPool(allocator=...)``),
    measured on a 2-core VM with the default preload: under glibc malloc the
    ``[heap]`` holds Python's objects too, 114 MB of which 112 MB collapse;
    under pymalloc the heap is 48 MB (44 MB collapse) and the objects sit in
    arenas too small to collapse. Huge pages do not last where the zygote
    itself writes: after each fork it shares them with the waiting code
    process, and its first write to one (a refcount of an object its serving
    code touches, an allocation that reuses a free chunk) splits it back
    into small pages. After ~100 runs, 28 MB stay huge under glibc malloc
    and 40 MB under pymalloc. (Taking every free chunk of glibc's heap before
    the collapse, so that later allocations come from its top, slowed that
    decay but left the same 28 MB after 1000 runs.)
    """
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
        madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        with open("/proc/self/maps") as fh:
            regions = fh.read().splitlines()
    except (OSError, AttributeError):
        return
    for line in regions:
        parts = line.split()
        path = parts[5] if len(parts) > 5 else ""
        if len(parts) < 2 or "rw" not in parts[1] or path not in ("", "[heap]"):
            continue  # only private anonymous memory: files are not copied on fork
        lo, hi = (int(x, 16) for x in parts[0].split("-"))
        start, end = (lo + _HUGE - 1) & ~(_HUGE - 1), hi & ~(_HUGE - 1)
        if end - start >= _HUGE and madvise(start, end - start, _MADV_HUGEPAGE) == 0:
            madvise(start, end - start, _MADV_COLLAPSE)
            # Pages already collapsed stay huge; new faults (the runs' own
            # allocations) get small pages again, as without this function.
            madvise(start, end - start, _MADV_NOHUGEPAGE)


def main() -> None:
    """Entry point: ``python -s -P runner.py`` (config arrives as the first frame)."""
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # stray prints from preloaded modules must not corrupt the protocol
    os.close(devnull)
    for fd in (proto_in, proto_out):
        os.set_inheritable(fd, False)
    config = protocol.read_frame(proto_in)
    if config is None:
        return
    if config.fields.get("die_with_parent", True):
        # Not under `docker exec`: there the parent is a short-lived runc
        # process, whose exit would kill a healthy runner. The runner still
        # exits when its stream closes (EOF on stdin).
        import ctypes

        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    zygote = Zygote(config.fields, proto_in, proto_out)
    zygote.boot()
    zygote.serve()


if __package__:
    from . import child, supervise
else:
    child = _sibling("child")
    supervise = _sibling("supervise")

if __name__ == "__main__":
    main()
