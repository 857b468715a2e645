"""What every test type of the ``power`` suite provides, and the rules they share.

A :class:`Design` is one test type (one-sample t, log-rank by Schoenfeld, ...).
For each *target* (``size``: the smallest sample or event count that reaches a
power; ``power``: the power of a given sample) it draws parameter values from
its grids (:meth:`Design.draw`), renders the question (:meth:`Design.question`)
and describes the computation as a :class:`Plan`: the lines of a small Python
program that ends by printing the answer. The same lines are the task's
reference solution (run in the sandbox) and, executed here by
:func:`evaluate`, the gold answer, so host and sandbox compute it with the
same library calls on the same literals. A category of the suite is one
(design, target) pair. The statsmodels classes are documented at
https://www.statsmodels.org/stable/stats.html ("Power and Sample Size
Calculations"); each design module names its formula and sources.

Rounding convention, the same for every design: a sample size is the
**smallest whole number** that reaches the target power, i.e. the ceiling of
the real-valued solution (per group or in total, as the question says). Since
power grows with the sample size, that ceiling is also what a careful human
gets by trial. :func:`evaluate` refuses instances whose real solution lies so
close to a whole number that two correct root finders (or two orders of
floating-point operations) could round it differently.

Sizes outside ``[MIN_SIZE, MAX_SIZE]`` are degenerate (a one-digit answer is
guessable, a million patients is not a trial anyone plans), and so are powers
outside ``[MIN_POWER, MAX_POWER]`` (near 1 a constant ``1`` is within the 1 %
tolerance; near alpha the question is pointless).
"""

from __future__ import annotations

import abc
import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal

if TYPE_CHECKING:
    import random
    from collections.abc import Mapping, Sequence

__all__ = (
    "CONVENTION_TOL",
    "Design",
    "Draw",
    "MAX_POWER",
    "MAX_SIZE",
    "MIN_POWER",
    "MIN_SIZE",
    "Plan",
    "ROUNDING_MARGIN",
    "SETTINGS",
    "TARGETS",
    "Target",
    "alternative",
    "evaluate",
    "execute",
    "in_range",
    "num",
    "quietly",
    "statsmodels_plan",
)

Target = Literal["size", "power"]
TARGETS: Final[tuple[Target, ...]] = ("size", "power")

MIN_SIZE: Final = 10
MAX_SIZE: Final = 100_000
MIN_POWER: Final = 0.2
MAX_POWER: Final = 0.98

ROUNDING_MARGIN: Final = 1e-3
"""How far (in units of the reported size) a real-valued solution must stay
from a whole number. Root finders agree to far better than this, and so do
closed forms evaluated in another order of operations; within it, two correct
programs could round to different integers, so such instances are dropped."""

CONVENTION_TOL: Final = 2.5e-3
"""How far (relative) the two conventions for a two-sided power may differ:
well inside the 1 % tolerance, so an answer under either passes."""

SETTINGS: Final = ("sided", "alpha", "power", "n", "n1", "n2", "ratio", "ask", "k", "df")
"""Value keys that (besides the effect size) decide an answer in most designs."""


