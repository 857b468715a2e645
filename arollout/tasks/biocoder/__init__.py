"""The ``biocoder`` suite: bioinformatics function writing, graded by hidden tests.

Layout:

* ``family``: what a task family is (parameter grid, spec, reference body, test inputs).
* ``fam_*``: the families, one domain per module (sequences, codons, k-mers, file
  formats, quality, alignment, intervals, motifs, phylogenetics, bioimaging).
* ``genetic_codes``: the NCBI translation tables the codon families use.
* ``catalog``: every family in category order.
* ``prompt``: the system prompt and each instance's question.
* ``instances``: families -> verified instances (expected values, discriminating tests).
* ``build``: building all instances once and caching them.
* ``runtime``: the harness embedded in each run, and the value codec shared with the host.
* ``compare``: host-side comparison of a harness report with the expected values.
* ``harness``: a submission -> the sandbox program; its report -> a verdict.
* ``tricks``: data-free submissions the harness must fail.
* ``info``: ``request_info`` reference tables.
* ``suite``: :class:`BiocoderSuite`.
"""

from __future__ import annotations

from arollout.tasks.biocoder.build import GENERATOR_VERSION as GENERATOR_VERSION
from arollout.tasks.biocoder.catalog import FAMILIES as FAMILIES
from arollout.tasks.biocoder.family import Case as Case, Family as Family
from arollout.tasks.biocoder.suite import (
    DEFAULT_PER_FAMILY as DEFAULT_PER_FAMILY,
    BiocoderSuite as BiocoderSuite,
)

__all__ = (
    "DEFAULT_PER_FAMILY",
    "FAMILIES",
    "GENERATOR_VERSION",
    "BiocoderSuite",
    "Case",
    "Family",
)
