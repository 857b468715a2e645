"""Genomic families on the synthetic cBioPortal studies: frequencies, co-occurrence, CNA.

Definitions follow cBioPortal's conventions: alteration frequency over
profiled samples, non-silent mutations only, a gene "altered" in a sample
when it is mutated or has a high-level amplification (2) or deep deletion
(-2), and co-occurrence / mutual exclusivity tested with Fisher's exact test
on the 2 x 2 sample table (cBioPortal's Mutual Exclusivity tab reports a
one-sided Fisher test; here the side is stated per task).
"""

from __future__ import annotations

from typing import Final

from arollout.tasks.biods.cbio_code import (
    NON_SILENT_TEXT,
    all_studies,
    cna_lines,
    gene_pairs,
    load_lines,
    mutated_samples_lines,
    study_text,
)
from arollout.tasks.biods.family import Family, Output, Params, code

__all__ = ("FAMILIES",)

_TAGS: Final = ("cbio",)


def _genes() -> list[Params]:
    return [{"study": d.study_id, "gene": g} for d in all_studies() for g in d.genes]


def _cna_genes() -> list[Params]:
    return [
        {"study": d.study_id, "gene": g.symbol, "value": v}
        for d in all_studies()
        for g in d.drivers
        for v in (2, -2)
        if (g.amp if v == 2 else g.deep_del) >= 0.03
    ]


def _intro(p: Params) -> str:
    return f"{study_text(p)} Here {NON_SILENT_TEXT}."


mutation_frequency = Family(
    category="cbio_mutation_frequency",
    outputs=(
        Output(
            "n_mutated", "integer", "the number of samples with a non-silent mutation in the gene"
        ),
        Output(
            "frequency",
            "number",
            "that number divided by the number of samples in data_clinical_sample.txt",
        ),
    ),
    variants=_genes,
    question=lambda p: f"{_intro(p)} How often is {p['gene']} mutated across the study's samples?",
    solution=lambda p, root: code(
        load_lines(p, root, ("samples", "mutations")),
        mutated_samples_lines(p["gene"]),
        "n_mutated = len(mutated_samples)",
        "frequency = n_mutated / len(samples)",
    ),
    tags=_TAGS,
)

patient_mutation_frequency = Family(
    category="cbio_patient_mutation_frequency",
    outputs=(
        Output(
            "frequency",
            "number",
            "the share of patients in data_clinical_patient.txt with at least one sample mutated in the gene",
        ),
    ),
    variants=_genes,
    question=lambda p: (
        f"{_intro(p)} What share of patients have at least one sample (data_clinical_sample.txt maps "
        f"samples to patients) with a non-silent {p['gene']} mutation?"
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("patients", "samples", "mutations")),
        mutated_samples_lines(p["gene"]),
        'mutated_patients = set(samples.loc[samples["SAMPLE_ID"].isin(mutated_samples), "PATIENT_ID"])',
        "frequency = len(mutated_patients) / len(patients)",
    ),
    tags=_TAGS,
)


def _top_variants() -> list[Params]:
    return [
        {"study": d.study_id, "k": k, "sample_type": t}
        for d in all_studies()
        for k in (3, 5, 8, 10)
        for t in (None, "Primary", "Metastasis")
    ]


def _top(p: Params, root: str) -> str:
    lines = load_lines(p, root, ("samples", "mutations"))
    if p["sample_type"]:
        lines.append(
            f'kept = set(samples.loc[samples["SAMPLE_TYPE"] == {p["sample_type"]!r}, "SAMPLE_ID"])'
        )
        lines.append('mutations = mutations[mutations["Tumor_Sample_Barcode"].isin(kept)]')
    return code(
        lines,
        'counts = mutations.groupby("Hugo_Symbol")["Tumor_Sample_Barcode"].nunique()',
        "counts = counts.sort_values(ascending=False)",
        f"top_genes = list(counts.index[:{p['k']}])",
    )


