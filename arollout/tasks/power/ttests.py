"""t-test designs: one-sample, paired, two-sample with equal or unequal allocation.

Answers are statsmodels' exact t-test power from the noncentral t
distribution (``statsmodels.stats.power.TTestPower`` for one sample and for
paired differences, ``TTestIndPower`` for two independent samples with a
pooled variance; https://www.statsmodels.org/stable/stats.html, section
"Power and Sample Size Calculations"). The effect size is Cohen's d (Cohen
1988, *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed.,
ch. 2): the mean difference over the common standard deviation. For paired
data it is d_z, the mean change over the standard deviation of the changes,
given directly or through the two visits' SDs and their correlation
(``sd_z = sqrt(sd1^2 + sd2^2 - 2 rho sd1 sd2)``).

Sizes are the ceiling of ``solve_power``'s solution: participants for one
sample, pairs for paired data, the first (control) group for two samples,
whose other group is ``ratio`` times as large. A question asking for the
treatment arm or the total with allocation ``r:1`` (``r`` a whole number)
expects ``r * n_control`` or ``(1 + r) * n_control``: the control arm is
rounded up first and the ratio then kept exactly, as the question says.
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
from arollout.tasks.power.scenarios import CONTINUOUS, Continuous

if TYPE_CHECKING:
    import random

__all__ = ("DESIGNS", "OneSampleT", "PairedT", "TwoSampleT", "UnequalTwoSampleT")

_D_GRID: Final = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 1.0)
_RHOS: Final = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def _shifted(s: Continuous, start: float, diff: float) -> float:
    """``start`` moved by ``diff`` in the direction the treatment is expected to act."""
    return round(start + (-diff if s.lower_is_better else diff), s.decimals)


class _TTest(Design):
    """What the t-test designs share: drawing, the statsmodels plan, the question."""

    one_sample: ClassVar[bool]
    test_name: ClassVar[str]
    frames: ClassVar[tuple[str, ...]]

    def effect_values(self, rng: random.Random, s: Continuous) -> dict[str, Any]:
        raise NotImplementedError

    def effect_text(self, v: dict[str, Any], s: Continuous) -> str:
        raise NotImplementedError

    def allocation(self, rng: random.Random) -> dict[str, Any]:
        """Size targets: which count is asked for (and the allocation)."""
        return {}

    def sizes(self, rng: random.Random, v: dict[str, Any]) -> dict[str, Any]:
        """Power targets: the sample size(s) of the design."""
        z = aimed_z(rng, v["alpha"], v["sided"])
        return {"n": nice_size((z / self.effect(v)) ** 2 * (1 if self.one_sample else 2))}

    def ratio_code(self, v: dict[str, Any]) -> str:
        return "1"

    def given(self, v: dict[str, Any]) -> str:
        return str(v["n"])

    def report(self, v: dict[str, Any]) -> str:
        return "math.ceil(n)"

    def size_noun(self, v: dict[str, Any]) -> str:
        return "participants"

    def size_rule(self, v: dict[str, Any]) -> str:
        return ""

    def sizes_text(self, v: dict[str, Any]) -> str:
        return f"The study will enrol {v['n']} participants."

    # -- Design ----------------------------------------------------------------------------
    def draw(self, rng: random.Random, target: Target) -> Draw:
        wording = w.draw_wording(rng, len(CONTINUOUS), len(self.frames))
        v = {**self.effect_values(rng, CONTINUOUS[wording["story"]]), **draw_level(rng, target)}
        v.update(self.sizes(rng, v) if target == "power" else self.allocation(rng))
        return Draw(values=v, wording=wording)

    def plan(self, values: dict[str, Any], target: Target) -> Plan:
        v = values
        args = {"effect_size": "effect", "alpha": num(v["alpha"])}
        if not self.one_sample:
            args["ratio"] = self.ratio_code(v)
        args["alternative"] = repr(alternative(v["sided"]))
        return statsmodels_plan(
            cls="TTestPower" if self.one_sample else "TTestIndPower",
            setup=self.effect_code(v),
            args=args,
            size_arg="nobs" if self.one_sample else "nobs1",
            target=target,
            power=v.get("power"),
            given=self.given(v) if target == "power" else None,
            report=self.report(v) if target == "size" else "power",
        )

    def question(self, draw: Draw, target: Target) -> str:
        v, wd = draw.values, draw.wording
        s = CONTINUOUS[wd["story"]]
        setup = self.frames[wd["frame"]].format(
            population=s.population, treatment=s.treatment, control=s.control, outcome=s.outcome
        )
        level = w.test_level(v["alpha"], v["sided"], wd["level"])
        method = (
            f"The analysis will use {self.test_name}, with {level}; compute the exact power "
            "from the noncentral t distribution."
        )
        if target == "size":
            goal = f"The study should have {w.power_level(v['power'], wd['pw'])}."
            rule, ask = self.size_rule(v), w.ask_size(self.size_noun(v), wd["ask"])
        else:
            goal, rule, ask = self.sizes_text(v), "", w.ask_power(wd["ask"])
        return w.sentences(setup, self.effect_text(v, s), method, goal, rule, ask)


class OneSampleT(_TTest):
    """One sample against a known reference mean (``TTestPower``)."""

    name = "one_sample_t"
    one_sample = True
    test_name = "a one-sample t-test against the reference mean"
    frames = (
        "A single-arm study will give {treatment} to {population} and compare their mean "
        "{outcome} with the established value in this population.",
        "Investigators want to know whether {population} treated with {treatment} have a mean "
        "{outcome} that differs from the known population mean.",
        "A quality-improvement team will measure {outcome} in {population} managed with "
        "{treatment} and compare the mean with a published benchmark.",
    )

    def effect_values(self, rng: random.Random, s: Continuous) -> dict[str, Any]:
        if rng.random() < 0.25:
            return {"d": rng.choice(_D_GRID)}
        mu0 = s.reference
        return {"mu0": mu0, "mu1": _shifted(s, mu0, rng.choice(s.diffs)), "sd": rng.choice(s.sds)}

    def effect_code(self, v: dict[str, Any]) -> list[str]:
        if "d" in v:
            return ["# Cohen's d, as given", f"effect = {num(v['d'])}"]
        return [
            "# Cohen's d: distance of the expected mean from the reference mean, over the SD",
            f"effect = abs({num(v['mu1'])} - {num(v['mu0'])}) / {num(v['sd'])}",
        ]

    def effect_text(self, v: dict[str, Any], s: Continuous) -> str:
        if "d" in v:
            return (
                "The expected standardized difference from the reference mean (Cohen's d) "
                f"is {num(v['d'])}."
            )
        return (
            f"The reference mean {s.outcome} is {w.qty(v['mu0'], s.unit)}; with treatment the "
            f"mean is expected to be {w.qty(v['mu1'], s.unit)}, with a standard deviation of "
            f"{w.qty(v['sd'], s.unit)}."
        )


class PairedT(_TTest):
    """Paired measurements, analysed as one sample of changes (``TTestPower``)."""

    name = "paired_t"
    one_sample = True
    test_name = "a paired t-test on the within-participant changes"
    frames = (
        "In a before-and-after study, {population} will have {outcome} measured before and "
        "after {treatment}.",
        "A crossover trial in {population} will measure {outcome} in each participant once on "
        "{treatment} and once on {control}.",
        "In a pilot study each of the {population} serves as their own control: {outcome} is "
        "recorded at baseline and again after {treatment}.",
    )

    def effect_values(self, rng: random.Random, s: Continuous) -> dict[str, Any]:
        u = rng.random()
        if u < 0.2:
            return {"d": rng.choice(_D_GRID)}
        diff = rng.choice(s.diffs)
        if u < 0.6:
            sd = round(rng.choice(s.sds) * rng.choice((0.6, 0.8, 1.0)), s.decimals)
            return {"diff": diff, "sd_change": sd}
        return {
            "diff": diff,
            "sd1": rng.choice(s.sds),
            "sd2": rng.choice(s.sds),
            "rho": rng.choice(_RHOS),
        }

    def effect_code(self, v: dict[str, Any]) -> list[str]:
        if "d" in v:
            return [
                "# d_z (mean change over the SD of the changes), as given",
                f"effect = {num(v['d'])}",
            ]
        if "sd_change" in v:
            return [
                "# d_z: the mean change over the SD of the changes",
                f"effect = {num(v['diff'])} / {num(v['sd_change'])}",
            ]
        sd1, sd2, rho = num(v["sd1"]), num(v["sd2"]), num(v["rho"])
        return [
            "# the SD of the changes from the two measurements' SDs and their correlation",
            f"sd_change = math.sqrt({sd1}**2 + {sd2}**2 - 2 * {rho} * {sd1} * {sd2})",
            f"effect = {num(v['diff'])} / sd_change",
        ]

    def effect_text(self, v: dict[str, Any], s: Continuous) -> str:
        if "d" in v:
            return (
                "The expected standardized mean change (d_z, the mean change divided by the "
                f"standard deviation of the changes) is {num(v['d'])}."
            )
        change = f"The expected mean change in {s.outcome} is {w.qty(v['diff'], s.unit)}"
        if "sd_change" in v:
            return (
                f"{change}, and the standard deviation of the within-participant changes is "
                f"{w.qty(v['sd_change'], s.unit)}."
            )
        return (
            f"{change}. The standard deviation is {w.qty(v['sd1'], s.unit)} at the first "
            f"measurement and {w.qty(v['sd2'], s.unit)} at the second, and the correlation "
            f"between a participant's two measurements is {num(v['rho'])}."
        )

    def size_noun(self, v: dict[str, Any]) -> str:
        return "participants (each contributing one pair of measurements)"


class TwoSampleT(_TTest):
    """Two independent groups of equal size (``TTestIndPower``, ratio 1)."""

    name = "two_sample_t"
    one_sample = False
    test_name = "a two-sample t-test with pooled variance"
    frames = (
        "A randomized controlled trial in {population} will compare {treatment} with "
        "{control}; the primary endpoint is {outcome}.",
        "Investigators are planning a parallel-group trial of {treatment} versus {control} "
        "among {population}, comparing mean {outcome} between the arms.",
        "You are the statistician for a two-arm study in {population}: patients will receive "
        "{treatment} or {control}, and mean {outcome} will be compared.",
    )

    def effect_values(self, rng: random.Random, s: Continuous) -> dict[str, Any]:
        u = rng.random()
        if u < 0.25:
            return {"d": rng.choice(_D_GRID)}
        if u < 0.6:
            return {"diff": rng.choice(s.diffs), "sd": rng.choice(s.sds)}
        m0 = s.reference
        return {"m0": m0, "m1": _shifted(s, m0, rng.choice(s.diffs)), "sd": rng.choice(s.sds)}

    def effect_code(self, v: dict[str, Any]) -> list[str]:
        if "d" in v:
            return ["# Cohen's d, as given", f"effect = {num(v['d'])}"]
        diff = num(v["diff"]) if "diff" in v else f"abs({num(v['m1'])} - {num(v['m0'])})"
        return [
            "# Cohen's d: the difference in means over the common SD",
            f"effect = {diff} / {num(v['sd'])}",
        ]

    def effect_text(self, v: dict[str, Any], s: Continuous) -> str:
        if "d" in v:
            return f"The anticipated standardized effect size (Cohen's d) is {num(v['d'])}."
        sd = w.qty(v["sd"], s.unit)
        if "diff" in v:
            return (
                f"The smallest difference in mean {s.outcome} worth detecting is "
                f"{w.qty(v['diff'], s.unit)}, and the standard deviation is {sd} in both arms."
            )
        return (
            f"Mean {s.outcome} is expected to be {w.qty(v['m0'], s.unit)} with {s.control} and "
            f"{w.qty(v['m1'], s.unit)} with {s.treatment}, with a common standard deviation of {sd}."
        )

    def allocation(self, rng: random.Random) -> dict[str, Any]:
        return {"ask": rng.choice(("per_group", "per_group", "total"))}

    def report(self, v: dict[str, Any]) -> str:
        return "2 * math.ceil(n)" if v.get("ask") == "total" else "math.ceil(n)"

    def size_noun(self, v: dict[str, Any]) -> str:
        if v.get("ask") == "total":
            return "patients in total (both arms together, with equal arm sizes)"
        return "patients per arm (equal arm sizes)"

    def sizes_text(self, v: dict[str, Any]) -> str:
        return f"The study will enrol {v['n']} patients in each arm."


class UnequalTwoSampleT(TwoSampleT):
    """Two independent groups allocated ``ratio : 1`` (treatment : control)."""

    name = "two_sample_t_unequal"
    frames = (
        "A randomized trial in {population} will allocate patients unequally between "
        "{treatment} and {control}; the primary endpoint is {outcome}.",
        "To gain more experience with {treatment}, a trial among {population} will randomize "
        "more patients to it than to {control}, and compare mean {outcome} between the arms.",
        "A two-arm study in {population} compares {treatment} with {control} on {outcome}, "
        "with an unbalanced randomization in favour of the treatment arm.",
    )

    def allocation(self, rng: random.Random) -> dict[str, Any]:
        ratio = rng.choice((1.5, 2, 2, 3))
        asks = ("control",) if ratio == 1.5 else ("control", "control", "treatment", "total")
        return {"ratio": ratio, "ask": rng.choice(asks)}

    def sizes(self, rng: random.Random, v: dict[str, Any]) -> dict[str, Any]:
        z = aimed_z(rng, v["alpha"], v["sided"])
        ratio = rng.choice((1.25, 1.5, 2.0, 3.0))
        n1 = nice_size((z / self.effect(v)) ** 2 * (1.0 + 1.0 / ratio))
        return {"n1": n1, "n2": nice_size(n1 * ratio)}

    def ratio_code(self, v: dict[str, Any]) -> str:
        return f"{v['n2']} / {v['n1']}" if "n1" in v else num(v["ratio"])

    def given(self, v: dict[str, Any]) -> str:
        return str(v["n1"])

    def report(self, v: dict[str, Any]) -> str:
        r = num(v["ratio"])
        return {
            "control": "math.ceil(n)",
            "treatment": f"{r} * math.ceil(n)",
            "total": f"(1 + {r}) * math.ceil(n)",
        }[v["ask"]]

    def size_noun(self, v: dict[str, Any]) -> str:
        return {
            "control": "control-arm patients",
            "treatment": "treatment-arm patients",
            "total": "patients in total (both arms together)",
        }[v["ask"]]

    def size_rule(self, v: dict[str, Any]) -> str:
        if v["ask"] == "control":
            return ""
        return (
            "Size the control arm first (rounded up to a whole number), then keep the "
            f"{num(v['ratio'])}:1 allocation exactly."
        )

    def sizes_text(self, v: dict[str, Any]) -> str:
        return (
            f"The study will enrol {v['n1']} patients on the control arm and {v['n2']} on "
            "the treatment arm."
        )

    def effect_text(self, v: dict[str, Any], s: Continuous) -> str:
        text = super().effect_text(v, s)
        if "ratio" in v:
            text += f" Patients are randomized {num(v['ratio'])}:1 (treatment:control)."
        return text


DESIGNS: Final[tuple[Design, ...]] = (OneSampleT(), PairedT(), TwoSampleT(), UnequalTwoSampleT())
