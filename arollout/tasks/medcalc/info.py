"""``request_info`` for the medcalc suite: what a calculator needs, without running code.

Agents may ask about a calculator ("cockcroft", "HAS-BLED", "qtc"), about the
unit conversions the suite uses ("units", "creatinine"), or for the list of
calculators ("calculators"). Answers name inputs, units and the published
source; they never include a task's gold value. The index is built once from
the specs and formula docstrings.
"""

from __future__ import annotations

import difflib
import inspect
import re
from typing import TYPE_CHECKING, Final

from arollout.tasks.medcalc.catalog import SPECS
from arollout.tasks.medcalc.units import MEASURES

if TYPE_CHECKING:
    from arollout.tasks.medcalc.spec import Spec

__all__ = ("CalculatorIndex",)

_HELP: Final = (
    "Ask about a calculator by name (e.g. 'CKD-EPI', 'Wells PE', 'QTc Bazett'), about a "
    "measurement's units (e.g. 'creatinine', 'units'), or 'calculators' for the full list."
)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def _describe(spec: Spec) -> str:
    doc = inspect.getdoc(spec.func) or ""
    parameters = ", ".join(inspect.signature(spec.func).parameters)
    lines = [f"{spec.title} (category {spec.key})", f"inputs: {parameters}", doc]
    if spec.rules:
        lines.append(f"rules used by this suite: {spec.rules}")
    return "\n".join(lines)


def _units(key: str) -> str:
    measure = MEASURES[key]
    canonical = measure.units[0].symbol or "(unitless)"
    others = []
    for unit in measure.units[1:]:
        if unit.offset:
            others.append(f"{unit.symbol} (C = (F - 32) x 5/9)")
        elif unit.scale < 1.0:
            others.append(f"{unit.symbol} (divide by {1 / unit.scale:.6g} for {canonical})")
        elif unit.scale != 1.0:
            others.append(f"{unit.symbol} (multiply by {unit.scale:.6g} for {canonical})")
        else:
            others.append(unit.symbol)
    names = ", ".join(measure.labels)
    return f"{names}: calculators take {canonical}" + (
        f"; notes may use {', '.join(others)}" if others else ""
    )


class CalculatorIndex:
    """Lookups over the suite's calculators and measures."""

    def __init__(self) -> None:
        self._specs: dict[str, Spec] = {}
        for spec in SPECS:
            for name in (spec.key, spec.title, spec.func.__name__):
                self._specs[_norm(name)] = spec
        self._measures = {
            _norm(label): key for key, m in MEASURES.items() for label in (key, *m.labels)
        }

    def answer(self, query: str) -> str:
        q = _norm(query)
        if not q:
            return _HELP
        if q in ("calculators", "list", "help"):
            return "\n".join(f"- {s.title} ({s.key})" for s in SPECS)
        if q in ("units", "conversions"):
            return "\n".join(_units(key) for key in MEASURES)
        if q in self._measures:
            return _units(self._measures[q])
        if q in self._specs:
            return _describe(self._specs[q])
        hits = [s for name, s in self._specs.items() if q in name]
        if not hits:
            close = difflib.get_close_matches(
                q, list(self._specs) + list(self._measures), n=3, cutoff=0.6
            )
            hits = [self._specs[c] for c in close if c in self._specs]
            if not hits and close:
                return _units(self._measures[close[0]])
        if hits:
            unique = list(dict.fromkeys(hits))
            if len(unique) == 1:
                return _describe(unique[0])
            return "Several calculators match: " + ", ".join(f"{s.title} ({s.key})" for s in unique)
        return f"Nothing matches {query!r}. {_HELP}"
