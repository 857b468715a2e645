"""One mention at a time: a true statement drawn from an admission's records, or an
inconsistent one made from it by a known change.

Every maker takes the note's :class:`Context` and a *mode*: ``ok`` (quote a
record as it is), ``neg`` (deny an item the admission never had), or one of
the injected inconsistencies of :data:`MODES`:

* ``value``: a lab, vital or output value changed by 10-30 % (same decimals);
* ``dose`` / ``route``: a prescription's dose or route replaced by another
  one the drug is given with elsewhere;
* ``time``: a reading moved by 45 minutes to 6 hours, a prescription start,
  a culture or an admission/discharge date by 1-3 days, an ICU admission by
  2-10 hours;
* ``extra``: a drug, diagnosis, procedure or lab result the admission does
  not have, quoted like a real one;
* ``missing``: a recorded lab test, drug, diagnosis or culture denied.

A maker returns ``None`` when the admission has nothing to work with; the
caller tries another slot. Whether a draft really is (in)consistent is
decided later by the claim's query, not here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from arollout.tasks.ehrcon.facts import fmt_value

if TYPE_CHECKING:
    import random
    from collections.abc import Callable, Sequence

    from arollout.tasks.ehrcon.facts import Admission, Catalog, IcuStay, Reading

__all__ = (
    "Context",
    "Draft",
    "MAKERS",
    "MODES",
)

MODES: Final = ("value", "dose", "route", "time", "extra", "missing")

_ROUTES: Final = {
    "po": ("ng", "iv"), "iv": ("po", "im"), "sc": ("iv", "im"), "ih": ("neb", "po"),
    "pr": ("po",), "iv drip": ("iv",), "ng": ("po",), "im": ("iv", "sc"), "sl": ("po",),
}  # fmt: skip
"""Plausible other routes of a route, for drugs the database gives by one route only."""


class Draft(NamedTuple):
    """A mention before it is tagged: the claim's kind and parameters, what to print."""

    kind: str
    negated: bool
    params: dict[str, Any]
    show: dict[str, Any]


@dataclass
class Context:
    """What one note is written from, and the names it has already used."""

    adm: Admission
    catalog: Catalog
    rng: random.Random
    stay: IcuStay | None = None
    window: tuple[str, str] | None = None  # nursing shift [start, end) minutes
    used: set[tuple[str, str]] = field(default_factory=set)

    def free(self, domain: str, name: str) -> bool:
        return (domain, name) not in self.used

    def take(self, domain: str, name: str) -> None:
        self.used.add((domain, name))


def _minutes(text: str, delta: int) -> str:
    return (dt.datetime.fromisoformat(text) + dt.timedelta(minutes=delta)).strftime(
        "%Y-%m-%d %H:%M"
    )


def _days(text: str, delta: int) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=delta)).isoformat()


def _decimals(value: float) -> int:
    text = fmt_value(value)
    return len(text.split(".")[1]) if "." in text else 0


def _changed(rng: random.Random, value: float, unit: str) -> float:
    d = _decimals(value)
    step = max(10.0**-d, round(abs(value) * rng.uniform(0.1, 0.3), d))
    sign = rng.choice((-1, 1))
    new = round(value + sign * step, d)
    if new <= 0 or (unit == "%" and new > 100):
        new = round(value - sign * step, d)
    return new if new > 0 else round(value + step, d)


def _pick(
    rng: random.Random, items: Sequence[Any], key: Callable[[Any], str], ctx: Context, domain: str
) -> Any:
    options = [x for x in items if ctx.free(domain, key(x))]
    return rng.choice(options) if options else None


def _in_window(ctx: Context, readings: Sequence[Reading]) -> list[Reading]:
    if ctx.window is None:
        return list(readings)
    start, end = ctx.window
    return [r for r in readings if start <= r.time < end]


