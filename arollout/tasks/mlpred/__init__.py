"""The ``mlpred`` suites: clinical prediction and MIMIC-Extract-style extraction.

Layout:

* ``model``: the known generating model of the synthetic stays (latent
  physiology -> readings, interventions and outcomes).
* ``items``: what the cohorts chart, measure and prescribe (MIMIC-III item
  numbers) and how each reading depends on the latents.
* ``cohort``: stays -> MIMIC-III-schema rows, cut at the prediction time or
  complete, with every stay's labels.
* ``build``: the cohort databases in the cache, with held-out and training files.
* ``outcomes``: the outcomes and their definitions over the tables.
* ``reference``: the self-contained reference pipelines (variable map, hourly
  aggregates, labels, features, logistic regression), embedded in every
  reference solution and run on the host for the gold.
* ``instances``: databases -> verified tasks (thresholds from the reference score).
* ``scoring`` / ``grader``: the file a run writes -> a verdict over the full
  id list; the data-free submissions that must fail.
* ``prompt``: the system prompt and question texts.
* ``suite``: :class:`MlpredSuite`, ``make_suite`` (``mlpred``) and
  ``make_demo_suite`` (``mlpred-demo``).
"""

from __future__ import annotations

from arollout.tasks.mlpred.build import (
    build_cohort as build_cohort,
    complete_cohorts as complete_cohorts,
    prediction_cohorts as prediction_cohorts,
)
from arollout.tasks.mlpred.cohort import CohortSpec as CohortSpec, generate as generate
from arollout.tasks.mlpred.outcomes import OUTCOMES as OUTCOMES, Outcome as Outcome
from arollout.tasks.mlpred.suite import (
    MlpredSuite as MlpredSuite,
    make_demo_suite as make_demo_suite,
    make_suite as make_suite,
)

__all__ = (
    "CohortSpec",
    "MlpredSuite",
    "OUTCOMES",
    "Outcome",
    "build_cohort",
    "complete_cohorts",
    "generate",
    "make_demo_suite",
    "make_suite",
    "prediction_cohorts",
)
