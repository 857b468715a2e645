"""Building blocks shared by the package-data families: variant spaces, code and text.

Every family that analyses a packaged dataset starts the same way: load it
through its package, maybe restrict it to a subgroup, derive a grouping
column, drop rows with missing values in the columns used. These helpers
write that part of the question and of the reference solution from the same
parameters, so the two always describe the same analysis.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from arollout.tasks.biods.packaged import (
    SURVIVAL,
    binary_of,
    dataset,
    load_lines,
    subset_lines,
    subset_text,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from arollout.tasks.biods.packaged import Binary, Dataset

__all__ = (
    "binary_groups",
    "combos",
    "covariates",
    "ds_of",
    "encode_lines",
    "group_text",
    "prelude",
    "prelude_text",
    "subgroups",
    "survival_sets",
)


def survival_sets() -> tuple[Dataset, ...]:
    return SURVIVAL


def subgroups(ds: Dataset, exclude: Sequence[str] = ()) -> list[list[Any] | None]:
    """The whole data, then each level of each binary column (except ``exclude``)."""
    out: list[list[Any] | None] = [None]
    for b in ds.binaries:
        if b.column not in exclude:
            out.extend([[b.column, b.positive], [b.column, b.negative]])
    return out


def covariates(ds: Dataset) -> list[str]:
    """Columns usable as model covariates: binaries first, then numeric columns."""
    return [b.column for b in ds.binaries] + [c for c in ds.numeric if c != "target"]


def combos(items: Sequence[str], sizes: Sequence[int]) -> Iterator[list[str]]:
    for size in sizes:
        for combo in itertools.combinations(items, size):
            yield list(combo)


def _derived(ds: Dataset, columns: Sequence[str]) -> list[str]:
    return [lv.derive for lv in ds.levels if lv.derive and lv.column in columns]


def encode_lines(ds: Dataset, columns: Sequence[str]) -> list[str]:
    """Recode binary columns not already 0/1 as 1 = positive level, 0 = other."""
    lines = []
    for column in columns:
        b = next((b for b in ds.binaries if b.column == column), None)
        if b is not None and (b.positive, b.negative) != (1, 0):
            lines.append(b.encode_line())
    return lines


def _encode_text(ds: Dataset, columns: Sequence[str]) -> str:
    parts = []
    for column in columns:
        b = next((b for b in ds.binaries if b.column == column), None)
        if b is not None and (b.positive, b.negative) != (1, 0):
            parts.append(b.encode_text())
    return f" Encode {', '.join(parts)}." if parts else ""


def prelude(
    ds: Dataset,
    sub: list[Any] | None,
    columns: Sequence[str],
    *,
    imports: Sequence[str] = (),
    encode: Sequence[str] = (),
) -> list[str]:
    """Imports, loading, subgroup, derived columns, complete cases on ``columns``."""
    derived = _derived(ds, columns)
    if any("pd." in line for line in derived) and "import pandas as pd" not in imports:
        imports = ("import pandas as pd", *imports)
    lines = [*imports, *load_lines(ds), *derived, *subset_lines(sub)]
    used = list(dict.fromkeys([*((ds.duration, ds.event) if ds.survival else ()), *columns]))
    lines.append(f"df = df.dropna(subset={used!r})")
    lines.extend(encode_lines(ds, encode))
    return lines


def prelude_text(
    ds: Dataset, sub: list[Any] | None, columns: Sequence[str] = (), *, encode: Sequence[str] = ()
) -> str:
    """The question's data paragraph matching :func:`prelude`."""
    derived = [lv.derive_text for lv in ds.levels if lv.derive and lv.column in columns]
    text = f"Use {ds.load_text()}"
    if derived:
        text += " Derive " + "; ".join(derived) + "."
    text += f" {subset_text(sub)} Drop rows with a missing value in any column the analysis uses."
    return text + _encode_text(ds, encode)


def binary_groups(ds: Dataset, column: str) -> tuple[Binary, str]:
    b = binary_of(ds, column)
    return b, group_text(ds, column)


def group_text(ds: Dataset, column: str) -> str:
    """ "group A (`col` == x) versus group B (`col` == y)" for a binary column."""
    from arollout.tasks.biods.family import fmt

    b = binary_of(ds, column)
    return (
        f"group A = rows with `{column}` == {fmt(b.positive)}, "
        f"group B = rows with `{column}` == {fmt(b.negative)}"
    )


def ds_of(params: dict[str, Any]) -> Dataset:
    return dataset(params["ds"])
