"""The ``power`` suite: statistical power and sample-size questions (N-PowerAI style).

Layout:

* ``design``: the ``Design`` contract (draw, plan, question), the ``Plan`` that
  is both the reference program and the gold computation, and the rounding
  and range rules every design shares.
* ``grids``: shared parameter grids (alpha, sidedness, power, sample sizes).
* ``wording``: shared phrases (test level, power, what to print).
* ``scenarios``, ``endpoints``: the clinical settings questions are told in
  (continuous and binary outcomes; categorical and time-to-event endpoints).
* ``ttests``, ``anova``, ``chisquare``, ``proportions``, ``survival``: the
  twelve test types, each with its formula and sources.
* ``instances``: designs -> verified tasks (ids, splits, filters) and the cache.
* ``suite``: :class:`PowerSuite`, the ``Suite`` the engine uses.
"""

from __future__ import annotations

from arollout.tasks.power.design import Design as Design, Draw as Draw, Plan as Plan
from arollout.tasks.power.instances import (
    DESIGNS as DESIGNS,
    GENERATOR_VERSION as GENERATOR_VERSION,
    build_tasks as build_tasks,
)
from arollout.tasks.power.suite import (
    DEFAULT_PER_CATEGORY as DEFAULT_PER_CATEGORY,
    PowerSuite as PowerSuite,
)

__all__ = (
    "DEFAULT_PER_CATEGORY",
    "DESIGNS",
    "Design",
    "Draw",
    "GENERATOR_VERSION",
    "Plan",
    "PowerSuite",
    "build_tasks",
)
