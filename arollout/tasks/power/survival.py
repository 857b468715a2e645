"""Time-to-event designs: log-rank by Schoenfeld and by Freedman, Cox PH sample size.

All three are closed-form normal approximations computed with
``scipy.stats.norm``; ``z_a = z_{1 - alpha/sides}`` and ``z_b = z_{power}``.

* **Schoenfeld** (Schoenfeld 1983, *Biometrics* 39:499-503): a log-rank
  (or Cox) test comparing two arms with a share ``p`` of patients on one arm
  needs ``D = (z_a + z_b)^2 / (p (1 - p) (ln HR)^2)`` events; for ``D`` events
  the power is ``Phi(sqrt(D p (1 - p)) |ln HR| - z_a)``.
* **Freedman** (Freedman 1982, *Statistics in Medicine* 1:121-129), equal
  allocation: ``D = (z_a + z_b)^2 (1 + HR)^2 / (1 - HR)^2`` events; the power
  for ``D`` events is ``Phi(sqrt(D) |1 - HR| / (1 + HR) - z_a)``.
* **Cox PH** sample size via Schoenfeld with an event probability ``P``: the
  events ``D`` above (for a binary covariate with prevalence ``p``; for a
  continuous covariate with SD ``sigma`` and the hazard ratio per unit,
  ``D = (z_a + z_b)^2 / (sigma^2 (ln HR)^2)``, Hsieh & Lavori 2000,
  *Controlled Clinical Trials* 21:552-560, without other covariates) and the
  total number of patients ``N = D / P``. The division uses the unrounded
  ``D`` and only ``N`` is rounded up, as the questions say; the power for
  ``N`` patients uses ``D = N P``.

Two-sided powers ignore the rejection region on the far side, as these
formulas do; instances where counting it would change the answer by more
than :data:`~arollout.tasks.power.design.CONVENTION_TOL` are dropped. Counts are the ceiling of the closed form; instances within
:data:`~arollout.tasks.power.design.ROUNDING_MARGIN` of a whole number are dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Final

from arollout.tasks.power import wording as w
from arollout.tasks.power.design import Design, Draw, Plan, Target, execute, num
from arollout.tasks.power.endpoints import COX, SURVIVAL
from arollout.tasks.power.grids import aimed_z, draw_level, nice_size

if TYPE_CHECKING:
    import random

__all__ = (
    "CoxSchoenfeld",
    "DESIGNS",
    "LogRankFreedman",
    "LogRankSchoenfeld",
)

_BENEFIT_HRS: Final = (0.5, 0.55, 0.6, 0.65, 0.67, 0.7, 0.72, 0.75, 0.78, 0.8, 0.85)
_EVENT_PROBS: Final = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)
_SETTINGS: Final = ("sided", "alpha", "power", "n", "alloc", "pe")


def _z_lines(v: dict[str, Any], target: Target) -> list[str]:
    lines = [f"z_a = norm.ppf(1 - {num(v['alpha'])} / {v['sided']})"]
    if target == "size":
        lines.append(f"z_b = norm.ppf({num(v['power'])})")
    return lines


class _Survival(Design):
    """What the three closed forms share: the z values, the plan, the drawing."""

    settings = _SETTINGS
    frames: ClassVar[tuple[str, ...]]

    def info_code(self, v: dict[str, Any]) -> list[str]:
        """Statements binding ``info``, the information one event carries:
        ``D = (z_a + z_b)^2 / info`` events are needed, and ``D`` events give
        power ``Phi(sqrt(D * info) - z_a)``."""
        raise NotImplementedError

    def events_of(self, v: dict[str, Any]) -> str:
        """The number of events, as source, in a power question."""
        return str(v["n"])

    def total_code(self) -> str:
        """The size statement of a size question (events or patients)."""
        return "n = (z_a + z_b) ** 2 / info  # required events"

    def plan(self, values: dict[str, Any], target: Target) -> Plan:
        v = values
        head = ["import math", "", "from scipy.stats import norm", "", *self.given_lines(v)]
        head += [*self.effect_code(v), *self.info_code(v), *_z_lines(v, target)]
        if target == "size":
            return Plan(lines=(*head, self.total_code()), report="math.ceil(n)")
        power = f"power = norm.cdf(math.sqrt({self.events_of(v)} * info) - z_a)"
        far = f"power + norm.cdf(-math.sqrt({self.events_of(v)} * info) - z_a)"
        return Plan(lines=(*head, power), report="power", rival=far if v["sided"] == 2 else None)

    def draw(self, rng: random.Random, target: Target) -> Draw:
        wording = w.draw_wording(rng, self.stories(), len(self.frames))
        v = self.effect_values(rng, wording["story"])
        v.update(draw_level(rng, target))
        if target == "power":
            info = float(self.info_scope(v)["info"])
            v["n"] = nice_size(aimed_z(rng, v["alpha"], v["sided"]) ** 2 / info / self.per_event(v))
        return Draw(values=v, wording=wording)

    def given_lines(self, v: dict[str, Any]) -> list[str]:
        """Statements binding inputs other than the effect (the event probability)."""
        return []

    def info_scope(self, v: dict[str, Any]) -> dict[str, Any]:
        return execute(["import math", *self.effect_code(v), *self.info_code(v)])

    def per_event(self, v: dict[str, Any]) -> float:
        return 1.0

    def stories(self) -> int:
        return len(SURVIVAL)

    def effect_values(self, rng: random.Random, story: int) -> dict[str, Any]:
        raise NotImplementedError

    def trial_text(self, draw: Draw, target: Target, method: str, noun: str, given: str) -> str:
        v, wd = draw.values, draw.wording
        s = SURVIVAL[wd["story"]]
        setup = self.frames[wd["frame"]].format(
            population=s.population, treatment=s.treatment, control=s.control, endpoint=s.endpoint
        )
        alloc = "2:1 (treatment:control)" if v.get("alloc") == 2 else "1:1"
        design = (
            f"Patients are randomized {alloc}, and the treatment is expected to give a hazard "
            f"ratio of {num(v['hr'])} relative to {s.control}."
        )
        level = f"{method}, with {w.test_level(v['alpha'], v['sided'], wd['level'])}."
        if target == "size":
            goal = f"The trial should have {w.power_level(v['power'], wd['pw'])}."
            return w.sentences(setup, design, level, goal, w.ask_size(noun, wd["ask"]))
        return w.sentences(setup, design, level, given, w.ask_power(wd["ask"]))


_TRIAL_FRAMES: Final = (
    "A phase III trial in {population} will compare {endpoint} between {treatment} and "
    "{control} with a log-rank test.",
    "Investigators are designing a randomized trial of {treatment} versus {control} among "
    "{population}; the primary endpoint is {endpoint}, compared with the log-rank test.",
    "You are planning the event-driven analysis of a trial in {population}: {endpoint} on "
    "{treatment} will be compared with {control} using a log-rank test.",
)


class LogRankSchoenfeld(_Survival):
    """Events for a log-rank test, Schoenfeld's formula, 1:1 or 2:1 allocation."""

    name = "logrank_schoenfeld"
    frames = _TRIAL_FRAMES

    def effect_values(self, rng: random.Random, story: int) -> dict[str, Any]:
        return {"hr": rng.choice(_BENEFIT_HRS), "alloc": rng.choice((1, 1, 2))}

    def effect_code(self, values: dict[str, Any]) -> list[str]:
        return ["effect = abs(math.log(" + num(values["hr"]) + "))  # |log hazard ratio|"]

    def info_code(self, v: dict[str, Any]) -> list[str]:
        p = "1 / 2" if v["alloc"] == 1 else "2 / 3"
        return [
            f"p = {p}  # share of patients on the treatment arm",
            "info = p * (1 - p) * effect ** 2",
        ]

    def question(self, draw: Draw, target: Target) -> str:
        given = f"The analysis will take place after {draw.values.get('n')} events."
        method = "Use Schoenfeld's formula for the number of events"
        return self.trial_text(
            draw, target, method, "events (deaths or other endpoint events)", given
        )


