"""Supervision of one run inside the zygote: timeout, output caps, status (stdlib only).

The zygote is single-threaded and serves one run at a time, so supervision is
a plain ``select`` loop over the run's stdout, stderr and report pipes plus
the host channel (for cancellation). Reading stops as soon as the init
reports the code's exit: the init then exits, the kernel kills whatever is
left in the PID namespace, and a pipe held open by a ``setsid`` daemon
reaches EOF within milliseconds instead of holding the run until its
timeout.
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
    setup_error = _start(chain, fields, msg.blobs, deadline)
    if setup_error:
        z.broken = setup_error
        return {"status": "sandbox_error", "error": setup_error}, {}
    out, err = bytearray(), bytearray()
    streams = {chain.out_r: out, chain.err_r: err}
    reason = ""
    leftovers = 0
    exited = False
    while not exited and not reason:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            reason = "timeout"
            break
        watch = [chain.code_pidfd, z.proto_in, *streams]
        for fd in select.select(watch, [], [], remaining)[0]:
            if fd == z.proto_in:
                reason = _check_cancel(z, fields.get("id"))
            elif fd == chain.code_pidfd:
                exited = True
            else:
                data = os.read(fd, _READ)
                if not data:
                    del streams[fd]
                    continue
                streams[fd] += data
                if len(streams[fd]) > cap:
                    reason = "output_limit"
    wall = time.monotonic() - t0
    report: Any = None
    status_word: int | None = None
    usage: Any = None
    counted: set[int] = set()
    if reason:
        if cg is not None:
            leftovers = max(0, len(cg.procs()) - 1)  # all but the code itself
        elif z.shared_uid:  # the code's descendants, before the group kill below
            counted = reaper.living(os.getpid(), {z.nursery_pid}) - {chain.code_pid}
            leftovers = len(counted)
        chain.kill()
    else:
        status_word, usage = chain.wait_code()
        try:  # the init counts what the code left running and reads the collected files
            protocol.write_frame(chain.req_w, {"type": "collect"})
            report = z._read_report(chain, 2.0)
        except OSError:
            report = None
    chain.kill()  # the init, and with it the PID namespace and every leftover
    chain.reap(0.1)
    if z.shared_uid:  # before the drain: a daemon holding the pipes must not cost its 50 ms
        leftovers += _sweep(z, chain, counted)
    _drain(chain, out, err, cap)
    if cg is not None:
        leftovers += cg.kill_all()
    if report is not None and report.kind == "exit":
        leftovers += int(report.fields.get("leftovers", 0))
    oom_now = cg.oom_kills() if cg is not None else reaper.oom_kills()
    oom = oom0 is not None and oom_now is not None and oom_now > oom0
    result: dict[str, Any] = {
        "wall": wall,
        "peak": cg.peak() if cg is not None else 0,
        "leftovers": leftovers,
        "stdout_truncated": len(out) > cap,
        "stderr_truncated": len(err) > cap,
    }
    if reason == "eof":
        result["eof"] = True
    blobs = {"stdout": bytes(out[:cap]), "stderr": bytes(err[:cap])}
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
        z.broken = "the run's init died without a report"
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
        result["error"] = "the run's init died without a report"
        z.broken = result["error"]
    return result, blobs


def _start(chain: Any, fields: dict[str, Any], blobs: dict[str, bytes], deadline: float) -> str:
    """Hand the request to the init (mounts, files), then start the code; '' or an error.

    Both steps happen before any untrusted code runs, so blocking on the two
    trusted processes is bounded by the run's deadline only as a backstop.
    """
    try:
        protocol.write_frame(chain.req_w, fields, blobs)
        budget = max(1.0, deadline - time.monotonic())
        if not select.select([chain.res_r], [], [], budget)[0]:
            return "the run's init did not prepare the run in time"
        ready = protocol.read_frame(chain.res_r)
        if ready is None:
            return "the run's init died before the run"
        if ready.kind != "mounted":
            return str(ready.fields.get("error", "run setup failed"))
        code = {"code": blobs.get("code", b""), "stdin": blobs.get("stdin", b"")}
        protocol.write_frame(chain.go_w, fields, code)
        os.close(chain.go_w)
        chain.go_w = -1
        if not select.select([chain.ok_r], [], [], budget)[0]:
            return "the code process did not start in time"
        ack = os.read(chain.ok_r, 4096)
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


def _drain(chain: Any, out: bytearray, err: bytearray, cap: int) -> None:
    """Read what is left once the run's processes are gone (bounded in time)."""
    streams = {chain.out_r: out, chain.err_r: err}
    end = time.monotonic() + _DRAIN_S
    while streams:
        remaining = end - time.monotonic()
        if remaining <= 0:
            break
        for fd in select.select(list(streams), [], [], remaining)[0]:
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
