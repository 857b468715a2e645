"""The agent-facing text: the system prompt and each instance's question.

A question is the function's signature, the instance's specification (with
its parameters spelled out and the edge-case rules), worked examples computed
by the reference implementation, and the contract of the hidden tests.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable

    from arollout.tasks.biocoder.family import Family, Params

__all__ = ("INSTRUCTIONS", "question", "show")

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
