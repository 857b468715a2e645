"""The ``ehrcon`` suite: consistency of clinical notes with the EHR tables (EHRCon-style).

Layout:

* ``facts``: one pass over a MIMIC-III-schema database, grouped by admission,
  plus catalogues of what could have been recorded.
* ``claims``: what a tagged mention claims, the one query per claim kind that
  decides it, the consistency rules of the prompt, the reference solution.
* ``mentions``: makers of true mentions and of the injected inconsistencies
  (changed value, dose or route; shifted time; extra item; denied item).
* ``notes``: discharge summaries and nursing notes: slot plans, injection,
  the phrasings of each mention kind, rendering with ``[E#]`` tags.
* ``suite``: admissions -> notes verified by their queries -> tasks;
  :class:`EhrconSuite` and ``make_suite``.
"""

from __future__ import annotations

from arollout.tasks.ehrcon.claims import QUERIES as QUERIES, RULES as RULES, Claim as Claim
from arollout.tasks.ehrcon.notes import CATEGORIES as CATEGORIES, compose as compose
from arollout.tasks.ehrcon.suite import EhrconSuite as EhrconSuite, make_suite as make_suite

__all__ = (
    "CATEGORIES",
    "Claim",
    "EhrconSuite",
    "QUERIES",
    "RULES",
    "compose",
    "make_suite",
)
