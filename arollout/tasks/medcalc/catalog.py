"""Every calculator spec of the suite, in category order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.medcalc.specs_acute import ACUTE_SPECS
from arollout.tasks.medcalc.specs_body import BODY_SPECS
from arollout.tasks.medcalc.specs_cardiac import CARDIAC_SPECS
from arollout.tasks.medcalc.specs_chemistry import CHEMISTRY_SPECS
from arollout.tasks.medcalc.specs_misc import MISC_SPECS
from arollout.tasks.medcalc.specs_organ import ORGAN_SPECS

if TYPE_CHECKING:
    from arollout.tasks.medcalc.spec import Spec

__all__ = ("SPECS", "SPECS_BY_KEY")

SPECS: Final[tuple[Spec, ...]] = (
    *BODY_SPECS,
    *CHEMISTRY_SPECS,
    *MISC_SPECS,
    *CARDIAC_SPECS,
    *ACUTE_SPECS,
    *ORGAN_SPECS,
)
"""All calculators; each is one task category."""

SPECS_BY_KEY: Final[dict[str, Spec]] = {spec.key: spec for spec in SPECS}
if len(SPECS_BY_KEY) != len(SPECS):  # pragma: no cover - caught at import
    raise ImportError("two medcalc specs share a key")
