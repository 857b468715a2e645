"""Open datasets: where they are installed and how ``arollout data fetch`` gets them.

Layout:

* ``sources``: :data:`DATASETS` (the MIMIC-III and eICU-CRD demos on
  PhysioNet), :func:`data_root` / :func:`dataset_dir` (where suites look) and
  :class:`DataMissingError` (raised by suites, naming the fetch command).
* ``fetch``: :func:`fetch`, a checksum-verified download or local copy into
  the data root.

The project never ships these files: they are ODbL-licensed and users fetch
them once.
"""

from __future__ import annotations

from arollout.data.fetch import (
    FetchReport as FetchReport,
    fetch as fetch,
    parse_checksums as parse_checksums,
    verify_folder as verify_folder,
)
from arollout.data.sources import (
    DATASETS as DATASETS,
    DataMissingError as DataMissingError,
    Dataset as Dataset,
    data_root as data_root,
    dataset_dir as dataset_dir,
    get_dataset as get_dataset,
)

__all__ = (
    "DATASETS",
    "DataMissingError",
    "Dataset",
    "FetchReport",
    "data_root",
    "dataset_dir",
    "fetch",
    "get_dataset",
    "parse_checksums",
    "verify_folder",
)
