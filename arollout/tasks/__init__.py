"""Task suites: typed tasks, verifiers and the suites that own them.

Layout:

* ``base``: the ``Task``/``Answer``/``Verdict`` data and the ``Suite`` protocol.
* ``verify``: typed, strict comparison of a run's last stdout line with the answer.
* ``registry``: suites by name (``get_suite``) and ``check_suite``, which runs
  every reference solution in a sandbox and verifies it.
* ``demo``: ``ehr-demo``, a seeded synthetic mini-EHR suite that runs offline.
"""

from __future__ import annotations

from arollout.tasks.base import (
    Answer as Answer,
    AnswerKind as AnswerKind,
    Suite as Suite,
    Task as Task,
    Verdict as Verdict,
)
from arollout.tasks.demo import EhrDemoSuite as EhrDemoSuite
from arollout.tasks.registry import (
    check_suite as check_suite,
    get_suite as get_suite,
    list_suites as list_suites,
)
from arollout.tasks.verify import check as check

__all__ = (
    "Answer",
    "AnswerKind",
    "EhrDemoSuite",
    "Suite",
    "Task",
    "Verdict",
    "check",
    "check_suite",
    "get_suite",
    "list_suites",
)
