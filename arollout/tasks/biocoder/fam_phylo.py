"""Evolutionary distances and distance-based trees.

p-distance and the Jukes-Cantor (1969) and Kimura two-parameter (Kimura
1980, J Mol Evol 16:111) corrections, with their gamma forms (Jin & Nei
1990, Mol Biol Evol 7:82), as given in Nei & Kumar 2000, "Molecular
Evolution and Phylogenetics", chapter 3; UPGMA/WPGMA and single/complete
linkage clustering (Sokal & Michener 1958); neighbour joining (Saitou & Nei
1987, Mol Biol Evol 4:406, in the form of Studier & Keppler 1988).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, bullets

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES", "aligned_set", "random_tree_matrix")


def aligned_set(rng: random.Random, n: int, length: int, rate: float, alphabet: str = "ACGT") -> list[str]:
    """``n`` aligned sequences evolved from one ancestor (with gaps and N)."""
    root = [rng.choice(alphabet) for _ in range(length)]
    out = []
    for _ in range(n):
        seq = []
        for c in root:
            r = rng.random()
            seq.append(rng.choice(alphabet) if r < rate else "-" if r < rate + 0.04 else "N" if r < rate + 0.06 else c)
        out.append("".join(seq))
    return out


def _pair_cases(p: Params, rng: random.Random, alphabet: str = "ACGT") -> list[Case]:
    a = aligned_set(rng, 1, 30, 0.0, alphabet)[0].replace("-", "A").replace("N", "A")
    cases = [
        Case("identical", (a, a)),
        Case("lower case", (a.lower(), a)),
        Case("different lengths", ("ACGT", "ACG")),
        Case("no comparable site", ("AC--", "--GT")),
        Case("saturated", ("ACGTACGTAC", "CATGCATGCA") if alphabet == "ACGT" else ("ACDEFGHIKL", "LKIHGFEDCA")),
        Case("transitions only", ("AAAACCCCGGGGTTTT", "GAAATCCCAGGGCTTT")),
        Case("exactly at saturation", ("AAAA", "ACGT") if alphabet == "ACGT" else ("A" * 20, "A" + alphabet[1:20])),
        Case("gaps and N", ("ACGT-NACGT", "ACGTTAAC-T")),
    ]
    for i in range(7):
        x, y = aligned_set(rng, 2, rng.randint(10, 60), rng.choice((0.05, 0.15, 0.3, 0.5)), alphabet)
        cases.append(Case(f"random pair #{i + 1}", (x, y)))
    return cases


_SITES_RULE: Final = (
    "`a` and `b` are aligned sequences of equal length (otherwise raise ValueError). Only "
    "columns where both hold one of {alphabet} (case-insensitively) are compared; gaps, N and "
    "other characters are skipped (pairwise deletion). L is the number of compared columns."
)


def _jc_describe(p: Params) -> str:
    b = "3/4" if p["alphabet"] == "dna" else "19/20"
    alpha = p["alpha"]
    formula = (
        f"d = -b * ln(1 - p / b) with b = {b}"
        if not alpha
        else f"d = b * {alpha} * ((1 - p / b) ** (-1 / {alpha}) - 1) with b = {b} (gamma distance, shape {alpha})"
    )
    sat = "return None" if p["saturation"] == "none" else "return float('inf')"
    letters = "A, C, G, T" if p["alphabet"] == "dna" else "the 20 amino-acid letters ACDEFGHIKLMNPQRSTVWY"
    return bullets(
        "Return the Jukes-Cantor distance between the aligned sequences `a` and `b`.",
        [
            _SITES_RULE.format(alphabet=letters),
            "p is the fraction of compared columns whose letters differ.",
            f"{formula}.",
            f"If L = 0, return None; if 1 - p / b <= 0 (saturation), {sat}.",
        ],
    )


_JC_BODY = """
import math

def jukes_cantor(a: str, b: str):
    if len(a) != len(b):
        raise ValueError("sequences differ in length")
    letters = "ACGT" if ALPHABET == "dna" else "ACDEFGHIKLMNPQRSTVWY"
    pairs = [(x, y) for x, y in zip(a.upper(), b.upper()) if x in letters and y in letters]
    if not pairs:
        return None
    p = sum(x != y for x, y in pairs) / len(pairs)
    frac = 0.75 if ALPHABET == "dna" else 0.95
    if 1 - p / frac <= 0:
        return None if SATURATION == "none" else float("inf")
    if ALPHA:
        return frac * ALPHA * ((1 - p / frac) ** (-1 / ALPHA) - 1)
    return -frac * math.log(1 - p / frac)
