"""Counting over a translation table: encodings, CDS validity, synonymous sites, GC3s.

``count_encodings`` is Rosalind's MRNA problem generalised to any NCBI table;
synonymous sites follow Nei & Gojobori 1986 (Mol Biol Evol 3:418); GC3s is
codonW's GC content of synonymous third positions (Peden 1999).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.fam_codon import READ_FRAME0
from arollout.tasks.biocoder.family import Case, Family, bullets, with_case
from arollout.tasks.biocoder.genetic_codes import (
    CODE_SOURCE,
    CODONS,
    TABLE_IDS,
    code,
    random_codons,
    special_codons,
    table_constants,
    table_text,
)

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)

_AMINO: Final = "ACDEFGHIKLMNPQRSTVWY"


def _encodings_describe(p: Params) -> str:
    mod = (
        f"Return the count modulo {p['modulo']} (an int)."
        if p["modulo"]
        else "Return the exact count (an int)."
    )
    return bullets(
        f"Count the distinct DNA sequences that encode the protein `protein` under {table_text(p['table'])}.",
        [
            "`protein` is a string of one-letter amino-acid codes, read case-insensitively.",
            "Each residue may be encoded by any codon the table assigns to it; the count is the "
            "product of the numbers of codons of its residues.",
            "The coding sequence also ends with one of the table's stop codons (the count is "
            "multiplied by the number of stop codons)."
            if p["with_stop"]
            else "No stop codon is appended.",
            "A character that is not an amino acid encoded by the table (including '*') raises "
            "ValueError. The empty protein has "
            + ("as many encodings as there are stop codons." if p["with_stop"] else "1 encoding."),
            mod,
        ],
    )


_ENCODINGS_BODY = (
    CODE_SOURCE
    + """

def count_encodings(protein: str) -> int:
    per_residue = {}
    for aa in CODE.values():
        per_residue[aa] = per_residue.get(aa, 0) + 1
    total = per_residue["*"] if WITH_STOP else 1
    for ch in protein.upper():
        if ch == "*" or ch not in per_residue:
            raise ValueError(f"not an amino acid: {ch!r}")
        total *= per_residue[ch]
        if MODULO:
            total %= MODULO
    return total % MODULO if MODULO else total
"""
)


def _protein_with(rng: random.Random, n: int, must: str) -> str:
    chars = list(must) + [rng.choice(_AMINO) for _ in range(max(n - len(must), 0))]
    rng.shuffle(chars)
    return "".join(chars)


def _encodings_cases(p: Params, rng: random.Random) -> list[Case]:
    table = code(p["table"]).table
    odd = "".join(sorted({table[c] for c in special_codons(p["table"]) if table[c] != "*"}))
    cases = [
        Case("empty protein", ("",)),
        Case("single methionine", ("M",)),
        Case("residues affected by the table", (odd or "MW",)),
        Case("lower case", (_protein_with(rng, 6, "mwl").lower(),)),
        Case("stop symbol", ("MA*",)),
        Case("not an amino acid", ("MBZ",)),
    ]
    cases.extend(Case(f"random protein #{i + 1}", (_protein_with(rng, rng.randint(2, 20), odd[:2]),)) for i in range(7))
    return cases


COUNT_ENCODINGS = Family(
    name="count_encodings",
    topic="codons",
    func="count_encodings",
    signature="(protein: str) -> int",
    dims={"table": TABLE_IDS, "with_stop": (True, False), "modulo": (0, 1_000_000, 1_000_000_007)},
    describe=_encodings_describe,
    body=_ENCODINGS_BODY,
    cases=_encodings_cases,
    constants=lambda p: table_constants(p, WITH_STOP=p["with_stop"], MODULO=p["modulo"]),
    examples=lambda p: [("MA",)],
    mutants=(('total = per_residue["*"] if WITH_STOP else 1', "total = 1"), ("protein.upper()", "protein")),
    cite="Rosalind MRNA; NCBI genetic codes",
)


def _cds_describe(p: Params) -> str:
    starts = ", ".join(code(p["table"]).start_codons) if p["alt_starts"] else "ATG"
    return bullets(
        f"Decide whether `seq` is a complete, valid coding sequence under {table_text(p['table'])}.",
        [
            "Letters are read case-insensitively; any character other than A, C, G, T makes it invalid.",
            "The length must be a multiple of 3 and at least 6.",
            f"The first codon must be a start codon: {starts}.",
            "The last codon must be a stop codon of the table ("
            + ", ".join(code(p["table"]).stop_codons)
            + "), and no other in-frame codon may be a stop.",
            "Return True or False.",
        ],
    )


_CDS_BODY = """
def is_valid_cds(seq: str) -> bool:
    s = seq.upper()
    if any(ch not in "ACGT" for ch in s) or len(s) < 6 or len(s) % 3:
        return False
    codons = [s[i:i + 3] for i in range(0, len(s), 3)]
    if codons[0] not in ALLOWED_STARTS or codons[-1] not in STOP_CODONS:
        return False
    return all(c not in STOP_CODONS for c in codons[:-1])
