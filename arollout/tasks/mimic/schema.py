"""The EHRSQL-style MIMIC-III schema every MIMIC-III database here is built to.

The 17 tables and their columns follow EHRSQL's simplified MIMIC-III schema
(``glee4810/EHRSQL``, ``dataset/ehrsql/mimic_iii/mimic_iii.sql``; CC BY 4.0),
with lower-case names, so EHRSQL-style SQL (and MedAgentGym's MIMIC-III
queries, which were written for that schema) runs unchanged on the demo-built
and the synthetic databases alike. The conventions, also EHRSQL's
(``preprocess/preprocess_db_mimic_iii.py``):

* strings are lower-cased (``'emergency'``, ``'heart rate'``);
* ``admissions.age`` is the whole years between ``dob`` and ``admittime``;
* ``diagnoses_icd.charttime`` is the admission time, ``procedures_icd.charttime``
  the discharge time (MIMIC-III records neither);
* every time lies between 2100 and :data:`~arollout.tasks.ehr.CURRENT_TIME`;
  admissions still open at that instant have a NULL ``dischtime``;
* ``chartevents`` holds vital signs only (the items of :data:`VITAL_ITEMS`);
* ``inputevents_cv`` holds the intake of both ICU systems (CareVue and
  MetaVision) in ml, under EHRSQL's table name, and its ``d_items`` rows say
  ``linksto = 'inputevents_cv'``;
* ``cost`` is invented: one row per diagnosis, procedure, lab test and
  prescription, priced per code/item/drug from a seed (see
  :func:`arollout.tasks.mimic.cost.cost_rows`), as EHRSQL does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from arollout.tasks.ehr.tables import Indexes, Schema

__all__ = ("INDEXES", "SCHEMA", "VITAL_ITEMS")

_I, _T, _R = "INTEGER", "TEXT", "REAL"

SCHEMA: Final[Schema] = {
    "patients": (("row_id", _I), ("subject_id", _I), ("gender", _T), ("dob", _T), ("dod", _T)),
    "admissions": (
        ("row_id", _I),
        ("subject_id", _I),
        ("hadm_id", _I),
        ("admittime", _T),
        ("dischtime", _T),
        ("admission_type", _T),
        ("admission_location", _T),
        ("discharge_location", _T),
        ("insurance", _T),
        ("language", _T),
        ("marital_status", _T),
        ("ethnicity", _T),
        ("age", _I),
    ),
    "d_icd_diagnoses": (("row_id", _I), ("icd9_code", _T), ("short_title", _T), ("long_title", _T)),
    "d_icd_procedures": (
        ("row_id", _I),
        ("icd9_code", _T),
        ("short_title", _T),
        ("long_title", _T),
    ),
    "d_labitems": (("row_id", _I), ("itemid", _I), ("label", _T)),
    "d_items": (("row_id", _I), ("itemid", _I), ("label", _T), ("linksto", _T)),
    "diagnoses_icd": (
        ("row_id", _I),
        ("subject_id", _I),
        ("hadm_id", _I),
        ("icd9_code", _T),
        ("charttime", _T),
    ),
    "procedures_icd": (
        ("row_id", _I),
        ("subject_id", _I),
        ("hadm_id", _I),
        ("icd9_code", _T),
        ("charttime", _T),
    ),
    "labevents": (
        ("row_id", _I),
        ("subject_id", _I),
        ("hadm_id", _I),
        ("itemid", _I),
        ("charttime", _T),
        ("valuenum", _R),
        ("valueuom", _T),
    ),
    "prescriptions": (
        ("row_id", _I),
        ("subject_id", _I),
        ("hadm_id", _I),
        ("startdate", _T),
        ("enddate", _T),
        ("drug", _T),
        ("dose_val_rx", _T),
        ("dose_unit_rx", _T),
        ("route", _T),
    ),
    "cost": (
        ("row_id", _I),
        ("subject_id", _I),
        ("hadm_id", _I),
        ("event_type", _T),
        ("event_id", _I),
        ("chargetime", _T),
        ("cost", _R),
    ),
    "chartevents": (
        ("row_id", _I),
        ("subject_id", _I),
        ("hadm_id", _I),
        ("icustay_id", _I),
        ("itemid", _I),
        ("charttime", _T),
        ("valuenum", _R),
        ("valueuom", _T),
    ),
    "inputevents_cv": (
        ("row_id", _I),
        ("subject_id", _I),
        ("hadm_id", _I),
        ("icustay_id", _I),
        ("charttime", _T),
        ("itemid", _I),
        ("amount", _R),
    ),
    "outputevents": (
        ("row_id", _I),
        ("subject_id", _I),
        ("hadm_id", _I),
        ("icustay_id", _I),
        ("charttime", _T),
        ("itemid", _I),
        ("value", _R),
    ),
    "microbiologyevents": (
        ("row_id", _I),
        ("subject_id", _I),
        ("hadm_id", _I),
        ("charttime", _T),
        ("spec_type_desc", _T),
        ("org_name", _T),
    ),
    "icustays": (
        ("row_id", _I),
        ("subject_id", _I),
        ("hadm_id", _I),
        ("icustay_id", _I),
        ("first_careunit", _T),
        ("last_careunit", _T),
        ("first_wardid", _I),
        ("last_wardid", _I),
        ("intime", _T),
        ("outtime", _T),
    ),
    "transfers": (
        ("row_id", _I),
        ("subject_id", _I),
        ("hadm_id", _I),
        ("icustay_id", _I),
        ("eventtype", _T),
        ("careunit", _T),
        ("wardid", _I),
        ("intime", _T),
        ("outtime", _T),
    ),
}
"""Table -> ((column, SQLite type), ...), in EHRSQL's order."""

