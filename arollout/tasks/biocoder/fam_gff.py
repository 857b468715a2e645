"""GFF3/GTF features and BED intervals given as text.

Columns, 1-based closed coordinates, the ``Parent`` attribute, percent-encoding
and the ``##FASTA`` directive follow the GFF3 specification (Sequence Ontology,
"Generic Feature Format Version 3", v1.26); GTF attributes (``key "value";``)
follow GTF2.2; BED is 0-based and half-open (UCSC genome browser FAQ,
"BED format").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, bullets

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)

GFF_READER: Final = """
from urllib.parse import unquote

def _features(text):
    out = []
    for line in text.splitlines():
        if line.startswith("##FASTA"):
            break
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\\t")
        if len(f) != 9:
            raise ValueError("a feature line has 9 tab-separated columns")
        attrs = {}
        if FORMAT == "gff3":
            for item in filter(None, (x.strip() for x in f[8].split(";"))):
                key, _, value = item.partition("=")
                attrs[unquote(key)] = [unquote(v) for v in value.split(",")]
        else:
            for item in filter(None, (x.strip() for x in f[8].split(";"))):
                key, _, value = item.partition(" ")
                attrs.setdefault(key, []).append(value.strip().strip('"'))
        out.append((f[0], f[2], int(f[3]), int(f[4]), f[6], attrs))
    return out
"""


def _reader_rules(p: Params) -> list[str]:
    key = "Parent" if p["format"] == "gff3" else "transcript_id"
    attrs = (
        "Column 9 holds ';'-separated key=value attributes; a value may list several "
        "comma-separated items, and keys and items are percent-decoded (%3B is ';', %2C is ',', ...)."
        if p["format"] == "gff3"
        else 'Column 9 holds GTF attributes: \'key "value";\' pairs separated by \';\'.'
    )
    return [
        f"`text` is {p['format'].upper()}: 9 tab-separated columns (seqid, source, type, start, "
        "end, score, strand, phase, attributes) with 1-based, inclusive start and end. Blank lines "
        "and lines starting with '#' are skipped, and everything from a line starting with "
        "'##FASTA' on is ignored; a feature line without exactly 9 columns raises ValueError.",
        attrs,
        f"A feature belongs to the transcript(s) named by its {key} attribute (every item of it); "
        "features without it are ignored.",
    ]


def _gff_lines(rng: random.Random, fmt: str, n_tx: int) -> str:
    lines = ["##gff-version 3" if fmt == "gff3" else "#!genome-build test"]
    for t in range(n_tx):
        tx = f"tx{t}" if rng.random() < 0.8 else f"tx%3B{t}"
        seqid, strand = rng.choice(("chr1", "chr2")), rng.choice("+-")
        pos = rng.randint(1, 500)
        for _ in range(rng.randint(1, 5)):
            length = rng.randint(1, 60)
            for ftype in ("exon", "CDS") if rng.random() < 0.6 else (rng.choice(("exon", "CDS", "five_prime_UTR")),):
                attrs = (f"ID={ftype}{t}_{pos};Parent={tx}" + (",tx_alt" if rng.random() < 0.1 else "")) if fmt == "gff3" else f'gene_id "g{t}"; transcript_id "{tx}";'
                lines.append(f"{seqid}\ttest\t{ftype}\t{pos}\t{pos + length - 1}\t.\t{strand}\t.\t{attrs}")
            pos += length + rng.choice((-5, 0, 1, 3, 20, 80, 300))
        if rng.random() < 0.2:
            lines.append("")
    return "\n".join(lines) + "\n"


def _gff_cases(p: Params, rng: random.Random) -> list[Case]:
    fmt = p["format"]

    def a(parent: str) -> str:
        return f"ID=x;Parent={parent}" if fmt == "gff3" else f'gene_id "g"; transcript_id "{parent}";'

    fixed = "\n".join(
        [
            "# comment",
            f"chr1\tt\texon\t100\t150\t.\t+\t.\t{a('tA')}",
            f"chr1\tt\texon\t141\t200\t.\t+\t.\t{a('tA')}",
            f"chr1\tt\texon\t150\t160\t.\t+\t.\t{a('tA')}",
            f"chr1\tt\texon\t400\t420\t.\t+\t.\t{a('tA')}",
            f"chr1\tt\tCDS\t120\t150\t.\t+\t0\t{a('tA')}",
            f"chr1\tt\tCDS\t400\t410\t.\t+\t2\t{a('tA')}",
            f"chr2\tt\texon\t10\t20\t.\t-\t.\t{a('tB')}",
            f"chr2\tt\texon\t22\t30\t.\t-\t.\t{a('tB')}",
            f"chr2\tt\texon\t5\t8\t.\t-\t.\t{a('tB')}",
            "chr2\tt\tgene\t1\t900\t.\t-\t.\tID=gene1",
            "##FASTA",
            ">chr1",
            "ACGT",
        ]
    )
    cases = [
        Case("empty text", ("",)),
        Case("overlapping, adjacent and unsorted features", (fixed + "\n",)),
        Case("malformed line", ("chr1\tt\texon\t1\t10\t.\t+\n",)),
    ]
    cases.extend(Case(f"random annotation #{i + 1}", (_gff_lines(rng, fmt, rng.randint(1, 4)),)) for i in range(7))
    return cases


def _lengths_describe(p: Params) -> str:
    strand = "" if p["strand"] == "any" else f" Only features on the {p['strand']} strand count."
    total = (
        "the number of distinct positions covered by its features (overlaps counted once)"
        if p["merge"]
        else "the sum of end - start + 1 over its features (overlaps counted twice)"
    )
    return bullets(
        f"Compute the total length of the {p['ftype']} features of each transcript.",
        [
            *_reader_rules(p),
            f"Only features of type '{p['ftype']}' (column 3, exact match) count.{strand}",
            f"The length of a transcript is {total}.",
            "Return a dict mapping each transcript with at least one counted feature to its length (an int).",
        ],
    )


_LENGTHS_BODY = (
    GFF_READER
    + """

