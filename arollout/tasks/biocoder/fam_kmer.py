"""k-mer statistics: counts, most frequent k-mers, spectra, entropy.

Canonical k-mers (the lexicographically smaller of a k-mer and its reverse
complement) are the convention of k-mer counters such as Jellyfish
(Marçais & Kingsford 2011, Bioinformatics 27:764).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq, with_case

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES", "KMER_HELPERS", "kmer_cases", "kmer_rules")

KMER_HELPERS: Final = """
def _rc(kmer):
    return kmer.translate(str.maketrans("ACGT", "TGCA"))[::-1]


def _kmers(seq, k, step=1):
    s = seq.upper()
    for i in range(0, len(s) - k + 1, step):
        kmer = s[i:i + k]
        if all(c in "ACGT" for c in kmer):
            yield min(kmer, _rc(kmer)) if CANONICAL else kmer
"""


def kmer_rules(p: Params, *, step: int = 1) -> list[str]:
    """The shared rules of how a sequence's k-mers are read."""
    where = (
        "overlapping k-mers (starting at every position)"
        if step == 1
        else f"non-overlapping k-mers starting at positions 0, {step}, {2 * step}, ..."
    )
    return [
        f"Use the {where} of length k = {p['k']}, read case-insensitively (upper-case).",
        "k-mers containing a character other than A, C, G, T are skipped.",
        "Each k-mer is replaced by its canonical form: the lexicographically smaller of the "
        "k-mer and its reverse complement."
        if p["canonical"]
        else "k-mers are taken as they are (no reverse complements).",
    ]


def kmer_cases(p: Params, rng: random.Random, *, n_random: int = 7) -> list[Case]:
    """Edge cases and random sequences for a one-sequence k-mer function."""
    k = p["k"]
    cases = [
        Case("empty sequence", ("",)),
        Case("shorter than k", (rand_seq(rng, k - 1),)),
        Case("exactly k", (rand_seq(rng, k),)),
        Case("lower case", (rand_seq(rng, 3 * k + 4).lower(),)),
        Case("with N", (rand_seq(rng, k + 2) + "N" + rand_seq(rng, 2 * k),)),
        Case("palindromic repeat", ("ACGT" * (k + 2),)),
        Case("homopolymer", ("A" * (2 * k + 3),)),
    ]
    for i in range(n_random):
        alpha = rng.choice(("ACGT", "ACGT", "AC", "ACGTN"))
        seq = rand_seq(rng, rng.randint(k, 12 * k), alpha)
        cases.append(Case(f"random sequence #{i + 1}", (with_case(rng, seq, 0.1),)))
    return cases


def _counts_describe(p: Params) -> str:
    return bullets(
        "Count the k-mers of the DNA sequence `seq`.",
        [
            *kmer_rules(p, step=p["step"] or p["k"]),
            "Return a dict mapping each k-mer that occurs to its count (an int)"
            + (f", keeping only k-mers counted at least {p['min_count']} times" if p["min_count"] > 1 else "")
            + "; a sequence without any (such) k-mer gives {}.",
        ],
    )


_COUNTS_BODY = (
    KMER_HELPERS
    + """

def kmer_counts(seq: str) -> dict:
    counts = {}
    for kmer in _kmers(seq, K, STEP or K):
        counts[kmer] = counts.get(kmer, 0) + 1
    return {kmer: n for kmer, n in counts.items() if n >= MIN_COUNT}
"""
)

KMER_COUNTS = Family(
    name="kmer_counts",
    topic="kmers",
    func="kmer_counts",
    signature="(seq: str) -> dict[str, int]",
    dims={"k": (1, 2, 3, 4, 5, 6, 7, 8), "canonical": (False, True), "step": (1, 0), "min_count": (1, 2)},
    valid=lambda p: p["k"] > 1 or p["step"] == 1,
    describe=_counts_describe,
    body=_COUNTS_BODY,
    cases=kmer_cases,
    examples=lambda p: [("ACGTTGCAAC",)],
    mutants=(('if all(c in "ACGT" for c in kmer)', "if True"), ("len(s) - k + 1", "len(s) - k")),
)


def _top_describe(p: Params) -> str:
    ties = (
        f"Return exactly the first {p['m']} k-mers of that order (fewer if fewer k-mers occur)."
        if p["ties"] == "cut"
        else f"Return every k-mer whose count is at least the count of the {p['m']}-th k-mer of "
        "that order (so ties at the cut are all included), in that order; fewer if fewer k-mers occur."
    )
    return bullets(
        f"Return the {p['m']} most frequent k-mers of `seq`.",
        [
            *kmer_rules(p),
            "Order the k-mers that occur by decreasing count, ties by increasing lexicographic order.",
            ties,
        ],
    )


