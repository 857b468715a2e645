"""FASTA and FASTQ text parsing, assembly statistics and per-read quality.

FASTA as described by NCBI BLAST's format help; FASTQ and its Phred offsets
as in Cock et al. 2010 (Nucleic Acids Res 38:1767); Nx/Lx assembly metrics as
used by QUAST (Gurevich et al. 2013, Bioinformatics 29:1072).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq, with_case

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES", "FASTQ_PARSER", "fastq_text", "random_quality")


def _fasta_text(rng: random.Random, n: int, *, dup: bool = False, lengths: tuple[int, int] = (0, 40)) -> str:
    lines = []
    ids = [f"seq{rng.randint(1, 99)}_{i}" for i in range(n)]
    if dup and n > 1:
        ids[-1] = ids[0]
    for ident in ids:
        desc = f" sample={rng.randint(1, 9)} len?" if rng.random() < 0.4 else ""
        lines.append(f">{ident}{desc}")
        seq = with_case(rng, rand_seq(rng, rng.randint(*lengths), "ACGTN"), 0.1)
        width = rng.randint(4, 15)
        lines += [seq[i : i + width] for i in range(0, len(seq), width)]
        if rng.random() < 0.3:
            lines.append("")
    return "\n".join(lines) + ("\n" if rng.random() < 0.7 else "")


def _fasta_describe(p: Params) -> str:
    ident = (
        "the first whitespace-separated word after '>'"
        if p["id_rule"] == "first_word"
        else "the whole text after '>', with surrounding whitespace stripped"
    )
    if p["output"] == "dict":
        out = "Return a dict mapping record id to sequence."
        dup = {
            "first": "If an id occurs more than once, keep the first record with it.",
            "last": "If an id occurs more than once, the last record with it wins.",
            "raise": "If an id occurs more than once, raise ValueError.",
        }[p["duplicates"]]
    else:
        out = "Return a list of (id, sequence) tuples in file order."
        dup = (
            "Records with repeated ids are all kept."
            if p["duplicates"] == "keep"
            else "If an id occurs more than once, raise ValueError."
        )
    return bullets(
        "Parse the FASTA-formatted text `text`.",
        [
            "Split the text into lines at '\\n' and drop a trailing '\\r' from each line.",
            f"A line starting with '>' starts a record; its id is {ident}. An empty id raises ValueError.",
            "Blank lines and lines starting with ';' (comments) are ignored.",
            "Every other line is sequence data for the current record, with all whitespace "
            "removed; a record may span many lines or none (its sequence is then '').",
            "Sequence data before the first header raises ValueError.",
            "Sequences are upper-cased." if p["case"] == "upper" else "Sequence letters keep their case.",
            dup,
            out,
        ],
    )


_FASTA_BODY = """
def parse_fasta(text: str):
    records = []
    current = None
    for raw in text.split("\\n"):
        line = raw[:-1] if raw.endswith("\\r") else raw
        if not line.strip() or line.startswith(";"):
            continue
        if line.startswith(">"):
            words = line[1:].split()
            ident = (words[0] if words else "") if ID_RULE == "first_word" else line[1:].strip()
            if not ident:
                raise ValueError("empty record id")
            current = [ident, []]
            records.append(current)
        elif current is None:
            raise ValueError("sequence data before the first header")
        else:
            current[1].append("".join(line.split()))
    pairs = []
    for ident, parts in records:
        seq = "".join(parts)
        pairs.append((ident, seq.upper() if CASE == "upper" else seq))
    if DUPLICATES == "raise" and len({ident for ident, _ in pairs}) < len(pairs):
        raise ValueError("duplicate record id")
    if OUTPUT == "pairs":
        return pairs
    out = {}
    for ident, seq in pairs:
        if DUPLICATES == "first" and ident in out:
            continue
        out[ident] = seq
    return out
