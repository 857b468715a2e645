"""Every MIMIC-III-schema question template, in the suite's stable order.

The templates live in four modules by subject (stays, coded events,
measurements, orders); this one only puts them in order and checks, at
import, that names are unique (a name is part of every task id).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.mimic.templates_codes import CODE_TEMPLATES
from arollout.tasks.mimic.templates_measures import MEASURE_TEMPLATES
from arollout.tasks.mimic.templates_orders import ORDER_TEMPLATES
from arollout.tasks.mimic.templates_stays import STAY_TEMPLATES

if TYPE_CHECKING:
    from arollout.tasks.ehr.templates import Template

__all__ = ("CATEGORIES", "TEMPLATES")

TEMPLATES: Final[tuple[Template, ...]] = (
    *STAY_TEMPLATES,
    *CODE_TEMPLATES,
    *MEASURE_TEMPLATES,
    *ORDER_TEMPLATES,
)

CATEGORIES: Final[tuple[str, ...]] = tuple(dict.fromkeys(t.category for t in TEMPLATES))

_names = [t.name for t in TEMPLATES]
if len(set(_names)) != len(_names):  # pragma: no cover - a programming error
    raise RuntimeError("duplicate MIMIC-III template names")
