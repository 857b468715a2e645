"""The ``ehr-seqsql`` suite: EHR-SeqSQL-style sequences of dependent EHR questions.

Layout:

* ``sequences``: the question sequences (parts with gold SQL that may use
  earlier answers as parameters).
* ``instances``: sequences -> verified multi-part tasks; the per-part typed
  grading of the one-JSON-list answer.
* ``suite``: :class:`SeqSqlSuite` and the ``ehr-seqsql`` factory.
"""

from __future__ import annotations

from arollout.tasks.seqsql.instances import (
    build_sequences as build_sequences,
    check_parts as check_parts,
    part_answers as part_answers,
)
from arollout.tasks.seqsql.sequences import SEQUENCES as SEQUENCES, Sequence as Sequence
from arollout.tasks.seqsql.suite import SeqSqlSuite as SeqSqlSuite, make_suite as make_suite

__all__ = (
    "SEQUENCES",
    "SeqSqlSuite",
    "Sequence",
    "build_sequences",
    "check_parts",
    "make_suite",
    "part_answers",
)
