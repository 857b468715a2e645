"""The worker-thread half of the writer: framing, shard rotation, manifest, lock.

Everything here is synchronous and runs in the writer's single worker thread
(``anyio.to_thread`` with a capacity limiter of one), so it needs no locks of
its own. ``writev(2)`` releases the GIL, so the event loop keeps running while
a batch is written; the thread's other work is a few list operations per record.
"""

from __future__ import annotations

import binascii
import fcntl
import os
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, final

import orjson

from ..errors import StoreError
from ..records import SCHEMA_VERSION, Trajectory, encode_trajectory
from .reader import (
    FORMAT_VERSION,
    FRAME,
    HEADER,
    MAGIC,
    MANIFEST_NAME,
    RunState,
    scan_run,
    shard_name,
)

if TYPE_CHECKING:
    from pathlib import Path

    from .writer import FsyncPolicy

__all__ = ("LOCK_NAME", "Manifest", "PendingRecord", "ShardSink", "frame_header", "open_run")

LOCK_NAME = "writer.lock"

# (frame header, payload, status, buffer size); header and payload are computed
# on the loop, or left as (b"", trajectory) to be encoded in the worker thread.
PendingRecord = tuple[bytes, "bytes | Trajectory", str, int]
_IOV_MAX = min(os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 1024, 1024)


def frame_header(payload: bytes) -> bytes:
    """``u32 length | u32 crc32`` of one payload.

    ``binascii.crc32`` (same CRC-32 as ``zlib.crc32``) keeps the GIL, where
    ``zlib.crc32`` drops and retakes it for every buffer over 5 KiB: on a busy
    loop each retake can wait a whole switch interval, which made the worker
    thread several times slower in ``bench/store.py``.
    """
    return FRAME.pack(len(payload), binascii.crc32(payload))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _writev_all(fd: int, bufs: list[bytes]) -> None:
    """Write every buffer, in chunks of at most IOV_MAX, finishing short writes."""
    for start in range(0, len(bufs), _IOV_MAX):
        chunk = bufs[start : start + _IOV_MAX]
        want = sum(len(b) for b in chunk)
        done = os.writev(fd, chunk)
        if done < want:
            rest = memoryview(b"".join(chunk))[done:]
            while rest:
                rest = rest[os.write(fd, rest) :]


