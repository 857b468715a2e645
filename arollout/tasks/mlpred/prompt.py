"""The system prompt and the question texts of the ``mlpred`` suites.

Questions say everything the grader checks: the file to write and its
columns, which ids it must cover, the label's exact definition over the
tables, the metric with its threshold, and the tolerances. The data section
is shared with the EHR question suites (same schema, same conventions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.mlpred.reference import CHART_VARIABLES, FAHRENHEIT, LAB_VARIABLES

if TYPE_CHECKING:
    from arollout.tasks.ehr.tables import Schema
    from arollout.tasks.mlpred.outcomes import Outcome

__all__ = (
    "INSTRUCTIONS",
    "hourly_question",
    "instructions",
    "labels_question",
    "prediction_question",
    "variable_lines",
)

FEATURE_TOLERANCE: Final = (1e-6, 1e-4)
"""(relative, absolute) tolerance of each hourly feature value."""

INSTRUCTIONS: Final = """\
You are a clinical data scientist working with ICU records in the MIMIC-III schema (EHRSQL's
simplified 17-table version). You answer by writing Python code that runs in a sandbox: Python 3
with sqlite3, numpy, pandas, scipy, scikit-learn and statsmodels, no network, the data mounted
read-only, and a fresh writable working directory for every run. Keep runs short: each has a
time limit of a few seconds.

## Data
{source}
Every task names its database, a folder under {data_root} holding ehr.sqlite (open it read-only:
sqlite3.connect("file:<path>?mode=ro", uri=True)) and the same tables as CSV files with a header
row (<table>.csv), plus the task's id lists where it has them.

Tables and columns:
{schema}

Strings are stored in lower case; times are text 'YYYY-MM-DD HH:MM:SS'. Vital signs are in
chartevents (item labels in d_items), lab results in labevents (labels in d_labitems), drips and
fluids in inputevents_cv (amount), urine in outputevents (value), drug orders in prescriptions.

## What is graded
Every task asks for ONE file written to the working directory (predictions.csv, features.csv or
labels.csv, as the question says), with a header row and one row per requested id or key. After
each run that file is read and graded; printing to stdout counts for nothing. A file must be
written by the run that is graded (the working directory starts empty every time).
- Prediction tasks: fit a model on the training labels and predict every held-out stay. The score
  is the stated metric on the hidden held-out labels, over ALL held-out stays: a stay without a
  valid row counts as wrong. The task is solved when the file is complete and valid and the score
  reaches the stated threshold.
- Feature and label tasks: the file must match the reference row for row (within the stated
  tolerance); the score is the share of rows that match.

## Actions
Reply with exactly one action per turn, as a single fenced json block:

```json
{{"action": "validate_code", "params": {{"code": "<python code>"}}}}
```
runs the code, shows you its stdout and stderr, and grades the file it wrote.

Other actions:
- {{"action": "request_info", "params": {{"query": "<table name, or table.column>"}}}}
  describes the task's database without running code: a table name lists its columns,
  table.column lists up to 20 frequent values, any other term is searched in the text columns.
- {{"action": "debug", "params": {{"code": "<python code>", "error_msg": "<the error you got>"}}}}
  asks for help with an error.
- {{"action": "terminal", "params": {{"cmd": "<shell command>"}}}}
  runs a shell command in the sandbox.
