"""Sequence composition: melting temperature, homopolymers, complexity, DUST.

Formulas: the Wallace rule (Wallace et al. 1979, Nucleic Acids Res 6:3543) and
the "basic" and "salt adjusted" long-oligo formulas of OligoCalc (Kibbe 2007,
Nucleic Acids Res 35:W43); linguistic complexity after Trifonov (1990) as in
Orlov & Potapov 2004 (Nucleic Acids Res 32:W628); the DUST triplet score of
Morgulis et al. 2006 (J Comput Biol 13:1028).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq, with_case

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)


def _tm_describe(p: Params) -> str:
    rule = p["long_rule"]
    if rule == "basic":
        long = "Tm = 64.9 + 41 * (G + C - 16.4) / N"
    else:
        na = rule.split(":")[1]
        long = f"Tm = 81.5 + 16.6 * log10({na}) + 0.41 * (100 * (G + C) / N) - 675 / N ([Na+] = {na} M)"
    return bullets(
        "Estimate the melting temperature (degrees C) of the primer `primer`.",
        [
            "Count A, C, G and T case-insensitively; N is the number of counted bases.",
            "N (the letter) is ignored: it is counted nowhere and does not add to the length."
            if p["n_policy"] == "ignore"
            else "The letter N raises ValueError.",
            "Any other character raises ValueError; so does a primer with no counted base.",
            f"If N < {p['threshold']}: Tm = 2 * (A + T) + 4 * (G + C) (the Wallace rule).",
            f"Otherwise: {long}.",
            "Return a float.",
        ],
    )


_TM_BODY = """
import math

def melting_temp(primer: str) -> float:
    counts = {"A": 0, "C": 0, "G": 0, "T": 0}
    for ch in primer.upper():
        if ch in counts:
            counts[ch] += 1
        elif ch == "N" and N_POLICY == "ignore":
            continue
        else:
            raise ValueError(f"invalid character {ch!r}")
    n = sum(counts.values())
    if n == 0:
        raise ValueError("no bases")
    gc = counts["G"] + counts["C"]
    if n < THRESHOLD:
        return float(2 * (counts["A"] + counts["T"]) + 4 * gc)
    if LONG_RULE == "basic":
        return 64.9 + 41 * (gc - 16.4) / n
    na = float(LONG_RULE.split(":")[1])
    return 81.5 + 16.6 * math.log10(na) + 0.41 * (100 * gc / n) - 675 / n
"""


def _tm_cases(p: Params, rng: random.Random) -> list[Case]:
    t = p["threshold"]
    cases = [
        Case("empty primer", ("",)),
        Case("one below the length threshold", (rand_seq(rng, t - 1),)),
        Case("at the length threshold", (rand_seq(rng, t),)),
        Case("lower-case primer", (rand_seq(rng, t + 3).lower(),)),
        Case("contains N", (rand_seq(rng, t - 2) + "NN" + rand_seq(rng, 2),)),
        Case("invalid character", ("ACGU",)),
        Case("only N", ("NNN",)),
    ]
    cases.extend(Case(f"random primer #{i + 1}", (with_case(rng, rand_seq(rng, rng.randint(4, 40)), 0.1),)) for i in range(7))
    return cases


MELTING_TEMP = Family(
    name="melting_temperature",
    topic="sequence",
    func="melting_temp",
    signature="(primer: str) -> float",
    dims={
        "threshold": (8, 10, 12, 13, 14, 15, 16, 18, 20),
        "long_rule": ("basic", "salt:0.05", "salt:0.1", "salt:0.2"),
        "n_policy": ("ignore", "raise"),
    },
    describe=_tm_describe,
    body=_TM_BODY,
    cases=_tm_cases,
    examples=lambda p: [("ACGTACGTAC",)],
    mutants=(("if n < THRESHOLD:", "if n <= THRESHOLD:"), ("(gc - 16.4)", "(gc - 16)")),
    cite="Wallace 1979; OligoCalc (Kibbe 2007)",
)


def _homo_describe(p: Params) -> str:
    return bullets(
        "Report the homopolymer runs of `seq` (maximal stretches of one repeated letter).",
        [
            f"Report every run of length >= {p['min_run']}.",
            "Letters are compared case-insensitively and reported upper-case."
            if p["case"] == "insensitive"
            else "Letters are compared case-sensitively ('a' and 'A' differ) and reported as "
            "they appear.",
            "Runs of N (either case) are not reported." if p["skip_n"] else "Runs of N are reported like any other.",
            f"Each run is a tuple (letter, start, length) where start is {p['base']}-based.",
            "Return the runs in order of their start.",
        ],
    )


_HOMO_BODY = """
def homopolymer_runs(seq: str) -> list:
    key = str.upper if CASE == "insensitive" else (lambda c: c)
    out = []
    i = 0
    while i < len(seq):
        j = i
        while j + 1 < len(seq) and key(seq[j + 1]) == key(seq[i]):
            j += 1
        letter, length = key(seq[i]), j - i + 1
        if length >= MIN_RUN and not (SKIP_N and letter.upper() == "N"):
            out.append((letter, i + BASE, length))
        i = j + 1
    return out
