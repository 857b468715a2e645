"""Interval arithmetic: merging, set operations, overlap filters, coverage.

The operations mirror bedtools (Quinlan & Hall 2010, Bioinformatics 26:841):
``merge -d``, ``intersect -f/-r/-v``, ``genomecov``, ``jaccard``. Coordinates
are either 0-based half-open (BED) or 1-based closed (GFF, VCF), as each
instance states; both describe the same bases, so every operation is done
on half-open spans internally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.biocoder.family import Case, Family, bullets

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES", "INTERVAL_HELPERS", "coords_rule", "interval_cases", "random_intervals")

INTERVAL_HELPERS: Final = """
def _spans(intervals):
    out = []
    for s, e in intervals:
        if s > e + (1 if COORDS == "closed" else 0):
            raise ValueError(f"interval ({s}, {e}) ends before it starts")
        e = e + 1 if COORDS == "closed" else e
        if e > s:
            out.append((s, e))
    return out


def _union(spans):
    out = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _back(s, e):
    return (s, e - 1) if COORDS == "closed" else (s, e)
"""


def coords_rule(p: Params, what: str = "Intervals") -> str:
    """How an instance's intervals are written."""
    if p["coords"] == "closed":
        return (
            f"{what} are (start, end) tuples of ints with 1-based, inclusive coordinates: (3, 5) "
            "holds the bases 3, 4 and 5; (5, 4) is empty. An interval with end < start - 1 raises ValueError."
        )
    return (
        f"{what} are (start, end) tuples of ints with 0-based, half-open coordinates: (3, 5) holds "
        "the bases 3 and 4; (5, 5) is empty. An interval with end < start raises ValueError."
    )


def random_intervals(rng: random.Random, n: int, closed: bool, span: int = 100) -> list[tuple[int, int]]:
    """``n`` random intervals (some empty, some touching) within ``[0, span]``."""
    out = []
    for _ in range(n):
        s = rng.randint(1 if closed else 0, span)
        length = rng.choice((0, 1, 2, 5, 10, 20, 30))
        out.append((s, s + length - 1) if closed and length else (s, s + length - (1 if closed else 0)))
    return out


def interval_cases(p: Params, rng: random.Random, pairs: bool = False) -> list[Case]:
    """Edge cases and random inputs for functions of one or two interval lists."""
    closed = p["coords"] == "closed"
    c = 1 if closed else 0  # closed intervals end one base earlier

    def iv(s: int, e: int) -> tuple[int, int]:
        return (s, e - c)

    one: list[tuple[str, Any]] = [
        ("no intervals", []),
        ("single interval", [iv(5, 12)]),
        ("book-ended intervals", [iv(10, 20), iv(20, 30)]),
        ("nested and unsorted", [iv(30, 40), iv(5, 50), iv(10, 15)]),
        ("one base apart", [iv(0, 5), iv(6, 9), iv(15, 16)]),
        ("empty interval", [iv(8, 8), iv(2, 4)]),
        ("ends before it starts", [iv(10, 4)]),
    ]
    if not pairs:
        cases = [Case(label, (value,)) for label, value in one]
        cases.extend(Case(f"random intervals #{i + 1}", (random_intervals(rng, rng.randint(1, 12), closed),)) for i in range(7))
        return cases
    cases = [Case(label, (value, [iv(8, 25), iv(28, 29)])) for label, value in one]
    cases += [
        Case("second set empty", ([iv(3, 9)], [])),
        Case("identical sets", ([iv(3, 9), iv(20, 24)], [iv(3, 9), iv(20, 24)])),
        Case("partial overlaps", ([iv(0, 10), iv(20, 30), iv(40, 50)], [iv(9, 21), iv(25, 26), iv(45, 60)])),
    ]
    for i in range(7):
        a = random_intervals(rng, rng.randint(1, 10), closed)
        b = random_intervals(rng, rng.randint(1, 10), closed)
        cases.append(Case(f"random intervals #{i + 1}", (a, b)))
    return cases


def _merge_describe(p: Params) -> str:
    gap = p["max_gap"]
    when = {
        -1: "they overlap (share at least one base)",
        0: "they overlap or are book-ended (no base between them)",
    }.get(gap, f"they overlap or at most {gap} base(s) lie between them")
    return bullets(
        "Merge overlapping or nearby intervals.",
        [
            coords_rule(p),
            "Empty intervals hold no base and are dropped.",
            f"Two intervals are merged when {when}; merging repeats until no pair qualifies.",
            "Return the merged intervals as (start, end) tuples in the same coordinate system, sorted by start.",
        ],
    )


_MERGE_BODY = (
    INTERVAL_HELPERS
    + """

def merge_intervals(intervals: list) -> list:
    out = []
    for s, e in sorted(_spans(intervals)):
        if out and s - out[-1][1] <= MAX_GAP:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [_back(s, e) for s, e in out]
"""
)

MERGE = Family(
    name="merge_intervals",
    topic="intervals",
    func="merge_intervals",
    signature="(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]",
    dims={"coords": ("half_open", "closed"), "max_gap": (-1, 0, 1, 3, 5, 10)},
    describe=_merge_describe,
    body=_MERGE_BODY,
    cases=interval_cases,
    examples=lambda p: [([(1, 4), (3, 7), (12, 15)],)],
    mutants=(("out[-1][1] = max(out[-1][1], e)\n        else:\n            out.append([s, e])\n    return [_back", "out[-1][1] = e\n        else:\n            out.append([s, e])\n    return [_back"),),
    cite="bedtools merge",
)

