"""Coverage along a region, subtraction, nearest intervals and complements.

The operations mirror bedtools ``genomecov``, ``subtract`` (with ``-A``),
``closest -d`` (with ``-io``, ``-id``, ``-iu``) and ``complement`` (Quinlan &
Hall 2010, Bioinformatics 26:841).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.fam_interval import INTERVAL_HELPERS, coords_rule, interval_cases
from arollout.tasks.biocoder.family import Case, Family, bullets

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)


def _region_rule(p: Params) -> str:
    return (
        "The region is the bases 1..length (1-based)"
        if p["coords"] == "closed"
        else "The region is the bases 0..length-1 (0-based)"
    ) + "; parts of intervals outside it are ignored."


_COV_STATS: Final = {
    "mean_depth": ("float", "the mean depth over the region's bases (0.0 for an empty region)"),
    "breadth_1": ("float", "the fraction of the region's bases with depth >= 1 (0.0 for an empty region)"),
    "breadth_2": ("float", "the fraction of the region's bases with depth >= 2 (0.0 for an empty region)"),
    "breadth_3": ("float", "the fraction of the region's bases with depth >= 3 (0.0 for an empty region)"),
    "max_depth": ("int", "the largest depth of any base of the region (0 for an empty region)"),
    "histogram": (
        "dict[int, int]",
        "a dict mapping each depth d that occurs (0 included) to the number of the region's bases "
        "with depth exactly d ({} for an empty region)",
    ),
}


def _cov_describe(p: Params) -> str:
    return bullets(
        "Compute coverage statistics of the intervals `intervals` over a region of `length` bases.",
        [
            coords_rule(p),
            _region_rule(p),
            "The depth of a base is the number of intervals holding it.",
            f"Return {_COV_STATS[p['stat']][1]}.",
        ],
    )


_COV_BODY = (
    INTERVAL_HELPERS
    + """

def coverage(intervals: list, length: int):
    offset = 1 if COORDS == "closed" else 0
    depth = [0] * length
    for s, e in _spans(intervals):
        for x in range(max(s - offset, 0), min(e - offset, length)):
            depth[x] += 1
    if STAT == "histogram":
        hist = {}
        for d in depth:
            hist[d] = hist.get(d, 0) + 1
        return hist
    if STAT == "max_depth":
        return max(depth, default=0)
    if not length:
        return 0.0
    if STAT == "mean_depth":
        return sum(depth) / length
    need = int(STAT[-1])
    return sum(d >= need for d in depth) / length
"""
)


def _with_length(p: Params, rng: random.Random) -> list[Case]:
    cases = [Case(c.label, (*c.args, rng.choice((20, 40, 60, 110)))) for c in interval_cases(p, rng)]
    cases.append(Case("empty region", ([(2, 6)], 0)))
    cases.append(Case("interval past the region's end", ([(0, 50), (5, 9)], 30)))
    cases.append(Case("interval ending at the region's end", ([(6, 10), (2, 3)], 10)))
    return cases


COVERAGE = Family(
    name="interval_coverage",
    topic="intervals",
    func="coverage",
    signature=lambda p: f"(intervals: list[tuple[int, int]], length: int) -> {_COV_STATS[p['stat']][0]}",
    dims={"coords": ("half_open", "closed"), "stat": tuple(_COV_STATS)},
    describe=_cov_describe,
    body=_COV_BODY,
    cases=_with_length,
    examples=lambda p: [([(2, 6), (4, 9)], 10)],
    mutants=(("range(max(s - offset, 0), min(e - offset, length))", "range(max(s, 0), min(e, length))"),),
    cite="bedtools genomecov",
)


def _subtract_describe(p: Params) -> str:
    how = (
        f"remove from each `a` interval the bases covered by `b`; keep the remaining pieces of "
        f"at least {p['min_len']} base(s)"
        if p["mode"] == "pieces"
        else "drop every `a` interval that shares at least one base with a `b` interval and keep "
        "the others whole (like bedtools subtract -A)"
    )
    return bullets(
        "Subtract the intervals `b` from the intervals `a`.",
        [
            coords_rule(p),
            "Empty `a` intervals are dropped.",
            f"For each `a` interval, {how}.",
            "Return the results as (start, end) tuples in the same coordinate system, sorted by "
            "(start, end); pieces of overlapping `a` intervals are not merged.",
        ],
    )


_SUBTRACT_BODY = (
    INTERVAL_HELPERS
    + """

def subtract(a: list, b: list) -> list:
    cut = _union(_spans(b))
    out = []
    for s, e in _spans(a):
        if MODE == "whole":
            if not any(min(e, ce) > max(s, cs) for cs, ce in cut):
                out.append((s, e))
            continue
        at = s
        for cs, ce in cut:
            if ce <= at or cs >= e:
                continue
            if cs > at:
                out.append((at, cs))
            at = max(at, ce)
        if at < e:
            out.append((at, e))
    keep = [(s, e) for s, e in out if MODE == "whole" or e - s >= MIN_LEN]
    return sorted(_back(s, e) for s, e in keep)
