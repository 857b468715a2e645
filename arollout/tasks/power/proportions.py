"""Proportions through Cohen's h: two independent groups, and one group vs a benchmark.

The effect size is Cohen's h (Cohen 1988, ch. 6): the difference of the
arcsine-transformed proportions, ``h = |2 asin(sqrt(p1)) - 2 asin(sqrt(p2))|``,
which makes the normal approximation's variance free of the proportions
(``statsmodels.stats.proportion.proportion_effectsize`` computes the same
quantity). Power is ``statsmodels.stats.power.NormalIndPower`` (a z test;
``ratio = nobs2 / nobs1``, and ``ratio = 0`` for a single sample, as its
documentation describes). Two-sided power counts both rejection regions, as
statsmodels does; instances where leaving out the far one would change the
answer are dropped (see :func:`~arollout.tasks.power.design.evaluate`).

Sizes are the ceiling of the solution: per group for two groups of equal
size (or twice that in total), participants for one group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Final

from arollout.tasks.power import wording as w
from arollout.tasks.power.design import (
    Design,
    Draw,
    Plan,
    Target,
    alternative,
    num,
    statsmodels_plan,
)
from arollout.tasks.power.grids import aimed_z, draw_level, nice_size
from arollout.tasks.power.scenarios import BINARY, Binary

if TYPE_CHECKING:
    import random

__all__ = ("DESIGNS", "OneProportion", "TwoProportions")

_H_GRID: Final = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)
_METHOD: Final = (
    "Use Cohen's effect size h (the arcsine transformation of the proportions) and the "
    "normal approximation"
)


def _pair(rng: random.Random, s: Binary) -> tuple[float, float]:
    """A reference rate and the rate expected with the intervention."""
    p0 = rng.choice(s.rates)
    change = rng.choice(s.changes)
    return p0, round(p0 - change if s.lower_is_better else p0 + change, 4)


class _Proportions(Design):
    single: ClassVar[bool]
    frames: ClassVar[tuple[str, ...]]

    def effect_code(self, values: dict[str, Any]) -> list[str]:
        v = values
        if "h" in v:
            return ["# Cohen's h, as given", f"effect = {num(v['h'])}"]
        a, b = num(v["p1"]), num(v["p0"])
        return [
            "# Cohen's h: the difference of the arcsine-transformed proportions",
            f"effect = abs(2 * math.asin(math.sqrt({a})) - 2 * math.asin(math.sqrt({b})))",
        ]

    def draw(self, rng: random.Random, target: Target) -> Draw:
        wording = w.draw_wording(rng, len(BINARY), len(self.frames))
        s = BINARY[wording["story"]]
        if rng.random() < 0.2:
            v: dict[str, Any] = {"h": rng.choice(_H_GRID)}
        else:
            p0, p1 = _pair(rng, s)
            v = {"p0": p0, "p1": p1}
        v.update(draw_level(rng, target))
        if target == "power":
            factor = 1.0 if self.single else 2.0
            v["n"] = nice_size(
                (aimed_z(rng, v["alpha"], v["sided"]) / self.effect(v)) ** 2 * factor
            )
        elif not self.single:
            v["ask"] = rng.choice(("per_group", "per_group", "total"))
        return Draw(values=v, wording=wording)

    def plan(self, values: dict[str, Any], target: Target) -> Plan:
        v = values
        return statsmodels_plan(
            cls="NormalIndPower",
            setup=self.effect_code(v),
            args={
                "effect_size": "effect",
                "alpha": num(v["alpha"]),
                "ratio": "0" if self.single else "1",
                "alternative": repr(alternative(v["sided"])),
            },
            size_arg="nobs1",
            target=target,
            power=v.get("power"),
            given=str(v["n"]) if target == "power" else None,
            report="2 * math.ceil(n)" if v.get("ask") == "total" else "math.ceil(n)",
        )

    def rates_text(self, v: dict[str, Any], s: Binary) -> str:
        raise NotImplementedError

    def size_noun(self, v: dict[str, Any]) -> str:
        raise NotImplementedError

    def question(self, draw: Draw, target: Target) -> str:
        v, wd = draw.values, draw.wording
        s = BINARY[wd["story"]]
        setup = self.frames[wd["frame"]].format(
            population=s.population, treatment=s.treatment, control=s.control, event=s.event
        )
        method = f"{_METHOD}, with {w.test_level(v['alpha'], v['sided'], wd['level'])}."
        if target == "size":
            goal = f"The study should have {w.power_level(v['power'], wd['pw'])}."
            ask = w.ask_size(self.size_noun(v), wd["ask"])
        else:
            goal, ask = self.sizes_text(v), w.ask_power(wd["ask"])
        return w.sentences(setup, self.rates_text(v, s), method, goal, ask)

    def sizes_text(self, v: dict[str, Any]) -> str:
        raise NotImplementedError


class TwoProportions(_Proportions):
    """Two independent groups of equal size, compared on a binary outcome."""

    name = "two_proportions"
    single = False
    frames = (
        "A randomized trial in {population} will compare the rate of {event} between "
        "{treatment} and {control}, with equal numbers of patients in each arm.",
        "Investigators plan a two-arm trial of {treatment} versus {control} among "
        "{population}; the primary endpoint is {event}, analysed as a difference in proportions.",
        "Among {population}, patients will be randomized 1:1 to {treatment} or {control}, and "
        "the proportions with {event} will be compared.",
    )

    def rates_text(self, v: dict[str, Any], s: Binary) -> str:
        if "h" in v:
            return f"The anticipated effect size is Cohen's h = {num(v['h'])}."
        return (
            f"The expected proportion with {s.event} is {w.pct(v['p0'])}% with {s.control} "
            f"and {w.pct(v['p1'])}% with {s.treatment}."
        )

    def size_noun(self, v: dict[str, Any]) -> str:
        if v.get("ask") == "total":
            return "patients in total (both arms together, equal arm sizes)"
        return "patients per arm"

    def sizes_text(self, v: dict[str, Any]) -> str:
        return f"The trial will enrol {v['n']} patients in each arm."


class OneProportion(_Proportions):
    """One group's proportion against a known benchmark rate."""

    name = "one_proportion"
    single = True
    frames = (
        "A single-arm phase II study will give {treatment} to {population} and compare the "
        "proportion with {event} against the historical rate.",
        "Investigators want to test whether the rate of {event} among {population} receiving "
        "{treatment} differs from the established benchmark.",
        "A registry of {population} treated with {treatment} will be used to test whether the "
        "proportion with {event} departs from the published rate for this population.",
    )

    def rates_text(self, v: dict[str, Any], s: Binary) -> str:
        if "h" in v:
            return (
                "The anticipated effect size relative to the benchmark rate is Cohen's "
                f"h = {num(v['h'])}."
            )
        return (
            f"The benchmark (null) proportion is {w.pct(v['p0'])}%, and the proportion expected "
            f"with {s.treatment} is {w.pct(v['p1'])}%."
        )

    def size_noun(self, v: dict[str, Any]) -> str:
        return "patients"

    def sizes_text(self, v: dict[str, Any]) -> str:
        return f"The study will enrol {v['n']} patients."


DESIGNS: Final[tuple[Design, ...]] = (TwoProportions(), OneProportion())
