"""The agent-facing text: the system prompt, each instance's question, ``request_info``.

A question is the function's signature, the instance's specification (with
its parameters spelled out and the edge-case rules), worked examples computed
by the reference implementation, and the contract of the hidden tests.

``request_info`` answers with reference material an engineer would look up:
NCBI translation tables (``genetic_codes``), the NC-IUB nucleotide codes,
Phred encodings (Cock et al. 2010, "The Sanger FASTQ file format", Nucleic
Acids Res 38:1767), and the SAM flag and CIGAR tables of the SAM
specification (samtools/hts-specs ``SAMv1.tex`` section 1.4).
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.biocoder.genetic_codes import CODONS, TABLES

if TYPE_CHECKING:
    from collections.abc import Callable

    from arollout.tasks.base import Task
    from arollout.tasks.biocoder.family import Family, Params
    from arollout.tasks.biocoder.harness import Timing

__all__ = ("INSTRUCTIONS", "answer_query", "question", "show")

INSTRUCTIONS: Final = """\
You are a bioinformatics software engineer. Each task asks you to write one Python function
from its specification. The specification states the parameters, the edge cases and the exact
return type; follow it literally (ordering, coordinates, rounding, the exceptions to raise).

## How your code is checked
Your code is saved as a module and imported; then the function the task names is called on
hidden test inputs (edge cases and seeded random inputs) and each return value is compared with
the expected one: floats within the stated tolerance, everything else exactly (an int is not a
float, a list of tuples equals a list of lists, dict keys and set members must match). Each call
has a time limit of {test_timeout_s:g} s and all calls together {budget_s:g} s.
Code at module level runs once, at import: prints there are shown to you, so you may test your
function on your own examples; output printed during the hidden tests is discarded. Do not read
from stdin or exit the process. Python 3 with the standard library and numpy is available; there is
no network and no data to read.

## Actions
Reply with exactly one action per turn, as a single fenced json block:

```json
{{"action": "validate_code", "params": {{"code": "<python source defining the function>"}}}}
```
imports your code, runs the hidden tests and tells you how many passed and which kinds of tests
failed (never their expected values). The task is solved when every hidden test passes.

Other actions:
- {{"action": "request_info", "params": {{"query": "<topic>"}}}} looks up reference material
  without running code: "genetic code <id>" (an NCBI translation table), "iupac" (nucleotide
  codes), "phred" (quality encodings), "sam flags", "cigar", or "harness".
- {{"action": "debug", "params": {{"code": "<python code>", "error_msg": "<the error you got>"}}}}
  asks for help with an error.
"""


def show(value: Any) -> str:
    """A short Python-literal rendering of a value (numpy arrays as ``np.array(...)``)."""
    if type(value).__module__ == "numpy" and type(value).__name__ == "ndarray":
        return f"np.array({value.tolist()!r}, dtype=np.{value.dtype})"
    if isinstance(value, tuple):
        inner = ", ".join(show(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{show(k)}: {show(v)}" for k, v in value.items()) + "}"
    if type(value).__module__ == "numpy":
        return repr(value.item()) if hasattr(value, "item") else repr(value)
    return repr(value)


def _example(family: Family, fn: Callable[..., Any], args: tuple[Any, ...]) -> str:
    call = f">>> {family.func}({', '.join(show(a) for a in args)})"
    try:
        result = show(fn(*copy.deepcopy(args)))
    except Exception as exc:
        result = f"Traceback (most recent call last):\n    ...\n    {type(exc).__name__}"
    return f"    {call}\n    " + result.replace("\n", "\n    ")


def question(family: Family, params: Params, fn: Callable[..., Any]) -> str:
    """The question of one instance (its reference ``fn`` computes the examples)."""
    parts = [
        f"Write the Python function `{family.func}`.",
        f"    def {family.func}{family.signature_of(params)}",
        family.describe(params).strip(),
    ]
    if family.examples is not None:
        shown = [_example(family, fn, args) for args in family.examples(params)]
        if shown:
            parts.append("Example" + ("s" if len(shown) > 1 else "") + ":\n" + "\n".join(shown))
    parts.append(
        f"Define `{family.func}` at module level (helpers and imports are fine). Hidden tests "
        "call it on edge cases and random inputs and compare each return value with the "
        f"expected one: floats within a relative tolerance of {family.rel_tol:g} (absolute "
        f"{family.abs_tol:g}), everything else exactly."
    )
    return "\n\n".join(parts) + "\n"


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
        f"called on {task.meta['n_tests']} hidden test inputs, each with a time limit of "
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
