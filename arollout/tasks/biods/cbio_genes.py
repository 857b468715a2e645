"""Genes and synthetic study designs for the cBioPortal-format studies.

Gene symbols, Entrez ids, chromosomes and protein lengths are those of the
human genes (HGNC / NCBI Gene); the hotspot protein changes are well-known
recurrent ones (KRAS p.G12D, BRAF p.V600E, PIK3CA p.H1047R, ...). Everything
else (rates, co-occurrence, survival effects, genomic positions) is a made-up
design: the studies are synthetic and say so in their names and metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ("GENES", "PASSENGERS", "STUDIES", "Driver", "Gene", "StudyDesign", "study_design")


@dataclass(frozen=True, slots=True)
class Gene:
    symbol: str
    entrez: int
    chromosome: str
    protein_length: int
    hotspots: tuple[str, ...] = ()
    oncogene: bool = False


def _g(symbol: str, entrez: int, chrom: str, length: int, *hot: str, onc: bool = False) -> Gene:
    return Gene(symbol, entrez, chrom, length, tuple(hot), onc)


GENES: Final[dict[str, Gene]] = {
    g.symbol: g
    for g in (
        _g("TP53", 7157, "17", 393, "p.R175H", "p.R248Q", "p.R273H", "p.R282W"),
        _g("KRAS", 3845, "12", 189, "p.G12D", "p.G12V", "p.G12C", "p.G13D", "p.Q61H", onc=True),
        _g("NRAS", 4893, "1", 189, "p.Q61R", "p.Q61K", "p.G12D", onc=True),
        _g("BRAF", 673, "7", 766, "p.V600E", "p.V600K", onc=True),
        _g("PIK3CA", 5290, "3", 1068, "p.H1047R", "p.E545K", "p.E542K", onc=True),
        _g("EGFR", 1956, "7", 1210, "p.L858R", "p.E746_A750del", "p.A289V", onc=True),
        _g("IDH1", 3417, "2", 414, "p.R132H", "p.R132C", onc=True),
        _g("CTNNB1", 1499, "3", 781, "p.S33C", "p.S37F", "p.T41A", onc=True),
        _g("ERBB2", 2064, "17", 1255, "p.S310F", "p.L755S", onc=True),
        _g("AKT1", 207, "14", 480, "p.E17K", onc=True),
        _g("SF3B1", 23451, "2", 1304, "p.K700E", onc=True),
        _g("ESR1", 2099, "6", 595, "p.D538G", "p.Y537S", onc=True),
        _g("KIT", 3815, "4", 976, "p.L576P", "p.K642E", onc=True),
        _g("MET", 4233, "7", 1390, onc=True),
        _g("MYC", 4609, "8", 439, onc=True),
        _g("MDM2", 4193, "12", 497, onc=True),
        _g("CDK4", 1019, "12", 303, onc=True),
        _g("CCND1", 595, "11", 295, onc=True),
        _g("PDGFRA", 5156, "4", 1089, onc=True),
        _g("NFE2L2", 4780, "2", 605, "p.R34G", "p.E79Q", onc=True),
        _g("PTEN", 5728, "10", 403, "p.R130*", "p.R130Q"),
        _g("APC", 324, "5", 2843, "p.R1450*", "p.E1309fs"),
        _g("CDKN2A", 1029, "9", 156, "p.R80*", "p.H83Y"),
        _g("NF1", 4763, "17", 2839),
        _g("ARID1A", 8289, "1", 2285),
        _g("KMT2D", 8085, "12", 5537),
        _g("ATM", 472, "11", 3056),
        _g("BRCA1", 672, "17", 1863),
        _g("BRCA2", 675, "13", 3418),
        _g("RB1", 5925, "13", 928),
        _g("SMAD4", 4089, "18", 552, "p.R361H", "p.R361C"),
        _g("FBXW7", 55294, "4", 707, "p.R465C", "p.R479Q"),
        _g("KEAP1", 9817, "19", 624),
        _g("STK11", 6794, "19", 433, "p.Q37*"),
        _g("CDH1", 999, "16", 882),
        _g("GATA3", 2625, "10", 443),
        _g("MAP3K1", 4214, "5", 1512),
        _g("PIK3R1", 5295, "5", 724),
        _g("SMARCA4", 6597, "19", 1647),
        _g("ATRX", 546, "X", 2492),
        _g("RNF43", 54894, "17", 783, "p.G659fs"),
        _g("TCF7L2", 6934, "10", 619),
        _g("SOX9", 6662, "17", 509),
    )
}

PASSENGERS: Final[dict[str, Gene]] = {
    g.symbol: g
    for g in (
        _g("TTN", 7273, "2", 34350),
        _g("MUC16", 94025, "19", 14507),
        _g("CSMD3", 114788, "8", 3707),
        _g("RYR2", 6262, "1", 4967),
        _g("LRP1B", 53353, "2", 4599),
        _g("SYNE1", 23345, "6", 8797),
        _g("USH2A", 7399, "1", 5202),
        _g("FLG", 2312, "1", 4061),
        _g("ZFHX4", 79776, "8", 3567),
        _g("OBSCN", 84033, "1", 7968),
    )
}
"""Long genes that collect passenger mutations (they make "top genes" realistic)."""


@dataclass(frozen=True, slots=True)
class Driver:
    """A gene's role in one study design.

    Attributes:
        symbol: the gene.
        rate: probability that a patient's tumour carries a non-silent mutation.
        log_hr: effect of a mutation on the hazard of death (and progression).
        amp / deep_del: probability of a high-level amplification (2) / deep
            deletion (-2) in a sample's copy-number profile.
    """

    symbol: str
    rate: float
    log_hr: float = 0.0
    amp: float = 0.01
    deep_del: float = 0.01


@dataclass(frozen=True, slots=True)
class StudyDesign:
    """How one synthetic study is drawn."""

    study_id: str
    name: str
    prefix: str
    cancer_type: str
    subtypes: tuple[tuple[str, str, float], ...]  # detailed name, oncotree code, weight
    patients: int
    drivers: tuple[Driver, ...]
    pairs: tuple[tuple[str, str, float], ...]  # (a, b, log odds shift of b given a)
    median_os: float  # months, for a 60-year-old stage II patient without mutations
    female: float = 0.5
    age: tuple[float, float] = (63.0, 11.0)
    second_sample: float = 0.1
    metastasis: float = 0.2
    smoking: bool = False
    passengers: float = 6.0  # mean passenger mutations per sample

    @property
    def genes(self) -> tuple[str, ...]:
        return tuple(d.symbol for d in self.drivers)


def _d(
    symbol: str, rate: float, log_hr: float = 0.0, amp: float = 0.01, deep_del: float = 0.01
) -> Driver:
    return Driver(symbol, rate, log_hr, amp, deep_del)


STUDIES: Final[tuple[StudyDesign, ...]] = (
    StudyDesign(
        "luad_synth_2024",
        "Lung Adenocarcinoma (synthetic, 2024)",
        "LUSY",
        "Non-Small Cell Lung Cancer",
        (
            ("Lung Adenocarcinoma", "LUAD", 0.7),
            ("Lung Squamous Cell Carcinoma", "LUSC", 0.2),
            ("Non-Small Cell Lung Cancer", "NSCLC", 0.1),
        ),
        320,
        (
            _d("TP53", 0.5, 0.3),
            _d("KRAS", 0.3, 0.2),
            _d("EGFR", 0.16, -0.35, amp=0.06),
            _d("STK11", 0.16, 0.45),
            _d("KEAP1", 0.17, 0.3),
            _d("NF1", 0.11),
            _d("BRAF", 0.07),
            _d("PIK3CA", 0.08),
            _d("SMARCA4", 0.09, 0.35),
            _d("CDKN2A", 0.07, 0.1, deep_del=0.18),
            _d("RB1", 0.06),
            _d("ATM", 0.09),
            _d("ARID1A", 0.08),
            _d("MET", 0.05, amp=0.05),
            _d("ERBB2", 0.04, amp=0.04),
            _d("NFE2L2", 0.05),
            _d("KMT2D", 0.12),
            _d("MYC", 0.02, amp=0.08),
        ),
        (
            ("KRAS", "STK11", 1.1),
            ("KRAS", "EGFR", -2.5),
            ("STK11", "KEAP1", 1.4),
            ("EGFR", "TP53", 0.5),
            ("KRAS", "BRAF", -2.0),
        ),
        median_os=30.0,
        female=0.52,
        age=(66.0, 9.5),
        second_sample=0.12,
        metastasis=0.25,
        smoking=True,
        passengers=9.0,
    ),
    StudyDesign(
        "coadread_synth_2023",
        "Colorectal Adenocarcinoma (synthetic, 2023)",
        "CRSY",
        "Colorectal Cancer",
        (("Colon Adenocarcinoma", "COAD", 0.7), ("Rectal Adenocarcinoma", "READ", 0.3)),
        280,
        (
            _d("APC", 0.7, -0.1),
            _d("TP53", 0.6, 0.15),
            _d("KRAS", 0.42, 0.25),
            _d("PIK3CA", 0.18),
            _d("SMAD4", 0.14, 0.3, deep_del=0.05),
            _d("FBXW7", 0.11),
            _d("BRAF", 0.11, 0.5),
            _d("NRAS", 0.05),
            _d("TCF7L2", 0.09),
            _d("ARID1A", 0.09),
            _d("RNF43", 0.08),
            _d("CTNNB1", 0.05),
            _d("SOX9", 0.08),
            _d("ATM", 0.07),
            _d("ERBB2", 0.03, amp=0.05),
            _d("MYC", 0.02, amp=0.12),
            _d("PTEN", 0.05, deep_del=0.03),
        ),
        (
            ("KRAS", "BRAF", -2.5),
            ("BRAF", "APC", -1.2),
            ("KRAS", "PIK3CA", 0.9),
            ("KRAS", "NRAS", -2.5),
            ("BRAF", "RNF43", 1.5),
        ),
        median_os=42.0,
        female=0.46,
        age=(64.0, 12.0),
        second_sample=0.15,
        metastasis=0.35,
        passengers=8.0,
    ),
    StudyDesign(
        "brca_synth_2022",
        "Breast Cancer (synthetic, 2022)",
        "BRSY",
        "Breast Cancer",
        (
            ("Breast Invasive Ductal Carcinoma", "IDC", 0.75),
            ("Breast Invasive Lobular Carcinoma", "ILC", 0.15),
            ("Breast Mixed Ductal and Lobular Carcinoma", "MDLC", 0.1),
        ),
        360,
        (
            _d("PIK3CA", 0.35, -0.1),
            _d("TP53", 0.33, 0.35),
            _d("GATA3", 0.12, -0.2),
            _d("CDH1", 0.12),
            _d("MAP3K1", 0.08),
            _d("KMT2D", 0.07),
            _d("PTEN", 0.06, 0.25, deep_del=0.04),
            _d("ESR1", 0.05, 0.45),
            _d("ARID1A", 0.06),
            _d("NF1", 0.05),
            _d("AKT1", 0.04),
            _d("PIK3R1", 0.04),
            _d("ERBB2", 0.03, 0.2, amp=0.14),
            _d("CCND1", 0.01, amp=0.15),
            _d("MYC", 0.01, amp=0.12),
            _d("BRCA1", 0.03),
            _d("BRCA2", 0.04),
            _d("RB1", 0.03),
        ),
        (
            ("PIK3CA", "TP53", -0.9),
            ("CDH1", "GATA3", 0.6),
            ("PIK3CA", "AKT1", -2.0),
            ("MAP3K1", "PIK3CA", 0.8),
            ("TP53", "GATA3", -0.8),
        ),
        median_os=80.0,
        female=0.99,
        age=(58.0, 12.5),
        second_sample=0.1,
        metastasis=0.2,
        passengers=5.0,
    ),
    StudyDesign(
        "gbm_synth_2021",
        "Glioblastoma (synthetic, 2021)",
        "GBSY",
        "Glioma",
        (("Glioblastoma Multiforme", "GBM", 0.85), ("Gliosarcoma", "GSARC", 0.15)),
        220,
        (
            _d("TP53", 0.3, 0.1),
            _d("PTEN", 0.3, 0.15, deep_del=0.1),
            _d("EGFR", 0.25, 0.1, amp=0.35),
            _d("NF1", 0.13),
            _d("PIK3CA", 0.1),
            _d("PIK3R1", 0.1),
            _d("RB1", 0.08),
            _d("IDH1", 0.09, -1.0),
            _d("ATRX", 0.1, -0.3),
            _d("CDKN2A", 0.03, 0.2, deep_del=0.5),
            _d("MDM2", 0.01, amp=0.08),
            _d("CDK4", 0.01, amp=0.12),
            _d("PDGFRA", 0.04, amp=0.1),
        ),
        (
            ("IDH1", "ATRX", 2.0),
            ("IDH1", "EGFR", -2.0),
            ("TP53", "ATRX", 1.0),
            ("PTEN", "PIK3CA", -0.6),
            ("NF1", "EGFR", -0.8),
        ),
        median_os=15.0,
        female=0.4,
        age=(59.0, 13.0),
        second_sample=0.08,
        metastasis=0.0,
        passengers=4.0,
    ),
    StudyDesign(
        "paad_synth_2024",
        "Pancreatic Adenocarcinoma (synthetic, 2024)",
        "PASY",
        "Pancreatic Cancer",
        (
            ("Pancreatic Adenocarcinoma", "PAAD", 0.9),
            ("Adenosquamous Carcinoma of the Pancreas", "PAASC", 0.1),
        ),
        220,
        (
            _d("KRAS", 0.88, 0.4),
            _d("TP53", 0.7, 0.2),
            _d("CDKN2A", 0.3, 0.15, deep_del=0.3),
            _d("SMAD4", 0.25, 0.3, deep_del=0.1),
            _d("ARID1A", 0.08),
            _d("KMT2D", 0.06),
            _d("RNF43", 0.06),
            _d("ATM", 0.06),
            _d("BRCA2", 0.05, -0.3),
            _d("MYC", 0.02, amp=0.1),
            _d("GATA3", 0.03),
        ),
        (
            ("KRAS", "BRCA2", -0.8),
            ("TP53", "SMAD4", 0.5),
            ("CDKN2A", "SMAD4", 0.6),
            ("KRAS", "RNF43", -1.0),
        ),
        median_os=12.0,
        female=0.47,
        age=(67.0, 9.0),
        second_sample=0.1,
        metastasis=0.3,
        passengers=4.0,
    ),
    StudyDesign(
        "skcm_synth_2023",
        "Cutaneous Melanoma (synthetic, 2023)",
        "SKSY",
        "Melanoma",
        (
            ("Cutaneous Melanoma", "SKCM", 0.8),
            ("Acral Melanoma", "ACRM", 0.1),
            ("Mucosal Melanoma", "MUCM", 0.1),
        ),
        260,
        (
            _d("BRAF", 0.5, -0.1),
            _d("NRAS", 0.25, 0.3),
            _d("NF1", 0.15, 0.1),
            _d("TP53", 0.16, 0.3),
            _d("CDKN2A", 0.15, 0.25, deep_del=0.3),
            _d("PTEN", 0.1, 0.2, deep_del=0.08),
            _d("KIT", 0.06, amp=0.04),
            _d("ARID1A", 0.07),
            _d("MAP3K1", 0.05),
            _d("RB1", 0.04),
            _d("KMT2D", 0.1),
            _d("SF3B1", 0.03),
            _d("MYC", 0.02, amp=0.1),
            _d("CCND1", 0.01, amp=0.06),
        ),
        (
            ("BRAF", "NRAS", -3.0),
            ("BRAF", "NF1", -1.5),
            ("NRAS", "NF1", -1.0),
            ("BRAF", "PTEN", 1.0),
            ("CDKN2A", "TP53", 0.5),
        ),
        median_os=36.0,
        female=0.42,
        age=(61.0, 14.0),
        second_sample=0.12,
        metastasis=0.6,
        passengers=14.0,
    ),
)

_BY_ID: Final = {s.study_id: s for s in STUDIES}


def study_design(study_id: str) -> StudyDesign:
    return _BY_ID[study_id]
