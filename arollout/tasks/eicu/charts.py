"""Bedside-chart terms of the synthetic eICU generator: drug orders, allergies,
intake/output cells and cultures (written for arollout).

eICU-CRD's ``medication`` table stores each order as free text: a drug name
that may or may not include the strength and form ("furosemide",
"acetaminophen 325 mg po tabs"), a dosage ("40 mg") and a route ("iv", "po").
Brand and generic names of one drug appear side by side ("lasix" and
"furosemide"), which is why questions name the exact ``drugname`` string.
Intake/output cells sit under a flowsheet path that says whether they are an
intake or an output, which is how EHRSQL (and the questions) tell them apart.
The names, strengths, routes and sites below are common ICU terms written out
for this project; they are not copied from the database.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from arollout.tasks.eicu.vocab import Weighted

__all__ = ("ALLERGIES", "CULTURE_SITES", "DRUGS", "INTAKE_OUTPUT", "ORGANISMS", "Drug", "IoCell")


class Drug(NamedTuple):
    """One orderable drug: its name, the dosages and routes it is given with, and a weight."""

    name: str
    dosages: tuple[str, ...]
    routes: tuple[str, ...]
    weight: float


DRUGS: Final[tuple[Drug, ...]] = (
    Drug("potassium chloride", ("20 meq", "40 meq", "10 meq"), ("po", "iv"), 22),
    Drug("acetaminophen", ("650 mg", "1000 mg", "500 mg"), ("po",), 18),
    Drug("furosemide", ("40 mg", "20 mg", "80 mg"), ("iv", "po"), 14),
    Drug("sodium chloride 0.9% 1,000 ml bag", ("1000 ml",), ("iv",), 14),
    Drug("lorazepam", ("1 mg", "2 mg", "0.5 mg"), ("iv", "po"), 12),
    Drug("ondansetron", ("4 mg",), ("iv", "po"), 12),
    Drug("morphine", ("2 mg", "4 mg"), ("iv",), 11),
    Drug("pantoprazole", ("40 mg",), ("iv", "po"), 11),
    Drug("fentanyl", ("25 mcg", "50 mcg", "100 mcg"), ("iv",), 10),
    Drug("insulin aspart", ("2 units", "4 units", "6 units"), ("subq",), 10),
    Drug("heparin", ("5000 units",), ("subq",), 10),
    Drug("dextrose 50%", ("25 g", "12.5 g"), ("iv",), 8),
    Drug("magnesium sulfate", ("2 g", "1 g"), ("iv",), 8),
    Drug("acetaminophen 325 mg po tabs", ("650 mg", "325 mg"), ("po",), 8),
    Drug("lasix", ("40 mg", "20 mg"), ("iv",), 7),
    Drug("zofran", ("4 mg",), ("iv",), 7),
    Drug("tylenol", ("650 mg",), ("po",), 7),
    Drug("enoxaparin", ("40 mg", "30 mg"), ("subq",), 7),
    Drug("metoprolol tartrate", ("25 mg", "12.5 mg", "5 mg"), ("po", "iv"), 7),
    Drug("vancomycin", ("1 g", "1250 mg", "1.5 g"), ("iv",), 7),
    Drug("piperacillin-tazobactam", ("3.375 g", "4.5 g"), ("iv",), 6),
    Drug("aspirin", ("81 mg", "325 mg"), ("po",), 6),
    Drug("atorvastatin", ("40 mg", "80 mg", "20 mg"), ("po",), 6),
    Drug("propofol", ("10 mg/ml",), ("iv",), 5),
    Drug("norepinephrine", ("4 mg/250 ml",), ("iv",), 5),
    Drug("docusate sodium", ("100 mg",), ("po",), 5),
    Drug("senna", ("8.6 mg", "17.2 mg"), ("po",), 5),
    Drug("albuterol-ipratropium", ("3 ml",), ("inhalation",), 5),
    Drug("hydromorphone", ("0.5 mg", "1 mg"), ("iv",), 5),
    Drug("haloperidol", ("2 mg", "5 mg"), ("iv", "im"), 4),
    Drug("famotidine", ("20 mg",), ("iv", "po"), 4),
    Drug("levothyroxine", ("50 mcg", "75 mcg", "100 mcg"), ("po",), 4),
    Drug("amiodarone", ("150 mg", "200 mg"), ("iv", "po"), 4),
    Drug("ceftriaxone", ("1 g", "2 g"), ("iv",), 4),
    Drug("cefepime", ("1 g", "2 g"), ("iv",), 3),
    Drug("metronidazole", ("500 mg",), ("iv", "po"), 3),
    Drug("levofloxacin", ("750 mg", "500 mg"), ("iv", "po"), 3),
    Drug("meropenem", ("1 g",), ("iv",), 2),
    Drug("dexmedetomidine", ("200 mcg/50 ml",), ("iv",), 3),
    Drug("midazolam", ("2 mg", "1 mg"), ("iv",), 3),
    Drug("insulin glargine", ("10 units", "20 units"), ("subq",), 3),
    Drug("lisinopril", ("10 mg", "5 mg"), ("po",), 3),
    Drug("amlodipine", ("5 mg", "10 mg"), ("po",), 3),
    Drug("carvedilol", ("6.25 mg", "12.5 mg"), ("po",), 2),
    Drug("hydralazine", ("10 mg", "20 mg"), ("iv",), 3),
    Drug("labetalol", ("10 mg", "20 mg"), ("iv",), 2),
    Drug("diltiazem", ("10 mg", "30 mg"), ("iv", "po"), 2),
    Drug("prednisone", ("40 mg", "20 mg"), ("po",), 2),
    Drug("methylprednisolone", ("40 mg", "125 mg"), ("iv",), 2),
    Drug("hydrocortisone", ("50 mg", "100 mg"), ("iv",), 2),
    Drug("warfarin", ("5 mg", "2.5 mg"), ("po",), 2),
    Drug("clopidogrel", ("75 mg",), ("po",), 2),
    Drug("phenylephrine", ("10 mg/250 ml",), ("iv",), 2),
    Drug("vasopressin", ("20 units/100 ml",), ("iv",), 2),
    Drug("sodium bicarbonate", ("50 meq",), ("iv",), 2),
    Drug("calcium gluconate", ("1 g", "2 g"), ("iv",), 2),
    Drug("lactated ringers", ("1000 ml",), ("iv",), 3),
    Drug("quetiapine", ("25 mg", "50 mg"), ("po",), 2),
    Drug("gabapentin", ("300 mg",), ("po",), 2),
    Drug("oxycodone", ("5 mg", "10 mg"), ("po",), 3),
    Drug("tramadol", ("50 mg",), ("po",), 1),
    Drug("nicotine", ("21 mg/24 hr", "14 mg/24 hr"), ("transdermal",), 1),
    Drug("thiamine", ("100 mg",), ("po", "iv"), 2),
    Drug("folic acid", ("1 mg",), ("po",), 2),
    Drug("multivitamin", ("1 tab",), ("po",), 2),
    Drug("fluconazole", ("200 mg", "400 mg"), ("iv", "po"), 1),
    Drug("acyclovir", ("500 mg",), ("iv",), 1),
    Drug("digoxin", ("0.125 mg", "0.25 mg"), ("po", "iv"), 1),
    Drug("phenytoin", ("100 mg",), ("po", "iv"), 1),
    Drug("levetiracetam", ("500 mg", "1000 mg"), ("iv", "po"), 2),
    Drug("albumin human 25%", ("12.5 g", "25 g"), ("iv",), 1),
    Drug("glucagon", ("1 mg",), ("im",), 1),
    Drug("naloxone", ("0.4 mg",), ("iv",), 1),
    Drug("sodium chloride 0.9% flush", ("10 ml",), ("iv",), 3),
)
"""Drugs with their usual dosages and routes; weights favour the everyday orders."""


class IoCell(NamedTuple):
    """One intake/output flowsheet cell: where it sits, its label and volume (mL)."""

    cellpath: str
    celllabel: str
    mean: float
    sd: float
    weight: float


ALLERGIES: Final[tuple[tuple[str, str | None, float], ...]] = (
    ("penicillins", None, 12),
    ("penicillin", "penicillin", 8),
    ("sulfa (sulfonamide antibiotics)", None, 7),
    ("codeine", "codeine phosphate", 6),
    ("morphine", "morphine sulfate", 5),
    ("aspirin", "aspirin", 4),
    ("iodine", None, 4),
    ("latex", None, 4),
    ("levofloxacin", "levaquin", 3),
    ("lisinopril", "lisinopril", 3),
    ("erythromycin", "erythromycin", 3),
    ("bactrim", "sulfamethoxazole-trimethoprim", 3),
    ("shellfish", None, 2),
    ("contrast media", None, 2),
    ("vancomycin", "vancomycin", 2),
    ("ciprofloxacin", "cipro", 2),
    ("hydrocodone", "norco", 2),
    ("tramadol", "ultram", 1),
    ("amoxicillin", "amoxicillin", 2),
    ("cephalexin", "keflex", 1),
    ("ibuprofen", "motrin", 1),
    ("haloperidol", "haldol", 1),
    ("heparin", "heparin", 1),
    ("peanuts", None, 1),
    ("eggs", None, 1),
)
"""(allergy name, drug name or ``None`` for non-drug allergies, weight)."""

_IO = "flowsheet|flowsheet cell labels|i&o"

INTAKE_OUTPUT: Final[tuple[IoCell, ...]] = (
    IoCell(f"{_IO}|output (ml)|urine", "urine", 240, 130, 40),
    IoCell(f"{_IO}|output (ml)|urine catheter", "urine catheter", 200, 110, 8),
    IoCell(f"{_IO}|output (ml)|stool", "stool", 180, 120, 4),
    IoCell(f"{_IO}|output (ml)|gastric (ng)", "gastric (ng)", 150, 90, 2),
    IoCell(f"{_IO}|output (ml)|chest tube", "chest tube", 120, 80, 2),
    IoCell(f"{_IO}|output (ml)|emesis", "emesis", 160, 100, 1),
    IoCell(f"{_IO}|intake (ml)|generic intake (ml)|p.o.", "p.o.", 260, 140, 10),
    IoCell(
        f"{_IO}|intake (ml)|crystalloids (ml)|continuous infusion meds",
        "continuous infusion meds",
        90,
        60,
        9,
    ),
    IoCell(f"{_IO}|intake (ml)|generic intake (ml)|ns ivf", "ns ivf", 500, 250, 8),
    IoCell(f"{_IO}|intake (ml)|crystalloids (ml)|ns", "ns", 450, 250, 7),
    IoCell(f"{_IO}|intake (ml)|generic intake (ml)|ivpb", "ivpb", 100, 50, 6),
    IoCell(f"{_IO}|intake (ml)|crystalloids (ml)|other meds", "other meds", 60, 40, 3),
    IoCell(
        f"{_IO}|intake (ml)|nutrition (ml)|enteral formula volume/bolus amt (ml)",
        "enteral formula volume/bolus amt (ml)",
        300,
        120,
        3,
    ),
    IoCell(f"{_IO}|intake (ml)|generic intake (ml)|d5 1/2ns ivf", "d5 1/2ns ivf", 400, 200, 2),
    IoCell(f"{_IO}|intake (ml)|blood products (ml)|prbcs", "prbcs", 300, 40, 1),
    IoCell(f"{_IO}|intake (ml)|nutrition (ml)|tpn", "tpn", 700, 250, 1),
    IoCell(f"{_IO}|intake (ml)|sedation (ml)|propofol", "propofol", 40, 25, 1),
    IoCell(
        f"{_IO}|intake (ml)|generic intake (ml)|lactated ringers", "lactated ringers", 500, 250, 2
    ),
)
"""Flowsheet cells: outputs first, then intakes; volumes are normal, clipped above 0."""

CULTURE_SITES: Final[tuple[Weighted, ...]] = (
    Weighted("sputum, tracheal specimen", 9),
    Weighted("blood, venipuncture", 7),
    Weighted("urine, catheter specimen", 5),
    Weighted("nasopharynx", 4),
    Weighted("urine, voided specimen", 3),
    Weighted("skin", 2),
    Weighted("sputum, expectorated", 2),
    Weighted("blood, central line", 2),
    Weighted("wound, decubitus", 1),
    Weighted("pleural fluid", 1),
    Weighted("bronchial lavage", 1),
    Weighted("cerebrospinal fluid", 1),
)

ORGANISMS: Final[tuple[Weighted, ...]] = (
    Weighted("no growth", 11),
    Weighted("staphylococcus aureus", 4),
    Weighted("pseudomonas aeruginosa", 3),
    Weighted("escherichia coli", 3),
    Weighted("gram negative rods", 2),
    Weighted("klebsiella pneumoniae", 2),
    Weighted("yeast", 1),
    Weighted("gram positive cocci", 1),
    Weighted("mixed flora", 1),
    Weighted("enterococcus faecalis", 1),
    Weighted("candida albicans", 1),
    Weighted("streptococcus pneumoniae", 1),
    Weighted("acinetobacter baumannii", 1),
    Weighted("proteus mirabilis", 1),
    Weighted("enterobacter cloacae", 1),
)