"""


def _fasta_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("empty text", ("",)),
        Case("single record", (">r1\nACGT\n",)),
        Case("multi-line record with description", (">chr7 some sample\nACGTA\nccgta\nGG\n",)),
        Case("blank lines and comments", ("; a comment\n\n>a\nAC\n\n; more\nGT\n>b\n\nTT",)),
        Case("Windows line endings", (">x desc\r\nACG\r\nTTa\r\n>y\r\nG\r\n",)),
        Case("header without sequence", (">empty\n>full\nACGT\n",)),
        Case("spaces inside sequence lines", (">s1\nAC GT\tAC\n  TT  \n",)),
        Case("duplicate ids", (">dup x\nAAA\n>other\nCC\n>dup y\nGGG\n",)),
        Case("sequence before the first header", ("ACGT\n>r\nAC\n",)),
        Case("empty id", (">\nACGT\n",)),
    ]
    cases.extend(Case(f"random FASTA #{i + 1}", (_fasta_text(rng, rng.randint(1, 6), dup=rng.random() < 0.3),)) for i in range(6))
    return cases


PARSE_FASTA = Family(
    name="fasta_parse",
    topic="formats",
    func="parse_fasta",
    signature=lambda p: "(text: str) -> "
    + ("dict[str, str]" if p["output"] == "dict" else "list[tuple[str, str]]"),
    dims={
        "output": ("dict", "pairs"),
        "duplicates": ("first", "last", "raise", "keep"),
        "id_rule": ("first_word", "full_line"),
        "case": ("upper", "keep"),
    },
    valid=lambda p: p["duplicates"] in (("first", "last", "raise") if p["output"] == "dict" else ("keep", "raise")),
    describe=_fasta_describe,
    body=_FASTA_BODY,
    cases=_fasta_cases,
    examples=lambda p: [(">r1 first\nACG\nTT\n>r2\ngga\n",)],
    mutants=(('if not line.strip() or line.startswith(";")', "if not line.strip()"),
             ('current[1].append("".join(line.split()))', "current[1].append(line.strip())")),
    cite="NCBI FASTA format",
)


def _nx_describe(p: Params) -> str:
    x = p["x"]
    length = "its number of characters" if p["count_n"] else "its number of characters other than N/n"
    what = (
        f"N{x}: the length of that contig" if p["stat"] == "N" else f"L{x}: the rank of that contig (1-based)"
    )
    return bullets(
        f"Compute the {p['stat']}{x} of the assembly in the FASTA text `text`.",
        [
            "Records start at lines beginning with '>'; the contig sequence is the concatenation "
            "of the following non-blank lines (whitespace removed).",
            f"The length of a contig is {length}. Contigs shorter than {p['min_len']} are left out."
            if p["min_len"]
            else f"The length of a contig is {length}. Every contig counts, even of length 0.",
            f"Sort the contigs by decreasing length and walk down the list; stop at the first contig "
            f"where the running total of lengths reaches at least {x}% of the total length "
            f"(running_total * 100 >= {x} * total). Return {what}, as an int.",
            "If no contig counts or the total length is 0, return 0.",
        ],
    )


_NX_BODY = """
def assembly_stat(text: str) -> int:
    lengths, current = [], None
    for line in text.splitlines():
        if line.startswith(">"):
            if current is not None:
                lengths.append(current)
            current = 0
        elif current is not None:
            seq = "".join(line.split())
            current += len(seq) if COUNT_N else sum(1 for c in seq if c not in "Nn")
    if current is not None:
        lengths.append(current)
    lengths = sorted((n for n in lengths if n >= MIN_LEN), reverse=True)
    total = sum(lengths)
    if total == 0:
        return 0
    running = 0
    for rank, n in enumerate(lengths, start=1):
        running += n
        if running * 100 >= X * total:
            return n if STAT == "N" else rank
    return 0
