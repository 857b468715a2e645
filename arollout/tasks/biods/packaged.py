"""Real datasets that ship inside installed packages, and how code loads them.

Nothing here is copied into the project: tasks name a loader of an installed
package and every run (the reference on the host, the agent in the sandbox)
reads the data from that package at run time.

* lifelines (MIT; ``lifelines/datasets/*.csv``, loaders in
  ``lifelines.datasets``): ``rossi`` (Rossi et al. 1980 recidivism trial),
  ``lung`` (NCCTG advanced lung cancer, from R ``survival``), ``gbsg2``
  (German Breast Cancer Study Group 2, from R ``TH.data``),
  ``kidney_transplant`` and ``larynx`` (Klein & Moeschberger, R ``KMsurv``),
  ``waltons`` (lifelines' fly lifetimes), ``leukemia`` (Freireich et al.
  1963), ``lymphoma`` (Kardaun 1983), ``lymph_node`` (GBSG-2 with dates and
  overall survival), ``psychiatric_patients`` and ``regression_dataset``.
* scikit-learn (BSD-3-Clause; ``sklearn/datasets/data``): the Wisconsin
  diagnostic breast cancer data (``load_breast_cancer``) and the diabetes
  progression data of Efron et al. 2004 (``load_diabetes(scaled=False)``).

The suite never copies these files: the tasks name a package loader, and
both the reference run on the host and the agent in the sandbox read the
installed package (the venv is visible read-only inside the sandbox). The
lifelines CSVs come from R packages (``survival``, ``TH.data``, ``KMsurv``,
``carData``) and the scikit-learn ones from the UCI repository and Efron et
al.; their terms travel with the installed packages.

A :class:`Dataset` records the columns the families may use: binary
groupings (with which value is the "positive" one), multi-level groupings,
numeric columns and, for survival data, the duration and event columns, the
time unit and a few time points inside the follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from arollout.tasks.biods.family import fmt

__all__ = (
    "DATASETS",
    "SURVIVAL",
    "TABULAR",
    "Binary",
    "Dataset",
    "Levels",
    "binary_of",
    "dataset",
    "load_lines",
    "subset_lines",
    "subset_text",
)


@dataclass(frozen=True, slots=True)
class Binary:
    """A two-valued column; ``positive`` is the level coded 1 / listed first."""

    column: str
    positive: Any
    negative: Any

    def encode_line(self, frame: str = "df") -> str:
        """Recode the column in place as 1 for ``positive`` and 0 otherwise."""
        return f"{frame}[{self.column!r}] = ({frame}[{self.column!r}] == {self.positive!r}).astype(int)"

    def encode_text(self) -> str:
        return f"`{self.column}` as 1 where it equals {fmt(self.positive)} and 0 otherwise"


@dataclass(frozen=True, slots=True)
class Levels:
    """A grouping with three or more levels (``derive``: code that makes the column)."""

    column: str
    values: tuple[Any, ...]
    derive: str = ""
    derive_text: str = ""


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset shipped with an installed package."""

    key: str
    package: str
    loader: str
    title: str
    frame: str = ""
    duration: str = ""
    event: str = ""
    unit: str = ""
    binaries: tuple[Binary, ...] = ()
    levels: tuple[Levels, ...] = ()
    numeric: tuple[str, ...] = ()
    times: tuple[float, ...] = ()

    @property
    def survival(self) -> bool:
        return bool(self.duration)

    def load_text(self) -> str:
        """How the question tells the agent to load it."""
        call = f"{self.loader}({self.frame_args})" + (".frame" if self.frame else "")
        text = (
            f"the `{self.key}` dataset ({self.title}) shipped with {self.package}: "
            f"`from {self.module} import {self.loader}`, then `df = {call}`"
        )
        if self.survival:
            text += (
                f". Duration column `{self.duration}` (in {self.unit}), event indicator "
                f"`{self.event}` (1 = event observed, 0 = censored)"
            )
        return text + "."

    @property
    def module(self) -> str:
        return "lifelines.datasets" if self.package == "lifelines" else "sklearn.datasets"

    @property
    def frame_args(self) -> str:
        if self.key == "breast_cancer":
            return "as_frame=True"
        if self.key == "diabetes":
            return "as_frame=True, scaled=False"
        return ""


