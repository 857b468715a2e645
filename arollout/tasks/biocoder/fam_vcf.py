"""VCF records: variant classes, transition/transversion ratio, genotype statistics.

Columns, ALT conventions (``.``, ``*``, symbolic ``<...>`` and breakends) and
GT syntax follow the VCF 4.3 specification (samtools/hts-specs ``VCFv4.3.tex``,
sections 1.6.1-1.6.2); the left/right trimming of REF/ALT before classifying
is the usual variant normalisation (Tan et al. 2015, Bioinformatics 31:2202).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)

_HEADER: Final = "##fileformat=VCFv4.3\n##contig=<ID=chr1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\n"

VCF_READER: Final = """
def _vcf(text):
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\\t")
        if len(f) < 8:
            raise ValueError("a VCF record has at least 8 fields")
        qual = None if f[5] == "." else float(f[5])
        out.append((f[3].upper(), f[4].upper().split(","), qual, f[6], f[8:]))
    return out


def _kept(qual, filt):
    if PASS_ONLY and filt not in ("PASS", "."):
        return False
    return not MIN_QUAL or (qual is not None and qual >= MIN_QUAL)


def _real(alt):
    return alt not in (".", "*") and not alt.startswith("<") and "[" not in alt and "]" not in alt
"""

_READER_RULES: Final = (
    "`vcf_text` is VCF: lines starting with '#' (meta and header lines) and blank lines are "
    "skipped; every other line is a tab-separated record with at least the 8 fixed fields "
    "(CHROM, POS, ID, REF, ALT, QUAL, FILTER, INFO), otherwise raise ValueError.",
    "ALT holds comma-separated alleles. Alleles '.', '*', symbolic alleles ('<...>') and "
    "breakends (containing '[' or ']') are not sequence variants and are ignored. REF and ALT "
    "are compared case-insensitively.",
)


def _filter_rules(p: Params) -> list[str]:
    rules = []
    if p["pass_only"]:
        rules.append("Only records whose FILTER is 'PASS' or '.' count.")
    if p["min_qual"]:
        rules.append(f"Only records with QUAL >= {p['min_qual']} count (QUAL '.' fails).")
    if p["multiallelic"] == "skip":
        rules.append("Records with more than one ALT allele (before ignoring any) are skipped.")
    else:
        rules.append("Each ALT allele of a record is a separate variant.")
    return rules


def _record(rng: random.Random, *, samples: int = 3) -> str:
    ref_base = rng.choice("ACGT")
    kinds: list[Callable[[], tuple[str, str]]] = [
        lambda: (ref_base, rng.choice([b for b in "ACGT" if b != ref_base])),
        lambda: (ref_base + rand_seq(rng, 1), rand_seq(rng, 2)),
        lambda: (ref_base, ref_base + rand_seq(rng, rng.randint(1, 3))),
        lambda: (ref_base + rand_seq(rng, rng.randint(1, 3)), ref_base),
        lambda: (rand_seq(rng, 3), rand_seq(rng, 2)),
        lambda: (ref_base + "T", ref_base + "TT"),
        lambda: (ref_base, "<DEL>"),
        lambda: (ref_base, "*"),
    ]
    ref, alt = rng.choice(kinds[:6] if rng.random() < 0.8 else kinds)()
    if rng.random() < 0.2:
        alt += "," + rng.choice([b for b in "ACGT" if b != ref[0]] + ["*"])
    if rng.random() < 0.1:
        ref, alt = ref.lower(), alt.lower()
    qual = rng.choice((".", "3", "10", "20", "29.5", "30", "50", "99"))
    filt = rng.choice(("PASS", "PASS", ".", "q10", "LowQual"))
    n_alt = alt.count(",") + 1
    gts = []
    for _ in range(samples):
        a = rng.choice(["0", "0", "1", "."] + (["2"] if n_alt > 1 else []))
        b = rng.choice(["0", "1", "1", "."] + (["2"] if n_alt > 1 else []))
        gts.append(a if rng.random() < 0.1 else f"{a}{rng.choice('/|')}{b}")
    dp = [f"{gt}:{rng.randint(1, 60)}" for gt in gts]
    return f"chr1\t{rng.randint(1, 10**6)}\t.\t{ref}\t{alt}\t{qual}\t{filt}\tDP=10\tGT:DP\t" + "\t".join(dp)


def vcf_text(rng: random.Random, n: int) -> str:
    """A VCF with a header and ``n`` random records over three samples."""
    return _HEADER + "".join(_record(rng) + "\n" for _ in range(n))


def _vcf_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("header only", (_HEADER,)),
        Case("record with too few fields", (_HEADER + "chr1\t5\t.\tA\tG\t50\n",)),
        Case(
            "one of each kind",
            (
                _HEADER
                + "".join(
                    f"chr1\t{i + 1}\t.\t{r}\t{a}\t{q}\t{f}\t.\tGT\t0/1\t1|1\t./.\n"
                    for i, (r, a, q, f) in enumerate(
                        [("A", "G", "60", "PASS"), ("C", "T", "25", "PASS"), ("AC", "GT", "40", "."),
                         ("A", "AT", "12", "PASS"), ("AT", "A", ".", "PASS"), ("ACG", "TT", "35", "q10"),
                         ("AT", "GT", "55", "PASS"), ("C", "A,G", "99", "PASS"), ("G", "<DUP>", "50", "PASS"),
                         ("T", "*", "50", "PASS"), ("ga", "gta", "31", "PASS"), ("G", "T", "8", "LowQual"),
                         ("T", "C,*", "45", "PASS"), ("CTT", "CT", "70", "PASS")]
                    )
                ),
            ),
        ),
    ]
    cases.extend(Case(f"random VCF #{i + 1}", (vcf_text(rng, rng.randint(3, 25)),)) for i in range(8))
    return cases


def _types_describe(p: Params) -> str:
    norm = (
        "Normalise each REF/ALT pair first: while both have more than one base and end with the "
        "same base, drop that last base; then, while both have more than one base and start with "
        "the same base, drop that first base."
        if p["normalize"]
        else "Classify REF/ALT pairs as written (no trimming)."
    )
    return bullets(
        "Count the variants of `vcf_text` by class.",
        [
            *_READER_RULES,
            *_filter_rules(p),
            norm,
            "Classes: SNP (REF and ALT one base each), MNP (equal lengths above one), INS (ALT "
            "longer and starting with REF), DEL (REF longer and starting with ALT), COMPLEX "
            "(anything else).",
            "Return a dict mapping each class with at least one variant to its count (an int).",
        ],
    )


_TYPES_BODY = (
    VCF_READER
    + """