class LogRankFreedman(_Survival):
    """Events for a log-rank test, Freedman's formula, 1:1 allocation."""

    name = "logrank_freedman"
    frames = _TRIAL_FRAMES

    def effect_values(self, rng: random.Random, story: int) -> dict[str, Any]:
        return {"hr": rng.choice(_BENEFIT_HRS)}

    def effect_code(self, values: dict[str, Any]) -> list[str]:
        hr = num(values["hr"])
        return [f"effect = abs(1 - {hr}) / (1 + {hr})  # Freedman's (1 - HR) / (1 + HR)"]

    def info_code(self, v: dict[str, Any]) -> list[str]:
        return ["info = effect ** 2"]

    def question(self, draw: Draw, target: Target) -> str:
        given = f"The final analysis is planned after {draw.values.get('n')} events."
        method = "Use Freedman's formula for the number of events"
        return self.trial_text(draw, target, method, "events", given)


class CoxSchoenfeld(_Survival):
    """Total patients for a Cox PH test on one covariate, via Schoenfeld."""

    name = "cox_ph"
    frames = (
        "In {population}, a Cox proportional hazards model will relate {endpoint} to {covariate}.",
        "Investigators plan a cohort study among {population} to estimate the effect of "
        "{covariate} on {endpoint} with a Cox proportional hazards regression.",
        "A prospective study of {population} will test the association between {covariate} "
        "and {endpoint} with the Wald test of a Cox model.",
    )

    def stories(self) -> int:
        return len(COX)

    def effect_values(self, rng: random.Random, story: int) -> dict[str, Any]:
        s = COX[story]
        v: dict[str, Any] = {"pe": rng.choice(_EVENT_PROBS), "hr": rng.choice(s.hrs)}
        if s.prevalences:
            v["prev"] = rng.choice(s.prevalences)
        else:
            v["sd"] = rng.choice(s.sds)
        return v

    def effect_code(self, values: dict[str, Any]) -> list[str]:
        v = values
        if "prev" in v:
            spread = (
                f"{num(v['prev'])} * (1 - {num(v['prev'])})  # variance of the binary covariate"
            )
        else:
            spread = f"{num(v['sd'])} ** 2  # variance of the covariate"
        return [
            f"variance = {spread}",
            f"effect = math.sqrt(variance) * abs(math.log({num(v['hr'])}))  # per-SD log hazard ratio",
        ]

    def info_code(self, v: dict[str, Any]) -> list[str]:
        return ["info = effect ** 2"]

    def total_code(self) -> str:
        return "n = (z_a + z_b) ** 2 / info / pe  # events divided by the event probability"

    def given_lines(self, v: dict[str, Any]) -> list[str]:
        return [f"pe = {num(v['pe'])}  # probability that a participant has the event"]

    def events_of(self, v: dict[str, Any]) -> str:
        return f"{v['n']} * pe"

    def per_event(self, v: dict[str, Any]) -> float:
        return float(v["pe"])

    def question(self, draw: Draw, target: Target) -> str:
        v, wd = draw.values, draw.wording
        s = COX[wd["story"]]
        setup = self.frames[wd["frame"]].format(
            population=s.population, endpoint=s.endpoint, covariate=s.covariate
        )
        if "prev" in v:
            cov = (
                f"The exposure ({s.covariate}) is expected in {w.pct(v['prev'])}% of participants, "
                f"and the hazard ratio to detect (exposed versus unexposed) is {num(v['hr'])}."
            )
        else:
            cov = (
                f"The standard deviation of {s.covariate} is {num(v['sd'])} {s.units}, and the "
                f"hazard ratio to detect is {num(v['hr'])} per {s.unit}; no other covariates "
                "are adjusted for."
            )
        prob = (
            f"The probability that a participant has the event during follow-up is {num(v['pe'])}."
        )
        level = (
            "Use Schoenfeld's formula for the number of events and divide by the event "
            "probability, rounding only the final number of participants, with "
            f"{w.test_level(v['alpha'], v['sided'], wd['level'])}."
        )
        if target == "size":
            goal = f"The study should have {w.power_level(v['power'], wd['pw'])}."
            return w.sentences(
                setup, cov, prob, level, goal, w.ask_size("participants in total", wd["ask"])
            )
        given = f"The study will enrol {v['n']} participants."
        level = (
            "Use Schoenfeld's formula, with the expected number of events equal to the number of "
            f"participants times the event probability, and {w.test_level(v['alpha'], v['sided'], wd['level'])}."
        )
        return w.sentences(setup, cov, prob, level, given, w.ask_power(wd["ask"]))


DESIGNS: Final[tuple[Design, ...]] = (LogRankSchoenfeld(), LogRankFreedman(), CoxSchoenfeld())