"""


def _cds(rng: random.Random, t: int, n: int, alt: bool) -> str:
    starts = code(t).start_codons if alt else ("ATG",)
    return rng.choice(starts) + random_codons(rng, n, t, stops=False) + rng.choice(code(t).stop_codons)


def _cds_cases(p: Params, rng: random.Random) -> list[Case]:
    t, alt = p["table"], p["alt_starts"]
    gc = code(t)
    other_start = next((c for c in code(11).start_codons if c not in gc.start_codons), "CCC")
    foreign_stop = next((c for c in ("TGA", "AGA", "TAA", "TAG") if gc.table[c] != "*"), None)
    cases = [
        Case("empty sequence", ("",)),
        Case("start and stop only", ("ATG" + gc.stop_codons[0],)),
        Case("lower-case valid", (_cds(rng, t, 4, alt).lower(),)),
        Case("length not a multiple of 3", (_cds(rng, t, 3, alt) + "A",)),
        Case("internal stop", ("ATG" + gc.stop_codons[-1] + random_codons(rng, 2, t, stops=False) + gc.stop_codons[0],)),
        Case("no stop at the end", ("ATG" + random_codons(rng, 4, t, stops=False),)),
        Case("alternative start", (gc.start_codons[0] + random_codons(rng, 3, t, stops=False) + gc.stop_codons[0],)),
        Case("start codon of another table", (other_start + random_codons(rng, 3, t, stops=False) + gc.stop_codons[-1],)),
        Case("N inside", ("ATGNNN" + gc.stop_codons[0],)),
    ]
    if foreign_stop is not None:
        cases.append(Case("stop codon of another table", ("ATG" + foreign_stop + gc.stop_codons[0],)))
        cases.append(Case("ends with another table's stop", ("ATG" + "GCC" + foreign_stop,)))
    for i in range(8):
        seq = _cds(rng, t, rng.randint(1, 12), alt or rng.random() < 0.3)
        if rng.random() < 0.4:
            k = 3 * rng.randrange(1, len(seq) // 3)
            seq = seq[:k] + rng.choice(CODONS) + seq[k + 3 :]
        cases.append(Case(f"random sequence #{i + 1}", (with_case(rng, seq, 0.1),)))
    return cases


VALID_CDS = Family(
    name="valid_cds",
    topic="codons",
    func="is_valid_cds",
    signature="(seq: str) -> bool",
    dims={"table": TABLE_IDS, "alt_starts": (False, True)},
    valid=lambda p: not p["alt_starts"] or code(p["table"]).start_codons != ("ATG",),
    describe=_cds_describe,
    body=_CDS_BODY,
    cases=_cds_cases,
    constants=lambda p: {
        "STOP_CODONS": code(p["table"]).stop_codons,
        "ALLOWED_STARTS": code(p["table"]).start_codons if p["alt_starts"] else ("ATG",),
    },
    examples=lambda p: [("ATGGCCTAA",)],
    mutants=(("return all(c not in STOP_CODONS for c in codons[:-1])", "return True"), ('any(ch not in "ACGT" for ch in s) or ', "")),
    cite="NCBI genetic codes",
)


def _sites_describe(p: Params) -> str:
    stop_rule = (
        "alternatives that are stop codons are left out (neither synonymous nor counted)"
        if p["stop_rule"] == "exclude"
        else "alternatives that are stop codons count as non-synonymous changes"
    )
    return bullets(
        f"Count the synonymous and non-synonymous sites of the coding sequence `cds` (Nei-Gojobori) under {table_text(p['table'])}.",
        [
            "Read `cds` case-insensitively in frame 0; a trailing partial codon is ignored, and "
            "codons with a character other than A/C/G/T, and stop codons, are skipped.",
            "For each codon and each of its 3 positions, consider the 3 codons that differ from it "
            f"at that position only; {stop_rule}.",
            "With s synonymous changes among the c alternatives considered at a position, the "
            "position adds s / c to S and 1 - s / c to N (a position with c = 0 adds nothing).",
            "Return the tuple (S, N) of floats summed over all codons ((0.0, 0.0) when no codon counts).",
        ],
    )


_SITES_BODY = (
    CODE_SOURCE
    + """

