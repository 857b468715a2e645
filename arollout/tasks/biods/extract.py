"""Reading the agent's result variables into plain JSON values.

This module is used twice with the same source: imported on the host, where
the build runs each reference solution and reads its outputs, and pasted
into the sandbox harness (:mod:`~arollout.tasks.biods.harness`), which reads
the agent's outputs the same way. So a reference solution and an agent that
store the same value are read identically. It must stay self-contained:
standard library only, nothing imported at module level.

The reading is lenient about *containers* (a numpy scalar, a 0-d array, a
one-element Series all read as the number inside) and strict about *types*
(a bool is not a number, a number is not a string). The value itself is
judged elsewhere, on the host, against the expected value.
"""

from __future__ import annotations

from typing import Any

__all__ = ("extract_output",)

_MAX_ITEMS = 10_000


def _single(value: Any) -> Any:
    """The one element of a size-1 container (Series, array, list), else the value."""
    if isinstance(value, str | bytes):
        return value
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise ValueError(f"holds {len(value)} values, not one")
        value = value[0]
    elif callable(getattr(value, "to_numpy", None)):  # a pandas Series, Index or DataFrame
        flat = value.to_numpy().ravel()
        if flat.size != 1:
            raise ValueError(f"holds {flat.size} values, not one")
        value = flat[0]
    elif hasattr(value, "ravel") and hasattr(value, "size"):  # numpy arrays and scalars
        if value.size != 1:
            raise ValueError(f"holds {value.size} values, not one")
        value = value.ravel()[0]
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        value = item()
    return value


def _number(value: Any) -> float:
    value = _single(value)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise ValueError("is a bool, not a number")
    if isinstance(value, str | bytes):
        raise ValueError("is a string, not a number")
    return float(value)


def _text(value: Any) -> str:
    value = _single(value)
    if not isinstance(value, str):
        raise ValueError(f"is a {type(value).__name__}, not a string")
    return str(value)


def _items(value: Any) -> list[Any]:
    if isinstance(value, str | bytes | dict):
        raise ValueError(f"is a {type(value).__name__}, not a list")
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        items = tolist()
        if not isinstance(items, list):
            raise ValueError("is not a list")
    elif isinstance(value, set | frozenset):
        items = sorted(value, key=str)
    else:
        items = list(value)
    if len(items) > _MAX_ITEMS:
        raise ValueError(f"has more than {_MAX_ITEMS} items")
    out = []
    for item in items:
        item = _single(item)
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise ValueError(f"holds a {type(item).__name__}; expected strings")
        out.append(item if isinstance(item, str) else str(item))
    return out


def extract_output(namespace: dict[str, Any], name: str, kind: str) -> dict[str, Any]:
    """``{"value": ...}`` for a readable output, else ``{"error": "<why>"}``."""
    if name not in namespace:
        return {"error": "is not defined"}
    value = namespace[name]
    try:
        if kind in ("number", "integer"):
            return {"value": _number(value)}
        if kind == "text":
            return {"value": _text(value)}
        if kind in ("list", "set"):
            return {"value": _items(value)}
    except Exception as exc:
        return {
            "error": f"cannot be read: it {exc}"
            if isinstance(exc, ValueError)
            else f"cannot be read ({type(exc).__name__})"
        }
    return {"error": f"has an unknown kind {kind!r}"}