_SETOPS: Final = {
    "intersection": "bases in both sets",
    "union": "bases in either set",
    "difference": "bases in the first set but not the second",
    "symmetric": "bases in exactly one of the sets",
}


def _setop_describe(p: Params) -> str:
    if p["output"] == "jaccard":
        what = (
            "Return the Jaccard index: (number of bases in both) / (number of bases in either), "
            "a float; 0.0 when no set has a base."
        )
    elif p["output"] == "bases":
        what = f"Return the number of {_SETOPS[p['op']]} (an int)."
    else:
        what = (
            f"Return the {_SETOPS[p['op']]} as maximal intervals (no two overlapping or "
            "book-ended), as (start, end) tuples in the same coordinate system, sorted by start."
        )
    return bullets(
        "Combine two sets of intervals `a` and `b` base by base.",
        [coords_rule(p), "Each set stands for the bases its intervals cover (they may overlap).", what],
    )


_SETOP_BODY = (
    INTERVAL_HELPERS
    + """

def _bases(spans):
    return {x for s, e in spans for x in range(s, e)}


def combine_intervals(a: list, b: list):
    sa, sb = _bases(_spans(a)), _bases(_spans(b))
    if OUTPUT == "jaccard":
        either = sa | sb
        return len(sa & sb) / len(either) if either else 0.0
    chosen = {"intersection": sa & sb, "union": sa | sb, "difference": sa - sb, "symmetric": sa ^ sb}[OP]
    if OUTPUT == "bases":
        return len(chosen)
    return [_back(s, e) for s, e in _union((x, x + 1) for x in chosen)]
"""
)

SET_OPERATIONS = Family(
    name="interval_set_operations",
    topic="intervals",
    func="combine_intervals",
    signature=lambda p: "(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> "
    + {"jaccard": "float", "bases": "int", "intervals": "list[tuple[int, int]]"}[p["output"]],
    dims={"coords": ("half_open", "closed"), "output": ("intervals", "bases", "jaccard"), "op": tuple(_SETOPS)},
    valid=lambda p: p["output"] != "jaccard" or p["op"] == "intersection",
    describe=_setop_describe,
    body=_SETOP_BODY,
    cases=lambda p, rng: interval_cases(p, rng, pairs=True),
    constants=lambda p: {"COORDS": p["coords"], "OUTPUT": p["output"], "OP": p["op"]},
    examples=lambda p: [([(1, 10)], [(5, 20)])],
    mutants=(("if out and s <= out[-1][1]:", "if out and s < out[-1][1]:"),),
    cite="bedtools intersect, subtract, jaccard",
)


def _overlap_describe(p: Params) -> str:
    pct = p["percent"]
    need = (
        "share at least one base"
        if pct == 0
        else f"share at least one base and the shared bases make up at least {pct}% of the "
        f"length of the `a` interval (compare exactly: shared * 100 >= {pct} * len(a_interval))"
        + (" and at least that share of the length of the same `b` interval" if p["reciprocal"] else "")
    )
    pick = (
        "that have NO qualifying overlap with any interval of `b`"
        if p["invert"]
        else "that have a qualifying overlap with at least one interval of `b`"
    )
    return bullets(
        "Find the intervals of `a` that overlap intervals of `b` (like bedtools intersect -u"
        + (" -v" if p["invert"] else "")
        + ").",
        [
            coords_rule(p),
            f"An `a` interval and a `b` interval overlap when they {need}. Empty intervals never overlap.",
            f"Return the indices (0-based positions in `a`, increasing) of the `a` intervals {pick}.",
        ],
    )


_OVERLAP_BODY = """
def overlapping(a: list, b: list) -> list:
    def span(iv):
        s, e = iv
        if s > e + (1 if COORDS == "closed" else 0):
            raise ValueError("interval ends before it starts")
        return s, e + 1 if COORDS == "closed" else e

    bs = [span(iv) for iv in b]
    out = []
    for i, iv in enumerate(a):
        s, e = span(iv)
        hit = False
        for bs_, be in bs:
            shared = min(e, be) - max(s, bs_)
            if shared < 1:
                continue
            if shared * 100 >= PERCENT * (e - s) and (not RECIPROCAL or shared * 100 >= PERCENT * (be - bs_)):
                hit = True
                break
        if hit != INVERT:
            out.append(i)
    return out
"""

OVERLAPS = Family(
    name="interval_overlaps",
    topic="intervals",
    func="overlapping",
    signature="(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[int]",
    dims={"coords": ("half_open", "closed"), "percent": (0, 10, 50, 90, 100), "reciprocal": (False, True), "invert": (False, True)},
    valid=lambda p: p["percent"] > 0 or not p["reciprocal"],
    describe=_overlap_describe,
    body=_OVERLAP_BODY,
    cases=lambda p, rng: interval_cases(p, rng, pairs=True),
    examples=lambda p: [([(0, 10), (20, 30), (40, 44)], [(5, 25)])],
    mutants=(("if shared < 1:", "if shared < 0:"), ("shared * 100 >= PERCENT * (e - s)", "shared * 100 > PERCENT * (e - s)")),
    cite="bedtools intersect -f -r -v",
)

FAMILIES: Final = (MERGE, SET_OPERATIONS, OVERLAPS)
