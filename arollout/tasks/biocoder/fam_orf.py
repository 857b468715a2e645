"""Open reading frames and restriction digests.

ORFs use the standard code's stops (TAA, TAG, TGA; NCBI table 1) and the
usual bacterial alternative starts GTG and TTG (NCBI table 11). Recognition
sites and cut positions of the enzymes are those listed by REBASE
(Roberts et al. 2023, Nucleic Acids Res 51:D629).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, rand_seq, with_case

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)

_STOPS: Final = ("TAA", "TAG", "TGA")
_SENSE: Final = tuple(
    a + b + c for a in "ACGT" for b in "ACGT" for c in "ACGT" if a + b + c not in _STOPS
)


def _revcomp(seq: str) -> str:
    return seq.translate(str.maketrans("ACGT", "TGCA"))[::-1]


def _orf(rng: random.Random, codons: int, start: str = "ATG", stop: bool = True) -> str:
    body = "".join(rng.choice(_SENSE) for _ in range(codons - 1))
    return start + body + (rng.choice(_STOPS) if stop else "")


def _starts_text(p: Params) -> str:
    return "ATG" if p["starts"] == "ATG" else "ATG, GTG or TTG"


def _orf_constants(p: Params) -> dict[str, object]:
    return {k.upper(): tuple(v.split()) if k == "starts" else v for k, v in p.items()}


def _orf_rules(p: Params) -> list[str]:
    return [
        "`seq` is DNA (A, C, G, T, possibly N; either case).",
        f"An ORF begins at a start codon ({_starts_text(p)}) and continues codon by codon in the "
        "same frame up to and including the first stop codon (TAA, TAG or TGA).",
        "Every start codon begins its own ORF, so ORFs may be nested (they share the stop).",
        "Search the given strand only."
        if p["strands"] == "forward"
        else "Search both strands: the reverse strand is the reverse complement of `seq` "
        "(N stays N) and is read 5'->3' like the forward one.",
        "The length of an ORF is its number of codons, the start codon included and the stop "
        "codon excluded.",
    ]


def _longest_describe(p: Params) -> str:
    rules = _orf_rules(p)
    rules.append(
        "An ORF must end with a stop codon."
        if p["need_stop"]
        else "An ORF that reaches the end of the sequence without a stop also counts; it ends at "
        "its last complete codon (a trailing partial codon is dropped)."
    )
    rules += [
        f"Only ORFs of length >= {p['min_codons']} codons qualify.",
        "Return the longest qualifying ORF as an upper-case nucleotide string, stop codon "
        "included when it has one (a reverse-strand ORF as read on the reverse strand).",
        "Ties: prefer the forward strand, then the smaller start index within the strand's "
        'string. If no ORF qualifies, return "".',
    ]
    return "Find the longest open reading frame (ORF) of `seq`.\n\nRules:\n" + "\n".join(
        f"- {r}" for r in rules
    )


_LONGEST_BODY = """
def longest_orf(seq: str) -> str:
    seq = seq.upper()
    strands = [seq]
    if STRANDS == "both":
        pair = {"A": "T", "C": "G", "G": "C", "T": "A"}
        strands.append("".join(pair.get(b, b) for b in reversed(seq)))
    best, best_len = "", -1
    for s in strands:
        for i in range(len(s) - 2):
            if s[i:i + 3] not in STARTS:
                continue
            j, stopped = i, False
            while j + 3 <= len(s):
                if s[j:j + 3] in ("TAA", "TAG", "TGA"):
                    stopped = True
                    break
                j += 3
            if not stopped and NEED_STOP:
                continue
            codons = (j - i) // 3
            if codons >= MIN_CODONS and codons > best_len:
                best_len = codons
                best = s[i:j + 3] if stopped else s[i:j]
    return best
