"""Neighbourhood filters on images: rank/mean filters, binary morphology, peaks, projections, binning.

Border modes are those of ``scipy.ndimage`` (``reflect``: d c b a | a b c d |
d c b a; ``mirror``: d c b | a b c d | c b a; ``nearest``; ``wrap``;
``constant`` with 0), which ``numpy.pad`` calls ``symmetric``, ``reflect``,
``edge``, ``wrap`` and ``constant``. Binary erosion treats pixels outside
the image as background, like ``scipy.ndimage.binary_erosion`` with its
default ``border_value=0``; projections are ImageJ's "Z Project" operations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

from arollout.tasks.biocoder.fam_image import noise_image, random_image, random_mask
from arollout.tasks.biocoder.family import Case, Family, bullets

if TYPE_CHECKING:

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)

_MODES: Final = {
    "reflect": ("symmetric", "reflect about the edge, repeating the edge pixel (d c b a | a b c d | d c b a)"),
    "mirror": ("reflect", "mirror about the edge pixel, not repeating it (d c b | a b c d | c b a)"),
    "nearest": ("edge", "repeat the edge pixel (a a a | a b c d | d d d)"),
    "wrap": ("wrap", "wrap around (b c d | a b c d | a b c)"),
    "constant": ("constant", "pad with 0"),
}


def _filter_describe(p: Params) -> str:
    s = p["size"]
    op = {"mean": "mean", "median": "median", "max": "maximum", "min": "minimum"}[p["op"]]
    return bullets(
        f"Apply a {s} x {s} {op} filter to the 2-D image `image` (a numpy array).",
        [
            f"Each output pixel is the {op} of the {s} x {s} window centred on it, computed in float64.",
            f"Pixels outside the image are filled in the '{p['mode']}' way: {_MODES[p['mode']][1]}"
            " (the scipy.ndimage mode of that name).",
            "Return a float64 numpy array of the image's shape.",
        ],
    )


_FILTER_BODY = """
import numpy as np

def rank_filter(image):
    x = np.asarray(image, dtype=np.float64)
    r = SIZE // 2
    padded = np.pad(x, r, mode=PAD_MODE) if PAD_MODE != "constant" else np.pad(x, r, mode="constant", constant_values=0.0)
    out = np.empty_like(x)
    reduce = {"mean": np.mean, "median": np.median, "max": np.max, "min": np.min}[OP]
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = reduce(padded[i:i + SIZE, j:j + SIZE])
    return out
"""

RANK_FILTER = Family(
    name="neighbourhood_filter",
    topic="imaging",
    func="rank_filter",
    signature="(image: np.ndarray) -> np.ndarray",
    dims={"size": (3, 5), "mode": tuple(_MODES), "op": ("mean", "median", "max", "min")},
    # with a 1-pixel border, 'reflect' repeats the edge pixel exactly like 'nearest'
    valid=lambda p: not (p["size"] == 3 and p["mode"] == "nearest"),
    describe=_filter_describe,
    body=_FILTER_BODY,
    cases=lambda p, rng: [
        Case("single pixel", (np.array([[9]], dtype=np.uint8),)),
        Case("one row", (np.array([[1, 5, 2, 8, 3]], dtype=np.uint8),)),
        Case("corner spike", (np.array([[255, 0, 0], [0, 0, 0], [0, 0, 10]], dtype=np.uint8),)),
        Case("border gradient", (np.array([[9, 200, 30, 0, 90], [250, 1, 0, 60, 7], [40, 0, 130, 20, 255], [3, 180, 11, 99, 0]], dtype=np.uint8),)),
        *[Case(f"random image #{i + 1}", (random_image(rng),)) for i in range(4)],
        *[Case(f"random noise #{i + 1}", (noise_image(rng, (rng.randint(2, 8), rng.randint(2, 8))),)) for i in range(4)],
    ],
    constants=lambda p: {"SIZE": p["size"], "PAD_MODE": _MODES[p["mode"]][0], "OP": p["op"]},
    examples=lambda p: [(np.array([[0, 10, 20], [30, 40, 50]], dtype=np.uint8),)],
    mutants=(("if PAD_MODE != \"constant\"", "if False"), ("out[i, j] = reduce(padded[i:i + SIZE, j:j + SIZE])", "out[i, j] = reduce(padded[i:i + SIZE - 1, j:j + SIZE])")),
    cite="scipy.ndimage filters",
)

_ELEMENTS: Final = {
    "square": "the 3 x 3 square (the pixel and its 8 neighbours)",
    "cross": "the 3 x 3 cross (the pixel and its 4 edge neighbours)",
}


def _morph_describe(p: Params) -> str:
    n = p["iterations"]
    ops = {
        "erode": f"erosion, applied {n} time(s)",
        "dilate": f"dilation, applied {n} time(s)",
        "open": f"opening: {n} erosion(s), then {n} dilation(s)",
        "close": f"closing: {n} dilation(s), then {n} erosion(s)",
    }
    return bullets(
        f"Apply binary {ops[p['op']]} to the 2-D mask `mask` (a numpy array; nonzero is foreground).",
        [
            f"The structuring element is {_ELEMENTS[p['element']]}.",
            "Dilation: a pixel becomes foreground if any pixel of the element centred on it is "
            "foreground. Erosion: a pixel stays foreground only if every pixel of the element "
            "centred on it is foreground; pixels outside the image count as background.",
            "Return a boolean numpy array of the mask's shape.",
        ],
    )


_MORPH_BODY = """
import numpy as np

