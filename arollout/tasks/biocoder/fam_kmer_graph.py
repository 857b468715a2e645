"""k-mers between sequences: set distances, minimizers, clumps, de Bruijn edges.

Minimizers after Roberts et al. 2004 (Bioinformatics 20:3363); (L, t)-clumps
as in Rosalind BA1E (Compeau & Pevzner, "Bioinformatics Algorithms"); the de
Bruijn graph of reads as in Compeau, Pevzner & Tesler 2011 (Nat Biotechnol
29:987); Bray-Curtis dissimilarity (Bray & Curtis 1957).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.fam_kmer import KMER_HELPERS, kmer_rules
from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq, with_case

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)


def _mutated(rng: random.Random, seq: str, rate: float) -> str:
    return "".join(rng.choice("ACGT") if rng.random() < rate else c for c in seq)


_METRICS: Final = {
    "jaccard": "1 - |A & B| / |A | B| over the sets A and B of k-mers of `a` and `b`",
    "containment": "1 - |A & B| / |A| over the sets A and B of k-mers of `a` and `b`",
    "bray_curtis": "1 - 2 * sum_x min(a_x, b_x) / (sum_x a_x + sum_x b_x) over the k-mer "
    "counts a_x and b_x (Bray-Curtis dissimilarity)",
    "cosine": "1 - (sum_x a_x * b_x) / (sqrt(sum_x a_x**2) * sqrt(sum_x b_x**2)) over the k-mer "
    "counts a_x and b_x",
}


def _distance_describe(p: Params) -> str:
    empty = (
        "If `a` has no k-mer, return 0.0."
        if p["metric"] == "containment"
        else "If both have no k-mer, return 0.0"
        + (
            "; if only one has none, return 1.0."
            if p["metric"] == "cosine"
            else " (otherwise the formula applies)."
        )
    )
    return bullets(
        "Compute a k-mer distance between the DNA sequences `a` and `b`.",
        [*kmer_rules(p), f"The distance is {_METRICS[p['metric']]}.", empty, "Return a float."],
    )


_DISTANCE_BODY = (
    "import math\n"
    + KMER_HELPERS
    + """

def kmer_distance(a: str, b: str) -> float:
    ca, cb = {}, {}
    for seq, counts in ((a, ca), (b, cb)):
        for kmer in _kmers(seq, K):
            counts[kmer] = counts.get(kmer, 0) + 1
    if METRIC == "containment":
        return 1 - len(ca.keys() & cb.keys()) / len(ca) if ca else 0.0
    if not ca and not cb:
        return 0.0
    if METRIC == "jaccard":
        return 1 - len(ca.keys() & cb.keys()) / len(ca.keys() | cb.keys())
    if METRIC == "bray_curtis":
        shared = sum(min(ca[x], cb[x]) for x in ca.keys() & cb.keys())
        return 1 - 2 * shared / (sum(ca.values()) + sum(cb.values()))
    if not ca or not cb:
        return 1.0
    dot = sum(ca[x] * cb[x] for x in ca.keys() & cb.keys())
    norm = math.sqrt(sum(v * v for v in ca.values())) * math.sqrt(sum(v * v for v in cb.values()))
    return 1 - dot / norm
