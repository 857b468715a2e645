"""The host backend's async pool: warm zygotes per slot, driven over pipes.

The engine never forks: each slot is a separate ``python -s -P runner.py``
process started once with a whitelisted environment (two with a lean
zygote beside the full one: see ``SandboxPool(lean=...)``), and every run is
one framed request/response on its stdin/stdout. The idle-slot stream is both the
queue and the semaphore: at most ``slots`` runs are in flight and callers wait
in FIFO order.

Failure model: a run's outcome is always an :class:`ExecResult`. A zygote that
dies, answers garbage or reports a broken setup turns the in-flight run into
``sandbox_error`` and is replaced in the background; zygotes are also recycled
after ``recycle_after`` runs or when their RSS grows past ``memory_growth``.
A cancelled caller's run is killed (the zygote gets a ``cancel`` frame, and is
replaced if it does not confirm within two seconds), so nothing outlives it.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any, Final, Literal, final

import anyio
import anyio.abc
import msgspec

from . import cgroups, protocol
from .errors import SandboxError
from .imports import lean_enough
from .slots import SlotPool, SlotQueue
from .warmup import DEFAULT_WARMUP
from .wire import cancel_run, error_result, must_replace, run_frame, to_result

if TYPE_CHECKING:
    from .api import ExecRequest, ExecResult

__all__ = (
    "DEFAULT_LEAN",
    "DEFAULT_PRELOAD",
    "Protection",
    "ProtectionReport",
    "SandboxPool",
    "default_slots",
)

#: Modules every zygote imports before forking (those that are installed).
DEFAULT_PRELOAD: Final = (
    "numpy",
    "pandas",
    "scipy",
    "scipy.stats",
    "sqlite3",
    "statsmodels.api",
    "sklearn",
)
#: What the lean zygote of each slot preloads (see ``SandboxPool(lean=...)``).
DEFAULT_LEAN: Final = ("numpy", "pandas", "sqlite3")
RUNNER: Final = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runner.py")
_ZYGOTE_ENV: Final = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
#: What each ``allocator`` adds to the zygote's environment (see :class:`SandboxPool`).
_ALLOCATOR_ENV: Final = {"malloc": {"PYTHONMALLOC": "malloc"}, "pymalloc": {}}
_uids = itertools.count()
_UID_SPAN: Final = 5000
#: Where this process starts in the uid range: a multiplicative hash of its pid,
#: so that pools in different processes (two runs, a test beside a benchmark)
#: rarely share a uid and with it the per-uid process limit (RLIMIT_NPROC),
#: which would let one pool's fork bomb starve the other's runs.
_UID_START: Final = (os.getpid() * 2_654_435_761) % _UID_SPAN


def _next_uid_offset() -> int:
    """The next slot uid's offset from ``uid_base`` (distinct within this process)."""
    return (_UID_START + next(_uids)) % _UID_SPAN


_pool_ids = itertools.count()


@final
class Protection(msgspec.Struct, frozen=True, kw_only=True):
    """One isolation mechanism and whether this pool's runs get it."""

    name: str
    active: bool
    detail: str = ""


@final
class ProtectionReport(msgspec.Struct, frozen=True, kw_only=True):
    """Which protections are active (as measured by a booted zygote)."""

    protections: tuple[Protection, ...]
    preloaded: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    warmup_error: str = ""  # why the warm-up failed ("": it ran, or there was none)

    @property
    def inactive(self) -> tuple[str, ...]:
        """Names of the protections that are off."""
        return tuple(p.name for p in self.protections if not p.active)

    def table(self) -> str:
        """A plain-text table, one protection per line."""
        width = max((len(p.name) for p in self.protections), default=10)
        rows = [f"{'protection':<{width}}  active  detail"]
        rows += [
            f"{p.name:<{width}}  {'yes' if p.active else 'NO ':<6}  {p.detail}"
            for p in self.protections
        ]
        return "\n".join(rows)


