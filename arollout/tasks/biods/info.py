"""``request_info`` answers: what a dataset, a study or one of its files contains.

The episode loop calls ``request_info`` on its event loop, so answers come
from an index built once, off the loop, when the suite's tasks are built:

* package datasets are described by one reference-style run in a worker
  process (pandas and the loaders are not imported into the engine), and the
  text is cached beside the tasks;
* synthetic studies are summarised by reading their tab-separated files with
  the standard library.

Answers describe columns (type, missing values, value sets or ranges), never
results of an analysis.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import json
from pathlib import Path
from typing import Final, final

import msgspec

from arollout.tasks.biods.cbio_genes import STUDIES
from arollout.tasks.biods.evaluate import Evaluator
from arollout.tasks.biods.packaged import DATASETS

__all__ = ("DESCRIBE_SOURCE", "DataIndex", "describe_datasets")

DESCRIBE_SOURCE: Final = """\
import json
import importlib
import pandas as pd

SPECS = {specs!r}
out = {{}}
for key, (module, loader, args) in SPECS.items():
    load = getattr(importlib.import_module(module), loader)
    df = load(**args)
    df = df.frame if hasattr(df, "frame") else df
    lines = [f"{{key}}: {{len(df)}} rows x {{df.shape[1]}} columns; load with {{module}}.{{loader}}({{', '.join(f'{{k}}={{v!r}}' for k, v in args.items())}})" + (".frame" if args else "")]
    for column in df.columns:
        s = df[column]
        missing = int(s.isna().sum())
        head = f"- {{column}} ({{s.dtype}}{{', ' + str(missing) + ' missing' if missing else ''}})"
        values = s.dropna().unique()
        if len(values) <= 8:
            head += ": values " + ", ".join(sorted(map(str, values)))
        elif pd.api.types.is_numeric_dtype(s):
            head += f": min {{s.min():.4g}}, median {{s.median():.4g}}, max {{s.max():.4g}}"
        else:
            head += f": {{len(values)}} distinct values"
        lines.append(head)
    out[key] = "\\n".join(lines)
description = json.dumps(out)
"""

_MAX_VALUES: Final = 12


def _specs() -> dict[str, tuple[str, str, dict[str, object]]]:
    out: dict[str, tuple[str, str, dict[str, object]]] = {}
    for d in DATASETS.values():
        args: dict[str, object] = {}
        if d.key == "breast_cancer":
            args = {"as_frame": True}
        elif d.key == "diabetes":
            args = {"as_frame": True, "scaled": False}
        out[d.key] = (d.module, d.loader, args)
    return out


def describe_datasets(cache: Path, versions: str) -> dict[str, str]:
    """Descriptions of every packaged dataset (one worker run, then cached)."""
    source = DESCRIBE_SOURCE.format(specs=_specs())
    key = hashlib.sha256(f"{versions}|{source}".encode()).hexdigest()[:16]
    path = cache / f"datasets-{key}.json"
    if path.is_file():
        stored: dict[str, str] = msgspec.json.decode(path.read_bytes())
        return stored
    with Evaluator(1) as evaluator:
        outcome = evaluator.run([("describe", source, [("description", "text")], "")])["describe"]
    if "values" not in outcome:
        return {}
    described: dict[str, str] = json.loads(outcome["values"]["description"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msgspec.json.encode(described))
    return described


def _read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter="\t") if r and not r[0].startswith("#")]
    return (rows[0], rows[1:]) if rows else ([], [])


def _column_summary(name: str, values: list[str]) -> str:
    present = [v for v in values if v not in ("", "NA")]
    missing = len(values) - len(present)
    note = f", {missing} NA" if missing else ""
    try:
        numbers = [float(v) for v in present]
    except ValueError:
        distinct = sorted(set(present))
        if len(distinct) <= _MAX_VALUES:
            return f"- {name} (text{note}): values {', '.join(distinct)}"
        return f"- {name} (text{note}): {len(distinct)} distinct values, e.g. {', '.join(distinct[:3])}"
    if len(set(numbers)) <= _MAX_VALUES and all(n.is_integer() for n in numbers):
        return f"- {name} (number{note}): values {', '.join(sorted(set(present), key=float))}"
    if not numbers:
        return f"- {name} (empty)"
    return f"- {name} (number{note}): min {min(numbers):g}, max {max(numbers):g}"


@final
class DataIndex:
    """Answers to data lookups for one build of the suite."""

    def __init__(self, studies_dir: str, data_root: str, datasets: dict[str, str]) -> None:
        self._root = Path(studies_dir)
        self._data_root = data_root
        self._datasets = datasets
        self._files: dict[str, str] = {}
        for design in STUDIES:
            folder = self._root / design.study_id
            for path in sorted(folder.glob("data_*.txt")):
                self._files[f"{design.study_id}/{path.name}"] = self._describe_file(path)

    def _describe_file(self, path: Path) -> str:
        header, rows = _read_table(path)
        where = f"{self._data_root}/{path.parent.name}/{path.name}"
        if path.name == "data_cna.txt":
            genes = [r[0] for r in rows]
            return (
                f"{where}: {len(rows)} genes x {len(header) - 2} samples; columns Hugo_Symbol, "
                f"Entrez_Gene_Id, then one per SAMPLE_ID. Genes: {', '.join(genes)}"
            )
        lines = [f"{where}: {len(rows)} rows; columns:"]
        for i, name in enumerate(header):
            lines.append(_column_summary(name, [r[i] if i < len(r) else "" for r in rows]))
        return "\n".join(lines)

    def _overview(self) -> str:
        studies = ", ".join(s.study_id for s in STUDIES)
        return (
            f"Package datasets: {', '.join(DATASETS)}. Synthetic studies under {self._data_root}: "
            f"{studies}. Ask for a dataset or study name, or for <study>/<file>."
        )

    def answer(self, query: str) -> str:
        q = query.strip().strip("`'\"")
        if not q:
            return self._overview()
        if q in self._datasets:
            return self._datasets[q]
        if q in DATASETS:
            return f"{q}: load it with {DATASETS[q].module}.{DATASETS[q].loader}()"
        study = q.rstrip("/").split("/")[-1] if q.startswith(self._data_root) else q.rstrip("/")
        if study in {s.study_id for s in STUDIES}:
            files = [k.split("/", 1)[1] for k in self._files if k.startswith(study + "/")]
            return (
                f"{study} ({self._data_root}/{study}): files {', '.join(files)}, meta_*.txt, "
                f"case_lists/. Ask for {study}/<file> to see its columns."
            )
        key = q.removeprefix(self._data_root + "/")
        if key in self._files:
            return self._files[key]
        for name, text in self._files.items():
            if name.endswith("/" + key) or name.replace("data_", "").startswith(
                key.replace("data_", "")
            ):
                return text
        choices = [*DATASETS, *(s.study_id for s in STUDIES), *self._files]
        close = difflib.get_close_matches(q, choices, n=3, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        return f"No dataset, study or file matches {query!r}.{hint} {self._overview()}"