def variant_classes(vcf_text: str) -> dict:
    counts = {}
    for ref, alts, qual, filt, _ in _vcf(vcf_text):
        if not _kept(qual, filt) or (MULTIALLELIC == "skip" and len(alts) > 1):
            continue
        for alt in alts:
            if not _real(alt):
                continue
            r, a = ref, alt
            if NORMALIZE:
                while len(r) > 1 and len(a) > 1 and r[-1] == a[-1]:
                    r, a = r[:-1], a[:-1]
                while len(r) > 1 and len(a) > 1 and r[0] == a[0]:
                    r, a = r[1:], a[1:]
            if len(r) == len(a):
                kind = "SNP" if len(r) == 1 else "MNP"
            elif len(a) > len(r) and a.startswith(r):
                kind = "INS"
            elif len(r) > len(a) and r.startswith(a):
                kind = "DEL"
            else:
                kind = "COMPLEX"
            counts[kind] = counts.get(kind, 0) + 1
    return counts
"""
)

VARIANT_CLASSES = Family(
    name="vcf_variant_classes",
    topic="variants",
    func="variant_classes",
    signature="(vcf_text: str) -> dict[str, int]",
    dims={"normalize": (False, True), "pass_only": (False, True), "min_qual": (0, 20, 30), "multiallelic": ("split", "skip")},
    describe=_types_describe,
    body=_TYPES_BODY,
    cases=_vcf_cases,
    examples=lambda p: [(_HEADER + "chr1\t10\t.\tA\tG,AT\t50\tPASS\t.\n",)],
    mutants=(("not alt.startswith(\"<\") and ", ""), ("len(r) > 1 and len(a) > 1 and r[0] == a[0]", "len(r) > 0 and len(a) > 0 and r[0] == a[0]")),
    cite="VCF 4.3 specification; Tan et al. 2015",
)


def _titv_describe(p: Params) -> str:
    return bullets(
        "Compute the transition/transversion ratio of the SNPs in `vcf_text`.",
        [
            *_READER_RULES,
            *_filter_rules(p),
            "A SNP is a REF/ALT pair of single bases among A, C, G, T. Transitions are A<->G and "
            "C<->T; every other SNP is a transversion. Other variants are ignored.",
            "Return transitions / transversions as a float, or None when there is no transversion.",
        ],
    )


_TITV_BODY = (
    VCF_READER
    + """

def titv_ratio(vcf_text: str):
    ti = tv = 0
    for ref, alts, qual, filt, _ in _vcf(vcf_text):
        if not _kept(qual, filt) or (MULTIALLELIC == "skip" and len(alts) > 1):
            continue
        for alt in alts:
            if len(ref) == 1 and len(alt) == 1 and ref in "ACGT" and alt in "ACGT" and ref != alt:
                if {ref, alt} in ({"A", "G"}, {"C", "T"}):
                    ti += 1
                else:
                    tv += 1
    return ti / tv if tv else None