top_mutated_genes = Family(
    category="cbio_top_mutated_genes",
    outputs=(Output("top_genes", "list", "the gene symbols, most frequently mutated first"),),
    variants=_top_variants,
    question=lambda p: (
        f"{_intro(p)} "
        + (
            f"Considering only samples whose SAMPLE_TYPE is {p['sample_type']!r}, list"
            if p["sample_type"]
            else "List"
        )
        + f" the {p['k']} genes mutated in the most samples (count distinct samples with a non-silent "
        "mutation per Hugo_Symbol), most frequent first."
    ),
    solution=_top,
    guard=lambda p: (
        f"_c = counts.to_numpy()\n_keep = bool(all(_c[i] > _c[i + 1] for i in range({p['k']})))\n"
    ),
    tags=_TAGS,
)

_TRUNCATING: Final = ("Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site")


def _class_variants() -> list[Params]:
    return [{**p, "class": c} for p in _genes() for c in ("Missense_Mutation", "truncating")]


def _class_text(p: Params) -> str:
    if p["class"] == "truncating":
        return f"truncating (Variant_Classification one of {', '.join(_TRUNCATING)})"
    return "missense (Missense_Mutation)"


variant_class_share = Family(
    category="cbio_variant_class_share",
    outputs=(
        Output("count", "integer", "the number of such mutations in the gene"),
        Output("share", "number", "their share of the gene's non-silent mutations"),
    ),
    variants=_class_variants,
    question=lambda p: (
        f"{_intro(p)} Among all non-silent {p['gene']} mutations (rows), how many are "
        f"{_class_text(p)}, and what share of the gene's non-silent mutations is that?"
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("mutations",)),
        f'gene_rows = mutations[mutations["Hugo_Symbol"] == {p["gene"]!r}]',
        (
            f'count = int(gene_rows["Variant_Classification"].isin({list(_TRUNCATING)!r}).sum())'
            if p["class"] == "truncating"
            else 'count = int((gene_rows["Variant_Classification"] == "Missense_Mutation").sum())'
        ),
        "share = count / len(gene_rows)",
    ),
    guard=lambda p: "_keep = len(gene_rows) >= 10 and 0 < count < len(gene_rows)\n",
    tags=_TAGS,
)

hotspot = Family(
    category="cbio_hotspot",
    outputs=(
        Output("protein_change", "text", "the most frequent HGVSp_Short value, e.g. 'p.G12D'"),
        Output("count", "integer", "how many non-silent mutations have it"),
    ),
    variants=_genes,
    question=lambda p: (
        f"{_intro(p)} Which protein change (HGVSp_Short) is the most frequent among the non-silent "
        f"{p['gene']} mutations, and how many mutations carry it?"
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("mutations",)),
        f'changes = mutations.loc[mutations["Hugo_Symbol"] == {p["gene"]!r}, "HGVSp_Short"].value_counts()',
        "protein_change = str(changes.index[0])",
        "count = int(changes.iloc[0])",
    ),
    guard=lambda p: (
        "_keep = len(changes) > 1 and changes.iloc[0] > changes.iloc[1] and changes.iloc[0] >= 3\n"
    ),
    tags=_TAGS,
)


def _pairs() -> list[Params]:
    return [{"study": d.study_id, "a": a, "b": b} for d in all_studies() for a, b in gene_pairs(d)]


def _table(p: Params) -> list[str]:
    return [
        *mutated_samples_lines(p["a"], "in_a"),
        *mutated_samples_lines(p["b"], "in_b"),
        'ids = set(samples["SAMPLE_ID"])',
        "both = len(ids & in_a & in_b)",
        "only_a = len(ids & (in_a - in_b))",
        "only_b = len(ids & (in_b - in_a))",
        "neither = len(ids) - both - only_a - only_b",
        "table = [[both, only_a], [only_b, neither]]",
    ]


def _table_text(p: Params) -> str:
    return (
        f"Over all samples in data_clinical_sample.txt, build the 2 x 2 table "
        f"[[both mutated, {p['a']} only], [{p['b']} only, neither]] of {p['a']} and {p['b']} mutation status."
    )


