"""The reference pipelines of the ``mlpred`` suites, as one self-contained module.

This file is both imported on the host (the suite computes gold features,
gold labels and each prediction task's reference score with it) and embedded
verbatim into every reference solution, which then calls one ``main_*``
function. So it imports nothing from ``arollout``, only the standard library
at module level (numpy and scikit-learn inside the prediction functions), and
what it defines is exactly what the questions describe:

* :data:`CHART_VARIABLES` / :data:`LAB_VARIABLES`: the variable map (variable
  name -> MIMIC-III ``itemid`` numbers), in the spirit of MIMIC-Extract's
  ``itemid_to_variable_map`` (Wang et al., "MIMIC-Extract", ACM CHIL 2020;
  ``MLforHealth/MIMIC_Extract``), written for this suite from the public
  MIMIC-III ``d_items``/``d_labitems`` numbers; temperatures charted in
  Fahrenheit are converted to Celsius;
* :func:`hourly`: MIMIC-Extract-style hourly aggregates per (stay, hour,
  variable), hours counted from ``icustays.intime``;
* :func:`stay_labels`: the outcome definitions, from complete records;
* :func:`features` and :func:`predict`: window features per stay (aggregates,
  interventions, baseline data) and a standardised logistic regression.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import sqlite3
from typing import Any

CHART_VARIABLES: dict[str, tuple[int, ...]] = {
    "heart rate": (211, 220045),
    "systolic blood pressure": (51, 220050),
    "diastolic blood pressure": (8368, 220051),
    "mean blood pressure": (52, 220052),
    "respiratory rate": (618, 220210),
    "oxygen saturation": (646, 834, 220277),
    "temperature": (677, 678, 223761, 223762),
}
LAB_VARIABLES: dict[str, tuple[int, ...]] = {
    "creatinine": (50912,),
    "blood urea nitrogen": (51006,),
    "potassium": (50971,),
    "sodium": (50983,),
    "bicarbonate": (50882,),
    "glucose": (50809, 50931),
    "white blood cell count": (51300, 51301),
    "hemoglobin": (50811, 51222),
    "platelets": (51265,),
    "lactate": (50813,),
    "bilirubin": (50885,),
}
FAHRENHEIT: tuple[int, ...] = (678, 223761)
VASOPRESSORS: tuple[int, ...] = (221906, 221749, 222315, 221289, 221662)
VENTILATION: tuple[int, ...] = (220339, 224684)
FACILITIES: tuple[str, ...] = ("snf", "rehab/distinct part hosp", "long term care hospital")
CONDITIONS: tuple[str, ...] = ("4280", "5859", "496", "25000", "5712", "42731", "4019", "0389")
ANTIBIOTICS: tuple[str, ...] = ("vancomycin", "piperacillin-tazobactam")
_STATS = "AVG(valuenum), MIN(valuenum), MAX(valuenum), COUNT(*)"


def connect(db: str) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _marks(values: tuple[Any, ...] | list[Any]) -> str:
    return ", ".join("?" * len(values))


def _celsius(itemid: int, value: float) -> float:
    return (value - 32.0) * 5.0 / 9.0 if itemid in FAHRENHEIT else value


def hourly(
    con: sqlite3.Connection, ids: list[int], variables: list[str], hours: int, agg: str
) -> dict[tuple[int, int, str], float]:
    """``agg`` (mean, min, max or count) of each variable per stay and hour.

    Hour ``h`` holds the values charted in ``[intime + h, intime + h + 1)``
    hours, for ``0 <= h < hours``; lab values come from the stay's admission.
    """
    by_item: dict[int, tuple[str, str]] = {}
    for name in variables:
        if name in CHART_VARIABLES:
            by_item.update(dict.fromkeys(CHART_VARIABLES[name], ("chart", name)))
        else:
            by_item.update(dict.fromkeys(LAB_VARIABLES[name], ("lab", name)))
    chart = tuple(i for i, (src, _) in by_item.items() if src == "chart")
    lab = tuple(i for i, (src, _) in by_item.items() if src == "lab")
    rows: list[tuple[int, str, int, str, float]] = []
    if chart:
        rows += con.execute(
            f"SELECT c.icustay_id, s.intime, c.itemid, c.charttime, c.valuenum "
            f"FROM chartevents c JOIN icustays s ON s.icustay_id = c.icustay_id "
            f"WHERE c.icustay_id IN ({_marks(ids)}) AND c.itemid IN ({_marks(chart)}) "
            f"AND c.valuenum IS NOT NULL",
            (*ids, *chart),
        ).fetchall()
    if lab:
        rows += con.execute(
            f"SELECT s.icustay_id, s.intime, l.itemid, l.charttime, l.valuenum "
            f"FROM labevents l JOIN icustays s ON s.hadm_id = l.hadm_id "
            f"WHERE s.icustay_id IN ({_marks(ids)}) AND l.itemid IN ({_marks(lab)}) "
            f"AND l.valuenum IS NOT NULL",
            (*ids, *lab),
        ).fetchall()
    groups: dict[tuple[int, int, str], list[float]] = {}
    for stay, intime, itemid, charttime, value in rows:
        seconds = (ts(charttime) - ts(intime)).total_seconds()
        hour = int(seconds // 3600)
        if 0 <= seconds and hour < hours:
            key = (int(stay), hour, by_item[itemid][1])
            groups.setdefault(key, []).append(_celsius(itemid, float(value)))

    def reduce(values: list[float]) -> float:
        if agg == "mean":
            return math.fsum(values) / len(values)
        if agg == "count":
            return float(len(values))
        return min(values) if agg == "min" else max(values)

    return {key: float(reduce(values)) for key, values in sorted(groups.items())}


def main_hourly(db: str, ids: list[int], variables: list[str], hours: int, agg: str) -> None:
    con = connect(db)
    result = hourly(con, ids, variables, hours, agg)
    con.close()
    with open("features.csv", "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["icustay_id", "hour", "variable", "value"])
        for (stay, hour, name), value in result.items():
            out.writerow([stay, hour, name, repr(value)])


def stay_labels(
    con: sqlite3.Connection, outcome: str, window: int = 0, horizon: int = 0
) -> dict[int, Any]:
    """The label of ``outcome`` for every ICU stay whose records are complete.

    ``window`` and ``horizon`` (hours) apply to the intervention onsets only.
    """
    stays = con.execute(
        "SELECT s.icustay_id, s.subject_id, s.intime, s.outtime, a.admittime, a.dischtime, "
        "a.discharge_location, p.dod FROM icustays s JOIN admissions a ON a.hadm_id = s.hadm_id "
        "JOIN patients p ON p.subject_id = s.subject_id WHERE s.outtime IS NOT NULL "
        "AND a.dischtime IS NOT NULL"
    ).fetchall()
    admits: dict[int, list[dt.datetime]] = {}
    for subject, admittime in con.execute("SELECT subject_id, admittime FROM admissions"):
        admits.setdefault(subject, []).append(ts(admittime))
    first: dict[int, dt.datetime] = {}
    if outcome.startswith(("vaso", "vent")):
        table, items = (
            ("inputevents_cv", VASOPRESSORS)
            if outcome.startswith("vaso")
            else ("chartevents", VENTILATION)
        )
        sql = f"SELECT icustay_id, MIN(charttime) FROM {table} WHERE itemid IN ({_marks(items)}) GROUP BY icustay_id"
        first = {stay: ts(t) for stay, t in con.execute(sql, items)}
    out: dict[int, Any] = {}
    for stay, subject, intime_s, outtime_s, admit_s, disch_s, location, dod_s in stays:
        intime, outtime, admit, disch = ts(intime_s), ts(outtime_s), ts(admit_s), ts(disch_s)
        died = location == "dead/expired"
        value: Any
        if outcome == "mort_hosp":
            value = died
        elif outcome == "mort_icu":
            value = died and disch <= outtime + dt.timedelta(hours=6)
        elif outcome == "mort_30d":
            value = (
                dod_s is not None and ts(dod_s).date() <= (intime + dt.timedelta(days=30)).date()
            )
        elif outcome in ("los_icu_3", "los_icu_7"):
            value = outtime - intime > dt.timedelta(days=int(outcome[-1]))
        elif outcome == "los_hosp_10":
            value = disch - admit > dt.timedelta(days=10)
        elif outcome == "readmit_30":
            value = not died and any(
                disch < t <= disch + dt.timedelta(days=30) for t in admits[subject]
            )
        elif outcome == "discharge_facility":
            value = location in FACILITIES
        elif outcome == "disposition":
            value = "died" if died else "facility" if location in FACILITIES else "home"
        else:
            start = first.get(stay)
            lo = intime + dt.timedelta(hours=window)
            value = start is not None and lo <= start < lo + dt.timedelta(hours=horizon)
        out[int(stay)] = value if isinstance(value, str) else int(value)
    return out


def main_labels(db: str, ids: list[int], outcome: str, window: int = 0, horizon: int = 0) -> None:
    con = connect(db)
    labels = stay_labels(con, outcome, window, horizon)
    con.close()
    with open("labels.csv", "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["icustay_id", "label"])
        for stay in ids:
            out.writerow([stay, labels[stay]])


def _aggregates(
    con: sqlite3.Connection, sql: str, params: tuple[Any, ...], names: dict[int, str]
) -> dict[int, dict[str, float]]:
    """Mean, min, max and count per (stay, variable); ``sql`` returns one
    ``(stay, itemid, AVG, MIN, MAX, COUNT)`` row per stay and item."""
    acc: dict[tuple[int, str], list[tuple[float, float, float, float]]] = {}
    for stay, itemid, mean, low, high, count in con.execute(sql, params):
        mean, low, high = (_celsius(itemid, float(v)) for v in (mean, low, high))
        acc.setdefault((stay, names[itemid]), []).append((mean, low, high, float(count)))
    out: dict[int, dict[str, float]] = {}
    for (stay, name), parts in acc.items():
        total = sum(p[3] for p in parts)
        row = out.setdefault(stay, {})
        row[f"{name} mean"] = sum(p[0] * p[3] for p in parts) / total
        row[f"{name} min"] = min(p[1] for p in parts)
        row[f"{name} max"] = max(p[2] for p in parts)
        row[f"{name} count"] = total
    return out


def features(
    con: sqlite3.Connection, window: int
) -> tuple[list[int], list[str], list[list[float]]]:
    """One row of window features per ICU stay (NaN where nothing was charted).

    Only data charted before ``intime + window`` hours are used.
    """
    cut = f"datetime(s.intime, '+{int(window)} hours')"
    base = con.execute(
        "SELECT s.icustay_id, a.age, p.gender, a.admission_type, "
        "(SELECT COUNT(*) FROM admissions b WHERE b.subject_id = a.subject_id AND b.admittime < a.admittime), "
        "(julianday(s.intime) - julianday(a.admittime)) * 24 "
        "FROM icustays s JOIN admissions a ON a.hadm_id = s.hadm_id "
        "JOIN patients p ON p.subject_id = s.subject_id ORDER BY s.icustay_id"
    ).fetchall()
    rows: dict[int, dict[str, float]] = {}
    for stay, age, gender, kind, prior, pre in base:
        rows[stay] = {
            "age": float(age),
            "male": float(gender == "m"),
            "elective": float(kind == "elective"),
            "urgent": float(kind == "urgent"),
            "prior admissions": float(prior),
            "hours before icu": float(pre),
        }
    sql = (
        f"SELECT s.icustay_id, d.icd9_code FROM diagnoses_icd d JOIN icustays s ON s.hadm_id = d.hadm_id "
        f"WHERE d.icd9_code IN ({_marks(CONDITIONS)})"
    )
    for stay, code in con.execute(sql, CONDITIONS):
        rows[stay][f"dx {code}"] = 1.0
    chart_names = {i: n for n, items in CHART_VARIABLES.items() for i in items}
    lab_names = {i: n for n, items in LAB_VARIABLES.items() for i in items}
    groups = [
        _aggregates(
            con,
            f"SELECT c.icustay_id, c.itemid, {_STATS} FROM chartevents c JOIN icustays s "
            f"ON s.icustay_id = c.icustay_id WHERE c.itemid IN ({_marks(list(chart_names))}) "
            f"AND c.valuenum IS NOT NULL AND c.charttime < {cut} GROUP BY 1, 2",
            tuple(chart_names),
            chart_names,
        ),
        _aggregates(
            con,
            f"SELECT s.icustay_id, l.itemid, {_STATS} FROM labevents l JOIN icustays s "
            f"ON s.hadm_id = l.hadm_id WHERE l.itemid IN ({_marks(list(lab_names))}) "
            f"AND l.valuenum IS NOT NULL AND l.charttime < {cut} GROUP BY 1, 2",
            tuple(lab_names),
            lab_names,
        ),
    ]
    for group in groups:
        for stay, values in group.items():
            rows[stay].update(values)
    for label, table, items in (
        ("vasopressor", "inputevents_cv", VASOPRESSORS),
        ("ventilation", "chartevents", VENTILATION),
    ):
        sql = (
            f"SELECT s.icustay_id, COUNT(*), (julianday(MIN(e.charttime)) - julianday(s.intime)) * 24, "
            f"(julianday({cut}) - julianday(MAX(e.charttime))) * 24 FROM {table} e "
            f"JOIN icustays s ON s.icustay_id = e.icustay_id WHERE e.itemid IN ({_marks(items)}) "
            f"AND e.charttime < {cut} GROUP BY s.icustay_id"
        )
        for stay, count, start, since in con.execute(sql, items):
            rows[stay].update(
                {
                    f"{label} rows": float(count),
                    f"{label} start": start,
                    f"{label} since last": since,
                }
            )
    extra = (
        (
            "urine output",
            "SELECT s.icustay_id, SUM(e.value) FROM outputevents e",
            "e.itemid = 226559",
        ),
        ("saline", "SELECT s.icustay_id, SUM(e.amount) FROM inputevents_cv e", "e.itemid = 225158"),
        ("propofol", "SELECT s.icustay_id, COUNT(*) FROM inputevents_cv e", "e.itemid = 222168"),
    )
    for label, head, cond in extra:
        sql = f"{head} JOIN icustays s ON s.icustay_id = e.icustay_id WHERE {cond} AND e.charttime < {cut} GROUP BY 1"
        for stay, value in con.execute(sql):
            rows[stay][label] = float(value)
    sql = (
        f"SELECT s.icustay_id, COUNT(DISTINCT e.drug), SUM(e.drug IN ({_marks(ANTIBIOTICS)})) "
        f"FROM prescriptions e JOIN icustays s ON s.hadm_id = e.hadm_id "
        f"WHERE e.startdate < {cut} GROUP BY 1"
    )
    for stay, drugs, antibiotics in con.execute(sql, ANTIBIOTICS):
        rows[stay].update({"drugs": float(drugs), "antibiotics": float(antibiotics or 0)})
    sql = f"SELECT s.icustay_id, COUNT(*) FROM microbiologyevents e JOIN icustays s ON s.hadm_id = e.hadm_id WHERE e.charttime < {cut} GROUP BY 1"
    for stay, count in con.execute(sql):
        rows[stay]["cultures"] = float(count)
    names = sorted({name for row in rows.values() for name in row})
    ids = sorted(rows)
    zero = {
        "dx",
        "vasopressor rows",
        "ventilation rows",
        "propofol",
        "saline",
        "drugs",
        "antibiotics",
        "cultures",
    }
    matrix = [
        [rows[i].get(n, 0.0 if n.split(" ")[0] == "dx" or n in zero else math.nan) for n in names]
        for i in ids
    ]
    return ids, names, matrix


def predict(
    ids: list[int], matrix: list[list[float]], train: dict[int, Any], heldout: list[int]
) -> list[Any]:
    """Fit on ``train`` (id -> label) and return a probability (binary 0/1 labels)
    or a class (any other labels) for each held-out id."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    where = {stay: n for n, stay in enumerate(ids)}
    x = np.asarray(matrix, dtype=float)
    missing = np.isnan(x)
    keep = missing.any(axis=0)
    x = np.hstack([x, missing[:, keep].astype(float)])
    tr = np.asarray([where[i] for i in train])
    te = np.asarray([where[i] for i in heldout])
    seen = ~np.isnan(x[tr]).all(axis=0)
    medians = np.zeros(x.shape[1])
    medians[seen] = np.nanmedian(x[tr][:, seen], axis=0)
    x = np.where(np.isnan(x), medians, x)
    mu, sd = x[tr].mean(axis=0), x[tr].std(axis=0)
    x = (x - mu) / np.where(sd > 0, sd, 1.0)
    y = list(train.values())
    model = LogisticRegression(C=0.1, max_iter=2000)
    model.fit(x[tr], y)
    if set(y) <= {0, 1}:
        return [float(p) for p in model.predict_proba(x[te])[:, 1]]
    return [str(c) for c in model.predict(x[te])]


def read_ids(path: str) -> list[int]:
    with open(path, newline="") as fh:
        return [int(row["icustay_id"]) for row in csv.DictReader(fh)]


def read_train(path: str) -> dict[int, Any]:
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    labels = [row["label"] for row in rows]
    binary = set(labels) <= {"0", "1"}
    return {
        int(row["icustay_id"]): int(v) if binary else v for row, v in zip(rows, labels, strict=True)
    }


def main_predict(db: str, window: int, train_csv: str, heldout_csv: str) -> None:
    con = connect(db)
    ids, _names, matrix = features(con, window)
    con.close()
    train, heldout = read_train(train_csv), read_ids(heldout_csv)
    out = predict(ids, matrix, train, heldout)
    column = "probability" if isinstance(out[0], float) else "label"
    with open("predictions.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["icustay_id", column])
        writer.writerows(zip(heldout, out, strict=True))
