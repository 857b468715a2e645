"""Which top-level modules a run's source imports, read without running it.

The pool keeps a lean zygote beside the full one in each slot (see
``SandboxPool(lean=...)``) and sends a run to it when the run needs nothing
the lean one lacks. The answer only chooses which preloaded copy a run is
forked from: both are jailed the same way, and a run that imports something
neither preloaded still works, it just pays for that import itself. So the
scan is a fast over-approximation on the raw text, not a parse:

* every ``import a.b as c, d`` and ``from a.b import x`` anywhere in the text,
  in strings and comments too, counts (a false positive costs a fork of the
  bigger zygote, nothing else);
* dynamic imports (``__import__``, ``importlib.import_module``) and relative
  imports make the answer unknown (``None``), which sends the run to the full
  zygote;
* source that does not parse is scanned all the same; it fails either way.
"""

from __future__ import annotations

import re
import sys

__all__ = ("imported_roots", "lean_enough")

_IMPORT = re.compile(
    r"\bfrom[ \t]+(\.*[A-Za-z_][\w.]*|\.+)[ \t]+import\b|\bimport[ \t]+([^\n#;:()]+)"
)
_DYNAMIC = re.compile(r"\b__import__\b|\bimport_module\b|\bfrom[ \t]+\.")
_NAME = re.compile(r"[A-Za-z_]\w*")


def imported_roots(code: str) -> frozenset[str] | None:
    """The top-level names ``code`` imports, or None if it may import others dynamically."""
    if "import" not in code:
        return frozenset()
    if _DYNAMIC.search(code):
        return None
    roots: set[str] = set()
    for m in _IMPORT.finditer(code):
        if m.group(1) is not None:
            roots.add(m.group(1).split(".", 1)[0])
            continue
        for item in m.group(2).split(","):
            first = _NAME.match(item.strip())
            if first is not None:
                roots.add(first.group())
    return frozenset(roots)


def lean_enough(code: str, language: str, available: frozenset[str]) -> bool:
    """Whether a run of ``code`` needs no module outside ``available`` and the stdlib.

    A shell command never needs the zygote's modules: it replaces the forked
    process with ``/bin/sh``, and any Python it starts is a fresh interpreter.
    """
    if language != "python":
        return True
    roots = imported_roots(code)
    if roots is None:
        return False
    return all(r in available or r in sys.stdlib_module_names for r in roots)
