"""The ``biocoder`` suite: bioinformatics function writing, graded by hidden tests.

Layout:

* ``family``: what a task family is (parameter grid, spec, reference body, test inputs).
* ``fam_*``: the families, one domain per module (sequences, codons, k-mers, file
  formats, quality, alignment, intervals, motifs, phylogenetics, bioimaging).
* ``genetic_codes``: the NCBI translation tables the codon families use.
* ``prompt``: the system prompt, each instance's question, ``request_info`` tables.
* ``instances``: families -> verified instances (expected values, discriminating tests).
* ``build``: every family in category order; building all instances once, with a cache.
* ``runtime``: the harness embedded in each run, and the value codec shared with the host.
* ``compare``: host-side comparison of a harness report with the expected values.
* ``harness``: a submission -> the sandbox program; its report -> a verdict; the
  data-free tricks it must fail.
* ``suite``: :class:`BiocoderSuite`.
"""

from __future__ import annotations

from arollout.tasks.biocoder.build import (
    FAMILIES as FAMILIES,
    GENERATOR_VERSION as GENERATOR_VERSION,
)
from arollout.tasks.biocoder.family import Case as Case, Family as Family
from arollout.tasks.biocoder.suite import (
    DEFAULT_PER_FAMILY as DEFAULT_PER_FAMILY,
    BiocoderSuite as BiocoderSuite,
)

__all__ = (
    "BiocoderSuite",
    "Case",
    "DEFAULT_PER_FAMILY",
    "FAMILIES",
    "Family",
    "GENERATOR_VERSION",
)
