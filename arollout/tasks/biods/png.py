"""Checking that a file a task asked for is a real, non-blank PNG image.

The check reads the bytes the sandbox brought back (never a size the agent's
code reported), following the PNG specification (W3C, "Portable Network
Graphics (PNG) Specification", 2nd ed., sections 5 and 11): the 8-byte
signature, chunks whose CRC-32 matches, ``IHDR`` first with a valid colour
type and bit depth, at least one ``IDAT``, ``IEND`` last, and image data
that inflates to exactly the size the header implies (for non-interlaced
images).

"Not blank" is a cheap proxy, not an image decoder: the inflated scanlines
of a real plot (anti-aliased lines and text) hold dozens of distinct byte
values, while a one-colour image holds a handful (the filter-type bytes and
the colour), whatever filter the encoder chose.
"""

from __future__ import annotations

import struct
import zlib
from typing import Final

__all__ = ("MIN_SIDE", "png_problem")

MIN_SIDE: Final = 100
"""Smallest accepted width and height in pixels."""

_MAX_SIDE: Final = 20_000
_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_CHANNELS: Final = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_DEPTHS: Final = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
_MIN_DISTINCT: Final = 12


def _chunks(data: bytes) -> list[tuple[bytes, bytes]] | str:
    pos = len(_SIGNATURE)
    out: list[tuple[bytes, bytes]] = []
    while pos < len(data):
        if pos + 12 > len(data):
            return "a chunk is cut short"
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length or pos + 12 + length > len(data):
            return "a chunk is cut short"
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            return f"the CRC of a {kind.decode('latin-1')!r} chunk is wrong"
        out.append((kind, body))
        pos += 12 + length
        if kind == b"IEND":
            break
    return out


def png_problem(data: bytes) -> str | None:
    """Why ``data`` is not an acceptable PNG image, or ``None`` when it is."""
    if not data:
        return "the file is empty"
    if not data.startswith(_SIGNATURE):
        return "the file is not a PNG (wrong signature)"
    chunks = _chunks(data)
    if isinstance(chunks, str):
        return chunks
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        return "the PNG has no valid IHDR header"
    if chunks[-1][0] != b"IEND":
        return "the PNG does not end with IEND"
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1]
    )
    if colour not in _CHANNELS or depth not in _DEPTHS[colour] or compression or filtering:
        return "the PNG header is invalid"
    if width < MIN_SIDE or height < MIN_SIDE:
        return f"the image is {width} x {height} pixels; at least {MIN_SIDE} x {MIN_SIDE} expected"
    if width > _MAX_SIDE or height > _MAX_SIDE:
        return f"the image is {width} x {height} pixels, too large"
    idat = b"".join(body for kind, body in chunks if kind == b"IDAT")
    if not idat:
        return "the PNG has no image data"
    row_bytes = 1 + (width * _CHANNELS[colour] * depth + 7) // 8
    expected = row_bytes * height
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(idat, expected + 1)
    except zlib.error:
        return "the PNG image data is corrupt"
    if interlace == 0 and len(raw) != expected:
        return "the PNG image data does not match its size"
    if len(set(raw)) < _MIN_DISTINCT:
        return "the image is blank (a single colour)"
    return None