"""

JUKES_CANTOR = Family(
    name="jukes_cantor_distance",
    topic="phylogenetics",
    func="jukes_cantor",
    signature="(a: str, b: str) -> float | None",
    dims={"alphabet": ("dna", "protein"), "alpha": (0, 0.5, 1.0, 2.0), "saturation": ("none", "inf")},
    describe=_jc_describe,
    body=_JC_BODY,
    cases=lambda p, rng: _pair_cases(p, rng, "ACGT" if p["alphabet"] == "dna" else "ACDEFGHIKLMNPQRSTVWY"),
    examples=lambda p: [("ACGTACGTAA", "ACGTTCGTAC")],
    mutants=(("if 1 - p / frac <= 0:", "if 1 - p / frac < 0:"), ("zip(a.upper(), b.upper())", "zip(a, b)")),
    cite="Jukes & Cantor 1969; Jin & Nei 1990",
)


_K2P_OUTPUTS: Final = {
    "d": "the distance d",
    "s": "the transitional component s = -1/2 * ln(1 - 2P - Q) + 1/4 * ln(1 - 2Q)",
    "v": "the transversional component v = -1/2 * ln(1 - 2Q)",
    "kappa": "the ratio s / v (None when v = 0)",
}


def _k2p_describe(p: Params) -> str:
    alpha = p["alpha"]
    formula = (
        "d = -1/2 * ln(1 - 2P - Q) - 1/4 * ln(1 - 2Q)"
        if not alpha
        else f"d = ({alpha} / 2) * ((1 - 2P - Q) ** (-1 / {alpha}) + (1 / 2) * (1 - 2Q) ** (-1 / {alpha}) - 3 / 2) "
        f"(gamma distance, shape {alpha})"
    )
    sat = "return None" if p["saturation"] == "none" else "return float('inf')"
    return bullets(
        "Compute the Kimura two-parameter distance between the aligned DNA sequences `a` and `b`.",
        [
            _SITES_RULE.format(alphabet="A, C, G, T"),
            "P is the fraction of compared columns with a transition (A<->G or C<->T) and Q the "
            "fraction with a transversion (any other difference).",
            f"{formula}.",
            f"Return {_K2P_OUTPUTS[p['output']]}.",
            f"If L = 0, return None; if 1 - 2P - Q <= 0 or 1 - 2Q <= 0, {sat}.",
        ],
    )


_K2P_BODY = """
import math

def kimura_2p(a: str, b: str):
    if len(a) != len(b):
        raise ValueError("sequences differ in length")
    pairs = [(x, y) for x, y in zip(a.upper(), b.upper()) if x in "ACGT" and y in "ACGT"]
    if not pairs:
        return None
    ts = sum({x, y} in ({"A", "G"}, {"C", "T"}) for x, y in pairs)
    tv = sum(x != y for x, y in pairs) - ts
    P, Q = ts / len(pairs), tv / len(pairs)
    w1, w2 = 1 - 2 * P - Q, 1 - 2 * Q
    if w1 <= 0 or w2 <= 0:
        return None if SATURATION == "none" else float("inf")
    s = -0.5 * math.log(w1) + 0.25 * math.log(w2)
    v = -0.5 * math.log(w2)
    if OUTPUT == "s":
        return s
    if OUTPUT == "v":
        return v
    if OUTPUT == "kappa":
        return s / v if v else None
    if ALPHA:
        return ALPHA / 2 * (w1 ** (-1 / ALPHA) + 0.5 * w2 ** (-1 / ALPHA) - 1.5)
    return -0.5 * math.log(w1) - 0.25 * math.log(w2)
