"""Chi-square tests through Cohen's w: goodness of fit and independence.

Both use ``statsmodels.stats.power.GofChisquarePower``: the noncentral
chi-square with noncentrality ``N w^2`` and ``n_bins - 1`` degrees of
freedom (Cohen 1988, ch. 7). For goodness of fit over ``k`` categories,
``n_bins = k`` and ``w = sqrt(sum((p1 - p0)^2 / p0))`` with ``p0`` the null
and ``p1`` the alternative proportions (Cohen eq. 7.2.1). For independence in
an ``r x c`` table, the test has ``(r - 1)(c - 1)`` degrees of freedom, so
``n_bins = (r - 1)(c - 1) + 1``, and ``w`` is computed the same way with the
joint cell proportions as ``p1`` and the products of their margins as ``p0``.

The size is the total number of observations, the ceiling of the solution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Final

from arollout.tasks.power import wording as w
from arollout.tasks.power.design import Design, Draw, Plan, Target, num, quietly, statsmodels_plan
from arollout.tasks.power.endpoints import CATEGORICAL, Categorical
from arollout.tasks.power.grids import AIM_HIGH, AIM_LOW, POWERS, TWO_SIDED_ALPHAS, nice_size

if TYPE_CHECKING:
    import random

__all__ = (
    "ChiSquareGof",
    "ChiSquareIndependence",
    "DESIGNS",
)

_W_GRID: Final = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
_MULTIPLIERS: Final = (1, 2, 3, 4, 5)


def _percent_list(xs: list[float]) -> str:
    return ", ".join(f"{w.pct(x)}%" for x in xs)


def _shifted(s: Categorical, shift: tuple[int, ...], m: int) -> list[float] | None:
    """``base + m * shift`` as proportions, or ``None`` if a cell drops below 1 %."""
    cells = [b + m * d for b, d in zip(s.base, shift, strict=True)]
    return None if min(cells) < 1 else [c / 100 for c in cells]


class _ChiSquare(Design):
    """What both chi-square designs share: drawing alpha/power/size, the plan."""

    frames: ClassVar[tuple[str, ...]]

    def bins_code(self, v: dict[str, Any]) -> tuple[list[str], str]:
        """Statements for the degrees of freedom and the ``n_bins`` expression."""
        raise NotImplementedError

    def finish(self, rng: random.Random, v: dict[str, Any], target: Target) -> None:
        v["alpha"] = rng.choice(TWO_SIDED_ALPHAS)
        if target == "size":
            v["power"] = rng.choice(POWERS)
            return
        lines, bins = self.bins_code(v)
        aim = rng.uniform(AIM_LOW, AIM_HIGH)
        solved = quietly(
            [
                "import math",
                "from statsmodels.stats.power import GofChisquarePower",
                *self.effect_code(v),
                *lines,
                f"n = GofChisquarePower().solve_power(effect_size=effect, alpha={v['alpha']}, "
                f"n_bins={bins}, power={aim!r})",
            ],
            "n",
        )
        v["n"] = 0 if solved is None else nice_size(solved)

    def plan(self, values: dict[str, Any], target: Target) -> Plan:
        v = values
        lines, bins = self.bins_code(v)
        return statsmodels_plan(
            cls="GofChisquarePower",
            setup=[*self.effect_code(v), *lines],
            args={"effect_size": "effect", "alpha": num(v["alpha"]), "n_bins": bins},
            size_arg="nobs",
            target=target,
            power=v.get("power"),
            given=str(v["n"]) if target == "power" else None,
        )

    def closing(
        self, v: dict[str, Any], wd: dict[str, Any], target: Target, noun: str
    ) -> list[str]:
        level = w.test_level(v["alpha"], 0, wd["level"])
        method = (
            f"Use Cohen's effect size w and the noncentral chi-square distribution, with {level}."
        )
        if target == "size":
            goal = f"The study should have {w.power_level(v['power'], wd['pw'])}."
            return [method, goal, w.ask_size(noun, wd["ask"])]
        return [method, f"The study will include {v['n']} {noun}.", w.ask_power(wd["ask"])]


class ChiSquareGof(_ChiSquare):
    """Goodness of fit of one categorical distribution to a reference one."""

    name = "chisq_gof"
    settings = ("alpha", "power", "n", "bins")
    frames = (
        "A survey of {population} will test whether the distribution of {outcome} differs "
        "from the reference distribution.",
        "Investigators will classify {population} by {outcome} and compare the observed "
        "distribution with published reference proportions using a chi-square goodness-of-fit test.",
        "Is the distribution of {outcome} among {population} different from the reference "
        "distribution? A chi-square goodness-of-fit test will answer this.",
    )

    def effect_code(self, values: dict[str, Any]) -> list[str]:
        v = values
        if "w" in v:
            return ["# Cohen's w, as given", f"effect = {num(v['w'])}"]
        return [
            f"null = [{', '.join(num(p) for p in v['null'])}]",
            f"alt = [{', '.join(num(p) for p in v['alt'])}]",
            "# Cohen's w = sqrt(sum((p1 - p0)^2 / p0))",
            "effect = math.sqrt(sum((p1 - p0) ** 2 / p0 for p0, p1 in zip(null, alt)))",
        ]

    def bins_code(self, v: dict[str, Any]) -> tuple[list[str], str]:
        return [], str(v["bins"])

    def draw(self, rng: random.Random, target: Target) -> Draw:
        wording = w.draw_wording(rng, len(CATEGORICAL), len(self.frames))
        s = CATEGORICAL[wording["story"]]
        v: dict[str, Any] = {"bins": len(s.levels)}
        alt = _shifted(s, rng.choice(s.shifts), rng.choice(_MULTIPLIERS))
        if alt is None or rng.random() < 0.25:
            v["w"] = rng.choice(_W_GRID)
        else:
            v["null"], v["alt"] = [b / 100 for b in s.base], alt
        self.finish(rng, v, target)
        return Draw(values=v, wording=wording)

    def question(self, draw: Draw, target: Target) -> str:
        v, wd = draw.values, draw.wording
        s = CATEGORICAL[wd["story"]]
        setup = self.frames[wd["frame"]].format(population=s.population, outcome=s.outcome)
        levels = ", ".join(s.levels)
        if "w" in v:
            effect = (
                f"There are {len(s.levels)} categories ({levels}), and the anticipated "
                f"effect size is Cohen's w = {num(v['w'])}."
            )
        else:
            effect = (
                f"The categories are {levels}. The reference proportions are "
                f"{_percent_list(v['null'])}; the proportions expected in this population are "
                f"{_percent_list(v['alt'])} (in the same order)."
            )
        return w.sentences(setup, effect, *self.closing(v, wd, target, "participants in total"))


class ChiSquareIndependence(_ChiSquare):
    """Independence of group and a categorical outcome in an ``r x c`` table."""

    name = "chisq_independence"
    settings = ("alpha", "power", "n", "rows", "cols")
    frames = (
        "A study of {population} will compare the distribution of {outcome} between "
        "{groups} with a chi-square test of independence.",
        "Investigators want to know whether {outcome} is associated with group "
        "({groups}) among {population}; the data will form a contingency table analysed "
        "with a chi-square test of independence.",
        "Among {population}, {outcome} will be cross-tabulated against group ({groups}) and "
        "tested for association with a chi-square test of independence.",
    )

    def effect_code(self, values: dict[str, Any]) -> list[str]:
        v = values
        if "w" in v:
            return ["# Cohen's w, as given", f"effect = {num(v['w'])}"]
        rows = ", ".join("[" + ", ".join(num(p) for p in row) + "]" for row in v["table"])
        return [
            f"within = [{rows}]  # outcome distribution within each group",
            "shares = [1 / len(within)] * len(within)  # equal group sizes",
            "joint = [[s * p for p in row] for s, row in zip(shares, within)]",
            "cols = [sum(col) for col in zip(*joint)]",
            "# Cohen's w from the joint proportions and the products of their margins",
            "effect = math.sqrt(sum((joint[i][j] - shares[i] * cols[j]) ** 2 / (shares[i] * cols[j])",
            "                       for i in range(len(joint)) for j in range(len(cols))))",
        ]

    def bins_code(self, v: dict[str, Any]) -> tuple[list[str], str]:
        df = f"df = ({v['rows']} - 1) * ({v['cols']} - 1)"
        return [f"{df}  # degrees of freedom of the r x c table"], "df + 1"

    def draw(self, rng: random.Random, target: Target) -> Draw:
        wording = w.draw_wording(rng, len(CATEGORICAL), len(self.frames))
        s = CATEGORICAL[wording["story"]]
        r = len(s.groups)
        v: dict[str, Any] = {"rows": r, "cols": len(s.levels)}
        shift, m = rng.choice(s.shifts), rng.choice(_MULTIPLIERS)
        table = [_shifted(s, shift, m * i) for i in range(r)]
        if rng.random() < 0.25 or any(row is None for row in table):
            v["w"] = rng.choice(_W_GRID)
        else:
            v["table"] = table
        self.finish(rng, v, target)
        return Draw(values=v, wording=wording)

    def question(self, draw: Draw, target: Target) -> str:
        v, wd = draw.values, draw.wording
        s = CATEGORICAL[wd["story"]]
        groups = " and ".join(s.groups) if len(s.groups) == 2 else ", ".join(s.groups)
        setup = self.frames[wd["frame"]].format(
            population=s.population, outcome=s.outcome, groups=groups
        )
        levels = ", ".join(s.levels)
        if "w" in v:
            effect = (
                f"The table has {v['rows']} rows (groups) and {v['cols']} columns ({levels}); "
                f"the anticipated effect size is Cohen's w = {num(v['w'])}."
            )
        else:
            parts = "; ".join(
                f"{g}: {_percent_list(row)}" for g, row in zip(s.groups, v["table"], strict=True)
            )
            effect = (
                f"The groups will be of equal size. The expected distribution of {levels} "
                f"within each group is {parts}."
            )
        return w.sentences(setup, effect, *self.closing(v, wd, target, "participants in total"))


DESIGNS: Final[tuple[Design, ...]] = (ChiSquareGof(), ChiSquareIndependence())