def synonymous_sites(cds: str) -> tuple:
    s = cds.upper()
    syn = non = 0.0
    for i in range(0, len(s) - 2, 3):
        codon = s[i:i + 3]
        if codon not in CODE or CODE[codon] == "*":
            continue
        for pos in range(3):
            same = considered = 0
            for base in "ACGT":
                if base == codon[pos]:
                    continue
                other = codon[:pos] + base + codon[pos + 1:]
                if CODE[other] == "*" and STOP_RULE == "exclude":
                    continue
                considered += 1
                same += CODE[other] == CODE[codon]
            if considered:
                syn += same / considered
                non += 1 - same / considered
    return (syn, non)
"""
)


def _sites_cases(p: Params, rng: random.Random) -> list[Case]:
    t = p["table"]
    cases = [
        Case("empty sequence", ("",)),
        Case("single codon ATG", ("ATG",)),
        Case("codons specific to the table", ("".join(special_codons(t)),)),
        Case("codons next to stops", ("TGGTACTTATCA",)),
        Case("lower case and N", (with_case(rng, random_codons(rng, 4, t), 0.5) + "ANA",)),
    ]
    cases.extend(Case(f"random sequence #{i + 1}", (random_codons(rng, rng.randint(3, 20), t),)) for i in range(7))
    return cases


SYNONYMOUS_SITES = Family(
    name="synonymous_sites",
    topic="codons",
    func="synonymous_sites",
    signature="(cds: str) -> tuple[float, float]",
    dims={"table": TABLE_IDS, "stop_rule": ("exclude", "nonsynonymous")},
    describe=_sites_describe,
    body=_SITES_BODY,
    cases=_sites_cases,
    constants=lambda p: table_constants(p, STOP_RULE=p["stop_rule"]),
    examples=lambda p: [("ATGTTT",)],
    mutants=(("non += 1 - same / considered", "non += 1 - same / 3"),),
    cite="Nei & Gojobori 1986",
)


def _gc3_describe(p: Params) -> str:
    which = (
        "synonymous codons only: codons of amino acids encoded by a single codon in this "
        "table, and stop codons, are left out (GC3s)"
        if p["which"] == "gc3s"
        else "every sense codon (stop codons are left out)"
    )
    return bullets(
        f"Compute the GC content at third codon positions of `cds` under {table_text(p['table'])}.",
        [
            READ_FRAME0.format(arg="cds") + " Codons with other characters are skipped.",
            f"Count {which}.",
            "Return (number of counted codons whose third base is G or C) / (number of counted "
            "codons) as a float, or 0.0 when no codon counts.",
        ],
    )


_GC3_BODY = (
    CODE_SOURCE
    + """

def gc3(cds: str) -> float:
    s = cds.upper().replace("U", "T")
    size = {}
    for aa in CODE.values():
        size[aa] = size.get(aa, 0) + 1
    counted = strong = 0
    for i in range(0, len(s) - 2, 3):
        codon = s[i:i + 3]
        if codon not in CODE or CODE[codon] == "*":
            continue
        if WHICH == "gc3s" and size[CODE[codon]] == 1:
            continue
        counted += 1
        strong += codon[2] in "GC"
    return strong / counted if counted else 0.0
"""
)


def _gc3_cases(p: Params, rng: random.Random) -> list[Case]:
    t = p["table"]
    gc = code(t).table
    singles = [c for c in CODONS if gc[c] != "*" and sum(gc[x] == gc[c] for x in CODONS) == 1]
    cases = [
        Case("empty sequence", ("",)),
        Case("single-codon amino acids", ("".join(singles) + "GCC",)),
        Case("codons specific to the table", ("".join(special_codons(t)),)),
        Case("RNA lower case", (with_case(rng, random_codons(rng, 6, t), 0.7).replace("T", "U"),)),
    ]
    cases.extend(Case(f"random sequence #{i + 1}", (random_codons(rng, rng.randint(3, 30), t) + "NN",)) for i in range(7))
    return cases


GC3 = Family(
    name="gc3_content",
    topic="codons",
    func="gc3",
    signature="(cds: str) -> float",
    dims={"table": TABLE_IDS, "which": ("gc3s", "gc3")},
    describe=_gc3_describe,
    body=_GC3_BODY,
    cases=_gc3_cases,
    constants=lambda p: table_constants(p, WHICH=p["which"]),
    examples=lambda p: [("ATGGCCAAGTGG",)],
    mutants=(('.replace("U", "T")', ""), ('strong += codon[2] in "GC"', 'strong += codon[0] in "GC"')),
    cite="Peden 1999 (codonW)",
)

FAMILIES: Final = (COUNT_ENCODINGS, VALID_CDS, SYNONYMOUS_SITES, GC3)