def _reading(ctx: Context, mode: str, kind: str) -> Draft | None:
    rng = ctx.rng
    if kind == "lab":
        pool = _in_window(ctx, ctx.adm.labs) or ctx.adm.labs
        ids: dict[str, Any] = {"hadm": ctx.adm.hadm_id}
    else:
        if ctx.stay is None:
            return None
        source = ctx.stay.vitals if kind == "vital" else ctx.stay.outputs
        pool = _in_window(ctx, source) if ctx.window else source
        ids = {"stay": ctx.stay.icustay_id}
    if mode == "extra":
        if kind != "lab" or ctx.window is None:
            return None
        had = {r.label for r in ctx.adm.labs}
        label = _pick(rng, [x for x in ctx.catalog.labs if x not in had], str, ctx, "lab")
        if label is None:
            return None
        median, unit = ctx.catalog.labs[label]
        d = _decimals(median)
        value = round(median * rng.uniform(0.8, 1.2), d) or median
        start = dt.datetime.fromisoformat(ctx.window[0])
        time = (start + dt.timedelta(minutes=rng.randrange(12 * 60))).strftime("%Y-%m-%d %H:%M")
        ctx.take("lab", label)
        return Draft("lab", False, {**ids, "label": label, "time": time, "value": value},
                     {"label": label, "time": time, "value": value, "unit": unit})  # fmt: skip
    r = _pick(rng, pool, lambda x: f"{x.label}|{x.time}", ctx, kind)
    if r is None or mode not in ("ok", "value", "time"):
        return None
    ctx.take(kind, f"{r.label}|{r.time}")
    if kind == "lab":
        ctx.take("lab", r.label)
    value, time = r.value, r.time
    if mode == "value":
        value = _changed(rng, r.value, r.unit)
    elif mode == "time":
        delta = rng.choice((-1, 1)) * rng.randint(45, 360)
        time = _minutes(r.time, delta)
        if ctx.window and not (ctx.window[0] <= time < ctx.window[1]):
            time = _minutes(r.time, -delta)
    params = {**ids, "label": r.label, "time": time, "value": value}
    return Draft(
        kind, False, params, {"label": r.label, "time": time, "value": value, "unit": r.unit}
    )


def _drug(ctx: Context, mode: str) -> Draft | None:
    rng, adm, cat = ctx.rng, ctx.adm, ctx.catalog
    first, last = adm.admit[:10], (adm.disch or adm.admit)[:10]
    if ctx.window is not None:  # a shift note knows the orders up to the end of its shift
        last = min(last, ctx.window[1][:10])
    if mode == "extra":
        had = {rx.drug for rx in adm.drugs}
        drug = _pick(rng, [d for d in cat.drugs if d not in had], str, ctx, "drug")
        if drug is None:
            return None
        dose, unit, route = cat.drugs[drug]
        span = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days
        date = _days(first, rng.randint(0, max(0, span)))
        ctx.take("drug", drug)
        rx = (drug, dose, unit, route, date)
    else:
        pool = [rx for rx in adm.drugs if rx.date <= last]
        chosen = _pick(rng, pool, lambda x: x.drug, ctx, "drug")
        if chosen is None or mode not in ("ok", "dose", "route", "time"):
            return None
        ctx.take("drug", chosen.drug)
        drug, dose, unit, route, date = chosen
        same = [rx for rx in adm.drugs if rx.drug == drug]  # a change must not land on one of these
        if mode == "dose":
            taken = {rx.dose for rx in same if (rx.unit, rx.route, rx.date) == (unit, route, date)}
            others = [d for d in cat.doses.get(drug, ()) if d not in taken]
            others = others or [d for d in _scaled(dose) if d not in taken]
            if not others:
                return None
            dose = rng.choice(others)
        elif mode == "route":
            taken = {rx.route for rx in same if (rx.dose, rx.unit, rx.date) == (dose, unit, date)}
            others = [r for r in cat.drug_routes.get(drug, ()) if r not in taken]
            others = others or [r for r in _ROUTES.get(route, ()) if r not in taken]
            if not others:
                return None
            route = rng.choice(others)
        elif mode == "time":
            taken = {rx.date for rx in same if (rx.dose, rx.unit, rx.route) == (dose, unit, route)}
            shift = rng.choice((-1, 1)) * rng.randint(1, 3)
            moves = [_days(date, d) for d in (shift, -shift, 2 * shift, -2 * shift)]
            moves = [m for m in moves if m not in taken and first <= m <= last] or [
                m for m in moves if m not in taken
            ]
            if not moves:
                return None
            date = moves[0]
        rx = (drug, dose, unit, route, date)
    keys = ("drug", "dose", "unit", "route", "date")
    params = {"hadm": adm.hadm_id, **dict(zip(keys, rx, strict=True))}
    return Draft("drug", False, params, dict(zip(keys, rx, strict=True)))


def _scaled(dose: str) -> list[str]:
    try:
        value = float(dose)
    except ValueError:
        return []
    return [f"{v:g}" for v in (value * 2, value / 2) if v > 0 and f"{v:g}" != dose]