def _s(
    key: str, loader: str, title: str, duration: str, event: str, unit: str, **kw: Any
) -> Dataset:
    return Dataset(
        key=key,
        package="lifelines",
        loader=loader,
        title=title,
        duration=duration,
        event=event,
        unit=unit,
        **kw,
    )


SURVIVAL: Final[tuple[Dataset, ...]] = (
    _s(
        "rossi",
        "load_rossi",
        "recidivism of released prisoners",
        "week",
        "arrest",
        "weeks",
        binaries=(
            Binary("fin", 1, 0),
            Binary("race", 1, 0),
            Binary("wexp", 1, 0),
            Binary("mar", 1, 0),
            Binary("paro", 1, 0),
        ),
        numeric=("age", "prio"),
        times=(10.0, 20.0, 30.0, 40.0, 50.0),
    ),
    _s(
        "lung",
        "load_lung",
        "NCCTG advanced lung cancer",
        "time",
        "status",
        "days",
        binaries=(Binary("sex", 2, 1),),
        levels=(Levels("ph.ecog", (0.0, 1.0, 2.0)),),
        numeric=("age", "ph.karno", "pat.karno", "meal.cal", "wt.loss"),
        times=(180.0, 365.0, 540.0, 730.0),
    ),
    _s(
        "gbsg2",
        "load_gbsg2",
        "German Breast Cancer Study Group 2, recurrence-free survival",
        "time",
        "cens",
        "days",
        binaries=(Binary("horTh", "yes", "no"), Binary("menostat", "Post", "Pre")),
        levels=(Levels("tgrade", ("I", "II", "III")),),
        numeric=("age", "tsize", "pnodes", "progrec", "estrec"),
        times=(365.0, 730.0, 1095.0, 1460.0, 1825.0),
    ),
    _s(
        "kidney_transplant",
        "load_kidney_transplant",
        "kidney transplant recipients",
        "time",
        "death",
        "days",
        binaries=(
            Binary("black_male", 1, 0),
            Binary("white_male", 1, 0),
            Binary("black_female", 1, 0),
        ),
        numeric=("age",),
        times=(365.0, 730.0, 1095.0, 1825.0, 2555.0),
    ),
    _s(
        "larynx",
        "load_larynx",
        "larynx cancer patients",
        "time",
        "death",
        "years",
        binaries=(Binary("Stage_II", 1, 0), Binary("Stage_III", 1, 0), Binary("Stage_IV", 1, 0)),
        levels=(
            Levels(
                "stage",
                (1, 2, 3, 4),
                derive='df["stage"] = 1 + df["Stage_II"] + 2 * df["Stage_III"] + 3 * df["Stage_IV"]',
                derive_text="`stage` = 1 + Stage_II + 2*Stage_III + 3*Stage_IV (stage I to IV)",
            ),
        ),
        numeric=("age",),
        times=(1.0, 2.0, 3.0, 5.0),
    ),
    _s(
        "waltons",
        "load_waltons",
        "fly lifetimes under two treatments",
        "T",
        "E",
        "days",
        binaries=(Binary("group", "miR-137", "control"),),
        times=(20.0, 40.0, 55.0, 60.0),
    ),
    _s(
        "leukemia",
        "load_leukemia",
        "remission times of leukemia patients",
        "t",
        "status",
        "weeks",
        binaries=(Binary("Rx", 1, 0), Binary("sex", 1, 0)),
        numeric=("logWBC",),
        times=(5.0, 10.0, 15.0, 20.0),
    ),
    _s(
        "lymphoma",
        "load_lymphoma",
        "lymphoma patients by stage group",
        "Time",
        "Censor",
        "days",
        binaries=(Binary("Stage_group", 2, 1),),
        times=(50.0, 100.0, 150.0, 200.0),
    ),
    _s(
        "lymph_node",
        "load_lymph_node",
        "GBSG-2 breast cancer, overall survival",
        "survtime",
        "censdead",
        "days",
        binaries=(Binary("menopause", 2, 1), Binary("hormone", 2, 1)),
        levels=(Levels("grade", (1, 2, 3)),),
        numeric=("age", "size", "nodes", "prog_recp", "estrg_recp"),
        times=(730.0, 1095.0, 1460.0, 1825.0),
    ),
    _s(
        "psychiatric_patients",
        "load_psychiatric_patients",
        "psychiatric inpatients",
        "T",
        "C",
        "years",
        binaries=(Binary("sex", 2, 1),),
        numeric=("Age",),
        times=(10.0, 20.0, 30.0),
    ),
    _s(
        "regression_dataset",
        "load_regression_dataset",
        "lifelines' simulated regression data",
        "T",
        "E",
        "time units",
        numeric=("var1", "var2", "var3"),
        times=(5.0, 10.0, 15.0),
    ),
)

