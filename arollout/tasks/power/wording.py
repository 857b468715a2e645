"""Phrases every design shares: test level, power, and what to print.

Questions vary their wording (the same numbers can be said several ways) so
that a model cannot key on one sentence frame, but every variant states the
same facts: the sidedness, alpha, the target power or the sample size, the
unit of the requested size (per group, in total, events), the rounding rule
and the output format. The variant indices are drawn once per instance and
kept in :attr:`~arollout.tasks.power.design.Draw.wording`, so a task's text is
a pure function of its draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.power.design import num

if TYPE_CHECKING:
    import random

__all__ = (
    "VARIANTS",
    "ask_power",
    "ask_size",
    "draw_wording",
    "pct",
    "power_level",
    "qty",
    "sentences",
    "side_word",
    "test_level",
)

VARIANTS: Final = 4
"""How many variants each shared phrase has."""


def draw_wording(rng: random.Random, stories: int, frames: int) -> dict[str, int]:
    """Variant indices for one instance: story, sentence frame and shared phrases."""
    return {
        "story": rng.randrange(stories),
        "frame": rng.randrange(frames),
        "level": rng.randrange(VARIANTS),
        "pw": rng.randrange(VARIANTS),
        "ask": rng.randrange(VARIANTS),
    }


def pct(x: float) -> str:
    """``0.025`` -> ``"2.5"`` (for "2.5%")."""
    return num(round(x * 100, 6))


def side_word(sided: int) -> str:
    return "two-sided" if sided == 2 else "one-sided"


def test_level(alpha: float, sided: int, variant: int) -> str:
    """The significance level with its sidedness, as a noun phrase that reads
    after "with" (``sided=0``: a test with no sides, such as an F test)."""
    side = side_word(sided) if sided else ""
    return tuple(
        " ".join(phrase.split())
        for phrase in (
            f"a {side} significance level of {num(alpha)}",
            f"a {side} alpha of {num(alpha)}",
            f"{side} testing at the {pct(alpha)}% level",
            f"a {side} type I error rate of {num(alpha)}",
        )
    )[variant % VARIANTS]


def power_level(power: float, variant: int) -> str:
    """The target power, as a noun phrase."""
    beta = round(1.0 - power, 6)
    return (
        f"{pct(power)}% power",
        f"a power of {power:.2f}",
        f"a type II error rate of {num(beta)} (power {pct(power)}%)",
        f"a probability of {pct(power)}% of detecting the effect if it is real",
    )[variant % VARIANTS]


def ask_size(noun: str, variant: int) -> str:
    """The closing request of a size question; ``noun`` names the unit
    (``"participants per group"``, ``"patients in total"``, ``"events"``)."""
    return (
        f"How many {noun} are required? Round up to the next whole number and print only "
        "that integer as the last line of output.",
        f"What is the minimum number of {noun} needed? Print it as a whole number (rounded "
        "up) on the last line of output.",
        f"Compute the required number of {noun}, rounding up to a whole number, and print "
        "only that integer as the last line of output.",
        f"Determine the smallest whole number of {noun} that achieves this (round up any "
        "fraction) and print it as the last line of output.",
    )[variant % VARIANTS]


def ask_power(variant: int) -> str:
    """The closing request of a power question."""
    return (
        "What is the statistical power of this design? Print it as a decimal between 0 and 1 "
        "(not a percentage) as the last line of output.",
        "Compute the power of the study and print only that value, as a proportion between "
        "0 and 1, on the last line of output.",
        "What power does the study have? Print the power as a fraction between 0 and 1, not "
        "as a percentage, as the last line of output.",
        "Calculate the probability that the study rejects the null hypothesis under these "
        "assumptions and print it as a decimal between 0 and 1 on the last line of output.",
    )[variant % VARIANTS]


def qty(x: float, unit: str) -> str:
    """A number with its unit (``"8.1%"``, ``"142 mmHg"``)."""
    return f"{num(x)}{unit}" if unit == "%" else f"{num(x)} {unit}"


def sentences(*parts: str) -> str:
    """Join question parts into one paragraph (empty parts are skipped)."""
    return " ".join(p.strip() for p in parts if p.strip())