def _step(m, erode):
    offsets = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
               if ELEMENT == "square" or abs(dy) + abs(dx) <= 1]
    p = np.pad(m, 1, constant_values=False)
    rows, cols = m.shape
    views = [p[1 + dy:1 + dy + rows, 1 + dx:1 + dx + cols] for dy, dx in offsets]
    return np.logical_and.reduce(views) if erode else np.logical_or.reduce(views)


def morphology(mask):
    m = np.asarray(mask) != 0
    order = {"erode": [True], "dilate": [False], "open": [True, False], "close": [False, True]}[OP]
    for erode in order:
        for _ in range(ITERATIONS):
            m = _step(m, erode)
    return m
"""

MORPHOLOGY = Family(
    name="binary_morphology",
    topic="imaging",
    func="morphology",
    signature="(mask: np.ndarray) -> np.ndarray",
    dims={"op": ("erode", "dilate", "open", "close"), "element": ("square", "cross"), "iterations": (1, 2)},
    describe=_morph_describe,
    body=_MORPH_BODY,
    cases=lambda p, rng: [
        Case("empty mask", (np.zeros((3, 3), dtype=bool),)),
        Case("full mask", (np.ones((4, 4), dtype=bool),)),
        Case("single pixel", (np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=bool),)),
        Case("thin line", (np.array([[0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]], dtype=bool),)),
        Case("block with a hole", (np.pad(np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=bool), 2),)),
        *[Case(f"random mask #{i + 1}", (random_mask(rng, (rng.randint(3, 9), rng.randint(3, 9)), 0.55),)) for i in range(7)],
    ],
    examples=lambda p: [(np.array([[0, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 0]], dtype=bool),)],
    mutants=(("p = np.pad(m, 1, constant_values=False)", 'p = np.pad(m, 1, mode="edge")'),),
    cite="scipy.ndimage binary morphology",
)


def _peaks_describe(p: Params) -> str:
    s = p["footprint"]
    cmp = "strictly greater than" if p["strict"] else "greater than or equal to"
    border = (
        f"Pixels in the outer {s // 2} row(s) and column(s) of the image (where the window "
        "would leave the image) are never peaks."
        if p["border"] == "exclude"
        else "Near the border, neighbours that fall outside the image are simply ignored."
    )
    return bullets(
        "Find the local maxima (peaks) of the 2-D image `image` (a numpy array).",
        [
            f"A pixel is a peak if its value is {cmp} every other pixel of the {s} x {s} window "
            f"centred on it, and its value is at least {p['min_value']}.",
            border,
            "Return the (row, column) tuples of the peaks in row-major order.",
        ],
    )


_PEAKS_BODY = """
import numpy as np

def local_maxima(image) -> list:
    x = np.asarray(image, dtype=np.float64)
    rows, cols = x.shape
    r = FOOTPRINT // 2
    out = []
    for i in range(rows):
        for j in range(cols):
            if BORDER == "exclude" and (i < r or j < r or i >= rows - r or j >= cols - r):
                continue
            v = x[i, j]
            if v < MIN_VALUE:
                continue
            window = x[max(i - r, 0):i + r + 1, max(j - r, 0):j + r + 1]
            others = np.delete(window.ravel(), (i - max(i - r, 0)) * window.shape[1] + (j - max(j - r, 0)))
            if others.size == 0 or (np.all(v > others) if STRICT else np.all(v >= others)):
                out.append((i, j))
    return out
"""

LOCAL_MAXIMA = Family(
    name="local_maxima",
    topic="imaging",
    func="local_maxima",
    signature="(image: np.ndarray) -> list[tuple[int, int]]",
    dims={"footprint": (3, 5), "strict": (True, False), "min_value": (0, 60, 120), "border": ("exclude", "include")},
    describe=_peaks_describe,
    body=_PEAKS_BODY,
    cases=lambda p, rng: [
        Case("constant image", (np.full((4, 4), 50, dtype=np.uint8),)),
        Case("single pixel", (np.array([[200]], dtype=np.uint8),)),
        Case("plateau", (np.array([[0, 0, 0, 0], [0, 90, 90, 0], [0, 0, 0, 0]], dtype=np.uint8),)),
        Case("peak on the border", (np.array([[250, 10, 0], [10, 5, 0], [0, 0, 130]], dtype=np.uint8),)),
        Case("peaks exactly at the minimum values", (np.pad(np.array([[60, 0, 0, 0, 0, 0, 120]], dtype=np.uint8), 2),)),
        *[Case(f"random image #{i + 1}", (random_image(rng, (rng.randint(5, 12), rng.randint(5, 12))),)) for i in range(4)],
        *[Case(f"random noise #{i + 1}", (noise_image(rng, (rng.randint(5, 12), rng.randint(5, 12))),)) for i in range(4)],
    ],
    examples=lambda p: [(np.array([[0, 10, 0, 0], [10, 200, 10, 0], [0, 10, 0, 80]], dtype=np.uint8),)],
    mutants=(("if v < MIN_VALUE:", "if v <= MIN_VALUE:"),),
    cite="skimage.feature.peak_local_max (simplified)",
)


def _projection_describe(p: Params) -> str:
    op = {"max": "maximum", "min": "minimum", "mean": "mean", "sum": "sum", "std": "population standard deviation", "median": "median"}[p["op"]]
    return bullets(
        f"Project the 3-D image stack `stack` (a numpy array) along axis {p['axis']}.",
        [
            f"Each output pixel is the {op} of the stack's values along axis {p['axis']}, computed in float64.",
            "Return a float64 numpy array with that axis removed.",
        ],
    )


_PROJECTION_BODY = """
import numpy as np