INDEXES: Final[Indexes] = (
    ("patients", "subject_id"),
    ("admissions", "subject_id"),
    ("admissions", "hadm_id"),
    ("icustays", "hadm_id"),
    ("icustays", "subject_id"),
    ("transfers", "hadm_id"),
    ("diagnoses_icd", "hadm_id"),
    ("diagnoses_icd", "icd9_code"),
    ("procedures_icd", "hadm_id"),
    ("procedures_icd", "icd9_code"),
    ("d_icd_diagnoses", "icd9_code"),
    ("d_icd_diagnoses", "short_title"),
    ("d_icd_procedures", "icd9_code"),
    ("d_icd_procedures", "short_title"),
    ("d_labitems", "itemid"),
    ("d_labitems", "label"),
    ("d_items", "itemid"),
    ("d_items", "label"),
    ("labevents", "hadm_id, itemid"),
    ("labevents", "subject_id, itemid"),
    ("labevents", "itemid"),
    ("labevents", "charttime"),
    ("prescriptions", "hadm_id"),
    ("prescriptions", "subject_id"),
    ("prescriptions", "drug"),
    ("chartevents", "icustay_id, itemid"),
    ("chartevents", "hadm_id"),
    ("chartevents", "subject_id"),
    ("inputevents_cv", "icustay_id"),
    ("inputevents_cv", "charttime"),
    ("outputevents", "icustay_id"),
    ("microbiologyevents", "hadm_id"),
    ("cost", "hadm_id"),
    ("cost", "event_type, event_id"),
)

VITAL_ITEMS: Final[dict[int, str]] = {
    # CareVue items EHRSQL keeps (preprocess_db_mimic_iii.py, chartevent2itemid)
    211: "heart rate",
    618: "respiratory rate",
    646: "spo2",
    834: "sao2",
    677: "temperature c (calc)",
    51: "arterial bp [systolic]",
    8368: "arterial bp [diastolic]",
    52: "arterial bp mean",
    762: "admit wt",
    920: "admit ht",
    # their MetaVision counterparts (labels as in MIMIC-III's d_items)
    220045: "heart rate",
    220210: "respiratory rate",
    220277: "o2 saturation pulseoxymetry",
    223762: "temperature celsius",
    220050: "arterial blood pressure systolic",
    220051: "arterial blood pressure diastolic",
    220052: "arterial blood pressure mean",
    226512: "admission weight (kg)",
    226730: "height (cm)",
}
"""Vital-sign items kept in ``chartevents`` (itemid -> lower-cased ``d_items`` label)."""
