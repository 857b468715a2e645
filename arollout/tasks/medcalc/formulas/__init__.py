"""The calculators: typed pure functions, each citing its published source.

Layout (one clinical area per module):

* ``body``: BMI, BSA (Mosteller, DuBois), ideal and adjusted weight, MAP, 4-2-1 fluids.
* ``renal``: Cockcroft-Gault, CKD-EPI 2021, MDRD.
* ``electrolytes``: anion/delta gaps and ratios (plain and albumin-corrected),
  osmolality and osmolal gap, corrected calcium and sodium, free water deficit.
* ``qtc``: Bazett, Fridericia, Framingham, Hodges, Rautaharju.
* ``metabolic``: Friedewald LDL, HOMA-IR, FENa, FIB-4.
* ``cardiac``: CHA2DS2-VASc, HAS-BLED, HEART, Wells PE/DVT, PERC, RCRI.
* ``acute``: CURB-65, Centor/McIsaac, qSOFA, SIRS, GCS, Glasgow-Blatchford.
* ``organ``: SOFA, Child-Pugh, MELD-Na, Charlson.
* ``dosing``: morphine milligram equivalents, steroid conversion.
* ``pregnancy``: due date, conception date, gestational age.

Functions only call each other and ``math``/``datetime``, so a reference
solution can carry a calculator's source with its dependencies
(:data:`REGISTRY` is what that emitter resolves names against).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.medcalc.formulas import (
    acute,
    body,
    cardiac,
    dosing,
    electrolytes,
    metabolic,
    organ,
    pregnancy,
    qtc,
    renal,
)

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ("MODULES", "REGISTRY")

MODULES: Final[tuple[ModuleType, ...]] = (
    body,
    renal,
    electrolytes,
    qtc,
    metabolic,
    cardiac,
    acute,
    organ,
    dosing,
    pregnancy,
)


def _registry() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for module in MODULES:
        for name in module.__all__:
            if name in found:  # pragma: no cover - a naming mistake caught at import
                raise ImportError(f"formula name {name!r} is defined twice")
            found[name] = getattr(module, name)
    return found


REGISTRY: Final[dict[str, Any]] = _registry()
"""Every public function, constant and type alias of the formula modules, by name."""
