"""Reference solutions: a calculator's own source, its inputs, and the print.

The oracle's answer code for a task is the formula function that computed the
gold answer (with every formula function and constant it uses, found through
the names its code refers to), the arguments read from the note (each
commented with how the note shows it), and the line that prints the answer in
the format the question asks for. Docstrings are dropped to keep solutions
short; the code is otherwise the tested implementation itself, so the oracle
and the gold answer cannot drift apart.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
import types
from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.medcalc.formulas import REGISTRY

if TYPE_CHECKING:
    from arollout.tasks.medcalc.spec import SpecKind

__all__ = ("PRINTERS", "function_source", "reference_solution")

_HEADER: Final = "from __future__ import annotations\n\nimport datetime\nimport json\nimport math\n"

PRINTERS: Final[dict[str, str]] = {
    "number": "print(repr(float(result)))",
    "integer": "print(int(result))",
    "points": "print(json.dumps([*result, sum(result)]))",
    "date": "print(result.isoformat())",
    "weeks_days": "print(json.dumps(list(result)))",
}
"""How the reference solution prints each kind of answer (``result`` is the formula's value)."""


def _names(code: types.CodeType) -> set[str]:
    found = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _names(const)
    return found


@functools.cache
def function_source(name: str) -> str:
    """The source of formula ``name`` without its docstring (normalized by ``ast``)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(REGISTRY[name])))
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        fn.body = body[1:] or [ast.Pass()]
    return ast.unparse(fn)


@functools.cache
def _closure(name: str) -> tuple[str, ...]:
    """``name`` and every registry name it needs, dependencies first."""
    order: list[str] = []

    def visit(item: str) -> None:
        if item in order:
            return
        value = REGISTRY[item]
        if isinstance(value, types.FunctionType):
            for dep in sorted(_names(value.__code__) & REGISTRY.keys()):
                visit(dep)
        order.append(item)

    visit(name)
    return tuple(order)


@functools.cache
def _definitions(name: str) -> str:
    blocks = []
    for item in _closure(name):
        value = REGISTRY[item]
        if isinstance(value, types.FunctionType):
            blocks.append(function_source(item))
        else:
            blocks.append(f"{item} = {value!r}")
    return "\n\n\n".join(blocks)


def reference_solution(
    func_name: str, kind: SpecKind, args: dict[str, Any], shown: dict[str, str]
) -> str:
    """Python source that computes and prints the answer from the note's values.

    Args:
        func_name: the formula's name in :data:`~.formulas.REGISTRY`.
        kind: the answer kind (selects the print line).
        args: the formula's keyword arguments, as read from the note.
        shown: how the note shows each argument (becomes a comment).
    """
    lines = ["args = {"]
    for key, value in args.items():
        note = f"  # note: {shown[key]}" if key in shown else ""
        lines.append(f"    {key!r}: {value!r},{note}")
    lines.append("}")
    return "\n".join(
        [
            _HEADER,
            _definitions(func_name),
            "",
            "",
            *lines,
            f"result = {func_name}(**args)",
            PRINTERS[kind],
            "",
        ]
    )
