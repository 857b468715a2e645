"""Phred quality: expected errors, read trimming and filtering.

Expected errors and the max-EE filter as in USEARCH/VSEARCH ``fastq_maxee``
(Edgar & Flyvbjerg 2015, Bioinformatics 31:3476); LEADING/TRAILING and a
sliding-window rule after Trimmomatic (Bolger et al. 2014, Bioinformatics
30:2114); the 3'/5' trimming algorithm of BWA as documented by cutadapt
(Martin 2011, EMBnet.journal 17:10, "Quality trimming" in its user guide).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.fam_fasta import FASTQ_PARSER, fastq_text, random_quality
from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)


def _ee_describe(p: Params) -> str:
    clamp = []
    if p["qmin"]:
        clamp.append(f"scores below {p['qmin']} are raised to {p['qmin']}")
    if p["qmax"]:
        clamp.append(f"scores above {p['qmax']} are lowered to {p['qmax']}")
    return bullets(
        "Compute the expected number of errors of a read from its quality string `qual`.",
        [
            f"Each character encodes a Phred score Q = ord(c) - {p['offset']}; a negative Q raises ValueError.",
            ("Before use, " + " and ".join(clamp) + ".") if clamp else "Scores are used as they are.",
            "The error probability of a base is 10 ** (-Q / 10).",
            "Return the sum of the error probabilities (0.0 for an empty string)."
            if p["mode"] == "sum"
            else "Return the mean error probability per base (0.0 for an empty string).",
        ],
    )


_EE_BODY = """
def expected_errors(qual: str) -> float:
    total = 0.0
    for ch in qual:
        q = ord(ch) - OFFSET
        if q < 0:
            raise ValueError("quality below the encoding offset")
        q = max(q, QMIN)
        if QMAX:
            q = min(q, QMAX)
        total += 10 ** (-q / 10)
    if MODE == "mean":
        return total / len(qual) if qual else 0.0
    return total
"""


def _ee_cases(p: Params, rng: random.Random) -> list[Case]:
    o = p["offset"]
    cases = [
        Case("empty string", ("",)),
        Case("Q0 bases", (chr(o) * 3,)),
        Case("very high scores", (chr(o + 45) + chr(o + 62) + chr(o + 41),)),
        Case("low scores", (chr(o + 1) + chr(o + 2) + chr(o + 3),)),
        Case("character below the offset", (chr(o - 1) + chr(o + 20),)),
    ]
    cases.extend(Case(f"random qualities #{i + 1}", (random_quality(rng, rng.randint(1, 60), o, 0, 45),)) for i in range(7))
    return cases


EXPECTED_ERRORS = Family(
    name="expected_errors",
    topic="quality",
    func="expected_errors",
    signature="(qual: str) -> float",
    dims={"offset": (33, 64), "mode": ("sum", "mean"), "qmin": (0, 2), "qmax": (0, 41, 60)},
    describe=_ee_describe,
    body=_EE_BODY,
    cases=_ee_cases,
    examples=lambda p: [(chr(p["offset"] + 10) + chr(p["offset"] + 20) + chr(p["offset"] + 30),)],
    mutants=(("10 ** (-q / 10)", "10 ** (-q / 100)"),),
    cite="Edgar & Flyvbjerg 2015",
)


def _pair_checks(p: Params) -> list[str]:
    return [
        f"`qual` holds one Phred score per base of `seq`: Q = ord(c) - {p['offset']}. Strings of "
        "different lengths raise ValueError.",
    ]


def _ends_describe(p: Params) -> str:
    t = p["threshold"]
    ends = {
        "both": f"Remove bases from the 5' end while their Q < {t}, then from the 3' end while their Q < {t}.",
        "3prime": f"Remove bases from the 3' end while their Q < {t} (the 5' end is left alone).",
        "5prime": f"Remove bases from the 5' end while their Q < {t} (the 3' end is left alone).",
    }[p["ends"]]
    return bullets(
        "Trim low-quality bases from the ends of a read (like Trimmomatic's LEADING/TRAILING).",
        [*_pair_checks(p), ends, "Return the tuple (trimmed_seq, trimmed_qual); a fully trimmed read gives ('', '')."],
    )


_ENDS_BODY = """
def trim_ends(seq: str, qual: str) -> tuple:
    if len(seq) != len(qual):
        raise ValueError("lengths differ")
    q = [ord(c) - OFFSET for c in qual]
    start, stop = 0, len(q)
    if ENDS in ("both", "5prime"):
        while start < stop and q[start] < THRESHOLD:
            start += 1
    if ENDS in ("both", "3prime"):
        while stop > start and q[stop - 1] < THRESHOLD:
            stop -= 1
    return (seq[start:stop], qual[start:stop])
