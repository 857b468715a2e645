"""Host-side comparison of a harness report with the expected values.

Both sides are in the canonical form of :func:`runtime.encode_output`. The
rules are strict about what a description promises and lenient only where a
caller could not tell the difference:

* ``None``, booleans, strings: equal and of the same type (``True`` is not ``1``);
* an expected integer wants an integer (numpy integers are integers);
* an expected float accepts an int or a float within ``rel_tol``/``abs_tol``
  (``|got - want| <= max(rel_tol * |want|, abs_tol)``, NaN equals NaN);
* lists and tuples are the same sequence; dicts compare key by key; arrays
  compare shape, element kind (bool, integer, float; an integer array is
  accepted where floats are expected) and every element.

An expected exception is ``{"__raises__": name}``; a call passes when it raised
that class or a subclass of it.

Verdict reasons name the failing test's label and what went wrong ("returned a
wrong value", "raised KeyError") but never the expected value.
"""

from __future__ import annotations

import math
from typing import Any, Final, NamedTuple

__all__ = (
    "Outcome",
    "RAISES",
    "judge",
    "same",
)

RAISES: Final = "__raises__"
"""Key of an expected value that is an exception."""


class Outcome(NamedTuple):
    """How one hidden test went: ``ok``, and when not, a short reason."""

    ok: bool
    why: str = ""


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _close(want: float, got: float, rel_tol: float, abs_tol: float) -> bool:
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    if math.isinf(want) or math.isinf(got):
        return want == got
    return abs(got - want) <= max(rel_tol * abs(want), abs_tol)


def _tagged(v: Any, tag: str) -> bool:
    return isinstance(v, dict) and tag in v


def same(want: Any, got: Any, rel_tol: float, abs_tol: float) -> bool:
    """Whether ``got`` matches ``want`` (both canonical encodings)."""
    if isinstance(want, bool) or want is None or isinstance(want, str):
        return type(got) is type(want) and got == want
    if isinstance(want, int):
        return isinstance(got, int) and not isinstance(got, bool) and got == want
    if isinstance(want, float):
        return _number(got) and _close(want, float(got), rel_tol, abs_tol)
    if isinstance(want, list):
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(same(w, g, rel_tol, abs_tol) for w, g in zip(want, got, strict=True))
        )
    if _tagged(want, "__dict__"):
        if not _tagged(got, "__dict__") or len(got["__dict__"]) != len(want["__dict__"]):
            return False
        # Keys are compared exactly (they are labels: k-mers, frame numbers, ids).
        got_items = {repr(k): v for k, v in got["__dict__"]}
        return all(
            repr(k) in got_items and same(v, got_items[repr(k)], rel_tol, abs_tol)
            for k, v in want["__dict__"]
        )
    if _tagged(want, "__set__"):
        return _tagged(got, "__set__") and same(want["__set__"], got["__set__"], 0.0, 0.0)
    if _tagged(want, "__nd__"):
        if not _tagged(got, "__nd__") or got.get("shape") != want["shape"]:
            return False
        kinds = {"b": {"b"}, "i": {"i"}, "f": {"f", "i"}}.get(want["kind"], {want["kind"]})
        return got.get("kind") in kinds and same(want["__nd__"], got["__nd__"], rel_tol, abs_tol)
    return False


def _kind_of(v: Any) -> str:
    if _tagged(v, "__nd__"):
        return "array"
    if _tagged(v, "__dict__"):
        return "dict"
    if _tagged(v, "__set__"):
        return "set"
    if isinstance(v, bool):
        return "bool"
    if _number(v):
        return "number"
    if isinstance(v, list):
        return "list"
    if isinstance(v, str):
        return "str"
    if v is None:
        return "None"
    if _tagged(v, "__type__"):
        return str(v["__type__"])
    return "value"


def _a(kind: str) -> str:
    if kind == "None":
        return "None"
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


def judge(want: Any, outcome: Any, rel_tol: float, abs_tol: float) -> Outcome:
    """Grade one test's outcome (``{"v": ...}``, ``{"x": [...]}``, ``{"t": 1}``, ...)."""
    if not isinstance(outcome, dict):
        return Outcome(False, "the harness reported nothing usable")
    if "t" in outcome:
        return Outcome(False, "timed out")
    if "s" in outcome:
        return Outcome(False, "not run (the time budget of all tests was spent)")
    if "big" in outcome:
        return Outcome(False, "returned a value far larger than expected")
    expects_raise = _tagged(want, RAISES)
    if "x" in outcome:
        names = outcome["x"] if isinstance(outcome["x"], list) else []
        if expects_raise and want[RAISES] in names:
            return Outcome(True)
        first = str(names[0]) if names else "an exception"
        if expects_raise:
            return Outcome(False, f"raised {first}, not the exception the description asks for")
        return Outcome(False, f"raised {first}")
    if "v" not in outcome:
        return Outcome(False, "the harness reported nothing usable")
    got = outcome["v"]
    if expects_raise:
        return Outcome(False, "returned a value where the description asks for an exception")
    if same(want, got, rel_tol, abs_tol):
        return Outcome(True)
    if _kind_of(want) != _kind_of(got):
        return Outcome(False, f"returned {_a(_kind_of(got))}, not the type the description asks for")
    if _kind_of(want) == "array" and got.get("shape") != want["shape"]:
        return Outcome(False, "returned an array of the wrong shape")
    if _kind_of(want) == "array" and got.get("kind") != want["kind"]:
        return Outcome(False, "returned an array of the wrong dtype kind")
    return Outcome(False, "returned a wrong value")
