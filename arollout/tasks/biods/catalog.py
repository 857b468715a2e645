"""Every family of the suite, in category order (the order of ``tasks()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biods import (
    fam_cbio_clin,
    fam_cbio_mut,
    fam_cbio_surv,
    fam_cox,
    fam_km,
    fam_logrank,
    fam_models,
    fam_parametric,
    fam_plots,
    fam_stats,
    fam_tests,
)

if TYPE_CHECKING:
    from arollout.tasks.biods.family import Family

__all__ = ("FAMILIES",)

FAMILIES: Final[tuple[Family, ...]] = (
    *fam_km.FAMILIES,
    *fam_logrank.FAMILIES,
    *fam_cox.FAMILIES,
    *fam_parametric.FAMILIES,
    *fam_tests.FAMILIES,
    *fam_stats.FAMILIES,
    *fam_models.FAMILIES,
    *fam_plots.FAMILIES,
    *fam_cbio_mut.FAMILIES,
    *fam_cbio_surv.FAMILIES,
    *fam_cbio_clin.FAMILIES,
)
