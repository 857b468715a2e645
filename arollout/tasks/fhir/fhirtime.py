"""FHIR ``date``/``dateTime``/``instant`` values as UTC ranges (stdlib only).

A FHIR date may be partial (``2023``, ``2023-11``, ``2023-11-13``) or a full
date-time that then must carry a time zone (FHIR R4 §2.24.0.1, "Primitive
Types": "If hours and minutes are specified, a time zone SHALL be
populated"). Search (R4 §3.1.1.4.7, ``date`` parameters) compares *ranges*:
``2023-11-13`` stands for the whole day. Everything here turns a value into
the half-open UTC range ``[start, end)`` it denotes, which is what the search
prefixes, the POST validation and the graders compare.

Values without a zone in *search parameters* are read as UTC (the server's
zone); resources posted with a time but no zone are refused by validation.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

__all__ = ("FhirTimeError", "format_instant", "parse_instant", "parse_range")

_PATTERN: Final = re.compile(
    r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,9}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?"
)


class FhirTimeError(ValueError):
    """The text is not a FHIR date or dateTime (the message says why)."""


def _add_months(day: dt.datetime, months: int) -> dt.datetime:
    total = day.month - 1 + months
    return day.replace(year=day.year + total // 12, month=total % 12 + 1)


def parse_range(text: str, *, require_zone: bool = False) -> tuple[dt.datetime, dt.datetime]:
    """The UTC range ``[start, end)`` that ``text`` denotes.

    Args:
        text: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or
            ``YYYY-MM-DDThh:mm[:ss[.fff]][Z|+hh:mm]``.
        require_zone: refuse a value with a time but no zone (resources must
            carry one; search parameters may omit it).

    Raises:
        FhirTimeError: not a date, an impossible date, or a missing zone.
    """
    match = _PATTERN.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise FhirTimeError(f"{text!r} is not a FHIR date or dateTime (YYYY-MM-DDThh:mm:ss+zz:zz)")
    g = match.groupdict()
    try:
        year = int(g["y"])
        if g["m"] is None:
            start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
            return start, start.replace(year=year + 1)
        month = int(g["m"])
        if g["d"] is None:
            start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
            return start, _add_months(start, 1)
        day = int(g["d"])
        if g["H"] is None:
            start = dt.datetime(year, month, day, tzinfo=dt.UTC)
            return start, start + dt.timedelta(days=1)
        if g["tz"] is None and require_zone:
            raise FhirTimeError(f"{text!r} has a time but no time zone (add Z or +00:00)")
        zone = dt.UTC
        if g["tz"] not in (None, "Z"):
            sign = 1 if g["tz"][0] == "+" else -1
            hours, minutes = int(g["tz"][1:3]), int(g["tz"][4:6])
            zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
        fraction = (g["f"] or "").ljust(6, "0")[:6]
        start = dt.datetime(
            year,
            month,
            day,
            int(g["H"]),
            int(g["M"]),
            int(g["S"] or 0),
            int(fraction or 0),
            tzinfo=zone,
        ).astimezone(dt.UTC)
    except ValueError as exc:
        if isinstance(exc, FhirTimeError):
            raise
        raise FhirTimeError(f"{text!r} is not a valid date: {exc}") from None
    if g["S"] is None:
        step = dt.timedelta(minutes=1)
    elif g["f"] is None:
        step = dt.timedelta(seconds=1)
    else:
        step = dt.timedelta(microseconds=max(1, 10 ** (6 - min(len(g["f"]), 6))))
    return start, start + step


def parse_instant(text: str) -> dt.datetime:
    """The start of ``text``'s range: the instant a full dateTime names."""
    return parse_range(text)[0]


def format_instant(moment: dt.datetime) -> str:
    """``2023-11-13T10:15:00+00:00``: the form every generated resource uses."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
