"""``arollout data fetch``: install a dataset from PhysioNet or from a local folder.

Both paths verify before they install:

* **download**: the project's ``SHA256SUMS.txt`` is read first (PhysioNet
  publishes one per project version, one ``<sha256> <path>`` line per file),
  then every top-level file it lists is streamed and its digest compared;
  a mismatch aborts the fetch;
* **copy** (``--from DIR``, offline): every file listed in the folder's own
  ``SHA256SUMS`` or ``SHA256SUMS.txt`` is checked before it is copied; a
  folder without one is copied with a warning that nothing could be verified.

Tables are installed gzip-compressed (``X.csv`` becomes ``X.csv.gz``, with a
zero timestamp so the bytes are reproducible), into a temporary folder that is
renamed into place, with a fresh ``SHA256SUMS`` of what was installed. A
fetch of a dataset that is already installed and intact does nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, cast, final

import msgspec

from arollout.data.sources import data_root, get_dataset
from arollout.errors import TaskError

if TYPE_CHECKING:
    from collections.abc import Callable

    from arollout.data.sources import Dataset

__all__ = ("FetchReport", "fetch", "parse_checksums", "verify_folder")

_CHUNK: Final = 1 << 20
_SUMS: Final = ("SHA256SUMS", "SHA256SUMS.txt")
_TIMEOUT_S: Final = 60.0


@final
class FetchReport(msgspec.Struct, frozen=True, kw_only=True):
    """What a fetch did (printed by the CLI as JSON)."""

    dataset: str
    folder: str
    method: str  # "download", "copy" or "present"
    files: int
    verified: int
    bytes: int
    warnings: list[str] = []


def parse_checksums(text: str) -> dict[str, str]:
    """``<sha256> [*]<path>`` lines (``sha256sum`` format) -> ``{path: digest}``."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.strip().split(maxsplit=1)
        if len(parts) == 2 and len(parts[0]) == 64:
            out[parts[1].lstrip("*").strip()] = parts[0].lower()
    return out


def _copy_stream(src: IO[bytes], dst: Path, *, compress: bool) -> tuple[str, int]:
    """Copy ``src`` to ``dst`` (gzipped if asked); return the digest and size of ``src``."""
    digest, size = hashlib.sha256(), 0
    with dst.open("wb") as raw:
        out = cast(
            "IO[bytes]",
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) if compress else raw,
        )
        try:
            while block := src.read(_CHUNK):
                digest.update(block)
                size += len(block)
                out.write(block)
        finally:
            if compress:
                out.close()
    return digest.hexdigest(), size


def _target_name(name: str) -> tuple[str, bool]:
    return (f"{name}.gz", True) if name.endswith(".csv") else (name, False)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def verify_folder(folder: Path) -> int:
    """Check every file of ``folder``'s ``SHA256SUMS``; return how many were checked.

    Raises:
        TaskError: a listed file is missing or its digest differs.
    """
    sums = next((folder / n for n in _SUMS if (folder / n).is_file()), None)
    if sums is None:
        raise TaskError(f"{folder} has no SHA256SUMS file")
    listed = parse_checksums(sums.read_text(encoding="utf-8"))
    for name, digest in listed.items():
        path = folder / name
        if not path.is_file():
            raise TaskError(f"{path} is listed in {sums.name} but missing")
        if _sha256(path) != digest:
            raise TaskError(f"{path} does not match its SHA-256 in {sums.name}")
    return len(listed)