"""

SYNTHETIC: Final = (
    "The cohorts are synthetic ICU patients generated for this suite (they describe no one). A\n"
    "prediction cohort is recorded only up to its prediction time; a complete cohort is recorded to\n"
    "the end of every admission."
)
DEMO: Final = (
    "The database is built from the MIMIC-III Clinical Database Demo 1.4 (100 patients, ODbL), with\n"
    "per-patient time shifts; a few admissions are still open (NULL dischtime)."
)


def instructions(schema: Schema, data_root: str, *, demo: bool) -> str:
    lines = "\n".join(
        f"- {table}({', '.join(c for c, _ in cols)})" for table, cols in schema.items()
    )
    return INSTRUCTIONS.format(
        source=DEMO if demo else SYNTHETIC, data_root=data_root, schema=lines
    )


def prediction_question(
    outcome: Outcome,
    *,
    folder: str,
    stays: int,
    window: int,
    train: str,
    n_train: int,
    n_heldout: int,
    threshold: float,
) -> str:
    if outcome.kind == "binary":
        column = "probability"
        what = "the predicted probability that the label is 1 (a number between 0 and 1)"
        metric = f"AUROC over all {n_heldout} held-out stays; solved at AUROC >= {threshold:.2f}"
        label = f"Label (1 or 0): 1 iff {outcome.definition(window)}."
    else:
        column = "label"
        what = "the predicted class, exactly one of died, facility, home"
        metric = (
            f"accuracy over all {n_heldout} held-out stays; solved at accuracy >= {threshold:.2f}"
        )
        label = f"Label: {outcome.definition(window)}."
    return (
        f"Predict {outcome.name} for the ICU stays of a synthetic cohort.\n\n"
        f"Database: {folder}/ehr.sqlite (CSV copies of its tables in {folder}/). It holds {stays} "
        f"ICU stays, one per index admission, each recorded up to its prediction time: {window} hours "
        f"after ICU admission (icustays.intime). Nothing charted or ordered later is in the database; "
        f"for the index admissions dischtime, discharge_location, icustays.outtime and patients.dod "
        f"are NULL. Earlier admissions of the same patients are recorded in full.\n"
        f"{label}\n"
        f"Training labels: {folder}/{train} (columns icustay_id,label; {n_train} stays).\n"
        f"Held-out stays: {folder}/heldout.csv (column icustay_id; {n_heldout} stays, no labels).\n\n"
        f"Write predictions.csv in the working directory with the header icustay_id,{column} and one "
        f"row per held-out stay: {what}. Graded by {metric}."
    )


def variable_lines(variables: list[str]) -> str:
    out = []
    for name in variables:
        if name in CHART_VARIABLES:
            items = ", ".join(map(str, CHART_VARIABLES[name]))
            out.append(f"- {name}: chartevents itemid {items} (rows of the stay's icustay_id)")
        else:
            items = ", ".join(map(str, LAB_VARIABLES[name]))
            out.append(f"- {name}: labevents itemid {items} (rows of the stay's hadm_id)")
    return "\n".join(out)


def hourly_question(
    *, folder: str, ids: list[int], variables: list[str], hours: int, agg: str
) -> str:
    fahrenheit = ", ".join(map(str, FAHRENHEIT))
    value = "the number of values" if agg == "count" else f"the {agg} of the values"
    convert = (
        f" Temperatures charted in Fahrenheit (itemid {fahrenheit}) are converted to Celsius, "
        f"(F - 32) * 5 / 9, before aggregating."
        if "temperature" in variables
        else ""
    )
    return (
        f"Extract MIMIC-Extract-style hourly features from {folder}/ehr.sqlite.\n\n"
        f"ICU stays (icustay_id): {', '.join(map(str, ids))}.\n"
        f"Variables (each pools the listed item numbers):\n{variable_lines(variables)}\n"
        f"Hour h of a stay covers charttime in [intime + h hours, intime + h + 1 hours) of its "
        f"icustays.intime; keep hours 0 to {hours - 1}. Skip NULL values.{convert}\n\n"
        f"Write features.csv in the working directory with the header icustay_id,hour,variable,value "
        f"and one row per (stay, hour, variable) that has at least one value (no rows for empty "
        f"hours): the variable name exactly as listed above, and as value {value} in that hour. "
        f"Values must match within 1e-4 (or 1e-6 relative)."
    )


def labels_question(
    *, folder: str, ids: list[int], outcome: Outcome, window: int, demo: bool
) -> str:
    if outcome.kind == "binary":
        label = f"the label is 1 iff {outcome.definition(window)}, else 0"
    else:
        label = f"the label is {outcome.definition(window)}"
    if outcome.horizon:
        label += f" (the prediction time is {window} hours after icustays.intime)"
    source = "the MIMIC-III demo" if demo else "a complete synthetic cohort"
    return (
        f"Derive the outcome label {outcome.name} of ICU stays from {source}: {folder}/ehr.sqlite.\n\n"
        f"ICU stays (icustay_id): {', '.join(map(str, ids))}.\n"
        f"For each stay, {label}.\n\n"
        f"Write labels.csv in the working directory with the header icustay_id,label and one row per "
        f"listed stay. Every label must be right."
    )