def protection_report(ready: dict[str, Any]) -> ProtectionReport:
    """The report a booted runner sends in its ``ready`` frame."""
    prots = tuple(
        Protection(name=k, active=bool(v["active"]), detail=str(v.get("detail", "")))
        for k, v in ready["protections"].items()
    )
    return ProtectionReport(
        protections=prots,
        preloaded=tuple(ready.get("preloaded", ())),
        missing=tuple(ready.get("missing", ())),
        warmup_error=str(ready.get("warmup_error", "")),
    )


class _Zygote:
    """Host-side handle of one runner process."""

    def __init__(self, proc: anyio.abc.Process, cgroup: str) -> None:
        self.proc = proc
        self.cgroup = cgroup
        self.decoder = protocol.FrameDecoder()
        self.inbox: collections.deque[protocol.Message] = collections.deque()
        self.stderr_tail = bytearray()
        self.runs = 0
        self.base_rss = 0
        self.ready: protocol.Message | None = None

    async def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        await self.proc.stdin.send(data)

    async def recv(self) -> protocol.Message:
        assert self.proc.stdout is not None
        while not self.inbox:
            try:
                data = await self.proc.stdout.receive()
            except anyio.EndOfStream:
                raise EOFError("runner exited") from None
            self.inbox.extend(self.decoder.feed(data))
        return self.inbox.popleft()

    async def recv_result(self, run_id: int) -> protocol.Message:
        while True:
            msg = await self.recv()
            if msg.kind == "result" and msg.fields.get("id") == run_id:
                return msg

    async def pump_stderr(self) -> None:
        """Keep the last 4 KiB of the runner's stderr for error messages."""
        if self.proc.stderr is None:
            return
        with contextlib.suppress(anyio.EndOfStream, anyio.ClosedResourceError, OSError):
            async for chunk in self.proc.stderr:
                self.stderr_tail += chunk
                del self.stderr_tail[:-4096]

    async def close(self, timeout_s: float = 3.0) -> None:
        with anyio.CancelScope(shield=True):
            if self.proc.stdin is not None:
                with contextlib.suppress(Exception):
                    await self.proc.stdin.aclose()
            with anyio.move_on_after(timeout_s):
                await self.proc.wait()
            if self.proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                await self.proc.wait()
                await anyio.to_thread.run_sync(_remove_cgroup, self.cgroup)


def _remove_cgroup(name: str) -> None:
    version, root = cgroups.detect()
    if version and os.geteuid() == 0:
        with contextlib.suppress(OSError):
            cgroups.Cgroup(name, version, root).remove()


Tier = Literal["full", "lean"]


class _Slot:
    """One run at a time, from either of its zygotes (same uid, cgroups of its own)."""

    def __init__(self, index: int, uid: int) -> None:
        self.index = index
        self.uid = uid
        self.zygote: _Zygote | None = None
        self.lean: _Zygote | None = None
        self.replace = False

    def get(self, tier: Tier) -> _Zygote | None:
        return self.lean if tier == "lean" else self.zygote

    def set(self, tier: Tier, zygote: _Zygote | None) -> None:
        if tier == "lean":
            self.lean = zygote
        else:
            self.zygote = zygote