"""


def _contigs(lengths: list[int], rng: random.Random, n_rate: float = 0.0) -> str:
    out = []
    for i, n in enumerate(lengths):
        seq = rand_seq(rng, n, "ACGTN" if n_rate else "ACGT")
        out.append(f">contig{i}\n" + "\n".join(seq[j : j + 30] for j in range(0, len(seq), 30)))
    return "\n".join(out) + "\n"


def _nx_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("empty text", ("",)),
        Case("single contig", (_contigs([47], rng),)),
        Case("equal lengths", (_contigs([30] * 4, rng),)),
        Case("exact boundary", (_contigs([50, 25, 25], rng),)),
        Case("all below the minimum length", (_contigs([3, 5], rng),)),
        Case("contigs exactly at the minimum lengths", (_contigs([10, 25, 40, 9, 24, 11], rng),)),
        Case("N-rich contigs", (">a\nNNNNACGTNN\n>b\nACGTACGTACGTACGTACGTAC\n>c\nNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNA\n",)),
    ]
    for i in range(7):
        lengths = [rng.randint(1, 120) for _ in range(rng.randint(2, 12))]
        cases.append(Case(f"random assembly #{i + 1}", (_contigs(lengths, rng, n_rate=0.1),)))
    return cases


ASSEMBLY_NX = Family(
    name="assembly_nx",
    topic="formats",
    func="assembly_stat",
    signature="(text: str) -> int",
    dims={"x": (25, 50, 75, 90), "stat": ("N", "L"), "min_len": (0, 10, 25), "count_n": (True, False)},
    describe=_nx_describe,
    body=_NX_BODY,
    cases=_nx_cases,
    examples=lambda p: [(">a\nACGTACGTAC\n>b\nACGTA\n>c\nACGTACGTACGTACG\n",)],
    mutants=(("running * 100 >= X * total", "running * 100 > X * total"), ("n >= MIN_LEN", "n > MIN_LEN")),
    cite="QUAST (Gurevich et al. 2013)",
)

FASTQ_PARSER: Final = """
def _fastq(text):
    lines = [ln[:-1] if ln.endswith("\\r") else ln for ln in text.split("\\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) % 4:
        raise ValueError("incomplete FASTQ record")
    records = []
    for i in range(0, len(lines), 4):
        head, seq, plus, qual = lines[i:i + 4]
        if not head.startswith("@") or not plus.startswith("+"):
            raise ValueError("malformed FASTQ record")
        if len(seq) != len(qual):
            raise ValueError("sequence and quality lengths differ")
        records.append((head[1:], seq, plus[1:], [ord(c) - OFFSET for c in qual]))
    for _, _, _, quals in records:
        if any(q < 0 for q in quals):
            raise ValueError("quality below the encoding offset")
    return records
"""


def random_quality(rng: random.Random, n: int, offset: int, low: int = 2, high: int = 40) -> str:
    """A quality string of ``n`` Phred scores in [low, high] (a drifting random walk)."""
    q, out = rng.randint(low, high), []
    for _ in range(n):
        q = min(high, max(low, q + rng.randint(-6, 5)))
        out.append(chr(q + offset))
    return "".join(out)


def fastq_text(rng: random.Random, n: int, offset: int, *, lengths: tuple[int, int] = (1, 40)) -> str:
    """A FASTQ file of ``n`` random reads."""
    blocks = []
    for i in range(n):
        length = rng.randint(*lengths)
        ident = f"read{i}" + (f" lane={rng.randint(1, 8)}" if rng.random() < 0.3 else "")
        plus = "+" + ident if rng.random() < 0.3 else "+"
        blocks.append(f"@{ident}\n{rand_seq(rng, length, 'ACGTN')}\n{plus}\n{random_quality(rng, length, offset)}")
    return "\n".join(blocks) + "\n"


def _readq_describe(p: Params) -> str:
    stat = {
        "mean": "the arithmetic mean of its Phred scores",
        "min": "its minimum Phred score (as a float)",
        "median": "the median of its Phred scores (the mean of the two middle values for an even count)",
        "error_mean": "-10 * log10(mean of its per-base error probabilities 10 ** (-Q / 10)), "
        "i.e. the Phred score of its average error rate",
    }[p["stat"]]
    ident = "the first whitespace-separated word of the header" if p["id_rule"] == "first_word" else "the whole header"
    return bullets(
        "Parse the FASTQ text `text` and summarise the quality of each read.",
        [
            "Split the text into lines at '\\n' (dropping a trailing '\\r'); blank lines at the end "
            "are ignored. Every read is 4 lines: '@' header, sequence, a '+' line, qualities.",
            "A header not starting with '@', a third line not starting with '+', a quality string "
            "whose length differs from the sequence's, or an incomplete record raises ValueError."
            + (
                " If the '+' line carries text, it must equal the header text (after '@'), "
                "otherwise raise ValueError."
                if p["plus_check"]
                else " Text after '+' is ignored."
            ),
            f"Quality characters encode Phred scores Q = ord(c) - {p['offset']}; a negative Q raises ValueError.",
            f"The id of a read is {ident} after '@'. Reads with an empty sequence are skipped.",
            f"Return a list of (id, value) tuples in file order, where value is {stat}.",
        ],
    )


_READQ_BODY = (
    "import math\nimport statistics\n"
    + FASTQ_PARSER
    + """

def read_qualities(text: str) -> list:
    out = []
    for head, seq, plus, quals in _fastq(text):
        if PLUS_CHECK and plus and plus != head:
            raise ValueError("'+' line does not repeat the header")
        if not seq:
            continue
        ident = (head.split() or [""])[0] if ID_RULE == "first_word" else head
        if STAT == "mean":
            value = sum(quals) / len(quals)
        elif STAT == "min":
            value = float(min(quals))
        elif STAT == "median":
            value = float(statistics.median(quals))
        else:
            value = -10 * math.log10(sum(10 ** (-q / 10) for q in quals) / len(quals))
        out.append((ident, value))
    return out
"""
)


def _readq_cases(p: Params, rng: random.Random) -> list[Case]:
    o = p["offset"]

    def q(*scores: int) -> str:
        return "".join(chr(v + o) for v in scores)

    cases = [
        Case("empty text", ("",)),
        Case("one read", (f"@r1\nACGT\n+\n{q(30, 20, 10, 40)}\n",)),
        Case("even number of bases", (f"@r1 extra\nAC\n+r1 extra\n{q(10, 31)}\n",)),
        Case("'+' line repeats another id", (f"@a\nACG\n+b\n{q(5, 6, 7)}\n",)),
        Case("length mismatch", (f"@a\nACGT\n+\n{q(5, 6)}\n",)),
        Case("bad header", (f">a\nACG\n+\n{q(5, 6, 7)}\n",)),
        Case("empty read", (f"@e\n\n+\n\n@f\nA\n+\n{q(33)}\n",)),
        Case("Windows line endings", (f"@w desc\r\nAC\r\n+\r\n{q(12, 13)}\r\n",)),
        Case("truncated record", (f"@a\nAC\n+\n{q(1, 2)}\n@b\nAC\n",)),
    ]
    cases.extend(Case(f"random FASTQ #{i + 1}", (fastq_text(rng, rng.randint(1, 6), o),)) for i in range(6))
    return cases


READ_QUALITY = Family(
    name="fastq_read_quality",
    topic="formats",
    func="read_qualities",
    signature="(text: str) -> list[tuple[str, float]]",
    dims={
        "offset": (33, 64),
        "stat": ("mean", "min", "median", "error_mean"),
        "plus_check": (False, True),
        "id_rule": ("first_word", "full"),
    },
    describe=_readq_describe,
    body=_READQ_BODY,
    cases=_readq_cases,
    examples=lambda p: [(f"@read1\nACGT\n+\n{''.join(chr(v + p['offset']) for v in (40, 30, 20, 10))}\n",)],
    mutants=(("if len(seq) != len(qual):", "if False:"),),
    cite="Cock et al. 2010",
)

FAMILIES: Final = (PARSE_FASTA, ASSEMBLY_NX, READ_QUALITY)