def project(stack):
    x = np.asarray(stack, dtype=np.float64)
    return {"max": np.max, "min": np.min, "mean": np.mean, "sum": np.sum, "std": np.std, "median": np.median}[OP](x, axis=AXIS)
"""

PROJECTION = Family(
    name="stack_projection",
    topic="imaging",
    func="project",
    signature="(stack: np.ndarray) -> np.ndarray",
    dims={"axis": (0, 1, 2), "op": ("max", "min", "mean", "sum", "std", "median")},
    describe=_projection_describe,
    body=_PROJECTION_BODY,
    cases=lambda p, rng: [
        Case("single plane", (random_image(rng, (1, 3, 4)),)),
        Case("uint8 overflow", (np.full((3, 2, 2), 200, dtype=np.uint8),)),
        *[Case(f"random stack #{i + 1}", (random_image(rng, (rng.randint(2, 5), rng.randint(2, 6), rng.randint(2, 6))),)) for i in range(7)],
    ],
    examples=lambda p: [(np.arange(8, dtype=np.uint8).reshape(2, 2, 2),)],
    mutants=(("(x, axis=AXIS)", "(x, axis=AXIS - 1)"),),
    cite="ImageJ Z Project",
)


def _binning_describe(p: Params) -> str:
    f = p["factor"]
    op = {"mean": "mean", "sum": "sum", "max": "maximum"}[p["op"]]
    edge = (
        f"Rows and columns left over when the size is not a multiple of {f} are dropped."
        if p["edge"] == "crop"
        else f"Blocks at the bottom and right edges may be smaller than {f} x {f}; they are "
        "reduced over the pixels they have."
    )
    return bullets(
        f"Bin the 2-D image `image` (a numpy array) by a factor of {f}.",
        [
            f"The image is cut into {f} x {f} blocks starting at the top-left corner; each output "
            f"pixel is the {op} of one block, computed in float64.",
            edge,
            "Return a float64 numpy array (shape (0, n) or (n, 0) when nothing is left).",
        ],
    )


_BINNING_BODY = """
import numpy as np

def bin_image(image):
    x = np.asarray(image, dtype=np.float64)
    rows, cols = x.shape
    if EDGE == "crop":
        rows, cols = rows // FACTOR * FACTOR, cols // FACTOR * FACTOR
    reduce = {"mean": np.mean, "sum": np.sum, "max": np.max}[OP]
    out_rows, out_cols = -(-rows // FACTOR), -(-cols // FACTOR)
    out = np.zeros((out_rows, out_cols))
    for i in range(out_rows):
        for j in range(out_cols):
            block = x[i * FACTOR:min((i + 1) * FACTOR, rows), j * FACTOR:min((j + 1) * FACTOR, cols)]
            out[i, j] = reduce(block)
    return out
"""

BINNING = Family(
    name="image_binning",
    topic="imaging",
    func="bin_image",
    signature="(image: np.ndarray) -> np.ndarray",
    dims={"factor": (2, 3, 4), "op": ("mean", "sum", "max"), "edge": ("crop", "partial")},
    describe=_binning_describe,
    body=_BINNING_BODY,
    cases=lambda p, rng: [
        Case("smaller than one block", (np.array([[5]], dtype=np.uint8),)),
        Case("exact multiple", (np.arange(36, dtype=np.uint8).reshape(6, 6) if p["factor"] != 4 else np.arange(64, dtype=np.uint8).reshape(8, 8),)),
        *[Case(f"random image #{i + 1}", (random_image(rng, (rng.randint(1, 11), rng.randint(1, 11))),)) for i in range(7)],
    ],
    examples=lambda p: [(np.arange(20, dtype=np.uint8).reshape(4, 5),)],
    mutants=(("rows, cols = rows // FACTOR * FACTOR, cols // FACTOR * FACTOR", "rows, cols = rows // FACTOR * FACTOR, cols"),),
    cite="CSBDeep / ImageJ binning",
)

FAMILIES: Final = (RANK_FILTER, MORPHOLOGY, LOCAL_MAXIMA, PROJECTION, BINNING)