@dataclass(frozen=True, kw_only=True)
class Draw:
    """One drawn instance of a design.

    Attributes:
        values: the numbers that decide the answer (effect inputs, alpha,
            sidedness, target power or sample size, what is asked for).
        wording: the story and phrasing choices (scenario, sentence frames).
    """

    values: dict[str, Any]
    wording: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The computation behind one task, as program text.

    Attributes:
        lines: imports and statements; for a size target they end with ``n``
            bound to the real-valued solution (in the unit the power function
            takes), for a power target with ``power`` bound to the answer.
        report: the printed expression (``"math.ceil(n)"``,
            ``"2 * math.ceil(n)"``, ``"power"``).
        step: the size granularity ``report`` rounds ``n`` to (``k`` when a
            balanced ``k``-group total is reported per group).
        power_of: for sizes solved numerically, the power at a size ``m`` as
            an expression over the program's names; ``None`` for closed forms.
        rival: for a two-sided test, the power under the other common
            convention (see :func:`evaluate`) as an expression over the
            program's names and, for a size target, the size ``m``; never
            part of the program.
    """

    lines: tuple[str, ...]
    report: str
    step: int = 1
    power_of: str | None = None
    rival: str | None = None

    @property
    def program(self) -> str:
        return "\n".join((*self.lines, f"print({self.report})")) + "\n"


class Design(abc.ABC):
    """One test type; see the module docstring for the contract."""

    name: ClassVar[str]
    """Stable snake_case identifier; categories are ``f"{name}_{target}"``."""

    def category(self, target: Target) -> str:
        return f"{self.name}_{target}"

    @abc.abstractmethod
    def draw(self, rng: random.Random, target: Target) -> Draw:
        """Draw one instance from the grids."""

    @abc.abstractmethod
    def plan(self, values: dict[str, Any], target: Target) -> Plan:
        """The reference computation of an instance."""

    @abc.abstractmethod
    def question(self, draw: Draw, target: Target) -> str:
        """The agent-facing question, ending with what to print."""

    @abc.abstractmethod
    def effect_code(self, values: dict[str, Any]) -> list[str]:
        """Program statements binding ``effect``: the (positive) effect size the
        answer depends on, computed from the numbers the question gives."""

    settings: ClassVar[tuple[str, ...]] = SETTINGS
    """The value keys that, with the effect size, decide the answer."""

    def effect(self, values: dict[str, Any]) -> float:
        """The effect size, computed exactly as the reference program computes it."""
        return float(execute(["import math", *self.effect_code(values)])["effect"])

    def signature(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """What makes two draws the same problem whatever their story (the
        effect size rather than the numbers it was computed from), so that no
        problem appears twice, in two splits."""
        given = tuple((key, values[key]) for key in self.settings if key in values)
        return (round(self.effect(values), 10), *given)

    def solve(self, values: dict[str, Any], target: Target) -> int | float | None:
        """The gold answer (``int`` size, ``float`` power), ``None`` if degenerate."""
        return evaluate(self.plan(values, target), target, values.get("power"))


def alternative(sided: int) -> str:
    """statsmodels' ``alternative`` for a two- or one-sided test.

    One-sided tests are always in the direction of the expected effect, so
    with the effect size taken as a positive number the alternative is
    ``"larger"``.
    """
    return "two-sided" if sided == 2 else "larger"


def num(x: float | int) -> str:
    """A number as it appears in questions and programs: integers without a
    point, other values in their shortest round-trip form (``0.35``)."""
    if isinstance(x, int) or float(x).is_integer():
        return str(int(x))
    return repr(float(x))


def in_range(target: Target, value: int | float) -> bool:
    """Whether an answer is worth asking (see the module docstring)."""
    if target == "size":
        return MIN_SIZE <= value <= MAX_SIZE
    return math.isfinite(value) and MIN_POWER <= value <= MAX_POWER


def evaluate(plan: Plan, target: Target, goal: float | None) -> int | float | None:
    """Run ``plan`` here and return what its program prints, or ``None``.

    Warnings count as failures: statsmodels warns when it falls back from
    its first root finder, and such an instance is dropped, not trusted.
    A size is also refused when it is not robust to rounding (see the
    module docstring); ``goal`` is the target power that check needs.

    The power of a two-sided test either counts the rejection region on the
    far side (statsmodels does) or ignores it (the closed forms and many
    textbooks do). Where a plan has a ``rival``, the answer must not depend
    on that choice: a power must agree within :data:`CONVENTION_TOL`, and
    the rival power of a size must also reach the goal while one step less
    does not; otherwise the instance is dropped, since a correct solution
    could follow either convention.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            scope = execute(plan.lines)
            if target == "power":
                power = float(scope["power"])
                if not math.isfinite(power):  # scipy's noncentral t can give NaN far out
                    return None
                if plan.rival is not None:
                    rival = float(eval(plan.rival, scope))  # the design's own rendered expression
                    if abs(rival - power) > CONVENTION_TOL * power:
                        return None
                return power
            solved = float(scope["n"])
            if not _robust(plan, scope, solved, goal, plan.power_of):
                return None
            if plan.rival is not None and not _robust(plan, scope, solved, goal, plan.rival):
                return None
            return int(eval(plan.report, scope))
        except (ArithmeticError, ValueError, RuntimeError, TypeError, Warning):
            return None


