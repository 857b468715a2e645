"""SAM records: FLAG statistics, CIGAR arithmetic, depth, reads per reference.

Field layout, FLAG bits and which CIGAR operations consume query and
reference follow the SAM specification (samtools/hts-specs ``SAMv1.tex``,
sections 1.4 and 1.4.6); the FLAG categories mirror ``samtools flagstat``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES", "READER_RULE", "SAM_READER", "sam_text")

SAM_READER: Final = """
def _records(text):
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("@"):
            continue
        fields = line.split("\\t")
        if len(fields) < 11:
            raise ValueError("a SAM record has 11 mandatory fields")
        out.append((fields[0], int(fields[1]), fields[2], int(fields[3]), int(fields[4]), fields[5], fields[6]))
    return out
"""

READER_RULE: Final = (
    "`sam_text` is SAM: header lines start with '@' and are skipped, as are blank lines; every "
    "other line is a record of at least 11 tab-separated fields (QNAME, FLAG, RNAME, POS, MAPQ, "
    "CIGAR, RNEXT, PNEXT, TLEN, SEQ, QUAL), otherwise raise ValueError."
)


def _cigar(rng: random.Random) -> tuple[str, int]:
    ops = []
    if rng.random() < 0.3:
        ops.append((rng.randint(1, 5), "S"))
    for _ in range(rng.randint(1, 4)):
        op = rng.choice("MMMMMIDN=X")
        ops.append((rng.randint(1, 12), op))
    ops.append((rng.randint(1, 10), "M"))
    if rng.random() < 0.2:
        ops.append((rng.randint(1, 4), "H" if rng.random() < 0.5 else "S"))
    qlen = sum(n for n, op in ops if op in "MIS=X")
    return "".join(f"{n}{op}" for n, op in ops), qlen


def sam_text(rng: random.Random, n: int, refs: tuple[str, ...] = ("chr1", "chr2")) -> str:
    """A SAM file of ``n`` random records over ``refs`` (positions 1..60)."""
    lines = ["@HD\tVN:1.6\tSO:unsorted"] + [f"@SQ\tSN:{r}\tLN:200" for r in refs]
    for i in range(n):
        flag = 0
        for bit, share in ((0x1, 0.6), (0x4, 0.15), (0x10, 0.4), (0x100, 0.1), (0x200, 0.05), (0x400, 0.1), (0x800, 0.08)):
            flag |= bit if rng.random() < share else 0
        if flag & 0x1:
            flag |= rng.choice((0x40, 0x80))
            flag |= 0x2 if rng.random() < 0.6 else 0
            flag |= 0x8 if rng.random() < 0.15 else 0
            flag |= 0x20 if rng.random() < 0.5 else 0
        ref = rng.choice(refs)
        if flag & 0x4:
            cigar, qlen, pos, mapq = "*", rng.randint(5, 20), 0, 0
        else:
            (cigar, qlen), pos, mapq = _cigar(rng), rng.randint(1, 60), rng.choice((0, 1, 5, 12, 20, 30, 42, 60))
        mate = rng.choice(("=", "=", "*", *refs)) if flag & 0x1 else "*"
        seq = rand_seq(rng, qlen)
        lines.append(f"r{i}\t{flag}\t{ref}\t{pos}\t{mapq}\t{cigar}\t{mate}\t0\t0\t{seq}\t*")
    return "\n".join(lines) + "\n"


_FLAG_STATS: Final = {
    "mapped": ("records that are mapped", "not f & 0x4"),
    "primary_mapped": ("primary records (neither 0x100 nor 0x800) that are mapped", "not f & 0x904"),
    "properly_paired": (
        "primary records with 0x1 and 0x2 set that are mapped",
        "f & 0x3 == 0x3 and not f & 0x904",
    ),
    "duplicates": ("records flagged as duplicates (0x400)", "f & 0x400"),
    "secondary": ("secondary records (0x100)", "f & 0x100"),
    "supplementary": ("supplementary records (0x800)", "f & 0x800"),
    "singletons": (
        "primary paired (0x1) records that are mapped while their mate is unmapped (0x8)",
        "f & 0x1 and f & 0x8 and not f & 0x904",
    ),
    "read1": ("primary records flagged as first in pair (0x40)", "f & 0x40 and not f & 0x900"),
    "reverse_mapped": ("primary mapped records on the reverse strand (0x10)", "f & 0x10 and not f & 0x904"),
    "mate_other_reference": (
        "primary paired records where this read and its mate are both mapped and RNEXT names a "
        "reference other than RNAME (not '=' and not '*')",
        "f & 0x1 and not f & 0x90C and nxt not in ('=', '*', ref)",
    ),
}


def _flag_describe(p: Params) -> str:
    what, _ = _FLAG_STATS[p["stat"]]
    filters = []
    if p["qcfail"] == "exclude":
        filters.append("records failing quality checks (0x200) are ignored")
    if p["min_mapq"]:
        filters.append(f"records with MAPQ < {p['min_mapq']} are ignored")
    return bullets(
        "Count SAM records by their FLAG bits.",
        [
            READER_RULE,
            f"Count the {what}.",
            ("Before counting, " + " and ".join(filters) + ".") if filters else "Every record takes part.",
            "Return the count as an int.",
        ],
    )


def _flag_body(p: Params) -> str:
    test = _FLAG_STATS[p["stat"]][1]
    return (
        SAM_READER
        + f"""