"""
)


def _pair_cases(p: Params, rng: random.Random) -> list[Case]:
    k = p["k"]
    base = rand_seq(rng, 4 * k + 6)
    cases = [
        Case("both empty", ("", "")),
        Case("first empty", ("", base)),
        Case("second empty", (base, "")),
        Case("identical", (base, base)),
        Case("reverse complement", (base, base.translate(str.maketrans("ACGT", "TGCA"))[::-1])),
        Case("case and N", (base.lower(), base[: 2 * k] + "N" + base[2 * k + 1 :])),
        Case("repeats", ("AC" * (2 * k), "ACAC" + "GT" * k)),
    ]
    for i in range(7):
        a = rand_seq(rng, rng.randint(k, 10 * k))
        b = _mutated(rng, a, rng.choice((0.05, 0.2, 0.5))) if rng.random() < 0.7 else rand_seq(rng, rng.randint(k, 10 * k))
        cases.append(Case(f"random pair #{i + 1}", (with_case(rng, a, 0.1), b)))
    return cases


KMER_DISTANCE = Family(
    name="kmer_distance",
    topic="kmers",
    func="kmer_distance",
    signature="(a: str, b: str) -> float",
    dims={"k": (2, 3, 4, 5, 6, 7), "metric": tuple(_METRICS), "canonical": (False, True)},
    describe=_distance_describe,
    body=_DISTANCE_BODY,
    cases=_pair_cases,
    examples=lambda p: [("ACGTACGTT", "ACGTTCGTA")],
    mutants=(('if all(c in "ACGT" for c in kmer)', "if True"),),
)


def _minimizer_describe(p: Params) -> str:
    w, k = p["w"], p["k"]
    order = (
        "lexicographically smallest k-mer"
        if p["order"] == "lex"
        else "k-mer whose canonical form (the smaller of it and its reverse complement) is "
        "lexicographically smallest, and report that canonical form"
    )
    tie = "leftmost" if p["tie"] == "leftmost" else "rightmost"
    return bullets(
        f"Compute the ({w}, {k})-minimizers of the DNA sequence `seq` (letters A, C, G, T, any case).",
        [
            f"The k-mers (k = {k}) of seq are read upper-case, one starting at every position.",
            f"Every window of {w} consecutive k-mers selects its {order}; on ties the {tie} one "
            "of the window.",
            f"If seq has at least one but fewer than {w} k-mers, all of them form a single window; "
            "a sequence shorter than k gives [].",
            "Return the distinct selections as (position, k-mer) tuples (position: 0-based start "
            "in seq), sorted by position.",
        ],
    )


_MINIMIZER_BODY = """
def minimizers(seq: str) -> list:
    s = seq.upper()
    pair = str.maketrans("ACGT", "TGCA")
    kmers = [s[i:i + K] for i in range(len(s) - K + 1)]
    if ORDER == "canonical":
        kmers = [min(km, km.translate(pair)[::-1]) for km in kmers]
    if not kmers:
        return []
    span = min(W, len(kmers))
    chosen = set()
    for start in range(len(kmers) - span + 1):
        window = range(start, start + span)
        best = min(kmers[i] for i in window)
        hits = [i for i in window if kmers[i] == best]
        pos = hits[0] if TIE == "leftmost" else hits[-1]
        chosen.add((pos, kmers[pos]))
    return sorted(chosen)
"""


def _minimizer_cases(p: Params, rng: random.Random) -> list[Case]:
    k, w = p["k"], p["w"]
    cases = [
        Case("empty sequence", ("",)),
        Case("shorter than k", (rand_seq(rng, k - 1),)),
        Case("fewer k-mers than a window", (rand_seq(rng, k + w - 2),)),
        Case("homopolymer (ties everywhere)", ("C" * (k + w + 3),)),
        Case("lower case", (rand_seq(rng, k + w + 6).lower(),)),
        Case("dinucleotide repeat", ("GT" * (k + w),)),
    ]
    cases.extend(Case(f"random sequence #{i + 1}", (rand_seq(rng, rng.randint(k + w, 8 * (k + w)), rng.choice(("ACGT", "ACG", "AT"))),)) for i in range(7))
    return cases


MINIMIZERS = Family(
    name="minimizers",
    topic="kmers",
    func="minimizers",
    signature="(seq: str) -> list[tuple[int, str]]",
    dims={"w": (2, 3, 4, 5, 6), "k": (2, 3, 4, 5, 6), "order": ("lex", "canonical"), "tie": ("leftmost", "rightmost")},
    describe=_minimizer_describe,
    body=_MINIMIZER_BODY,
    cases=_minimizer_cases,
    examples=lambda p: [("GATTACAGATTACA",)],
    mutants=(("span = min(W, len(kmers))", "span = W"), ("s = seq.upper()", "s = seq")),
    cite="Roberts et al. 2004",
)


def _clump_describe(p: Params) -> str:
    return bullets(
        f"Find the k-mers forming ({p['window']}, {p['t']})-clumps in `genome` (k = {p['k']}).",
        [
            "Read `genome` case-insensitively (upper-case); k-mers are counted at every start "
            "position, overlapping occurrences included.",
            f"A k-mer forms a clump if some window of {p['window']} consecutive characters "
            f"contains at least {p['t']} occurrences of it lying entirely inside the window. A "
            "genome shorter than the window has no clump.",
            "Return the distinct clump-forming k-mers sorted lexicographically.",
        ],
    )


_CLUMP_BODY = """
def find_clumps(genome: str) -> list:
    s = genome.upper()
    found = set()
    positions = {}
    for i in range(len(s) - K + 1):
        positions.setdefault(s[i:i + K], []).append(i)
    for kmer, starts in positions.items():
        for j in range(len(starts) - T + 1):
            if starts[j + T - 1] + K - starts[j] <= WINDOW:
                found.add(kmer)
                break
    return sorted(found)