"""

KIMURA = Family(
    name="kimura_2p_distance",
    topic="phylogenetics",
    func="kimura_2p",
    signature="(a: str, b: str) -> float | None",
    dims={"output": tuple(_K2P_OUTPUTS), "alpha": (0, 0.5, 1.0, 2.0), "saturation": ("none", "inf")},
    valid=lambda p: p["output"] == "d" or p["alpha"] == 0,
    describe=_k2p_describe,
    body=_K2P_BODY,
    cases=_pair_cases,
    examples=lambda p: [("ACGTACGTAA", "GCGTACTTAA")],
    mutants=(('({"A", "G"}, {"C", "T"})', '({"A", "C"}, {"G", "T"})'),),
    cite="Kimura 1980; Jin & Nei 1990",
)


def _pmatrix_describe(p: Params) -> str:
    deletion = (
        "For each pair, compare the columns where both sequences hold A, C, G or T "
        "(case-insensitively; pairwise deletion)."
        if p["deletion"] == "pairwise"
        else "First drop every column where any sequence holds something other than A, C, G or T "
        "(case-insensitively; complete deletion), then compare the remaining columns."
    )
    value = (
        "the fraction of compared columns that differ (a float)"
        if p["output"] == "p"
        else "the number of compared columns that differ (an int)"
    )
    return bullets(
        "Compute the matrix of pairwise distances of the aligned sequences `seqs`.",
        [
            "`seqs` is a list of equal-length strings (otherwise raise ValueError).",
            deletion,
            f"Entry [i][j] is {value}; it is None when no column is compared (the diagonal is "
            + ("0.0" if p["output"] == "p" else "0")
            + " whatever the data).",
            "Return a list of lists (row i for seqs[i]).",
        ],
    )


_PMATRIX_BODY = """
def distance_matrix(seqs: list) -> list:
    if len({len(s) for s in seqs}) > 1:
        raise ValueError("sequences differ in length")
    rows = [s.upper() for s in seqs]
    if DELETION == "complete" and rows:
        keep = [j for j in range(len(rows[0])) if all(r[j] in "ACGT" for r in rows)]
        rows = ["".join(r[j] for j in keep) for r in rows]
    n = len(rows)
    out = [[0.0 if OUTPUT == "p" else 0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            pairs = [(x, y) for x, y in zip(rows[i], rows[j]) if x in "ACGT" and y in "ACGT"]
            diff = sum(x != y for x, y in pairs)
            out[i][j] = None if not pairs else (diff / len(pairs) if OUTPUT == "p" else diff)
    return out
"""

P_DISTANCE = Family(
    name="p_distance_matrix",
    topic="phylogenetics",
    func="distance_matrix",
    signature=lambda p: "(seqs: list[str]) -> list[list[" + ("float" if p["output"] == "p" else "int") + " | None]]",
    dims={"deletion": ("pairwise", "complete"), "output": ("p", "count")},
    describe=_pmatrix_describe,
    body=_PMATRIX_BODY,
    cases=lambda p, rng: [
        Case("no sequences", ([],)),
        Case("one sequence", (["ACGT"],)),
        Case("different lengths", (["ACG", "AC"],)),
        Case("gaps in different columns", (["AC-GTA", "ACT-TA", "NCTGTA"],)),
        Case("no comparable column", (["A-", "-C", "GT"],)),
        *[Case(f"random alignment #{i + 1}", (aligned_set(rng, rng.randint(2, 5), rng.randint(5, 30), 0.3),)) for i in range(7)],
    ],
    examples=lambda p: [(["ACGTA", "ACGTT", "A-GCT"],)],
    mutants=(('keep = [j for j in range(len(rows[0])) if all(r[j] in "ACGT" for r in rows)]', "keep = list(range(len(rows[0])))"),),
    cite="Nei & Kumar 2000",
)

FAMILIES: Final = (JUKES_CANTOR, KIMURA, P_DISTANCE)


def random_tree_matrix(rng: random.Random, n: int) -> tuple[list[list[float]], list[str]]:
    """A symmetric matrix of real-valued distances (ties have probability ~0) and labels."""
    labels = [f"T{i}" for i in range(n)]
    points = [[rng.uniform(0, 10) for _ in range(3)] for _ in range(n)]
    matrix = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            d = sum((points[i][k] - points[j][k]) ** 2 for k in range(3)) ** 0.5 + rng.uniform(0, 1)
            matrix[i][j] = matrix[j][i] = d
    return matrix, labels
