"""Every family of the suite, in a stable order (the order of categories)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder import (
    fam_align,
    fam_cluster,
    fam_codon,
    fam_codon_stats,
    fam_composition,
    fam_coverage,
    fam_distance,
    fam_fasta,
    fam_filters,
    fam_gff,
    fam_image,
    fam_interval,
    fam_kmer,
    fam_kmer_graph,
    fam_motif,
    fam_objects,
    fam_orf,
    fam_phylo,
    fam_profile,
    fam_quality,
    fam_sam,
    fam_sam_depth,
    fam_sequence,
    fam_tree,
    fam_vcf,
)

if TYPE_CHECKING:
    from arollout.tasks.biocoder.family import Family

__all__ = ("FAMILIES", "family")

FAMILIES: Final[tuple[Family, ...]] = (
    *fam_sequence.FAMILIES,
    *fam_orf.FAMILIES,
    *fam_composition.FAMILIES,
    *fam_codon.FAMILIES,
    *fam_codon_stats.FAMILIES,
    *fam_kmer.FAMILIES,
    *fam_kmer_graph.FAMILIES,
    *fam_fasta.FAMILIES,
    *fam_quality.FAMILIES,
    *fam_sam.FAMILIES,
    *fam_sam_depth.FAMILIES,
    *fam_vcf.FAMILIES,
    *fam_gff.FAMILIES,
    *fam_interval.FAMILIES,
    *fam_coverage.FAMILIES,
    *fam_align.FAMILIES,
    *fam_distance.FAMILIES,
    *fam_motif.FAMILIES,
    *fam_profile.FAMILIES,
    *fam_phylo.FAMILIES,
    *fam_cluster.FAMILIES,
    *fam_tree.FAMILIES,
    *fam_image.FAMILIES,
    *fam_objects.FAMILIES,
    *fam_filters.FAMILIES,
)


def family(name: str) -> Family:
    """The family called ``name``."""
    for fam in FAMILIES:
        if fam.name == name:
            return fam
    raise KeyError(name)
