"""The outcomes the ``mlpred`` suites predict or derive, and how questions state them.

The set follows the benchmark tasks of MIMIC-Extract (Wang et al., ACM CHIL
2020: in-hospital and ICU mortality, ICU stay longer than 3 and 7 days,
vasopressor and ventilation onsets) and EHRSHOT's operational outcomes
(Wornow et al., arXiv 2307.02028: long stay, 30-day readmission), plus
30-day mortality, discharge to a care facility and a three-class discharge
disposition. Each :class:`Outcome` carries the exact definition over the
MIMIC-III tables that :func:`arollout.tasks.mlpred.reference.stay_labels`
implements, so a prediction task says what its label means and a
label-derivation task can be checked row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from arollout.tasks.mlpred.reference import FACILITIES, VASOPRESSORS, VENTILATION

__all__ = (
    "DEMO_LABELLED",
    "LABELLED",
    "OUTCOMES",
    "Outcome",
    "PREDICTED",
    "outcome",
)


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """One outcome of an ICU stay.

    Attributes:
        name: the key of the label (``Record.labels``, file names, task ids).
        category: the task category of its prediction tasks.
        kind: ``binary`` (0/1, graded by AUROC) or ``multiclass`` (graded by accuracy).
        text: the definition, with ``{window}`` and ``{horizon}`` placeholders.
        horizon: hours after the prediction time (onsets only).
    """

    name: str
    category: str
    kind: Literal["binary", "multiclass"] = "binary"
    text: str
    horizon: int = 0

    @property
    def base(self) -> str:
        """The outcome without its horizon (what ``stay_labels`` is asked for)."""
        return self.name.rsplit("_", 1)[0] if self.horizon else self.name

    def definition(self, window: int) -> str:
        return self.text.format(window=window, horizon=self.horizon, end=window + self.horizon)


_FACILITIES = ", ".join(f"'{f}'" for f in FACILITIES)
_VASO = ", ".join(map(str, VASOPRESSORS))
_VENT = ", ".join(map(str, VENTILATION))


def _onset(kind: str, horizon: int) -> Outcome:
    if kind == "vaso":
        what = (
            "a vasopressor is started within {horizon} hours after the prediction time and none "
            "was given before it: the stay's first inputevents_cv row with a vasopressor item "
            f"(itemid {_VASO}: norepinephrine, phenylephrine, vasopressin, epinephrine, dopamine)"
        )
    else:
        what = (
            "mechanical ventilation starts within {horizon} hours after the prediction time and "
            "had not started before it: the stay's first chartevents row with a ventilator-setting "
            f"item (itemid {_VENT}: PEEP set, tidal volume set)"
        )
    return Outcome(
        name=f"{kind}_onset_{horizon}",
        category=f"{kind}_onset",
        horizon=horizon,
        text=what + " has a charttime in [intime + {window} h, intime + {end} h)",
    )


OUTCOMES: Final[tuple[Outcome, ...]] = (
    Outcome(
        name="mort_hosp",
        category="mort_hosp",
        text="the patient dies during this hospital admission (its discharge_location is 'dead/expired')",
    ),
    Outcome(
        name="mort_icu",
        category="mort_icu",
        text=(
            "the patient dies in the ICU: the admission ends in death (discharge_location "
            "'dead/expired') and its dischtime is at most 6 hours after the ICU stay's outtime"
        ),
    ),
    Outcome(
        name="mort_30d",
        category="mort_30d",
        text=(
            "the patient dies within 30 days of ICU admission, in or out of hospital: "
            "patients.dod is set and its date is no later than the date of intime + 30 days"
        ),
    ),
    Outcome(
        name="los_icu_3",
        category="los_icu_3",
        text="the ICU stay lasts more than 3 days (outtime - intime > 72 hours)",
    ),
    Outcome(
        name="los_icu_7",
        category="los_icu_7",
        text="the ICU stay lasts more than 7 days (outtime - intime > 168 hours)",
    ),
    Outcome(
        name="los_hosp_10",
        category="los_hosp_10",
        text="the hospital admission lasts more than 10 days (dischtime - admittime > 240 hours)",
    ),
    Outcome(
        name="readmit_30",
        category="readmit_30",
        text=(
            "the patient survives the admission and is admitted again within 30 days: another "
            "admission of the same subject_id has an admittime after this dischtime and at most "
            "30 days after it (in-hospital deaths count as 0)"
        ),
    ),
    Outcome(
        name="discharge_facility",
        category="discharge_facility",
        text=(
            f"the patient is discharged alive to a care facility (discharge_location {_FACILITIES}); "
            "deaths and every other discharge count as 0"
        ),
    ),
    Outcome(
        name="disposition",
        category="disposition",
        kind="multiclass",
        text=(
            "one of three classes: 'died' (discharge_location 'dead/expired'), 'facility' "
            f"(discharge_location {_FACILITIES}) or 'home' (any other discharge_location)"
        ),
    ),
    *(_onset(kind, h) for kind in ("vaso", "vent") for h in (12, 24)),
)
"""Every outcome, in the suite's order."""

PREDICTED: Final = OUTCOMES
"""The outcomes of the prediction tasks on the synthetic cohorts."""

LABELLED: Final = OUTCOMES
"""The outcomes of the label-derivation tasks on complete synthetic cohorts."""

DEMO_LABELLED: Final = tuple(o for o in OUTCOMES if not o.horizon)
"""The demo's label-derivation outcomes (its ``chartevents`` has no ventilator items)."""


def outcome(name: str) -> Outcome:
    return next(o for o in OUTCOMES if o.name == name)
