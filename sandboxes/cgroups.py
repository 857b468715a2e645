"""Per-slot control groups under cgroup v1 or v2 (stdlib only).

Each sandbox slot owns one cgroup (memory, pids and, on v1, freezer) that the
run's init process joins before anything untrusted starts. Runs on one slot are
sequential, so the slot cgroup acts as the run's cgroup: limits are written and
peak/OOM counters reset at the start of every run, and after the run a
kill-all sweep proves nothing is left.

Why both versions: the reference machines run a v1 hybrid (memory, pids,
freezer v1; the v2 mount has no controllers), while current distributions
are v2-only. :func:`detect` picks whichever has the memory and pids
controllers usable; when neither does, the caller runs without cgroups and
reports the protection as off.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

__all__ = ("Cgroup", "detect")

_V1_ROOT = "/sys/fs/cgroup"
_GROUP = "arollout"


def _v2_mount() -> str | None:
    try:
        with open("/proc/self/mounts") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) > 2 and parts[2] == "cgroup2":
                    return parts[1]
    except OSError:
        return None
    return None


def detect() -> tuple[int, str]:
    """Return ``(version, root)``: 1 or 2 with its mount root, or ``(0, "")``."""
    if all(
        os.path.exists(os.path.join(_V1_ROOT, ctrl, "cgroup.procs")) for ctrl in ("memory", "pids")
    ):
        return 1, _V1_ROOT
    root = _v2_mount()
    if root:
        try:
            with open(os.path.join(root, "cgroup.controllers")) as fh:
                ctrls = fh.read().split()
        except OSError:
            ctrls = []
        if "memory" in ctrls and "pids" in ctrls:
            return 2, root
    return 0, ""


def _write(path: str, value: str) -> None:
    with open(path, "w") as fh:
        fh.write(value)


def _read(path: str) -> str:
    with open(path) as fh:
        return fh.read()


class Cgroup:
    """One slot's cgroup; every method is a handful of small file operations."""

    def __init__(self, name: str, version: int, root: str) -> None:
        self.name = name
        self.version = version
        self._limits: tuple[int, int] | None = None  # what set_limits last wrote
        if version == 1:
            ctrls = ["memory", "pids"]
            if os.path.isdir(os.path.join(root, "freezer")):
                ctrls.append("freezer")
            self.dirs = {c: os.path.join(root, c, _GROUP, name) for c in ctrls}
        elif version == 2:
            self.dirs = {"unified": os.path.join(root, _GROUP, name)}
        else:
            raise ValueError(f"unknown cgroup version {version}")

    def _file(self, ctrl: str, name: str) -> str:
        return os.path.join(self.dirs["unified" if self.version == 2 else ctrl], name)

    def create(self) -> None:
        """Create the directories (and enable v2 controllers on the way down)."""
        if self.version == 2:
            base = os.path.dirname(self.dirs["unified"])
            os.makedirs(base, exist_ok=True)
            for level in (os.path.dirname(base), base):
                with contextlib.suppress(OSError):
                    _write(os.path.join(level, "cgroup.subtree_control"), "+memory +pids")
        for path in self.dirs.values():
            os.makedirs(path, exist_ok=True)
        if self.version == 1:
            with contextlib.suppress(OSError):
                _write(self._file("memory", "memory.swappiness"), "0")

    def attach_self(self) -> None:
        """Move the calling process into every controller of this cgroup."""
        for path in self.dirs.values():
            _write(os.path.join(path, "cgroup.procs"), str(os.getpid()))

    def set_limits(self, memory_bytes: int, pids: int) -> None:
        """Memory (= memory+swap) and pids limits for the next run.

        Skipped when they equal the last run's (the usual case): only this
        process writes them, and each write costs a cgroup-v1 resize attempt.
        """
        if self._limits == (memory_bytes, pids):
            return
        self._limits = None  # until every write below has succeeded
        self._write_limits(memory_bytes, pids)
        self._limits = (memory_bytes, pids)

    def _write_limits(self, memory_bytes: int, pids: int) -> None:
        if self.version == 2:
            _write(self._file("memory", "memory.max"), str(memory_bytes))
            with contextlib.suppress(OSError):
                _write(self._file("memory", "memory.swap.max"), "0")
            _write(self._file("pids", "pids.max"), str(pids))
            return
        mem = self._file("memory", "memory.limit_in_bytes")
        memsw = self._file("memory", "memory.memsw.limit_in_bytes")
        has_memsw = os.path.exists(memsw)
        # memsw must stay >= memory: raise memsw first when growing, last when shrinking.
        try:
            _write(mem, str(memory_bytes))
            if has_memsw:
                _write(memsw, str(memory_bytes))
        except OSError:
            if has_memsw:
                _write(memsw, str(memory_bytes))
            _write(mem, str(memory_bytes))
        _write(self._file("pids", "pids.max"), str(pids))

    def reset_peak(self) -> None:
        """Zero the peak-usage counter so the next reading is this run's."""
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        with contextlib.suppress(OSError):
            _write(self._file("memory", name), "0")

    def peak(self) -> int:
        """Peak memory (bytes) since the last reset; 0 when unknown."""
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int(_read(self._file("memory", name)).split()[0])
        except (OSError, ValueError, IndexError):
            return 0

    def oom_kills(self) -> int:
        """Cumulative OOM kills in this cgroup (``oom_kill`` of oom_control/events)."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            for line in _read(self._file("memory", name)).splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def procs(self) -> list[int]:
        """Pids currently in the cgroup."""
        try:
            return [int(p) for p in _read(self._file("pids", "cgroup.procs")).split()]
        except OSError:
            return []

    def kill_all(self, timeout_s: float = 1.0) -> int:
        """SIGKILL everything in the cgroup; returns how many processes were found.

        v2 uses ``cgroup.kill``; v1 freezes first (when the freezer exists) so a
        fork bomb cannot outrun the sweep, kills, then thaws.
        """
        found = self.procs()
        if not found:
            return 0
        deadline = time.monotonic() + timeout_s
        if self.version == 2:
            with contextlib.suppress(OSError):
                _write(self._file("pids", "cgroup.kill"), "1")
        frozen = False
        if self.version == 1 and "freezer" in self.dirs:
            with contextlib.suppress(OSError):
                _write(self._file("freezer", "freezer.state"), "FROZEN")
                frozen = True
        seen = set(found)
        while True:
            pids = self.procs()
            if not pids or time.monotonic() > deadline:
                break
            seen.update(pids)
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            if frozen:
                with contextlib.suppress(OSError):
                    _write(self._file("freezer", "freezer.state"), "THAWED")
                    frozen = False
            time.sleep(0.001)
        if frozen:
            with contextlib.suppress(OSError):
                _write(self._file("freezer", "freezer.state"), "THAWED")
        return len(seen)

    def remove(self) -> None:
        """Kill what is left and remove the directories (and the shared parent if empty)."""
        self.kill_all()
        for path in self.dirs.values():
            for _ in range(50):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.002)
            with contextlib.suppress(OSError):
                os.rmdir(os.path.dirname(path))