_TOP_BODY = (
    KMER_HELPERS
    + """

def top_kmers(seq: str) -> list:
    counts = {}
    for kmer in _kmers(seq, K):
        counts[kmer] = counts.get(kmer, 0) + 1
    ranked = sorted(counts, key=lambda km: (-counts[km], km))
    if TIES == "cut" or len(ranked) <= M:
        return ranked[:M]
    floor = counts[ranked[M - 1]]
    return [km for km in ranked if counts[km] >= floor]
"""
)

TOP_KMERS = Family(
    name="top_kmers",
    topic="kmers",
    func="top_kmers",
    signature="(seq: str) -> list[str]",
    dims={"k": (2, 3, 4, 5, 6), "m": (1, 2, 3, 5), "canonical": (False, True), "ties": ("cut", "include")},
    describe=_top_describe,
    body=_TOP_BODY,
    cases=kmer_cases,
    examples=lambda p: [("ACACACGTGT",)],
    mutants=(("key=lambda km: (-counts[km], km)", "key=lambda km: -counts[km]"),),
)


def _spectrum_describe(p: Params) -> str:
    cap = (
        f" Multiplicities of {p['cap']} or more are pooled under the key {p['cap']}."
        if p["cap"]
        else ""
    )
    return bullets(
        "Compute the k-mer spectrum of `seq`: how many distinct k-mers occur once, twice, ...",
        [
            *kmer_rules(p),
            "Return a dict mapping each multiplicity m (an int >= 1) to the number of distinct "
            f"k-mers that occur exactly m times; multiplicities no k-mer has are left out.{cap}",
        ],
    )


_SPECTRUM_BODY = (
    KMER_HELPERS
    + """

def kmer_spectrum(seq: str) -> dict:
    counts = {}
    for kmer in _kmers(seq, K):
        counts[kmer] = counts.get(kmer, 0) + 1
    spectrum = {}
    for c in counts.values():
        m = min(c, CAP) if CAP else c
        spectrum[m] = spectrum.get(m, 0) + 1
    return spectrum
"""
)

KMER_SPECTRUM = Family(
    name="kmer_spectrum",
    topic="kmers",
    func="kmer_spectrum",
    signature="(seq: str) -> dict[int, int]",
    dims={"k": (1, 2, 3, 4, 5, 6, 7, 8), "canonical": (False, True), "cap": (0, 3, 5)},
    describe=_spectrum_describe,
    body=_SPECTRUM_BODY,
    cases=lambda p, rng: kmer_cases(p, rng, n_random=8),
    examples=lambda p: [("AAAACAAAAC",)],
    mutants=(("m = min(c, CAP) if CAP else c", "m = c"), ("s = seq.upper()", "s = seq")),
)


def _entropy_describe(p: Params) -> str:
    base = {2: "2 (bits)", "e": "e (nats)", 10: "10"}[p["base"]]
    norm = (
        " Divide it by the maximum possible entropy, the logarithm (same base) of 4**k, "
        "so the result lies in [0, 1]."
        if p["normalized"]
        else ""
    )
    return bullets(
        "Compute the Shannon entropy of the k-mer composition of `seq`.",
        [
            *kmer_rules({**p, "canonical": False}),
            "With p_x the frequency of k-mer x among all k-mers counted, the entropy is "
            f"-sum_x p_x * log(p_x), logarithm base {base}.{norm}",
            "Return a float; 0.0 when no k-mer is counted.",
        ],
    )


_ENTROPY_BODY = """
import math

def kmer_entropy(seq: str) -> float:
    s = seq.upper()
    counts = {}
    for i in range(len(s) - K + 1):
        kmer = s[i:i + K]
        if all(c in "ACGT" for c in kmer):
            counts[kmer] = counts.get(kmer, 0) + 1
    total = sum(counts.values())
    if not total:
        return 0.0
    log_base = math.e if BASE == "e" else BASE
    h = -sum(c / total * math.log(c / total, log_base) for c in counts.values())
    return h / math.log(4 ** K, log_base) if NORMALIZED else h
"""

KMER_ENTROPY = Family(
    name="kmer_entropy",
    topic="kmers",
    func="kmer_entropy",
    signature="(seq: str) -> float",
    dims={"k": (1, 2, 3, 4, 5, 6), "base": (2, "e", 10), "normalized": (False, True)},
    valid=lambda p: not p["normalized"] or p["base"] == 2,  # a ratio of logs has no base
    describe=_entropy_describe,
    body=_ENTROPY_BODY,
    cases=lambda p, rng: kmer_cases({**p, "canonical": False}, rng),
    examples=lambda p: [("ACGTACGTAA",)],
    mutants=(("range(len(s) - K + 1)", "range(0, len(s) - K + 1, K)"), ("s = seq.upper()", "s = seq")),
    cite="Shannon 1948",
)

FAMILIES: Final = (KMER_COUNTS, TOP_KMERS, KMER_SPECTRUM, KMER_ENTROPY)
