"""Code lists of the synthetic mini-EHR: diagnoses, lab items and drugs.

The codes and labels look like MIMIC-III's (ICD-9-CM diagnosis codes with
MIMIC-style short titles, MIMIC lab ``itemid`` numbers, common inpatient drugs
with their usual units and routes), but the lists, weights and value
distributions were written for this generator; the data they produce are
synthetic and describe no one. ICD-9-CM codes are public (CDC/NCHS); the
reference ranges are ordinary adult ranges from clinical laboratory practice.
No short title contains a comma, so comma-separated answers stay unambiguous.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = (
    "ADMISSION_TYPES",
    "DIAGNOSES",
    "DRUGS",
    "INSURANCES",
    "LABS",
    "Diagnosis",
    "Drug",
    "Lab",
)


class Diagnosis(NamedTuple):
    icd_code: str
    short_title: str
    weight: float  # relative frequency per admission


class Lab(NamedTuple):
    itemid: int
    label: str
    unit: str
    mean: float
    sd: float
    low: float  # physiological floor (values are clipped to [low, high])
    high: float
    decimals: int
    weight: float  # probability that an admission measures it


class Drug(NamedTuple):
    name: str
    doses: tuple[str, ...]
    unit: str
    routes: tuple[str, ...]
    weight: float


DIAGNOSES: tuple[Diagnosis, ...] = (
    Diagnosis("4019", "Hypertension NOS", 30.0),
    Diagnosis("4280", "CHF NOS", 16.0),
    Diagnosis("42731", "Atrial fibrillation", 15.0),
    Diagnosis("41401", "Crnry athrscl natve vssl", 13.0),
    Diagnosis("5849", "Acute kidney failure NOS", 12.0),
    Diagnosis("25000", "DMII wo cmp nt st uncntr", 12.0),
    Diagnosis("2724", "Hyperlipidemia NEC/NOS", 11.0),
    Diagnosis("51881", "Acute respiratry failure", 9.0),
    Diagnosis("5990", "Urin tract infection NOS", 9.0),
    Diagnosis("53081", "Esophageal reflux", 8.0),
    Diagnosis("2720", "Pure hypercholesterolem", 7.0),
    Diagnosis("V053", "Need prphyl vc vrl hepat", 6.0),
    Diagnosis("2859", "Anemia NOS", 6.0),
    Diagnosis("486", "Pneumonia organism NOS", 6.0),
    Diagnosis("2449", "Hypothyroidism NOS", 5.5),
    Diagnosis("0389", "Septicemia NOS", 5.0),
    Diagnosis("99592", "Severe sepsis", 4.5),
    Diagnosis("496", "Chr airway obstruct NEC", 4.5),
    Diagnosis("5859", "Chronic kidney dis NOS", 4.0),
    Diagnosis("2762", "Acidosis", 4.0),
    Diagnosis("2761", "Hyposmolality", 3.5),
    Diagnosis("3051", "Tobacco use disorder", 3.5),
    Diagnosis("V5861", "Long-term use anticoagul", 3.5),
    Diagnosis("311", "Depressive disorder NEC", 3.0),
    Diagnosis("2851", "Ac posthemorrhag anemia", 3.0),
    Diagnosis("40390", "Hy kid NOS w cr kid I-IV", 3.0),
    Diagnosis("32723", "Obstructive sleep apnea", 2.5),
    Diagnosis("4241", "Aortic valve disorder", 2.5),
    Diagnosis("V4581", "Aortocoronary bypass", 2.5),
    Diagnosis("2875", "Thrombocytopenia NOS", 2.5),
    Diagnosis("412", "Old myocardial infarct", 2.5),
    Diagnosis("41071", "Subendo infarct initial", 2.0),
    Diagnosis("2767", "Hyperpotassemia", 2.0),
    Diagnosis("78552", "Septic shock", 2.0),
    Diagnosis("V1582", "History of tobacco use", 2.0),
    Diagnosis("27800", "Obesity NOS", 2.0),
    Diagnosis("4168", "Chr pulmon heart dis NEC", 1.5),
    Diagnosis("5070", "Food/vomit pneumonitis", 1.5),
    Diagnosis("2930", "Delirium d/t other cond", 1.5),
    Diagnosis("43491", "Crbl art ocl NOS w infrc", 1.5),
    Diagnosis("5712", "Alcohol cirrhosis liver", 1.2),
    Diagnosis("2639", "Protein-cal malnutr NOS", 1.2),
    Diagnosis("4589", "Hypotension NOS", 1.2),
    Diagnosis("7907", "Bacteremia", 1.0),
    Diagnosis("E8798", "Abn react-procedure NEC", 1.0),
    Diagnosis("56210", "Dvrtclo colon w/o hmrhg", 1.0),
    Diagnosis("28529", "Anemia-other chronic dis", 1.0),
    Diagnosis("7994", "Cachexia", 0.8),
)

LABS: tuple[Lab, ...] = (
    Lab(50912, "Creatinine", "mg/dL", 1.3, 0.8, 0.3, 12.0, 1, 0.95),
    Lab(50971, "Potassium", "mEq/L", 4.2, 0.6, 2.2, 7.5, 1, 0.95),
    Lab(50983, "Sodium", "mEq/L", 138.0, 4.0, 118.0, 160.0, 0, 0.95),
    Lab(50902, "Chloride", "mEq/L", 103.0, 5.0, 80.0, 125.0, 0, 0.9),
    Lab(50882, "Bicarbonate", "mEq/L", 24.0, 4.0, 8.0, 45.0, 0, 0.9),
    Lab(51006, "Urea Nitrogen", "mg/dL", 24.0, 14.0, 3.0, 150.0, 0, 0.9),
    Lab(50931, "Glucose", "mg/dL", 130.0, 40.0, 40.0, 600.0, 0, 0.9),
    Lab(51222, "Hemoglobin", "g/dL", 10.8, 1.9, 4.5, 18.5, 1, 0.9),
    Lab(51301, "White Blood Cells", "K/uL", 9.5, 4.0, 0.5, 45.0, 1, 0.9),
    Lab(51265, "Platelet Count", "K/uL", 220.0, 90.0, 8.0, 900.0, 0, 0.9),
    Lab(50960, "Magnesium", "mg/dL", 2.0, 0.3, 0.9, 4.5, 1, 0.75),
    Lab(50893, "Calcium, Total", "mg/dL", 8.6, 0.6, 5.5, 12.5, 1, 0.7),
    Lab(51237, "INR(PT)", "ratio", 1.4, 0.5, 0.8, 8.0, 1, 0.55),
    Lab(50813, "Lactate", "mmol/L", 2.0, 1.1, 0.3, 15.0, 1, 0.35),
    Lab(50862, "Albumin", "g/dL", 3.2, 0.6, 1.2, 5.2, 1, 0.35),
    Lab(50885, "Bilirubin, Total", "mg/dL", 1.1, 1.0, 0.1, 25.0, 1, 0.35),
)

DRUGS: tuple[Drug, ...] = (
    Drug("Sodium Chloride 0.9%  Flush", ("3", "10"), "mL", ("IV",), 12.0),
    Drug("Heparin", ("5000",), "UNIT", ("SC",), 9.0),
    Drug("Potassium Chloride", ("20", "40"), "mEq", ("PO", "IV"), 8.0),
    Drug("Acetaminophen", ("325", "650", "1000"), "mg", ("PO",), 8.0),
    Drug("Docusate Sodium", ("100",), "mg", ("PO",), 7.0),
    Drug("Insulin", ("2", "4", "6", "10"), "UNIT", ("SC",), 7.0),
    Drug("Metoprolol Tartrate", ("12.5", "25", "50"), "mg", ("PO",), 6.5),
    Drug("Furosemide", ("20", "40", "80"), "mg", ("IV", "PO"), 6.0),
    Drug("Magnesium Sulfate", ("2",), "gm", ("IV",), 5.5),
    Drug("Pantoprazole", ("40",), "mg", ("PO", "IV"), 5.5),
    Drug("Senna", ("8.6", "17.2"), "mg", ("PO",), 5.0),
    Drug("Aspirin", ("81", "325"), "mg", ("PO",), 5.0),
    Drug("Ondansetron", ("4",), "mg", ("IV",), 4.5),
    Drug("Atorvastatin", ("10", "40", "80"), "mg", ("PO",), 4.0),
    Drug("Lorazepam", ("0.5", "1"), "mg", ("IV", "PO"), 3.0),
    Drug("Morphine Sulfate", ("2", "4"), "mg", ("IV",), 3.0),
    Drug("Vancomycin", ("1000", "1250"), "mg", ("IV",), 3.0),
    Drug("Piperacillin-Tazobactam", ("4.5",), "g", ("IV",), 2.5),
    Drug("Warfarin", ("1", "2.5", "5"), "mg", ("PO",), 2.5),
    Drug("Lisinopril", ("5", "10", "20"), "mg", ("PO",), 2.5),
    Drug("Albuterol 0.083% Neb Soln", ("1",), "NEB", ("IH",), 2.5),
    Drug("Levothyroxine Sodium", ("50", "75", "100"), "mcg", ("PO",), 2.0),
    Drug("Amiodarone", ("200", "400"), "mg", ("PO",), 1.5),
    Drug("Ceftriaxone", ("1",), "gm", ("IV",), 1.5),
    Drug("Hydralazine", ("10", "25"), "mg", ("IV", "PO"), 1.2),
    Drug("Oxycodone (Immediate Release)", ("5", "10"), "mg", ("PO",), 1.2),
)

ADMISSION_TYPES: tuple[tuple[str, float], ...] = (
    ("EMERGENCY", 0.62),
    ("ELECTIVE", 0.24),
    ("URGENT", 0.14),
)

INSURANCES: tuple[tuple[str, float], ...] = (
    ("Medicare", 0.48),
    ("Private", 0.3),
    ("Medicaid", 0.12),
    ("Government", 0.06),
    ("Self Pay", 0.04),
)
