"""Objects in binary and label images: connected components, region properties, mask overlap.

Connected components with 4- or 8-connectivity, labelled in raster-scan
order of their first pixel as ``scipy.ndimage.label`` does; region
properties in the spirit of ``skimage.measure.regionprops`` (area, centroid,
bounding box with an exclusive end); Dice (1945) and Jaccard (1901)
coefficients, precision and recall of a predicted mask against a reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

from arollout.tasks.biocoder.fam_image import random_image, random_mask
from arollout.tasks.biocoder.family import Case, Family, bullets

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)

COMPONENTS: Final = """
import numpy as np

def _components(mask, connectivity):
    m = np.asarray(mask, dtype=bool)
    rows, cols = m.shape
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if connectivity == 8:
        steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    seen = np.zeros(m.shape, dtype=bool)
    out = []
    for r in range(rows):
        for c in range(cols):
            if not m[r, c] or seen[r, c]:
                continue
            seen[r, c] = True
            stack, pixels = [(r, c)], []
            while stack:
                y, x = stack.pop()
                pixels.append((y, x))
                for dy, dx in steps:
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < rows and 0 <= nx < cols and m[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        stack.append((ny, nx))
            out.append(pixels)
    return out
"""

_CONNECTIVITY: Final = {
    4: "4-connectivity (pixels sharing an edge are neighbours)",
    8: "8-connectivity (pixels sharing an edge or a corner are neighbours)",
}


def _mask_cases(rng: random.Random) -> list[Case]:
    diag = np.eye(4, dtype=bool)
    cases = [
        Case("empty mask", (np.zeros((3, 4), dtype=bool),)),
        Case("full mask", (np.ones((2, 3), dtype=bool),)),
        Case("diagonal pixels", (diag,)),
        Case("objects touching the border", (np.array([[1, 0, 0, 1], [0, 0, 0, 0], [0, 1, 1, 0], [1, 0, 0, 0]], dtype=bool),)),
        Case("integer mask", (np.array([[0, 2, 2], [0, 0, 0], [5, 0, 1]], dtype=np.uint8),)),
        Case("ring", (np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=bool),)),
    ]
    blobs = np.zeros((9, 13), dtype=bool)
    for k, (r, c) in enumerate(((1, 1), (1, 5), (1, 9), (5, 1), (5, 5), (5, 9))):
        size = k + 1
        for j in range(size):
            blobs[r + j // 3, c + j % 3] = True
    cases.append(Case("interior objects of sizes 1 to 6", (blobs,)))
    for i in range(7):
        shape = (rng.randint(4, 12), rng.randint(4, 12))
        cases.append(Case(f"random mask #{i + 1}", (random_mask(rng, shape, rng.choice((0.2, 0.3, 0.45))),)))
    return cases


def _count_describe(p: Params) -> str:
    border = (
        " Objects with a pixel on the image border are not counted."
        if p["border"] == "exclude"
        else ""
    )
    return bullets(
        "Count the objects in the 2-D mask `mask` (a numpy array; nonzero pixels are foreground).",
        [
            f"Objects are the connected components of the foreground under {_CONNECTIVITY[p['connectivity']]}.",
            f"Only objects of at least {p['min_size']} pixel(s) count.{border}",
            "Return the count as an int.",
        ],
    )


_COUNT_BODY = (
    COMPONENTS
    + """

def count_objects(mask) -> int:
    m = np.asarray(mask) != 0
    rows, cols = m.shape
    total = 0
    for pixels in _components(m, CONNECTIVITY):
        if len(pixels) < MIN_SIZE:
            continue
        if BORDER == "exclude" and any(y in (0, rows - 1) or x in (0, cols - 1) for y, x in pixels):
            continue
        total += 1
    return total
"""
)

COUNT_OBJECTS = Family(
    name="count_objects",
    topic="imaging",
    func="count_objects",
    signature="(mask: np.ndarray) -> int",
    dims={"connectivity": (4, 8), "min_size": (1, 2, 3, 5), "border": ("keep", "exclude")},
    describe=_count_describe,
    body=_COUNT_BODY,
    cases=lambda p, rng: _mask_cases(rng),
    examples=lambda p: [(np.array([[1, 1, 0, 0], [0, 0, 0, 1], [1, 0, 1, 1]], dtype=bool),)],
    mutants=(("if len(pixels) < MIN_SIZE:", "if len(pixels) <= MIN_SIZE:"),),
    cite="scipy.ndimage.label",
)


def _label_describe(p: Params) -> str:
    return bullets(
        "Label the objects of the 2-D mask `mask` (a numpy array; nonzero pixels are foreground).",
        [
            f"Objects are the connected components of the foreground under {_CONNECTIVITY[p['connectivity']]}.",
            f"Objects smaller than {p['min_size']} pixel(s) are removed (their pixels get 0)." if p["min_size"] > 1 else "Every object is kept.",
            "Number the kept objects 1, 2, ... in the order in which a row-major scan (row by row, "
            "left to right) first meets one of their pixels; background pixels are 0.",
            "Return an integer numpy array of the mask's shape.",
        ],
    )


_LABEL_BODY = (
    COMPONENTS
    + """

def label_objects(mask):
    m = np.asarray(mask) != 0
    labels = np.zeros(m.shape, dtype=np.int64)
    n = 0
    for pixels in _components(m, CONNECTIVITY):
        if len(pixels) < MIN_SIZE:
            continue
        n += 1
        for y, x in pixels:
            labels[y, x] = n
    return labels
"""
)

LABEL_OBJECTS = Family(
    name="label_objects",
    topic="imaging",
    func="label_objects",
    signature="(mask: np.ndarray) -> np.ndarray",
    dims={"connectivity": (4, 8), "min_size": (1, 2, 3, 4)},
    describe=_label_describe,
    body=_LABEL_BODY,
    cases=lambda p, rng: _mask_cases(rng),
    examples=lambda p: [(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]], dtype=bool),)],
    mutants=(("steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]", "steps += [(-1, -1), (1, 1)]"),),
    cite="scipy.ndimage.label",
)

_PROPS: Final = {
    "area": ("int", "its number of pixels"),
    "centroid": ("tuple[float, float]", "its centroid (mean row, mean column) as a tuple of floats"),
    "bbox": ("tuple[int, int, int, int]", "its bounding box (min_row, min_col, max_row + 1, max_col + 1)"),
    "perimeter": ("int", "the number of pixel edges between it and anything else (another label, "
                  "background or the outside of the image)"),
}


def _props_describe(p: Params) -> str:
    kind, what = _PROPS[p["prop"]]
    return bullets(
        "Measure the regions of the 2-D label image `labels` (a numpy array of non-negative ints).",
        [
            "Each positive value is one region (its pixels need not be connected); 0 is background.",
            f"Return a dict mapping each region label (an int) to {what}.",
        ],
    )


_PROPS_BODY = """
import numpy as np

def region_props(labels) -> dict:
    lab = np.asarray(labels)
    rows, cols = lab.shape
    out = {}
    for value in sorted(int(v) for v in np.unique(lab) if v > 0):
        ys, xs = np.nonzero(lab == value)
        if PROP == "area":
            out[value] = int(ys.size)
        elif PROP == "centroid":
            out[value] = (float(ys.mean()), float(xs.mean()))
        elif PROP == "bbox":
            out[value] = (int(ys.min()), int(xs.min()), int(ys.max()) + 1, int(xs.max()) + 1)
        else:
            edges = 0
            for y, x in zip(ys, xs):
                for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                    ny, nx = y + dy, x + dx
                    if not (0 <= ny < rows and 0 <= nx < cols) or lab[ny, nx] != value:
                        edges += 1
            out[value] = edges
    return out
"""


def _label_image(rng: random.Random) -> np.ndarray:
    g = np.random.default_rng(rng.getrandbits(64))
    shape = (rng.randint(2, 9), rng.randint(2, 9))
    return np.where(g.random(shape) < 0.5, g.integers(1, 5, size=shape), 0).astype(np.int64)


REGION_PROPS = Family(
    name="region_properties",
    topic="imaging",
    func="region_props",
    signature=lambda p: f"(labels: np.ndarray) -> dict[int, {_PROPS[p['prop']][0]}]",
    dims={"prop": tuple(_PROPS)},
    describe=_props_describe,
    body=_PROPS_BODY,
    cases=lambda p, rng: [
        Case("background only", (np.zeros((3, 3), dtype=np.int64),)),
        Case("one pixel", (np.array([[0, 0], [0, 7]]),)),
        Case("touching regions", (np.array([[1, 1, 2], [1, 2, 2], [3, 3, 3]]),)),
        Case("disconnected region", (np.array([[4, 0, 4], [0, 0, 0], [4, 0, 0]]),)),
        *[Case(f"random labels #{i + 1}", (_label_image(rng),)) for i in range(7)],
    ],
    examples=lambda p: [(np.array([[0, 1, 1], [0, 1, 2], [2, 2, 2]]),)],
    mutants=(("or lab[ny, nx] != value:", "or lab[ny, nx] == 0:"), ("int(ys.max()) + 1", "int(ys.max())")),
    cite="skimage.measure.regionprops",
)

_INTENSITY: Final = {
    "mean": "the mean", "max": "the maximum", "min": "the minimum",
    "median": "the median (numpy.median)", "std": "the population standard deviation", "sum": "the sum",
}


def _intensity_describe(p: Params) -> str:
    bg = "Label 0 (background) is measured too." if p["background"] else "Label 0 (background) is left out."
    return bullets(
        "Measure the intensity of each region of `labels` in the image `image` (numpy arrays of the same shape).",
        [
            "Arrays of different shapes raise ValueError.",
            bg,
            f"Return a dict mapping each label present (an int) to {_INTENSITY[p['stat']]} of the "
            "image values of its pixels, as a float (computed in float64).",
        ],
    )


_INTENSITY_BODY = """
import numpy as np

def region_intensity(labels, image) -> dict:
    lab, img = np.asarray(labels), np.asarray(image, dtype=np.float64)
    if lab.shape != img.shape:
        raise ValueError("labels and image differ in shape")
    out = {}
    for value in sorted(int(v) for v in np.unique(lab)):
        if value == 0 and not BACKGROUND:
            continue
        vals = img[lab == value]
        out[value] = float({"mean": np.mean, "max": np.max, "min": np.min, "median": np.median,
                            "std": np.std, "sum": np.sum}[STAT](vals))
    return out
"""

REGION_INTENSITY = Family(
    name="region_intensity",
    topic="imaging",
    func="region_intensity",
    signature="(labels: np.ndarray, image: np.ndarray) -> dict[int, float]",
    dims={"stat": tuple(_INTENSITY), "background": (False, True)},
    describe=_intensity_describe,
    body=_INTENSITY_BODY,
    cases=lambda p, rng: [
        Case("shape mismatch", (np.zeros((2, 2), dtype=np.int64), np.zeros((2, 3), dtype=np.uint8))),
        Case("background only", (np.zeros((2, 2), dtype=np.int64), np.array([[1, 2], [3, 4]], dtype=np.uint8))),
        Case("two regions", (np.array([[1, 1, 0], [2, 2, 2]]), np.array([[10, 30, 5], [1, 2, 9]], dtype=np.uint8))),
        *[Case(f"random image #{i + 1}", (lambda lab: (lab, random_image(rng, lab.shape)))(_label_image(rng))) for i in range(7)],
    ],
    examples=lambda p: [(np.array([[0, 1], [1, 2]]), np.array([[5, 10], [20, 40]], dtype=np.uint8))],
    mutants=(("if value == 0 and not BACKGROUND:", "if value == 0:"),),
    cite="skimage.measure.regionprops",
)


def _overlap_describe(p: Params) -> str:
    metric = {
        "dice": "the Dice coefficient 2|P & R| / (|P| + |R|)",
        "iou": "the Jaccard index (IoU) |P & R| / |P | R|",
        "precision": "the precision |P & R| / |P|",
        "recall": "the recall |P & R| / |R|",
    }[p["metric"]]
    empty = {"one": "return 1.0", "zero": "return 0.0", "none": "return None"}[p["empty"]]
    return bullets(
        "Score the predicted mask `pred` against the reference mask `ref` (numpy arrays of one shape).",
        [
            "Nonzero pixels are foreground: P and R are the sets of foreground pixels of `pred` and `ref`.",
            "Masks of different shapes raise ValueError.",
            f"Return {metric} as a float; if the denominator is 0, {empty}.",
        ],
    )


_OVERLAP_BODY = """
import numpy as np

def mask_overlap(pred, ref):
    a, b = np.asarray(pred) != 0, np.asarray(ref) != 0
    if a.shape != b.shape:
        raise ValueError("masks differ in shape")
    inter = int(np.logical_and(a, b).sum())
    num, den = {
        "dice": (2 * inter, int(a.sum() + b.sum())),
        "iou": (inter, int(np.logical_or(a, b).sum())),
        "precision": (inter, int(a.sum())),
        "recall": (inter, int(b.sum())),
    }[METRIC]
    if den == 0:
        return {"one": 1.0, "zero": 0.0, "none": None}[EMPTY]
    return num / den
"""

MASK_OVERLAP = Family(
    name="mask_overlap",
    topic="imaging",
    func="mask_overlap",
    signature=lambda p: "(pred: np.ndarray, ref: np.ndarray) -> float" + (" | None" if p["empty"] == "none" else ""),
    dims={"metric": ("dice", "iou", "precision", "recall"), "empty": ("one", "zero", "none")},
    describe=_overlap_describe,
    body=_OVERLAP_BODY,
    cases=lambda p, rng: [
        Case("both empty", (np.zeros((2, 2), dtype=bool), np.zeros((2, 2), dtype=bool))),
        Case("empty prediction", (np.zeros((2, 3), dtype=bool), np.ones((2, 3), dtype=bool))),
        Case("empty reference", (np.ones((2, 2), dtype=bool), np.zeros((2, 2), dtype=bool))),
        Case("shape mismatch", (np.zeros((2, 2), dtype=bool), np.zeros((3, 2), dtype=bool))),
        Case("integer masks", (np.array([[0, 3], [5, 0]]), np.array([[1, 1], [0, 0]]))),
        *[Case(f"random masks #{i + 1}", (lambda s: (random_mask(rng, s), random_mask(rng, s)))((rng.randint(2, 8), rng.randint(2, 8)))) for i in range(7)],
    ],
    examples=lambda p: [(np.array([[1, 1, 0]], dtype=bool), np.array([[0, 1, 1]], dtype=bool))],
    mutants=(('"dice": (2 * inter,', '"dice": (inter,'),),
    cite="Dice 1945; Jaccard 1901",
)

FAMILIES: Final = (COUNT_OBJECTS, LABEL_OBJECTS, REGION_PROPS, REGION_INTENSITY, MASK_OVERLAP)
