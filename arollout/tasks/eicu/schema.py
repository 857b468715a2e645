"""The EHRSQL-style eICU schema: ten tables, absolute timestamps, one fixed "now".

EHRSQL (Lee et al., NeurIPS 2022 Datasets and Benchmarks; glee4810/EHRSQL,
CC BY 4.0, ``dataset/ehrsql/eicu/eicu.sql``) simplifies eICU-CRD into ten
tables keyed by ``patientunitstayid`` (one ICU unit stay), with
``patienthealthsystemstayid`` for the hospital stay and ``uniquepid`` for the
person. Its conversion turns every minute offset into a timestamp and adds a
synthetic ``cost`` table; its evaluator fixes "now" at ``2105-12-31 23:59:00``
so that questions like "in the last year" have one answer. The column names,
their order and that "now" are kept here, so EHRSQL-style SQL runs unchanged;
the types are SQLite's (``age`` stays text, as in EHRSQL, and holds two-digit
ages only, so it also compares correctly as text).

This module only describes the tables (and the raw eICU-CRD columns they are
built from); ``convert`` fills them and ``database`` writes them.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = (
    "CURRENT_TIME",
    "INDEXES",
    "RAW_COLUMNS",
    "SCHEMA",
    "TABLES",
    "RawTables",
    "Rows",
)

CURRENT_TIME: Final = "2105-12-31 23:59:00"
"""The fixed "now" of every question (EHRSQL's ``current_time``)."""

Rows = dict[str, list[tuple[Any, ...]]]
"""Table name -> rows, each a tuple in the column order of :data:`SCHEMA`."""

RawTables = dict[str, list[tuple[Any, ...]]]
"""eICU-CRD table name -> rows, each a tuple in the order of :data:`RAW_COLUMNS`."""

SCHEMA: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "patient": (
        ("uniquepid", "TEXT"),
        ("patienthealthsystemstayid", "INTEGER"),
        ("patientunitstayid", "INTEGER"),
        ("gender", "TEXT"),
        ("age", "TEXT"),
        ("ethnicity", "TEXT"),
        ("hospitalid", "INTEGER"),
        ("wardid", "INTEGER"),
        ("admissionheight", "REAL"),
        ("admissionweight", "REAL"),
        ("dischargeweight", "REAL"),
        ("hospitaladmittime", "TEXT"),
        ("hospitaladmitsource", "TEXT"),
        ("unitadmittime", "TEXT"),
        ("unitdischargetime", "TEXT"),
        ("hospitaldischargetime", "TEXT"),
        ("hospitaldischargestatus", "TEXT"),
    ),
    "diagnosis": (
        ("diagnosisid", "INTEGER"),
        ("patientunitstayid", "INTEGER"),
        ("diagnosisname", "TEXT"),
        ("diagnosistime", "TEXT"),
        ("icd9code", "TEXT"),
    ),
    "treatment": (
        ("treatmentid", "INTEGER"),
        ("patientunitstayid", "INTEGER"),
        ("treatmentname", "TEXT"),
        ("treatmenttime", "TEXT"),
    ),
    "lab": (
        ("labid", "INTEGER"),
        ("patientunitstayid", "INTEGER"),
        ("labname", "TEXT"),
        ("labresult", "REAL"),
        ("labresulttime", "TEXT"),
    ),
    "medication": (
        ("medicationid", "INTEGER"),
        ("patientunitstayid", "INTEGER"),
        ("drugname", "TEXT"),
        ("dosage", "TEXT"),
        ("routeadmin", "TEXT"),
        ("drugstarttime", "TEXT"),
        ("drugstoptime", "TEXT"),
    ),
    "cost": (
        ("costid", "INTEGER"),
        ("uniquepid", "TEXT"),
        ("patienthealthsystemstayid", "INTEGER"),
        ("eventtype", "TEXT"),
        ("eventid", "INTEGER"),
        ("chargetime", "TEXT"),
        ("cost", "REAL"),
    ),
    "allergy": (
        ("allergyid", "INTEGER"),
        ("patientunitstayid", "INTEGER"),
        ("drugname", "TEXT"),
        ("allergyname", "TEXT"),
        ("allergytime", "TEXT"),
    ),
    "intakeoutput": (
        ("intakeoutputid", "INTEGER"),
        ("patientunitstayid", "INTEGER"),
        ("cellpath", "TEXT"),
        ("celllabel", "TEXT"),
        ("cellvaluenumeric", "REAL"),
        ("intakeoutputtime", "TEXT"),
    ),
    "microlab": (
        ("microlabid", "INTEGER"),
        ("patientunitstayid", "INTEGER"),
        ("culturesite", "TEXT"),
        ("organism", "TEXT"),
        ("culturetakentime", "TEXT"),
    ),
    "vitalperiodic": (
        ("vitalperiodicid", "INTEGER"),
        ("patientunitstayid", "INTEGER"),
        ("temperature", "REAL"),
        ("sao2", "INTEGER"),
        ("heartrate", "INTEGER"),
        ("respiration", "INTEGER"),
        ("systemicsystolic", "INTEGER"),
        ("systemicdiastolic", "INTEGER"),
        ("systemicmean", "INTEGER"),
        ("observationtime", "TEXT"),
    ),
}
"""Table -> ((column, SQLite type), ...), in EHRSQL's order."""

