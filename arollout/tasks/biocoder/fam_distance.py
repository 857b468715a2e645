"""Sequence distances and scoring a given alignment.

Hamming distance (Hamming 1950); weighted Levenshtein distance (Levenshtein
1966) and its optimal-string-alignment variant with adjacent transpositions
(Damerau 1964); the competing definitions of percent identity compared by
May 2004 (Structure 12:737) and Raghava & Barton 2006 (BMC Bioinformatics
7:415); transition/transversion scoring as in Kimura's two-parameter model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.fam_align import pair_cases
from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES", "aligned_pair")


def _hamming_describe(p: Params) -> str:
    return bullets(
        "Return the Hamming distance between the sequences `a` and `b`.",
        [
            "Compare position by position; the distance is the number of positions whose letters differ.",
            "Letters are compared case-insensitively." if p["case"] == "insensitive" else "Letters are compared case-sensitively ('a' differs from 'A').",
            "N (either case) matches any letter." if p["n_wildcard"] else "N is an ordinary letter.",
            "Positions where either sequence has '-' are skipped." if p["gaps"] == "skip" else "'-' is an ordinary letter.",
            "Sequences of different lengths raise ValueError."
            if p["unequal"] == "raise"
            else "If the lengths differ, compare the common prefix and count every extra position of the longer one as a difference.",
            "Return an int.",
        ],
    )


_HAMMING_BODY = """
def hamming(a: str, b: str) -> int:
    if len(a) != len(b) and UNEQUAL == "raise":
        raise ValueError("sequences differ in length")
    d = abs(len(a) - len(b))
    for x, y in zip(a, b):
        if GAPS == "skip" and "-" in (x, y):
            continue
        if CASE == "insensitive":
            x, y = x.upper(), y.upper()
        if N_WILDCARD and (x in "Nn" or y in "Nn"):
            continue
        d += x != y
    return d
"""


def _hamming_cases(p: Params, rng: random.Random) -> list[Case]:
    a = rand_seq(rng, 15)
    cases = [
        Case("both empty", ("", "")),
        Case("identical", (a, a)),
        Case("case differences", (a, a.lower())),
        Case("N against bases", ("ACNNT", "ACGTA")),
        Case("gaps", ("AC-GT", "ACTG-")),
        Case("different lengths", ("ACGTAC", "ACG")),
        Case("lower-case n", ("acgn", "ACGT")),
    ]
    for i in range(7):
        x = rand_seq(rng, rng.randint(1, 30), "ACGTN-")
        y = "".join(rng.choice("ACGTacgtN-") if rng.random() < 0.3 else c for c in x)
        if rng.random() < 0.2:
            y += rand_seq(rng, rng.randint(1, 3))
        cases.append(Case(f"random pair #{i + 1}", (x, y)))
    return cases


HAMMING = Family(
    name="hamming_distance",
    topic="alignment",
    func="hamming",
    signature="(a: str, b: str) -> int",
    dims={"unequal": ("raise", "count"), "case": ("insensitive", "sensitive"), "n_wildcard": (False, True), "gaps": ("letter", "skip")},
    describe=_hamming_describe,
    body=_HAMMING_BODY,
    cases=_hamming_cases,
    examples=lambda p: [("GAGCCTACTAACGGGAT", "CATCGTAATGACGGCCT")],
    mutants=(("d = abs(len(a) - len(b))", "d = 0"),),
    cite="Hamming 1950",
)


def _edit_describe(p: Params) -> str:
    trans = (
        f" An adjacent transposition (two neighbouring letters swapped, 'ab' -> 'ba') costs "
        f"{p['transpose']}; no substring is edited more than once (optimal string alignment distance)."
        if p["transpose"]
        else ""
    )
    return bullets(
        "Return the minimum total cost of edits turning `a` into `b`.",
        [
            f"A substitution costs {p['sub']}, an insertion (a letter of `b` added) costs "
            f"{p['ins']} and a deletion (a letter of `a` removed) costs {p['dele']}.{trans}",
            "Letters are compared case-insensitively." if p["case"] == "insensitive" else "Letters are compared case-sensitively.",
            "Return an int.",
        ],
    )


_EDIT_BODY = """
def edit_distance(a: str, b: str) -> int:
    if CASE == "insensitive":
        a, b = a.upper(), b.upper()
    n, m = len(a), len(b)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = i * DELE
    for j in range(1, m + 1):
        d[0][j] = j * INS
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = 0 if a[i - 1] == b[j - 1] else SUB
            d[i][j] = min(d[i - 1][j] + DELE, d[i][j - 1] + INS, d[i - 1][j - 1] + cost)
            if TRANSPOSE and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + TRANSPOSE)
    return d[n][m]