@final
class Manifest:
    """``manifest.json``: what the run holds, rewritten atomically (temp + rename)."""

    def __init__(
        self, root: Path, *, run_id: str, meta: dict[str, Any], old: dict[str, Any], state: RunState
    ) -> None:
        self.path = root / MANIFEST_NAME
        self.run_id = run_id
        self.meta = {**old.get("meta", {}), **meta}
        self.created_at = old.get("created_at") or _now()
        self.base_shards = [
            {"name": s.name, "records": s.records, "bytes": s.bytes} for s in state.shards
        ]
        self.base_counts = dict(state.status_counts)
        self.base_records = state.records
        self.repairs = {
            "dropped_bytes": state.dropped_bytes,
            "corrupt_records": state.corrupt_records,
            "duplicates": state.duplicates,
        }
        self.sessions: list[dict[str, Any]] = list(old.get("sessions", []))
        self.session: dict[str, Any] = {"opened_at": _now(), "closed_at": None, "records": 0}
        self.sessions.append(self.session)

    def document(self, sink: ShardSink, *, complete: bool) -> dict[str, Any]:
        counts = dict(self.base_counts)
        for status, n in sink.status_counts.items():
            counts[status] = counts.get(status, 0) + n
        self.session["records"] = sink.session_records
        return {
            "format": "arollout.trajectories",
            "format_version": FORMAT_VERSION,
            "schema_version": SCHEMA_VERSION,
            "run_id": self.run_id,
            "created_at": self.created_at,
            "updated_at": _now(),
            "complete": complete,
            "records": self.base_records + sink.session_records,
            "status_counts": dict(sorted(counts.items())),
            "shards": self.base_shards + [dict(s) for s in sink.shard_docs],
            "repairs": self.repairs,
            "sessions": self.sessions,
            "meta": self.meta,
        }

    def write(self, sink: ShardSink, *, complete: bool, durable: bool) -> None:
        data = orjson.dumps(self.document(sink, complete=complete), option=orjson.OPT_INDENT_2)
        tmp = self.path.with_name(f".{MANIFEST_NAME}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
            try:
                _writev_all(fd, [data, b"\n"])
                if durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
            if durable:
                dir_fd = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
        except OSError as exc:
            raise StoreError(
                f"cannot write {self.path}: {exc.strerror} (errno {exc.errno})"
            ) from exc


@final
class ShardSink:
    """Appends framed records to the current shard and rotates by size."""

    def __init__(self, root: Path, *, next_index: int, shard_max_bytes: int, fsync: FsyncPolicy):
        self.root = root
        self.next_index = next_index
        self.shard_max_bytes = shard_max_bytes
        self.fsync = fsync
        self.fd = -1
        self.path = root / shard_name(next_index)
        self.size = 0
        self.records = 0
        self.shard_docs: list[dict[str, Any]] = []
        self.status_counts: dict[str, int] = {}
        self.session_records = 0
        self.session_bytes = 0
        self.session_shards = 0
        self.batches = 0
        self.write_s = 0.0

    def write_batch(self, batch: list[PendingRecord], manifest: Manifest) -> None:
        """Frame, checksum and append a batch; one ``writev`` per shard touched."""
        start = time.perf_counter()
        iov: list[bytes] = []
        statuses: list[str] = []
        iov_bytes = 0
        try:
            for header, item, status, _ in batch:
                if isinstance(item, bytes):
                    payload = item
                else:
                    payload = encode_trajectory(item)
                    header = frame_header(payload)
                frame = FRAME.size + len(payload)
                full = (
                    self.records + len(statuses) > 0
                    and self.size + iov_bytes + frame > self.shard_max_bytes
                )
                if self.fd < 0 or full:
                    self._append(iov, iov_bytes, statuses)
                    iov, statuses, iov_bytes = [], [], 0
                    self._rotate(manifest)
                iov.append(header)
                iov.append(payload)
                iov_bytes += frame
                statuses.append(status)
            self._append(iov, iov_bytes, statuses)
            if self.fsync == "batch":
                os.fsync(self.fd)
        except OSError as exc:
            raise StoreError(
                f"cannot write {self.path}: {exc.strerror} (errno {exc.errno})"
            ) from exc
        finally:
            self.batches += 1
            self.write_s += time.perf_counter() - start

    def _append(self, iov: list[bytes], nbytes: int, statuses: list[str]) -> None:
        if not iov:
            return
        _writev_all(self.fd, iov)
        self.size += nbytes
        self.records += len(statuses)
        self.session_records += len(statuses)
        self.session_bytes += nbytes
        for status in statuses:
            self.status_counts[status] = self.status_counts.get(status, 0) + 1
        doc = self.shard_docs[-1]
        doc["records"], doc["bytes"] = self.records, self.size

    def _rotate(self, manifest: Manifest) -> None:
        if self.fd >= 0:
            self._close_shard()
            manifest.write(self, complete=False, durable=self.fsync != "never")
        self.path = self.root / shard_name(self.next_index)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC
        self.fd = os.open(self.path, flags, 0o644)  # O_EXCL: never reuse an old shard
        self.next_index += 1
        header = HEADER.pack(MAGIC, FORMAT_VERSION, 0)
        _writev_all(self.fd, [header])
        self.size, self.records = len(header), 0
        self.session_bytes += len(header)
        self.session_shards += 1
        self.shard_docs.append({"name": self.path.name, "records": 0, "bytes": self.size})

    def _close_shard(self) -> None:
        fd, self.fd = self.fd, -1
        try:
            if self.fsync != "never":
                os.fsync(fd)
        finally:
            os.close(fd)

    def close(self, manifest: Manifest, *, complete: bool) -> None:
        """Sync and close the current shard, then write the final manifest."""
        try:
            if self.fd >= 0:
                self._close_shard()
        except OSError as exc:
            raise StoreError(
                f"cannot sync {self.path}: {exc.strerror} (errno {exc.errno})"
            ) from exc
        manifest.session["closed_at"] = _now()
        manifest.write(self, complete=complete, durable=self.fsync != "never")


def _lock(root: Path) -> int:
    path = root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StoreError(
            f"{root} is being written by another writer (it holds {path}); "
            "close it first or use another run directory"
        ) from None
    return fd


def _read_old_manifest(root: Path) -> dict[str, Any]:
    try:
        data = (root / MANIFEST_NAME).read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise StoreError(f"cannot read {root / MANIFEST_NAME}: {exc.strerror}") from exc
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return {}  # a manifest is derived data: the shards are the truth
    return doc if isinstance(doc, dict) else {}


def open_run(
    root: Path, *, run_id: str, meta: dict[str, Any], shard_max_bytes: int, fsync: FsyncPolicy
) -> tuple[RunState, ShardSink, Manifest, int]:
    """Create or resume a run directory: lock it, repair it, write a manifest.

    Returns the scanned state, a sink that starts a *new* shard at the first
    write, the manifest, and the lock descriptor (closing it unlocks).
    """
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock_fd = _lock(root)
    except OSError as exc:
        raise StoreError(f"cannot create run directory {root}: {exc.strerror}") from exc
    try:
        state = scan_run(root, repair=True)
        old = _read_old_manifest(root)
        if old.get("run_id") not in (None, run_id):
            raise StoreError(
                f"{root} holds run {old['run_id']!r}, not {run_id!r}; "
                "pass the same run id to resume it, or use a new directory"
            )
        manifest = Manifest(root, run_id=run_id, meta=meta, old=old, state=state)
        sink = ShardSink(
            root, next_index=state.next_shard_index, shard_max_bytes=shard_max_bytes, fsync=fsync
        )
        manifest.write(sink, complete=False, durable=fsync != "never")
    except BaseException:
        os.close(lock_fd)
        raise
    return state, sink, manifest, lock_fd