"""


def _orf_cases(p: Params, rng: random.Random) -> list[Case]:
    m = p["min_codons"]

    def filler(n: int) -> str:
        return rand_seq(rng, n, "ACGTN" if rng.random() < 0.2 else "ACGT")

    cases = [
        Case("empty sequence", ("",)),
        Case("no start codon", ("CCCTTTAAACCC",)),
        Case("start without stop", ("CC" + _orf(rng, m + 3, stop=False) + "A",)),
        Case("reverse strand only", ("C" + _revcomp(_orf(rng, m + 4)) + "CC",)),
        Case("nested ORFs", ("GG" + "ATG" + _orf(rng, m + 2) + "C",)),
        Case("exactly the minimum length", ("CC" + _orf(rng, m) + "C",)),
        Case("one codon short of the minimum", ("C" + _orf(rng, max(m - 1, 1)) + "CC",)),
        Case("alternative start codon", ("A" + _orf(rng, m + 5, start="GTG") + "CT",)),
        Case("lower-case input", (("ttg" + _orf(rng, m + 2)).lower() + "ac",)),
        Case("tie between two ORFs", (_orf(rng, m + 2) + "CC" + _orf(rng, m + 2) + "C",)),
    ]
    for i in range(8):
        parts = [filler(rng.randint(0, 20))]
        for _ in range(rng.randint(1, 3)):
            start = rng.choice(("ATG", "GTG", "TTG"))
            orf = _orf(rng, rng.randint(1, m + 8), start=start, stop=rng.random() < 0.85)
            parts.append(_revcomp(orf) if rng.random() < 0.4 else orf)
            parts.append(filler(rng.randint(0, 12)))
        cases.append(Case(f"random sequence #{i + 1}", (with_case(rng, "".join(parts), 0.1),)))
    return cases


LONGEST_ORF = Family(
    name="longest_orf",
    topic="sequence",
    func="longest_orf",
    signature="(seq: str) -> str",
    dims={
        "strands": ("forward", "both"),
        "starts": ("ATG", "ATG GTG TTG"),
        "min_codons": (1, 2, 4, 6, 10, 15, 20, 30),
        "need_stop": (True, False),
    },
    describe=_longest_describe,
    body=_LONGEST_BODY,
    constants=_orf_constants,
    cases=_orf_cases,
    examples=lambda p: [("CCATGAAATGCCCTAGGG",)],
    mutants=(
        ("codons >= MIN_CODONS", "codons > MIN_CODONS"),
        ("best = s[i:j + 3] if stopped", "best = s[i:j] if stopped"),
        ('if STRANDS == "both":', "if False:"),
    ),
)


def _count_describe(p: Params) -> str:
    rules = _orf_rules(p)
    rules += [
        "An ORF must end with a stop codon.",
        f"Only ORFs of length >= {p['min_codons']} codons count.",
        "Count every qualifying ORF, nested ones included."
        if p["nested"] == "all"
        else "Count each stop codon at most once: of the ORFs sharing a stop, only the outermost "
        "(the longest) is considered.",
        "Return the count as an int (0 for the empty string).",
    ]
    return "Count the open reading frames (ORFs) of `seq`.\n\nRules:\n" + "\n".join(
        f"- {r}" for r in rules
    )


_COUNT_BODY = """
def count_orfs(seq: str) -> int:
    seq = seq.upper()
    strands = [seq]
    if STRANDS == "both":
        pair = {"A": "T", "C": "G", "G": "C", "T": "A"}
        strands.append("".join(pair.get(b, b) for b in reversed(seq)))
    count = 0
    for s in strands:
        for frame in range(3):
            open_starts = []
            for i in range(frame, len(s) - 2, 3):
                codon = s[i:i + 3]
                if codon in ("TAA", "TAG", "TGA"):
                    lengths = [(i - start) // 3 for start in open_starts]
                    if NESTED == "outermost":
                        lengths = lengths[:1]
                    count += sum(1 for n in lengths if n >= MIN_CODONS)
                    open_starts = []
                elif codon in STARTS:
                    open_starts.append(i)
    return count
"""

COUNT_ORFS = Family(
    name="count_orfs",
    topic="sequence",
    func="count_orfs",
    signature="(seq: str) -> int",
    dims={
        "strands": ("forward", "both"),
        "starts": ("ATG", "ATG GTG TTG"),
        "min_codons": (1, 2, 3, 5, 8, 12, 15, 20),
        "nested": ("outermost", "all"),
    },
    describe=_count_describe,
    body=_COUNT_BODY,
    constants=_orf_constants,
    cases=lambda p, rng: _orf_cases({**p, "need_stop": True}, rng),
    examples=lambda p: [("ATGATGAAATAGCC",)],
    mutants=(
        ("n >= MIN_CODONS", "n > MIN_CODONS"),
        ("                    open_starts = []\n                elif", "                    pass\n                elif"),
    ),
)

_ENZYMES: Final = {
    "EcoRI": ("GAATTC", 1),
    "BamHI": ("GGATCC", 1),
    "HindIII": ("AAGCTT", 1),
    "NotI": ("GCGGCCGC", 2),
    "XhoI": ("CTCGAG", 1),
    "SmaI": ("CCCGGG", 3),
    "EcoRV": ("GATATC", 3),
    "PstI": ("CTGCAG", 5),
    "KpnI": ("GGTACC", 5),
    "NcoI": ("CCATGG", 1),
    "NdeI": ("CATATG", 2),
    "XbaI": ("TCTAGA", 1),
    "SalI": ("GTCGAC", 1),
    "NheI": ("GCTAGC", 1),
    "SpeI": ("ACTAGT", 1),
    "SacI": ("GAGCTC", 5),
}


def _digest_describe(p: Params) -> str:
    site, cut = _ENZYMES[p["enzyme"]]
    shown = site[:cut] + "^" + site[cut:]
    rules = [
        f"{p['enzyme']} recognises {site} and cuts the top strand as {shown}, i.e. between "
        f"positions {cut - 1} and {cut} of the site (0-based). The site is its own reverse "
        "complement, so searching `seq` alone finds every site.",
        "Match case-insensitively; sites may overlap (each occurrence cuts).",
        "The DNA is linear: fragments run from the start to the first cut, between cuts, and "
        "from the last cut to the end."
        if p["topology"] == "linear"
        else "The DNA is circular: sites may span the junction between the end and the start of "
        "`seq`; k >= 1 cuts give k fragments, one of them crossing the junction.",
        "Without any site the result is [len(seq)] (the empty string gives []).",
        "Return the fragment lengths sorted in increasing order."
        if p["order"] == "sorted"
        else "Return the fragment lengths in the order of the fragments along `seq`, starting "
        "with the fragment that begins at position 0"
        + (
            "."
            if p["topology"] == "linear"
            else " or, for circular DNA, with the fragment that begins at the first cut position."
        ),
    ]
    return f"Digest `seq` with {p['enzyme']} and return the fragment lengths.\n\nRules:\n" + "\n".join(
        f"- {r}" for r in rules
    )


_DIGEST_BODY = """
def digest(seq: str) -> list:
    site, offset = SITE, CUT
    s = seq.upper()
    n = len(s)
    if n == 0:
        return []
    text = s + s[:len(site) - 1] if TOPOLOGY == "circular" else s
    cuts = sorted({(i + offset) % n if TOPOLOGY == "circular" else i + offset
                   for i in range(min(len(text) - len(site) + 1, n))
                   if text[i:i + len(site)] == site})
    if not cuts:
        return [n]
    if TOPOLOGY == "linear":
        bounds = [0, *cuts, n]
        pieces = [b - a for a, b in zip(bounds, bounds[1:])]
    else:
        pieces = [b - a for a, b in zip(cuts, cuts[1:])] + [n - cuts[-1] + cuts[0]]
    return sorted(pieces) if ORDER == "sorted" else pieces
"""


def _digest_cases(p: Params, rng: random.Random) -> list[Case]:
    site = _ENZYMES[p["enzyme"]][0]
    half = len(site) // 2
    cases = [
        Case("empty sequence", ("",)),
        Case("no site", (rand_seq(rng, 30, "AC"),)),
        Case("site only", (site,)),
        Case("lower-case site", ("AA" + site.lower() + rand_seq(rng, 9),)),
        Case("site across the junction", (site[half:] + rand_seq(rng, 12, "AT") + site[:half],)),
        Case("adjacent sites", ("C" + site + site + "GG",)),
    ]
    for i in range(7):
        parts = [rand_seq(rng, rng.randint(0, 25))]
        for _ in range(rng.randint(1, 4)):
            parts += [site, rand_seq(rng, rng.randint(1, 25))]
        cases.append(Case(f"random sequence #{i + 1}", ("".join(parts),)))
    return cases


DIGEST = Family(
    name="restriction_digest",
    topic="sequence",
    func="digest",
    signature="(seq: str) -> list[int]",
    dims={"enzyme": tuple(_ENZYMES), "topology": ("linear", "circular"), "order": ("sorted", "along")},
    describe=_digest_describe,
    body=_DIGEST_BODY,
    cases=_digest_cases,
    constants=lambda p: {
        "SITE": _ENZYMES[p["enzyme"]][0],
        "CUT": _ENZYMES[p["enzyme"]][1],
        "TOPOLOGY": p["topology"],
        "ORDER": p["order"],
    },
    examples=lambda p: [("TT" + _ENZYMES[p["enzyme"]][0] + "ACGTACGT",)],
    mutants=(("s = seq.upper()", "s = seq"), ("+ [n - cuts[-1] + cuts[0]]", "")),
    cite="REBASE",
)

FAMILIES: Final = (LONGEST_ORF, COUNT_ORFS, DIGEST)