_BC_FEATURES: Final = tuple(
    f"{stat} {name}"
    for stat in ("mean", "worst")
    for name in (
        "radius",
        "texture",
        "perimeter",
        "area",
        "smoothness",
        "compactness",
        "concavity",
        "concave points",
        "symmetry",
        "fractal dimension",
    )
) + tuple(
    f"{name} error"
    for name in (
        "radius",
        "texture",
        "perimeter",
        "area",
        "smoothness",
        "compactness",
        "concavity",
        "concave points",
        "symmetry",
        "fractal dimension",
    )
)

TABULAR: Final[tuple[Dataset, ...]] = (
    Dataset(
        key="breast_cancer",
        package="scikit-learn",
        loader="load_breast_cancer",
        title="Wisconsin diagnostic breast cancer; target 0 = malignant, 1 = benign",
        frame="frame",
        binaries=(Binary("target", 0, 1),),
        numeric=_BC_FEATURES,
    ),
    Dataset(
        key="diabetes",
        package="scikit-learn",
        loader="load_diabetes",
        title="diabetes progression one year after baseline, unscaled features; `target` is the progression measure",
        frame="frame",
        binaries=(Binary("sex", 2.0, 1.0),),
        levels=(
            Levels(
                "age_group",
                ("<40", "40-59", ">=60"),
                derive='df["age_group"] = pd.cut(df["age"], [0, 40, 60, 200], right=False, labels=["<40", "40-59", ">=60"]).astype(str)',
                derive_text=(
                    "`age_group` from `age`: '<40' for age < 40, '40-59' for 40 <= age < 60, "
                    "'>=60' for age >= 60"
                ),
            ),
        ),
        numeric=("age", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "target"),
    ),
)

DATASETS: Final[dict[str, Dataset]] = {d.key: d for d in (*SURVIVAL, *TABULAR)}


def dataset(key: str) -> Dataset:
    return DATASETS[key]


def binary_of(ds: Dataset, column: str) -> Binary:
    """The :class:`Binary` spec of ``column`` in ``ds``."""
    return next(b for b in ds.binaries if b.column == column)


def load_lines(ds: Dataset) -> list[str]:
    """Source lines that import the loader and bind the data to ``df``."""
    lines = [f"from {ds.module} import {ds.loader}", ""]
    if ds.frame:
        lines.append(f"df = {ds.loader}({ds.frame_args}).frame")
    else:
        lines.append(f"df = {ds.loader}()")
    return lines


def subset_lines(sub: list[Any] | None) -> list[str]:
    """Filter ``df`` to rows where column == value (nothing for the whole data)."""
    if not sub:
        return []
    column, value = sub
    return [f"df = df[df[{column!r}] == {value!r}]"]


def subset_text(sub: list[Any] | None) -> str:
    if not sub:
        return "Use all rows."
    column, value = sub
    return f"Use only the rows where `{column}` == {fmt(value)}."