"""


def _homo_cases(p: Params, rng: random.Random) -> list[Case]:
    m = p["min_run"]
    cases = [
        Case("empty sequence", ("",)),
        Case("run at the very end", ("AC" + "G" * m,)),
        Case("run at the very start", ("T" * m + "CA",)),
        Case("mixed-case run", ("C" + "aA" * m + "G",)),
        Case("run of N", ("A" + "N" * (m + 1) + "C",)),
        Case("run one shorter than the minimum", ("G" + "T" * (m - 1) + "G",)),
        Case("whole sequence one run", ("C" * (m + 2),)),
    ]
    for i in range(7):
        parts = [b * rng.choice((1, 1, 2, m - 1, m, m + 2)) for b in rand_seq(rng, rng.randint(5, 14), "ACGTN")]
        cases.append(Case(f"random sequence #{i + 1}", (with_case(rng, "".join(parts), 0.15),)))
    return cases


HOMOPOLYMERS = Family(
    name="homopolymer_runs",
    topic="sequence",
    func="homopolymer_runs",
    signature="(seq: str) -> list[tuple[str, int, int]]",
    dims={
        "min_run": (2, 3, 4, 5, 6, 7),
        "case": ("insensitive", "sensitive"),
        "skip_n": (False, True),
        "base": (0, 1),
    },
    describe=_homo_describe,
    body=_HOMO_BODY,
    cases=_homo_cases,
    examples=lambda p: [("ACCCCGTTTTTA",)],
    mutants=(("while j + 1 < len(seq)", "while j + 2 < len(seq)"), ("length >= MIN_RUN", "length > MIN_RUN")),
)


def _lc_describe(p: Params) -> str:
    comb = (
        "the product of U_k over those k"
        if p["combine"] == "product"
        else "the arithmetic mean of U_k over those k"
    )
    return bullets(
        "Compute the linguistic complexity of the DNA sequence `seq` (letters A, C, G, T in "
        "either case).",
        [
            f"For k = {p['kmin']}..{p['kmax']}, U_k = (number of distinct k-mers in seq, "
            "case-insensitively) / min(4**k, len(seq) - k + 1).",
            "Only k with len(seq) - k + 1 >= 1 take part.",
            f"The complexity is {comb}; if no k takes part, return 0.0.",
            "Return a float.",
        ],
    )


_LC_BODY = """
def linguistic_complexity(seq: str) -> float:
    s = seq.upper()
    terms = []
    for k in range(KMIN, KMAX + 1):
        windows = len(s) - k + 1
        if windows < 1:
            continue
        distinct = len({s[i:i + k] for i in range(windows)})
        terms.append(distinct / min(4 ** k, windows))
    if not terms:
        return 0.0
    if COMBINE == "mean":
        return sum(terms) / len(terms)
    value = 1.0
    for term in terms:
        value *= term
    return value