def feature_lengths(text: str) -> dict:
    spans = {}
    key = "Parent" if FORMAT == "gff3" else "transcript_id"
    for _, ftype, start, end, strand, attrs in _features(text):
        if ftype != FTYPE or (STRAND != "any" and strand != STRAND):
            continue
        for tx in attrs.get(key, []):
            spans.setdefault(tx, []).append((start, end))
    out = {}
    for tx, items in spans.items():
        if not MERGE:
            out[tx] = sum(e - s + 1 for s, e in items)
            continue
        total, reach = 0, None
        for s, e in sorted(items):
            if reach is None or s > reach:
                total += e - s + 1
                reach = e
            elif e > reach:
                total += e - reach
                reach = e
        out[tx] = total
    return out
"""
)

FEATURE_LENGTHS = Family(
    name="gff_feature_lengths",
    topic="annotations",
    func="feature_lengths",
    signature="(text: str) -> dict[str, int]",
    dims={"format": ("gff3", "gtf"), "ftype": ("exon", "CDS"), "merge": (False, True), "strand": ("any", "+", "-")},
    describe=_lengths_describe,
    body=_LENGTHS_BODY,
    cases=_gff_cases,
    examples=lambda p: [("chr1\tt\texon\t1\t10\t.\t+\t.\t" + ("Parent=t1" if p["format"] == "gff3" else 'transcript_id "t1";') + "\n",)],
    mutants=(("total += e - s + 1\n                reach = e", "total += e - s\n                reach = e"), ("[unquote(v) for v in value.split(\",\")]", "[value]")),
    cite="GFF3 specification v1.26; GTF2.2",
)


def _introns_describe(p: Params) -> str:
    coords = (
        "(transcript, seqid, start, end) with 1-based, inclusive coordinates"
        if p["coords"] == "one_closed"
        else "(transcript, seqid, start, end) with 0-based, half-open coordinates (BED style)"
    )
    return bullets(
        "List the introns of every transcript from its exons.",
        [
            *_reader_rules(p),
            "Only features of type 'exon' count. Sort a transcript's exons by (start, end); the "
            "intron between consecutive exons spans the positions after the end of the first and "
            "before the start of the next. If exons overlap or touch, there is no intron there "
            "(use the largest end seen so far as the end of the first).",
            f"Keep introns of at least {p['min_intron']} bases.",
            f"Return a list of tuples {coords}, sorted by (transcript, start). The seqid is that of "
            "the exon after the intron.",
        ],
    )


_INTRONS_BODY = (
    GFF_READER
    + """

def introns(text: str) -> list:
    exons = {}
    key = "Parent" if FORMAT == "gff3" else "transcript_id"
    for seqid, ftype, start, end, _, attrs in _features(text):
        if ftype == "exon":
            for tx in attrs.get(key, []):
                exons.setdefault(tx, []).append((start, end, seqid))
    out = []
    for tx, items in exons.items():
        reach = None
        for start, end, seqid in sorted(items):
            if reach is not None and start - reach - 1 >= MIN_INTRON:
                lo, hi = reach + 1, start - 1
                out.append((tx, seqid, lo - 1 if COORDS == "zero_open" else lo, hi))
            reach = end if reach is None else max(reach, end)
    return sorted(out, key=lambda r: (r[0], r[2]))