"""
)

SUBTRACT = Family(
    name="interval_subtract",
    topic="intervals",
    func="subtract",
    signature="(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]",
    dims={"coords": ("half_open", "closed"), "mode": ("pieces", "whole"), "min_len": (1, 2, 5)},
    valid=lambda p: p["mode"] == "pieces" or p["min_len"] == 1,
    describe=_subtract_describe,
    body=_SUBTRACT_BODY,
    cases=lambda p, rng: [
        *interval_cases(p, rng, pairs=True),
        Case("one base left before a cut", ([(0, 10)], [(1, 5)])),
        Case("one base left between cuts", ([(0, 20)], [(2, 6), (7, 12)])),
    ],
    examples=lambda p: [([(0, 20)], [(5, 8)])],
    mutants=(("out.append((at, cs))", "out.append((at, cs - 1))"), ("if cs > at:", "if cs > at + 1:")),
    cite="bedtools subtract",
)


def _closest_describe(p: Params) -> str:
    cand = {
        "any": "every `b` interval is a candidate" + ("; overlapping ones are ignored" if p["ignore_overlaps"] else ""),
        "upstream": "only `b` intervals lying entirely before it (ending before it starts, no shared base) are candidates",
        "downstream": "only `b` intervals lying entirely after it (starting after it ends, no shared base) are candidates",
    }[p["direction"]]
    return bullets(
        "For every interval of `a`, give the distance to its closest interval of `b`.",
        [
            coords_rule(p),
            f"For an `a` interval, {cand}. Empty intervals are never candidates, and an empty `a` "
            "interval gets None.",
            "The distance is 0 for intervals sharing a base; otherwise it is the number of bases "
            "between them plus one (book-ended intervals are at distance 1).",
            "Return a list with, for each `a` interval in order, the smallest distance to a "
            "candidate (an int), or None when it has none.",
        ],
    )


_CLOSEST_BODY = (
    INTERVAL_HELPERS
    + """

def closest(a: list, b: list) -> list:
    targets = _spans(b)
    out = []
    for iv in a:
        spans = _spans([iv])
        if not spans:
            out.append(None)
            continue
        (s, e), best = spans[0], None
        for bs, be in targets:
            if min(e, be) > max(s, bs):
                if DIRECTION != "any" or IGNORE_OVERLAPS:
                    continue
                d = 0
            elif be <= s:
                if DIRECTION == "downstream":
                    continue
                d = s - be + 1
            else:
                if DIRECTION == "upstream":
                    continue
                d = bs - e + 1
            best = d if best is None else min(best, d)
        out.append(best)
    return out
"""
)

CLOSEST = Family(
    name="closest_interval",
    topic="intervals",
    func="closest",
    signature="(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[int | None]",
    dims={"coords": ("half_open", "closed"), "direction": ("any", "upstream", "downstream"), "ignore_overlaps": (False, True)},
    valid=lambda p: p["direction"] == "any" or not p["ignore_overlaps"],
    describe=_closest_describe,
    body=_CLOSEST_BODY,
    cases=lambda p, rng: interval_cases(p, rng, pairs=True),
    examples=lambda p: [([(10, 20), (50, 60)], [(0, 5), (22, 30)])],
    mutants=(("d = s - be + 1", "d = s - be"),),
    cite="bedtools closest -d",
)


def _complement_describe(p: Params) -> str:
    return bullets(
        "Return the gaps of a region of `length` bases not covered by the intervals `intervals`.",
        [
            coords_rule(p),
            _region_rule(p),
            f"A gap is a maximal run of uncovered bases of the region; keep gaps of at least {p['min_gap']} base(s).",
            "Return the gaps as (start, end) tuples in the same coordinate system, sorted by start.",
        ],
    )


_COMPLEMENT_BODY = (
    INTERVAL_HELPERS
    + """

def complement(intervals: list, length: int) -> list:
    lo, hi = (1, length + 1) if COORDS == "closed" else (0, length)
    gaps, at = [], lo
    for s, e in _union(_spans(intervals)):
        if s > at:
            gaps.append((at, min(s, hi)))
        at = max(at, e)
        if at >= hi:
            break
    if at < hi:
        gaps.append((at, hi))
    return [_back(s, e) for s, e in gaps if e - s >= MIN_GAP]
"""
)

COMPLEMENT = Family(
    name="interval_complement",
    topic="intervals",
    func="complement",
    signature="(intervals: list[tuple[int, int]], length: int) -> list[tuple[int, int]]",
    dims={"coords": ("half_open", "closed"), "min_gap": (1, 2, 5, 10)},
    describe=_complement_describe,
    body=_COMPLEMENT_BODY,
    cases=_with_length,
    examples=lambda p: [([(2, 5), (8, 9)], 30)],
    mutants=(("if s > at:", "if s > at + 1:"),),
    cite="bedtools complement",
)

FAMILIES: Final = (COVERAGE, SUBTRACT, CLOSEST, COMPLEMENT)
