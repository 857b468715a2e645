"""Wording of graded findings, and the distractor pools.

A graded fact (GCS responses, ascites, HEART history) maps each grade to the
sentences (or, for history grades, the noun phrases) that state it
(:data:`GRADES`). Distractors are drawn only from pools that no calculator of
the suite scores (:data:`NEUTRAL_HISTORY`, :data:`NEUTRAL_MEDS`,
:data:`SOCIAL`), so adding them never changes an answer.
"""

from __future__ import annotations

from typing import Final

__all__ = ("GRADES", "NEUTRAL_HISTORY", "NEUTRAL_MEDS", "SOCIAL")

GRADES: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "eye": {
        "spontaneous": (
            "{His} eyes are open spontaneously.",
            "{He} opens {his} eyes spontaneously.",
        ),
        "to_sound": (
            "{He} opens {his} eyes only when spoken to.",
            "{His} eyes open to verbal command.",
        ),
        "to_pain": (
            "{He} opens {his} eyes only to a painful stimulus.",
            "{His} eyes open only to sternal rub.",
        ),
        "none": ("{He} does not open {his} eyes even to pain.", "There is no eye opening."),
    },
    "verbal": {
        "oriented": ("{He} is oriented and converses normally.",),
        "confused": (
            "{He} converses but is confused.",
            "{His} speech is confused and disoriented.",
        ),
        "words": ("{He} utters inappropriate words.", "{He} says random, inappropriate words."),
        "sounds": ("{He} makes only incomprehensible sounds.", "{He} moans without words."),
        "none": ("{He} makes no verbal response.", "There is no verbal response."),
    },
    "motor": {
        "obeys": ("{He} obeys motor commands.", "{He} follows commands with all limbs."),
        "localizes": ("{He} localizes to a painful stimulus.",),
        "withdraws": ("{He} withdraws from pain.", "{He} pulls away from painful stimuli."),
        "flexion": ("{He} shows abnormal (decorticate) flexion to pain.",),
        "extension": ("{He} shows extensor (decerebrate) posturing to pain.",),
        "none": ("There is no motor response to pain.", "{He} is flaccid with no motor response."),
    },
    "ascites": {
        "absent": ("There is no ascites.", "No ascites is detected."),
        "slight": ("There is slight ascites.", "Mild ascites is seen on ultrasound."),
        "moderate": ("There is moderate ascites.", "Tense, severe ascites is present."),
    },
    "encephalopathy": {
        "none": ("There is no hepatic encephalopathy.", "{He} is alert with no asterixis."),
        "grade_1_2": (
            "{He} has grade 2 hepatic encephalopathy.",
            "{He} has mild (grade 1) encephalopathy.",
        ),
        "grade_3_4": (
            "{He} has grade 3 hepatic encephalopathy.",
            "{He} has grade 4 encephalopathy and is comatose.",
        ),
    },
    "heart_history": {
        "0": ("The history is slightly suspicious for acute coronary syndrome.",),
        "1": ("The history is moderately suspicious for acute coronary syndrome.",),
        "2": ("The history is highly suspicious for acute coronary syndrome.",),
    },
    "heart_ecg": {
        "0": ("The ECG is normal.",),
        "1": (
            "The ECG shows non-specific repolarization disturbances.",
            "The ECG shows a left bundle branch block without ST deviation.",
        ),
        "2": (
            "The ECG shows significant ST depression.",
            "The ECG shows significant ST deviation.",
        ),
    },
    "liver": {
        "none": (),
        "mild": (
            "chronic hepatitis B without portal hypertension",
            "cirrhosis without portal hypertension",
        ),
        "moderate_severe": (
            "cirrhosis with portal hypertension",
            "cirrhosis with a history of variceal bleeding",
        ),
    },
    "diabetes_grade": {
        "none": ("", "", "diet-controlled type 2 diabetes"),
        "uncomplicated": (
            "type 2 diabetes on metformin without complications",
            "type 2 diabetes treated with oral agents and no end-organ damage",
        ),
        "end_organ": ("type 2 diabetes with retinopathy", "diabetes complicated by nephropathy"),
    },
    "tumor": {
        "none": (),
        "localized": ("localized colon cancer resected 3 years ago", "early-stage breast cancer"),
        "metastatic": ("metastatic lung cancer", "prostate cancer with bone metastases"),
    },
}
"""Graded findings: grade -> sentences (or, for history grades, noun phrases); an empty
wording means the grade is left unmentioned."""

NEUTRAL_HISTORY: Final[tuple[tuple[str, bool], ...]] = (
    ("hypothyroidism", True),
    ("gout", False),
    ("osteoarthritis of the knees", False),
    ("glaucoma", False),
    ("seasonal allergies", True),
    ("migraine", True),
    ("gastroesophageal reflux disease", True),
    ("cataracts", False),
    ("eczema", True),
    ("hearing loss", False),
    ("chronic low back pain", False),
    ("vitamin D deficiency", True),
    ("insomnia", False),
    ("recurrent otitis media", True),
)
"""Conditions no calculator here scores, with whether they suit a child."""

NEUTRAL_MEDS: Final[tuple[str, ...]] = (
    "levothyroxine 75 mcg daily",
    "omeprazole 20 mg daily",
    "cetirizine 10 mg daily",
    "vitamin D3 1000 IU daily",
    "a multivitamin",
    "latanoprost eye drops",
    "allopurinol 100 mg daily",
    "acetaminophen as needed",
    "melatonin at night",
    "fluticasone nasal spray",
)
"""Medications that imply no scored condition (no aspirin, NSAIDs, insulin or hormones)."""

SOCIAL: Final[tuple[str, ...]] = (
    "{He} works as an accountant.",
    "{He} lives with {his} spouse.",
    "{He} is a retired teacher.",
    "{He} walks 30 minutes most days.",
    "{He} lives alone and is independent in daily activities.",
    "{He} recently returned from a trip to visit family.",
    "{He} works night shifts as a nurse.",
)
"""Social-history sentences that no calculator scores (no smoking or alcohol)."""
