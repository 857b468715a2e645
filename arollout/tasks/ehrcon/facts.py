"""The records notes are written from: one pass over the database, grouped by admission.

Note generation needs, per admission, its dates, diagnoses, procedures, labs,
prescriptions, cultures and ICU stays (with their vitals and outputs), and,
across the database, catalogues of what *could* have been recorded (drugs
with their usual dose, unit and route; lab tests with a typical value;
diagnosis and procedure titles; culture specimens), from which extra items
and true negations are drawn. Reading every table once and grouping in
memory keeps building thousands of notes to a few seconds.

Only values a note can quote without ambiguity are kept: names without
doubled or stray whitespace, and numeric values; times are cut to the minute
('YYYY-MM-DD HH:MM'), dates to the day, as notes print them.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import sqlite3

__all__ = ("Admission", "Catalog", "IcuStay", "Reading", "Rx", "fmt_value", "load")


class Reading(NamedTuple):
    """A measured value: lab, vital sign or output."""

    label: str
    time: str  # YYYY-MM-DD HH:MM
    value: float
    unit: str


class Rx(NamedTuple):
    drug: str
    dose: str
    unit: str
    route: str
    date: str  # YYYY-MM-DD


@dataclass
class IcuStay:
    icustay_id: int
    unit: str
    intime: str  # minute
    outtime: str | None
    vitals: list[Reading] = field(default_factory=list)
    outputs: list[Reading] = field(default_factory=list)


@dataclass
class Admission:
    hadm_id: int
    subject_id: int
    admit: str  # full timestamps
    disch: str | None
    diagnoses: list[tuple[str, str]] = field(default_factory=list)  # (short, long)
    procedures: list[tuple[str, str]] = field(default_factory=list)
    labs: list[Reading] = field(default_factory=list)
    drugs: list[Rx] = field(default_factory=list)
    cultures: list[tuple[str, str]] = field(default_factory=list)  # (specimen, date)
    stays: list[IcuStay] = field(default_factory=list)


@dataclass
class Catalog:
    """What the database records anywhere, most frequent first."""

    drugs: dict[str, tuple[str, str, str]]  # drug -> usual (dose, unit, route)
    doses: dict[str, list[str]]  # drug -> every dose it is given in
    labs: dict[str, tuple[float, str]]  # label -> (median value, unit)
    diagnoses: list[tuple[str, str]]
    procedures: list[tuple[str, str]]
    specimens: list[str]
    routes: list[str]
    drug_routes: dict[str, list[str]]  # drug -> every route it is given by
    presence: dict[str, dict[str, float]]  # domain -> name -> share of admissions with it


def _clean(text: str | None) -> bool:
    return bool(text) and " ".join(str(text).split()) == text


def fmt_value(value: float) -> str:
    """A stored number as a note prints it (``92.0`` -> ``92``, ``1.3`` -> ``1.3``)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _quotable(value: float) -> bool:
    """A value a note can print as stored: at most two decimals."""
    text = repr(float(value))
    return "e" not in text and len(text.split(".")[1].rstrip("0")) <= 2


