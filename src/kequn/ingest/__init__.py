"""Ingestion: source exports (CSV, JSON lines, Parquet) mapped by YAML into canonical warehouse tables.

Rows that fail validation go to the ``quarantine`` table with file, line, column and reason.
"""

from kequn.ingest.mapping import MappingSet, builtin_sets, load_mapping_set
from kequn.ingest.report import FileReport, IngestReport
from kequn.ingest.run import ingest_sources

__all__ = ["FileReport", "IngestReport", "MappingSet", "builtin_sets", "ingest_sources", "load_mapping_set"]
