"""Motif search: IUPAC patterns, approximate matches, PWMs, consensus, palindromes, CpG islands.

IUPAC codes per NC-IUB (Cornish-Bowden 1985); log-odds position weight
matrices with pseudocounts as in Stormo 2000 (Bioinformatics 16:16);
approximate pattern matching and reverse palindromes as in Rosalind BA1H and
REVP; CpG island criteria of Gardiner-Garden & Frommer 1987 (J Mol Biol
196:261).
"""

from __future__ import annotations

import random as _random
from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq, with_case

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)

IUPAC: Final = {
    "A": "A", "C": "C", "G": "G", "T": "T", "R": "AG", "Y": "CT", "S": "CG", "W": "AT",
    "K": "GT", "M": "AC", "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT",
}
_COMP: Final = {"A": "T", "C": "G", "G": "C", "T": "A", "R": "Y", "Y": "R", "S": "S", "W": "W",
                "K": "M", "M": "K", "B": "V", "V": "B", "D": "H", "H": "D", "N": "N"}


def _motifs(n: int, ambiguous: bool) -> tuple[str, ...]:
    """A fixed pool of motifs (the same on every machine)."""
    rng = _random.Random(f"biocoder/motif-pool/{ambiguous}")
    out: list[str] = []
    while len(out) < n:
        length = rng.randint(4, 8)
        m = "".join(rng.choice("ACGT" + ("RYSWKMBDHVN" if ambiguous and rng.random() < 0.3 else "")) for _ in range(length))
        if (not ambiguous or any(c not in "ACGT" for c in m)) and m not in out:
            out.append(m)
    return tuple(out)


def _instance_of(rng: random.Random, motif: str) -> str:
    return "".join(rng.choice(IUPAC[c]) for c in motif)


def _revcomp_code(motif: str) -> str:
    return "".join(_COMP[c] for c in reversed(motif))


def _iupac_describe(p: Params) -> str:
    m = p["motif"]
    strands = (
        "Search the forward strand only."
        if p["strands"] == "forward"
        else f"Search both strands: a reverse-strand hit is a position i where seq[i:i + {len(m)}] "
        "matches the reverse complement of the motif (complement each code: A<->T, C<->G, R<->Y, "
        "K<->M, B<->V, D<->H; S, W, N unchanged), reported at i."
    )
    overlap = (
        "Overlapping hits are all reported."
        if p["overlap"]
        else "Hits must not overlap: on each strand scan left to right and, after a hit at i, "
        f"resume at i + {len(m)}"
        + ("; then merge the two strands' hits." if p["strands"] == "both" else ".")
    )
    return bullets(
        f"Find the occurrences of the IUPAC motif {m} in the DNA sequence `seq`.",
        [
            "A motif letter matches the bases of its IUPAC code (R = A/G, Y = C/T, S = G/C, W = "
            "A/T, K = G/T, M = A/C, B = C/G/T, D = A/G/T, H = A/C/T, V = A/C/G, N = any). "
            "Sequence letters are read case-insensitively; a sequence character other than "
            "A/C/G/T matches nothing.",
            strands,
            overlap,
            f"Return the sorted, distinct {p['base']}-based start positions.",
        ],
    )


_IUPAC_BODY = """
CODES = {"A": "A", "C": "C", "G": "G", "T": "T", "R": "AG", "Y": "CT", "S": "CG", "W": "AT",
         "K": "GT", "M": "AC", "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT"}
COMP = {"A": "T", "C": "G", "G": "C", "T": "A", "R": "Y", "Y": "R", "S": "S", "W": "W",
        "K": "M", "M": "K", "B": "V", "V": "B", "D": "H", "H": "D", "N": "N"}


def _hits(s, motif):
    out, i = [], 0
    while i + len(motif) <= len(s):
        if all(c in CODES[m] for c, m in zip(s[i:i + len(motif)], motif)):
            out.append(i)
            if not OVERLAP:
                i += len(motif)
                continue
        i += 1
    return out


def find_motif(seq: str) -> list:
    s = seq.upper()
    found = set(_hits(s, MOTIF))
    if STRANDS == "both":
        found |= set(_hits(s, "".join(COMP[c] for c in reversed(MOTIF))))
    return sorted(i + BASE for i in found)
"""


