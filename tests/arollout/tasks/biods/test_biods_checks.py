"""The pieces the grader trusts: the PNG check and the reading of result variables."""

from __future__ import annotations

import io
import random
import struct
import zlib

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given, strategies as st

from arollout.tasks.biods import png_problem
from arollout.tasks.biods.extract import extract_output


def _png(width: int, height: int, pixels: bytes | None = None) -> bytes:
    """An 8-bit RGB PNG; ``pixels`` default to seeded noise."""
    if pixels is None:
        rng = random.Random(width * 7919 + height)
        pixels = bytes(rng.randrange(256) for _ in range(width * height * 3))
    row = width * 3
    raw = b"".join(b"\x00" + pixels[i * row : (i + 1) * row] for i in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", head)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _figure() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [2, 0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    plt.close(fig)
    return buf.getvalue()


def test_real_images_pass_and_fakes_fail() -> None:
    assert png_problem(_figure()) is None
    assert png_problem(_png(120, 110)) is None
    assert "blank" in (png_problem(_png(200, 200, b"\xff" * 200 * 200 * 3)) or "")
    assert "100 x 100" in (png_problem(_png(50, 400)) or "")
    assert "signature" in (png_problem(b"GIF89a" + bytes(100)) or "")
    assert png_problem(b"") == "the file is empty"
    good = _figure()
    assert png_problem(good[:-12]) is not None  # IEND missing
    assert png_problem(good[: len(good) // 2]) is not None


_NOISE = _png(100, 100)


@given(st.data())
def test_any_flipped_byte_after_the_signature_is_caught(data: st.DataObject) -> None:
    good = _NOISE
    pos = data.draw(st.integers(8, len(good) - 1))
    flip = data.draw(st.integers(1, 255))
    bad = bytearray(good)
    bad[pos] ^= flip
    assert png_problem(bytes(bad)) is not None


@pytest.mark.parametrize(
    "value",
    [
        0.25,
        np.float64(0.25),
        np.array(0.25),
        np.array([0.25]),
        pd.Series([0.25]),
        [0.25],
        np.float32(0.25),
    ],
)
def test_numbers_are_read_out_of_their_containers(value: object) -> None:
    assert extract_output({"x": value}, "x", "number") == {"value": 0.25}


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        (True, "bool"),
        (np.bool_(False), "bool"),
        ("0.25", "string"),
        (pd.Series([0.1, 0.2]), "2 values"),
        ([], "0 values"),
        (None, "cannot be read"),
    ],
)
def test_non_numbers_are_refused_with_a_reason(value: object, needle: str) -> None:
    got = extract_output({"x": value}, "x", "number")
    assert "value" not in got and needle in got["error"]


def test_text_lists_and_missing_names() -> None:
    assert extract_output({}, "x", "number") == {"error": "is not defined"}
    assert extract_output({"x": np.str_("WeibullFitter")}, "x", "text") == {
        "value": "WeibullFitter"
    }
    assert "error" in extract_output({"x": 3}, "x", "text")
    genes = pd.Index(["TP53", "KRAS"])
    assert extract_output({"x": genes}, "x", "list") == {"value": ["TP53", "KRAS"]}
    assert extract_output({"x": np.array(["A", "B"])}, "x", "list") == {"value": ["A", "B"]}
    assert extract_output({"x": {"B", "A"}}, "x", "set") == {"value": ["A", "B"]}
    assert "error" in extract_output({"x": "TP53"}, "x", "list")  # a string is not a list
    assert "error" in extract_output({"x": [object()]}, "x", "list")