def execute(lines: Sequence[str]) -> dict[str, Any]:
    """Run program statements rendered by a design (never outside text) and
    return the names they bind; used for the gold answer and for quantities a
    draw needs (an effect size computed exactly as the program computes it)."""
    scope: dict[str, Any] = {}
    exec("\n".join(lines), scope)
    return scope


def quietly(lines: Sequence[str], name: str) -> float | None:
    """The float a design's statements bind to ``name``, or ``None`` if they
    fail or warn (used while drawing, where a failed aim just drops a draw)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            value = float(execute(lines)[name])
        except (ArithmeticError, ValueError, RuntimeError, TypeError, Warning):
            return None
    return value if math.isfinite(value) else None


def _robust(
    plan: Plan, scope: dict[str, Any], solved: float, goal: float | None, power_of: str | None
) -> bool:
    """Whether ``ceil`` of the solution is a safe answer: away from a whole
    number by :data:`ROUNDING_MARGIN` and, for numeric solutions, confirmed by
    the power expression ``power_of`` (the size reaches the goal, one step
    less does not)."""
    if not math.isfinite(solved) or not 0 < solved <= 100 * MAX_SIZE:
        return False
    units = solved / plan.step
    if abs(units - round(units)) < ROUNDING_MARGIN:
        return False
    if power_of is None:
        return True
    if goal is None:
        raise ValueError("a numerically solved size needs its target power")
    n = plan.step * math.ceil(units)

    def power_at(m: int) -> float:
        return float(eval(power_of, scope, {"m": m}))

    below = power_at(n - plan.step) if n - plan.step >= 2 else 0.0
    return power_at(n) >= goal > below


def statsmodels_plan(
    *,
    cls: str,
    setup: Sequence[str],
    args: Mapping[str, str],
    size_arg: str,
    target: Target,
    power: float | None = None,
    given: str | None = None,
    report: str = "math.ceil(n)",
    step: int = 1,
) -> Plan:
    """A plan around one ``statsmodels.stats.power`` class.

    Args:
        cls: the class name (``"TTestIndPower"``).
        setup: statements that bind the names ``args`` use (``effect``).
        args: keyword arguments other than the size and the power, as source.
        size_arg: the size keyword (``"nobs1"`` or ``"nobs"``).
        target: what is asked.
        power: the target power of a size question.
        given: the size of a power question, as source.
        report: the printed expression of a size question, over ``n``.
        step: the granularity of ``report`` (see :class:`Plan`).
    """
    head = ("import math", "", f"from statsmodels.stats.power import {cls}", "", *setup)
    arglist = ", ".join(f"{key}={value}" for key, value in args.items())
    one_tail = ""  # the two-sided test's power without its far rejection region
    if args.get("alternative") == repr("two-sided"):
        halved = {**args, "alpha": f"{args['alpha']} / 2", "alternative": repr("larger")}
        one_tail = ", ".join(f"{key}={value}" for key, value in halved.items())
    if target == "power":
        if given is None:
            raise ValueError("a power question needs its sample size")
        call = f"power = {cls}().power({arglist}, {size_arg}={given})"
        rival = f"{cls}().power({one_tail}, {size_arg}={given})" if one_tail else None
        return Plan(lines=(*head, call), report="power", rival=rival)
    if power is None:
        raise ValueError("a size question needs its target power")
    call = f"n = {cls}().solve_power({arglist}, power={num(power)})"
    rival = f"{cls}().power({one_tail}, {size_arg}=m)" if one_tail else None
    return Plan(
        lines=(*head, call),
        report=report,
        step=step,
        power_of=f"{cls}().power({arglist}, {size_arg}=m)",
        rival=rival,
    )
