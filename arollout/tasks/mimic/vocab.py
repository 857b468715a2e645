"""Code lists of the synthetic MIMIC-III generator (no download needed).

The codes and labels look like MIMIC-III's: ICD-9-CM diagnosis and procedure
codes with MIMIC-style short titles and their long titles (ICD-9-CM is public,
CDC/NCHS), MIMIC lab and chart ``itemid`` numbers with their labels, common
inpatient drugs with usual units and routes. The lists, weights and value
distributions were written for this generator; the rows it produces are
synthetic and describe no one. Values are stored lower-cased by the writer
(EHRSQL's convention). No title contains a comma, so comma-separated answers
stay unambiguous.
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = (
    "ADMISSION_LOCATIONS",
    "ADMISSION_TYPES",
    "CAREUNITS",
    "DIAGNOSES",
    "DISCHARGE_LOCATIONS",
    "DRUGS",
    "ETHNICITIES",
    "INPUTS",
    "INSURANCES",
    "LABS",
    "LANGUAGES",
    "MARITAL",
    "MICRO",
    "OUTPUTS",
    "PROCEDURES",
    "VITALS",
    "Code",
    "Drug",
    "Fluid",
    "Measure",
    "Specimen",
)


class Code(NamedTuple):
    code: str
    short_title: str
    long_title: str
    weight: float  # relative frequency per admission


class Measure(NamedTuple):
    itemid: int
    label: str
    unit: str
    mean: float
    sd: float
    low: float  # values are clipped to [low, high]
    high: float
    decimals: int
    weight: float  # probability that an admission (lab) or ICU stay (vital) has it


class Drug(NamedTuple):
    name: str
    doses: tuple[str, ...]
    unit: str
    routes: tuple[str, ...]
    weight: float


class Fluid(NamedTuple):
    itemid: int
    label: str
    mean: float  # ml per charted event
    sd: float
    weight: float  # probability that an ICU stay has it


class Specimen(NamedTuple):
    name: str
    organisms: tuple[str, ...]  # what grows when something grows
    weight: float


DIAGNOSES: Final[tuple[Code, ...]] = (
    Code("4019", "Hypertension NOS", "Unspecified essential hypertension", 30.0),
    Code("4280", "CHF NOS", "Congestive heart failure unspecified", 16.0),
    Code("42731", "Atrial fibrillation", "Atrial fibrillation", 15.0),
    Code(
        "41401",
        "Crnry athrscl natve vssl",
        "Coronary atherosclerosis of native coronary artery",
        13.0,
    ),
    Code("5849", "Acute kidney failure NOS", "Acute kidney failure unspecified", 12.0),
    Code(
        "25000",
        "DMII wo cmp nt st uncntr",
        "Diabetes mellitus without mention of complication type II or unspecified type not stated as uncontrolled",
        12.0,
    ),
    Code("2724", "Hyperlipidemia NEC/NOS", "Other and unspecified hyperlipidemia", 11.0),
    Code("51881", "Acute respiratry failure", "Acute respiratory failure", 9.0),
    Code("5990", "Urin tract infection NOS", "Urinary tract infection site not specified", 9.0),
    Code("53081", "Esophageal reflux", "Esophageal reflux", 8.0),
    Code("2720", "Pure hypercholesterolem", "Pure hypercholesterolemia", 7.0),
    Code("2859", "Anemia NOS", "Anemia unspecified", 6.0),
    Code("486", "Pneumonia organism NOS", "Pneumonia organism unspecified", 6.0),
    Code("2449", "Hypothyroidism NOS", "Unspecified acquired hypothyroidism", 5.5),
    Code("0389", "Septicemia NOS", "Unspecified septicemia", 5.0),
    Code("99592", "Severe sepsis", "Severe sepsis", 4.5),
    Code(
        "496", "Chr airway obstruct NEC", "Chronic airway obstruction not elsewhere classified", 4.5
    ),
    Code("5859", "Chronic kidney dis NOS", "Chronic kidney disease unspecified", 4.0),
    Code("2762", "Acidosis", "Acidosis", 4.0),
    Code("2761", "Hyposmolality", "Hyposmolality and/or hyponatremia", 3.5),
    Code("3051", "Tobacco use disorder", "Tobacco use disorder", 3.5),
    Code("V5861", "Long-term use anticoagul", "Long-term (current) use of anticoagulants", 3.5),
    Code("311", "Depressive disorder NEC", "Depressive disorder not elsewhere classified", 3.0),
    Code("2851", "Ac posthemorrhag anemia", "Acute posthemorrhagic anemia", 3.0),
    Code(
        "40390",
        "Hy kid NOS w cr kid I-IV",
        "Hypertensive chronic kidney disease unspecified with chronic kidney disease stage I through stage IV or unspecified",
        3.0,
    ),
    Code("32723", "Obstructive sleep apnea", "Obstructive sleep apnea (adult) (pediatric)", 2.5),
    Code("4241", "Aortic valve disorder", "Aortic valve disorders", 2.5),
    Code("V4581", "Aortocoronary bypass", "Aortocoronary bypass status", 2.5),
    Code("2875", "Thrombocytopenia NOS", "Thrombocytopenia unspecified", 2.5),
    Code("412", "Old myocardial infarct", "Old myocardial infarction", 2.5),
    Code(
        "41071", "Subendo infarct initial", "Subendocardial infarction initial episode of care", 2.0
    ),
    Code("2767", "Hyperpotassemia", "Hyperpotassemia", 2.0),
    Code("78552", "Septic shock", "Septic shock", 2.0),
    Code("V1582", "History of tobacco use", "Personal history of tobacco use", 2.0),
    Code("27800", "Obesity NOS", "Obesity unspecified", 2.0),
    Code("4168", "Chr pulmon heart dis NEC", "Other chronic pulmonary heart diseases", 1.5),
    Code("5070", "Food/vomit pneumonitis", "Pneumonitis due to inhalation of food or vomitus", 1.5),
    Code("2930", "Delirium d/t other cond", "Delirium due to conditions classified elsewhere", 1.5),
    Code(
        "43491",
        "Crbl art ocl NOS w infrc",
        "Cerebral artery occlusion unspecified with cerebral infarction",
        1.5,
    ),
    Code("5712", "Alcohol cirrhosis liver", "Alcoholic cirrhosis of liver", 1.2),
    Code("2639", "Protein-cal malnutr NOS", "Unspecified protein-calorie malnutrition", 1.2),
    Code("4589", "Hypotension NOS", "Hypotension unspecified", 1.2),
    Code("7907", "Bacteremia", "Bacteremia", 1.0),
    Code(
        "56210",
        "Dvrtclo colon w/o hmrhg",
        "Diverticulosis of colon (without mention of hemorrhage)",
        1.0,
    ),
    Code("28529", "Anemia-other chronic dis", "Anemia in other chronic diseases", 1.0),
    Code("7994", "Cachexia", "Cachexia", 0.8),
    Code("29181", "Alcohol withdrawal", "Alcohol withdrawal", 0.8),
    Code(
        "5789", "Gastrointest hemorr NOS", "Hemorrhage of gastrointestinal tract unspecified", 0.8
    ),
    Code("4275", "Cardiac arrest", "Cardiac arrest", 0.6),
    Code("73300", "Osteoporosis NOS", "Osteoporosis unspecified", 0.6),
)

PROCEDURES: Final[tuple[Code, ...]] = (
    Code("3893", "Venous cath NEC", "Venous catheterization not elsewhere classified", 14.0),
    Code("9604", "Insert endotracheal tube", "Insertion of endotracheal tube", 8.0),
    Code(
        "9671",
        "Cont inv mec ven <96 hrs",
        "Continuous invasive mechanical ventilation for less than 96 consecutive hours",
        7.0,
    ),
    Code(
        "9672",
        "Cont inv mec ven 96+ hrs",
        "Continuous invasive mechanical ventilation for 96 consecutive hours or more",
        4.0,
    ),
    Code(
        "9915",
        "Parent infus nutrit sub",
        "Parenteral infusion of concentrated nutritional substances",
        3.0,
    ),
    Code("9904", "Packed cell transfusion", "Transfusion of packed cells", 7.0),
    Code(
        "3961",
        "Extracorporeal circulat",
        "Extracorporeal circulation auxiliary to open heart surgery",
        3.5,
    ),
    Code("3615", "1 int mam-cor art bypass", "Single internal mammary-coronary artery bypass", 2.5),
    Code("8856", "Coronar arteriogr-2 cath", "Coronary arteriography using two catheters", 3.0),
    Code("3722", "Left heart cardiac cath", "Left heart cardiac catheterization", 2.5),
    Code(
        "0066",
        "Insert drug-elut stent",
        "Percutaneous transluminal coronary angioplasty [PTCA]",
        2.0,
    ),
    Code("3995", "Hemodialysis", "Hemodialysis", 2.5),
    Code(
        "3897", "Cv cath plcmt w guidance", "Central venous catheter placement with guidance", 3.0
    ),
    Code("9390", "Non-invasive mech vent", "Non-invasive mechanical ventilation", 2.0),
    Code("4513", "Sm bowel endoscopy NEC", "Other endoscopy of small intestine", 2.0),
    Code("9907", "Serum transfusion NEC", "Transfusion of other serum", 1.5),
    Code("3324", "Closed bronchial biopsy", "Closed [endoscopic] biopsy of bronchus", 1.2),
    Code("4311", "Percu endosc gastrostomy", "Percutaneous [endoscopic] gastrostomy [PEG]", 1.5),
    Code("3491", "Thoracentesis", "Thoracentesis", 1.5),
    Code("5491", "Percu abdominal drainage", "Percutaneous abdominal drainage", 1.2),
    Code(
        "0014",
        "Inject oxazolidinone",
        "Injection or infusion of oxazolidinone class of antibiotics",
        0.8,
    ),
    Code("8872", "Dx ultrasound-heart", "Diagnostic ultrasound of heart", 2.0),
    Code("8741", "C.a.t. scan of thorax", "Computerized axial tomography of thorax", 1.5),
    Code("3404", "Insert intercostal cath", "Insertion of intercostal catheter for drainage", 1.2),
    Code(
        "9925",
        "Inject ca chemother NEC",
        "Injection or infusion of cancer chemotherapeutic substance",
        0.8,
    ),
    Code("8152", "Partial hip replacement", "Partial hip replacement", 0.7),
    Code("4701", "Lap appendectomy", "Laparoscopic appendectomy", 0.5),
    Code("5123", "Laparoscopic cholecystec", "Laparoscopic cholecystectomy", 0.8),
    Code("0040", "Proc-one vessel", "Procedure on single vessel", 1.0),
    Code("9962", "Heart countershock NEC", "Other electric countershock of heart", 0.8),
)

LABS: Final[tuple[Measure, ...]] = (
    Measure(50912, "Creatinine", "mg/dL", 1.3, 0.8, 0.3, 12.0, 1, 0.95),
    Measure(50971, "Potassium", "mEq/L", 4.2, 0.6, 2.2, 7.5, 1, 0.95),
    Measure(50983, "Sodium", "mEq/L", 138.0, 4.0, 118.0, 160.0, 0, 0.95),
    Measure(50902, "Chloride", "mEq/L", 103.0, 5.0, 80.0, 125.0, 0, 0.9),
    Measure(50882, "Bicarbonate", "mEq/L", 24.0, 4.0, 8.0, 45.0, 0, 0.9),
    Measure(51006, "Urea Nitrogen", "mg/dL", 24.0, 14.0, 3.0, 150.0, 0, 0.9),
    Measure(50931, "Glucose", "mg/dL", 130.0, 40.0, 40.0, 600.0, 0, 0.9),
    Measure(50868, "Anion Gap", "mEq/L", 14.0, 3.0, 4.0, 35.0, 0, 0.85),
    Measure(51222, "Hemoglobin", "g/dL", 10.8, 1.9, 4.5, 18.5, 1, 0.9),
    Measure(51221, "Hematocrit", "%", 32.0, 5.5, 15.0, 55.0, 1, 0.9),
    Measure(51301, "White Blood Cells", "K/uL", 9.5, 4.0, 0.5, 45.0, 1, 0.9),
    Measure(51265, "Platelet Count", "K/uL", 220.0, 90.0, 8.0, 900.0, 0, 0.9),
    Measure(50960, "Magnesium", "mg/dL", 2.0, 0.3, 0.9, 4.5, 1, 0.75),
    Measure(50893, "Calcium, Total", "mg/dL", 8.6, 0.6, 5.5, 12.5, 1, 0.7),
    Measure(50970, "Phosphate", "mg/dL", 3.6, 1.1, 0.8, 10.0, 1, 0.7),
    Measure(51237, "INR(PT)", "ratio", 1.4, 0.5, 0.8, 8.0, 1, 0.55),
    Measure(51274, "PT", "sec", 15.0, 4.0, 10.0, 60.0, 1, 0.55),
    Measure(51275, "PTT", "sec", 35.0, 10.0, 20.0, 150.0, 1, 0.5),
    Measure(50813, "Lactate", "mmol/L", 2.0, 1.1, 0.3, 15.0, 1, 0.35),
    Measure(50862, "Albumin", "g/dL", 3.2, 0.6, 1.2, 5.2, 1, 0.35),
    Measure(50885, "Bilirubin, Total", "mg/dL", 1.1, 1.0, 0.1, 25.0, 1, 0.35),
    Measure(50861, "Alanine Aminotransferase (ALT)", "IU/L", 40.0, 35.0, 5.0, 900.0, 0, 0.35),
    Measure(50878, "Asparate Aminotransferase (AST)", "IU/L", 45.0, 40.0, 5.0, 1200.0, 0, 0.35),
    Measure(50820, "pH", "units", 7.38, 0.06, 6.9, 7.65, 2, 0.3),
    Measure(50821, "pO2", "mm Hg", 110.0, 45.0, 30.0, 500.0, 0, 0.3),
    Measure(50818, "pCO2", "mm Hg", 41.0, 8.0, 18.0, 95.0, 0, 0.3),
    Measure(51144, "Bands", "%", 3.0, 3.0, 0.0, 40.0, 0, 0.15),
    Measure(50911, "CK-MB Index", "%", 2.5, 1.5, 0.2, 20.0, 1, 0.12),
)

VITALS: Final[tuple[Measure, ...]] = (
    Measure(220045, "Heart Rate", "bpm", 86.0, 16.0, 30.0, 180.0, 0, 1.0),
    Measure(220210, "Respiratory Rate", "insp/min", 19.0, 5.0, 5.0, 50.0, 0, 1.0),
    Measure(220277, "O2 saturation pulseoxymetry", "%", 96.5, 2.5, 70.0, 100.0, 0, 0.95),
    Measure(223762, "Temperature Celsius", "?C", 37.0, 0.6, 34.0, 41.0, 1, 0.8),
    Measure(220050, "Arterial Blood Pressure systolic", "mmHg", 121.0, 20.0, 60.0, 220.0, 0, 0.6),
    Measure(220051, "Arterial Blood Pressure diastolic", "mmHg", 60.0, 12.0, 25.0, 130.0, 0, 0.6),
    Measure(220052, "Arterial Blood Pressure mean", "mmHg", 79.0, 13.0, 35.0, 150.0, 0, 0.6),
    Measure(226512, "Admission Weight (Kg)", "kg", 80.0, 18.0, 35.0, 200.0, 1, 0.5),
)

INPUTS: Final[tuple[Fluid, ...]] = (
    Fluid(225158, "NaCl 0.9%", 250.0, 200.0, 0.8),
    Fluid(220949, "Dextrose 5%", 100.0, 80.0, 0.5),
    Fluid(225799, "Gastric Meds", 60.0, 40.0, 0.4),
    Fluid(225828, "LR", 500.0, 300.0, 0.35),
    Fluid(225944, "Sterile Water", 80.0, 60.0, 0.3),
    Fluid(220862, "Albumin 25%", 100.0, 30.0, 0.15),
    Fluid(225168, "Packed Red Blood Cells", 300.0, 40.0, 0.2),
    Fluid(220970, "Fresh Frozen Plasma", 250.0, 40.0, 0.1),
    Fluid(226452, "PO Intake", 200.0, 120.0, 0.45),
    Fluid(225823, "D5 1/2NS", 120.0, 60.0, 0.2),
    Fluid(221906, "Norepinephrine", 20.0, 12.0, 0.25),
    Fluid(222168, "Propofol", 30.0, 15.0, 0.25),
)

OUTPUTS: Final[tuple[Fluid, ...]] = (
    Fluid(226559, "Foley", 120.0, 70.0, 0.9),
    Fluid(226560, "Void", 250.0, 120.0, 0.35),
    Fluid(226588, "Chest Tube #1", 60.0, 40.0, 0.2),
    Fluid(226576, "Gastric Gastric Tube", 80.0, 60.0, 0.2),
    Fluid(227510, "TF Residual", 40.0, 30.0, 0.15),
    Fluid(226571, "Emesis", 100.0, 60.0, 0.1),
    Fluid(226580, "Fecal Bag", 150.0, 90.0, 0.1),
    Fluid(226627, "OR Urine", 400.0, 200.0, 0.1),
)

DRUGS: Final[tuple[Drug, ...]] = (
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
    Drug("Bisacodyl", ("10",), "mg", ("PO", "PR"), 4.0),
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
    Drug("Famotidine", ("20",), "mg", ("PO", "IV"), 1.5),
    Drug("Enoxaparin Sodium", ("40", "80"), "mg", ("SC",), 1.5),
    Drug("Calcium Gluconate", ("1", "2"), "gm", ("IV",), 1.5),
    Drug("Dextrose 50%", ("12.5", "25"), "gm", ("IV",), 1.2),
    Drug("Metronidazole", ("500",), "mg", ("IV", "PO"), 1.2),
    Drug("Cefazolin", ("1", "2"), "g", ("IV",), 1.2),
    Drug("Prednisone", ("5", "10", "40"), "mg", ("PO",), 1.0),
    Drug("Haloperidol", ("0.5", "1", "2"), "mg", ("IV", "PO"), 0.8),
    Drug("Fentanyl Citrate", ("25", "50"), "mcg", ("IV",), 1.0),
    Drug("Propofol", ("100",), "mg", ("IV DRIP",), 1.0),
    Drug("Norepinephrine", ("4",), "mg", ("IV DRIP",), 0.9),
    Drug("Diltiazem", ("30", "60"), "mg", ("PO",), 0.8),
    Drug("Tamsulosin", ("0.4",), "mg", ("PO",), 0.8),
)

MICRO: Final[tuple[Specimen, ...]] = (
    Specimen(
        "BLOOD CULTURE",
        ("STAPHYLOCOCCUS, COAGULASE NEGATIVE", "ESCHERICHIA COLI", "STAPH AUREUS COAG +"),
        10.0,
    ),
    Specimen(
        "URINE",
        ("ESCHERICHIA COLI", "KLEBSIELLA PNEUMONIAE", "ENTEROCOCCUS SP.", "PROTEUS MIRABILIS"),
        9.0,
    ),
    Specimen("SPUTUM", ("STAPH AUREUS COAG +", "PSEUDOMONAS AERUGINOSA", "YEAST"), 5.0),
    Specimen("MRSA SCREEN", ("STAPH AUREUS COAG +",), 4.0),
    Specimen("SWAB", ("STAPH AUREUS COAG +", "ENTEROCOCCUS SP."), 2.0),
    Specimen("STOOL", ("CLOSTRIDIUM DIFFICILE",), 2.5),
    Specimen("CATHETER TIP-IV", ("STAPHYLOCOCCUS, COAGULASE NEGATIVE",), 1.0),
    Specimen("BRONCHOALVEOLAR LAVAGE", ("PSEUDOMONAS AERUGINOSA", "YEAST"), 1.0),
    Specimen("PLEURAL FLUID", ("STAPH AUREUS COAG +",), 0.6),
)

CAREUNITS: Final = (("MICU", 0.35), ("SICU", 0.15), ("CCU", 0.15), ("CSRU", 0.17), ("TSICU", 0.18))
ADMISSION_TYPES: Final = (("EMERGENCY", 0.72), ("ELECTIVE", 0.16), ("URGENT", 0.12))
ADMISSION_LOCATIONS: Final = (
    ("EMERGENCY ROOM ADMIT", 0.42),
    ("PHYS REFERRAL/NORMAL DELI", 0.22),
    ("CLINIC REFERRAL/PREMATURE", 0.14),
    ("TRANSFER FROM HOSP/EXTRAM", 0.17),
    ("TRANSFER FROM SKILLED NUR", 0.05),
)
DISCHARGE_LOCATIONS: Final = (
    ("HOME", 0.3),
    ("HOME HEALTH CARE", 0.22),
    ("SNF", 0.2),
    ("REHAB/DISTINCT PART HOSP", 0.1),
    ("DEAD/EXPIRED", 0.1),
    ("LONG TERM CARE HOSPITAL", 0.05),
    ("HOSPICE-HOME", 0.03),
)
INSURANCES: Final = (
    ("Medicare", 0.5),
    ("Private", 0.3),
    ("Medicaid", 0.11),
    ("Government", 0.05),
    ("Self Pay", 0.04),
)
LANGUAGES: Final = (("ENGL", 0.8), ("SPAN", 0.08), ("RUSS", 0.04), ("PTUN", 0.03), ("CANT", 0.03))
MARITAL: Final = (
    ("MARRIED", 0.46),
    ("SINGLE", 0.28),
    ("WIDOWED", 0.14),
    ("DIVORCED", 0.08),
    ("SEPARATED", 0.04),
)
ETHNICITIES: Final = (
    ("WHITE", 0.7),
    ("BLACK/AFRICAN AMERICAN", 0.1),
    ("HISPANIC OR LATINO", 0.05),
    ("ASIAN", 0.04),
    ("UNKNOWN/NOT SPECIFIED", 0.08),
    ("OTHER", 0.03),
)