"""

EDIT_DISTANCE = Family(
    name="edit_distance",
    topic="alignment",
    func="edit_distance",
    signature="(a: str, b: str) -> int",
    dims={"sub": (1, 2, 3), "ins": (1, 2), "dele": (1, 2, 3), "transpose": (0, 1), "case": ("insensitive", "sensitive")},
    describe=_edit_describe,
    body=_EDIT_BODY,
    cases=lambda p, rng: [
        *pair_cases(rng),
        Case("adjacent swap", ("ACGT", "CAGT")),
        Case("insertions only", ("ACT", "AACGTT")),
        Case("deletions only", ("GGATTACA", "GAT")),
    ],
    examples=lambda p: [("kitten", "sitting")],
    mutants=(("d[i][0] = i * DELE", "d[i][0] = i * INS"), ("d[i - 2][j - 2] + TRANSPOSE", "d[i - 2][j - 2] + TRANSPOSE + 1")),
    cite="Levenshtein 1966; Damerau 1964",
)


def aligned_pair(rng: random.Random, n: int) -> tuple[str, str]:
    """Two rows of a random pairwise alignment (equal lengths, gaps as '-')."""
    a, b = [], []
    for _ in range(n):
        r = rng.random()
        x = rng.choice("ACGT")
        if r < 0.12:
            a.append(x)
            b.append("-")
        elif r < 0.24:
            a.append("-")
            b.append(x)
        elif r < 0.27:
            a.append("-")
            b.append("-")
        else:
            a.append(x)
            b.append(x if rng.random() < 0.75 else rng.choice("ACGTN"))
    return "".join(a), "".join(b)


_DENOMINATORS: Final = {
    "alignment_length": "the number of alignment columns",
    "aligned_columns": "the number of columns where neither row has a gap",
    "shorter_sequence": "the length of the shorter sequence without gaps",
    "mean_length": "the mean of the two ungapped sequence lengths",
}


def _identity_describe(p: Params) -> str:
    n_rule = (
        "Columns where either row has N (either case) are left out entirely, of the "
        "numerator and of every denominator (ungapped lengths drop their N letters)."
        if p["n_rule"] == "exclude"
        else "N is an ordinary letter (N against N is identical)."
    )
    gg = (
        " Columns with a gap in both rows are not counted."
        if p["denominator"] == "alignment_length" and p["gap_gap"] == "drop"
        else " (Columns with a gap in both rows count as columns.)"
        if p["denominator"] == "alignment_length"
        else ""
    )
    scale = "a fraction in [0, 1]" if p["scale"] == "fraction" else "a percentage in [0, 100]"
    return bullets(
        "Compute the percent identity of the pairwise alignment given by the rows `row_a` and `row_b`.",
        [
            "The rows have equal length (otherwise raise ValueError); '-' marks a gap.",
            "A column is identical when both rows hold the same letter (case-insensitively) and neither is a gap.",
            n_rule,
            f"Identity = identical columns / {_DENOMINATORS[p['denominator']]}.{gg}",
            f"Return it as {scale} (a float); 0.0 when the denominator is 0.",
        ],
    )


_IDENTITY_BODY = """
def percent_identity(row_a: str, row_b: str) -> float:
    if len(row_a) != len(row_b):
        raise ValueError("rows differ in length")
    cols = [(x.upper(), y.upper()) for x, y in zip(row_a, row_b)]
    if N_RULE == "exclude":
        cols = [(x, y) for x, y in cols if "N" not in (x, y)]
    same = sum(1 for x, y in cols if x == y and x != "-")
    len_a = sum(1 for x, _ in cols if x != "-")
    len_b = sum(1 for _, y in cols if y != "-")
    if DENOMINATOR == "alignment_length":
        denom = len(cols) - (sum(1 for x, y in cols if x == y == "-") if GAP_GAP == "drop" else 0)
    elif DENOMINATOR == "aligned_columns":
        denom = sum(1 for x, y in cols if "-" not in (x, y))
    elif DENOMINATOR == "shorter_sequence":
        denom = min(len_a, len_b)
    else:
        denom = (len_a + len_b) / 2
    if not denom:
        return 0.0
    value = same / denom
    return value * 100 if SCALE == "percent" else value
