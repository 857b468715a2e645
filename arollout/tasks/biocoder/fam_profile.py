"""Profiles of aligned sites: PWM scans and consensus; palindromes and CpG islands.

Position weight matrices are log-odds against a uniform background with a
pseudocount per cell (Stormo 2000, Bioinformatics 16:16; Wasserman &
Sandelin 2004, Nat Rev Genet 5:276); consensus ties as IUPAC codes
(Cavener 1987, Nucleic Acids Res 15:1353, simplified); reverse palindromes as
in Rosalind REVP; CpG islands by the criteria of Gardiner-Garden & Frommer
1987 (J Mol Biol 196:261), on shorter windows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq, with_case

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)


def _sites(rng: random.Random, n: int, width: int) -> list[str]:
    core = rand_seq(rng, width)
    return ["".join(c if rng.random() < 0.75 else rng.choice("ACGT") for c in core) for _ in range(n)]


def _pwm_describe(p: Params) -> str:
    log = "log2" if p["log_base"] == 2 else "the natural logarithm"
    return bullets(
        "Scan `seq` with the position weight matrix built from the aligned binding sites `sites`.",
        [
            "`sites` is a non-empty list of equal-length DNA strings (A/C/G/T, any case); an "
            "empty list, unequal lengths or another character raise ValueError.",
            f"For column j and base b, with n sites and count c_jb: f_jb = (c_jb + {p['pseudocount']}) "
            f"/ (n + 4 * {p['pseudocount']}) and weight w_jb = {log}(f_jb / 0.25).",
            "The score of the window seq[i:i + w] (w = site width) is the sum of w_jb over its "
            "columns; windows with a character other than A/C/G/T (case-insensitively) are skipped.",
            f"Return (i, score) tuples for every window with score >= {p['threshold']}, ordered by i.",
        ],
    )


_PWM_BODY = """
import math

def pwm_scan(sites: list, seq: str) -> list:
    if not sites or len({len(s) for s in sites}) != 1:
        raise ValueError("sites must be a non-empty list of equal-length strings")
    rows = [s.upper() for s in sites]
    if any(c not in "ACGT" for s in rows for c in s):
        raise ValueError("sites hold only A, C, G and T")
    width, n = len(rows[0]), len(rows)
    log = (lambda x: math.log2(x)) if LOG_BASE == 2 else math.log
    weights = []
    for j in range(width):
        column = [s[j] for s in rows]
        weights.append({b: log((column.count(b) + PSEUDOCOUNT) / (n + 4 * PSEUDOCOUNT) / 0.25) for b in "ACGT"})
    s = seq.upper()
    out = []
    for i in range(len(s) - width + 1):
        window = s[i:i + width]
        if any(c not in "ACGT" for c in window):
            continue
        score = sum(weights[j][c] for j, c in enumerate(window))
        if score >= THRESHOLD:
            out.append((i, score))
    return out
"""


def _pwm_cases(p: Params, rng: random.Random) -> list[Case]:
    sites = _sites(rng, rng.randint(4, 9), rng.randint(4, 7))
    w = len(sites[0])
    planted = rand_seq(rng, 6) + sites[0] + rand_seq(rng, 5) + sites[1].lower() + "N" + rand_seq(rng, 3)
    cases = [
        Case("no sites", ([], "ACGT")),
        Case("unequal site lengths", (["ACGT", "ACG"], "ACGTACGT")),
        Case("invalid site letter", (["ACGN", "ACGT"], "ACGTACGT")),
        Case("sequence shorter than the sites", (sites, rand_seq(rng, w - 1))),
        Case("planted sites", (sites, planted)),
        Case("single site", ([sites[0]], sites[0] + rand_seq(rng, 8))),
    ]
    for i in range(7):
        ss = _sites(rng, rng.randint(3, 10), rng.randint(3, 8))
        seq = rand_seq(rng, rng.randint(5, 40))
        k = rng.randint(0, len(seq))
        cases.append(Case(f"random scan #{i + 1}", (ss, with_case(rng, seq[:k] + rng.choice(ss) + seq[k:], 0.1))))
    return cases


PWM_SCAN = Family(
    name="pwm_scan",
    topic="motifs",
    func="pwm_scan",
    signature="(sites: list[str], seq: str) -> list[tuple[int, float]]",
    dims={"pseudocount": (0.1, 0.5, 1.0), "threshold": (0.0, 2.0, 4.0, 6.0), "log_base": (2, "e")},
    describe=_pwm_describe,
    body=_PWM_BODY,
    cases=_pwm_cases,
    examples=lambda p: [(["ACGT", "ACGA", "TCGT"], "GGACGTTT")],
    mutants=(("/ (n + 4 * PSEUDOCOUNT)", "/ (n + PSEUDOCOUNT)"), ("if score >= THRESHOLD:", "if score > THRESHOLD + 0.5:")),
    cite="Stormo 2000",
)

_CODES: Final = {"AG": "R", "CT": "Y", "CG": "S", "AT": "W", "GT": "K", "AC": "M", "CGT": "B",
                 "AGT": "D", "ACT": "H", "ACG": "V", "ACGT": "N"}


def _consensus_describe(p: Params) -> str:
    symbols = "A, C, G, T and '-' (gap)" if p["gaps"] == "count" else "A, C, G and T"
    tie = (
        "the first of the tied bases in the order A, C, G, T"
        if p["tie"] == "alphabetical"
        else "the IUPAC code of the set of tied bases (AG=R, CT=Y, CG=S, AT=W, GT=K, AC=M, "
        "CGT=B, AGT=D, ACT=H, ACG=V, ACGT=N)"
    )
    rules = [
        "`seqs` is a list of equal-length strings (otherwise raise ValueError); the empty list gives ''.",
        f"In each column count the symbols {symbols}, case-insensitively; other characters are not counted.",
    ]
    if p["gaps"] == "count":
        rules.append("If '-' alone has the highest count, the column is left out of the consensus; "
                     "if it ties with bases, only those bases are considered.")
    if p["min_fraction"]:
        rules.append(f"If the highest count is below {p['min_fraction']} of the counted symbols "
                     "of the column, the consensus letter is 'N'.")
    rules += [
        "A column with no counted symbol gives 'N'.",
        f"Otherwise the letter is the base with the highest count; on ties, {tie}.",
        "Return the consensus string.",
    ]
    return bullets("Compute the consensus of the aligned sequences `seqs`.", rules)


_CONSENSUS_BODY = """
CODES = {"AG": "R", "CT": "Y", "CG": "S", "AT": "W", "GT": "K", "AC": "M", "CGT": "B",
         "AGT": "D", "ACT": "H", "ACG": "V", "ACGT": "N"}