"""


def _read_pair(rng: random.Random, o: int, n: int, low_ends: bool = False) -> tuple[str, str]:
    qual = random_quality(rng, n, o, 2, 40)
    if low_ends and n > 4:
        bad = "".join(chr(o + rng.randint(0, 9)) for _ in range(rng.randint(1, 3)))
        qual = bad + qual[len(bad) : -len(bad)] + bad
    return rand_seq(rng, n), qual


def _trim_cases(p: Params, rng: random.Random, threshold: int) -> list[Case]:
    o = p["offset"]
    hi, lo = chr(o + threshold + 5), chr(o + max(threshold - 3, 0))
    at = chr(o + threshold)
    cases = [
        Case("empty read", ("", "")),
        Case("all low quality", ("ACGT", lo * 4)),
        Case("all high quality", ("ACGTA", hi * 5)),
        Case("score exactly at the threshold", ("ACGTAC", at + hi * 4 + at)),
        Case("every base at the threshold", ("ACGTACGTAC", at * 10)),
        Case("low bases at both ends", ("GATTACA", lo + lo + hi * 3 + lo + lo)),
        Case("length mismatch", ("ACGT", hi * 3)),
        Case("low base inside", ("ACGTACGT", hi * 3 + lo + hi * 4)),
    ]
    cases.extend(Case(f"random read #{i + 1}", _read_pair(rng, o, rng.randint(3, 50), rng.random() < 0.6)) for i in range(7))
    return cases


TRIM_ENDS = Family(
    name="trim_read_ends",
    topic="quality",
    func="trim_ends",
    signature="(seq: str, qual: str) -> tuple[str, str]",
    dims={"threshold": (3, 5, 10, 15, 20, 25, 30), "ends": ("both", "3prime", "5prime"), "offset": (33, 64)},
    describe=_ends_describe,
    body=_ENDS_BODY,
    cases=lambda p, rng: _trim_cases(p, rng, p["threshold"]),
    examples=lambda p: [("ACGTAC", "".join(chr(p["offset"] + v) for v in (2, 30, 35, 32, 12, 2)))],
    mutants=(("q[stop - 1] < THRESHOLD", "q[stop - 1] <= THRESHOLD"),),
    cite="Bolger et al. 2014",
)


def _window_describe(p: Params) -> str:
    w, q = p["window"], p["quality"]
    return bullets(
        f"Trim a read with a sliding window of {w} bases and a required mean quality of {q}.",
        [
            *_pair_checks(p),
            f"Scan the windows qual[i:i + {w}] for i = 0, 1, 2, ... while i + {w} <= len(qual). "
            f"The first window whose mean score is below {q} (sum of its scores < {q} * {w}) cuts "
            "the read at i: keep seq[:i] and qual[:i].",
            f"If no window fails, keep the whole read. A non-empty read shorter than {w} is judged "
            "as one window of all its bases (mean below the threshold: keep nothing).",
            "Return the tuple (trimmed_seq, trimmed_qual).",
        ],
    )


_WINDOW_BODY = """
def sliding_window_trim(seq: str, qual: str) -> tuple:
    if len(seq) != len(qual):
        raise ValueError("lengths differ")
    q = [ord(c) - OFFSET for c in qual]
    if 0 < len(q) < WINDOW:
        return ("", "") if sum(q) < QUALITY * len(q) else (seq, qual)
    for i in range(len(q) - WINDOW + 1):
        if sum(q[i:i + WINDOW]) < QUALITY * WINDOW:
            return (seq[:i], qual[:i])
    return (seq, qual)