def _iupac_cases(p: Params, rng: random.Random) -> list[Case]:
    m = p["motif"]
    rc = _revcomp_code(m)
    cases = [
        Case("empty sequence", ("",)),
        Case("the motif's own letters", (rand_seq(rng, 3) + m.replace("N", "A") + rand_seq(rng, 2),)),
        Case("one instance", (rand_seq(rng, 5) + _instance_of(rng, m) + rand_seq(rng, 4),)),
        Case("reverse-strand instance", (rand_seq(rng, 4) + _instance_of(rng, rc) + rand_seq(rng, 3),)),
        Case("back-to-back instances", (_instance_of(rng, m) + _instance_of(rng, m) + _instance_of(rng, m)[:-1],)),
        Case("lower case", ((rand_seq(rng, 2) + _instance_of(rng, m) + rand_seq(rng, 6)).lower(),)),
        Case("N in the sequence", ("N" * len(m) + _instance_of(rng, m) + "N",)),
        Case("overlapping instances", (_instance_of(rng, m + m[1:]) if len(m) > 1 else m,)),
    ]
    for i in range(7):
        parts = [rand_seq(rng, rng.randint(0, 15))]
        for _ in range(rng.randint(0, 3)):
            parts += [_instance_of(rng, rng.choice((m, rc))), rand_seq(rng, rng.randint(0, 8))]
        cases.append(Case(f"random sequence #{i + 1}", (with_case(rng, "".join(parts), 0.1),)))
    return cases


IUPAC_SEARCH = Family(
    name="iupac_motif_search",
    topic="motifs",
    func="find_motif",
    signature="(seq: str) -> list[int]",
    dims={"motif": _motifs(20, True), "strands": ("forward", "both"), "overlap": (True, False), "base": (0, 1)},
    describe=_iupac_describe,
    body=_IUPAC_BODY,
    cases=_iupac_cases,
    examples=lambda p: [("ACGT" + _instance_of(_random.Random(p["motif"]), p["motif"]) + "TTT",)],
    mutants=(("s = seq.upper()", "s = seq"), ('"".join(COMP[c] for c in reversed(MOTIF))', '"".join(COMP[c] for c in MOTIF)')),
    cite="NC-IUB 1985",
)


def _approx_describe(p: Params) -> str:
    rc = (
        " Also count positions where the reverse complement of the pattern matches with at most "
        f"{p['d']} mismatch(es)."
        if p["rc"]
        else ""
    )
    return bullets(
        f"Find the approximate occurrences of the pattern {p['pattern']} in `seq`.",
        [
            f"An occurrence at position i (0-based) means seq[i:i + {len(p['pattern'])}] differs "
            f"from the pattern in at most {p['d']} position(s) (compared case-insensitively; any "
            f"character counts as a letter).{rc}",
            "Occurrences may overlap. Return the sorted, distinct start positions.",
        ],
    )


_APPROX_BODY = """
def approximate_occurrences(seq: str) -> list:
    s = seq.upper()
    patterns = [PATTERN]
    if RC:
        patterns.append(PATTERN.translate(str.maketrans("ACGT", "TGCA"))[::-1])
    k = len(PATTERN)
    out = set()
    for i in range(len(s) - k + 1):
        for pat in patterns:
            if sum(x != y for x, y in zip(s[i:i + k], pat)) <= D:
                out.add(i)
    return sorted(out)
"""


def _approx_cases(p: Params, rng: random.Random) -> list[Case]:
    pat, d = p["pattern"], p["d"]

    def near(n: int) -> str:
        chars = list(pat)
        for i in rng.sample(range(len(chars)), min(n, len(chars))):
            chars[i] = rng.choice([c for c in "ACGT" if c != chars[i]])
        return "".join(chars)

    rc = pat.translate(str.maketrans("ACGT", "TGCA"))[::-1]
    cases = [
        Case("empty sequence", ("",)),
        Case("exact copy", ("GG" + pat + "CC",)),
        Case(f"{d} mismatch(es)", (rand_seq(rng, 3) + near(d) + rand_seq(rng, 3),)),
        Case(f"{d + 1} mismatches", (rand_seq(rng, 2) + near(d + 1) + rand_seq(rng, 2),)),
        Case("reverse complement", ("A" + rc + "T",)),
        Case("lower case", (("C" + near(max(d, 1) - 1) + "A").lower(),)),
    ]
    for i in range(7):
        parts = [rand_seq(rng, rng.randint(0, 12))]
        for _ in range(rng.randint(1, 3)):
            parts += [near(rng.randint(0, d + 1)) if rng.random() < 0.7 else rc, rand_seq(rng, rng.randint(0, 6))]
        cases.append(Case(f"random sequence #{i + 1}", ("".join(parts),)))
    return cases


APPROX = Family(
    name="approximate_occurrences",
    topic="motifs",
    func="approximate_occurrences",
    signature="(seq: str) -> list[int]",
    dims={"pattern": _motifs(16, False), "d": (0, 1, 2), "rc": (False, True)},
    describe=_approx_describe,
    body=_APPROX_BODY,
    cases=_approx_cases,
    examples=lambda p: [(rand_seq(_random.Random(p["pattern"]), 12) + p["pattern"] + "TTGCA",)],
    mutants=(("range(len(s) - k + 1)", "range(len(s) - k)"), ("<= D:", "< D + (D == 0):")),
    cite="Rosalind BA1H",
)

FAMILIES: Final = (IUPAC_SEARCH, APPROX)
