"""Codon translation under the NCBI translation tables, and codon statistics.

Every family takes an NCBI table id (``genetic_codes``) among its parameters;
the hidden tests always include the codons where the table departs from the
standard code, so implementing table 1 for table 2 fails. RSCU follows Sharp &
Li 1986 (Nucleic Acids Res 14:7737); synonymous and non-synonymous sites the
Nei & Gojobori 1986 method (Mol Biol Evol 3:418); GC3s the codonW definition
(Peden 1999).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq, with_case
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

READ_FRAME0: Final = (
    "Read `{arg}` case-insensitively, with U read as T, in frame 0 (codons at 0, 3, 6, ...); "
    "a trailing partial codon is ignored."
)


def _translate_describe(p: Params) -> str:
    return bullets(
        f"Translate the nucleotide sequence `seq` into protein with {table_text(p['table'])}.",
        [
            READ_FRAME0.format(arg="seq"),
            "A codon containing any other character translates to 'X'.",
            "Translation stops before the first stop codon (the stop is not included)."
            if p["to_stop"]
            else "Stop codons translate to '*' and translation continues after them.",
            "If the first codon is one of the table's start codons ("
            + ", ".join(code(p["table"]).start_codons)
            + "), it is translated as 'M'; later codons use the table as usual."
            if p["cds"]
            else "Every codon, the first included, uses the table as usual.",
            "Return the protein as an upper-case string of one-letter codes.",
        ],
    )


_TRANSLATE_BODY = (
    CODE_SOURCE
    + """

def translate(seq: str) -> str:
    s = seq.upper().replace("U", "T")
    protein = []
    for i in range(0, len(s) - 2, 3):
        codon = s[i:i + 3]
        aa = CODE.get(codon, "X")
        if i == 0 and CDS and codon in START_CODONS:
            aa = "M"
        if aa == "*" and TO_STOP:
            break
        protein.append(aa)
    return "".join(protein)
"""
)


def _translate_cases(p: Params, rng: random.Random) -> list[Case]:
    t = p["table"]
    special = special_codons(t)
    rng.shuffle(special)
    sense = [c for c in CODONS if code(t).table[c] != "*"]
    rng.shuffle(sense)
    cases = [
        Case("empty sequence", ("",)),
        Case("shorter than a codon", ("AT",)),
        Case("trailing partial codon", (random_codons(rng, 4, t, stops=False) + "GC",)),
        Case("codons specific to the table", ("".join(special),)),
        Case("every sense codon, then a stop", ("".join(sense) + code(t).stop_codons[0],)),
        Case("alternative start codon first", (code(t).start_codons[0] + random_codons(rng, 5, t),)),
        Case("RNA and lower case", (with_case(rng, random_codons(rng, 6, t), 0.5).replace("T", "U"),)),
        Case("codon with N", ("ATG" + "ANG" + random_codons(rng, 3, t, stops=False),)),
        Case("stop in the middle", (random_codons(rng, 3, t, stops=False) + code(t).stop_codons[-1] + random_codons(rng, 3, t),)),
    ]
    for i in range(6):
        start = rng.choice(code(t).start_codons) if rng.random() < 0.5 else ""
        cases.append(Case(f"random sequence #{i + 1}", (start + random_codons(rng, rng.randint(3, 25), t),)))
    return cases


TRANSLATE = Family(
    name="translate",
    topic="codons",
    func="translate",
    signature="(seq: str) -> str",
    dims={"table": TABLE_IDS, "to_stop": (False, True), "cds": (False, True)},
    describe=_translate_describe,
    body=_TRANSLATE_BODY,
    cases=_translate_cases,
    constants=lambda p: table_constants(p, TO_STOP=p["to_stop"], CDS=p["cds"]),
    examples=lambda p: [("ATGGCCTGGTAAGC",)],
    mutants=(('.replace("U", "T")', ""), ("if i == 0 and CDS", "if CDS")),
    cite="NCBI genetic codes",
)


def _six_describe(p: Params) -> str:
    return bullets(
        f"Translate `seq` in all six reading frames with {table_text(p['table'])}.",
        [
            "Return a dict with keys 1, 2, 3, -1, -2, -3. Frame f > 0 translates seq[f - 1:]; "
            "frame -f translates rc[f - 1:], where rc is the reverse complement of `seq` "
            "(A<->T, C<->G; any other character stays as it is).",
            "Letters are read case-insensitively. A codon containing a character other than "
            "A/C/G/T translates to 'X'; stop codons translate to '*'.",
            "A trailing partial codon (1 or 2 leftover bases) is dropped."
            if p["trailing"] == "drop"
            else "A trailing partial codon (1 or 2 leftover bases) adds one final 'X'.",
            "A frame with no complete codon maps to the empty string"
            + ("." if p["trailing"] == "drop" else " (or 'X' when bases are left over)."),
        ],
    )


_SIX_BODY = (
    CODE_SOURCE
    + """

