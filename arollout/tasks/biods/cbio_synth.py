"""Seeded synthetic cancer genomics studies (patients, samples, mutations, copy number).

Each :class:`~arollout.tasks.biods.cbio_genes.StudyDesign` is drawn with one
``random.Random`` seeded by the suite seed and the study id, and only with
the standard library, so the same seed gives the same records (and file
bytes) on every machine and numpy version. Sets of genes are always
iterated in sorted order: their native order follows string hashing, which
changes from one interpreter to the next (``PYTHONHASHSEED``).

The generative story, per patient: age, sex, stage (and smoking history for
lung) are drawn; each driver gene is mutated with its rate, shifted on the
log-odds scale by the pairs of the design (co-occurring or mutually
exclusive genes); overall survival is Weibull with a proportional-hazards
linear predictor of age, stage and the mutated genes' log hazard ratios,
censored uniformly over follow-up; progression-free survival ends at the
first of progression (a faster Weibull with the same predictor), death or
censoring. Each patient has a primary or metastatic sample, some a second
(metastatic) one that shares most of the first one's mutations. Samples also
carry passenger mutations in long genes, silent and non-coding variants (so
"non-silent" filters matter) and a copy-number profile over the driver genes
(a few samples have none, so CNA denominators matter).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from arollout.tasks.biods.cbio_genes import GENES, PASSENGERS

if TYPE_CHECKING:
    from arollout.tasks.biods.cbio_genes import Gene, StudyDesign

__all__ = (
    "NON_SILENT",
    "Mutation",
    "Patient",
    "Sample",
    "StudyRecords",
    "generate_study",
)

NON_SILENT: Final = (
    "Missense_Mutation",
    "Nonsense_Mutation",
    "Frame_Shift_Del",
    "Frame_Shift_Ins",
    "In_Frame_Del",
    "In_Frame_Ins",
    "Splice_Site",
    "Translation_Start_Site",
    "Nonstop_Mutation",
)
"""Variant classifications that change the protein (cBioPortal's default filter keeps these)."""

_SILENT: Final = ("Silent", "Intron", "3'UTR", "5'UTR")
_AMINO: Final = "ACDEFGHIKLMNPQRSTVWY"
_BASES: Final = "ACGT"
_STAGES: Final = (("I", 0.22, -0.5), ("II", 0.3, 0.0), ("III", 0.28, 0.45), ("IV", 0.2, 1.0))
_TRUNCATING_TSG: Final = (
    ("Missense_Mutation", 0.45),
    ("Nonsense_Mutation", 0.2),
    ("Frame_Shift_Del", 0.14),
    ("Frame_Shift_Ins", 0.07),
    ("Splice_Site", 0.08),
    ("In_Frame_Del", 0.04),
    ("Nonstop_Mutation", 0.01),
    ("Translation_Start_Site", 0.01),
)
_ONCOGENE: Final = (
    ("Missense_Mutation", 0.9),
    ("In_Frame_Del", 0.05),
    ("In_Frame_Ins", 0.03),
    ("Splice_Site", 0.02),
)


@dataclass(slots=True)
class Patient:
    patient_id: str
    age: int | None
    sex: str
    stage: str | None
    smoking: str | None
    os_months: float | None
    os_event: bool
    pfs_months: float | None
    pfs_event: bool
    mutated: frozenset[str] = frozenset()


@dataclass(slots=True)
class Sample:
    sample_id: str
    patient_id: str
    subtype: str
    oncotree: str
    sample_type: str
    cna: dict[str, int] | None = None
    nonsilent: int = 0


@dataclass(frozen=True, slots=True)
class Mutation:
    sample_id: str
    patient_id: str
    gene: Gene
    classification: str
    protein_change: str
    position: int
    ref: str
    alt: str
    ref_count: int
    alt_count: int
    normal_depth: int


@dataclass(slots=True)
class StudyRecords:
    design: StudyDesign
    patients: list[Patient] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    mutations: list[Mutation] = field(default_factory=list)


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    names = [n for n, _ in table]
    return rng.choices(names, [w for _, w in table])[0]


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _driver_status(rng: random.Random, design: StudyDesign) -> frozenset[str]:
    shifts: dict[str, list[tuple[str, float]]] = {}
    for a, b, shift in design.pairs:
        shifts.setdefault(b, []).append((a, shift))
    mutated: set[str] = set()
    for driver in design.drivers:
        logit = _logit(driver.rate)
        for a, shift in shifts.get(driver.symbol, ()):
            if a in mutated:
                logit += shift
        if rng.random() < _expit(logit):
            mutated.add(driver.symbol)
    return frozenset(mutated)


def _weibull(rng: random.Random, median: float, linear: float, shape: float = 1.2) -> float:
    """A Weibull time with the given baseline median and proportional-hazards shift."""
    scale = median / math.log(2) ** (1 / shape)
    u = 1.0 - rng.random()
    return float(scale * (-math.log(u) / math.exp(linear)) ** (1 / shape))


def _patient(rng: random.Random, design: StudyDesign, index: int) -> Patient:
    mean, sd = design.age
    age = int(min(90, max(22, round(rng.gauss(mean, sd)))))
    sex = "Female" if rng.random() < design.female else "Male"
    stage_row = rng.choices(_STAGES, [w for _, w, _ in _STAGES])[0]
    stage: str | None = stage_row[0]
    smoking = None
    if design.smoking:
        smoking = rng.choices(("Never", "Former", "Current"), (0.2, 0.5, 0.3))[0]
    mutated = _driver_status(rng, design)
    effects = {d.symbol: d.log_hr for d in design.drivers}
    linear = 0.25 * (age - 60) / 10 + stage_row[2] + sum(effects[g] for g in sorted(mutated))
    if smoking == "Current":
        linear += 0.2
    death = _weibull(rng, design.median_os, linear)
    progression = _weibull(rng, 0.45 * design.median_os, linear)
    follow_up = rng.uniform(3.0, 3.2 * design.median_os)
    os_months = round(min(death, follow_up), 2)
    os_event = death <= follow_up
    pfs_time = min(progression, death, follow_up)
    pfs_months = round(pfs_time, 2)
    pfs_event = pfs_time < follow_up
    os_known = max(os_months, 0.01)
    os_value: float | None = os_known
    pfs_value: float | None = min(max(pfs_months, 0.01), os_known)
    if rng.random() < 0.02:
        age_value: int | None = None
    else:
        age_value = age
    if rng.random() < 0.03:
        stage = None
    if rng.random() < 0.015:
        os_value = pfs_value = None
    return Patient(
        patient_id=f"{design.prefix}-P{index:04d}",
        age=age_value,
        sex=sex,
        stage=stage,
        smoking=smoking,
        os_months=os_value,
        os_event=os_event,
        pfs_months=pfs_value,
        pfs_event=pfs_event,
        mutated=mutated,
    )


def _protein_change(rng: random.Random, gene: Gene, klass: str) -> tuple[str, int]:
    if (
        klass in ("Missense_Mutation", "Nonsense_Mutation")
        and gene.hotspots
        and rng.random() < (0.6 if gene.oncogene else 0.3)
    ):
        candidates = [h for h in gene.hotspots if h.endswith("*") == (klass == "Nonsense_Mutation")]
        candidates = [h for h in candidates if "fs" not in h and "del" not in h]
        if candidates:
            change = candidates[0] if rng.random() < 0.55 else rng.choice(candidates)
            digits = "".join(c for c in change if c.isdigit())
            return change, int(digits[:4] or 1)
    pos = rng.randint(1, gene.protein_length)
    wt = rng.choice(_AMINO)
    if klass == "Missense_Mutation":
        return f"p.{wt}{pos}{rng.choice(_AMINO.replace(wt, ''))}", pos
    if klass == "Nonsense_Mutation":
        return f"p.{wt}{pos}*", pos
    if klass.startswith("Frame_Shift"):
        return f"p.{wt}{pos}fs", pos
    if klass == "In_Frame_Del":
        return f"p.{wt}{pos}del", pos
    if klass == "In_Frame_Ins":
        return f"p.{wt}{pos}_{rng.choice(_AMINO)}{pos + 1}ins{rng.choice(_AMINO)}", pos
    if klass == "Splice_Site":
        return f"p.X{pos}_splice", pos
    if klass == "Translation_Start_Site":
        return "p.M1?", 1
    if klass == "Nonstop_Mutation":
        return f"p.*{gene.protein_length + 1}{rng.choice(_AMINO)}ext*?", gene.protein_length + 1
    if klass == "Silent":
        return f"p.{wt}{pos}=", pos
    return "", pos


def _alleles(rng: random.Random, klass: str) -> tuple[str, str]:
    if klass in ("Frame_Shift_Del", "In_Frame_Del"):
        n = rng.choice((1, 2, 4)) if klass == "Frame_Shift_Del" else 3
        return "".join(rng.choice(_BASES) for _ in range(n)), "-"
    if klass in ("Frame_Shift_Ins", "In_Frame_Ins"):
        n = rng.choice((1, 2)) if klass == "Frame_Shift_Ins" else 3
        return "-", "".join(rng.choice(_BASES) for _ in range(n))
    ref = rng.choice(_BASES)
    return ref, rng.choice(_BASES.replace(ref, ""))


def _mutation(rng: random.Random, sample: Sample, gene: Gene, klass: str) -> Mutation:
    change, pos = _protein_change(rng, gene, klass)
    ref, alt = _alleles(rng, klass)
    depth = rng.randint(40, 420)
    vaf = min(0.95, max(0.03, rng.betavariate(2.2, 4.0)))
    alt_count = max(3, round(depth * vaf))
    return Mutation(
        sample_id=sample.sample_id,
        patient_id=sample.patient_id,
        gene=gene,
        classification=klass,
        protein_change=change,
        position=pos,
        ref=ref,
        alt=alt,
        ref_count=max(0, depth - alt_count),
        alt_count=alt_count,
        normal_depth=rng.randint(30, 200),
    )


def _cna(rng: random.Random, design: StudyDesign, mutated: frozenset[str]) -> dict[str, int]:
    profile: dict[str, int] = {}
    for driver in design.drivers:
        deep_del = driver.deep_del * (1.5 if driver.symbol in mutated else 1.0)
        draw = rng.random()
        if draw < driver.amp:
            value = 2
        elif draw < driver.amp + deep_del:
            value = -2
        elif draw < driver.amp + deep_del + 0.12:
            value = 1
        elif draw < driver.amp + deep_del + 0.24:
            value = -1
        else:
            value = 0
        profile[driver.symbol] = value
    return profile


def _sample_mutations(
    rng: random.Random, design: StudyDesign, sample: Sample, drivers: frozenset[str]
) -> list[Mutation]:
    out: list[Mutation] = []
    for symbol in design.genes:
        gene = GENES[symbol]
        if symbol in drivers:
            table = _ONCOGENE if gene.oncogene else _TRUNCATING_TSG
            repeats = 2 if rng.random() < 0.1 else 1
            out.extend(_mutation(rng, sample, gene, _pick(rng, table)) for _ in range(repeats))
        if rng.random() < 0.03:
            out.append(_mutation(rng, sample, gene, rng.choice(_SILENT)))
    passengers = list(PASSENGERS.values())
    weights = [g.protein_length for g in passengers]
    count = min(60, int(rng.expovariate(1 / design.passengers)))
    for gene in rng.choices(passengers, weights, k=count):
        klass = "Silent" if rng.random() < 0.3 else _pick(rng, _TRUNCATING_TSG)
        out.append(_mutation(rng, sample, gene, klass))
    return out


def generate_study(design: StudyDesign, seed: int) -> StudyRecords:
    """Draw every record of one study (deterministic in ``design`` and ``seed``)."""
    rng = random.Random(f"biods|{seed}|{design.study_id}")
    records = StudyRecords(design=design)
    subtypes = [(name, code) for name, code, _ in design.subtypes]
    weights = [w for _, _, w in design.subtypes]
    for index in range(1, design.patients + 1):
        patient = _patient(rng, design, index)
        records.patients.append(patient)
        subtype, oncotree = rng.choices(subtypes, weights)[0]
        first_type = "Metastasis" if rng.random() < design.metastasis else "Primary"
        kinds = [first_type]
        if rng.random() < design.second_sample:
            kinds.append("Metastasis")
        for number, kind in enumerate(kinds, start=1):
            sample = Sample(
                sample_id=f"{patient.patient_id}-T{number:02d}",
                patient_id=patient.patient_id,
                subtype=subtype,
                oncotree=oncotree,
                sample_type=kind,
            )
            drivers = patient.mutated
            if number > 1:  # a later sample keeps most drivers and may gain one
                drivers = frozenset(g for g in sorted(drivers) if rng.random() < 0.85)
                extra = rng.choice(design.genes)
                if rng.random() < 0.15:
                    drivers = drivers | {extra}
            muts = _sample_mutations(rng, design, sample, drivers)
            sample.nonsilent = sum(m.classification in NON_SILENT for m in muts)
            sample.cna = None if rng.random() < 0.05 else _cna(rng, design, drivers)
            records.samples.append(sample)
            records.mutations.extend(muts)
    return records
