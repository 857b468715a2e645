"""Every family of the suite, and building their instances once, with a cache.

:data:`FAMILIES` lists the families in category order.

The cache file is keyed by :data:`GENERATOR_VERSION`, the options and a hash
of this package's source, so editing a family rebuilds it and nothing stale is
ever served. Files are written to a temporary name and renamed, so concurrent
builders (several workers, several engines) never read a half-written cache.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

import msgspec

from arollout.tasks.base import Task
from arollout.tasks.biocoder import (
    fam_align,
    fam_cluster,
    fam_codon,
    fam_codon_stats,
    fam_composition,
    fam_coverage,
    fam_distance,
    fam_fasta,
    fam_filters,
    fam_gff,
    fam_image,
    fam_interval,
    fam_kmer,
    fam_kmer_graph,
    fam_motif,
    fam_objects,
    fam_orf,
    fam_phylo,
    fam_profile,
    fam_quality,
    fam_sam,
    fam_sam_depth,
    fam_sequence,
    fam_tree,
    fam_vcf,
)
from arollout.tasks.biocoder.instances import build_family

if TYPE_CHECKING:
    from collections.abc import Sequence

    from arollout.tasks.biocoder.family import Family

__all__ = (
    "BuildStats",
    "FAMILIES",
    "GENERATOR_VERSION",
    "build_tasks",
    "cache_path",
    "family",
    "load_tasks",
)

GENERATOR_VERSION: Final = 1
_log = logging.getLogger(__name__)

FAMILIES: Final[tuple[Family, ...]] = (
    *fam_sequence.FAMILIES,
    *fam_orf.FAMILIES,
    *fam_composition.FAMILIES,
    *fam_codon.FAMILIES,
    *fam_codon_stats.FAMILIES,
    *fam_kmer.FAMILIES,
    *fam_kmer_graph.FAMILIES,
    *fam_fasta.FAMILIES,
    *fam_quality.FAMILIES,
    *fam_sam.FAMILIES,
    *fam_sam_depth.FAMILIES,
    *fam_vcf.FAMILIES,
    *fam_gff.FAMILIES,
    *fam_interval.FAMILIES,
    *fam_coverage.FAMILIES,
    *fam_align.FAMILIES,
    *fam_distance.FAMILIES,
    *fam_motif.FAMILIES,
    *fam_profile.FAMILIES,
    *fam_phylo.FAMILIES,
    *fam_cluster.FAMILIES,
    *fam_tree.FAMILIES,
    *fam_image.FAMILIES,
    *fam_objects.FAMILIES,
    *fam_filters.FAMILIES,
)


def family(name: str) -> Family:
    """The family called ``name``."""
    for fam in FAMILIES:
        if fam.name == name:
            return fam
    raise KeyError(name)

_DECODER: Final = msgspec.msgpack.Decoder(list[Task])
_ENCODER: Final = msgspec.msgpack.Encoder()


class BuildStats(msgspec.Struct, frozen=True, kw_only=True):
    """What one build produced (per family: kept and dropped parameter sets)."""

    kept: dict[str, int]
    dropped: dict[str, int]
    seconds: float


def _source_digest() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(here.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_path(cache_dir: str | os.PathLike[str] | None, *, per_family: int, seed: int) -> Path:
    """Where the tasks for these options are cached."""
    root = Path(
        cache_dir
        if cache_dir is not None
        else os.environ.get("AROLLOUT_CACHE", Path.home() / ".cache" / "arollout")
    )
    name = f"tasks-v{GENERATOR_VERSION}-f{per_family}-s{seed}-{_source_digest()}.msgpack"
    return root / "biocoder" / name


def build_tasks(
    *, per_family: int, seed: int, families: Sequence[Family] = FAMILIES
) -> tuple[list[Task], BuildStats]:
    """Every instance of ``families`` (in family order) and the build statistics."""
    t0 = time.perf_counter()
    tasks: list[Task] = []
    kept: dict[str, int] = {}
    dropped: dict[str, int] = {}
    for family in families:
        made, lost = build_family(family, per_family=per_family, seed=seed)
        tasks.extend(made)
        kept[family.name] = len(made)
        dropped[family.name] = lost
    return tasks, BuildStats(kept=kept, dropped=dropped, seconds=time.perf_counter() - t0)


def _drop_stale(path: Path) -> None:
    """Remove caches of these options built by other versions of the source (each is
    megabytes, and a changed family never reads them again)."""
    head = path.name.rsplit("-", 1)[0]
    for other in path.parent.glob(f"{head}-*.msgpack"):
        if other != path:
            other.unlink(missing_ok=True)


def load_tasks(
    *, per_family: int, seed: int, cache_dir: str | os.PathLike[str] | None = None
) -> tuple[Task, ...]:
    """The suite's tasks, from the cache when it holds them, else built and cached."""
    path = cache_path(cache_dir, per_family=per_family, seed=seed)
    try:
        return tuple(_DECODER.decode(path.read_bytes()))
    except (OSError, msgspec.DecodeError):
        pass
    tasks, stats = build_tasks(per_family=per_family, seed=seed)
    _log.info("built %d biocoder tasks in %.1f s", len(tasks), stats.seconds)
    blob = _ENCODER.encode(tasks)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        os.replace(tmp, path)
        _drop_stale(path)
    except OSError as exc:  # a read-only cache only costs a rebuild next time
        _log.warning("could not cache biocoder tasks at %s: %s", path, exc)
    # Served as decoded from the cache (tuples in meta become lists), so a fresh build
    # and a cached one are indistinguishable.
    return tuple(_DECODER.decode(blob))