def load(con: sqlite3.Connection) -> tuple[dict[int, Admission], Catalog]:
    """Every admission of the database (keyed by ``hadm_id``) and the catalogue."""
    adms: dict[int, Admission] = {}
    for hadm, subject, admit, disch in con.execute(
        "SELECT hadm_id, subject_id, admittime, dischtime FROM admissions ORDER BY hadm_id"
    ):
        adms[hadm] = Admission(hadm, subject, admit, disch)
    titles = {
        table: {
            code: (s, lt)
            for code, s, lt in con.execute(
                f"SELECT icd9_code, short_title, long_title FROM {table}"
            )
        }
        for table in ("d_icd_diagnoses", "d_icd_procedures")
    }
    for table, dictionary, attr in (
        ("diagnoses_icd", "d_icd_diagnoses", "diagnoses"),
        ("procedures_icd", "d_icd_procedures", "procedures"),
    ):
        for hadm, code in con.execute(f"SELECT hadm_id, icd9_code FROM {table} ORDER BY row_id"):
            title = titles[dictionary].get(code)
            if hadm in adms and title is not None and all(_clean(t) for t in title):
                getattr(adms[hadm], attr).append(title)
    lab_values: dict[str, list[float]] = {}
    lab_units: dict[str, Counter[str]] = {}
    for hadm, label, time, value, unit in con.execute(
        "SELECT l.hadm_id, d.label, l.charttime, l.valuenum, l.valueuom FROM labevents l "
        "JOIN d_labitems d ON d.itemid = l.itemid WHERE l.valuenum IS NOT NULL ORDER BY l.row_id"
    ):
        if hadm in adms and _clean(label) and _clean(unit) and _quotable(value):
            adms[hadm].labs.append(Reading(label, time[:16], float(value), unit))
            lab_values.setdefault(label, []).append(float(value))
            lab_units.setdefault(label, Counter())[unit] += 1
    drug_forms: dict[str, Counter[tuple[str, str, str]]] = {}
    for hadm, drug, dose, unit, route, start in con.execute(
        "SELECT hadm_id, drug, dose_val_rx, dose_unit_rx, route, startdate FROM prescriptions ORDER BY row_id"
    ):
        if hadm in adms and start and all(_clean(v) for v in (drug, dose, unit, route)):
            adms[hadm].drugs.append(Rx(drug, dose, unit, route, start[:10]))
            drug_forms.setdefault(drug, Counter())[(dose, unit, route)] += 1
    specimens: Counter[str] = Counter()
    for hadm, spec, time in con.execute(
        "SELECT hadm_id, spec_type_desc, charttime FROM microbiologyevents ORDER BY row_id"
    ):
        if hadm in adms and _clean(spec) and time:
            adms[hadm].cultures.append((spec, time[:10]))
            specimens[spec] += 1
    stays: dict[int, IcuStay] = {}
    for hadm, stay, unit, intime, outtime in con.execute(
        "SELECT hadm_id, icustay_id, first_careunit, intime, outtime FROM icustays ORDER BY intime"
    ):
        if hadm in adms and _clean(unit) and intime:
            stays[stay] = IcuStay(stay, unit, intime[:16], outtime)
            adms[hadm].stays.append(stays[stay])
    for table, col, unit_col, attr in (
        ("chartevents", "valuenum", "e.valueuom", "vitals"),
        ("outputevents", "value", "'ml'", "outputs"),
    ):
        for stay, label, time, value, unit in con.execute(
            f"SELECT e.icustay_id, d.label, e.charttime, e.{col}, {unit_col} FROM {table} e "
            f"JOIN d_items d ON d.itemid = e.itemid WHERE e.{col} IS NOT NULL ORDER BY e.row_id"
        ):
            if stay in stays and _clean(label) and time and _quotable(value):
                getattr(stays[stay], attr).append(
                    Reading(label, time[:16], float(value), unit or "")
                )
    dx = Counter(t for a in adms.values() for t in set(a.diagnoses))
    px = Counter(t for a in adms.values() for t in set(a.procedures))
    catalog = Catalog(
        drugs={
            d: forms.most_common(1)[0][0]
            for d, forms in sorted(drug_forms.items(), key=lambda kv: -sum(kv[1].values()))
        },
        doses={d: sorted({dose for dose, _, _ in forms}) for d, forms in drug_forms.items()},
        labs={
            label: (statistics.median(values), lab_units[label].most_common(1)[0][0])
            for label, values in sorted(lab_values.items(), key=lambda kv: -len(kv[1]))
        },
        diagnoses=[t for t, _ in dx.most_common()],
        procedures=[t for t, _ in px.most_common()],
        specimens=[s for s, _ in specimens.most_common()],
        routes=sorted({r for forms in drug_forms.values() for _, _, r in forms}),
        drug_routes={d: sorted({r for _, _, r in forms}) for d, forms in drug_forms.items()},
        presence=_presence(adms),
    )
    return adms, catalog


def _presence(adms: dict[int, Admission]) -> dict[str, dict[str, float]]:
    """How common each lab, drug, diagnosis and specimen is across admissions."""
    counts: dict[str, Counter[str]] = {
        d: Counter() for d in ("lab", "drug", "diagnosis", "culture")
    }
    for a in adms.values():
        counts["lab"].update({r.label for r in a.labs})
        counts["drug"].update({rx.drug for rx in a.drugs})
        counts["diagnosis"].update({t[1] for t in a.diagnoses})
        counts["culture"].update({spec for spec, _ in a.cultures})
    total = max(1, len(adms))
    return {d: {name: n / total for name, n in c.items()} for d, c in counts.items()}
