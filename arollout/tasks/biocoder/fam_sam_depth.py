"""Per-base depth of a region and reads per reference from SAM records.

Depth counts the reference positions each alignment covers (its CIGAR's
M/=/X operations, optionally D; never N), as ``samtools depth`` does with its
default read filters (unmapped, secondary, QC-fail and duplicate reads are
skipped; ``-J`` counts deletions). SAM layout per the SAM specification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.fam_sam import READER_RULE, SAM_READER, sam_text
from arollout.tasks.biocoder.family import Case, Family, bullets

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)


def _depth_describe(p: Params) -> str:
    region = (
        "`region` is (chrom, start, end) with 1-based, inclusive coordinates"
        if p["coords"] == "one_closed"
        else "`region` is (chrom, start, end) with 0-based, half-open coordinates (as in BED)"
    )
    skipped = "unmapped (0x4), secondary (0x100), QC-fail (0x200) and duplicate (0x400)"
    if p["supplementary"] == "skip":
        skipped += " and supplementary (0x800)"
    return bullets(
        "Compute the read depth at every position of a region from SAM records.",
        [
            READER_RULE,
            f"{region}. Only records whose RNAME equals chrom count.",
            f"Skip {skipped} records, and records with MAPQ < {p['min_mapq']}.",
            "A record's alignment starts at its 1-based POS on the reference; walk its CIGAR: M, = "
            "and X cover the positions they consume, "
            + ("D covers them too" if p["deletions"] else "D consumes positions without covering them")
            + ", N consumes without covering, and I, S, H and P consume no reference.",
            "Return a list of ints, the depth at each position of the region in order (empty "
            "when the region is empty).",
        ],
    )


_DEPTH_BODY = (
    "import re\n"
    + SAM_READER
    + """

def region_depth(sam_text: str, region: tuple) -> list:
    chrom, start, end = region
    if COORDS == "zero_open":
        start, end = start + 1, end
    depth = [0] * max(end - start + 1, 0)
    skip = 0x704 | (0x800 if SUPPLEMENTARY == "skip" else 0)
    for _, flag, ref, pos, mapq, cigar, _ in _records(sam_text):
        if ref != chrom or flag & skip or mapq < MIN_MAPQ or cigar == "*":
            continue
        at = pos
        for n, op in re.findall(r"([0-9]+)([MIDNSHP=X])", cigar):
            n = int(n)
            if op in "M=X" or (op == "D" and DELETIONS):
                for x in range(at, at + n):
                    if start <= x <= end:
                        depth[x - start] += 1
            if op in "MDN=X":
                at += n
    return depth
