"""Pairwise alignment scores: global, local and semi-global, linear and affine gaps.

Global scores follow Needleman & Wunsch 1970 (J Mol Biol 48:443), local ones
Smith & Waterman 1981 (J Mol Biol 147:195), affine gaps Gotoh 1982 (J Mol
Biol 162:705); ends-free ("semi-global") variants are those of Durbin et al.
1998, "Biological Sequence Analysis", section 2.7.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES", "evolve", "pair_cases", "similar_cases")


def evolve(rng: random.Random, seq: str, rate: float) -> str:
    """``seq`` after random substitutions, insertions and deletions at ``rate`` per base."""
    out = []
    for ch in seq:
        r = rng.random()
        if r < rate / 3:
            continue
        if r < 2 * rate / 3:
            out.append(rng.choice("ACGT"))
        elif r < rate:
            out.append(ch + rng.choice("ACGT"))
        else:
            out.append(ch)
    return "".join(out)


def pair_cases(rng: random.Random, n_random: int = 7, max_len: int = 22) -> list[Case]:
    """Edge cases and random related pairs for two-sequence functions."""
    base = rand_seq(rng, 12)
    cases = [
        Case("both empty", ("", "")),
        Case("first empty", ("", "ACG")),
        Case("second empty", ("GATTACA", "")),
        Case("identical", (base, base)),
        Case("one mismatch", ("ACGTACGT", "ACGAACGT")),
        Case("long gap", ("ACGTTTTTTTTACG", "ACGACG")),
        Case("lower case", (base.lower(), evolve(rng, base, 0.3))),
        Case("unrelated", (rand_seq(rng, 9, "AC"), rand_seq(rng, 7, "GT"))),
    ]
    for i in range(n_random):
        a = rand_seq(rng, rng.randint(1, max_len))
        b = evolve(rng, a, rng.choice((0.1, 0.3, 0.5))) if rng.random() < 0.8 else rand_seq(rng, rng.randint(1, max_len))
        cases.append(Case(f"random pair #{i + 1}", (a, b)))
    return cases


def similar_cases(rng: random.Random) -> list[Case]:
    """Long, closely related pairs whose best local alignment spans mismatches and gaps."""
    a = rand_seq(rng, 28)
    subs = list(a)
    for i in (6, 13, 21):
        subs[i] = "ACGT"[("ACGT".index(subs[i]) + 1) % 4]
    return [
        Case("similar pair with scattered mismatches", ("GG" + a + "CC", "TT" + "".join(subs) + "AA")),
        Case("similar pair with a deletion", (a, a[:12] + a[15:])),
        Case("similar pair with an insertion", ("C" + a, a[:14] + "G" + a[14:] + "T")),
    ]


def _scheme(p: Params) -> str:
    return (
        f"Score +{p['match']} for a column of identical letters, {p['mismatch']} for different "
        "letters (letters compared case-insensitively)"
    )


def _affine_text(p: Params) -> str:
    o, e = p["gap_open"], p["gap_extend"]
    if p["convention"] == "open_then_extend":
        return (f"a gap of length L (L consecutive columns with a gap in the same sequence) scores "
                f"{o} + {e} * (L - 1)")
    return f"a gap of length L (L consecutive columns with a gap in the same sequence) scores {o} + {e} * L"


_LINEAR_CORE = """
def _s(x, y):
    return MATCH if x == y else MISMATCH
"""


def _linear_describe(p: Params, kind: str) -> str:
    what = {
        "global": "the optimal global (Needleman-Wunsch) alignment score of the whole of `a` "
        "against the whole of `b`",
        "local": "the optimal local (Smith-Waterman) alignment score of `a` and `b`: the best "
        "score of an alignment of a substring of `a` with a substring of `b`, and 0 if every "
        "alignment scores below 0 (the empty alignment)",
    }[kind]
    return bullets(
        f"Return {what}.",
        [
            f"{_scheme(p)} and {p['gap']} for every column with a gap (linear gap cost).",
            "Return the score as an int.",
        ],
    )


_NW_BODY = (
    _LINEAR_CORE
    + """