_PAIR_GUARD: Final = (
    "_keep = len(in_a) >= 8 and len(in_b) >= 8 and min(min(r) for r in table) >= 1\n"
)

cooccurrence = Family(
    category="cbio_cooccurrence",
    outputs=(
        Output("odds_ratio", "number", "the sample odds ratio of the table"),
        Output("pvalue", "number", "the two-sided Fisher exact test p-value"),
    ),
    variants=_pairs,
    question=lambda p: (
        f"{_intro(p)} {_table_text(p)} Test for association with `scipy.stats.fisher_exact(table)` "
        "(two-sided)."
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("samples", "mutations"), "from scipy import stats"),
        _table(p),
        "result = stats.fisher_exact(table)",
        "odds_ratio = float(result.statistic)",
        "pvalue = float(result.pvalue)",
    ),
    guard=lambda p: _PAIR_GUARD,
    tags=_TAGS,
)

exclusivity = Family(
    category="cbio_exclusivity",
    outputs=(
        Output(
            "n_either", "integer", "the number of samples mutated in at least one of the two genes"
        ),
        Output(
            "pvalue", "number", "the one-sided Fisher exact test p-value for mutual exclusivity"
        ),
    ),
    variants=_pairs,
    question=lambda p: (
        f"{_intro(p)} {_table_text(p)} Test for mutual exclusivity (fewer co-mutated samples than "
        "expected) with `scipy.stats.fisher_exact(table, alternative='less')`."
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("samples", "mutations"), "from scipy import stats"),
        _table(p),
        "n_either = both + only_a + only_b",
        "pvalue = float(stats.fisher_exact(table, alternative='less').pvalue)",
    ),
    guard=lambda p: _PAIR_GUARD,
    tags=_TAGS,
)


def _cna_text(value: int) -> str:
    return "a high-level amplification (value 2)" if value == 2 else "a deep deletion (value -2)"


cna_frequency = Family(
    category="cbio_cna_frequency",
    outputs=(
        Output(
            "n_altered", "integer", "the number of profiled samples with that copy-number value"
        ),
        Output(
            "frequency", "number", "that number divided by the number of samples in data_cna.txt"
        ),
    ),
    variants=_cna_genes,
    question=lambda p: (
        f"{study_text(p)} Among the samples with a copy-number profile (the sample columns of "
        f"data_cna.txt), how many have {_cna_text(p['value'])} of {p['gene']}, and what fraction of "
        "the profiled samples is that?"
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("cna",)),
        cna_lines(p["gene"], p["value"]),
        "n_altered = len(cna_altered)",
        "frequency = n_altered / cna.shape[1]",
    ),
    tags=_TAGS,
)

altered_frequency = Family(
    category="cbio_altered_frequency",
    outputs=(
        Output(
            "frequency",
            "number",
            "the fraction of copy-number-profiled samples in which the gene is altered",
        ),
    ),
    variants=_genes,
    question=lambda p: (
        f"{_intro(p)} Among the samples with a copy-number profile (the sample columns of "
        f"data_cna.txt; every sample was also sequenced), in what fraction is {p['gene']} altered, "
        "i.e. mutated (non-silent) or with copy-number value 2 or -2?"
    ),
    solution=lambda p, root: code(
        load_lines(p, root, ("mutations", "cna")),
        mutated_samples_lines(p["gene"]),
        "profiled = set(cna.columns)",
        f"cna_hit = set(cna.columns[cna.loc[{p['gene']!r}].abs() == 2])",
        "frequency = len((mutated_samples & profiled) | cna_hit) / len(profiled)",
    ),
    tags=_TAGS,
)

FAMILIES: Final = (
    mutation_frequency,
    patient_mutation_frequency,
    top_mutated_genes,
    variant_class_share,
    hotspot,
    cooccurrence,
    exclusivity,
    cna_frequency,
    altered_frequency,
)