def _denial(ctx: Context, mode: str, domain: str) -> Draft | None:
    """``neg``: deny an item the admission never had; ``missing``: deny one it has."""
    rng, adm, cat = ctx.rng, ctx.adm, ctx.catalog
    recorded: dict[str, list[str]] = {
        "lab": sorted({r.label for r in adm.labs}),
        "drug": sorted({rx.drug for rx in adm.drugs}),
        "diagnosis": sorted({t[1] for t in adm.diagnoses}),
        "culture": sorted({spec for spec, _ in adm.cultures}),
    }
    known: dict[str, list[str]] = {
        "lab": list(cat.labs),
        "drug": list(cat.drugs),
        "diagnosis": [t[1] for t in cat.diagnoses],
        "culture": list(cat.specimens),
    }
    if mode == "missing":
        pool = recorded[domain]
    elif mode == "neg":
        had = set(recorded[domain]) | (
            {s for t in adm.diagnoses for s in t} if domain == "diagnosis" else set()
        )
        pool = [x for x in known[domain][:60] if x not in had]
    else:
        return None
    # Weigh against the frequency tell: deny rarely-recorded items that were
    # recorded, and commonly-recorded ones that were not.
    share = cat.presence[domain]
    options = [x for x in pool if ctx.free(domain, x)]
    if not options:
        return None
    weights = [
        (1.05 - share.get(x, 0.0)) if mode == "missing" else (0.05 + share.get(x, 0.0))
        for x in options
    ]
    name = rng.choices(options, weights)[0]
    ctx.take(domain, name)
    kind, key = {"lab": ("lab_any", "label"), "drug": ("drug_any", "drug"),
                 "diagnosis": ("diagnosis", "title"), "culture": ("culture_any", "spec")}[domain]  # fmt: skip
    return Draft(kind, True, {"hadm": adm.hadm_id, key: name}, {key: name})


def _title(ctx: Context, mode: str, kind: str) -> Draft | None:
    rng, adm = ctx.rng, ctx.adm
    own = adm.diagnoses if kind == "diagnosis" else adm.procedures
    if mode == "extra":
        known = ctx.catalog.diagnoses if kind == "diagnosis" else ctx.catalog.procedures
        titles = [t for t in known[:60] if t not in own]
    elif mode == "ok":
        titles = list(own)
    else:
        return None
    title = _pick(rng, titles, lambda t: t[1], ctx, kind)
    if title is None:
        return None
    ctx.take(kind, title[1])
    text = title[0] if rng.random() < 0.4 else title[1]
    return Draft(kind, False, {"hadm": adm.hadm_id, "title": text}, {"title": text})


def _date(ctx: Context, mode: str, kind: str) -> Draft | None:
    adm = ctx.adm
    stamp = adm.admit if kind == "admit" else adm.disch
    if stamp is None or mode not in ("ok", "time") or not ctx.free("date", kind):
        return None
    ctx.take("date", kind)
    date = stamp[:10]
    if mode == "time":
        shift = ctx.rng.randint(1, 3)
        date = _days(date, -shift if kind == "admit" else shift)
    return Draft(kind, False, {"hadm": adm.hadm_id, "date": date}, {"date": date})


def _icu(ctx: Context, mode: str) -> Draft | None:
    stays = [ctx.stay] if ctx.stay is not None else ctx.adm.stays
    if not stays or mode not in ("ok", "time") or not ctx.free("icu", "icu"):
        return None
    ctx.take("icu", "icu")
    stay = stays[0]
    time = stay.intime
    if mode == "time":
        time = _minutes(time, ctx.rng.choice((-1, 1)) * ctx.rng.randint(120, 600))
    return Draft("icu", False, {"hadm": ctx.adm.hadm_id, "unit": stay.unit, "time": time},
                 {"unit": stay.unit, "time": time})  # fmt: skip


def _culture(ctx: Context, mode: str) -> Draft | None:
    if mode not in ("ok", "time"):
        return None
    chosen = _pick(ctx.rng, ctx.adm.cultures, lambda c: c[0], ctx, "culture")
    if chosen is None:
        return None
    ctx.take("culture", chosen[0])
    spec, date = chosen
    if mode == "time":
        taken = {d for s, d in ctx.adm.cultures if s == spec}
        shift = ctx.rng.choice((-1, 1)) * ctx.rng.randint(1, 3)
        moves = [m for m in (_days(date, d) for d in (shift, -shift, 3 * shift)) if m not in taken]
        if not moves:
            return None
        date = moves[0]
    return Draft("culture", False, {"hadm": ctx.adm.hadm_id, "spec": spec, "date": date},
                 {"spec": spec, "date": date})  # fmt: skip


MAKERS: Final[dict[str, Callable[[Context, str], Draft | None]]] = {
    "lab": lambda c, m: _reading(c, m, "lab"),
    "vital": lambda c, m: _reading(c, m, "vital"),
    "output": lambda c, m: _reading(c, m, "output"),
    "drug": _drug,
    "diagnosis": lambda c, m: _title(c, m, "diagnosis"),
    "procedure": lambda c, m: _title(c, m, "procedure"),
    "admit": lambda c, m: _date(c, m, "admit"),
    "discharge": lambda c, m: _date(c, m, "discharge"),
    "icu": _icu,
    "culture": _culture,
    "no_lab": lambda c, m: _denial(c, m, "lab"),
    "no_drug": lambda c, m: _denial(c, m, "drug"),
    "no_diagnosis": lambda c, m: _denial(c, m, "diagnosis"),
    "no_culture": lambda c, m: _denial(c, m, "culture"),
}
"""Slot name -> maker (``maker(context, mode)``)."""