def _selected(f, ref, nxt):
    return bool({test})
"""
        + """

def count_flags(sam_text: str) -> int:
    total = 0
    for _, f, ref, _, mapq, _, nxt in _records(sam_text):
        if (QCFAIL == "exclude" and f & 0x200) or mapq < MIN_MAPQ:
            continue
        if _selected(f, ref, nxt):
            total += 1
    return total
"""
    )


_KINDS: Final = (
    (0, 60, "*"), (4, 0, "*"), (16, 30, "*"), (256, 60, "*"), (512, 60, "*"), (1024, 12, "*"),
    (2048, 60, "*"), (2560, 45, "*"), (67, 60, "="), (73, 60, "="), (649, 50, "="), (147, 25, "="),
    (97, 60, "chr2"), (99, 5, "="), (1107, 60, "="), (13, 0, "="), (577, 60, "chr2"), (2113, 22, "chr2"),
)
_EVERY_KIND: Final = "@SQ\tSN:chr1\tLN:100\n" + "".join(
    f"k{i}\t{flag}\tchr1\t{0 if flag & 4 else 10 + i}\t{mapq}\t{'*' if flag & 4 else '5M'}\t{mate}\t0\t0\tACGTA\t*\n"
    for i, (flag, mapq, mate) in enumerate(_KINDS)
)


def _sam_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("header only", ("@HD\tVN:1.6\n@SQ\tSN:chr1\tLN:100\n",)),
        Case("empty text", ("",)),
        Case("truncated record", ("r1\t0\tchr1\t5\t60\t4M\n",)),
        Case("one record of each kind", (_EVERY_KIND,)),
    ]
    cases.extend(Case(f"random SAM #{i + 1}", (sam_text(rng, rng.randint(3, 25)),)) for i in range(7))
    return cases


FLAG_COUNT = Family(
    name="sam_flag_count",
    topic="alignments",
    func="count_flags",
    signature="(sam_text: str) -> int",
    dims={"stat": tuple(_FLAG_STATS), "qcfail": ("include", "exclude"), "min_mapq": (0, 20)},
    describe=_flag_describe,
    body=_flag_body,
    cases=_sam_cases,
    constants=lambda p: {"QCFAIL": p["qcfail"], "MIN_MAPQ": p["min_mapq"]},
    examples=lambda p: [("@SQ\tSN:c\tLN:9\nq1\t99\tc\t1\t60\t4M\t=\t5\t8\tACGT\t*\nq2\t4\tc\t0\t0\t*\t*\t0\t0\tAC\t*\n",)],
    mutants=(("mapq < MIN_MAPQ", "mapq <= MIN_MAPQ"),),
    cite="SAM specification; samtools flagstat",
)
_CIGAR_OPS: Final = {
    "reference_length": ("MDN=X", "the number of reference bases it spans (M, D, N, = and X)"),
    "query_length": ("MIS=X", "the number of query bases in SEQ (M, I, S, = and X)"),
    "aligned_bases": ("M=X", "the number of aligned query bases (M, = and X)"),
    "soft_clipped": ("S", "the number of soft-clipped bases (S)"),
    "indel_bases": ("ID", "the number of inserted plus deleted bases (I and D)"),
    "clipped": ("SH", "the number of clipped bases, soft and hard (S and H)"),
    "blocks": ("", "the number of aligned blocks: maximal runs of consecutive M/=/X operations, "
               "where only D and N break a run (I, S, H and P do not)"),
}


def _cigar_describe(p: Params) -> str:
    return bullets(
        "Compute a quantity from the SAM CIGAR string `cigar`.",
        [
            "A CIGAR is one or more <length><op> pairs with length a positive decimal integer and op "
            "one of M, I, D, N, S, H, P, =, X. Anything else (an empty string, a missing or zero "
            "length, an unknown op) raises ValueError.",
            "The CIGAR '*' (unavailable) gives 0." if p["star"] == "zero" else "The CIGAR '*' (unavailable) raises ValueError.",
            f"Return {_CIGAR_OPS[p['quantity']][1]}, as an int.",
        ],
    )


_CIGAR_BODY = """
import re

