"""Pregnancy dating from the last menstrual period (LMP)."""

from __future__ import annotations

import datetime

__all__ = ("conception_date", "due_date", "gestational_age")


def due_date(*, lmp: datetime.date, cycle_length_days: int = 28) -> datetime.date:
    """Estimated due date: LMP + 280 days, shifted by (cycle length - 28) days.

    Source: Naegele's rule (Naegele FC, Lehrbuch der Geburtshülfe, 1830) with
    the cycle-length adjustment of MDCalc's "Pregnancy Due Dates Calculator"
    and MedCalc-Bench's ``estimated_due_date.py``.
    """
    return lmp + datetime.timedelta(days=280 + (cycle_length_days - 28))


def conception_date(*, lmp: datetime.date) -> datetime.date:
    """Estimated date of conception: LMP + 14 days (ovulation in a 28-day cycle).

    Source: MedCalc-Bench's ``estimated_conception_date.py`` (LMP + 2 weeks);
    ACOG Committee Opinion 700, Methods for estimating the due date (2017).
    """
    return lmp + datetime.timedelta(days=14)


def gestational_age(*, lmp: datetime.date, today: datetime.date) -> tuple[int, int]:
    """Gestational age on ``today`` as (completed weeks, remaining days) since the LMP.

    Source: ACOG Committee Opinion 700 (2017): gestational age is counted from
    the first day of the LMP; MedCalc-Bench's ``estimated_gestational_age.py``
    reports it as (weeks, days).
    """
    days = (today - lmp).days
    return (days // 7, days % 7)
