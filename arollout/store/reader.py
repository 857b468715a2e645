"""Reading a run directory: shard format, crash repair, resume state, iteration.

A run directory holds shards ``traj-00000.msgpack``, ``traj-00001.msgpack``, ...
Each shard is::

    header  = MAGIC (8 bytes) | u32 format version | u32 flags (0)     little-endian
    record  = u32 payload length | u32 crc32(payload) | payload          little-endian
    payload = msgspec msgpack of one ``Trajectory``

The length prefix lets a reader skip a record without decoding it, and the
CRC-32 (``zlib.crc32``, the IEEE polynomial of gzip and PNG) catches torn or
flipped bytes. A crash can only damage the *tail* of a shard (records are
appended, never rewritten), so :func:`scan_run` truncates a shard back to its
last complete record. A complete frame whose checksum fails is skipped, because
its length still says where the next record starts.

Identity is ``Trajectory.key`` = ``(task_id, sample_index)``: every reader here
yields the first record of each key and counts later copies as duplicates, so a
crash between a write and the manifest update can never double an episode.
"""

from __future__ import annotations

import logging
import mmap
import os
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar, final

import msgspec

from ..errors import CorruptRecordError, StoreError
from ..records import Trajectory, decode_trajectory

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = (
    "FORMAT_VERSION",
    "MAGIC",
    "ReadReport",
    "RunState",
    "ShardState",
    "iter_decoded",
    "iter_trajectories",
    "list_shards",
    "read_run",
    "scan_run",
    "shard_name",
)

logger = logging.getLogger(__name__)

MAGIC = b"ARTRAJ\r\n"  # \r\n: text-mode mangling of a shard is detected at once
FORMAT_VERSION = 1
HEADER = struct.Struct("<8sII")
FRAME = struct.Struct("<II")
MAX_RECORD_BYTES = 1 << 30  # a longer length prefix is garbage, not a record
MANIFEST_NAME = "manifest.json"
_SHARD_RE = re.compile(r"^traj-(\d{5,})\.msgpack$")

Key = tuple[str, int]


def shard_name(index: int) -> str:
    """File name of shard ``index`` (``traj-00007.msgpack``)."""
    return f"traj-{index:05d}.msgpack"


def list_shards(run_dir: str | os.PathLike[str]) -> list[tuple[int, Path]]:
    """Shards of a run in write order, as ``(index, path)``.

    Raises:
        StoreError: the directory cannot be listed.
    """
    root = Path(run_dir)
    try:
        names = os.listdir(root)
    except OSError as exc:
        raise StoreError(f"cannot list run directory {root}: {exc.strerror}") from exc
    found = [(int(m.group(1)), root / n) for n in names if (m := _SHARD_RE.match(n))]
    return sorted(found)


@final
@dataclass
class ReadReport:
    """What a pass over a run found besides good records; filled while iterating.

    Attributes:
        records: unique records yielded.
        duplicates: later copies of an already yielded key (skipped).
        corrupt: ``(shard, offset, reason)`` of complete frames that were skipped.
        torn: ``(shard, offset, bytes)`` of incomplete tails (a crash mid-write).
    """

    records: int = 0
    duplicates: int = 0
    corrupt: list[tuple[str, int, str]] = field(default_factory=list)
    torn: list[tuple[str, int, int]] = field(default_factory=list)


class ShardState(msgspec.Struct, frozen=True, kw_only=True):
    """One shard after a scan: valid records, size after repair, bytes dropped."""

    name: str
    index: int
    records: int
    bytes: int
    corrupt: int = 0
    dropped_bytes: int = 0