"""
)

INTRONS = Family(
    name="gff_introns",
    topic="annotations",
    func="introns",
    signature="(text: str) -> list[tuple[str, str, int, int]]",
    dims={"format": ("gff3", "gtf"), "coords": ("one_closed", "zero_open"), "min_intron": (1, 10, 50)},
    describe=_introns_describe,
    body=_INTRONS_BODY,
    cases=_gff_cases,
    examples=lambda p: [(
        "".join(f"chr1\tt\texon\t{s}\t{e}\t.\t+\t.\t" + ("Parent=t1" if p["format"] == "gff3" else 'transcript_id "t1";') + "\n" for s, e in ((1, 10), (101, 120))),
    )],
    mutants=(("reach = end if reach is None else max(reach, end)", "reach = end"),),
    cite="GFF3 specification v1.26",
)


def _bed_describe(p: Params) -> str:
    filters = []
    if p["strand"] != "any":
        filters.append(f"only intervals whose strand (column 6) is '{p['strand']}' count")
    if p["min_score"]:
        filters.append(f"only intervals whose score (column 5) is >= {p['min_score']} count")
    measure = (
        "the number of distinct bases covered (overlapping intervals merged)"
        if p["count"] == "union"
        else "the sum of end - start over its intervals (overlaps counted again)"
    )
    return bullets(
        "Compute the bases covered by the BED intervals of each chromosome.",
        [
            "`bed_text` is BED: tab-separated columns chrom, start, end (0-based, half-open) and "
            "optionally name, score, strand, ...; blank lines and lines starting with '#', 'track' "
            "or 'browser' are skipped. A line with fewer than 3 columns, or with end < start, raises ValueError.",
            ("Filters: " + "; ".join(filters) + " (a line lacking that column does not count).") if filters else "Every interval counts.",
            f"For each chromosome return {measure}.",
            "Return a dict mapping each chromosome with at least one counted interval to that number (an int).",
        ],
    )


_BED_BODY = """
def bed_coverage(bed_text: str) -> dict:
    spans = {}
    for line in bed_text.splitlines():
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        f = line.split("\\t")
        if len(f) < 3 or int(f[2]) < int(f[1]):
            raise ValueError("bad BED line")
        if STRAND != "any" and (len(f) < 6 or f[5] != STRAND):
            continue
        if MIN_SCORE and (len(f) < 5 or float(f[4]) < MIN_SCORE):
            continue
        spans.setdefault(f[0], []).append((int(f[1]), int(f[2])))
    out = {}
    for chrom, items in spans.items():
        if COUNT == "sum":
            out[chrom] = sum(e - s for s, e in items)
            continue
        total, reach = 0, None
        for s, e in sorted(items):
            if reach is None or s >= reach:
                total += e - s
                reach = e
            elif e > reach:
                total += e - reach
                reach = e
        out[chrom] = total
    return out
"""


def _bed_cases(p: Params, rng: random.Random) -> list[Case]:
    def line(chrom: str) -> str:
        s = rng.randint(0, 300)
        return f"{chrom}\t{s}\t{s + rng.randint(0, 80)}\tf{rng.randint(1, 99)}\t{rng.choice((0, 50, 100, 250, 500, 900))}\t{rng.choice('+-.')}"

    cases = [
        Case("empty text", ("",)),
        Case("track line and comments", ("track name=x\n# c\nbrowser position chr1\nchr1\t0\t10\n",)),
        Case("book-ended and nested", ("chr1\t0\t10\tA\t100\t+\nchr1\t10\t20\tB\t600\t-\nchr1\t2\t5\tC\t900\t+\nchr2\t5\t5\tD\t0\t+\n",)),
        Case("three columns only", ("chr1\t5\t9\nchr1\t7\t12\n",)),
        Case("end before start", ("chr1\t10\t5\n",)),
    ]
    for i in range(7):
        lines = [line(rng.choice(("chr1", "chr2", "chrX"))) for _ in range(rng.randint(2, 14))]
        cases.append(Case(f"random BED #{i + 1}", ("\n".join(lines) + "\n",)))
    return cases


BED_COVERAGE = Family(
    name="bed_coverage",
    topic="annotations",
    func="bed_coverage",
    signature="(bed_text: str) -> dict[str, int]",
    dims={"strand": ("any", "+", "-"), "min_score": (0, 100, 500), "count": ("union", "sum")},
    describe=_bed_describe,
    body=_BED_BODY,
    cases=_bed_cases,
    examples=lambda p: [("chr1\t0\t10\ta\t700\t+\nchr1\t5\t15\tb\t700\t+\n",)],
    mutants=(("total += e - reach\n                reach = e\n        out[chrom]", "total += e - s\n                reach = e\n        out[chrom]"),),
    cite="UCSC BED format",
)

FAMILIES: Final = (FEATURE_LENGTHS, INTRONS, BED_COVERAGE)
