"""Requests and results on the wire between a pool and its runners (both backends).

The host pool talks to each zygote over pipes and the Docker pool over one
exec stream per container, but the frames are the same (:mod:`protocol`):
a ``run`` frame carries the request's fields as JSON and its code, stdin and
files as blobs, and a ``result`` frame comes back. Building and reading those
frames lives here once, so that both backends agree on every field.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Final

import anyio
import msgspec

from . import protocol
from .api import ExecRequest, ExecResult, ExecStatus

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

__all__ = ("CANCEL_GRACE_S", "cancel_run", "error_result", "must_replace", "run_frame", "to_result")

#: How long a cancelled caller waits for its runner to confirm the kill.
CANCEL_GRACE_S: Final = 2.0


def run_frame(run_id: int, request: ExecRequest) -> tuple[dict[str, object], dict[str, bytes]]:
    """The fields and blobs of the ``run`` frame for ``request``."""
    fields: dict[str, object] = {
        "type": "run",
        "id": run_id,
        "language": request.language,
        "limits": msgspec.to_builtins(request.limits),
        "mounts": [[m.source, m.target] for m in request.mounts],
        "collect": list(request.collect),
        "env": dict(request.env),
    }
    blobs = {"code": request.code.encode(), "stdin": request.stdin}
    blobs.update(("f:" + k, v) for k, v in request.files.items())
    return fields, blobs


def error_result(message: str, queue_s: float) -> ExecResult:
    """A ``sandbox_error`` result: the sandbox failed, not the code."""
    return ExecResult(status=ExecStatus.SANDBOX_ERROR, error=message, queue_s=queue_s)


def to_result(msg: protocol.Message, queue_s: float) -> ExecResult:
    """Read a runner's ``result`` frame (an unknown status reads as ``sandbox_error``)."""
    f, b = msg.fields, msg.blobs
    status = str(f.get("status", "sandbox_error"))
    if status not in ExecStatus.__members__.values():
        status = "sandbox_error"
    return ExecResult(
        status=ExecStatus(status),
        returncode=f.get("returncode"),
        signal=f.get("signal"),
        wall_s=float(f.get("wall", 0.0)),
        cpu_s=float(f.get("cpu", 0.0)),
        peak_memory_bytes=int(f.get("peak", 0)),
        stdout=b.get("stdout", b"").decode("utf-8", errors="replace"),
        stderr=b.get("stderr", b"").decode("utf-8", errors="replace"),
        stdout_truncated=bool(f.get("stdout_truncated", False)),
        stderr_truncated=bool(f.get("stderr_truncated", False)),
        files={k[2:]: v for k, v in b.items() if k.startswith("f:")},
        leftovers_killed=int(f.get("leftovers", 0)),
        error=str(f.get("error", "")),
        queue_s=queue_s,
    )


def must_replace(fields: dict[str, object], base_rss: int, growth: float) -> bool:
    """Whether a runner that sent this result frame should be replaced before its next run.

    A broken runner (its setup failed, its cleanup left files) or one that
    answered ``sandbox_error`` is not trusted with another run, and one whose
    RSS grew past ``growth`` is leaking into every future fork.
    """
    if fields.get("broken") or fields.get("status") == "sandbox_error":
        return True
    rss = fields.get("rss", 0)
    return bool(base_rss) and isinstance(rss, int) and rss > base_rss * (1 + growth)


async def cancel_run(
    send: Callable[[bytes], Awaitable[None]],
    recv_result: Callable[[int], Awaitable[protocol.Message]],
    run_id: int,
    grace_s: float = CANCEL_GRACE_S,
) -> bool:
    """Ask a runner to kill run ``run_id``; True when it confirmed within ``grace_s``.

    Called from a cancelled caller, so shielded: the run must not outlive its
    caller. A runner that does not confirm in time is replaced instead.
    """
    with anyio.CancelScope(shield=True), anyio.move_on_after(grace_s):
        with contextlib.suppress(Exception):
            await send(protocol.encode({"type": "cancel", "id": run_id}))
            await recv_result(run_id)
            return True
    return False
