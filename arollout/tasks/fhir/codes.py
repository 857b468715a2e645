"""Code systems, codes and the fixed clock shared by the generator, server and tasks.

Every clinical code the suite uses is listed here once, so the generator,
the questions and the graders cannot drift apart. The codes are public
identifiers: LOINC (https://loinc.org) for labs and vital signs, RxNorm
ingredient concepts (https://www.nlm.nih.gov/research/umls/rxnorm) for
medications, ICD-10-CM (https://www.cms.gov/medicare/coding-billing/icd-10-codes)
for problems and SNOMED CT (https://www.snomed.org) for procedures and
referrals. The orthopedic referral code and the fixed "now" follow
MedAgentBench (stanfordmlgroup/MedAgentBench, MIT), whose task types this
suite re-templates.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, NamedTuple

__all__ = (
    "BP_DIASTOLIC",
    "BP_PANEL",
    "BP_SYSTOLIC",
    "CONDITIONS",
    "CONDITION_CLINICAL",
    "FHIR_BASE",
    "ICD10",
    "LABS",
    "LOCAL",
    "LOINC",
    "MAGNESIUM_SULFATE",
    "MEDICATIONS",
    "MRN_SYSTEM",
    "NOW",
    "NOW_TEXT",
    "OBSERVATION_CATEGORY",
    "POTASSIUM_CHLORIDE",
    "PROCEDURES",
    "REFERRALS",
    "RXNORM",
    "SNOMED",
    "Code",
    "Lab",
    "lab",
)

LOINC: Final = "http://loinc.org"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED: Final = "http://snomed.info/sct"
ICD10: Final = "http://hl7.org/fhir/sid/icd-10-cm"
LOCAL: Final = "urn:arollout:fhir:code"
"""Short local aliases (``MG``, ``K``, ...) carried as a second coding, the
flowsheet-style codes MedAgentBench's Epic-like server searches by."""
MRN_SYSTEM: Final = "urn:arollout:fhir:mrn"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/condition-clinical"

FHIR_BASE: Final = "http://fhir.local/fhir"
"""The base URL the sandboxed client speaks (routed over a Unix socket)."""

NOW: Final = dt.datetime(2023, 11, 13, 10, 15, tzinfo=dt.UTC)
"""The fixed "now" of every task (MedAgentBench's); never the machine's clock."""
NOW_TEXT: Final = "2023-11-13T10:15:00+00:00"


class Code(NamedTuple):
    """One coded concept."""

    system: str
    code: str
    display: str


class Lab(NamedTuple):
    """A laboratory test: its LOINC code, local alias, unit and words for questions."""

    alias: str
    loinc: str
    display: str
    unit: str
    name: str
    decimals: int


LABS: Final[tuple[Lab, ...]] = (
    Lab(
        "MG", "2601-3", "Magnesium [Mass/volume] in Serum or Plasma", "mg/dL", "serum magnesium", 1
    ),
    Lab(
        "K", "2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", "serum potassium", 1
    ),
    Lab("GLU", "2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", "serum glucose", 0),
    Lab("A1C", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", "hemoglobin A1c", 1),
)


def lab(alias: str) -> Lab:
    """The lab with local alias ``alias``."""
    return next(item for item in LABS if item.alias == alias)


BP_PANEL: Final = Code(LOINC, "85354-9", "Blood pressure panel with all children optional")
BP_SYSTOLIC: Final = Code(LOINC, "8480-6", "Systolic blood pressure")
BP_DIASTOLIC: Final = Code(LOINC, "8462-4", "Diastolic blood pressure")

#: (RxNorm ingredient code, name); prescriptions name the ingredient only.
MEDICATIONS: Final[tuple[tuple[str, str], ...]] = (
    ("29046", "lisinopril"),
    ("6809", "metformin"),
    ("83367", "atorvastatin"),
    ("17767", "amlodipine"),
    ("6918", "metoprolol"),
    ("4603", "furosemide"),
    ("274783", "insulin glargine"),
    ("10582", "levothyroxine"),
    ("7646", "omeprazole"),
    ("11289", "warfarin"),
    ("1191", "aspirin"),
    ("36567", "simvastatin"),
    ("36437", "sertraline"),
    ("25480", "gabapentin"),
    ("5487", "hydrochlorothiazide"),
    ("52175", "losartan"),
    ("435", "albuterol"),
    ("8640", "prednisone"),
    ("1364430", "apixaban"),
    ("40790", "pantoprazole"),
)
MAGNESIUM_SULFATE: Final = Code(RXNORM, "6585", "magnesium sulfate")
POTASSIUM_CHLORIDE: Final = Code(RXNORM, "8591", "potassium chloride")

#: (ICD-10-CM code, display, chronic): chronic problems tend to stay active.
CONDITIONS: Final[tuple[tuple[str, str, bool], ...]] = (
    ("I10", "Essential (primary) hypertension", True),
    ("E11.9", "Type 2 diabetes mellitus without complications", True),
    ("E78.5", "Hyperlipidemia, unspecified", True),
    ("J45.909", "Unspecified asthma, uncomplicated", True),
    ("N18.9", "Chronic kidney disease, unspecified", True),
    ("I48.91", "Unspecified atrial fibrillation", True),
    ("F32.9", "Major depressive disorder, single episode, unspecified", True),
    ("E03.9", "Hypothyroidism, unspecified", True),
    ("K21.9", "Gastro-esophageal reflux disease without esophagitis", True),
    ("J44.9", "Chronic obstructive pulmonary disease, unspecified", True),
    ("I50.9", "Heart failure, unspecified", True),
    ("G47.33", "Obstructive sleep apnea (adult) (pediatric)", True),
    ("E66.9", "Obesity, unspecified", True),
    ("F41.1", "Generalized anxiety disorder", True),
    ("D64.9", "Anemia, unspecified", False),
    ("N39.0", "Urinary tract infection, site not specified", False),
    ("J18.9", "Pneumonia, unspecified organism", False),
    ("E87.6", "Hypokalemia", False),
    ("E83.42", "Hypomagnesemia", False),
    ("M54.50", "Low back pain, unspecified", False),
)

PROCEDURES: Final[tuple[Code, ...]] = (
    Code(SNOMED, "73761001", "Colonoscopy"),
    Code(SNOMED, "40701008", "Echocardiography"),
    Code(SNOMED, "29303009", "Electrocardiographic procedure"),
    Code(SNOMED, "399208008", "Plain X-ray of chest"),
    Code(SNOMED, "71651007", "Mammography"),
    Code(SNOMED, "312681000", "Bone density scan"),
)

#: (SNOMED CT code, display, the specialty as a question names it).
REFERRALS: Final[tuple[tuple[Code, str], ...]] = (
    (Code(SNOMED, "306181000000106", "Referral to orthopedic service"), "orthopedic surgery"),
    (Code(SNOMED, "183519002", "Referral to cardiology service"), "cardiology"),
    (Code(SNOMED, "306185001", "Referral to cardiac surgery service"), "cardiac surgery"),
    (Code(SNOMED, "698560000", "Referral to sleep apnea clinic"), "the sleep apnea clinic"),
    (Code(SNOMED, "417511005", "Referral to home health care service"), "home health care"),
)
