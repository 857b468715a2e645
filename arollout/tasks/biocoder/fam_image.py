"""Bioimaging arrays (numpy): thresholds, normalisation, projections, binning, mask overlap.

Otsu's threshold (Otsu 1979, IEEE Trans SMC 9:62) on an equal-width
histogram; percentile normalisation as in CSBDeep's ``normalize``
(Weigert et al. 2018, Nat Methods 15:1090); percentiles as
``numpy.percentile`` with its default linear interpolation; Dice (1945) and
Jaccard indices of segmentation masks; z projections of image stacks as in
ImageJ's "Z Project".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np

from arollout.tasks.biocoder.family import Case, Family, bullets

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES", "noise_image", "random_image", "random_mask")


def _np(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(64))


def random_image(rng: random.Random, shape: tuple[int, ...] | None = None, high: int = 256) -> Any:
    """A uint8 image with a few bright blobs on a noisy background."""
    g = _np(rng)
    if shape is None:
        shape = (rng.randint(3, 10), rng.randint(3, 10))
    img = g.normal(40, 15, size=shape)
    for _ in range(rng.randint(0, 3)):
        centre = [g.integers(0, s) for s in shape]
        grids = np.meshgrid(*[np.arange(s) for s in shape], indexing="ij")
        dist2 = sum((gr - c) ** 2 for gr, c in zip(grids, centre, strict=True))
        img = img + g.uniform(80, 200) * np.exp(-dist2 / g.uniform(1, 6))
    return np.clip(np.rint(img), 0, high - 1).astype(np.uint8)


def noise_image(rng: random.Random, shape: tuple[int, ...]) -> Any:
    """A uint8 image of independent uniform pixels (every border mode shows)."""
    return _np(rng).integers(0, 256, size=shape).astype(np.uint8)


def random_mask(rng: random.Random, shape: tuple[int, int] | None = None, share: float | None = None) -> Any:
    """A random boolean mask."""
    g = _np(rng)
    if shape is None:
        shape = (rng.randint(2, 10), rng.randint(2, 10))
    return g.random(shape) < (share if share is not None else rng.choice((0.2, 0.4, 0.6)))


def _otsu_describe(p: Params) -> str:
    nb = p["nbins"]
    width = 256 // nb
    tie = "the smallest" if p["tie"] == "lowest" else "the largest"
    zero = " Pixels equal to 0 (masked background) are left out entirely." if p["ignore_zero"] else ""
    return bullets(
        "Compute Otsu's threshold of the 8-bit image `image` (a numpy array of dtype uint8, any shape).",
        [
            f"Build a histogram of {nb} equal-width bins: a pixel of value v falls in bin v // {width}.{zero}",
            "For each split t = 0 .. nbins - 2, class 0 holds bins 0..t and class 1 bins t+1..; "
            "with n0, n1 the pixel counts and S0, S1 the sums of the bin indices of the classes' "
            "pixels, the score is (n1 * S0 - n0 * S1) ** 2 / (n0 * n1), defined only when n0 > 0 "
            "and n1 > 0 (this is the between-class variance up to a constant factor; compare "
            "scores exactly, e.g. with fractions.Fraction).",
            f"Pick the split with the highest score ({tie} t on ties) and return the largest "
            f"intensity of class 0, (t + 1) * {width} - 1, as an int.",
            "If no split is defined (all counted pixels in one bin, or none), raise ValueError.",
        ],
    )


_OTSU_BODY = """
from fractions import Fraction

import numpy as np