def global_score(a: str, b: str) -> int:
    a, b = a.upper(), b.upper()
    prev = [GAP * j for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        row = [GAP * i]
        for j in range(1, len(b) + 1):
            row.append(max(prev[j - 1] + _s(a[i - 1], b[j - 1]), prev[j] + GAP, row[j - 1] + GAP))
        prev = row
    return prev[-1]
"""
)

_SCORES: Final = {"match": (1, 2, 3, 5), "mismatch": (-1, -2, -3, -4), "gap": (-1, -2, -3, -5, -8)}


def _useful(p: Params) -> bool:
    """A mismatch below two gaps is never used (two gaps replace it), so such a scheme
    scores like the one with mismatch = 2 * gap: keep only that representative."""
    return bool(p["mismatch"] >= 2 * p["gap"])

GLOBAL_LINEAR = Family(
    name="global_alignment_score",
    topic="alignment",
    func="global_score",
    signature="(a: str, b: str) -> int",
    dims=_SCORES,
    valid=_useful,
    describe=lambda p: _linear_describe(p, "global"),
    body=_NW_BODY,
    cases=lambda p, rng: [*pair_cases(rng), *similar_cases(rng)],
    examples=lambda p: [("GATTACA", "GCATGCA")],
    mutants=(("a, b = a.upper(), b.upper()", "a, b = a, b"), ("prev = [GAP * j for j", "prev = [0 * j for j")),
    cite="Needleman & Wunsch 1970",
)

_SW_BODY = (
    _LINEAR_CORE
    + """

def local_score(a: str, b: str) -> int:
    a, b = a.upper(), b.upper()
    best = 0
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        row = [0]
        for j in range(1, len(b) + 1):
            cell = max(0, prev[j - 1] + _s(a[i - 1], b[j - 1]), prev[j] + GAP, row[j - 1] + GAP)
            row.append(cell)
            best = max(best, cell)
        prev = row
    return best
"""
)

LOCAL_LINEAR = Family(
    name="local_alignment_score",
    topic="alignment",
    func="local_score",
    signature="(a: str, b: str) -> int",
    dims=_SCORES,
    valid=_useful,
    describe=lambda p: _linear_describe(p, "local"),
    body=_SW_BODY,
    cases=lambda p, rng: [*pair_cases(rng), *similar_cases(rng)],
    examples=lambda p: [("TTGATTACAGG", "CCGATCACAC")],
    mutants=(("cell = max(0, prev", "cell = max(prev"),),
    cite="Smith & Waterman 1981",
)

_AFFINE_CORE = """
NEG = float("-inf")


def _gotoh(a, b, local):
    a, b = a.upper(), b.upper()
    first = GAP_OPEN if CONVENTION == "open_then_extend" else GAP_OPEN + GAP_EXTEND
    n, m = len(a), len(b)
    M = [[NEG] * (m + 1) for _ in range(n + 1)]
    X = [[NEG] * (m + 1) for _ in range(n + 1)]
    Y = [[NEG] * (m + 1) for _ in range(n + 1)]
    M[0][0] = 0
    if not local:
        for i in range(1, n + 1):
            X[i][0] = first + GAP_EXTEND * (i - 1)
        for j in range(1, m + 1):
            Y[0][j] = first + GAP_EXTEND * (j - 1)
    best = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            s = MATCH if a[i - 1] == b[j - 1] else MISMATCH
            before = max(M[i - 1][j - 1], X[i - 1][j - 1], Y[i - 1][j - 1])
            M[i][j] = s + (max(before, 0) if local else before)
            X[i][j] = max(M[i - 1][j] + first, X[i - 1][j] + GAP_EXTEND, Y[i - 1][j] + first)
            Y[i][j] = max(M[i][j - 1] + first, Y[i][j - 1] + GAP_EXTEND, X[i][j - 1] + first)
            best = max(best, M[i][j])
    if local:
        return best
    return max(M[n][m], X[n][m], Y[n][m])
"""


def _affine_describe(p: Params, local: bool) -> str:
    what = (
        "the optimal local (Smith-Waterman-Gotoh) alignment score of `a` and `b` (0 when every "
        "alignment scores below 0)"
        if local
        else "the optimal global alignment score of `a` and `b` with affine gaps (Gotoh)"
    )
    return bullets(
        f"Return {what}.",
        [
            f"{_scheme(p)}; {_affine_text(p)}.",
            "A gap in one sequence may directly follow a gap in the other; each is its own gap.",
            "Return the score as an int.",
        ],
    )


_AFFINE_DIMS: Final = {
    "match": (1, 2, 5),
    "mismatch": (-1, -3),
    "gap_open": (-3, -5, -10),
    "gap_extend": (-1, -2),
    "convention": ("open_then_extend", "open_plus_extend"),
}

GLOBAL_AFFINE = Family(
    name="global_affine_score",
    topic="alignment",
    func="global_affine_score",
    signature="(a: str, b: str) -> int",
    dims=_AFFINE_DIMS,
    describe=lambda p: _affine_describe(p, local=False),
    body=_AFFINE_CORE + "\n\ndef global_affine_score(a: str, b: str) -> int:\n    return int(_gotoh(a, b, False))\n",
    cases=lambda p, rng: pair_cases(rng, max_len=18),
    examples=lambda p: [("ACGTTTTACG", "ACGACG")],
    mutants=(("X[i - 1][j] + GAP_EXTEND", "X[i - 1][j] + first"),),
    cite="Gotoh 1982",
)

LOCAL_AFFINE = Family(
    name="local_affine_score",
    topic="alignment",
    func="local_affine_score",
    signature="(a: str, b: str) -> int",
    dims=_AFFINE_DIMS,
    describe=lambda p: _affine_describe(p, local=True),
    body=_AFFINE_CORE + "\n\ndef local_affine_score(a: str, b: str) -> int:\n    return int(_gotoh(a, b, True))\n",
    cases=lambda p, rng: [*pair_cases(rng, max_len=18), *similar_cases(rng)],
    examples=lambda p: [("CCACGTTTTACGG", "TACGACGA")],
    mutants=(("M[i][j] = s + (max(before, 0) if local else before)", "M[i][j] = s + before"),),
    cite="Gotoh 1982; Smith & Waterman 1981",
)

_MODES: Final = {
    "ends_free": "gaps at the start or the end of either sequence (before its first or after its "
    "last letter) cost nothing; gaps between letters cost as usual",
    "fit_b_in_a": "all of `b` must be aligned, to a substring of `a`: gaps in `b` before its first "
    "letter or after its last cost nothing, every other gap costs as usual",
    "overlap": "a suffix of `a` is aligned with a prefix of `b`: gaps in `b` before its first letter "
    "and gaps in `a` after its last letter cost nothing, every other gap costs as usual",
}


def _semi_describe(p: Params) -> str:
    return bullets(
        "Return the optimal semi-global alignment score of `a` and `b`.",
        [
            f"{_scheme(p)} and {p['gap']} for every column with a gap, except that {_MODES[p['mode']]}.",
            "Return the score as an int.",
        ],
    )


_SEMI_BODY = (
    _LINEAR_CORE
    + """

def semiglobal_score(a: str, b: str) -> int:
    a, b = a.upper(), b.upper()
    n, m = len(a), len(b)
    lead_a = MODE in ("ends_free", "fit_b_in_a", "overlap")   # skipping a's prefix is free
    lead_b = MODE == "ends_free"                               # skipping b's prefix is free
    trail_a = MODE in ("ends_free", "fit_b_in_a")              # skipping a's suffix is free
    trail_b = MODE in ("ends_free", "overlap")                 # skipping b's suffix is free
    prev = [0 if lead_b else GAP * j for j in range(m + 1)]
    last_col = [prev[m]]
    for i in range(1, n + 1):
        row = [0 if lead_a else GAP * i]
        for j in range(1, m + 1):
            row.append(max(prev[j - 1] + _s(a[i - 1], b[j - 1]), prev[j] + GAP, row[j - 1] + GAP))
        prev = row
        last_col.append(row[m])
    best = prev[m]
    if trail_a:
        best = max(best, max(last_col))
    if trail_b:
        best = max(best, max(prev))
    return best
"""
)

SEMIGLOBAL = Family(
    name="semiglobal_alignment_score",
    topic="alignment",
    func="semiglobal_score",
    signature="(a: str, b: str) -> int",
    dims={"mode": tuple(_MODES), **_SCORES},
    valid=_useful,
    describe=_semi_describe,
    body=_SEMI_BODY,
    cases=lambda p, rng: [
        *pair_cases(rng),
        Case("b inside a", ("TTTTGATTACATTTT", "GATTACA")),
        Case("suffix-prefix overlap", ("CCCCCCGATTA", "GATTATTTTTTT")),
        Case("a inside b", ("ACGT", "GGGGACGTGGGG")),
    ],
    examples=lambda p: [("CCGATTACA", "GATTACAGG")],
    mutants=(("if trail_b:\n        best = max(best, max(prev))", "if False:\n        best = max(best, max(prev))"),
             ("prev = [0 if lead_b else GAP * j", "prev = [0 if lead_a else GAP * j")),
    cite="Durbin et al. 1998",
)

FAMILIES: Final = (GLOBAL_LINEAR, LOCAL_LINEAR, GLOBAL_AFFINE, LOCAL_AFFINE, SEMIGLOBAL)