TABLES: Final = tuple(SCHEMA)

INDEXES: Final[tuple[tuple[str, str], ...]] = (
    ("patient", "uniquepid"),
    ("patient", "patientunitstayid"),
    ("patient", "patienthealthsystemstayid"),
    ("patient", "hospitalid"),
    ("diagnosis", "patientunitstayid"),
    ("diagnosis", "diagnosisname"),
    ("treatment", "patientunitstayid"),
    ("treatment", "treatmentname"),
    ("lab", "patientunitstayid, labname"),
    ("lab", "labname"),
    ("medication", "patientunitstayid"),
    ("medication", "drugname"),
    ("cost", "patienthealthsystemstayid"),
    ("cost", "eventtype, eventid"),
    ("allergy", "patientunitstayid"),
    ("intakeoutput", "patientunitstayid"),
    ("microlab", "patientunitstayid"),
    ("vitalperiodic", "patientunitstayid"),
)
"""Indexes on the join and filter columns, so gold SQL and agents' queries stay fast."""

RAW_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "patient": (
        "patientunitstayid",
        "patienthealthsystemstayid",
        "uniquepid",
        "gender",
        "age",
        "ethnicity",
        "hospitalid",
        "wardid",
        "admissionheight",
        "admissionweight",
        "dischargeweight",
        "hospitaladmittime24",
        "hospitaladmitoffset",
        "hospitaladmitsource",
        "hospitaldischargeyear",
        "hospitaldischargeoffset",
        "hospitaldischargestatus",
        "unitdischargeoffset",
    ),
    "diagnosis": ("patientunitstayid", "diagnosisoffset", "diagnosisstring", "icd9code"),
    "treatment": ("patientunitstayid", "treatmentoffset", "treatmentstring"),
    "medication": (
        "patientunitstayid",
        "drugstartoffset",
        "drugstopoffset",
        "drugname",
        "dosage",
        "routeadmin",
        "drugordercancelled",
    ),
    "allergy": ("patientunitstayid", "allergyoffset", "drugname", "allergyname"),
    "intakeoutput": (
        "patientunitstayid",
        "intakeoutputoffset",
        "cellpath",
        "celllabel",
        "cellvaluenumeric",
    ),
    "microlab": ("patientunitstayid", "culturetakenoffset", "culturesite", "organism"),
    "lab": ("patientunitstayid", "labresultoffset", "labname", "labresult"),
    "vitalperiodic": (
        "patientunitstayid",
        "observationoffset",
        "temperature",
        "sao2",
        "heartrate",
        "respiration",
        "systemicsystolic",
        "systemicdiastolic",
        "systemicmean",
    ),
}
"""The eICU-CRD columns each table is built from (the names of the PhysioNet CSVs)."""