def consensus(seqs: list) -> str:
    if not seqs:
        return ""
    if len({len(s) for s in seqs}) != 1:
        raise ValueError("sequences differ in length")
    symbols = "ACGT-" if GAPS == "count" else "ACGT"
    out = []
    for column in zip(*(s.upper() for s in seqs)):
        counts = {c: column.count(c) for c in symbols}
        total = sum(counts.values())
        top = max(counts.values())
        if total == 0:
            out.append("N")
            continue
        tied = [c for c in symbols if counts[c] == top]
        if tied == ["-"]:
            continue
        if MIN_FRACTION and top < MIN_FRACTION * total:
            out.append("N")
            continue
        bases = [c for c in tied if c != "-"]
        out.append(bases[0] if TIE == "alphabetical" or len(bases) == 1 else CODES["".join(bases)])
    return "".join(out)
"""


def _consensus_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("no sequences", ([],)),
        Case("unequal lengths", (["ACG", "AC"],)),
        Case("single sequence", (["ACGTN"],)),
        Case("two-way tie", (["AC", "GT"],)),
        Case("four-way tie", (["A", "C", "G", "T"],)),
        Case("gap majority", (["A-G", "A-T", "C-G"],)),
        Case("lower case and N", (["acgn", "ACGN", "aTGN"],)),
        Case("weak majority", (["AAAC", "ACCG", "AGGT", "TTTT", "CAGA"],)),
    ]
    for i in range(7):
        core = rand_seq(rng, rng.randint(3, 15))
        seqs = ["".join(c if rng.random() < 0.6 else rng.choice("ACGT-N") for c in core) for _ in range(rng.randint(2, 7))]
        cases.append(Case(f"random alignment #{i + 1}", ([with_case(rng, s, 0.1) for s in seqs],)))
    return cases


CONSENSUS = Family(
    name="consensus_sequence",
    topic="motifs",
    func="consensus",
    signature="(seqs: list[str]) -> str",
    dims={"tie": ("alphabetical", "iupac"), "gaps": ("ignore", "count"), "min_fraction": (0, 0.5, 0.75)},
    describe=_consensus_describe,
    body=_CONSENSUS_BODY,
    cases=_consensus_cases,
    examples=lambda p: [(["ACGTA", "ACCTA", "TCGAA"],)],
    mutants=(("top < MIN_FRACTION * total", "top <= MIN_FRACTION * total"), ("(s.upper() for s in seqs)", "(s for s in seqs)")),
    cite="Cavener 1987",
)


def _palindrome_describe(p: Params) -> str:
    maximal = (
        " Report only the longest qualifying palindrome of each centre (a palindrome is "
        "centred between positions i + L/2 - 1 and i + L/2)."
        if p["maximal"]
        else ""
    )
    return bullets(
        "Find the reverse palindromes of the DNA sequence `seq`.",
        [
            "A reverse palindrome is a substring equal to its reverse complement (A<->T, C<->G), "
            "read case-insensitively; characters other than A/C/G/T never take part.",
            f"Report every one of length L with {p['lmin']} <= L <= {p['lmax']}.{maximal}",
            f"Return (start, L) tuples, start {p['base']}-based, sorted by (start, L).",
        ],
    )


_PALINDROME_BODY = """
def reverse_palindromes(seq: str) -> list:
    s = seq.upper()
    pair = {"A": "T", "C": "G", "G": "C", "T": "A"}
    out = []
    for centre in range(1, len(s)):
        best = None
        for half in range(1, LMAX // 2 + 1):
            i, j = centre - half, centre + half - 1
            if i < 0 or j >= len(s) or pair.get(s[i]) != s[j] or s[i] not in pair:
                break
            if 2 * half >= LMIN:
                if MAXIMAL:
                    best = (i, 2 * half)
                else:
                    out.append((i + BASE, 2 * half))
        if best is not None:
            out.append((best[0] + BASE, best[1]))
    return sorted(out)
"""

PALINDROMES = Family(
    name="reverse_palindromes",
    topic="motifs",
    func="reverse_palindromes",
    signature="(seq: str) -> list[tuple[int, int]]",
    dims={"lmin": (4, 6), "lmax": (8, 10, 12), "base": (0, 1), "maximal": (False, True)},
    describe=_palindrome_describe,
    body=_PALINDROME_BODY,
    cases=lambda p, rng: [
        Case("empty sequence", ("",)),
        Case("no palindrome", ("AAAAAAAA",)),
        Case("EcoRI site", ("TTGAATTCTT",)),
        Case("nested palindromes", ("GCGAATTCGC",)),
        Case("lower case with N", ("acgtNACGT",)),
        Case("long palindrome", ("AT" * 8,)),
        *[Case(f"random sequence #{i + 1}", (with_case(rng, rand_seq(rng, rng.randint(8, 50), rng.choice(("ACGT", "AT", "CG"))), 0.1),)) for i in range(7)],
    ],
    examples=lambda p: [("GGAATTCCTAGCATGCAA",)],
    mutants=(("range(1, LMAX // 2 + 1)", "range(1, LMAX // 2)"),),
    cite="Rosalind REVP",
)


def _cpg_describe(p: Params) -> str:
    L, g, r = p["window"], p["gc"], p["ratio"]
    return bullets(
        "Find the CpG islands of the DNA sequence `seq` (read case-insensitively).",
        [
            f"Slide a window of {L} bases over seq (every start i with i + {L} <= len(seq)). In a "
            "window, C and G are the counts of those bases and CpG the number of positions where "
            "C is directly followed by G (both inside the window).",
            f"A window passes if (C + G) * 100 >= {g} * {L} and CpG * {L} * 100 >= {r} * C * G "
            "(observed/expected CpG ratio), with C * G > 0.",
            "Passing windows that overlap or touch are merged into islands.",
            "Return the islands as 0-based, half-open (start, end) tuples, sorted by start.",
        ],
    )


_CPG_BODY = """
def cpg_islands(seq: str) -> list:
    s = seq.upper()
    islands = []
    for i in range(len(s) - WINDOW + 1):
        w = s[i:i + WINDOW]
        c, g = w.count("C"), w.count("G")
        cpg = sum(1 for j in range(WINDOW - 1) if w[j] == "C" and w[j + 1] == "G")
        if c * g and (c + g) * 100 >= GC * WINDOW and cpg * WINDOW * 100 >= RATIO * c * g:
            if islands and i <= islands[-1][1]:
                islands[-1][1] = i + WINDOW
            else:
                islands.append([i, i + WINDOW])
    return [(a, b) for a, b in islands]
"""


def _cpg_seq(rng: random.Random, n_islands: int) -> str:
    parts = [rand_seq(rng, rng.randint(5, 40), "AATTCG")]
    for _ in range(n_islands):
        parts += [rand_seq(rng, rng.randint(15, 60), "CGCGAT"), rand_seq(rng, rng.randint(5, 40), "AATTGC")]
    return "".join(parts)


CPG_ISLANDS = Family(
    name="cpg_islands",
    topic="motifs",
    func="cpg_islands",
    signature="(seq: str) -> list[tuple[int, int]]",
    dims={"window": (10, 20, 30, 50), "gc": (50, 55, 60), "ratio": (60, 65, 80)},
    describe=_cpg_describe,
    body=_CPG_BODY,
    cases=lambda p, rng: [
        Case("empty sequence", ("",)),
        Case("shorter than a window", ("CG" * (p["window"] // 2 - 1),)),
        Case("no CpG", ("GC" * p["window"],)),
        Case("all CpG", ("CG" * p["window"],)),
        Case("lower case island", (("AT" * 10 + "CG" * p["window"] + "AT" * 10).lower(),)),
        *[Case(f"random sequence #{i + 1}", (_cpg_seq(rng, rng.randint(0, 3)),)) for i in range(7)],
    ],
    examples=lambda p: [("AT" * 6 + "CGCGGCGCTA" * 6 + "AT" * 6,)],
    mutants=(("if islands and i <= islands[-1][1]:", "if islands and i < islands[-1][1]:"), ("range(WINDOW - 1)", "range(WINDOW - 2)")),
    cite="Gardiner-Garden & Frommer 1987",
)

FAMILIES: Final = (PWM_SCAN, CONSENSUS, PALINDROMES, CPG_ISLANDS)