def otsu_threshold(image) -> int:
    values = np.asarray(image).astype(np.int64).ravel()
    if IGNORE_ZERO:
        values = values[values != 0]
    width = 256 // NBINS
    hist = np.bincount(values // width, minlength=NBINS)
    best, best_t = None, None
    for t in range(NBINS - 1):
        n0, n1 = int(hist[:t + 1].sum()), int(hist[t + 1:].sum())
        if n0 == 0 or n1 == 0:
            continue
        s0 = int((hist[:t + 1] * np.arange(t + 1)).sum())
        s1 = int((hist[t + 1:] * np.arange(t + 1, NBINS)).sum())
        score = Fraction((n1 * s0 - n0 * s1) ** 2, n0 * n1)
        if best is None or score > best or (TIE == "highest" and score == best):
            best, best_t = score, t
    if best_t is None:
        raise ValueError("no threshold splits the histogram")
    return (best_t + 1) * width - 1
"""


def _otsu_cases(p: Params, rng: random.Random) -> list[Case]:
    two = np.array([[10, 10, 200], [200, 10, 200]], dtype=np.uint8)
    cases = [
        Case("constant image", (np.full((3, 3), 77, dtype=np.uint8),)),
        Case("two levels", (two,)),
        Case("with zero background", (np.array([[0, 0, 0, 0], [0, 50, 60, 0], [0, 180, 190, 0]], dtype=np.uint8),)),
        Case("single pixel", (np.array([[5]], dtype=np.uint8),)),
        Case("three levels", (np.array([[0, 100, 250, 100, 0, 250]], dtype=np.uint8),)),
        Case("3-D stack", (random_image(rng, (2, 3, 4)),)),
    ]
    for i in range(7):
        img = random_image(rng)
        if i % 2:
            img[: rng.randint(1, img.shape[0]), : rng.randint(1, img.shape[1])] = 0
        cases.append(Case(f"random image #{i + 1}", (img,)))
    return cases


OTSU = Family(
    name="otsu_threshold",
    topic="imaging",
    func="otsu_threshold",
    signature="(image: np.ndarray) -> int",
    dims={"nbins": (256, 64, 16), "tie": ("lowest", "highest"), "ignore_zero": (False, True)},
    describe=_otsu_describe,
    body=_OTSU_BODY,
    cases=_otsu_cases,
    examples=lambda p: [(np.array([[12, 15, 200], [190, 14, 210]], dtype=np.uint8),)],
    mutants=(("return (best_t + 1) * width - 1", "return best_t * width"),),
    cite="Otsu 1979",
)

_METHODS: Final = {
    "mean": "the mean pixel value",
    "median": "the median pixel value (numpy.median)",
    "p25": "the 25th percentile (numpy.percentile, default linear method)",
    "p75": "the 75th percentile (numpy.percentile, default linear method)",
    "p90": "the 90th percentile (numpy.percentile, default linear method)",
    "mean_1sd": "the mean plus one (population) standard deviation",
    "mean_2sd": "the mean plus two (population) standard deviations",
    "midrange": "(minimum + maximum) / 2",
}


def _mask_describe(p: Params) -> str:
    op = ">" if p["op"] == "gt" else ">="
    return bullets(
        "Segment the foreground of the 2-D image `image` (a numpy array) with a global threshold.",
        [
            f"The threshold T is {_METHODS[p['method']]}, computed over all pixels as float64.",
            f"A pixel is foreground when its value {op} T.",
            "Return a boolean numpy array of the image's shape.",
        ],
    )


_MASK_BODY = """
import numpy as np

def foreground(image):
    x = np.asarray(image, dtype=np.float64)
    if METHOD == "mean":
        t = x.mean()
    elif METHOD == "median":
        t = np.median(x)
    elif METHOD.startswith("p"):
        t = np.percentile(x, float(METHOD[1:]))
    elif METHOD == "mean_1sd":
        t = x.mean() + x.std()
    elif METHOD == "mean_2sd":
        t = x.mean() + 2 * x.std()
    else:
        t = (x.min() + x.max()) / 2
    return x > t if OP == "gt" else x >= t
"""


def _mask_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("constant image", (np.full((2, 3), 9, dtype=np.uint8),)),
        Case("values equal to the threshold", (np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=np.uint8),)),
        Case("single row", (np.array([[0, 10, 20, 30, 255]], dtype=np.uint8),)),
        Case("float image", (np.array([[0.5, 0.25], [0.75, 1.0]]),)),
        Case("few pixels, wide spread", (np.array([[3, 18, 3, 13], [8, 3, 6, 8]], dtype=np.uint8),)),
    ]
    cases.extend(Case(f"random image #{i + 1}", (random_image(rng),)) for i in range(7))
    return cases


THRESHOLD_MASK = Family(
    name="threshold_mask",
    topic="imaging",
    func="foreground",
    signature="(image: np.ndarray) -> np.ndarray",
    dims={"method": tuple(_METHODS), "op": ("gt", "ge")},
    describe=_mask_describe,
    body=_MASK_BODY,
    cases=_mask_cases,
    examples=lambda p: [(np.array([[10, 20], [30, 200]], dtype=np.uint8),)],
    mutants=(("t = x.mean() + x.std()", "t = x.mean() + x.std(ddof=1)"), ("return x > t if", "return x >= t if")),
    cite="numpy.percentile",
)

_NORMS: Final = {
    "minmax01": "(x - min) / (max - min), mapping to [0, 1]",
    "minmax11": "2 * (x - min) / (max - min) - 1, mapping to [-1, 1]",
    "zscore": "(x - mean) / std with the population standard deviation (ddof=0)",
    "zscore_ddof1": "(x - mean) / std with the sample standard deviation (ddof=1)",
    "pct_1_99": "(x - p1) / (p99 - p1), where pk is the k-th percentile (numpy.percentile, linear)",
    "pct_2_98": "(x - p2) / (p98 - p2), where pk is the k-th percentile (numpy.percentile, linear)",
    "pct_5_95": "(x - p5) / (p95 - p5), where pk is the k-th percentile (numpy.percentile, linear)",
}


def _norm_describe(p: Params) -> str:
    clip = " Clip the result to [0, 1] afterwards." if p["clip"] and p["method"].startswith("pct") else ""
    degenerate = "return an array of zeros" if p["constant"] == "zeros" else "raise ValueError"
    return bullets(
        "Normalise the intensities of the image `image` (a numpy array, any shape).",
        [
            f"Compute, in float64 over all pixels, {_NORMS[p['method']]}.{clip}",
            f"If the denominator is 0 (a constant image, or a single pixel for ddof=1), {degenerate}.",
            "Return a float64 numpy array of the image's shape.",
        ],
    )


_NORM_BODY = """
import numpy as np

def normalize(image):
    x = np.asarray(image, dtype=np.float64)
    if METHOD.startswith("minmax"):
        lo, scale = x.min(), x.max() - x.min()
    elif METHOD.startswith("zscore"):
        ddof = 1 if METHOD.endswith("ddof1") else 0
        lo, scale = x.mean(), (x.std(ddof=ddof) if x.size > ddof else 0.0)
    else:
        a, b = (float(v) for v in METHOD.split("_")[1:])
        lo, hi = np.percentile(x, a), np.percentile(x, b)
        scale = hi - lo
    if scale == 0:
        if CONSTANT == "raise":
            raise ValueError("the image has no spread")
        return np.zeros_like(x)
    y = (x - lo) / scale
    if METHOD == "minmax11":
        y = 2 * y - 1
    if CLIP and METHOD.startswith("pct"):
        y = np.clip(y, 0.0, 1.0)
    return y
"""

NORMALIZE = Family(
    name="normalize_image",
    topic="imaging",
    func="normalize",
    signature="(image: np.ndarray) -> np.ndarray",
    dims={"method": tuple(_NORMS), "constant": ("zeros", "raise"), "clip": (False, True)},
    valid=lambda p: p["method"].startswith("pct") or not p["clip"],
    describe=_norm_describe,
    body=_NORM_BODY,
    cases=lambda p, rng: [
        Case("constant image", (np.full((3, 2), 4, dtype=np.uint8),)),
        Case("single pixel", (np.array([[7]], dtype=np.uint8),)),
        Case("two values", (np.array([[0, 255], [255, 0]], dtype=np.uint8),)),
        Case("float stack", (np.arange(24, dtype=np.float64).reshape(2, 3, 4) ** 1.5,)),
        *[Case(f"random image #{i + 1}", (random_image(rng),)) for i in range(7)],
    ],
    examples=lambda p: [(np.array([[0, 50], [100, 200]], dtype=np.uint8),)],
    mutants=(("lo, scale = x.min(), x.max() - x.min()", "lo, scale = x.min(), x.max()"), ("x.std(ddof=ddof)", "x.std()")),
    cite="Weigert et al. 2018 (CSBDeep)",
)

FAMILIES: Final = (OTSU, THRESHOLD_MASK, NORMALIZE)
