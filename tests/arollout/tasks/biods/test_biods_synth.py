"""Synthetic cBioPortal studies: deterministic bytes, valid format, the designed structure."""

from __future__ import annotations

import csv
import hashlib
import math
import statistics
from typing import TYPE_CHECKING

import pytest

from arollout.tasks.biods import STUDIES, build_studies
from arollout.tasks.biods.cbio_genes import study_design
from arollout.tasks.biods.cbio_synth import NON_SILENT, generate_study

if TYPE_CHECKING:
    from pathlib import Path


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter="\t") if not r[0].startswith("#")]
    header = rows[0]
    return header, [dict(zip(header, r, strict=True)) for r in rows[1:]]


@pytest.fixture(scope="module")
def studies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_studies(0, tmp_path_factory.mktemp("studies"))


def test_same_seed_same_bytes_other_seed_other_data(
    studies: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    again = build_studies(0, tmp_path_factory.mktemp("again"))
    assert again != studies and _digests(again) == _digests(studies)
    other = build_studies(1, tmp_path_factory.mktemp("other"))
    ours, theirs = _digests(studies), _digests(other)
    assert ours.keys() == theirs.keys()
    assert (
        ours["luad_synth_2024/data_mutations.txt"] != theirs["luad_synth_2024/data_mutations.txt"]
    )
    assert build_studies(0, studies.parent.parent) == studies  # served from the cache


def test_files_follow_the_cbioportal_format(studies: Path) -> None:
    for design in STUDIES:
        folder = studies / design.study_id
        lines = (folder / "data_clinical_patient.txt").read_text().splitlines()
        assert all(line.startswith("#") for line in lines[:4])
        assert lines[2].lstrip("#").split("\t")[:2] == ["STRING", "NUMBER"]
        assert lines[4].split("\t")[0] == "PATIENT_ID"
        _, patients = _table(folder / "data_clinical_patient.txt")
        assert {p["OS_STATUS"] for p in patients} <= {"1:DECEASED", "0:LIVING", "NA"}
        assert {p["PFS_STATUS"] for p in patients} <= {
            "1:Recurred/Progressed",
            "0:DiseaseFree",
            "NA",
        }
        for p in patients:
            if p["OS_MONTHS"] != "NA":
                assert 0 < float(p["PFS_MONTHS"]) <= float(p["OS_MONTHS"])
        _, samples = _table(folder / "data_clinical_sample.txt")
        ids = {s["SAMPLE_ID"] for s in samples}
        assert {s["PATIENT_ID"] for s in samples} == {p["PATIENT_ID"] for p in patients}
        assert (folder / "data_mutations.txt").read_text().startswith("#version 2.4\nHugo_Symbol\t")
        _, muts = _table(folder / "data_mutations.txt")
        assert {m["Tumor_Sample_Barcode"] for m in muts} <= ids
        assert any(m["Variant_Classification"] == "Silent" for m in muts)
        header, cna = _table(folder / "data_cna.txt")
        assert header[:2] == ["Hugo_Symbol", "Entrez_Gene_Id"]
        assert set(header[2:]) < ids  # some samples have no copy-number profile
        assert {r["Hugo_Symbol"] for r in cna} == set(design.genes)
        assert {v for r in cna for k, v in r.items() if k in ids} <= {"-2", "-1", "0", "1", "2"}
        case_ids = (folder / "case_lists/cases_cna.txt").read_text().split("case_list_ids: ")[1]
        assert set(case_ids.split()) == set(header[2:])


def test_generation_is_a_pure_function_of_design_and_seed() -> None:
    design = study_design("paad_synth_2024")
    a, b = generate_study(design, 3), generate_study(design, 3)
    assert [m.protein_change for m in a.mutations] == [m.protein_change for m in b.mutations]
    assert [p.os_months for p in a.patients] == [p.os_months for p in b.patients]
    assert [p.os_months for p in a.patients] != [
        p.os_months for p in generate_study(design, 4).patients
    ]


def _status(seed: int, study: str) -> tuple[list[set[str]], list[float | None]]:
    records = generate_study(study_design(study), seed)
    by_patient: dict[str, set[str]] = {p.patient_id: set() for p in records.patients}
    for m in records.mutations:
        if m.classification in NON_SILENT:
            by_patient[m.patient_id].add(m.gene.symbol)
    return list(by_patient.values()), [p.os_months for p in records.patients]


@pytest.mark.parametrize("seed", [0, 1])
def test_designed_exclusivity_and_survival_effects_show_in_the_data(seed: int) -> None:
    genes, _ = _status(seed, "skcm_synth_2023")
    n = len(genes)
    braf = sum("BRAF" in g for g in genes) / n
    nras = sum("NRAS" in g for g in genes) / n
    both = sum({"BRAF", "NRAS"} <= g for g in genes) / n
    assert both < 0.5 * braf * nras  # designed as mutually exclusive
    genes, months = _status(seed, "gbm_synth_2021")
    idh = [m for g, m in zip(genes, months, strict=True) if m is not None and "IDH1" in g]
    wild = [m for g, m in zip(genes, months, strict=True) if m is not None and "IDH1" not in g]
    assert statistics.median(idh) > statistics.median(wild)  # IDH1 is protective by design


def test_rates_roughly_follow_the_design() -> None:
    design = study_design("coadread_synth_2023")
    genes, _ = _status(0, design.study_id)
    for driver in design.drivers:
        observed = sum(driver.symbol in g for g in genes) / len(genes)
        sd = math.sqrt(driver.rate * (1 - driver.rate) / len(genes))
        assert abs(observed - driver.rate) < 5 * sd + 0.06, driver.symbol


def test_bytes_do_not_depend_on_the_interpreter_hash_seed(tmp_path: Path) -> None:
    """Set iteration order follows ``PYTHONHASHSEED``; the data must not."""
    import os
    import subprocess
    import sys

    script = (
        "import hashlib, sys\n"
        "from arollout.tasks.biods.cbio_genes import STUDIES\n"
        "from arollout.tasks.biods.cbio_format import write_study\n"
        "from arollout.tasks.biods.cbio_synth import generate_study\n"
        "from pathlib import Path\n"
        "out = Path(sys.argv[1])\n"
        "for d in STUDIES[:3]:\n"
        "    write_study(generate_study(d, 0), out / d.study_id)\n"
    )
    digests = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-c", script, str(out)], env=env, check=True)
        digests.append(_digests(out))
    assert digests[0] == digests[1]