"""


def _lc_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("empty sequence", ("",)),
        Case("single base", ("G",)),
        Case("homopolymer", ("A" * 12,)),
        Case("dinucleotide repeat", ("AC" * 9,)),
        Case("lower-case", (rand_seq(rng, 15).lower(),)),
        Case(f"length {p['kmax']}", (rand_seq(rng, p["kmax"]),)),
    ]
    for i in range(7):
        alpha = rng.choice(("ACGT", "ACGT", "AAT", "GC"))
        cases.append(Case(f"random sequence #{i + 1}", (rand_seq(rng, rng.randint(3, 70), alpha),)))
    return cases


LINGUISTIC_COMPLEXITY = Family(
    name="linguistic_complexity",
    topic="sequence",
    func="linguistic_complexity",
    signature="(seq: str) -> float",
    dims={"kmin": (1, 2), "kmax": (2, 3, 4, 5, 6, 7, 8), "combine": ("product", "mean")},
    describe=_lc_describe,
    body=_LC_BODY,
    cases=_lc_cases,
    valid=lambda p: p["kmin"] < p["kmax"],
    examples=lambda p: [("ACGTTGCA",)],
    mutants=(("min(4 ** k, windows)", "windows"), ("range(KMIN, KMAX + 1)", "range(KMIN, KMAX)")),
    cite="Trifonov 1990; Orlov & Potapov 2004",
)


def _dust_describe(p: Params) -> str:
    w, step = p["window"], p["step"] or p["window"]
    triplets = (
        "Triplets containing a character other than A/C/G/T are skipped: not counted and not "
        "part of l."
        if p["n_rule"] == "skip"
        else "Every triplet counts, whatever its letters (upper-cased)."
    )
    return bullets(
        "Compute DUST low-complexity scores of `seq` over sliding windows.",
        [
            f"Windows have length {w} and start at 0, {step}, {2 * step}, ... while start + {w} "
            f"<= len(seq); a sequence shorter than {w} is scored as a single window covering all "
            "of it (the empty string gives []).",
            "In a window, look at its overlapping triplets (3-mers), case-insensitively. "
            + triplets,
            "With c_t the count of triplet t and l the number of triplets counted, the score is "
            "sum_t c_t * (c_t - 1) / 2 divided by (l - 1); it is 0.0 when l <= 1.",
            "Return the list of window scores (floats) in window order.",
        ],
    )


_DUST_BODY = """
def dust_scores(seq: str) -> list:
    s = seq.upper()
    if not s:
        return []
    step = STEP or WINDOW
    starts = list(range(0, len(s) - WINDOW + 1, step)) if len(s) >= WINDOW else [0]
    scores = []
    for start in starts:
        window = s[start:start + WINDOW]
        counts = {}
        for i in range(len(window) - 2):
            t = window[i:i + 3]
            if N_RULE == "skip" and any(c not in "ACGT" for c in t):
                continue
            counts[t] = counts.get(t, 0) + 1
        total = sum(counts.values())
        pairs = sum(c * (c - 1) / 2 for c in counts.values())
        scores.append(pairs / (total - 1) if total > 1 else 0.0)
    return scores
"""


def _dust_cases(p: Params, rng: random.Random) -> list[Case]:
    w = p["window"]
    cases = [
        Case("empty sequence", ("",)),
        Case("shorter than a window", (rand_seq(rng, w - 3),)),
        Case("homopolymer", ("A" * (w + 5),)),
        Case("with N", ("AC" * (w // 2) + "NNNA" + "CA" * 3,)),
        Case("lower-case repeat", ("cag" * (w // 2 + 2),)),
    ]
    for i in range(7):
        alpha = rng.choice(("ACGT", "ACGTN", "AT", "CAG"))
        cases.append(Case(f"random sequence #{i + 1}", (rand_seq(rng, rng.randint(w, 4 * w), alpha),)))
    return cases


DUST = Family(
    name="dust_score",
    topic="sequence",
    func="dust_scores",
    signature="(seq: str) -> list[float]",
    dims={"window": (8, 10, 12, 16, 20, 24, 32, 64), "step": (0, 1, 4), "n_rule": ("skip", "count")},
    describe=_dust_describe,
    body=_DUST_BODY,
    cases=_dust_cases,
    examples=lambda p: [("AAAAAAAACGTACGTA" * 2,)],
    mutants=(("/ (total - 1)", "/ total"), ("s = seq.upper()", "s = seq")),
    cite="Morgulis et al. 2006",
)

FAMILIES: Final = (MELTING_TEMP, HOMOPOLYMERS, LINGUISTIC_COMPLEXITY, DUST)