class RunState(msgspec.Struct, frozen=True, kw_only=True):
    """What is already stored in a run directory; the basis of resume.

    Attributes:
        keys: ``(task_id, sample_index)`` of every stored trajectory.
        status_counts: unique records per ``EpisodeStatus`` value.
        shards: per-shard counts in write order.
        duplicates: records skipped because their key was seen earlier.
        corrupt_records: complete frames whose checksum or payload was bad.
        dropped_bytes: bytes removed (or, without repair, ignored) at torn tails.
        next_shard_index: index a new writer session starts from.
    """

    keys: frozenset[Key]
    status_counts: dict[str, int]
    shards: list[ShardState]
    duplicates: int = 0
    corrupt_records: int = 0
    dropped_bytes: int = 0
    next_shard_index: int = 0

    @property
    def records(self) -> int:
        return len(self.keys)


class _Keyed(Protocol):
    @property
    def task_id(self) -> str: ...
    @property
    def sample_index(self) -> int: ...


T = TypeVar("T", bound=_Keyed)


class _KeyView(msgspec.Struct, gc=False):
    """Decodes only the identity and status; msgspec skips the token lists."""

    task_id: str
    status: str
    sample_index: int = 0


_KEY_DECODER = msgspec.msgpack.Decoder(_KeyView)


def _check_header(path: Path, buf: bytes | mmap.mmap) -> None:
    magic, version, _flags = HEADER.unpack_from(buf, 0)
    if magic != MAGIC:
        raise StoreError(f"{path} is not an arollout trajectory shard (bad magic {magic!r})")
    if version > FORMAT_VERSION:
        raise StoreError(
            f"{path} has format version {version}, newer than this arollout reads "
            f"({FORMAT_VERSION}); upgrade arollout to read it"
        )


def _walk(
    path: Path, buf: mmap.mmap, report: ReadReport, strict: bool
) -> Iterator[tuple[int, memoryview]]:
    """Yield ``(offset, payload)`` of each frame whose checksum holds.

    Stops at a torn tail (recorded in ``report.torn``). A zero length counts as
    torn too: a crash can leave a zero-filled tail, and crc32(b"") is 0.
    """
    size = len(buf)
    _check_header(path, buf)
    view = memoryview(buf)
    try:
        pos = HEADER.size
        while pos < size:
            if pos + FRAME.size > size:
                break
            length, crc = FRAME.unpack_from(buf, pos)
            end = pos + FRAME.size + length
            if length == 0 or length > MAX_RECORD_BYTES or end > size:
                break
            # Released on resumption, so the mapping can close: consumers must
            # copy (decode) a payload before asking for the next one.
            with view[pos + FRAME.size : end] as payload:
                if zlib.crc32(payload) != crc:
                    reason = "checksum mismatch"
                    if strict:
                        raise CorruptRecordError(f"{path} at offset {pos}: {reason}")
                    report.corrupt.append((path.name, pos, reason))
                    logger.warning("skipping corrupt record in %s at offset %d", path, pos)
                else:
                    yield pos, payload
            pos = end
        if pos < size:
            if strict:
                raise CorruptRecordError(f"{path} at offset {pos}: torn record at the end")
            report.torn.append((path.name, pos, size - pos))
    finally:
        view.release()


def _open_map(path: Path) -> mmap.mmap | None:
    """Map a shard read-only; ``None`` when it is shorter than a header."""
    try:
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size < HEADER.size:
                return None
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from exc


