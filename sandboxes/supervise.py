"""Supervision of one run inside the zygote: timeout, output caps, status (stdlib only).

The zygote is single-threaded and serves one run at a time, so supervision is
a plain ``select`` loop over the run's stdout, stderr, setup and completion
pipes, the code's pidfd, and the host channel (for cancellation). Reading
stops as soon as the code's end is known (its announced exit status, or its
exit): the init is killed, the kernel kills whatever is left in the PID
namespace, and a pipe held open by a ``setsid`` daemon costs nothing, where
waiting for its EOF would hold the run until its timeout.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from typing import Any

if __package__:
    from . import protocol, reaper
else:  # loaded by runner.py as a script
    protocol = sys.modules["_sandbox_protocol"]
    reaper = sys.modules["_sandbox_reaper"]

__all__ = ("classify", "run")

_MIB = 1 << 20
_DRAIN_S = 0.05
_SETUP_S = 1.0
_NO_REPORT = "the run's init died without a report"
_READ = 1 << 16


def run(z: Any, msg: Any) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Execute one ``run`` message on the spare chain; return the result frame."""
    if z.broken:
        return {"status": "sandbox_error", "error": z.broken}, {}
    chain, z.spare = z.spare, None
    try:
        if chain is None:
            chain = z._prefork()
    except OSError as exc:
        z.broken = f"cannot start a run: {exc}"
        return {"status": "sandbox_error", "error": z.broken}, {}
    try:
        return _supervise(z, chain, msg)
    finally:
        chain.kill()
        if z.exiting is not chain:
            chain.reap(1.0)
            chain.close()
        if z.shared_uid:  # a backstop: _supervise already swept on every normal path
            _sweep(z, chain)
        if chain.workdir:
            reaper.remove(chain.workdir)
        left = reaper.scrub(z.scrub_dirs)
        if z.scrub_ipc:
            reaper.remove_ipc(os.getuid())
        if left and not z.broken:
            z.broken = f"files of a run survived the cleanup: {' '.join(left[:3])}"


def _sweep(z: Any, chain: Any, known: set[int] | None = None) -> int:
    """Kill what the run left behind when there is no PID namespace to do it (see reaper)."""
    return int(reaper.sweep(os.getpid(), {z.nursery_pid}, chain.code_pid, known))


