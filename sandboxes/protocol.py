"""Framed messages between the host and a runner (stdlib only).

The runner runs inside containers too (``python -I runner.py``), so this module
may import nothing outside the standard library. A frame is::

    u32 header_len | u32 body_len | header (UTF-8 JSON) | body (raw bytes)

The JSON header is ``{"m": {...}, "b": [[name, length], ...]}``: ``m`` holds the
message fields (JSON values only) and ``b`` names the binary blobs that follow
in ``body`` in order. Blobs carry code output, stdin and files unchanged, so no
base64 inflation sits on the hot path (stdout may be 1 MiB per run).

Decoding is sans-I/O (:class:`FrameDecoder`), so the async host and the
blocking runner share one parser; :func:`read_frame` and :func:`write_frame`
are the blocking helpers the runner uses on raw file descriptors.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

__all__ = (
    "MAX_FRAME",
    "FrameDecoder",
    "FrameError",
    "Message",
    "decode",
    "encode",
    "read_frame",
    "write_frame",
)

#: Refuse frames above this size: a corrupt length must not make a peer allocate GiBs.
MAX_FRAME = 1 << 30

_HEAD = struct.Struct(">II")


class FrameError(Exception):
    """A frame is malformed, too large, or the stream ended inside one."""


class Message:
    """One decoded frame: JSON fields plus named binary blobs."""

    __slots__ = ("blobs", "fields")

    def __init__(self, fields: dict[str, Any], blobs: dict[str, bytes] | None = None) -> None:
        self.fields = fields
        self.blobs = blobs if blobs is not None else {}

    @property
    def kind(self) -> str:
        """The message type (``"run"``, ``"result"``, ``"ready"``, ...)."""
        return str(self.fields.get("type", ""))

    def __repr__(self) -> str:
        sizes = {k: len(v) for k, v in self.blobs.items()}
        return f"Message({self.fields!r}, blobs={sizes!r})"


def encode(fields: dict[str, Any], blobs: dict[str, bytes] | None = None) -> bytes:
    """Serialize one message into a frame."""
    blobs = blobs or {}
    header = json.dumps(
        {"m": fields, "b": [[name, len(data)] for name, data in blobs.items()]},
        separators=(",", ":"),
    ).encode()
    body_len = sum(len(v) for v in blobs.values())
    if len(header) + body_len > MAX_FRAME:
        raise FrameError(f"frame of {len(header) + body_len} bytes exceeds {MAX_FRAME}")
    return b"".join([_HEAD.pack(len(header), body_len), header, *blobs.values()])


def decode(header: bytes, body: bytes) -> Message:
    """Parse the header and body of one frame (lengths already split off)."""
    try:
        obj = json.loads(header)
        fields, layout = obj["m"], obj["b"]
    except (ValueError, KeyError, TypeError) as exc:
        raise FrameError(f"bad frame header: {exc}") from exc
    if not isinstance(fields, dict) or not isinstance(layout, list):
        raise FrameError("bad frame header: wrong types")
    blobs: dict[str, bytes] = {}
    offset = 0
    for name, length in layout:
        blobs[str(name)] = body[offset : offset + int(length)]
        offset += int(length)
    if offset != len(body):
        raise FrameError(f"frame body is {len(body)} bytes, header describes {offset}")
    return Message(fields, blobs)


class FrameDecoder:
    """Incremental decoder: feed bytes as they arrive, take complete messages out."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Message]:
        """Append ``data`` and return every message it completes."""
        self._buf += data
        out: list[Message] = []
        while len(self._buf) >= _HEAD.size:
            hlen, blen = _HEAD.unpack_from(self._buf)
            if hlen + blen > MAX_FRAME:
                raise FrameError(f"frame of {hlen + blen} bytes exceeds {MAX_FRAME}")
            end = _HEAD.size + hlen + blen
            if len(self._buf) < end:
                break
            header = bytes(self._buf[_HEAD.size : _HEAD.size + hlen])
            body = bytes(self._buf[_HEAD.size + hlen : end])
            del self._buf[:end]
            out.append(decode(header, body))
        return out

    @property
    def pending(self) -> int:
        """Bytes buffered that do not yet form a complete frame."""
        return len(self._buf)


def _read_exactly(fd: int, n: int) -> bytes:
    chunks: list[bytes] = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError("stream closed inside a frame")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> Message | None:
    """Read one frame from a blocking fd; ``None`` on a clean EOF between frames."""
    first = os.read(fd, _HEAD.size)
    if not first:
        return None
    if len(first) < _HEAD.size:
        first += _read_exactly(fd, _HEAD.size - len(first))
    hlen, blen = _HEAD.unpack(first)
    if hlen + blen > MAX_FRAME:
        raise FrameError(f"frame of {hlen + blen} bytes exceeds {MAX_FRAME}")
    return decode(_read_exactly(fd, hlen), _read_exactly(fd, blen))


def write_frame(fd: int, fields: dict[str, Any], blobs: dict[str, bytes] | None = None) -> None:
    """Write one frame to a blocking fd, retrying short writes."""
    view = memoryview(encode(fields, blobs))
    while view:
        n = os.write(fd, view)
        view = view[n:]
