"""Canonical table schemas (the warehouse layout every source is mapped into)."""

from kequn.model.schemas import TABLES, Column, TableSchema, table

__all__ = ["TABLES", "Column", "TableSchema", "table"]
