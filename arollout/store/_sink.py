"""The worker-thread half of the writer: framing, shard rotation, manifest, lock.

Everything here but the chunks (:class:`Chunk`, :class:`ChunkPool`: filled
and recycled on the loop, read by the thread only while the loop leaves them
alone) is synchronous and runs in the writer's single worker thread
(``anyio.to_thread`` with a capacity limiter of one), so it needs no locks of
its own. ``writev(2)`` releases the GIL, so the event loop
keeps running while a batch is written; the thread's other work is a few list
operations per chunk.

Records reach the thread framed and packed back to back in :class:`Chunk`
buffers that the writer reuses from batch to batch. A fresh ``bytes`` per
record (about 50 KB) was freed only after its batch was written, a few MB at a
time, so glibc returned that memory to the kernel and every new record
page-faulted it back in: 13 faults per record, a third of the loop's time per
record in ``bench/store.py``. Copying each payload into a buffer that stays
mapped costs a ``memcpy`` and lets the encoder's output be freed (and reused,
cache-hot) at once.

Write-behind: when shards are synced (``fsync`` other than ``"never"``),
every :data:`WRITE_BEHIND_BYTES` written the thread asks the kernel to start
writing that range back (``posix_fadvise(DONTNEED)``, which also lets it drop
those pages from the cache once they are clean). Without it a whole 256 MB
shard was still dirty at its closing ``fsync``, which held the thread for
about 0.1 s while the loop filled the buffer and stalled; with it the
closing ``fsync`` only waits for the last few MB. The sync policy itself is
unchanged.
"""

from __future__ import annotations

import binascii
import bisect
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

__all__ = (
    "CHUNK_BYTES",
    "LOCK_NAME",
    "WRITE_BEHIND_BYTES",
    "Chunk",
    "ChunkPool",
    "Manifest",
    "ShardSink",
    "open_run",
)

LOCK_NAME = "writer.lock"
#: Capacity of a reusable chunk; a record larger than this gets a chunk of its own.
CHUNK_BYTES = 1 << 20
#: Bytes written to a shard between two write-behind hints (module docstring).
WRITE_BEHIND_BYTES = 32 << 20
_FADV_DONTNEED = getattr(os, "POSIX_FADV_DONTNEED", None)
_IOV_MAX = min(os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 1024, 1024)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@final
class Chunk:
    """Framed records (``reader.FRAME`` + payload) packed back to back in one buffer.

    Filled on the loop (or in the thread, when encoding there), then written
    by the thread as one or a few slices; :class:`ChunkPool` hands the same
    buffers out again once they are written (see the module docstring).
    ``ends[i]`` is where record ``i`` ends, so a shard can be cut between records.
    """

    __slots__ = ("buf", "ends", "pooled", "size", "statuses")

    def __init__(self, capacity: int, *, pooled: bool = False) -> None:
        self.buf = bytearray(capacity)
        self.pooled = pooled
        self.size = 0
        self.ends: list[int] = []
        self.statuses: list[str] = []

    def add(self, payload: bytes, status: str) -> bool:
        """Frame and copy one payload in; ``False`` (nothing written) when it does not fit.

        ``binascii.crc32`` (same CRC-32 as ``zlib.crc32``) keeps the GIL, where
        ``zlib.crc32`` drops and retakes it for every buffer over 5 KiB: on a
        busy loop each retake can wait a whole switch interval, which made the
        worker thread several times slower in ``bench/store.py``.
        """
        start = self.size
        end = start + FRAME.size + len(payload)
        if end > len(self.buf):
            return False
        FRAME.pack_into(self.buf, start, len(payload), binascii.crc32(payload))
        self.buf[start + FRAME.size : end] = payload  # same length: never resizes
        self.size = end
        self.ends.append(end)
        self.statuses.append(status)
        return True

    def reset(self) -> None:
        self.size = 0
        self.ends.clear()
        self.statuses.clear()


@final
class ChunkPool:
    """Chunks of ``capacity`` bytes, reused once written; ``keep`` idle ones at most.

    A record that does not fit an empty chunk gets one of its own size, used once.
    """

    def __init__(self, capacity: int = CHUNK_BYTES, *, keep: int = 16) -> None:
        self.capacity = capacity
        self.keep = keep
        self.allocated = 0  # pooled chunks created so far
        self._free: list[Chunk] = []

    def chunk_with(self, payload: bytes, status: str) -> Chunk:
        """A chunk (reused when one is idle) that holds ``payload`` as its first record."""
        if FRAME.size + len(payload) > self.capacity:
            chunk = Chunk(FRAME.size + len(payload))
        elif self._free:
            chunk = self._free.pop()
        else:
            chunk = Chunk(self.capacity, pooled=True)
            self.allocated += 1
        chunk.add(payload, status)
        return chunk

    def release(self, parts: list[Chunk | Trajectory]) -> None:
        """Take back the chunks of a written batch (the thread no longer reads them)."""
        free = self._free
        for part in parts:
            if type(part) is Chunk and part.pooled and len(free) < self.keep:
                part.reset()
                free.append(part)

    @property
    def idle(self) -> int:
        return len(self._free)


