"""Heart-rate corrections of the QT interval (QT in ms, heart rate in beats/min).

All five take the RR interval as 60 / heart rate seconds, the convention of
MDCalc's "Corrected QT Interval (QTc)" calculator and MedCalc-Bench.
"""

from __future__ import annotations

import math

__all__ = ("qtc_bazett", "qtc_framingham", "qtc_fridericia", "qtc_hodges", "qtc_rautaharju")


def qtc_bazett(*, qt_ms: float, heart_rate: float) -> float:
    """QTc in ms: QT / sqrt(RR).

    Source: Bazett HC. An analysis of the time-relations of electrocardiograms.
    Heart 1920;7:353-70.
    """
    rr = 60 / heart_rate
    return qt_ms / math.sqrt(rr)


def qtc_fridericia(*, qt_ms: float, heart_rate: float) -> float:
    """QTc in ms: QT / RR^(1/3).

    Source: Fridericia LS. Die Systolendauer im Elektrokardiogramm bei normalen
    Menschen und bei Herzkranken. Acta Med Scand 1920;53:469-86.
    """
    rr = 60 / heart_rate
    return qt_ms / math.pow(rr, 1 / 3)


def qtc_framingham(*, qt_ms: float, heart_rate: float) -> float:
    """QTc in ms: QT + 154 x (1 - RR).

    Source: Sagie A, Larson MG, Goldberg RJ, et al. An improved method for
    adjusting the QT interval for heart rate (the Framingham Heart Study).
    Am J Cardiol 1992;70:797-801.
    """
    rr = 60 / heart_rate
    return qt_ms + 154 * (1 - rr)


def qtc_hodges(*, qt_ms: float, heart_rate: float) -> float:
    """QTc in ms: QT + 1.75 x (heart rate - 60).

    Source: Hodges M, Salerno D, Erlien D. Bazett's QT correction reviewed:
    evidence that a linear QT correction for heart rate is better. J Am Coll
    Cardiol 1983;1:694.
    """
    return qt_ms + 1.75 * (heart_rate - 60)


def qtc_rautaharju(*, qt_ms: float, heart_rate: float) -> float:
    """QTc in ms: QT x (120 + heart rate) / 180.

    Source: Rautaharju PM, Mason JW, Akiyama T. New age- and sex-specific
    criteria for QT prolongation based on rate correction formulas that
    minimize bias at the upper normal limits. Int J Cardiol 2014;174:535-40.
    """
    return qt_ms * (120 + heart_rate) / 180
