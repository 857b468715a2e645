"""The ``biods`` suite: survival and data analysis tasks (BioDSBench-style), harness-graded.

Layout:

* ``family``: what a task family is (outputs, variants, question, reference solution).
* ``packaged``: datasets shipped inside lifelines and scikit-learn, and how code loads them.
* ``cbio_genes``, ``cbio_synth``, ``cbio_format``: seeded synthetic studies in cBioPortal's
  file format (designs, generation, files in the cache).
* ``common``, ``cbio_code``: code and text shared by the families.
* ``fam_*``: the families (Kaplan-Meier, log-rank, Cox, parametric, tests, statistics,
  models, plots, cBioPortal mutations / survival / clinical); ``catalog`` lists them.
* ``extract``, ``harness``, ``png``: reading the agent's variables, the program around its
  code, the grader, the image check.
* ``evaluate``, ``build``: expected values from reference runs on the host, task instances,
  caches.
* ``tricks``: submissions the self-check expects to fail.
* ``info``, ``prompt``, ``suite``: ``request_info``, the system prompt, :class:`BiodsSuite`.
"""

from __future__ import annotations

from arollout.tasks.biods.build import (
    SUITE_NAME as SUITE_NAME,
    library_versions as library_versions,
)
from arollout.tasks.biods.catalog import FAMILIES as FAMILIES
from arollout.tasks.biods.cbio_format import (
    GENERATOR_VERSION as GENERATOR_VERSION,
    build_studies as build_studies,
)
from arollout.tasks.biods.cbio_genes import STUDIES as STUDIES
from arollout.tasks.biods.family import Family as Family, Output as Output
from arollout.tasks.biods.harness import MARK as MARK
from arollout.tasks.biods.packaged import DATASETS as DATASETS
from arollout.tasks.biods.png import png_problem as png_problem
from arollout.tasks.biods.suite import (
    DEFAULT_DATA_ROOT as DEFAULT_DATA_ROOT,
    DEFAULT_PER_CATEGORY as DEFAULT_PER_CATEGORY,
    BiodsSuite as BiodsSuite,
    make_suite as make_suite,
)

__all__ = (
    "DATASETS",
    "DEFAULT_DATA_ROOT",
    "DEFAULT_PER_CATEGORY",
    "FAMILIES",
    "GENERATOR_VERSION",
    "MARK",
    "STUDIES",
    "SUITE_NAME",
    "BiodsSuite",
    "Family",
    "Output",
    "build_studies",
    "library_versions",
    "make_suite",
    "png_problem",
)
