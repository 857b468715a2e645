"""What one task family is: a parameter grid, a spec, a reference body and test inputs.

A :class:`Family` is a category of the suite. Each point of its parameter grid
(``dims``; e.g. ``k``, a codon table id, a scoring scheme) is one instance
whose description spells the parameters out, so instances differ in what the
agent must implement, not only in their hidden inputs.

The reference solution of an instance is ``body`` (ordinary Python that reads
module-level constants) preceded by the instance's constants, e.g.
``K = 5``; it is at once the oracle's submission and, executed on the host at
build time, the source of the expected values. ``mutants`` are subtly wrong
edits of ``body`` (``(old, new)`` replacements) that the tests must catch.
"""

from __future__ import annotations

import functools
import itertools
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import random

__all__ = (
    "Case",
    "DNA",
    "Family",
    "Params",
    "bullets",
    "grid",
    "mutate",
    "rand_seq",
    "reference_source",
    "with_case",
)

Params = Mapping[str, Any]
"""One point of a family's parameter grid."""

DNA: Final = "ACGT"


@dataclass(frozen=True)
class Case:
    """One hidden test: a label shown to the agent when it fails, and the arguments."""

    label: str
    args: tuple[Any, ...]


def _always(params: Params) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class Family:
    """A parameterised function-writing task (one category of the suite).

    Attributes:
        name: the category name (also the id prefix).
        topic: the domain group it belongs to (sequences, codons, ...).
        func: the function the agent defines.
        signature: its parameter list and return annotation, e.g.
            ``"(seq: str) -> float"``, or a callable of the params.
        dims: the parameter grid (every combination that ``valid`` accepts).
        describe: the specification text for one parameter set.
        body: the reference implementation, reading the instance constants (or
            a callable of the params, for bodies that differ in more than constants).
        cases: hidden test inputs for one parameter set (edge cases first,
            then seeded random ones); the rng is seeded per instance.
        constants: the instance constants of the body (default: each param,
            upper-cased, as a constant).
        valid: which grid points are instances.
        examples: inputs whose outputs the question shows.
        mutants: ``(old, new)`` edits of ``body`` giving subtly wrong solutions.
        raises: exception classes a description may ask for (anything else
            a reference raises is a bug of the family).
        rel_tol, abs_tol: float tolerance of the comparison.
        cite: where a formula, table or format comes from.
    """

    name: str
    topic: str
    func: str
    signature: str | Callable[[Params], str]
    dims: Mapping[str, Sequence[Any]]
    describe: Callable[[Params], str]
    body: str | Callable[[Params], str]
    cases: Callable[[Params, random.Random], Sequence[Case]]
    constants: Callable[[Params], Mapping[str, Any]] | None = None
    valid: Callable[[Params], bool] = _always
    examples: Callable[[Params], Sequence[tuple[Any, ...]]] | None = None
    mutants: Sequence[tuple[str, str]] = ()
    raises: tuple[str, ...] = ("ValueError",)
    rel_tol: float = 1e-6
    abs_tol: float = 1e-9
    cite: str = ""

    @functools.cached_property
    def variants(self) -> list[dict[str, Any]]:
        """Every valid parameter set, in grid order."""
        return [p for p in grid(self.dims) if self.valid(p)]

    def signature_of(self, params: Params) -> str:
        sig = self.signature
        return sig(params) if callable(sig) else sig

    def body_of(self, params: Params) -> str:
        body = self.body
        return body(params) if callable(body) else body

    def constants_of(self, params: Params) -> dict[str, Any]:
        if self.constants is not None:
            return dict(self.constants(params))
        return {name.upper(): value for name, value in params.items()}


def grid(dims: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The cartesian product of ``dims`` as parameter dicts (stable order)."""
    names = list(dims)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*dims.values())]


def _split_imports(body: str) -> tuple[list[str], list[str]]:
    lines = textwrap.dedent(body).strip("\n").splitlines()
    head = list(itertools.takewhile(lambda ln: ln.startswith(("import ", "from ")), lines))
    return head, lines[len(head) :]


def reference_source(family: Family, params: Params, body: str | None = None) -> str:
    """The reference solution of one instance: imports, constants, then the body."""
    head, rest = _split_imports(family.body_of(params) if body is None else body)
    consts = [f"{name} = {value!r}" for name, value in family.constants_of(params).items()]
    parts = [*head, *([""] if head else []), *consts, "", *rest]
    return "\n".join(parts).strip("\n") + "\n"


def mutate(body: str, old: str, new: str) -> str:
    """``body`` with ``old`` replaced once by ``new`` (``old`` must occur)."""
    if old not in body:
        raise ValueError(f"mutant text not found in the body: {old!r}")
    return body.replace(old, new, 1)


def rand_seq(rng: random.Random, n: int, alphabet: str = DNA) -> str:
    """A uniform random string of length ``n`` over ``alphabet``."""
    return "".join(rng.choices(alphabet, k=n))


def with_case(rng: random.Random, seq: str, share: float = 0.3) -> str:
    """``seq`` with about ``share`` of its letters lower-cased."""
    return "".join(c.lower() if rng.random() < share else c for c in seq)


def bullets(head: str, rules: Sequence[str]) -> str:
    """A specification: a lead sentence, then its rules as a bulleted list."""
    return head + "\n\nRules:\n" + "\n".join(f"- {r}" for r in rules)