def _supervise(z: Any, chain: Any, msg: Any) -> tuple[dict[str, Any], dict[str, bytes]]:
    fields = msg.fields
    limits = fields.get("limits", {})
    cap = int(limits.get("output_bytes", _MIB))
    cg = z.cgroup
    oom0: int | None = None
    if cg is not None:
        cg.set_limits(int(limits.get("memory_mb", 2048)) * _MIB, int(limits.get("pids", 64)))
        cg.reset_peak()
        oom0 = cg.oom_kills()
    else:  # the cgroup we sit in (a container's), read-only, shared by its one run at a time
        oom0 = reaper.oom_kills()
    t0 = time.monotonic()
    deadline = t0 + float(limits.get("wall_s", 10.0))
    setup_error = _start(chain, fields, msg.blobs)
    out, err = bytearray(), bytearray()
    streams = {chain.out_r: out, chain.err_r: err}
    reason = ""
    leftovers = 0
    exited = False
    done: int | None = None  # the exit status the code announced (child._report_done)
    # Until both setup acknowledgements are in, a failure is the sandbox's,
    # and setup may take at least _SETUP_S even when the run's own limit is shorter.
    setup = [chain.res_r, chain.ok_r]
    signals = [chain.code_pidfd, z.proto_in]
    if z.use_ns:  # without a PID namespace, only the exit itself proves the run is over
        signals.append(chain.done_r)
    while not exited and not reason and not setup_error:
        remaining = (max(deadline, t0 + _SETUP_S) if setup else deadline) - time.monotonic()
        if remaining <= 0:
            if setup:
                setup_error = _NOT_STARTED[chain.res_r in setup]
            reason = "timeout"
            break
        for fd in select.select([*setup, *signals, *streams], [], [], remaining)[0]:
            if fd in setup:
                setup.remove(fd)
                setup_error = _acknowledged(chain, fd)
                if setup_error:
                    break
                if fd == chain.ok_r and chain.res_r in setup:  # the gate opened: mounted
                    setup.remove(chain.res_r)
            elif fd == z.proto_in:
                reason = _check_cancel(z, fields.get("id"))
            elif fd == chain.code_pidfd:
                exited = True
                if chain.ok_r in setup:  # it ended before it started the source?
                    setup.remove(chain.ok_r)
                    setup_error = _acknowledged(chain, chain.ok_r)
            elif fd == chain.done_r:
                data = os.read(fd, 16)
                signals.remove(fd)  # one byte, once; EOF: an exec'd program, no byte comes
                if len(data) == 1:
                    done, exited = data[0], True
            else:
                data = os.read(fd, _READ)
                if not data:
                    del streams[fd]
                    continue
                streams[fd] += data
                if len(streams[fd]) > cap:
                    reason = "output_limit"
    wall = time.monotonic() - t0
    if setup_error and chain.res_r in setup and _ready(chain.res_r):
        setup_error = _acknowledged(chain, chain.res_r) or setup_error  # the init's: the cause
    if setup_error:
        z.broken = setup_error
        return {"status": "sandbox_error", "error": setup_error}, {}
    report: Any = None
    status_word: int | None = None
    usage: Any = None
    counted: set[int] = set()
    if done is not None and not reason and not _ready(chain.code_pidfd):
        return _finish_early(z, chain, done, wall, out, err, cap, oom0, fields)
    if reason:
        if cg is not None:
            leftovers = max(0, len(cg.procs()) - 1)  # all but the code itself
        elif z.shared_uid:  # the code's descendants, before the group kill below
            counted = reaper.living(os.getpid(), {z.nursery_pid}) - {chain.code_pid}
            leftovers = len(counted)
        chain.kill()
    else:
        status_word, usage = chain.wait_code()
        report = _collect(z, chain)
    chain.kill()  # the init, and with it the PID namespace and every leftover
    chain.reap(0.1)
    if z.shared_uid:  # before the drain: a daemon holding the pipes must not cost its 50 ms
        leftovers += _sweep(z, chain, counted)
    _drain(chain, out, err, cap)
    if cg is not None:
        leftovers += cg.kill_all()
    if report is not None and report.kind == "exit":
        leftovers += int(report.fields.get("leftovers", 0))
    result, blobs = _outcome(z, wall, leftovers, out, err, cap)
    oom = _oomed(z, oom0)
    if reason == "eof":
        result["eof"] = True
    if status_word is not None and (report is None or report.kind == "exit"):
        result["cpu"] = usage.ru_utime + usage.ru_stime
        if os.WIFEXITED(status_word):
            result["returncode"] = os.WEXITSTATUS(status_word)
        elif os.WIFSIGNALED(status_word):
            result["signal"] = os.WTERMSIG(status_word)
        if report is not None:
            blobs.update((k, v) for k, v in report.blobs.items() if k.startswith("f:"))
    if status_word is not None and report is None and not z.broken:
        # The code ended but its init never reported: its files and leftovers are unknown.
        z.broken = _NO_REPORT
        result.pop("returncode", None)
        result.pop("signal", None)
        result["error"] = z.broken
    elif report is not None and report.kind != "exit":
        z.broken = str(report.fields.get("error", "run setup failed"))
        result.pop("returncode", None)
        result.pop("signal", None)
        result["error"] = z.broken
    result["status"] = classify(reason, oom, result, bytes(err[-4096:]))
    if result["status"] == "sandbox_error" and not result.get("error"):
        result["error"] = _NO_REPORT
        z.broken = result["error"]
    return result, blobs