"""

SLIDING_WINDOW = Family(
    name="sliding_window_trim",
    topic="quality",
    func="sliding_window_trim",
    signature="(seq: str, qual: str) -> tuple[str, str]",
    dims={"window": (2, 3, 4, 5, 8), "quality": (10, 15, 20, 25, 30), "offset": (33, 64)},
    describe=_window_describe,
    body=_WINDOW_BODY,
    cases=lambda p, rng: _trim_cases(p, rng, p["quality"]),
    examples=lambda p: [("ACGTACGT", "".join(chr(p["offset"] + v) for v in (35, 36, 30, 28, 8, 30, 3, 2)))],
    mutants=(("< QUALITY * WINDOW", "<= QUALITY * WINDOW"), ("return (seq[:i], qual[:i])", "return (seq[:i + 1], qual[:i + 1])")),
    cite="Bolger et al. 2014",
)


def _bwa_describe(p: Params) -> str:
    t = p["threshold"]
    five = (
        f"5' end first: walk from the first base forward with a running sum s of ({t} - Q); "
        "stop as soon as s < 0. The read is cut after the position where s was largest (strictly "
        "larger than every earlier value and than 0); if s never exceeded 0, nothing is trimmed. "
        "Then the 3' end, on what is left: "
        if p["ends"] == "both"
        else "3' end: "
    )
    return bullets(
        f"Quality-trim a read with the BWA algorithm (as in cutadapt -q {t}).",
        [
            *_pair_checks(p),
            five
            + f"walk from the last base towards the first, keeping a running sum s of ({t} - Q) "
            "(starting at 0); stop as soon as s < 0. The read is cut before the position where s "
            "was largest (strictly larger than every earlier value and than 0); if s never "
            "exceeded 0, nothing is trimmed at that end.",
            "Return the tuple (trimmed_seq, trimmed_qual).",
        ],
    )


_BWA_BODY = """
def bwa_trim(seq: str, qual: str) -> tuple:
    if len(seq) != len(qual):
        raise ValueError("lengths differ")
    q = [ord(c) - OFFSET for c in qual]
    start, stop = 0, len(q)
    if ENDS == "both":
        s = best = 0
        for i in range(stop):
            s += THRESHOLD - q[i]
            if s < 0:
                break
            if s > best:
                best, start = s, i + 1
    s = best = 0
    cut = stop
    for i in range(stop - 1, start - 1, -1):
        s += THRESHOLD - q[i]
        if s < 0:
            break
        if s > best:
            best, cut = s, i
    return (seq[start:cut], qual[start:cut])
"""

BWA_TRIM = Family(
    name="bwa_quality_trim",
    topic="quality",
    func="bwa_trim",
    signature="(seq: str, qual: str) -> tuple[str, str]",
    dims={"threshold": (5, 10, 15, 20, 25, 30, 35), "ends": ("3prime", "both"), "offset": (33, 64)},
    describe=_bwa_describe,
    body=_BWA_BODY,
    cases=lambda p, rng: _trim_cases(p, rng, p["threshold"]),
    examples=lambda p: [("ACGTACGTAC", "".join(chr(p["offset"] + v) for v in (10, 40, 40, 40, 40, 40, 35, 10, 40, 2)))],
    mutants=(("best, cut = s, i", "best, cut = s, i + 1"), ("if s > best:\n            best, cut", "if s >= best:\n            best, cut")),
    cite="cutadapt (Martin 2011)",
)


def _filter_describe(p: Params) -> str:
    return bullets(
        "Return the ids of the reads of the FASTQ text `text` that pass a quality filter.",
        [
            "Every read is 4 lines ('@' header, sequence, '+' line, qualities; a trailing '\\r' "
            "is dropped and blank lines at the end are ignored); a malformed or incomplete record, "
            "or a quality string of the wrong length, raises ValueError.",
            f"Phred scores are Q = ord(c) - {p['offset']} (a negative Q raises ValueError); the "
            "expected errors of a read are the sum of 10 ** (-Q / 10) over its bases.",
            f"A read passes if its length is >= {p['min_len']}, its expected errors are <= "
            f"{p['maxee']}, and it has at most {p['max_n']} N/n bases.",
            "The id is the first whitespace-separated word after '@'. Return the ids of the "
            "passing reads in file order.",
        ],
    )


_FILTER_BODY = (
    FASTQ_PARSER
    + """