def _writev_all(fd: int, bufs: list[bytes] | list[memoryview]) -> None:
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

    def __init__(
        self,
        root: Path,
        *,
        next_index: int,
        shard_max_bytes: int,
        fsync: FsyncPolicy,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
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
        self._iov: list[memoryview] = []
        self._iov_statuses: list[str] = []
        self._iov_bytes = 0
        self._written_back = 0  # shard offset up to which write-back was requested
        # encode_in_thread: records are framed into one scratch chunk, written
        # whenever it is full (its pool only serves records too big for it).
        self._scratch_pool = ChunkPool(chunk_bytes, keep=0)
        self._scratch = Chunk(chunk_bytes)

    def write_batch(self, parts: list[Chunk | Trajectory], manifest: Manifest) -> None:
        """Append a batch in order; one ``writev`` per shard touched (and per
        :data:`CHUNK_BYTES` of records encoded here)."""
        start = time.perf_counter()
        scratch = self._scratch
        try:
            for part in parts:
                if isinstance(part, Chunk):
                    if scratch.ends:
                        self._queue_scratch(manifest)
                    self._queue(part, manifest)
                    continue
                payload = encode_trajectory(part)  # encode_in_thread
                status = part.status.value
                if scratch.add(payload, status):
                    continue
                if scratch.ends:
                    self._queue_scratch(manifest)
                    if scratch.add(payload, status):
                        continue
                self._queue(self._scratch_pool.chunk_with(payload, status), manifest)
            if scratch.ends:
                self._queue_scratch(manifest)
            self._flush()
            if self.fsync == "batch":
                os.fsync(self.fd)
        except OSError as exc:
            raise StoreError(
                f"cannot write {self.path}: {exc.strerror} (errno {exc.errno})"
            ) from exc
        finally:
            self._iov.clear()
            self._iov_statuses.clear()
            self._iov_bytes = 0
            scratch.reset()
            self.batches += 1
            self.write_s += time.perf_counter() - start

    def _queue_scratch(self, manifest: Manifest) -> None:
        # The scratch chunk is refilled next, so what it holds is written now.
        self._queue(self._scratch, manifest)
        self._flush()
        self._scratch.reset()

    def _queue(self, chunk: Chunk, manifest: Manifest) -> None:
        """Queue a chunk's records for the next ``writev``, rotating shards by size.

        A record goes into the current shard when it fits or when the shard
        holds no record yet (a record larger than a shard gets one alone).
        """
        ends, statuses = chunk.ends, chunk.statuses
        first, pos, n = 0, 0, len(ends)
        while first < n:
            if self.fd < 0:
                self._rotate(manifest)
            room = self.shard_max_bytes - self.size - self._iov_bytes
            if ends[-1] - pos <= room:
                last = n
            else:
                last = bisect.bisect_right(ends, pos + room, first)
                if last == first:
                    if self.records + len(self._iov_statuses) > 0:
                        self._flush()
                        self._rotate(manifest)
                        continue
                    last = first + 1
            end = ends[last - 1]
            self._iov.append(memoryview(chunk.buf)[pos:end])
            self._iov_bytes += end - pos
            self._iov_statuses += statuses[first:last]
            first, pos = last, end

    def _flush(self) -> None:
        """Write the queued slices and account for their records."""
        iov = self._iov
        if not iov:
            return
        try:
            _writev_all(self.fd, iov)
        finally:
            for view in iov:
                view.release()  # the chunk goes back to the loop for reuse
            iov.clear()
        nbytes, statuses = self._iov_bytes, self._iov_statuses
        self.size += nbytes
        self.records += len(statuses)
        self.session_records += len(statuses)
        self.session_bytes += nbytes
        counts = self.status_counts
        for status in statuses:
            counts[status] = counts.get(status, 0) + 1
        doc = self.shard_docs[-1]
        doc["records"], doc["bytes"] = self.records, self.size
        self._iov_bytes = 0
        statuses.clear()
        if self.size - self._written_back >= WRITE_BEHIND_BYTES and self.fsync != "never":
            self._write_behind()

    def _write_behind(self) -> None:
        start, self._written_back = self._written_back, self.size
        if _FADV_DONTNEED is None:
            return
        try:
            os.posix_fadvise(self.fd, start, self.size - start, _FADV_DONTNEED)
        except OSError:
            pass  # a hint: file systems that refuse it are synced at close all the same

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
        self._written_back = 0
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
