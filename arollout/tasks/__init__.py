"""Task suites: typed tasks, verifiers and the suites that own them.

Layout:

* ``base``: the ``Task``/``Answer``/``Verdict``/``Program`` data and the
  ``Suite`` and ``HarnessSuite`` protocols.
* ``verify``: typed, strict comparison of a run's last stdout line with the answer.
* ``grading``: a submission -> the sandbox request -> a verdict (both kinds of
  suite), and what counts as a trivial, data-free submission.
* ``check``: the self-check behind ``arollout tasks check`` (oracle 1.0, trivial 0.0).
* ``registry``: suites by name (``get_suite``), imported on first use.
* ``demo``: ``ehr-demo``, a seeded synthetic mini-EHR suite that runs offline.
"""

from __future__ import annotations

from arollout.tasks.base import (
    Answer as Answer,
    AnswerKind as AnswerKind,
    HarnessSuite as HarnessSuite,
    Program as Program,
    Suite as Suite,
    Task as Task,
    Verdict as Verdict,
)
from arollout.tasks.check import (
    CheckReport as CheckReport,
    check_suite as check_suite,
    run_checks as run_checks,
)
from arollout.tasks.demo import EhrDemoSuite as EhrDemoSuite
from arollout.tasks.registry import (
    get_suite as get_suite,
    list_suites as list_suites,
)
from arollout.tasks.verify import check as check

__all__ = (
    "Answer",
    "AnswerKind",
    "CheckReport",
    "EhrDemoSuite",
    "HarnessSuite",
    "Program",
    "Suite",
    "Task",
    "Verdict",
    "check",
    "check_suite",
    "get_suite",
    "list_suites",
    "run_checks",
)
