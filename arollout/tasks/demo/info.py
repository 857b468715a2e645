"""``request_info`` answers for the ``ehr-demo`` database.

The index is the EHR framework's (:mod:`arollout.tasks.ehr.info`); this module
keeps the names it has always exported.
"""

from __future__ import annotations

from arollout.tasks.ehr.info import (
    ColumnInfo as ColumnInfo,
    SchemaIndex as SchemaIndex,
    TableInfo as TableInfo,
)

__all__ = ("ColumnInfo", "SchemaIndex", "TableInfo")