"""


def _clump_cases(p: Params, rng: random.Random) -> list[Case]:
    k, L, t = p["k"], p["window"], p["t"]
    motif = rand_seq(rng, k)
    gap = max((L - t * k) // max(t - 1, 1), 0)
    tight = (motif + rand_seq(rng, gap)) * (t - 1) + motif
    loose = (motif + rand_seq(rng, gap + 2)) * (t - 1) + motif
    cases = [
        Case("empty genome", ("",)),
        Case("shorter than the window", (motif * t,)),
        Case("clump that just fits", (rand_seq(rng, 5) + tight + rand_seq(rng, L),)),
        Case("occurrences just too far apart", (rand_seq(rng, 3) + loose + rand_seq(rng, L),)),
        Case("lower case", ((rand_seq(rng, 4) + tight + rand_seq(rng, L)).lower(),)),
        Case("overlapping occurrences", ("A" * (k + t + 2) + rand_seq(rng, L),)),
    ]
    for i in range(7):
        parts = [rand_seq(rng, rng.randint(L // 2, 2 * L), "ACGT")]
        for _ in range(rng.randint(1, 3)):
            parts += [(rand_seq(rng, k) + rand_seq(rng, rng.randint(0, gap + 2))) * t]
            parts += [rand_seq(rng, rng.randint(0, L))]
        cases.append(Case(f"random genome #{i + 1}", ("".join(parts),)))
    return cases


FIND_CLUMPS = Family(
    name="kmer_clumps",
    topic="kmers",
    func="find_clumps",
    signature="(genome: str) -> list[str]",
    dims={"k": (3, 4, 5, 6), "window": (15, 20, 25, 30, 40), "t": (2, 3, 4)},
    describe=_clump_describe,
    body=_CLUMP_BODY,
    cases=_clump_cases,
    valid=lambda p: p["k"] * p["t"] <= p["window"],
    examples=lambda p: [("ACGTACGTACGT" + "TTTTGGGGCCCC" * 2,)],
    mutants=(("+ K - starts[j] <= WINDOW", "- starts[j] <= WINDOW"), ("s = genome.upper()", "s = genome")),
    cite="Rosalind BA1E",
)


def _debruijn_describe(p: Params) -> str:
    return bullets(
        f"Build the de Bruijn graph of the reads `reads` for k = {p['k']}.",
        [
            "Every k-mer of every read (read upper-case, overlapping, one per start position) "
            "gives one edge from its prefix (first k-1 letters) to its suffix (last k-1 letters); "
            "k-mers with a character other than A/C/G/T are skipped.",
            "The reverse complement of every read contributes its k-mers too."
            if p["rc"]
            else "Only the reads as given contribute (no reverse complements).",
            f"Edges are counted with multiplicity; keep edges seen at least {p['min_count']} time(s).",
            "Return a list of (prefix, suffix, count) tuples sorted by (prefix, suffix).",
        ],
    )


_DEBRUIJN_BODY = """
def debruijn_edges(reads: list) -> list:
    pair = str.maketrans("ACGT", "TGCA")
    counts = {}
    for read in reads:
        s = read.upper()
        for strand in (s, s.translate(pair)[::-1]) if RC else (s,):
            for i in range(len(strand) - K + 1):
                kmer = strand[i:i + K]
                if all(c in "ACGT" for c in kmer):
                    edge = (kmer[:-1], kmer[1:])
                    counts[edge] = counts.get(edge, 0) + 1
    return sorted((a, b, n) for (a, b), n in counts.items() if n >= MIN_COUNT)
"""


def _debruijn_cases(p: Params, rng: random.Random) -> list[Case]:
    k = p["k"]
    genome = rand_seq(rng, 6 * k)
    cases = [
        Case("no reads", ([],)),
        Case("reads shorter than k", ([rand_seq(rng, k - 1), ""],)),
        Case("one read", ([rand_seq(rng, k + 3)],)),
        Case("repeated read", ([genome[: 2 * k]] * 3,)),
        Case("lower case and N", ([genome[:k + 2].lower(), genome[k:3 * k] + "N" + genome[:3]],)),
    ]
    for i in range(7):
        g = rand_seq(rng, rng.randint(3 * k, 10 * k))
        reads = []
        for _ in range(rng.randint(2, 6)):
            start = rng.randrange(0, len(g) - k)
            reads.append(g[start : start + rng.randint(k, 3 * k)])
        cases.append(Case(f"random reads #{i + 1}", (reads,)))
    return cases


DEBRUIJN = Family(
    name="de_bruijn_graph",
    topic="kmers",
    func="debruijn_edges",
    signature="(reads: list[str]) -> list[tuple[str, str, int]]",
    dims={"k": (3, 4, 5, 6, 7, 8), "rc": (False, True), "min_count": (1, 2)},
    describe=_debruijn_describe,
    body=_DEBRUIJN_BODY,
    cases=_debruijn_cases,
    examples=lambda p: [(["ACGTACGTA", "CGTAC"],)],
    mutants=(("edge = (kmer[:-1], kmer[1:])", "edge = (kmer[:-1], kmer[-1:])"),),
    cite="Compeau, Pevzner & Tesler 2011",
)

FAMILIES: Final = (KMER_DISTANCE, MINIMIZERS, FIND_CLUMPS, DEBRUIJN)