def cigar_quantity(cigar: str) -> int:
    if cigar == "*":
        if STAR == "zero":
            return 0
        raise ValueError("CIGAR unavailable")
    if not re.fullmatch(r"(?:[1-9][0-9]*[MIDNSHP=X])+", cigar):
        raise ValueError(f"malformed CIGAR {cigar!r}")
    ops = [(int(n), op) for n, op in re.findall(r"([0-9]+)([MIDNSHP=X])", cigar)]
    if QUANTITY == "blocks":
        blocks, inside = 0, False
        for _, op in ops:
            if op in "M=X":
                blocks += not inside
                inside = True
            elif op in "DN":
                inside = False
        return blocks
    return sum(n for n, op in ops if op in OPS)
"""


def _cigar_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("star", ("*",)),
        Case("empty string", ("",)),
        Case("single match", ("76M",)),
        Case("clips and indels", ("3S10M2I5M3D20M4H",)),
        Case("spliced", ("10M500N15M",)),
        Case("sequence match and mismatch ops", ("5=1X5=2I3=",)),
        Case("insertion between matches", ("4M2I4M1D3M",)),
        Case("missing length", ("M10",)),
        Case("zero length", ("0M5M",)),
        Case("unknown op", ("5M3Z",)),
        Case("lower-case op", ("5m",)),
        Case("many blocks", ("2M1D2M1N2M3D1M2I1M",)),
        Case("padding and hard clips", ("5H3M1P2M2I1=5H",)),
    ]
    cases.extend(Case(f"random CIGAR #{i + 1}", (_cigar(rng)[0],)) for i in range(6))
    return cases


CIGAR_QUANTITY = Family(
    name="cigar_arithmetic",
    topic="alignments",
    func="cigar_quantity",
    signature="(cigar: str) -> int",
    dims={"quantity": tuple(_CIGAR_OPS), "star": ("zero", "raise")},
    describe=_cigar_describe,
    body=_CIGAR_BODY,
    cases=_cigar_cases,
    constants=lambda p: {"QUANTITY": p["quantity"], "OPS": _CIGAR_OPS[p["quantity"]][0], "STAR": p["star"]},
    examples=lambda p: [("2S8M1I4M2D6M",)],
    mutants=(('r"(?:[1-9][0-9]*[MIDNSHP=X])+"', 'r"(?:[0-9]+[MIDNSHP=X])+"'),),
    cite="SAM specification 1.4.6",
)

FAMILIES: Final = (FLAG_COUNT, CIGAR_QUANTITY)