def default_slots() -> int:
    """Two slots per usable CPU (see :class:`SandboxPool`)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return 2 * max(1, cpus)


@final
class SandboxPool(SlotPool["_Slot"]):
    """Warm, isolated Python/shell execution: ``async with SandboxPool() as pool``.

    Args:
        slots: concurrent runs (one zygote each); default twice the CPUs this
            process may use. A slot is busy for ~20 ms after each run while
            it forks and jails the next chain; a second slot per CPU keeps the
            CPUs busy meanwhile (+25 % execs/s on 2 cores). Each zygote holds
            its own preloaded modules (~180 MB RSS with the default preload).
        python: interpreter that runs the sandboxed code (default: this one).
        preload: modules imported once per zygote (missing ones are skipped).
        lean: modules of a second, smaller zygote in each slot (None:
            ``DEFAULT_LEAN``, numpy, pandas and sqlite3; ``()``: none). A run
            whose source imports nothing beyond what that zygote has loaded
            and the standard library (a scan of its text, see
            :mod:`sandboxes.imports`; shell commands always qualify) is
            forked from it instead of from the full one. Each fork and exit
            costs kernel time in proportion to the forked process's memory:
            a fork loop measured 6.3 ms of CPU per fork and exit with numpy
            and pandas loaded and 13.7 ms with the default preload (2-core
            VM). Isolation and limits are the same; a lean run that imports
            a module only the full zygote preloads (dynamically, or lazily
            inside pandas, e.g. ``method="kendall"``) pays that import itself.
            Costs ~80 MB more RSS per slot (4 slots: 1,101 vs 790 MB). Only in zygote mode, and only
            when ``preload`` has modules ``lean`` lacks.
        mode: ``"zygote"`` (fork a preloaded process) or ``"cold"`` (a fresh
            interpreter per run, same isolation and limits).
        strict: refuse to start unless every protection is active.
        recycle_after: replace a zygote after this many runs.
        memory_growth: replace a zygote whose RSS grew by more than this fraction.
        uid_base: first unprivileged uid; each slot gets its own uid and gid.
        boot_timeout_s: how long a zygote may take to import ``preload``.
        disable: protections to switch off on purpose (``"namespaces"``,
            ``"cgroups"``, ``"seccomp"``, ``"uid"``), e.g. to test degraded modes.
        workdir: the run's working directory inside the jail.
        warmup: Python source each zygote runs once after ``preload`` (trusted:
            the pool owner's), so that the lazy initialisation of the
            preloaded modules is shared by every run instead of repeated in
            each (see :mod:`sandboxes.warmup`); None: ``DEFAULT_WARMUP``, ""
            none. Ignored in cold mode. A failure is reported in
            ``protections().warmup_error`` and does not stop the zygote.
        network_namespace: ``"slot"`` (default): the runs of one slot take
            turns in one empty network namespace of its own, which saves the
            ~1 ms of kernel CPU that making and tearing down one costs per run
            (nothing a run can do outlives it there: see
            ``jail.enter_slot_network``); ``"run"``: a fresh one per run.
        allocator: the zygote's Python allocator, inherited by every run it
            forks. ``"malloc"`` starts it with
            ``PYTHONMALLOC=malloc``: Python's objects then live in glibc's one
            ``brk`` heap with everything else, which the zygote backs with
            transparent huge pages after the preload (112 of its 114 MB heap
            at boot, against 44 MB under pymalloc, whose objects sit in
            256 KiB arenas), so that each run's fork and exit copies and
            frees fewer page-table entries. The zygote's own writes after
            each fork split huge pages again (see ``runner._collapse_heap``),
            and by ~100 runs 28 MB stay huge (pymalloc: 40 MB). Measured on a
            2-core VM, early in a zygote's life: a ``pass`` run's CPU 7.0 ->
            5.6 ms, the pandas snippet's 12.6 -> 12.1 ms. The cost: pure-Python
            allocation-heavy code runs slower under glibc malloc, in a forked
            run side by side with pymalloc: a dict/list/str churn loop +2 %,
            1e6 short-lived strings +13 %, a list of 300,000 tuples +20 %,
            200,000 small class instances kept alive 2.1x (the collector's
            passes over a sparser heap). ``"pymalloc"``, CPython's own, is the
            default: side by side, ``"malloc"`` gained at most a few per cent
            of executions/s, within this VM's run-to-run noise.
            Either way the zygote keeps isolated mode's semantics: it starts
            as ``python -s -P`` (no user site, no script directory on
            ``sys.path``) with an environment that is ours alone, the one
            difference to ``-I`` being that ``PYTHONMALLOC`` is read; a run's
            ``os.environ`` never contains it.
    """

    def __init__(
        self,
        *,
        slots: int | None = None,
        python: str | None = None,
        preload: tuple[str, ...] | list[str] | None = None,
        lean: tuple[str, ...] | list[str] | None = None,
        mode: Literal["zygote", "cold"] = "zygote",
        strict: bool = False,
        recycle_after: int = 10_000,
        memory_growth: float = 0.10,
        uid_base: int = 60_000,
        boot_timeout_s: float = 120.0,
        disable: tuple[str, ...] = (),
        workdir: str = "/workdir",
        allocator: Literal["malloc", "pymalloc"] = "pymalloc",
        warmup: str | None = None,
        network_namespace: Literal["slot", "run"] = "slot",
    ) -> None:
        if mode not in ("zygote", "cold"):
            raise SandboxError(f"mode must be 'zygote' or 'cold', not {mode!r}")
        if network_namespace not in ("slot", "run"):
            raise SandboxError(
                f"network_namespace must be 'slot' or 'run', not {network_namespace!r}"
            )
        if allocator not in _ALLOCATOR_ENV:
            raise SandboxError(f"allocator must be 'malloc' or 'pymalloc', not {allocator!r}")
        n = slots if slots is not None else default_slots()
        if n < 1:
            raise SandboxError(f"slots must be >= 1, not {n}")
        self._python = python or sys.executable
        self._preload = tuple(DEFAULT_PRELOAD if preload is None else preload)
        self._lean = tuple(DEFAULT_LEAN if lean is None else lean)
        if mode != "zygote" or not self._lean or set(self._preload) <= set(self._lean):
            self._lean = ()
        self._lean_modules: frozenset[str] = frozenset()
        self._mode = mode
        self._strict = strict
        self._recycle_after = recycle_after
        self._growth = memory_growth
        self._boot_timeout = boot_timeout_s
        self._disable = tuple(disable)
        self._workdir = workdir
        self._allocator = allocator
        self._warmup = DEFAULT_WARMUP if warmup is None else warmup
        self._netns = network_namespace
        self._id = f"{os.getpid()}-{next(_pool_ids)}"
        self._slots = [_Slot(i, uid_base + _next_uid_offset()) for i in range(n)]
        self._idle = SlotQueue[_Slot](n)
        self._ids = itertools.count(1)
        self._tg: anyio.abc.TaskGroup | None = None
        self._report: ProtectionReport | None = None
        self._closed = False

    _strict_hint = "run as root on Linux with cgroups, or pass strict=False"

    # -- lifecycle ---------------------------------------------------------------------
    async def aclose(self) -> None:
        """Stop every zygote (their runs are killed) and remove their cgroups."""
        if self._closed:
            return
        self._closed = True
        with anyio.CancelScope(shield=True):
            async with anyio.create_task_group() as tg:
                for slot in self._slots:
                    for z in (slot.zygote, slot.lean):
                        if z is not None:
                            tg.start_soon(z.close)
        if self._tg is not None:
            self._tg.cancel_scope.cancel()
            await self._tg.__aexit__(None, None, None)

    async def _start_zygote(self, slot: _Slot, tier: Tier = "full") -> _Zygote:
        assert self._tg is not None
        cgroup = f"{self._id}-{slot.index}" + ("-lean" if tier == "lean" else "")
        preload = self._lean if tier == "lean" else self._preload
        proc = await anyio.open_process(
            # -I minus -E: the environment is ours, and -E would ignore PYTHONMALLOC.
            [self._python, "-s", "-P", RUNNER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**_ZYGOTE_ENV, **_ALLOCATOR_ENV[self._allocator]},
        )
        z = _Zygote(proc, cgroup)
        self._tg.start_soon(z.pump_stderr)
        config = {
            "type": "config",
            "uid": slot.uid,
            "gid": slot.uid,
            "preload": list(preload) if self._mode == "zygote" else [],
            "warmup": self._warmup if self._mode == "zygote" else "",
            "network_namespace": self._netns,
            "mode": self._mode,
            "cgroup": cgroup,
            "disable": list(self._disable),
            "workdir": self._workdir,
        }
        try:
            with anyio.fail_after(self._boot_timeout):
                await z.send(protocol.encode(config))
                z.ready = await z.recv()
        except BaseException as exc:
            await z.close(0.1)
            tail = z.stderr_tail.decode(errors="replace")
            if isinstance(exc, Exception):
                raise SandboxError(f"sandbox runner failed to start: {exc!r}\n{tail}") from exc
            raise
        z.base_rss = int(z.ready.fields.get("rss", 0))
        return z

    async def _boot(self, slot: _Slot) -> None:
        async def lean() -> None:
            slot.lean = await self._start_zygote(slot, "lean")
            assert slot.lean.ready is not None
            self._lean_modules = frozenset(slot.lean.ready.fields.get("modules", ()))

        async with anyio.create_task_group() as tg:
            if self._lean:
                tg.start_soon(lean)
            full = slot.zygote = await self._start_zygote(slot)
        if self._report is None:
            assert full.ready is not None
            self._report = protection_report(full.ready.fields)

    async def _replace(self, slot: _Slot, tier: Tier) -> None:
        """Swap in a fresh zygote for ``tier``, then hand the slot back to the queue."""
        try:
            old = slot.get(tier)
            slot.set(tier, None)
            if old is not None:
                await old.close()
            if not self._closed:
                with contextlib.suppress(SandboxError):
                    slot.set(tier, await self._start_zygote(slot, tier))
        finally:
            slot.replace = False
            self._idle.put(slot)

    def _tier(self, slot: _Slot, request: ExecRequest) -> Tier:
        """Lean when the slot has a lean zygote and the run needs nothing it lacks."""
        if slot.lean is None or not lean_enough(request.code, request.language, self._lean_modules):
            return "full"
        return "lean"

    def protections(self) -> ProtectionReport:
        """Which protections are active (available once the pool is entered)."""
        if self._report is None:
            raise SandboxError("protections() is known only after `async with SandboxPool()`")
        return self._report

    def rss_bytes(self) -> int:
        """Resident memory of this pool's zygotes now, summed (their runs not included)."""
        total = 0
        page = os.sysconf("SC_PAGE_SIZE")
        for slot in self._slots:
            for z in (slot.zygote, slot.lean):
                if z is not None and z.proc.returncode is None:
                    with contextlib.suppress(OSError, ValueError, IndexError):
                        with open(f"/proc/{z.proc.pid}/statm") as fh:
                            total += int(fh.read().split()[1]) * page
        return total

    # -- running -----------------------------------------------------------------------
    async def exec(self, request: ExecRequest) -> ExecResult:
        """Run one request. Model faults are statuses; this raises only on misuse."""
        if self._tg is None or self._closed:
            raise SandboxError("use the pool inside `async with SandboxPool(...) as pool`")
        slot, queue_s = await self._idle.get()
        tier = self._tier(slot, request)
        try:
            return await self._run_on(slot, tier, request, queue_s)
        finally:
            z = slot.get(tier)
            if z is None or slot.replace or z.runs >= self._recycle_after:
                self._tg.start_soon(self._replace, slot, tier)
            else:
                self._idle.put(slot)

    async def _run_on(
        self, slot: _Slot, tier: Tier, request: ExecRequest, queue_s: float
    ) -> ExecResult:
        z = slot.get(tier)
        if z is None or z.proc.returncode is not None:  # died while idle: replace inline
            with contextlib.suppress(SandboxError):
                if z is not None:
                    await z.close(0.1)
                z = await self._start_zygote(slot, tier)
                slot.set(tier, z)
        if z is None:
            return error_result("no sandbox runner available for this slot", queue_s)
        run_id = next(self._ids)
        fields, blobs = run_frame(run_id, request)
        z.runs += 1
        try:
            await z.send(protocol.encode(fields, blobs))
            msg = await z.recv_result(run_id)
        except (EOFError, OSError, protocol.FrameError, anyio.BrokenResourceError) as exc:
            slot.replace = True
            tail = z.stderr_tail.decode(errors="replace")[-1000:]
            return error_result(f"sandbox runner died: {exc!r} {tail}".strip(), queue_s)
        except BaseException:  # cancelled: the run must not outlive its caller
            slot.replace = not await cancel_run(z.send, z.recv_result, run_id)
            raise
        slot.replace = must_replace(msg.fields, z.base_rss, self._growth)
        return to_result(msg, queue_s)
