"""The parameter grids every design shares: alpha, sidedness, power, sample sizes.

Alphas and powers are the conventional planning values (Cohen 1988, ch. 1:
alpha 0.05 with power 0.80 as the default, stricter and laxer choices around
it). Sample sizes of power questions are chosen near the size that would give
a random power between :data:`AIM_LOW` and :data:`AIM_HIGH` under the normal
approximation, then rounded to a number a protocol would state, so the powers
asked about spread over the interesting range instead of piling up near 1.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import random

    from arollout.tasks.power.design import Target

__all__ = (
    "AIM_HIGH",
    "AIM_LOW",
    "ONE_SIDED_ALPHAS",
    "POWERS",
    "TWO_SIDED_ALPHAS",
    "aimed_z",
    "draw_level",
    "nice_size",
    "z_alpha",
)

TWO_SIDED_ALPHAS: Final = (0.01, 0.05, 0.05, 0.1)
ONE_SIDED_ALPHAS: Final = (0.01, 0.025, 0.05)
POWERS: Final = (0.8, 0.85, 0.9, 0.95)
AIM_LOW: Final = 0.3
AIM_HIGH: Final = 0.95

_STD: Final = NormalDist()


def draw_level(rng: random.Random, target: Target) -> dict[str, Any]:
    """Sidedness (two-sided twice as often), alpha and, for size targets, power."""
    sided = rng.choice((2, 2, 1))
    alpha = rng.choice(TWO_SIDED_ALPHAS if sided == 2 else ONE_SIDED_ALPHAS)
    values: dict[str, Any] = {"sided": sided, "alpha": alpha}
    if target == "size":
        values["power"] = rng.choice(POWERS)
    return values


def z_alpha(alpha: float, sided: int) -> float:
    """The standard normal critical value ``z_{1 - alpha/sided}``."""
    return _STD.inv_cdf(1.0 - alpha / sided)


def aimed_z(rng: random.Random, alpha: float, sided: int) -> float:
    """``z_{1-alpha/sided} + z_{aim}`` for a random aimed power: the normal-theory
    value of ``effect * sqrt(n_effective)`` that gives that power."""
    aim = rng.uniform(AIM_LOW, AIM_HIGH)
    return z_alpha(alpha, sided) + _STD.inv_cdf(aim)


def nice_size(x: float) -> int:
    """Round a planned size to what a protocol would state (``47 -> 47``,
    ``143 -> 145``, ``1234 -> 1230``); at least 2."""
    if not math.isfinite(x):
        return 0
    n = max(2, round(x))
    if n <= 60:
        return n
    step = 5 if n <= 400 else 10 if n <= 2000 else 50
    return max(step, step * round(n / step))
