"""Sequence manipulation: reverse complement, GC content, transcription, GC skew.

Complement pairs and IUPAC ambiguity codes follow the NC-IUB recommendations
(Cornish-Bowden 1985, Nucleic Acids Res 13:3021); GC skew is (G - C)/(G + C)
(Lobry 1996, Mol Biol Evol 13:660).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, rand_seq, with_case

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)

_IUPAC_PAIRS: Final = "R<->Y, K<->M, B<->V, D<->H, while S, W and N are their own complements"


def _revcomp_describe(p: Params) -> str:
    t = "U" if p["molecule"] == "RNA" else "T"
    other = "T" if t == "U" else "U"
    what = "reverse complement" if p["mode"] == "reverse_complement" else "complement"
    order = (
        "read from the last character to the first"
        if p["mode"] == "reverse_complement"
        else "in the same order as the input (no reversal)"
    )
    rules = [
        f"The alphabet is {p['molecule']}: A pairs with {t}, C with G; N is its own complement.",
        (
            f"IUPAC ambiguity codes are complemented too: {_IUPAC_PAIRS}."
            if p["iupac"]
            else "IUPAC ambiguity codes other than N are not part of the alphabet."
        ),
        (
            "Letters are matched case-insensitively and the case of each letter is kept "
            "(a lower-case base gives a lower-case complement)."
            if p["case"] == "preserve"
            else "Letters are matched case-insensitively and the output is upper-case."
        ),
        (
            f"Any other character (including {other}, gaps, digits, spaces) raises ValueError."
            if p["invalid"] == "raise"
            else f"Any other character (including {other}, gaps, digits, spaces) is copied "
            "to the output unchanged (same case), at its position in the output."
        ),
        'The empty string gives "".',
    ]
    return (
        f"Return the {what} of the nucleic-acid sequence `seq`, {order}.\n\nRules:\n"
        + "\n".join(f"- {r}" for r in rules)
    )


_REVCOMP_BODY = """
def reverse_complement(seq: str) -> str:
    t = "U" if MOLECULE == "RNA" else "T"
    partner = {"A": t, t: "A", "C": "G", "G": "C", "N": "N"}
    if IUPAC:
        partner.update(
            {"R": "Y", "Y": "R", "K": "M", "M": "K", "B": "V", "V": "B",
             "D": "H", "H": "D", "S": "S", "W": "W"}
        )
    chars = reversed(seq) if MODE == "reverse_complement" else iter(seq)
    out = []
    for ch in chars:
        up = ch.upper()
        if len(up) == 1 and up in partner:
            comp = partner[up]
            out.append(comp.lower() if CASE == "preserve" and ch.islower() else comp)
        elif INVALID == "raise":
            raise ValueError(f"invalid character {ch!r}")
        else:
            out.append(ch)
    return "".join(out)
"""


def _revcomp_cases(p: Params, rng: random.Random) -> list[Case]:
    t = "U" if p["molecule"] == "RNA" else "T"
    other = "T" if t == "U" else "U"
    alpha = "AC G".replace(" ", "") + t
    cases = [
        Case("empty sequence", ("",)),
        Case("single base", (rng.choice(alpha),)),
        Case("lower-case input", (rand_seq(rng, 12, alpha).lower(),)),
        Case("mixed case", (with_case(rng, rand_seq(rng, 15, alpha), 0.5),)),
        Case("N in sequence", ("AN" + rand_seq(rng, 6, alpha) + "nN",)),
        Case("other nucleotide letter", (rand_seq(rng, 4, alpha) + other + rand_seq(rng, 3, alpha),)),
        Case("gap and digit", ("AC-G" + t + "1",)),
        Case("ambiguity codes", ("ARYKMBVDHSW" + t + "rk",)),
    ]
    cases.extend(Case(f"random sequence #{i + 1}", (with_case(rng, rand_seq(rng, rng.randint(5, 60), alpha), 0.15),)) for i in range(6))
    return cases


REVERSE_COMPLEMENT = Family(
    name="reverse_complement",
    topic="sequence",
    func="reverse_complement",
    signature="(seq: str) -> str",
    dims={
        "mode": ("reverse_complement", "complement"),
        "molecule": ("DNA", "RNA"),
        "case": ("preserve", "upper"),
        "iupac": (False, True),
        "invalid": ("raise", "keep"),
    },
    describe=_revcomp_describe,
    body=_REVCOMP_BODY,
    cases=_revcomp_cases,
    examples=lambda p: [("AACGtN" if p["case"] == "preserve" else "AACGN",)]
    if p["molecule"] == "DNA"
    else [("AACGuN",)],
    mutants=(
        ('"C": "G", "G": "C"', '"C": "C", "G": "G"'),
        ("comp.lower() if", "comp if"),
        ('partner = {"A": t, t: "A"', 'partner = {"A": "T", "T": "A"'),
    ),
    cite="NC-IUB nucleotide codes (Cornish-Bowden 1985)",
)


def _gc_describe(p: Params) -> str:
    scale = "a fraction in [0, 1]" if p["scale"] == "fraction" else "a percentage in [0, 100]"
    denom = (
        "every character of the sequence"
        if p["denominator"] == "all"
        else "only the unambiguous bases A, C, G, T and U"
    )
    rules = [
        "Bases are counted case-insensitively."
        if p["soft_mask"] == "count"
        else "Lower-case letters are soft-masked repeats: they are ignored entirely (counted "
        "neither as G/C nor in the denominator); only upper-case letters count.",
        "The numerator counts G and C"
        + (" and S (the IUPAC code for G or C)." if p["strong"] else "; S counts only as a character."),
        f"The denominator counts {denom}"
        + (" (and S, when S counts as G/C)." if p["denominator"] != "all" and p["strong"] else "."),
        {
            "zero": "If the denominator is 0 (e.g. the empty string), return 0.0.",
            "none": "If the denominator is 0 (e.g. the empty string), return None.",
            "raise": "If the denominator is 0 (e.g. the empty string), raise ValueError.",
        }[p["empty"]],
    ]
    return f"Return the GC content of `seq` as {scale} (a float).\n\nRules:\n" + "\n".join(
        f"- {r}" for r in rules
    )


_GC_BODY = """
def gc_content(seq: str):
    gc = total = 0
    for ch in seq:
        if SOFT_MASK == "ignore" and ch.islower():
            continue
        up = ch.upper()
        strong = up in "GC" or (STRONG and up == "S")
        if DENOMINATOR == "all" or up in "ACGTU" or strong:
            total += 1
        if strong:
            gc += 1
    if total == 0:
        if EMPTY == "raise":
            raise ValueError("no countable bases")
        return None if EMPTY == "none" else 0.0
    value = gc / total
    return value * 100.0 if SCALE == "percent" else value