"""


def _identity_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("empty rows", ("", "")),
        Case("different lengths", ("ACG", "AC")),
        Case("all gaps against letters", ("----", "ACGT")),
        Case("gap-gap columns", ("AC--GT", "AC--GA")),
        Case("N columns", ("ACNNT", "ACGNT")),
        Case("lower case", ("acgt-a", "ACGTTA")),
    ]
    cases.extend(Case(f"random alignment #{i + 1}", aligned_pair(rng, rng.randint(3, 40))) for i in range(7))
    return cases


IDENTITY = Family(
    name="percent_identity",
    topic="alignment",
    func="percent_identity",
    signature="(row_a: str, row_b: str) -> float",
    dims={"denominator": tuple(_DENOMINATORS), "gap_gap": ("drop", "keep"), "n_rule": ("letter", "exclude"), "scale": ("fraction", "percent")},
    valid=lambda p: p["denominator"] == "alignment_length" or p["gap_gap"] == "drop",
    describe=_identity_describe,
    body=_IDENTITY_BODY,
    cases=_identity_cases,
    examples=lambda p: [("ACGT-ACG", "ACGTTAC-")],
    mutants=(("x == y and x != \"-\"", "x == y"),),
    cite="May 2004; Raghava & Barton 2006",
)


def _score_describe(p: Params) -> str:
    ends = (
        "Gaps at the ends of a row (before its first letter or after its last letter) cost nothing."
        if p["end_gaps"] == "free"
        else "End gaps cost like any other gap."
    )
    return bullets(
        "Score the given pairwise alignment of DNA rows `row_a` and `row_b`.",
        [
            "The rows have equal length (otherwise raise ValueError); '-' is a gap; letters are "
            "compared case-insensitively. Columns with a gap in both rows are dropped first.",
            f"Identical letters other than N score {p['match']}; a transition (A<->G, C<->T) "
            f"scores {p['transition']}; every other pair of letters (any pair with an N included) "
            f"scores {p['transversion']}.",
            f"A gap is a run of consecutive columns with '-' in the same row; a gap of length L "
            f"scores {p['gap_open']} + {p['gap_extend']} * (L - 1). {ends}",
            "Return the total score as an int.",
        ],
    )


_SCORE_BODY = """
def alignment_score(row_a: str, row_b: str) -> int:
    if len(row_a) != len(row_b):
        raise ValueError("rows differ in length")
    cols = [(x.upper(), y.upper()) for x, y in zip(row_a, row_b) if not (x == "-" and y == "-")]
    total = 0
    for row in (0, 1):
        letters = [i for i, c in enumerate(cols) if c[row] != "-"]
        first, last = (letters[0], letters[-1]) if letters else (len(cols), -1)
        i = 0
        while i < len(cols):
            if cols[i][row] != "-":
                i += 1
                continue
            j = i
            while j < len(cols) and cols[j][row] == "-":
                j += 1
            at_end = j <= first or i > last
            if not (END_GAPS == "free" and at_end):
                total += GAP_OPEN + GAP_EXTEND * (j - i - 1)
            i = j
    for x, y in cols:
        if "-" in (x, y):
            continue
        if x == y and x != "N":
            total += MATCH
        elif {x, y} in ({"A", "G"}, {"C", "T"}):
            total += TRANSITION
        else:
            total += TRANSVERSION
    return total
"""

SCORE_ALIGNMENT = Family(
    name="score_alignment",
    topic="alignment",
    func="alignment_score",
    signature="(row_a: str, row_b: str) -> int",
    dims={
        "match": (1, 2),
        "transition": (-1, 0),
        "transversion": (-2, -3),
        "gap_open": (-3, -5),
        "gap_extend": (-1, -2),
        "end_gaps": ("penalize", "free"),
    },
    describe=_score_describe,
    body=_SCORE_BODY,
    cases=lambda p, rng: [
        Case("empty rows", ("", "")),
        Case("different lengths", ("AC", "A")),
        Case("leading and trailing gaps", ("--ACGT--", "TTACGAAA")),
        Case("gap runs in both rows", ("AC--GTA-C", "A-TTG--GC")),
        Case("N letters", ("ACNGN", "ACNTA")),
        Case("gap-gap column inside a gap", ("A--C", "A-TC")),
        Case("lower case", ("acgt", "ACAT")),
        *[Case(f"random alignment #{i + 1}", aligned_pair(rng, rng.randint(3, 35))) for i in range(7)],
    ],
    examples=lambda p: [("ACG--TA", "ATGCCT-")],
    mutants=(("GAP_EXTEND * (j - i - 1)", "GAP_EXTEND * (j - i)"), ('({"A", "G"}, {"C", "T"})', '({"A", "C"}, {"G", "T"})')),
    cite="Kimura 1980",
)

FAMILIES: Final = (HAMMING, EDIT_DISTANCE, IDENTITY, SCORE_ALIGNMENT)