def filter_reads(text: str) -> list:
    kept = []
    for head, seq, _, quals in _fastq(text):
        errors = sum(10 ** (-q / 10) for q in quals)
        n_count = sum(1 for c in seq if c in "Nn")
        if len(seq) >= MIN_LEN and errors <= MAXEE and n_count <= MAX_N:
            kept.append((head.split() or [""])[0])
    return kept
"""
)


def _filter_cases(p: Params, rng: random.Random) -> list[Case]:
    o = p["offset"]
    hi = chr(o + 38)
    cases = [
        Case("empty text", ("",)),
        Case("one clean read", (f"@ok\n{'A' * 40}\n+\n{hi * 40}\n",)),
        Case("read with N bases", (f"@n1\n{'A' * 35}NN{'C' * 3}\n+\n{hi * 40}\n@n0\n{'G' * 40}\n+\n{hi * 40}\n",)),
        Case("short read", (f"@s\nACGT\n+\n{hi * 4}\n",)),
        Case("low quality read", (f"@low x\n{'T' * 40}\n+\n{chr(o + 12) * 40}\n",)),
        Case("malformed record", (f"@a\nACGT\n-\n{hi * 4}\n",)),
    ]
    ee = "".join(
        f"@ee{n}\n{rand_seq(rng, 40)}\n+\n{chr(o + 10) * n + hi * (40 - n)}\n" for n in (4, 7, 15, 25)
    )
    # just below each limit: tens of Q10 (0.1 each) and Q20 (0.01 each) bases, the rest Q40
    ee += "".join(
        f"@near{t}{h}\n{rand_seq(rng, 40)}\n+\n{chr(o + 10) * t + chr(o + 20) * h + chr(o + 40) * (40 - t - h)}\n"
        for t, h in ((4, 8), (9, 7), (19, 5))
    )
    ns = "".join(f"@n{k}\n{'N' * k + rand_seq(rng, 40 - k)}\n+\n{hi * 40}\n" for k in (1, 2, 3, 4))
    ns += "".join(f"@lower{k}\n{'n' * k + rand_seq(rng, 40 - k).lower()}\n+\n{hi * 40}\n" for k in (1, 2, 4))
    sizes = "".join(f"@len{n}\n{rand_seq(rng, n)}\n+\n{hi * n}\n" for n in (14, 15, 29, 30, 31))
    cases += [
        Case("expected errors around the limits", (ee,)),
        Case("one to four N bases", (ns,)),
        Case("lengths around the limits", (sizes,)),
    ]
    cases.extend(Case(f"random FASTQ #{i + 1}", (fastq_text(rng, rng.randint(2, 8), o, lengths=(5, 60)),)) for i in range(7))
    return cases


FILTER_READS = Family(
    name="fastq_filter",
    topic="quality",
    func="filter_reads",
    signature="(text: str) -> list[str]",
    dims={"min_len": (0, 15, 30), "maxee": (0.5, 1.0, 2.0), "max_n": (0, 1, 3), "offset": (33, 64)},
    describe=_filter_describe,
    body=_FILTER_BODY,
    cases=_filter_cases,
    examples=lambda p: [(f"@r1\nACGTN\n+\n{chr(p['offset'] + 30) * 5}\n",)],
    mutants=(("errors <= MAXEE", "errors < MAXEE * 0.9"), ('if c in "Nn"', 'if c == "N"')),
    cite="Edgar & Flyvbjerg 2015",
)

FAMILIES: Final = (EXPECTED_ERRORS, TRIM_ENDS, SLIDING_WINDOW, BWA_TRIM, FILTER_READS)