def _frame(s):
    protein = [CODE.get(s[i:i + 3], "X") for i in range(0, len(s) - 2, 3)]
    if TRAILING == "X" and len(s) % 3:
        protein.append("X")
    return "".join(protein)


def six_frames(seq: str) -> dict:
    s = seq.upper()
    pair = {"A": "T", "C": "G", "G": "C", "T": "A"}
    rc = "".join(pair.get(b, b) for b in reversed(s))
    frames = {}
    for f in (1, 2, 3):
        frames[f] = _frame(s[f - 1:])
        frames[-f] = _frame(rc[f - 1:])
    return frames
"""
)


def _six_cases(p: Params, rng: random.Random) -> list[Case]:
    t = p["table"]
    special = special_codons(t)
    cases = [
        Case("empty sequence", ("",)),
        Case("one base", ("A",)),
        Case("four bases", ("ACGT",)),
        Case("codons specific to the table", ("".join(special) + "A",)),
        Case("lower case with N", (with_case(rng, random_codons(rng, 5, t), 0.6) + "N" + "ac",)),
    ]
    cases.extend(Case(f"random sequence #{i + 1}", (random_codons(rng, rng.randint(3, 15), t) + rand_seq(rng, rng.randint(0, 2)),)) for i in range(7))
    return cases


SIX_FRAMES = Family(
    name="six_frame_translation",
    topic="codons",
    func="six_frames",
    signature="(seq: str) -> dict[int, str]",
    dims={"table": TABLE_IDS, "trailing": ("drop", "X")},
    describe=_six_describe,
    body=_SIX_BODY,
    cases=_six_cases,
    constants=lambda p: table_constants(p, TRAILING=p["trailing"]),
    examples=lambda p: [("ATGAAGTGA",)],
    mutants=(("frames[-f] = _frame(rc[f - 1:])", "frames[-f] = _frame(s[::-1][f - 1:])"),),
    cite="NCBI genetic codes",
)


def _rscu_describe(p: Params) -> str:
    return bullets(
        f"Compute the relative synonymous codon usage (RSCU) of the coding sequence `cds` with {table_text(p['table'])}.",
        [
            READ_FRAME0.format(arg="cds") + " Codons containing other characters are skipped.",
            "Codons are grouped by the amino acid they encode"
            + (
                "; the stop codons form one more group."
                if p["stops"]
                else "; stop codons are skipped."
            ),
            "For a codon j of a group i with n_i codons and counts X_ij: "
            "RSCU_ij = X_ij / ((1 / n_i) * sum_j X_ij).",
            "Return a dict mapping each codon (upper-case DNA, with T) of every group that was "
            "observed at least once to its RSCU (a float; unobserved codons of such groups map to "
            "0.0). Groups never observed are left out.",
        ],
    )


_RSCU_BODY = (
    CODE_SOURCE
    + """

def rscu(cds: str) -> dict:
    s = cds.upper().replace("U", "T")
    counts = {}
    for i in range(0, len(s) - 2, 3):
        codon = s[i:i + 3]
        if codon in CODE and (STOPS or CODE[codon] != "*"):
            counts[codon] = counts.get(codon, 0) + 1
    out = {}
    for aa in {CODE[c] for c in counts}:
        group = [c for c in CODE if CODE[c] == aa]
        total = sum(counts.get(c, 0) for c in group)
        for c in group:
            out[c] = counts.get(c, 0) * len(group) / total
    return out
"""
)


def _rscu_cases(p: Params, rng: random.Random) -> list[Case]:
    t = p["table"]
    cases = [
        Case("empty sequence", ("",)),
        Case("one codon", ("ATG",)),
        Case("codons specific to the table", ("".join(special_codons(t)),)),
        Case("stop codons only", ("".join(code(t).stop_codons) * 2,)),
        Case("RNA, lower case and N", (with_case(rng, random_codons(rng, 8, t), 0.5).replace("T", "U") + "NNA",)),
    ]
    cases.extend(Case(f"random sequence #{i + 1}", (random_codons(rng, rng.randint(5, 40), t),)) for i in range(7))
    return cases


RSCU = Family(
    name="codon_usage_rscu",
    topic="codons",
    func="rscu",
    signature="(cds: str) -> dict[str, float]",
    dims={"table": TABLE_IDS, "stops": (False, True)},
    describe=_rscu_describe,
    body=_RSCU_BODY,
    cases=_rscu_cases,
    constants=lambda p: table_constants(p, STOPS=p["stops"]),
    examples=lambda p: [("GCTGCAGCTAAATAA",)],
    mutants=(("* len(group) / total", "/ total"),),
    cite="Sharp & Li 1986",
)

FAMILIES: Final = (TRANSLATE, SIX_FRAMES, RSCU)