"""


def _gc_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("empty sequence", ("",)),
        Case("only N", ("NNNN",)),
        Case("all G/C", ("GCGCCG",)),
        Case("lower-case bases", ("acgtGC" + rand_seq(rng, 6).lower(),)),
        Case("all lower-case", (rand_seq(rng, 9).lower(),)),
        Case("ambiguity and gaps", ("ACGSSNN-" + rand_seq(rng, 5),)),
        Case("RNA", ("GCAUUAGC",)),
    ]
    for i in range(7):
        seq = rand_seq(rng, rng.randint(8, 80), "ACGTACGTNS")
        cases.append(Case(f"random sequence #{i + 1}", (with_case(rng, seq, 0.2),)))
    return cases


GC_CONTENT = Family(
    name="gc_content",
    topic="sequence",
    func="gc_content",
    signature=lambda p: "(seq: str) -> float" + (" | None" if p["empty"] == "none" else ""),
    dims={
        "scale": ("fraction", "percent"),
        "denominator": ("all", "acgt"),
        "strong": (False, True),
        "soft_mask": ("count", "ignore"),
        "empty": ("zero", "none", "raise"),
    },
    describe=_gc_describe,
    body=_GC_BODY,
    cases=_gc_cases,
    examples=lambda p: [("GGCAtN",)],
    mutants=(
        ("strong = up in", "strong = ch in"),
        ('or up in "ACGTU"', 'or up in "ACGTUN"'),
    ),
)


def _transcribe_describe(p: Params) -> str:
    strand = {
        "coding": "`dna` is the coding (sense) strand, written 5'->3': the mRNA has the same "
        "sequence with T replaced by U.",
        "template_5to3": "`dna` is the template (antisense) strand written 5'->3': the mRNA "
        "is its reverse complement, with U in place of T.",
        "template_3to5": "`dna` is the template (antisense) strand written 3'->5': the mRNA "
        "is its complement read in the given order (no reversal), with U in place of T.",
    }[p["strand"]]
    rules = [
        strand,
        "Input letters are A, C, G, T (either case); the output is upper-case RNA.",
        "N is allowed and stays N." if p["n_policy"] == "keep" else "N raises ValueError.",
        "Whitespace (spaces, tabs, newlines) is removed before transcription."
        if p["whitespace"] == "strip"
        else "Whitespace raises ValueError like any other invalid character.",
        "Any other character (U included) raises ValueError.",
    ]
    return "Transcribe a DNA sequence into the mRNA it encodes.\n\nRules:\n" + "\n".join(
        f"- {r}" for r in rules
    )


_TRANSCRIBE_BODY = """
def transcribe(dna: str) -> str:
    pair = {"A": "U", "C": "G", "G": "C", "T": "A", "N": "N"}
    bases = []
    for ch in dna:
        if WHITESPACE == "strip" and ch.isspace():
            continue
        up = ch.upper()
        if len(up) != 1 or up not in pair or (up == "N" and N_POLICY == "raise"):
            raise ValueError(f"invalid character {ch!r}")
        bases.append(up)
    if STRAND == "coding":
        return "".join("U" if b == "T" else b for b in bases)
    comp = [pair[b] for b in bases]
    return "".join(reversed(comp) if STRAND == "template_5to3" else comp)
