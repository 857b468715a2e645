"""``request_info``: reference material an engineer would look up, without running code.

The tables are public standards: NCBI translation tables (``genetic_codes``),
the NC-IUB nucleotide codes, Phred encodings (Cock et al. 2010, "The Sanger
FASTQ file format", Nucleic Acids Res 38:1767), and the SAM flag and CIGAR
tables of the SAM specification (samtools/hts-specs, ``SAMv1.tex`` §1.4).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.genetic_codes import CODONS, TABLES

if TYPE_CHECKING:
    from arollout.tasks.base import Task
    from arollout.tasks.biocoder.harness import Timing

__all__ = ("answer_query",)

_IUPAC: Final = """\
IUPAC nucleotide codes (NC-IUB 1985):
A adenine; C cytosine; G guanine; T thymine; U uracil
R = A/G (purine); Y = C/T (pyrimidine); S = G/C (strong); W = A/T (weak)
K = G/T (keto); M = A/C (amino); B = C/G/T (not A); D = A/G/T (not C)
H = A/C/T (not G); V = A/C/G (not T); N = any base
Complements: A<->T, C<->G, R<->Y, K<->M, B<->V, D<->H; S, W and N are their own complements."""

_PHRED: Final = """\
Phred quality: Q = -10 * log10(P_error), so P_error = 10 ** (-Q / 10).
FASTQ stores Q as the character chr(Q + offset):
- offset 33 (Sanger, Illumina 1.8+): '!' is Q0, 'I' is Q40;
- offset 64 (Illumina 1.3-1.7): '@' is Q0, 'h' is Q40."""

_FLAGS: Final = """\
SAM FLAG bits (SAM specification, section 1.4):
0x1 paired; 0x2 properly aligned pair; 0x4 unmapped; 0x8 mate unmapped;
0x10 reverse strand; 0x20 mate reverse strand; 0x40 first in pair; 0x80 second in pair;
0x100 secondary alignment; 0x200 fails quality checks; 0x400 PCR or optical duplicate;
0x800 supplementary alignment."""

_CIGAR: Final = """\
CIGAR operations (SAM specification, section 1.4): op, consumes query, consumes reference
M alignment match (match or mismatch): yes, yes
I insertion to the reference: yes, no
D deletion from the reference: no, yes
N skipped region (intron): no, yes
S soft clip (bases present in SEQ): yes, no
H hard clip (bases absent from SEQ): no, no
P padding: no, no
= sequence match: yes, yes
X sequence mismatch: yes, yes
A CIGAR is one or more <length><op> pairs; '*' means unavailable."""


def _genetic_code(table_id: int) -> str:
    gc = TABLES.get(table_id)
    if gc is None:
        known = ", ".join(str(i) for i in TABLES)
        return f"No translation table {table_id} here; known ids: {known}."
    table = gc.table
    rows = [
        "  ".join(f"{c}={table[c]}" for c in CODONS[i : i + 8]) for i in range(0, 64, 8)
    ]
    return (
        f"NCBI translation table {gc.id} ({gc.name}); '*' is a stop codon.\n"
        + "\n".join(rows)
        + f"\nStart codons: {', '.join(gc.start_codons)}\nStop codons: {', '.join(gc.stop_codons)}"
    )


def _harness(task: Task, timing: Timing) -> str:
    return (
        f"Your code is saved as submission.py and imported; then {task.meta['function']}() is "
        f"called on {len(task.meta['tests'])} hidden test inputs, each with a time limit of "
        f"{timing.test_timeout_s:g} s ({timing.budget_s:g} s for all). Return values are "
        "compared with the expected ones; the report names the failing tests and why "
        "(wrong value, wrong type, an exception), never the expected values."
    )


def answer_query(task: Task, query: str, timing: Timing) -> str:
    """Answer one lookup (see the system prompt for the topics)."""
    q = query.strip().lower()
    number = re.search(r"\d+", q)
    if ("code" in q or "table" in q) and number:
        return _genetic_code(int(number.group()))
    if "iupac" in q or "ambigu" in q:
        return _IUPAC
    if "phred" in q or "quality" in q or "fastq" in q:
        return _PHRED
    if "flag" in q:
        return _FLAGS
    if "cigar" in q:
        return _CIGAR
    if "harness" in q or "test" in q:
        return _harness(task, timing)
    return (
        "Topics: 'genetic code <id>' (ids: "
        + ", ".join(str(i) for i in TABLES)
        + "), 'iupac', 'phred', 'sam flags', 'cigar', 'harness'. "
        f"This task asks for {task.meta['function']}(); its question holds the full specification."
    )
