"""Built EHR databases: one directory per (family, version, parameters), built once.

Every EHR suite grades against a database it built itself (from a seed, or
from a public demo folder), so the database is part of the ground truth: the
same parameters must always give the same bytes, and a reader must never see
half a database. :func:`build_cached` gives both guarantees for any family:

* the directory is ``<cache>/<family>/<key>/`` where ``key`` hashes the
  family, its generator version and its parameters (:func:`database_key`);
* the caller's ``write`` function fills a temporary sibling directory, the
  digests and row counts go into ``manifest.json``, and the directory is
  renamed into place, so two processes building the same key at once both end
  up using one complete copy.

The directory holds only what agents may read (it is mounted read-only into
sandboxes): never write answers or task files into it. Task caches live
*beside* it (see :mod:`arollout.tasks.ehr.cache`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, final

import msgspec

from arollout.errors import TaskError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = (
    "CURRENT_TIME",
    "DB_FILENAME",
    "DatabaseLike",
    "EhrDatabase",
    "MANIFEST",
    "build_cached",
    "database_key",
    "default_cache_root",
    "family_dir",
)

CURRENT_TIME: Final = "2105-12-31 23:59:00"
"""The fixed "now" of every EHR question, as in EHRSQL's evaluator
(``glee4810/EHRSQL``, ``evaluate.py``); never SQLite's ``CURRENT_TIME`` keyword."""

DB_FILENAME: Final = "ehr.sqlite"
MANIFEST: Final = "manifest.json"


class DatabaseLike(Protocol):
    """What suites need of a built database (``EhrDatabase`` and ``ehr-demo``'s own)."""

    @property
    def directory(self) -> str: ...

    @property
    def key(self) -> str: ...

    @property
    def sqlite_path(self) -> str: ...

    @property
    def row_counts(self) -> dict[str, int]: ...


@final
class EhrDatabase(msgspec.Struct, frozen=True, kw_only=True):
    """A built database directory: ``ehr.sqlite``, CSV copies of its tables, a manifest.

    Attributes:
        directory: the folder to mount read-only into sandboxes.
        family: what kind of database (``mimic-iii-synthetic``, ``treqs-demo``...).
        key: the cache key (family, version and parameters hashed).
        version: the generator version it was built with.
        params: the parameters it was built from (seed, size, source digests).
        row_counts: rows per table.
        sha256: digest of each file in the directory.
    """

    directory: str
    family: str
    key: str
    version: int
    params: dict[str, Any]
    row_counts: dict[str, int]
    sha256: dict[str, str]

    @property
    def sqlite_path(self) -> str:
        return str(Path(self.directory) / DB_FILENAME)


def database_key(family: str, version: int, params: Mapping[str, Any]) -> str:
    """Stable cache key of a database (16 hex digits); ``params`` must be JSON."""
    blob = json.dumps([family, version, dict(params)], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def default_cache_root() -> Path:
    """``$AROLLOUT_CACHE`` when set, else ``~/.cache/arollout``."""
    env = os.environ.get("AROLLOUT_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "arollout"


def family_dir(family: str, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the databases of ``family`` live under the cache root."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_root()
    return root / family


def build_cached(
    family: str,
    version: int,
    params: Mapping[str, Any],
    write: Callable[[Path], dict[str, int]],
    cache_dir: str | os.PathLike[str] | None = None,
) -> EhrDatabase:
    """Return the database of ``(family, version, params)``, building it on first use.

    Args:
        family: the database family (a directory name under the cache root).
        version: the family's generator version; bump it whenever rows change.
        params: everything the rows depend on (JSON-serialisable).
        write: fills the directory it is given (at least ``ehr.sqlite``) and
            returns the row count of every table.
        cache_dir: cache root; defaults to :func:`default_cache_root`.

    Raises:
        TaskError: the cache directory cannot be written.
    """
    key = database_key(family, version, params)
    final_dir = family_dir(family, cache_dir) / key
    manifest = final_dir / MANIFEST
    if manifest.is_file():
        return msgspec.json.decode(manifest.read_bytes(), type=EhrDatabase)
    try:
        final_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=final_dir.parent))
    except OSError as exc:
        raise TaskError(
            f"cannot write the {family} cache under {final_dir.parent}: {exc}; "
            "set AROLLOUT_CACHE or the suite's cache_dir option"
        ) from exc
    try:
        row_counts = write(tmp)
        digests = {p.name: _sha256(p) for p in sorted(tmp.iterdir()) if p.is_file()}
        db = EhrDatabase(
            directory=str(final_dir),
            family=family,
            key=key,
            version=version,
            params=dict(params),
            row_counts=dict(row_counts),
            sha256=digests,
        )
        (tmp / MANIFEST).write_bytes(msgspec.json.format(msgspec.json.encode(db)))
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700; sandboxes read it as another uid
        for path in tmp.iterdir():
            os.chmod(path, 0o644)
        try:
            os.rename(tmp, final_dir)
        except OSError:
            if not manifest.is_file():  # not a lost race: a real failure
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return msgspec.json.decode(manifest.read_bytes(), type=EhrDatabase)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
