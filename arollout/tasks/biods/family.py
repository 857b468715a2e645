"""Task families: what a family asks for, how its variants are listed and solved.

A *family* is one kind of analysis (a Kaplan-Meier median, a log-rank test,
a co-occurrence test on a cBioPortal study); it is the task's category. A
family lists its *variants* (plain JSON parameter dicts: dataset, groups,
covariates, genes, time points), renders each variant's question and its
reference solution, and names the *outputs* the agent must produce: top-level
variables of its code, or PNG files it writes.

The format follows BioDSBench (Wang et al., "Can Large Language Models
Replace Data Scientists in Biomedical Research?", arXiv 2410.21591; tasks in
``RyanWangZf/BioDSA``, ``benchmarks/BioDSBench-Python``): the agent writes
analysis code that stores its results in named variables, and hidden
assertions check them. Here the question states each variable, its type and
its tolerance, so the checks hold no surprises.

Expected values are never written by hand: they come from running the
reference solution on the host when the suite is built (see ``evaluate``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = (
    "DEFAULT_ABS_TOL",
    "DEFAULT_REL_TOL",
    "Family",
    "Output",
    "OutputKind",
    "Params",
    "code",
    "fmt",
)

OutputKind = Literal["number", "integer", "text", "list", "set", "png"]
Params = dict[str, Any]
"""A variant's parameters: JSON values only (they are hashed into the task id)."""

DEFAULT_REL_TOL: Final = 1e-3
DEFAULT_ABS_TOL: Final = 0.0


@dataclass(frozen=True, slots=True)
class Output:
    """One thing the agent's code must produce.

    Attributes:
        name: the variable name (or, for ``png``, the file name in the workdir).
        kind: how the value is read and compared (``number`` with tolerance,
            ``integer`` exactly, ``text`` case-insensitively, ``list`` in order,
            ``set`` in any order, ``png`` a valid non-blank image file).
        what: what the value is, in words, for the question.
        rel_tol: relative tolerance of a ``number``.
        abs_tol: absolute tolerance of a ``number`` (either one suffices).
    """

    name: str
    kind: OutputKind
    what: str
    rel_tol: float = DEFAULT_REL_TOL
    abs_tol: float = DEFAULT_ABS_TOL

    @property
    def is_file(self) -> bool:
        return self.kind == "png"

    def requirement(self) -> str:
        """The question's line for this output: name, type, meaning and check."""
        if self.kind == "png":
            return (
                f"- save {self.what} as a PNG image `{self.name}` in the working directory "
                "(checked: a valid PNG, at least 100 x 100 pixels, not blank)"
            )
        if self.kind == "number":
            tol = f"relative tolerance {self.rel_tol:g}"
            if self.abs_tol:
                tol += f" or absolute tolerance {self.abs_tol:g}"
            return f"- `{self.name}` (float): {self.what}; checked within a {tol}"
        if self.kind == "integer":
            return f"- `{self.name}` (int): {self.what}; checked exactly"
        if self.kind == "text":
            return f"- `{self.name}` (str): {self.what}; checked exactly (case-insensitive)"
        if self.kind == "list":
            return f"- `{self.name}` (list of str): {self.what}; checked exactly, in order"
        return f"- `{self.name}` (list of str): {self.what}; checked exactly, in any order"


@dataclass(frozen=True, slots=True)
class Family:
    """One task category.

    Attributes:
        category: the category name (also the id prefix).
        outputs: what every variant asks for.
        variants: the candidate parameter dicts, in a deterministic order.
        question: the task text of a variant (the outputs list is appended).
        solution: the reference solution of a variant, given the directory
            where synthetic studies are (``/data/biods`` in the sandbox, the
            cache on the host).
        guard: extra code run after the solution on the host only; it sets
            ``_keep`` to a bool, and a false value drops the variant (a group
            too small, a degenerate test).
        quota_scale: this family's share of ``per_category`` (slow fits get less).
    """

    category: str
    outputs: tuple[Output, ...]
    variants: Callable[[], Sequence[Params]]
    question: Callable[[Params], str]
    solution: Callable[[Params, str], str]
    guard: Callable[[Params], str] | None = None
    quota_scale: float = 1.0
    tags: tuple[str, ...] = field(default=())

    def full_question(self, params: Params) -> str:
        """The question with the list of outputs and the grading rule."""
        lines = [
            self.question(params).strip(),
            "",
            "Your code must define, at the top level of the script"
            + (", and save:" if any(o.is_file for o in self.outputs) else ":"),
            *(o.requirement() for o in self.outputs),
        ]
        return "\n".join(lines)


def code(*lines: str | Sequence[str]) -> str:
    """Join source lines (strings or lists of strings) into one program."""
    out: list[str] = []
    for item in lines:
        if isinstance(item, str):
            out.append(item)
        else:
            out.extend(item)
    return "\n".join(out).rstrip() + "\n"


def fmt(value: Any) -> str:
    """A value as it appears in a question: ``1``, ``'yes'``, ``0.25``."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
