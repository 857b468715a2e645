"""``arollout data fetch``: the local copy path, the download path, checksums, the CLI."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from arollout.cli import main
from arollout.data import (
    DATASETS,
    DataMissingError,
    dataset_dir,
    fetch,
    parse_checksums,
    verify_folder,
)
from arollout.errors import TaskError

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def _fake_project(root: Path, *, corrupt: str | None = None) -> Path:
    """A PhysioNet-like eICU demo folder: plain CSVs, a LICENSE and SHA256SUMS.txt."""
    root.mkdir(parents=True)
    lines = []
    for table in DATASETS["eicu-demo"].tables:
        data = f"patientunitstayid,value\n1,{table}\n".encode()
        (root / f"{table}.csv").write_bytes(data)
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {table}.csv")
    (root / "LICENSE.txt").write_text("ODbL")
    lines.append(f"{hashlib.sha256(b'ODbL').hexdigest()}  LICENSE.txt")
    if corrupt:
        (root / corrupt).write_bytes(b"tampered")
    (root / "SHA256SUMS.txt").write_text("\n".join(lines) + "\n")
    return root


def test_copy_from_the_shared_demo_verifies_every_file(tmp_path: Path) -> None:
    source = SHARED / "mimic-iii-demo-1.4"
    report = fetch("mimic-iii-demo", source=source, dest=tmp_path)
    listed = parse_checksums((source / "SHA256SUMS").read_text())
    assert (
        report.method == "copy"
        and report.verified == len(listed) == report.files
        and not report.warnings
    )
    installed = dataset_dir("mimic-iii-demo", tmp_path)
    assert installed == tmp_path / "mimic-iii-demo-1.4"
    assert (installed / "ADMISSIONS.csv.gz").read_bytes() == (
        source / "ADMISSIONS.csv.gz"
    ).read_bytes()
    assert verify_folder(installed) == report.files + 0
    assert fetch("mimic-iii-demo", dest=tmp_path).method == "present"  # nothing downloaded


def test_download_checks_digests_and_gzips_tables(tmp_path: Path) -> None:
    project = _fake_project(tmp_path / "physionet")
    report = fetch("eicu-demo", dest=tmp_path / "data", url=project.as_uri() + "/")
    assert report.method == "download" and report.verified == report.files == 12
    folder = tmp_path / "data" / "eicu-demo-2.0"
    assert (
        gzip.decompress((folder / "patient.csv.gz").read_bytes())
        == b"patientunitstayid,value\n1,patient\n"
    )
    assert not (folder / "patient.csv").exists() and (folder / "LICENSE.txt").is_file()
    again = fetch("eicu-demo", dest=tmp_path / "data2", url=project.as_uri() + "/")
    assert (tmp_path / "data2" / "eicu-demo-2.0" / "patient.csv.gz").read_bytes() == (
        folder / "patient.csv.gz"
    ).read_bytes()
    assert again.files == report.files


def test_a_bad_digest_installs_nothing(tmp_path: Path) -> None:
    project = _fake_project(tmp_path / "physionet", corrupt="diagnosis.csv")
    with pytest.raises(TaskError, match="SHA-256"):
        fetch("eicu-demo", dest=tmp_path / "data", url=project.as_uri() + "/")
    with pytest.raises(TaskError, match="SHA-256"):
        fetch("eicu-demo", source=project, dest=tmp_path / "data")
    assert not (tmp_path / "data" / "eicu-demo-2.0").exists()
    assert [p.name for p in (tmp_path / "data").iterdir()] == []  # no temporary folder left


def test_missing_tables_and_unknown_datasets(tmp_path: Path) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "patient.csv.gz").write_bytes(gzip.compress(b"a\n1\n"))
    with pytest.raises(TaskError, match="lacks tables"):
        fetch("eicu-demo", source=partial, dest=tmp_path / "data")
    with pytest.raises(TaskError, match="unknown dataset"):
        fetch("mimic-iv-demo", dest=tmp_path)
    with pytest.raises(DataMissingError, match="arollout data fetch eicu-demo"):
        dataset_dir("eicu-demo", tmp_path / "data")


def test_cli_data_fetch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _fake_project(tmp_path / "local")
    assert (
        main(["data", "fetch", "eicu-demo", "--from", str(project), "--dest", str(tmp_path / "d")])
        == 0
    )
    assert '"method": "copy"' in capsys.readouterr().out
    assert (
        main(
            [
                "data",
                "fetch",
                "eicu-demo",
                "--from",
                str(tmp_path / "nope"),
                "--dest",
                str(tmp_path / "d"),
            ]
        )
        == 2
    )
    assert "not a directory" in capsys.readouterr().err