def _outcome(
    z: Any, wall: float, leftovers: int, out: bytearray, err: bytearray, cap: int
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The fields every ended run reports, and its output as blobs."""
    result: dict[str, Any] = {
        "wall": wall,
        "peak": z.cgroup.peak() if z.cgroup is not None else 0,
        "leftovers": leftovers,
        "stdout_truncated": len(out) > cap,
        "stderr_truncated": len(err) > cap,
    }
    return result, {"stdout": bytes(out[:cap]), "stderr": bytes(err[:cap])}


def _oomed(z: Any, oom0: int | None) -> bool:
    """Whether the OOM killer struck since ``oom0`` was read."""
    oom_now = z.cgroup.oom_kills() if z.cgroup is not None else reaper.oom_kills()
    return oom0 is not None and oom_now is not None and oom_now > oom0


def _finish_early(
    z: Any,
    chain: Any,
    rc: int,
    wall: float,
    out: bytearray,
    err: bytearray,
    cap: int,
    oom0: int | None,
    fields: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """End a run whose code announced its exit status and is still exiting.

    The result is complete once the leftovers are counted and the collected
    files read, and the pipes hold everything the code wrote before its
    announcement: the exit itself (unmapping the code's share of the zygote's
    memory) need not be waited for. The chain is killed now and reaped once
    the result is sent (``Zygote.finish_exiting``); the CPU time is read
    from the code's CPU clock while it still exists.

    With a cgroup and no files to collect the leftovers are the cgroup's
    other processes, and the init is not asked: one round trip less.
    """
    cpu = _cpu_time(chain.code_pid)
    cg = z.cgroup
    ask_init = cg is None or bool(fields.get("collect"))
    report: Any = _collect(z, chain) if ask_init else None
    error = ""
    if ask_init and (report is None or report.kind != "exit"):
        error = _NO_REPORT
        if report is not None:
            error = str(report.fields.get("error", "run setup failed"))
    if report is not None:
        leftovers = int(report.fields.get("leftovers", 0))
    else:
        leftovers = _cgroup_leftovers(cg, chain.code_pid) if cg is not None else 0
    chain.kill()
    if leftovers or error:  # rare: wait for everything to be gone, as after any exit
        chain.reap(1.0)
        if cg is not None:
            cg.kill_all()
        _drain(chain, out, err, cap)
    else:
        z.exiting = chain
        _drain(chain, out, err, cap, wait_s=0.0)
    result, blobs = _outcome(z, wall, leftovers, out, err, cap)
    if error:
        z.broken = error
        result.update(status="sandbox_error", error=error)
        return result, blobs
    result.update(cpu=cpu, returncode=rc)
    if report is not None:
        blobs.update((k, v) for k, v in report.blobs.items() if k.startswith("f:"))
    result["status"] = classify("", _oomed(z, oom0), result, bytes(err[-4096:]))
    return result, blobs


def _collect(z: Any, chain: Any) -> Any:
    """Ask the init to count leftovers and read the collected files; its ``exit`` report.

    None: the init died or did not answer. A ``mounted`` report still in the
    pipe (the code can end before the zygote has read it) is skipped.
    """
    try:
        protocol.write_frame(chain.req_w, {"type": "collect"})
        report = z._read_report(chain, 2.0)
        if report is not None and report.kind == "mounted":
            report = z._read_report(chain, 2.0)
    except OSError:
        return None
    return report


def _cgroup_leftovers(cg: Any, code_pid: int) -> int:
    """Living processes in the slot's cgroup other than the code (which is exiting)."""
    return sum(1 for pid in cg.procs() if pid != code_pid and reaper.alive(pid))


def _cpu_time(pid: int) -> float:
    """CPU seconds of a live process and of the children it has waited for (0.0: unknown).

    What ``wait4`` would report at its exit: the process's own CPU clock (ns
    resolution; glibc's ``clock_getcpuclockid`` id), plus its waited-for
    children's user and system time from ``/proc/<pid>/stat`` (clock ticks).
    """
    try:
        own = time.clock_gettime(((~pid) << 3) | 2)  # CPUCLOCK_SCHED of a whole process
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        children = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0
    return own + children


def _start(chain: Any, fields: dict[str, Any], blobs: dict[str, bytes]) -> str:
    """Hand the request to the init (mounts, files) and the code at once; '' or an error.

    Neither is waited for here: the code runs the source once the init
    opens its gate (see ``child.init_main``), and their acknowledgements
    arrive in the supervision loop (:func:`_acknowledged`).
    """
    try:
        protocol.write_frame(chain.req_w, fields, blobs)
        code = {"code": blobs.get("code", b""), "stdin": blobs.get("stdin", b"")}
        protocol.write_frame(chain.go_w, fields, code)
        os.close(chain.go_w)
        chain.go_w = -1
    except OSError as exc:
        return f"run setup failed: {exc}"
    return ""


def _ready(fd: int) -> bool:
    """Whether ``fd`` can be read without blocking."""
    return bool(select.select([fd], [], [], 0)[0])


#: Why a run never started, by whether the init had still not reported.
_NOT_STARTED = {
    True: "the run's init did not prepare the run in time",
    False: "the code process did not start in time",
}


def _acknowledged(chain: Any, fd: int) -> str:
    """Read the setup acknowledgement on ``fd`` (the init's report or the code's); '' or an error."""
    try:
        if fd == chain.res_r:
            ready = protocol.read_frame(fd)
            if ready is None:
                return "the run's init died before the run"
            if ready.kind != "mounted":
                return str(ready.fields.get("error", "run setup failed"))
            return ""
        ack = os.read(fd, 4096) if _ready(fd) else b""
    except OSError as exc:
        return f"run setup failed: {exc}"
    if ack != b"ok":
        return ack.decode(errors="replace") or "the code process died during setup"
    return ""


def _check_cancel(z: Any, run_id: Any) -> str:
    while True:
        m = z._next_message(block=False)
        if m is None:
            return ""
        if m == "eof":
            return "eof"
        if m.kind == "cancel" and m.fields.get("id") == run_id:
            return "cancelled"


def _drain(chain: Any, out: bytearray, err: bytearray, cap: int, wait_s: float = _DRAIN_S) -> None:
    """Read what is left once the run's processes are killed.

    Waits up to ``wait_s`` for more data or the writers' exit; ``0``: only
    what the pipes hold now (all the code wrote before it announced its exit).
    """
    streams = {chain.out_r: out, chain.err_r: err}
    end = time.monotonic() + wait_s
    while streams:
        ready = select.select(list(streams), [], [], max(0.0, end - time.monotonic()))[0]
        if not ready:
            break
        for fd in ready:
            data = os.read(fd, _READ)
            if not data or len(streams[fd]) > cap:
                del streams[fd]
            else:
                streams[fd] += data


def classify(reason: str, oom: bool, result: dict[str, Any], stderr_tail: bytes) -> str:
    """Map how the run ended to one ``ExecStatus`` value (as a string)."""
    if reason in ("cancelled", "eof"):
        return "cancelled"
    if reason == "timeout":
        return "timeout"
    if reason == "output_limit":
        return "output_limit"
    if oom:
        return "oom"
    sig = result.get("signal")
    rc = result.get("returncode")
    if sig is None and rc is None:
        return "sandbox_error"
    if sig == signal.SIGXFSZ:
        return "file_limit"
    if sig == signal.SIGXCPU:
        return "timeout"
    if sig is not None:
        return "killed_signal"
    if rc == 0:
        return "ok"
    lines = stderr_tail.strip().splitlines()
    last = lines[-1] if lines else b""
    if b"File too large" in last:
        return "file_limit"
    if last.startswith(b"MemoryError"):
        return "oom"
    return "runtime_error"
