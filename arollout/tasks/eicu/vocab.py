"""Diagnoses, treatments and demographics the synthetic eICU generator draws from.

The strings imitate the shape of eICU-CRD values (Pollard et al., Sci Data
5:180178, 2018; https://eicu-crd.mit.edu/eicutables/): diagnoses and
treatments are ``|``-separated category paths, from which the EHRSQL
conversion (glee4810/EHRSQL ``preprocess/preprocess_db_eicu.py``) derives a
short name (the bedside-chart terms are in :mod:`~arollout.tasks.eicu.charts`).
They are short lists of common ICU terms written for arollout, with ICD-9 and
ICD-10 codes from the public classifications, not extracts of the database. Each entry has a weight:
a few terms are frequent and most are rare, as in real charts, which is what
makes "how many patients had X" and "top three" questions answerable by
counting rather than by guessing.
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = (
    "ADMIT_SOURCES",
    "DIAGNOSES",
    "DISCHARGE_STATUSES",
    "ETHNICITIES",
    "TREATMENTS",
    "Diagnosis",
    "Weighted",
)


class Weighted(NamedTuple):
    """A term and how often it is drawn relative to the others."""

    term: str
    weight: float


class Diagnosis(NamedTuple):
    """A diagnosis path (``system|group|name[|detail]``) with its ICD codes."""

    path: str
    icd9code: str
    weight: float


DIAGNOSES: Final[tuple[Diagnosis, ...]] = (
    Diagnosis("pulmonary|respiratory failure|acute respiratory failure", "518.81, J96.00", 30),
    Diagnosis("renal|disorder of kidney|acute renal failure", "584.9, N17.9", 22),
    Diagnosis("pulmonary|pulmonary infections|pneumonia", "486, J18.9", 21),
    Diagnosis("endocrine|glucose metabolism|diabetes mellitus", "250.00, E11.9", 20),
    Diagnosis("cardiovascular|ventricular disorders|congestive heart failure", "428.0, I50.9", 19),
    Diagnosis("cardiovascular|vascular disorders|hypertension", "401.9, I10", 18),
    Diagnosis(
        "neurologic|altered mental status / pain|change in mental status", "780.09, R41.82", 15
    ),
    Diagnosis("pulmonary|respiratory failure|hypoxemia", "799.02, J96.91", 14),
    Diagnosis("hematology|bleeding and red blood cell disorders|anemia", "285.9, D64.9", 13),
    Diagnosis("pulmonary|disorders of the airways|copd", "491.20, J44.9", 12),
    Diagnosis("cardiovascular|shock / hypotension|sepsis", "038.9, A41.9", 12),
    Diagnosis("cardiovascular|arrhythmias|atrial fibrillation", "427.31, I48.0", 12),
    Diagnosis("cardiovascular|shock / hypotension|hypotension", "458.9, I95.9", 11),
    Diagnosis("endocrine|glucose metabolism|hyperglycemia", "790.6, R73.9", 11),
    Diagnosis(
        "cardiovascular|arrhythmias|atrial fibrillation|with rapid ventricular response",
        "427.31, I48.0",
        10,
    ),
    Diagnosis("pulmonary|disorders of the airways|acute copd exacerbation", "491.21, J44.1", 9),
    Diagnosis("cardiovascular|chest pain / ashd|hyperlipidemia", "272.4, E78.5", 9),
    Diagnosis("cardiovascular|shock / hypotension|sepsis|severe", "995.92, R65.20", 8),
    Diagnosis("cardiovascular|shock / hypotension|septic shock", "785.52, R65.21", 8),
    Diagnosis("endocrine|glucose metabolism|dka", "250.13, E10.10", 7),
    Diagnosis("hematology|white blood cell disorders|leukocytosis", "288.60, D72.829", 7),
    Diagnosis("neurologic|altered mental status / pain|pain", "338.19, G89.18", 7),
    Diagnosis(
        "cardiovascular|chest pain / ashd|acute coronary syndrome|acute myocardial infarction (no st elevation)",
        "410.71, I21.4",
        7,
    ),
    Diagnosis(
        "neurologic|altered mental status / pain|drug withdrawal syndrome|alcohol",
        "291.81, F10.239",
        6,
    ),
    Diagnosis("endocrine|thyroid|hypothyroidism", "244.9, E03.9", 6),
    Diagnosis("neurologic|seizures|seizures", "780.39, R56.9", 5),
    Diagnosis("gastrointestinal|gi bleeding / pud|gi bleeding", "578.9, K92.2", 5),
    Diagnosis("renal|disorder of kidney|chronic renal insufficiency", "585.9, N18.9", 5),
    Diagnosis("cardiovascular|shock / hypotension|hypovolemia", "276.52, E86.1", 5),
    Diagnosis("neurologic|altered mental status / pain|encephalopathy", "348.30, G93.40", 5),
    Diagnosis("cardiovascular|chest pain / ashd|chest pain", "786.50, R07.9", 5),
    Diagnosis("pulmonary|pulmonary infections|pneumonia|aspiration", "507.0, J69.0", 5),
    Diagnosis("cardiovascular|chest pain / ashd|coronary artery disease", "414.00, I25.10", 5),
    Diagnosis("renal|electrolyte imbalance|hypokalemia", "276.8, E87.6", 5),
    Diagnosis("renal|disorder of kidney|esrd (end stage renal disease)", "585.6, N18.6", 4),
    Diagnosis("hematology|platelet disorders|thrombocytopenia", "287.5, D69.6", 4),
    Diagnosis("pulmonary|disorders of the airways|obstructive sleep apnea", "327.23, G47.33", 4),
    Diagnosis(
        "gastrointestinal|abdominal/ general|abdominal pain / tenderness", "789.00, R10.9", 4
    ),
    Diagnosis("pulmonary|pleural disorders|pleural effusion|right", "511.9, J91.8", 4),
    Diagnosis("gastrointestinal|malnutrition|nutritional deficiency", "269.9, E63.9", 4),
    Diagnosis("endocrine|glucose metabolism|diabetes mellitus|type ii", "250.00, E11.9", 4),
    Diagnosis("cardiovascular|ventricular disorders|cardiomyopathy", "425.4, I42.9", 4),
    Diagnosis("renal|disorder of acid base|metabolic acidosis", "276.2, E87.2", 4),
    Diagnosis("infectious diseases|systemic/other infections|fever", "780.6, R50.9", 4),
    Diagnosis("pulmonary|disorders of the airways|asthma / bronchospasm", "493.90, J45.909", 4),
    Diagnosis("neurologic|altered mental status / pain|agitation", "307.9, R45.1", 4),
    Diagnosis("gastrointestinal|gi bleeding / pud|lower gi bleeding", "578.9, K92.2", 3),
    Diagnosis("cardiovascular|arrhythmias|sinus tachycardia", "427.89, R00.0", 3),
    Diagnosis("renal|electrolyte imbalance|hyponatremia", "276.1, E87.1", 3),
    Diagnosis("renal|electrolyte imbalance|hyperkalemia", "276.7, E87.5", 3),
    Diagnosis("neurologic|disorders of vasculature|stroke", "434.91, I63.50", 3),
    Diagnosis(
        "neurologic|disorders of vasculature|intracranial hemorrhage|subarachnoid", "430, I60.9", 2
    ),
    Diagnosis("pulmonary|pulmonary embolism|pulmonary embolism", "415.19, I26.99", 2),
    Diagnosis("cardiovascular|vascular disorders|peripheral vascular disease", "443.9, I73.9", 2),
    Diagnosis("cardiovascular|arrhythmias|bradycardia", "427.89, R00.1", 2),
    Diagnosis("gastrointestinal|pancreatic disease|acute pancreatitis", "577.0, K85.9", 2),
    Diagnosis("gastrointestinal|hepatic disease|cirrhosis", "571.5, K74.60", 2),
    Diagnosis("gastrointestinal|hepatic disease|hepatic encephalopathy", "572.2, K72.90", 2),
    Diagnosis(
        "infectious diseases|genitourinary infections|urinary tract infection", "599.0, N39.0", 2
    ),
    Diagnosis("infectious diseases|skin, bone and joint infections|cellulitis", "682.9, L03.90", 2),
    Diagnosis("toxicology|drug overdose|drug overdose- general", "977.9, T50.901", 2),
    Diagnosis("toxicology|drug overdose|ethanol overdose", "980.0, T51.0X1", 1),
    Diagnosis("oncology|hematologic malignancy|leukemia", "208.90, C95.90", 1),
    Diagnosis("oncology|chest tumors|lung ca", "162.9, C34.90", 1),
    Diagnosis("burns/trauma|trauma - chest|rib fracture", "807.00, S22.39", 1),
    Diagnosis("burns/trauma|trauma - cns|traumatic brain injury", "854.00, S06.9", 1),
    Diagnosis("surgery|cardiac surgery|s/p cabg < 7 days", "v45.81, Z95.1", 1),
    Diagnosis("surgery|vascular surgery|s/p aortic repair", "v15.1, Z98.890", 1),
    Diagnosis("general|ethics|do not resuscitate", "v49.86, Z66", 1),
)
"""Diagnosis paths with codes; the name is taken from the third and fourth parts."""

TREATMENTS: Final[tuple[Weighted, ...]] = (
    Weighted("pulmonary|ventilation and oxygenation|mechanical ventilation", 30),
    Weighted("pulmonary|radiologic procedures / bronchoscopy|chest x-ray", 22),
    Weighted("cardiovascular|intravenous fluid|normal saline administration", 16),
    Weighted("gastrointestinal|medications|antiemetic|serotonin antagonist|ondansetron", 14),
    Weighted("gastrointestinal|medications|stress ulcer prophylaxis|pantoprazole", 13),
    Weighted("pulmonary|ventilation and oxygenation|oxygen therapy (< 40%)|nasal cannula", 13),
    Weighted("endocrine|glucose metabolism|insulin|sliding scale administration", 13),
    Weighted("cardiovascular|myocardial ischemia / infarction|antiplatelet agent|aspirin", 12),
    Weighted("cardiovascular|vascular disorders|vte prophylaxis|compression stockings", 12),
    Weighted("pulmonary|medications|bronchodilator", 12),
    Weighted("infectious diseases|medications|therapeutic antibacterials", 12),
    Weighted("cardiovascular|consultations|cardiology consultation", 11),
    Weighted("neurologic|pain / agitation / altered mentation|analgesics|narcotic analgesic", 11),
    Weighted("pulmonary|consultations|pulmonary/ccm consultation", 10),
    Weighted("renal|urinary catheters|foley catheter", 10),
    Weighted("pulmonary|ventilation and oxygenation|non-invasive ventilation", 9),
    Weighted("infectious diseases|medications|therapeutic antibacterials|vancomycin", 9),
    Weighted("infectious diseases|cultures / immuno-assays|cultures|blood", 8),
    Weighted("neurologic|procedures / diagnostics|head ct scan", 8),
    Weighted("gastrointestinal|medications|stress ulcer prophylaxis|famotidine", 8),
    Weighted("pulmonary|ventilation and oxygenation|oxygen therapy (40% to 60%)", 7),
    Weighted(
        "cardiovascular|non-operative procedures|diagnostic ultrasound of heart|transthoracic echocardiography",
        7,
    ),
    Weighted("neurologic|pain / agitation / altered mentation|sedative agent|lorazepam", 7),
    Weighted("cardiovascular|ventricular dysfunction|intravenous diuretic|iv furosemide", 7),
    Weighted("general|support services|physical therapy consult", 6),
    Weighted("cardiovascular|arrhythmias|antiarrhythmics|class iii antiarrhythmic|amiodarone", 6),
    Weighted("cardiovascular|shock|vasopressors|norepinephrine > 0.1 micrograms/kg/min", 6),
    Weighted(
        "pulmonary|medications|bronchodilator|beta-agonist|albuterol (proventil, ventolin)", 6
    ),
    Weighted("endocrine|glucose metabolism|insulin|continuous infusion", 6),
    Weighted(
        "cardiovascular|vascular disorders|vte prophylaxis|low molecular weight heparin|enoxaparin",
        6,
    ),
    Weighted(
        "infectious diseases|medications|therapeutic antibacterials|penicillins|piperacillin/tazobactam",
        5,
    ),
    Weighted("renal|electrolyte correction|electrolyte administration|potassium", 5),
    Weighted("neurologic|consultations|neurology consultation", 5),
    Weighted("infectious diseases|consultations|infectious disease consultation", 5),
    Weighted("infectious diseases|cultures / immuno-assays|cultures|urine", 5),
    Weighted("cardiovascular|vascular disorders|vte prophylaxis|conventional heparin therapy", 5),
    Weighted("pulmonary|ventilation and oxygenation|ventilator weaning", 4),
    Weighted("general|support services|occupational therapy consult", 4),
    Weighted("renal|electrolyte correction|electrolyte administration|magnesium", 4),
    Weighted("cardiovascular|shock|vasopressors|phenylephrine (neosynephrine)", 3),
    Weighted("cardiovascular|shock|vasopressors|vasopressin", 3),
    Weighted("neurologic|pain / agitation / altered mentation|sedative agent|propofol", 3),
    Weighted("neurologic|pain / agitation / altered mentation|sedative agent|dexmedetomidine", 3),
    Weighted("gastrointestinal|intravenous fluids / nutrition|enteral feeds|tube feeding", 3),
    Weighted("gastrointestinal|intravenous fluids / nutrition|parenteral feeds|tpn", 2),
    Weighted(
        "hematology|red blood cell disorders|blood product administration|packed red blood cells", 3
    ),
    Weighted(
        "hematology|coagulation and platelets|blood product administration|fresh frozen plasma", 2
    ),
    Weighted("renal|dialysis|hemodialysis", 2),
    Weighted("renal|dialysis|c v v h d", 1),
    Weighted("pulmonary|ventilation and oxygenation|tracheal suctioning", 2),
    Weighted("pulmonary|surgery / incision and drainage of thorax|thoracentesis", 1),
    Weighted("cardiovascular|vascular disorders|arterial line", 3),
    Weighted("cardiovascular|vascular disorders|central venous catheter placement", 2),
    Weighted("cardiovascular|non-operative procedures|cardiac angiography", 1),
    Weighted("neurologic|procedures / diagnostics|eeg", 1),
    Weighted("endocrine|thyroid|thyroid hormone|levothyroxine", 2),
    Weighted("infectious diseases|medications|antifungal therapy|fluconazole", 1),
    Weighted("infectious diseases|medications|antiviral therapy|acyclovir", 1),
)
"""Treatment paths; like diagnoses, the name comes from the third and fourth parts."""

ETHNICITIES: Final[tuple[Weighted, ...]] = (
    Weighted("caucasian", 78),
    Weighted("african american", 10),
    Weighted("hispanic", 5),
    Weighted("other/unknown", 3),
    Weighted("asian", 2),
    Weighted("native american", 1),
)

ADMIT_SOURCES: Final[tuple[Weighted, ...]] = (
    Weighted("emergency department", 52),
    Weighted("floor", 11),
    Weighted("operating room", 9),
    Weighted("direct admit", 6),
    Weighted("recovery room", 3),
    Weighted("acute care/floor", 2),
    Weighted("step-down unit (sdu)", 1),
    Weighted("other hospital", 1),
    Weighted("pacu", 1),
)

DISCHARGE_STATUSES: Final[tuple[Weighted, ...]] = (Weighted("alive", 90), Weighted("expired", 10))