def _finish(spec: Dataset, tmp: Path, final: Path) -> None:
    missing = [
        t
        for t in spec.tables
        if not (tmp / f"{t}.csv.gz").is_file() and not (tmp / f"{t}.csv").is_file()
    ]
    if missing:
        raise TaskError(f"the {spec.title} source lacks tables: {', '.join(missing)}")
    lines = [f"{_sha256(p)}  {p.name}\n" for p in sorted(tmp.iterdir()) if p.name not in _SUMS]
    (tmp / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")
    os.chmod(tmp, 0o755)
    if final.exists():
        shutil.rmtree(final)
    os.rename(tmp, final)


def _copy(
    spec: Dataset, source: Path, tmp: Path, report: dict[str, int], warnings: list[str]
) -> None:
    if not source.is_dir():
        raise TaskError(f"--from {source}: not a directory")
    sums = next((source / n for n in _SUMS if (source / n).is_file()), None)
    listed = parse_checksums(sums.read_text(encoding="utf-8")) if sums else {}
    if sums is None:
        warnings.append(f"{source} has no SHA256SUMS: the copy could not be verified")
    for path in sorted(source.iterdir()):
        if not path.is_file() or path.name in _SUMS:
            continue
        name, compress = _target_name(path.name)
        with path.open("rb") as fh:
            digest, size = _copy_stream(fh, tmp / name, compress=compress)
        if path.name in listed:
            if digest != listed[path.name]:
                raise TaskError(f"{path} does not match its SHA-256 in {sums.name if sums else ''}")
            report["verified"] += 1
        report["files"] += 1
        report["bytes"] += size
    absent = sorted(n for n in listed if not (source / n).is_file() and "/" not in n)
    if absent:
        raise TaskError(f"{source} lacks files listed in its checksums: {', '.join(absent)}")


def _download(
    spec: Dataset, base: str, tmp: Path, report: dict[str, int], opener: Callable[..., IO[bytes]]
) -> None:
    with opener(base + "SHA256SUMS.txt", timeout=_TIMEOUT_S) as fh:
        listed = parse_checksums(fh.read().decode("utf-8"))
    if not listed:
        raise TaskError(f"{base}SHA256SUMS.txt lists no files")
    for name, expected in sorted(listed.items()):
        if "/" in name:
            continue  # sub-folders (none in these demos) are not needed by any suite
        target, compress = _target_name(name)
        with opener(base + name, timeout=_TIMEOUT_S) as fh:
            digest, size = _copy_stream(fh, tmp / target, compress=compress)
        if digest != expected:
            raise TaskError(f"{base}{name}: SHA-256 mismatch (corrupt or changed download)")
        report["files"] += 1
        report["verified"] += 1
        report["bytes"] += size


def fetch(
    name: str,
    *,
    source: str | os.PathLike[str] | None = None,
    dest: str | os.PathLike[str] | None = None,
    url: str | None = None,
    opener: Callable[..., IO[bytes]] = urllib.request.urlopen,
) -> FetchReport:
    """Install dataset ``name`` under ``dest`` (default :func:`~arollout.data.data_root`).

    Args:
        name: a dataset of :data:`~arollout.data.DATASETS`.
        source: copy from this local folder instead of downloading.
        dest: the data root to install under.
        url: the files base URL (default: the dataset's PhysioNet URL).
        opener: ``urlopen``-like callable (tests pass a fake).

    Raises:
        TaskError: unknown dataset, unreadable source, a checksum mismatch or a
            missing table (nothing is installed then).
    """
    spec = get_dataset(name)
    root = Path(dest) if dest is not None else data_root()
    final = root / spec.folder
    if source is None and (final / "SHA256SUMS").is_file():
        try:
            checked = verify_folder(final)
        except TaskError:
            pass  # damaged: fetch again
        else:
            return FetchReport(
                dataset=name,
                folder=str(final),
                method="present",
                files=checked,
                verified=checked,
                bytes=0,
            )
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{spec.folder}-", dir=root))
    report = {"files": 0, "verified": 0, "bytes": 0}
    warnings: list[str] = []
    try:
        if source is not None:
            _copy(spec, Path(source), tmp, report, warnings)
        else:
            try:
                _download(spec, url or spec.url, tmp, report, opener)
            except OSError as exc:
                raise TaskError(
                    f"cannot download the {spec.title} from {url or spec.url}: {exc}; "
                    f"download it by hand from {spec.page} and run "
                    f"'arollout data fetch {name} --from DIR'"
                ) from exc
        _finish(spec, tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return FetchReport(
        dataset=name,
        folder=str(final),
        method="copy" if source is not None else "download",
        warnings=warnings,
        **report,
    )
