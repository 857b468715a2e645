"""How one calculator becomes task instances: a :class:`Spec` and its :class:`Draw`.

A spec's ``draw`` function samples one patient: it calls :class:`Draw` methods
that record each calculator argument *and* the fact the note states about it
(a lab in µmol/L, a history item that is present, absent or not mentioned).
The calculator then runs on the values exactly as the note shows them.

Every argument is recorded under several *readings* (:data:`READINGS`): the
exact conversion of what the note shows, the same without rounding off float
noise, the other common conversion factor, and a relative nudge of 1e-6 up and
down for values that went through a unit conversion. The instance builder
keeps an instance only when all readings give the same answer, so no instance
hinges on which conversion factor or float rounding a solver happens to use,
while values printed in the calculator's own unit stay exact (a heart rate of
exactly 100 is a real boundary case, not an ambiguity).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

from arollout.tasks.medcalc.units import MEASURES, Unit, format_number
from arollout.tasks.medcalc.vocab import CONDITIONS
from arollout.tasks.medcalc.wording import GRADES

if TYPE_CHECKING:
    import random
    from collections.abc import Callable, Sequence

__all__ = ("Draw", "Fact", "READINGS", "Spec", "SpecKind", "jittered", "pick", "pick_int")

READINGS: Final = ("exact", "raw", "alt", "up", "down")
"""The readings every argument is recorded under; ``exact`` gives the gold answer."""

_NUDGE: Final = 1e-6

SpecKind = Literal["number", "integer", "points", "date", "weeks_days"]


class Fact(NamedTuple):
    """One statement of the note.

    ``form`` is ``sentence`` (a whole sentence), ``present``/``absent`` (a
    history noun phrase) or ``item`` (a reading in a list; ``labels`` are the
    names it may be printed under).
    """

    section: str
    text: str
    form: str = "sentence"
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Spec:
    """One calculator as the suite asks it.

    Attributes:
        key: the category name (stable; part of task ids).
        title: the calculator's name in questions.
        func: the formula (a function of :mod:`.formulas`).
        kind: how the answer is printed and graded.
        draw: samples one patient into a :class:`Draw`.
        ask: the question sentence.
        unit: the answer's unit (``number`` kinds).
        rules: conventions the answer depends on, stated in the question.
        criteria: the ordered criterion names (``points`` kind).
        variants: other reasonable readings of the rules, each a function of
            the exact arguments; an instance is kept only if they agree.
        exclude: measures and conditions never added as distractors.
        complaints: how the note's first sentence ends: "with <symptoms>", "for
            <a visit reason>", or a whole predicate ("was admitted to the ICU with ...").
        valid: drops degenerate argument sets (a zero denominator).
    """

    key: str
    title: str
    func: Callable[..., Any]
    kind: SpecKind
    draw: Callable[[Draw], None]
    ask: str
    unit: str = ""
    rules: str = ""
    criteria: tuple[str, ...] = ()
    variants: tuple[Callable[[dict[str, Any]], Any], ...] = ()
    exclude: frozenset[str] = frozenset()
    complaints: tuple[str, ...] = ("for a routine follow-up visit",)
    valid: Callable[[dict[str, Any]], bool] | None = None


@dataclass
class Draw:
    """The patient being sampled: arguments under every reading, and the note's facts."""

    rng: random.Random
    readings: list[dict[str, Any]] = field(default_factory=lambda: [{} for _ in READINGS])
    facts: list[Fact] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    shown: dict[str, str] = field(default_factory=dict)
    age: int = 50
    age_months: int | None = None
    female: bool = False
    race: str | None = None

    @property
    def args(self) -> dict[str, Any]:
        """The exact reading: what the gold answer is computed from."""
        return self.readings[0]

    def set(self, arg: str, value: Any, shown: str | None = None) -> None:
        """Record an argument that needs no conversion (the same in every reading)."""
        for reading in self.readings:
            reading[arg] = value
        if shown is not None:
            self.shown[arg] = shown

    def fact(self, section: str, text: str) -> None:
        self.facts.append(Fact(section, text))

    def med(self, text: str) -> None:
        """A medication the note lists."""
        self.facts.append(Fact("meds", text, "present"))

    def item(self, section: str, labels: tuple[str, ...], text: str) -> None:
        self.facts.append(Fact(section, text, "item", labels))

    def patient(
        self,
        age: int,
        *,
        female: bool | None = None,
        race: str | None = None,
        months: int | None = None,
        age_arg: str | None = "age",
        female_arg: str | None = "female",
    ) -> None:
        """The demographics of the opening sentence (and the ``age``/``female`` arguments)."""
        self.age = age
        self.age_months = months
        self.female = self.rng.random() < 0.5 if female is None else female
        self.race = race
        if age_arg:
            self.set(age_arg, age)
        if female_arg:
            self.set(female_arg, self.female)

    def measure(
        self,
        key: str,
        value: float,
        *,
        arg: str | None = None,
        units: Sequence[str] | None = None,
        section: str | None = None,
    ) -> float:
        """Show ``value`` (canonical units) in a randomly chosen unit and record it.

        Returns the exact canonical value of what the note shows (after the
        display rounding), which is what the calculator receives.
        """
        unit, shown, text = self._show(key, value, units, section)
        raw = shown * unit.scale + unit.offset
        name = arg or key
        if unit.canonical:
            exact: float = int(shown) if unit.decimals <= 0 else shown
            values = [exact] * len(READINGS)
        else:
            exact = round(raw, 9)
            alt = shown * unit.alt_scale + unit.offset if unit.alt_scale is not None else raw
            values = [exact, raw, alt, exact * (1 + _NUDGE), exact * (1 - _NUDGE)]
        for reading, v in zip(self.readings, values, strict=True):
            reading[name] = v
        self.shown[name] = text
        return exact

    def mention(self, key: str, value: float, *, section: str | None = None) -> None:
        """Show ``value`` in the note without recording an argument (a distractor)."""
        self._show(key, value, None, section)

    def _show(
        self, key: str, value: float, units: Sequence[str] | None, section: str | None
    ) -> tuple[Unit, float, str]:
        measure = MEASURES[key]
        choices = [u for u in measure.units if units is None or u.symbol in units]
        unit = self.rng.choices(choices, weights=[u.weight for u in choices])[0]
        shown = round((value - unit.offset) / unit.scale, unit.decimals)
        text = _shown_text(shown, unit)
        self.used.add(key)
        self.item(section or measure.section, unit.labels or measure.labels, text)
        return unit, shown, text

    def blood_pressure(self, sbp: int, dbp: int, *, args: tuple[str, str] = ("sbp", "dbp")) -> None:
        text = f"{sbp}/{dbp} {self.rng.choice(('mmHg', 'mm Hg'))}"
        self.set(args[0], sbp, text)
        self.set(args[1], dbp, text)
        self.used.add("blood_pressure")
        self.item("vitals", ("blood pressure", "BP"), text)

    def flag(
        self, key: str, p: float, *, arg: str | None = None, omit: float = 0.3, record: bool = True
    ) -> bool:
        """A yes/no criterion present with probability ``p``; when absent the note
        says so, or (with probability ``omit``) does not mention it. ``record``
        False states the fact without making it an argument (a spec that
        counts several facts into one argument)."""
        phrase = CONDITIONS[key]
        present = self.rng.random() < p
        if record:
            self.set(arg or key, present)
        self.used.add(key)
        if present:
            self._say(phrase.section, self.rng.choice(phrase.present), "present")
        elif phrase.absent and self.rng.random() >= omit:
            self._say(phrase.section, self.rng.choice(phrase.absent), "absent")
        return present

    def grade(self, key: str, option: str, *, arg: str | None = None, section: str = "exam") -> str:
        """A graded finding (GCS response, ascites) stated in one of its wordings."""
        self.set(arg or key, option)
        self.used.add(key)
        wordings = GRADES[key][option]
        text = self.rng.choice(wordings) if wordings else ""
        if text:
            self._say(section, text, "present")
        return option

    def _say(self, section: str, text: str, form: str) -> None:
        if section in ("history", "meds"):
            self.facts.append(Fact(section, text, form))
        else:
            self.fact(section, text)