"""
)

TITV = Family(
    name="vcf_titv_ratio",
    topic="variants",
    func="titv_ratio",
    signature="(vcf_text: str) -> float | None",
    dims={"pass_only": (False, True), "min_qual": (0, 10, 30, 50), "multiallelic": ("split", "skip")},
    describe=_titv_describe,
    body=_TITV_BODY,
    cases=lambda p, rng: [*_vcf_cases(p, rng), Case("no transversion", (_HEADER + "chr1\t1\t.\tA\tG\t60\tPASS\t.\n",))],
    examples=lambda p: [(_HEADER + "chr1\t1\t.\tA\tG\t60\tPASS\t.\nchr1\t2\t.\tC\tA\t60\tPASS\t.\nchr1\t3\t.\tC\tT\t60\tPASS\t.\n",)],
    mutants=(('({"A", "G"}, {"C", "T"})', '({"A", "G"}, {"C", "G"})'),),
    cite="VCF 4.3 specification",
)

_GT_STATS: Final = {
    "alt_af": "the fraction of called alleles that are not the reference (allele index >= 1); None if no allele is called",
    "maf": "the minor allele frequency min(p, 1 - p), where p is the fraction of called alleles that are not the reference; None if no allele is called",
    "het_rate": "the fraction of fully called samples that are heterozygous (two different alleles; a haploid call is never heterozygous); None if no sample is fully called",
    "hom_alt_rate": "the fraction of fully called samples whose alleles are all the same non-reference allele; None if no sample is fully called",
    "missing_rate": "the fraction of samples whose GT has at least one missing allele ('.')",
    "expected_het": "1 - sum over alleles a of f_a**2, with f_a the frequency of allele index a among the called alleles; None if no allele is called",
}


def _gt_describe(p: Params) -> str:
    return bullets(
        "Compute a per-record genotype statistic from the sample columns of `vcf_text`.",
        [
            "`vcf_text` is VCF: lines starting with '#' and blank lines are skipped; every record has "
            "the fixed fields, FORMAT and one column per sample (tab-separated).",
            "The GT key's position in FORMAT (':'-separated) locates each sample's genotype; a GT "
            "is allele indices separated by '/' or '|', '.' being a missing allele. A sample is "
            "fully called when none of its alleles is missing.",
            "Records with more than one ALT allele are left out of the result."
            if p["multiallelic"] == "skip"
            else "Records with several ALT alleles take part like the others.",
            f"For each record, in file order, compute {_GT_STATS[p['stat']]}.",
            "Return the list of these values (floats, or None as stated).",
        ],
    )


_GT_BODY = """
def genotype_stat(vcf_text: str) -> list:
    out = []
    for line in vcf_text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\\t")
        if MULTIALLELIC == "skip" and "," in f[4]:
            continue
        gt_at = f[8].split(":").index("GT")
        calls = [s.split(":")[gt_at].replace("|", "/").split("/") for s in f[9:]]
        alleles = [int(a) for call in calls for a in call if a != "."]
        full = [[int(a) for a in call] for call in calls if "." not in call]
        if STAT == "missing_rate":
            out.append(sum("." in call for call in calls) / len(calls))
        elif STAT in ("alt_af", "maf"):
            if not alleles:
                out.append(None)
                continue
            p = sum(a >= 1 for a in alleles) / len(alleles)
            out.append(p if STAT == "alt_af" else min(p, 1 - p))
        elif STAT == "expected_het":
            if not alleles:
                out.append(None)
                continue
            freqs = [alleles.count(a) / len(alleles) for a in set(alleles)]
            out.append(1 - sum(x * x for x in freqs))
        elif not full:
            out.append(None)
        elif STAT == "het_rate":
            out.append(sum(len(set(c)) > 1 for c in full) / len(full))
        else:
            out.append(sum(len(set(c)) == 1 and c[0] >= 1 for c in full) / len(full))
    return out
"""

GENOTYPE_STAT = Family(
    name="vcf_genotype_stats",
    topic="variants",
    func="genotype_stat",
    signature="(vcf_text: str) -> list[float | None]",
    dims={"stat": tuple(_GT_STATS), "multiallelic": ("keep", "skip")},
    describe=_gt_describe,
    body=_GT_BODY,
    cases=lambda p, rng: [
        Case("header only", (_HEADER,)),
        Case("GT not first in FORMAT", (_HEADER + "chr1\t5\t.\tA\tG\t50\tPASS\t.\tDP:GT\t7:0/1\t9:1|1\t3:./.\n",)),
        Case("all missing", (_HEADER + "chr1\t5\t.\tA\tG\t50\tPASS\t.\tGT\t./.\t.\t./.\n",)),
        Case("haploid calls", (_HEADER + "chr1\t5\t.\tA\tT\t50\tPASS\t.\tGT\t1\t0\t.\n",)),
        *[Case(f"random VCF #{i + 1}", (vcf_text(rng, rng.randint(2, 15)),)) for i in range(7)],
    ],
    examples=lambda p: [(_HEADER + "chr1\t7\t.\tC\tT\t50\tPASS\t.\tGT:DP\t0/1:9\t1/1:4\t./.:0\n",)],
    mutants=(('.replace("|", "/")', ""),),
    cite="VCF 4.3 specification",
)

FAMILIES: Final = (VARIANT_CLASSES, TITV, GENOTYPE_STAT)