def iter_decoded(
    run_dir: str | os.PathLike[str],
    decode: Callable[[memoryview], T],
    *,
    strict: bool = False,
    report: ReadReport | None = None,
) -> Iterator[T]:
    """Decode each unique record of a run with ``decode``, in write order.

    ``decode`` may target a partial Struct (only the fields a caller needs),
    which skips the token lists and is several times faster than a full decode.

    Args:
        run_dir: the run directory.
        decode: bytes -> object with ``task_id`` and ``sample_index``.
        strict: raise :class:`CorruptRecordError` on the first bad or torn
            record instead of skipping and reporting it.
        report: filled with counts of duplicates, corrupt and torn records.
    """
    rep = report if report is not None else ReadReport()
    seen: set[Key] = set()
    for _, path in list_shards(run_dir):
        buf = _open_map(path)
        if buf is None:
            if strict:
                raise CorruptRecordError(f"{path}: shorter than a shard header")
            rep.torn.append((path.name, 0, path.stat().st_size))
            continue
        try:
            for pos, payload in _walk(path, buf, rep, strict):
                try:
                    item = decode(payload)
                except msgspec.DecodeError as exc:
                    if strict:
                        raise CorruptRecordError(f"{path} at offset {pos}: {exc}") from exc
                    rep.corrupt.append((path.name, pos, str(exc)))
                    continue
                key = (item.task_id, item.sample_index)
                if key in seen:
                    rep.duplicates += 1
                    continue
                seen.add(key)
                rep.records += 1
                yield item
        finally:
            buf.close()


def iter_trajectories(
    run_dir: str | os.PathLike[str], *, strict: bool = False, report: ReadReport | None = None
) -> Iterator[Trajectory]:
    """Every stored trajectory once, in write order (see :func:`iter_decoded`)."""
    return iter_decoded(run_dir, decode_trajectory, strict=strict, report=report)


def read_run(run_dir: str | os.PathLike[str], *, strict: bool = False) -> list[Trajectory]:
    """All trajectories of a run in memory; use :func:`iter_trajectories` for big runs."""
    return list(iter_trajectories(run_dir, strict=strict))


def scan_run(run_dir: str | os.PathLike[str], *, repair: bool = True) -> RunState:
    """Read every shard and return what is stored, repairing torn tails.

    With ``repair`` a torn tail is truncated away (``os.truncate``) and a shard
    too short to hold its header is deleted, so the next writer session starts
    from clean files; without it the damage is only counted. Records are never
    rewritten: the repair only removes bytes after the last good record.

    Raises:
        StoreError: a file is not a shard, or the directory cannot be read or
            repaired.
    """
    keys: set[Key] = set()
    counts: dict[str, int] = {}
    shards: list[ShardState] = []
    duplicates = corrupt = dropped = 0
    next_index = 0
    for index, path in list_shards(run_dir):
        next_index = index + 1
        rep = ReadReport()
        buf = _open_map(path)
        if buf is None:
            size = path.stat().st_size
            dropped += size
            if repair:
                _remove(path)
            continue
        records = 0
        try:
            for pos, payload in _walk(path, buf, rep, strict=False):
                try:
                    view = _KEY_DECODER.decode(payload)
                except msgspec.DecodeError as exc:
                    rep.corrupt.append((path.name, pos, str(exc)))
                    continue
                records += 1
                key = (view.task_id, view.sample_index)
                if key in keys:
                    duplicates += 1
                    continue
                keys.add(key)
                counts[view.status] = counts.get(view.status, 0) + 1
            size = len(buf)
        finally:
            buf.close()
        torn = sum(n for _, _, n in rep.torn)
        if torn:
            end = rep.torn[0][1]
            logger.warning("%s: torn tail of %d bytes at offset %d", path, torn, end)
            if repair:
                _truncate(path, end)
        dropped += torn
        corrupt += len(rep.corrupt)
        shards.append(
            ShardState(
                name=path.name,
                index=index,
                records=records,
                bytes=size - torn if repair else size,
                corrupt=len(rep.corrupt),
                dropped_bytes=torn,
            )
        )
    return RunState(
        keys=frozenset(keys),
        status_counts=counts,
        shards=shards,
        duplicates=duplicates,
        corrupt_records=corrupt,
        dropped_bytes=dropped,
        next_shard_index=next_index,
    )


def _truncate(path: Path, size: int) -> None:
    try:
        os.truncate(path, size)
    except OSError as exc:
        raise StoreError(f"cannot repair {path} (truncate to {size}): {exc.strerror}") from exc


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError as exc:
        raise StoreError(f"cannot remove the empty shard {path}: {exc.strerror}") from exc
