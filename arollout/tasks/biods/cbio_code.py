"""Shared code and text for the families on synthetic cBioPortal studies.

Reference solutions read the study files the way an analyst would (pandas,
``comment="#"`` to skip the metadata rows), keep non-silent mutations,
derive sample- and patient-level mutation status, and parse the ``0:``/``1:``
survival status prefixes. Questions spell out the same definitions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.biods.cbio_genes import STUDIES, study_design
from arollout.tasks.biods.cbio_synth import NON_SILENT

if TYPE_CHECKING:
    from arollout.tasks.biods.cbio_genes import StudyDesign

__all__ = (
    "CLINICAL_GROUPS",
    "NON_SILENT_TEXT",
    "QUESTION_ROOT",
    "all_studies",
    "cna_lines",
    "design_of",
    "gene_pairs",
    "group_filter_lines",
    "group_text",
    "load_lines",
    "mutated_patients_lines",
    "mutated_samples_lines",
    "patient_groups",
    "study_text",
    "survival_lines",
)

NON_SILENT_TEXT: Final = (
    "a non-silent mutation is a row of data_mutations.txt whose Variant_Classification is one of "
    + ", ".join(NON_SILENT)
)

CLINICAL_GROUPS: Final = ("SEX", "STAGE", "SMOKING_HISTORY", "CANCER_TYPE_DETAILED")


def design_of(p: dict[str, Any]) -> StudyDesign:
    return study_design(p["study"])


QUESTION_ROOT: Final = "/data/biods"
"""The studies' folder as questions name it; the build rewrites it to the suite's ``data_root``."""


def study_text(p: dict[str, Any], root: str = QUESTION_ROOT) -> str:
    d = design_of(p)
    return (
        f"Use the synthetic cBioPortal study `{d.study_id}` ({d.name}) in `{root}/{d.study_id}/` "
        "(files described in the instructions)."
    )


def load_lines(p: dict[str, Any], root: str, parts: tuple[str, ...], *imports: str) -> list[str]:
    """Imports, the study path and the requested tables (non-silent mutations only)."""
    lines = [
        "import pandas as pd",
        *imports,
        "",
        f"STUDY = {root.rstrip('/') + '/' + p['study']!r}",
    ]
    if "patients" in parts:
        lines.append(
            'patients = pd.read_csv(f"{STUDY}/data_clinical_patient.txt", sep="\\t", comment="#")'
        )
    if "samples" in parts:
        lines.append(
            'samples = pd.read_csv(f"{STUDY}/data_clinical_sample.txt", sep="\\t", comment="#")'
        )
    if "mutations" in parts:
        lines += [
            'mutations = pd.read_csv(f"{STUDY}/data_mutations.txt", sep="\\t", comment="#")',
            f"NON_SILENT = {list(NON_SILENT)!r}",
            'mutations = mutations[mutations["Variant_Classification"].isin(NON_SILENT)]',
        ]
    if "cna" in parts:
        lines.append(
            'cna = pd.read_csv(f"{STUDY}/data_cna.txt", sep="\\t", index_col="Hugo_Symbol")'
            '.drop(columns="Entrez_Gene_Id")'
        )
    return lines


def mutated_samples_lines(gene: str, name: str = "mutated_samples") -> list[str]:
    return [
        f'{name} = set(mutations.loc[mutations["Hugo_Symbol"] == {gene!r}, "Tumor_Sample_Barcode"])'
    ]


def mutated_patients_lines(gene: str, name: str = "mutated") -> list[str]:
    """Add a 0/1 column ``name`` to ``patients``: any sample of the patient mutated in ``gene``."""
    return [
        *mutated_samples_lines(gene, "_samples"),
        '_patients = set(samples.loc[samples["SAMPLE_ID"].isin(_samples), "PATIENT_ID"])',
        f'patients[{name!r}] = patients["PATIENT_ID"].isin(_patients).astype(int)',
    ]


def survival_lines(endpoint: str = "OS", frame: str = "patients", out: str = "surv") -> list[str]:
    """``out``: patients with the endpoint known, with numeric ``time`` and 0/1 ``event``."""
    return [
        f'{out} = {frame}.dropna(subset=["{endpoint}_MONTHS", "{endpoint}_STATUS"]).copy()',
        f'{out}["time"] = {out}["{endpoint}_MONTHS"].astype(float)',
        f'{out}["event"] = {out}["{endpoint}_STATUS"].str.startswith("1:").astype(int)',
    ]


def cna_lines(gene: str, value: int, name: str = "cna_altered") -> list[str]:
    return [f"{name} = set(cna.columns[cna.loc[{gene!r}] == {value}])"]


def gene_pairs(design: StudyDesign) -> list[tuple[str, str]]:
    genes = design.genes
    return [(a, b) for i, a in enumerate(genes) for b in genes[i + 1 :]]


def patient_groups(design: StudyDesign) -> list[list[Any] | None]:
    """The whole cohort, then clinical subgroups (patient- or sample-level attributes)."""
    out: list[list[Any] | None] = [None, ["SEX", "Female"], ["SEX", "Male"]]
    out += [["STAGE", s] for s in ("I", "II", "III", "IV")]
    if design.smoking:
        out += [["SMOKING_HISTORY", s] for s in ("Never", "Former", "Current")]
    out += [["CANCER_TYPE_DETAILED", name] for name, _, _ in design.subtypes]
    return out


def group_filter_lines(group: list[Any] | None, frame: str = "patients") -> list[str]:
    """Restrict ``frame`` (patient rows) to a clinical subgroup."""
    if group is None:
        return []
    column, value = group
    if column == "CANCER_TYPE_DETAILED":
        return [
            f'_ids = set(samples.loc[samples["CANCER_TYPE_DETAILED"] == {value!r}, "PATIENT_ID"])',
            f'{frame} = {frame}[{frame}["PATIENT_ID"].isin(_ids)]',
        ]
    return [f"{frame} = {frame}[{frame}[{column!r}] == {value!r}]"]


def group_text(group: list[Any] | None) -> str:
    if group is None:
        return "Use all patients."
    column, value = group
    if column == "CANCER_TYPE_DETAILED":
        return f"Use only patients with a sample whose CANCER_TYPE_DETAILED is {value!r}."
    return f"Use only patients whose {column} is {value!r}."


def all_studies() -> tuple[StudyDesign, ...]:
    return STUDIES
