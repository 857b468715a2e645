"""The Docker backend: long-lived containers, each driven by one warm runner over one exec stream.

``async with DockerPool(mounts=[Mount(source=..., target="/data")]) as pool``
offers the same :class:`~sandboxes.api.Sandbox` protocol as the host
:class:`~sandboxes.SandboxPool`. Per slot it keeps one container and, inside
it, the same ``runner.py`` zygote the host uses, started once by ``docker
exec`` with stdin attached; every run is one frame on that stream and one
fork inside the container. An exec per request would cost ~50 ms of daemon
work and saturate at ~18 execs/s on two cores; a fork costs a few ms.

Isolation is two layers:

* the container, made once per slot: no network, read-only root, size-capped
  tmpfs for ``/tmp``, ``/var/tmp`` and the workdir, memory = memory+swap, a
  pids limit, a CPU quota, an unprivileged uid of its own (so per-uid limits
  and ``kill`` never reach another container), no capabilities,
  ``no-new-privileges``, Docker's seccomp profile and an init as PID 1;
* per run, inside it, what an unprivileged runner can do (:mod:`reaper`): a
  fresh workdir, rlimits, the runner's seccomp filter (which also keeps the
  run away from the runner), a subreaper sweep that kills everything the run
  started, output caps and a wall timeout enforced in the container, and the
  scratch directories emptied afterwards.

Data mounts: a container's mounts are fixed when it is created, so a pool is
created with the read-only ``mounts`` its runs may use (a suite's data
directories); they are bound into every container and visible to every run.
A request naming a mount the pool does not have is ``sandbox_error``.

The runner's files are bind-mounted read-only from this package at
``/opt/arollout/sandboxes``, so the image holds only Python and the
biomedical stack and never needs a rebuild when the runner changes.

Lifecycle: containers are recycled after ``recycle_after`` runs and after any
failure; a container whose stream ends (crash, OOM of the runner, ``docker
kill``) turns its in-flight run into ``sandbox_error`` and is replaced. Every
container is removed on exit, on cancellation (shielded, bounded), at
interpreter exit as a backstop, and after an engine crash by
:func:`remove_orphans` (``python -m sandboxes gc``).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import math
import os
import uuid
from typing import TYPE_CHECKING, Final, Literal, final

import anyio
import anyio.abc
import msgspec

from . import dockerapi, protocol
from .container import (
    DEFAULT_IMAGE,
    ENV,
    ContainerSettings,
    container_report,
    container_spec,
    mount_problem,
    runner_command,
    runner_config,
)
from .errors import DockerError, SandboxError
from .pool import (
    DEFAULT_PRELOAD,
    ProtectionReport,
    _next_uid_offset,
    default_slots,
    protection_report,
)
from .slots import SlotPool, SlotQueue
from .warmup import DEFAULT_WARMUP
from .wire import cancel_run, error_result, must_replace, run_frame, to_result

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .api import ExecRequest, ExecResult, Mount

__all__ = ("DEFAULT_IMAGE", "DockerPool", "remove_orphans")

#: Runner uids: one per container, outside the host pool's 60000-64999.
_UID_BASE: Final = 70_000

_ANSWER_GRACE_S: Final = 10.0  # a runner that misses its own wall timeout by this is broken
_CLOSE_BOUND_S: Final = 30.0
_pool_ids = itertools.count()


class _Box:
    """One container and the stream of the runner inside it."""

    def __init__(self, cid: str, exec_id: str, stream: dockerapi.ExecStream) -> None:
        self.cid, self.exec_id, self.stream = cid, exec_id, stream
        self.decoder = protocol.FrameDecoder()
        self.inbox_send, self.inbox = anyio.create_memory_object_stream[protocol.Message](math.inf)
        self.stderr_tail = bytearray()
        self.runs = 0
        self.base_rss = 0
        self.zygote_pid = 0  # the runner's host pid (tests read its memory)
        self.ready: protocol.Message | None = None
        self.pump_scope = anyio.CancelScope()
        self.dead = False  # the stream ended: the runner or the container is gone

    async def pump(self) -> None:
        """Read the stream until it ends: frames to the inbox, stderr to a 4 KiB tail."""
        with self.pump_scope:
            try:
                while (chunk := await self.stream.read()) is not None:
                    fd, data = chunk
                    if fd == 1:
                        for msg in self.decoder.feed(data):
                            self.inbox_send.send_nowait(msg)
                    else:
                        self.stderr_tail += data
                        del self.stderr_tail[:-4096]
            except protocol.FrameError as exc:
                self.stderr_tail += f"\nbad frame from the runner: {exc}".encode()
            finally:
                self.dead = True
                self.inbox_send.close()

    async def recv(self, run_id: int | None = None) -> protocol.Message:
        """The next frame (with ``run_id``: the result of that run); EOFError once the stream ended."""
        while True:
            try:
                msg = await self.inbox.receive()
            except anyio.EndOfStream:
                raise EOFError("the sandbox container's runner stream ended") from None
            if run_id is None or (msg.kind == "result" and msg.fields.get("id") == run_id):
                return msg

    def tail(self) -> str:
        return self.stderr_tail.decode(errors="replace")[-1000:]


class _Slot:
    def __init__(self, index: int, uid: int) -> None:
        self.index = index
        self.uid = uid
        self.box: _Box | None = None
        self.replace = False


@final
class DockerPool(SlotPool["_Slot"]):
    """Warm, isolated execution in Docker containers: ``async with DockerPool() as pool``.

    Args:
        slots: containers, one run each at a time; default twice the CPUs.
        image: the sandbox image (``build_rootfs.sh`` tags its build as the default).
        mounts: read-only host directories bound into every container; a
            request may name these or paths inside them.
        preload: modules each runner imports once (missing ones are skipped).
        warmup: source each runner runs once after ``preload`` (see
            :class:`~sandboxes.SandboxPool`); None: ``DEFAULT_WARMUP``, "" none.
        mode: ``"zygote"`` (fork the preloaded runner) or ``"cold"`` (a fresh
            interpreter per run, same isolation).
        strict: refuse to start unless every protection is active.
        memory_mb: the most memory one run may have: a request's
            ``Limits.memory_mb`` is capped at it. Inside the container a run's
            memory is enforced as address space (the runner has no cgroup of
            its own to give it; a bomb fails with MemoryError, ``oom``).
        runner_mb: what the container holds besides the run: the runner
            (~70-200 MB with the preload), the page cache of the libraries it
            maps and the tmpfs files. The container's memory (= memory+swap)
            limit is ``memory_mb + runner_mb``; too little, and a run near its
            limit drives the container into reclaim instead of MemoryError.
        cpus: CPU quota of a container, in CPUs.
        pids: pids limit of a container (its init, the runner and the runs).
        tmpfs_mb: size of each of ``/tmp``, ``/var/tmp``, ``/dev/shm`` and the workdir.
        recycle_after: replace a container after this many runs.
        memory_growth: replace a container whose runner grew by more than this fraction.
        boot_timeout_s: how long a runner may take to import ``preload``.
        python: the interpreter inside the image.
        url: the Docker daemon (default ``DOCKER_HOST`` or the local socket).
        collect_orphans: remove containers of dead owners before starting.
    """

    def __init__(
        self,
        *,
        slots: int | None = None,
        image: str = DEFAULT_IMAGE,
        mounts: Sequence[Mount] = (),
        preload: Sequence[str] | None = None,
        warmup: str | None = None,
        mode: Literal["zygote", "cold"] = "zygote",
        strict: bool = False,
        memory_mb: int = 2048,
        runner_mb: int = 512,
        cpus: float = 1.0,
        pids: int = 128,
        tmpfs_mb: int = 256,
        recycle_after: int = 1000,
        memory_growth: float = 0.10,
        boot_timeout_s: float = 120.0,
        python: str = "python3",
        url: str | None = None,
        collect_orphans: bool = True,
    ) -> None:
        if mode not in ("zygote", "cold"):
            raise SandboxError(f"mode must be 'zygote' or 'cold', not {mode!r}")
        n = slots if slots is not None else default_slots()
        if n < 1:
            raise SandboxError(f"slots must be >= 1, not {n}")
        for m in mounts:
            if not (os.path.isabs(m.source) and os.path.isabs(m.target)):
                raise SandboxError(f"mount paths must be absolute: {m.source!r} -> {m.target!r}")
        self._settings = ContainerSettings(
            image=image,
            mounts=tuple(mounts),
            preload=tuple(DEFAULT_PRELOAD if preload is None else preload),
            warmup=DEFAULT_WARMUP if warmup is None else warmup,
            mode=mode,
            memory_mb=memory_mb,
            runner_mb=runner_mb,
            cpus=cpus,
            pids=pids,
            tmpfs_mb=tmpfs_mb,
            python=python,
        )
        self._strict = strict
        self._recycle_after = recycle_after
        self._growth = memory_growth
        self._boot_timeout = boot_timeout_s
        self._collect_orphans = collect_orphans
        self._id = f"{os.getpid()}-{next(_pool_ids)}-{uuid.uuid4().hex[:6]}"
        self._client = dockerapi.DockerClient(url, streams=n)
        self._slots = [_Slot(i, _UID_BASE + _next_uid_offset()) for i in range(n)]
        self._idle = SlotQueue[_Slot](n)
        self._ids = itertools.count(1)
        self._names = itertools.count()
        self._cids: set[str] = set()  # every container created and not yet removed
        self._tg: anyio.abc.TaskGroup | None = None
        self._report: ProtectionReport | None = None
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------
    async def _prepare(self) -> None:
        """Reach the daemon, find the image and clear orphans, before any container starts."""
        atexit.register(self.cleanup)
        await self._client.__aenter__()
        await self._client.require_image(self._settings.image)
        if self._collect_orphans:
            await remove_orphans(client=self._client)

    async def aclose(self) -> None:
        """Remove every container of this pool (their runs are killed); idempotent.

        Shielded and bounded: a cancelled caller still gets its containers
        removed, and a daemon that hangs cannot hold the caller for longer
        than ~30 s (what is left then goes to the ``atexit`` backstop and to
        ``sandboxes gc``).
        """
        if self._closed:
            return
        self._closed = True
        if self._tg is not None:  # stream pumps, and replacements: they remove what they made
            self._tg.cancel_scope.cancel()
            await self._tg.__aexit__(None, None, None)
        with anyio.CancelScope(shield=True):
            with anyio.move_on_after(_CLOSE_BOUND_S):
                async with anyio.create_task_group() as tg:
                    for slot in self._slots:
                        if slot.box is not None:
                            tg.start_soon(slot.box.stream.aclose)
                    for cid in list(self._cids):
                        tg.start_soon(self._remove, cid)
                await self._remove_labeled()
            await self._client.aclose()
        if not self._cids:
            atexit.unregister(self.cleanup)

    async def _remove_labeled(self) -> None:
        """Backstop: remove any container the daemon holds under this pool's label.

        Catches one whose create outlived its client-side timeout.
        """
        with contextlib.suppress(SandboxError):
            found = await self._client.list_labeled(f"{dockerapi.LABEL_POOL}={self._id}")
            for c in found:
                cid = str(c.get("Id", ""))
                self._cids.add(cid)
                await self._remove(cid)

    def cleanup(self) -> None:
        """Synchronous backstop (registered with ``atexit``): remove what is left."""
        if self._cids:
            failed = dockerapi.remove_now(self._client.url, sorted(self._cids))
            self._cids = set(failed)

    async def _remove(self, cid: str) -> None:
        with contextlib.suppress(SandboxError):
            await self._client.remove(cid)
            self._cids.discard(cid)

    # -- containers --------------------------------------------------------------------
    async def _start_box(self, slot: _Slot) -> _Box:
        """Create and start a container, start its runner and wait for ``ready``."""
        assert self._tg is not None
        name = f"arollout-sbx-{self._id}-{slot.index}-{next(self._names)}"
        spec = container_spec(self._settings, uid=slot.uid, labels=dockerapi.owner_labels(self._id))
        # The create is shielded (it is bounded by its own control timeout):
        # a client that stops waiting does not stop the daemon, which may make
        # the container after a remove-by-name has already found nothing (and
        # a delete racing the create fails). Waiting for the id closes that
        # race; cancellation is honoured at the next step, which removes it.
        try:
            with anyio.CancelScope(shield=True):
                cid = await self._client.create(spec, name)
        except BaseException:  # a create that failed late may still have made it
            with anyio.CancelScope(shield=True), anyio.move_on_after(_CLOSE_BOUND_S):
                await self._remove(name)
            raise
        self._cids.add(cid)
        box: _Box | None = None
        try:
            await self._client.start(cid)
            exec_id, stream = await self._client.open_exec(
                cid, runner_command(self._settings), user=f"{slot.uid}:{slot.uid}", env=ENV
            )
            box = _Box(cid, exec_id, stream)
            self._tg.start_soon(box.pump)
            with anyio.fail_after(self._boot_timeout):
                await box.stream.write(protocol.encode(runner_config(self._settings, slot.uid)))
                box.ready = await box.recv()
            box.base_rss = int(box.ready.fields.get("rss", 0))
            box.zygote_pid = await self._client.exec_pid(exec_id)
        except BaseException as exc:
            with anyio.CancelScope(shield=True):
                await self._discard(box, cid)
            if isinstance(exc, Exception) and not isinstance(exc, SandboxError):
                tail = box.tail() if box is not None else ""
                raise SandboxError(
                    f"sandbox runner failed to start in its container: {exc!r}\n{tail}"
                ) from exc
            raise
        return box

    async def _discard(self, box: _Box | None, cid: str) -> None:
        """Stop a container's stream and remove the container (its processes die with it)."""
        if box is not None:
            box.pump_scope.cancel()
            await box.stream.aclose()
            box.inbox.close()
        await self._remove(cid)

    async def _boot(self, slot: _Slot) -> None:
        slot.box = await self._start_box(slot)
        if self._report is None:
            assert slot.box.ready is not None
            runner = protection_report(slot.box.ready.fields)
            self._report = container_report(runner, self._settings, slot.uid)

    async def _replace(self, slot: _Slot) -> None:
        """Swap in a fresh container, then hand the slot back to the queue."""
        try:
            old, slot.box = slot.box, None
            if old is not None:
                await self._discard(old, old.cid)
            if not self._closed:
                with contextlib.suppress(SandboxError):
                    slot.box = await self._start_box(slot)
        finally:
            slot.replace = False
            self._idle.put(slot)

    def protections(self) -> ProtectionReport:
        """Which protections are active (available once the pool is entered)."""
        if self._report is None:
            raise SandboxError("protections() is known only after `async with DockerPool()`")
        return self._report

    # -- the exec-per-request baseline (sandboxes.bench) --------------------------------
    def exec_targets(self) -> list[tuple[str, str]]:
        """``(container id, user)`` of every live container, for :meth:`run_exec`."""
        return [(s.box.cid, f"{s.uid}:{s.uid}") for s in self._slots if s.box is not None]

    async def run_exec(
        self, target: tuple[str, str], argv: Sequence[str]
    ) -> tuple[int, bytes, bytes]:
        """One ``docker exec`` of ``argv`` in a pool container, as the run's uid, to completion.

        Only the benchmark's baseline uses this: an exec per request is what
        this pool exists to avoid (and a timed-out exec keeps running, so
        wrap ``argv`` in ``timeout -s KILL``).
        """
        cid, user = target
        return await self._client.run_exec(cid, argv, user=user, env=ENV)

    # -- running -----------------------------------------------------------------------
    async def exec(self, request: ExecRequest) -> ExecResult:
        """Run one request. Model faults are statuses; this raises only on misuse."""
        if self._tg is None or self._closed:
            raise SandboxError("use the pool inside `async with DockerPool(...) as pool`")
        problem = mount_problem(self._settings.mounts, request.mounts)
        if problem:
            return error_result(problem, 0.0)
        slot, queue_s = await self._idle.get()
        try:
            return await self._run_on(slot, request, queue_s)
        finally:
            box = slot.box
            if box is None or box.dead or slot.replace or box.runs >= self._recycle_after:
                self._tg.start_soon(self._replace, slot)  # hands the slot back when done
            else:
                self._idle.put(slot)

    async def _run_on(self, slot: _Slot, request: ExecRequest, queue_s: float) -> ExecResult:
        box = slot.box
        if box is None or box.dead:  # died while idle: replace before the run
            with contextlib.suppress(SandboxError):
                if box is not None:
                    await self._discard(box, box.cid)
                slot.box = box = None
                slot.box = box = await self._start_box(slot)
        if box is None:
            return error_result("no sandbox container available for this slot", queue_s)
        run_id = next(self._ids)
        box.runs += 1
        if request.limits.memory_mb > self._settings.memory_mb:  # what the container can hold
            limits = msgspec.structs.replace(request.limits, memory_mb=self._settings.memory_mb)
            request = msgspec.structs.replace(request, limits=limits)
        answer_s = request.limits.wall_s + _ANSWER_GRACE_S
        try:
            await box.stream.write(protocol.encode(*run_frame(run_id, request)))
            with anyio.fail_after(answer_s):
                msg = await box.recv(run_id)
        except (EOFError, DockerError, protocol.FrameError, TimeoutError) as exc:
            slot.replace = True
            why = "did not answer in time" if isinstance(exc, TimeoutError) else f"died: {exc!r}"
            return error_result(
                f"sandbox container {box.cid[:12]} {why} {box.tail()}".strip(), queue_s
            )
        except BaseException:  # cancelled: the run must not outlive its caller
            slot.replace = not await cancel_run(box.stream.write, box.recv, run_id)
            raise
        slot.replace = must_replace(msg.fields, box.base_rss, self._growth)
        return to_result(msg, queue_s)


async def remove_orphans(
    *, url: str | None = None, client: dockerapi.DockerClient | None = None
) -> list[str]:
    """Remove sandbox containers whose owning process is gone; return their ids.

    An owner is gone when its pid no longer exists on this host or belongs to
    a newer process (see :func:`sandboxes.dockerapi.is_orphan`); containers
    of live owners and of other hosts are left alone.
    """
    own = client is None
    c = dockerapi.DockerClient(url, streams=1) if client is None else client
    if own:
        await c.__aenter__()
    try:
        removed = []
        for info in await c.list_labeled(dockerapi.LABEL_POOL):
            if dockerapi.is_orphan(info.get("Labels") or {}):
                await c.remove(str(info["Id"]))
                removed.append(str(info["Id"]))
        return removed
    finally:
        if own:
            await c.aclose()