"""
)


def _depth_cases(p: Params, rng: random.Random) -> list[Case]:
    def region(a: int, b: int, chrom: str = "chr1") -> tuple[str, int, int]:
        # the same 1-based closed span [a, b] in the instance's coordinate system
        return (chrom, a, b) if p["coords"] == "one_closed" else (chrom, a - 1, b)

    simple = "r1\t0\tchr1\t3\t60\t2S4M2D3M1I2M\t*\t0\t0\tAAAAAAAAAAAA\t*\n"
    spliced = "r2\t16\tchr1\t1\t25\t3M10N3M\t*\t0\t0\tAAAAAA\t*\n"
    cases = [
        Case("no records", ("@SQ\tSN:chr1\tLN:50\n", region(1, 5))),
        Case("deletion and insertion", (simple, region(1, 16))),
        Case("spliced read", (spliced, region(1, 18))),
        Case("empty region", (simple, region(5, 4))),
        Case("other chromosome", (simple, region(1, 8, "chr2"))),
        Case("filtered flags", ("a\t1024\tchr1\t1\t60\t5M\t*\t0\t0\tAAAAA\t*\nb\t2048\tchr1\t1\t60\t5M\t*\t0\t0\tAAAAA\t*\nc\t256\tchr1\t2\t60\t5M\t*\t0\t0\tAAAAA\t*\n", region(1, 6))),
        Case("low mapping quality", ("a\t0\tchr1\t1\t5\t5M\t*\t0\t0\tAAAAA\t*\nb\t0\tchr1\t2\t15\t5M\t*\t0\t0\tAAAAA\t*\nc\t0\tchr1\t3\t40\t5M\t*\t0\t0\tAAAAA\t*\n", region(1, 8))),
    ]
    for i in range(6):
        a = rng.randint(1, 40)
        cases.append(Case(f"random SAM #{i + 1}", (sam_text(rng, rng.randint(4, 25)), region(a, a + rng.randint(5, 40)))))
    return cases


REGION_DEPTH = Family(
    name="sam_region_depth",
    topic="alignments",
    func="region_depth",
    signature="(sam_text: str, region: tuple[str, int, int]) -> list[int]",
    dims={
        "min_mapq": (0, 10, 30),
        "deletions": (False, True),
        "supplementary": ("skip", "count"),
        "coords": ("one_closed", "zero_open"),
    },
    describe=_depth_describe,
    body=_DEPTH_BODY,
    cases=_depth_cases,
    examples=lambda p: [("q\t0\tc\t2\t60\t3M1D2M\t*\t0\t0\tACGTA\t*\n", ("c", 1, 8) if p["coords"] == "one_closed" else ("c", 0, 8))],
    mutants=(('if op in "MDN=X":', 'if op in "MD=X":'), ("start, end = start + 1, end", "start, end = start, end - 1")),
    cite="SAM specification; samtools depth",
)


def _perref_describe(p: Params) -> str:
    extra = []
    if p["duplicates"] == "skip":
        extra.append("duplicates (0x400)")
    if p["supplementary"] == "skip":
        extra.append("supplementary records (0x800)")
    skipped = ", ".join(["unmapped (0x4) and secondary (0x100) records", *extra])
    return bullets(
        "Count the mapped reads of each reference sequence in SAM records.",
        [
            READER_RULE,
            f"Skip {skipped}, and records with MAPQ < {p['min_mapq']}.",
            "Return a dict mapping each RNAME with at least one counted record to its count (an int).",
        ],
    )


_PERREF_BODY = (
    SAM_READER
    + """

def reads_per_reference(sam_text: str) -> dict:
    skip = 0x104 | (0x400 if DUPLICATES == "skip" else 0) | (0x800 if SUPPLEMENTARY == "skip" else 0)
    counts = {}
    for _, flag, ref, _, mapq, _, _ in _records(sam_text):
        if flag & skip or mapq < MIN_MAPQ:
            continue
        counts[ref] = counts.get(ref, 0) + 1
    return counts
"""
)


def _perref_cases(p: Params, rng: random.Random) -> list[Case]:
    refs = ("chr1", "chr2", "chrM")
    cases = [
        Case("header only", ("@SQ\tSN:chr1\tLN:10\n",)),
        Case("placed unmapped read", ("u\t4\tchr1\t5\t0\t*\t*\t0\t0\tACG\t*\nm\t0\tchr1\t5\t30\t3M\t*\t0\t0\tACG\t*\n",)),
        Case("truncated record", ("r\t0\tchr1\t1\t60\n",)),
        Case("each flag kind", (sam_text(rng, 20, refs),)),
    ]
    cases.extend(Case(f"random SAM #{i + 1}", (sam_text(rng, rng.randint(5, 30), refs),)) for i in range(7))
    return cases


READS_PER_REFERENCE = Family(
    name="sam_reads_per_reference",
    topic="alignments",
    func="reads_per_reference",
    signature="(sam_text: str) -> dict[str, int]",
    dims={
        "min_mapq": (0, 1, 5, 20, 30, 60),
        "duplicates": ("count", "skip"),
        "supplementary": ("count", "skip"),
    },
    describe=_perref_describe,
    body=_PERREF_BODY,
    cases=_perref_cases,
    examples=lambda p: [("a\t0\tchr1\t1\t60\t3M\t*\t0\t0\tACG\t*\nb\t16\tchr2\t4\t60\t3M\t*\t0\t0\tACG\t*\n",)],
    mutants=(("mapq < MIN_MAPQ", "mapq <= MIN_MAPQ"), ("skip = 0x104", "skip = 0x4")),
    cite="SAM specification",
)

FAMILIES: Final = (REGION_DEPTH, READS_PER_REFERENCE)