"""


def _transcribe_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("empty sequence", ("",)),
        Case("lower-case input", (rand_seq(rng, 10).lower(),)),
        Case("with N", ("ACN" + rand_seq(rng, 5),)),
        Case("with whitespace", ("ACG T\n" + rand_seq(rng, 4) + "\t",)),
        Case("contains U", ("ACGU",)),
        Case("invalid letter", ("ACGX",)),
    ]
    cases.extend(Case(f"random sequence #{i + 1}", (with_case(rng, rand_seq(rng, rng.randint(4, 50)), 0.2),)) for i in range(7))
    return cases


TRANSCRIBE = Family(
    name="transcription",
    topic="sequence",
    func="transcribe",
    signature="(dna: str) -> str",
    dims={
        "strand": ("coding", "template_5to3", "template_3to5"),
        "n_policy": ("keep", "raise"),
        "whitespace": ("strip", "raise"),
    },
    describe=_transcribe_describe,
    body=_TRANSCRIBE_BODY,
    cases=_transcribe_cases,
    examples=lambda p: [("ATGgCA",)],
    mutants=(
        ('"".join(reversed(comp) if', '"".join(comp if'),
        ('"T": "A", "N": "N"', '"T": "U", "N": "N"'),
    ),
)


def _skew_describe(p: Params) -> str:
    w, step = p["window"], p["step"] if p["step"] else p["window"]
    windows = (
        f"Windows have length {w} and start at 0, {step}, {2 * step}, ...; only full windows "
        f"(start + {w} <= len(seq)) are used."
        if p["partial"] == "drop"
        else f"Windows have length {w} and start at 0, {step}, {2 * step}, ... for every start "
        f"< len(seq); a window near the end may be shorter than {w}."
    )
    out = (
        "Return the list of window skews in window order."
        if not p["cumulative"]
        else "Return the running (cumulative) sum of the window skews: element i is the sum of "
        "the skews of windows 0..i."
    )
    rules = [
        windows,
        "The skew of a window is (G - C) / (G + C), counting G and C case-insensitively; "
        "a window without G or C has skew 0.0.",
        out,
        "A sequence with no window gives [].",
    ]
    return "Compute the GC skew of `seq` in sliding windows.\n\nRules:\n" + "\n".join(f"- {r}" for r in rules)


_SKEW_BODY = """
def gc_skew(seq: str) -> list:
    step = STEP or WINDOW
    out = []
    start = 0
    while start < len(seq):
        if PARTIAL == "drop" and start + WINDOW > len(seq):
            break
        window = seq[start:start + WINDOW].upper()
        g, c = window.count("G"), window.count("C")
        out.append((g - c) / (g + c) if g + c else 0.0)
        start += step
    if CUMULATIVE:
        total = 0.0
        for i, value in enumerate(out):
            total += value
            out[i] = total
    return out
"""


def _skew_cases(p: Params, rng: random.Random) -> list[Case]:
    w = p["window"]
    cases = [
        Case("empty sequence", ("",)),
        Case("shorter than one window", (rand_seq(rng, w - 1, "GC"),)),
        Case("no G or C", ("AT" * w,)),
        Case("lower-case", (rand_seq(rng, 2 * w + 1).lower(),)),
        Case("exactly one window", (rand_seq(rng, w),)),
    ]
    cases.extend(Case(f"random sequence #{i + 1}", (rand_seq(rng, rng.randint(w, 6 * w), "ACGTGGC"),)) for i in range(6))
    return cases


GC_SKEW = Family(
    name="gc_skew",
    topic="sequence",
    func="gc_skew",
    signature="(seq: str) -> list[float]",
    dims={
        "window": (4, 5, 8, 10, 12, 20),
        "step": (0, 1, 3),
        "partial": ("drop", "keep"),
        "cumulative": (False, True),
    },
    describe=_skew_describe,
    body=_SKEW_BODY,
    cases=_skew_cases,
    examples=lambda p: [("GGGCATGCCA" * 2,)],
    mutants=(
        ("(g - c) / (g + c)", "(c - g) / (g + c)"),
        ('window = seq[start:start + WINDOW].upper()', "window = seq[start:start + WINDOW]"),
    ),
    cite="Lobry 1996",
)

FAMILIES: Final = (REVERSE_COMPLEMENT, GC_CONTENT, TRANSCRIBE, GC_SKEW)
