"""One-way ANOVA: k balanced groups compared with the F test.

The answer is ``statsmodels.stats.power.FTestAnovaPower`` (noncentral F with
``k - 1`` and ``N - k`` degrees of freedom, noncentrality ``f^2 N``; its
``nobs`` is the total sample size). The effect size is Cohen's f (Cohen 1988,
ch. 8, eq. 8.2.1): the standard deviation of the group means, in its
population form (divided by ``k``, not ``k - 1``), over the common
within-group standard deviation. Questions that give means state this
definition, since the ``k - 1`` form is common too and gives other answers.

A balanced design needs a whole number per group, so the size is the ceiling
of the solved total divided by ``k`` (per group), or ``k`` times it (total).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.power import wording as w
from arollout.tasks.power.design import Design, Draw, Plan, Target, num, quietly, statsmodels_plan
from arollout.tasks.power.grids import AIM_HIGH, AIM_LOW, POWERS, TWO_SIDED_ALPHAS, nice_size
from arollout.tasks.power.scenarios import CONTINUOUS

if TYPE_CHECKING:
    import random

__all__ = ("DESIGNS", "OneWayAnova")

_F_GRID: Final = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
_PATTERNS: Final[dict[int, tuple[tuple[float, ...], ...]]] = {
    # fractions of the largest difference from the control group, one per arm
    3: ((0.0, 0.5, 1.0), (0.0, 1.0, 1.0), (0.0, 0.25, 1.0), (0.0, 0.0, 1.0)),
    4: ((0.0, 0.25, 0.5, 1.0), (0.0, 0.5, 1.0, 1.0), (0.0, 0.0, 0.5, 1.0), (0.0, 1.0, 1.0, 1.0)),
    5: ((0.0, 0.25, 0.5, 0.75, 1.0), (0.0, 0.5, 0.5, 1.0, 1.0), (0.0, 0.0, 0.0, 0.5, 1.0)),
}
_FRAMES: Final = (
    "A dose-finding trial in {population} will randomize patients equally to {k} arms "
    "({arms}) and compare mean {outcome} across the arms.",
    "Investigators plan a {k}-arm parallel trial among {population} with equal allocation "
    "({arms}); the endpoint is {outcome}.",
    "In a {k}-group comparison of {outcome} among {population} ({arms}), every group will "
    "have the same number of patients.",
)
_ARMS: Final[dict[int, tuple[str, ...]]] = {
    3: ("placebo", "a low dose", "a high dose"),
    4: ("placebo", "a low dose", "a middle dose", "a high dose"),
    5: ("placebo", "dose level 1", "dose level 2", "dose level 3", "dose level 4"),
}


class OneWayAnova(Design):
    """Balanced one-way ANOVA (``FTestAnovaPower``)."""

    name = "one_way_anova"

    def effect_code(self, values: dict[str, Any]) -> list[str]:
        v = values
        if "f" in v:
            return ["# Cohen's f, as given", f"effect = {num(v['f'])}"]
        means = ", ".join(num(m) for m in v["means"])
        return [
            f"means = [{means}]",
            f"sd = {num(v['sd'])}  # common within-group SD",
            "grand = sum(means) / len(means)",
            "# Cohen's f: the SD of the group means (population form, divided by k) over sd",
            "effect = math.sqrt(sum((m - grand) ** 2 for m in means) / len(means)) / sd",
        ]

    def draw(self, rng: random.Random, target: Target) -> Draw:
        wording = w.draw_wording(rng, len(CONTINUOUS), len(_FRAMES))
        s = CONTINUOUS[wording["story"]]
        k = rng.choice((3, 3, 4, 5))
        v: dict[str, Any] = {"k": k, "alpha": rng.choice(TWO_SIDED_ALPHAS)}
        if rng.random() < 0.3:
            v["f"] = rng.choice(_F_GRID)
        else:
            top, sign = (
                rng.choice(s.diffs) * rng.choice((1, 1.5, 2)),
                -1 if s.lower_is_better else 1,
            )
            pattern = rng.choice(_PATTERNS[k])
            v["means"] = [round(s.reference + sign * top * x, s.decimals) for x in pattern]
            v["sd"] = rng.choice(s.sds)
        if target == "size":
            v["power"] = rng.choice(POWERS)
            v["ask"] = rng.choice(("per_group", "per_group", "total"))
        else:
            v["n"] = self._aimed_size(rng, v)
        return Draw(values=v, wording=wording)

    def _aimed_size(self, rng: random.Random, v: dict[str, Any]) -> int:
        """A per-group size near the one that gives a random power (0 if unsolvable)."""
        total = quietly(
            [
                "import math",
                "from statsmodels.stats.power import FTestAnovaPower",
                *self.effect_code(v),
                f"n = FTestAnovaPower().solve_power(effect_size=effect, alpha={v['alpha']}, "
                f"k_groups={v['k']}, power={rng.uniform(AIM_LOW, AIM_HIGH)!r})",
            ],
            "n",
        )
        return 0 if total is None else nice_size(total / v["k"])

    def plan(self, values: dict[str, Any], target: Target) -> Plan:
        v, k = values, values["k"]
        total = v.get("ask") == "total"
        return statsmodels_plan(
            cls="FTestAnovaPower",
            setup=self.effect_code(v),
            args={"effect_size": "effect", "alpha": num(v["alpha"]), "k_groups": str(k)},
            size_arg="nobs",
            target=target,
            power=v.get("power"),
            given=f"{k} * {v['n']}" if target == "power" else None,
            report=f"{k} * math.ceil(n / {k})" if total else f"math.ceil(n / {k})",
            step=k,
        )

    def question(self, draw: Draw, target: Target) -> str:
        v, wd = draw.values, draw.wording
        s, k = CONTINUOUS[wd["story"]], v["k"]
        arms = _ARMS[k]
        setup = _FRAMES[wd["frame"]].format(
            population=s.population, k=k, arms=", ".join(arms), outcome=s.outcome
        )
        if "f" in v:
            effect = f"The anticipated effect size is Cohen's f = {num(v['f'])}."
        else:
            listed = "; ".join(
                f"{a}: {w.qty(m, s.unit)}" for a, m in zip(arms, v["means"], strict=True)
            )
            effect = (
                f"The expected mean {s.outcome} is {listed}, with a common within-group standard "
                f"deviation of {w.qty(v['sd'], s.unit)}. Take Cohen's f as the standard deviation "
                "of the group means (dividing by the number of groups) over the within-group "
                "standard deviation."
            )
        method = (
            f"The groups will be compared with a one-way ANOVA F test with "
            f"{w.test_level(v['alpha'], 0, wd['level'])}, using the noncentral F distribution."
        )
        if target == "size":
            goal = f"The study should have {w.power_level(v['power'], wd['pw'])}."
            noun = (
                f"patients in total (all {k} groups together, equal group sizes)"
                if v["ask"] == "total"
                else "patients per group (equal group sizes)"
            )
            ask = w.ask_size(noun, wd["ask"])
        else:
            goal = f"Each group will have {v['n']} patients ({k * v['n']} in total)."
            ask = w.ask_power(wd["ask"])
        return w.sentences(setup, effect, method, goal, ask)


DESIGNS: Final[tuple[Design, ...]] = (OneWayAnova(),)
