"""The open datasets ``arollout data fetch`` knows, and where they are installed.

Each :class:`Dataset` names a PhysioNet open-access project (ODbL 1.0), the
folder it is installed as, and the tables the suites read. The install root
is ``$AROLLOUT_DATA`` when set, else ``data/`` under the arollout cache
(``$AROLLOUT_CACHE`` or ``~/.cache/arollout``); every suite that reads a demo
looks there by default, so ``arollout data fetch mimic-iii-demo`` once is all
a fresh machine needs.

Installed folders hold one gzip-compressed CSV per table
(``ADMISSIONS.csv.gz``, ``patient.csv.gz``), the licence and readme, and a
``SHA256SUMS`` of the installed files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final, final

from arollout.errors import TaskError

__all__ = ("DATASETS", "DataMissingError", "Dataset", "data_root", "dataset_dir", "get_dataset")


@final
@dataclass(frozen=True, kw_only=True)
class Dataset:
    """One fetchable dataset.

    Attributes:
        name: what ``arollout data fetch NAME`` accepts.
        folder: the installed folder's name under the data root.
        title: for messages.
        url: the PhysioNet files base URL (ends with ``/``); the file list and
            digests come from its ``SHA256SUMS.txt``.
        page: the human-readable project page.
        tables: file stems the suites read (``ADMISSIONS``, ``patient``); a
            fetch fails unless every one is present and verified.
        licence: the data licence.
    """

    name: str
    folder: str
    title: str
    url: str
    page: str
    tables: tuple[str, ...]
    licence: str = "ODbL-1.0"


DATASETS: Final[dict[str, Dataset]] = {
    "mimic-iii-demo": Dataset(
        name="mimic-iii-demo",
        folder="mimic-iii-demo-1.4",
        title="MIMIC-III Clinical Database Demo 1.4",
        url="https://physionet.org/files/mimiciii-demo/1.4/",
        page="https://physionet.org/content/mimiciii-demo/1.4/",
        tables=(
            "ADMISSIONS",
            "CALLOUT",
            "CAREGIVERS",
            "CHARTEVENTS",
            "CPTEVENTS",
            "D_CPT",
            "D_ICD_DIAGNOSES",
            "D_ICD_PROCEDURES",
            "D_ITEMS",
            "D_LABITEMS",
            "DATETIMEEVENTS",
            "DIAGNOSES_ICD",
            "DRGCODES",
            "ICUSTAYS",
            "INPUTEVENTS_CV",
            "INPUTEVENTS_MV",
            "LABEVENTS",
            "MICROBIOLOGYEVENTS",
            "OUTPUTEVENTS",
            "PATIENTS",
            "PRESCRIPTIONS",
            "PROCEDUREEVENTS_MV",
            "PROCEDURES_ICD",
            "SERVICES",
            "TRANSFERS",
        ),  # fmt: skip
    ),
    "eicu-demo": Dataset(
        name="eicu-demo",
        folder="eicu-demo-2.0",
        title="eICU Collaborative Research Database Demo 2.0",
        url="https://physionet.org/files/eicu-crd-demo/2.0/",
        page="https://physionet.org/content/eicu-crd-demo/2.0/",
        tables=(
            "admissiondrug",
            "admissiondx",
            "allergy",
            "diagnosis",
            "hospital",
            "intakeoutput",
            "medication",
            "microlab",
            "patient",
            "treatment",
            "vitalaperiodic",
        ),  # fmt: skip
    ),
}
"""Fetchable datasets by name."""


class DataMissingError(TaskError):
    """A dataset a suite needs is not installed; the message says how to get it."""

    def __init__(self, name: str, detail: str = "") -> None:
        self.dataset = name
        spec = DATASETS.get(name)
        what = spec.title if spec else name
        where = f" ({detail})" if detail else ""
        super().__init__(
            f"the {what} is not installed{where}; run 'arollout data fetch {name}' to download "
            f"it (open access, ODbL), or 'arollout data fetch {name} --from DIR' to install a "
            "local copy, or pass the suite option data_dir=DIR"
        )


def get_dataset(name: str) -> Dataset:
    spec = DATASETS.get(name)
    if spec is None:
        raise TaskError(f"unknown dataset {name!r}; known: {', '.join(sorted(DATASETS))}")
    return spec


def data_root() -> Path:
    """``$AROLLOUT_DATA``, else ``$AROLLOUT_CACHE/data``, else ``~/.cache/arollout/data``."""
    data = os.environ.get("AROLLOUT_DATA")
    if data:
        return Path(data)
    cache = os.environ.get("AROLLOUT_CACHE")
    return (Path(cache) if cache else Path.home() / ".cache" / "arollout") / "data"


def _has_tables(folder: Path, tables: tuple[str, ...]) -> bool:
    return all(
        (folder / f"{t}.csv.gz").is_file() or (folder / f"{t}.csv").is_file() for t in tables
    )


def dataset_dir(name: str, root: str | os.PathLike[str] | None = None) -> Path:
    """The installed folder of dataset ``name``.

    Raises:
        DataMissingError: it is not installed under ``root`` (default :func:`data_root`).
    """
    spec = get_dataset(name)
    folder = (Path(root) if root is not None else data_root()) / spec.folder
    if not _has_tables(folder, spec.tables):
        raise DataMissingError(name, f"looked in {folder}")
    return folder