def _shown_text(shown: float, unit: Unit) -> str:
    if unit.symbol == "ft-in":
        inches = int(shown)
        return f"{inches // 12} ft {inches % 12} in"
    number = format_number(shown, unit.decimals)
    if unit.decimals <= 0 and abs(shown) >= 10000:
        number = f"{int(shown):,}"
    if not unit.symbol:
        return number
    tight = unit.symbol == "%" or unit.symbol.startswith("/")
    return f"{number}{unit.symbol}" if tight else f"{number} {unit.symbol}"


def jittered(
    func: Callable[..., Any], names: Sequence[str], eps: float = 1e-6
) -> tuple[Callable[[dict[str, Any]], Any], ...]:
    """Variants that nudge the named arguments up and down by ``eps`` (relative).

    They catch instances that sit exactly on a threshold of a *derived*
    quantity (BMI from weight and height, PaO2/FiO2), where float noise in the
    derivation could decide the answer.
    """

    def nudged(factor: float) -> Callable[[dict[str, Any]], Any]:
        def run(args: dict[str, Any]) -> Any:
            return func(**{k: v * factor if k in names else v for k, v in args.items()})

        return run

    return (nudged(1 + eps), nudged(1 - eps))


def pick(
    rng: random.Random, lo: float, hi: float, *, snaps: Sequence[float] = (), p: float = 0.15
) -> float:
    """A uniform draw in ``[lo, hi]`` that lands exactly on one of ``snaps`` with probability ``p``
    (so thresholds are hit exactly often enough to test them)."""
    if snaps and rng.random() < p:
        return rng.choice(list(snaps))
    return rng.uniform(lo, hi)


def pick_int(
    rng: random.Random, lo: int, hi: int, *, snaps: Sequence[int] = (), p: float = 0.2
) -> int:
    """An integer in ``[lo, hi]``, exactly on (or next to) one of ``snaps`` with probability ``p``."""
    if snaps and rng.random() < p:
        return rng.choice(list(snaps)) + rng.choice((-1, 0, 0, 1))
    return rng.randint(lo, hi)
