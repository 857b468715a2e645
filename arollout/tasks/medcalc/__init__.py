"""The ``medcalc`` suite: clinical calculators on template notes (MedCalc-Bench style).

Layout:

* ``formulas/``: the 52 calculators as typed pure functions citing their sources.
* ``units``: what notes measure, in which units, and the conversion factors.
* ``vocab``: wording of yes/no conditions and findings (present and absent).
* ``wording``: wording of graded findings; the distractor pools.
* ``spec``: :class:`Spec` (one calculator as the suite asks it) and :class:`Draw`
  (a sampled patient: arguments under every reading, and the note's facts).
* ``specs_body``, ``specs_chemistry``, ``specs_misc``, ``specs_cardiac``,
  ``specs_acute``, ``specs_organ``: the specs, by clinical area; ``catalog`` lists them.
* ``notes``: distractors and note rendering.
* ``source``: reference solutions (the calculator's own source, its inputs, the print).
* ``instances``: specs -> verified, non-guessable tasks with stable ids and splits.
* ``store``: the built suite cached on disk (tasks and note files).
* ``info``: the ``request_info`` index.
* ``suite``: :class:`MedCalcSuite`, the ``Suite`` the engine uses.
"""

from __future__ import annotations

from arollout.tasks.medcalc.catalog import SPECS as SPECS, SPECS_BY_KEY as SPECS_BY_KEY
from arollout.tasks.medcalc.info import CalculatorIndex as CalculatorIndex
from arollout.tasks.medcalc.instances import (
    MAX_SHARE as MAX_SHARE,
    SUITE_NAME as SUITE_NAME,
    TOLERANCE as TOLERANCE,
    build_tasks as build_tasks,
)
from arollout.tasks.medcalc.spec import Draw as Draw, Spec as Spec
from arollout.tasks.medcalc.store import (
    GENERATOR_VERSION as GENERATOR_VERSION,
    load_suite as load_suite,
)
from arollout.tasks.medcalc.suite import (
    DEFAULT_DATA_ROOT as DEFAULT_DATA_ROOT,
    DEFAULT_PER_CATEGORY as DEFAULT_PER_CATEGORY,
    MedCalcSuite as MedCalcSuite,
    make_suite as make_suite,
)

__all__ = (
    "CalculatorIndex",
    "DEFAULT_DATA_ROOT",
    "DEFAULT_PER_CATEGORY",
    "Draw",
    "GENERATOR_VERSION",
    "MAX_SHARE",
    "MedCalcSuite",
    "SPECS",
    "SPECS_BY_KEY",
    "SUITE_NAME",
    "Spec",
    "TOLERANCE",
    "build_tasks",
    "load_suite",
    "make_suite",
)
